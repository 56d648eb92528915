package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"warta.dev/warta/internal/platform/secrets"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
)

// CreateToken makes an API token for a member, with a role no higher than their own, nor than the
// role the actor acts with (a viewer token cannot mint an owner token). The secret is returned
// once; only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, a Actor, wsID, userID int64, name string, role access.Role) (string, Token, error) {
	var secret string
	var tok Token
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		own, err := membershipRole(ctx, tx, wsID, userID)
		if err != nil {
			return err
		}
		if a.Role != "" && !a.Role.Outranks(own) {
			own = a.Role
		}
		if role == "" {
			role = own
		}
		if !role.Valid() {
			return ErrBadRole
		}
		if !own.Outranks(role) {
			return ErrRoleTooHigh
		}
		secret = tokenPrefix + secrets.NewToken()
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO api_tokens (workspace_id, user_id, name, role, token_hash, prefix, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, wsID, userID, name, string(role), secrets.HashToken(secret), secret[:8], now()).Scan(&id)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a.entry(wsID, "token.created", "token", id, map[string]audit.Change{
			"name": {To: name}, "role": {To: role}})); err != nil {
			return err
		}
		tok, err = tokenByID(ctx, tx, wsID, id)
		return err
	})
	return secret, tok, err
}

// Tokens lists a workspace's tokens: every member's for those who manage members, else one user's.
func (s *Service) Tokens(ctx context.Context, wsID, userID int64) ([]Token, error) {
	return listTokens(ctx, s.d, wsID, userID)
}

// RevokeToken revokes a token of ws. ownerID limits it to one user's tokens (0: any).
func (s *Service) RevokeToken(ctx context.Context, a Actor, wsID, id, ownerID int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		t, err := tokenByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if ownerID != 0 && t.UserID != ownerID {
			return db.ErrNotFound
		}
		if t.RevokedAt != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND workspace_id = ?`, now(), id, wsID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.entry(wsID, "token.revoked", "token", id, map[string]audit.Change{"name": {From: t.Name}}))
	})
}

// RevokeTokenBySecret revokes the token whose secret or id is given (CLI).
func (s *Service) RevokeTokenByRef(ctx context.Context, ref string) (Token, error) {
	var wsID, id int64
	q := `SELECT workspace_id, id FROM api_tokens WHERE token_hash = ?`
	arg := any(secrets.HashToken(ref))
	if !strings.HasPrefix(ref, tokenPrefix) {
		q, arg = `SELECT workspace_id, id FROM api_tokens WHERE id = ?`, ref
	}
	if err := s.d.QueryRow(ctx, q, arg).Scan(&wsID, &id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Token{}, db.ErrNotFound
		}
		return Token{}, err
	}
	if err := s.RevokeToken(ctx, CLI, wsID, id, 0); err != nil {
		return Token{}, err
	}
	return tokenByID(ctx, s.d, wsID, id)
}

type tokenIdentity struct {
	tokenID, workspaceID int64
	role                 access.Role
	user                 *User
	revoked              bool
	lastUsed             *time.Time
}

func (s *Service) lookupToken(ctx context.Context, secret string) (*tokenIdentity, error) {
	ti := &tokenIdentity{}
	var userID int64
	var revoked, used sql.NullTime
	err := s.d.QueryRow(ctx, `SELECT id, workspace_id, user_id, role, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?`, secrets.HashToken(secret)).
		Scan(&ti.tokenID, &ti.workspaceID, &userID, &ti.role, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	ti.revoked = revoked.Valid
	if used.Valid {
		ti.lastUsed = &used.Time
	}
	ti.user, err = userByID(ctx, s.d, userID)
	return ti, err
}

// touchToken records use at most once a minute, so reads do not turn into writes.
func (s *Service) touchToken(ctx context.Context, ti *tokenIdentity) {
	if ti.lastUsed != nil && time.Since(*ti.lastUsed) < time.Minute {
		return
	}
	if _, err := s.d.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now(), ti.tokenID); err != nil {
		s.log.Warn("recording token use", "err", err)
	}
}
