package auth

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
)

// Mailer sends mail recorded in the caller's transaction.
type Mailer interface {
	SendTx(ctx context.Context, tx *db.Tx, msg mail.Message) (int64, error)
}

// Service holds the rules of accounts and workspaces.
type Service struct {
	d       *db.DB
	mail    Mailer
	bundle  *i18n.Bundle
	baseURL string
	log     *slog.Logger
}

// NewService wires the service.
func NewService(d *db.DB, m Mailer, b *i18n.Bundle, baseURL string, log *slog.Logger) *Service {
	return &Service{d: d, mail: m, bundle: b, baseURL: baseURL, log: log}
}

// Actor is who makes a change, for the audit log. Role is the role the actor acts with in the
// workspace (an API token's may be lower than its owner's); empty for the CLI.
type Actor struct {
	UserID int64
	Label  string
	IP     string
	Role   access.Role
}

// CLI is the actor of command-line changes.
var CLI = Actor{Label: "cli"}

// ActorOf is the actor of a request.
func ActorOf(r *http.Request) Actor {
	a := web.ActorOf(r)
	act := Actor{UserID: a.UserID, Label: a.Label, IP: a.IP}
	if p := web.PrincipalOf(r); p != nil {
		act.Role = p.Role
	}
	return act
}

func (a Actor) entry(workspaceID int64, action, entity string, entityID any, changes map[string]audit.Change) audit.Entry {
	return audit.Actor{UserID: a.UserID, Label: a.Label, IP: a.IP}.Entry(workspaceID, action, entity, entityID, changes)
}

// Errors a user can act on. Their keys are in the auth catalog.
var (
	ErrBadCredentials = &web.Error{Status: http.StatusUnauthorized, Code: "bad_credentials", Key: "auth.error.bad_credentials"}
	ErrRateLimited    = &web.Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Key: "auth.error.rate_limited"}
	ErrDisabled       = &web.Error{Status: http.StatusForbidden, Code: "disabled", Key: "auth.error.disabled"}
	ErrLinkExpired    = &web.Error{Status: http.StatusGone, Code: "link_expired", Key: "auth.error.link_expired"}
	ErrLinkUsed       = &web.Error{Status: http.StatusGone, Code: "link_used", Key: "auth.error.link_used"}
	ErrLinkRevoked    = &web.Error{Status: http.StatusGone, Code: "link_revoked", Key: "auth.error.link_revoked"}
	ErrLinkUnknown    = &web.Error{Status: http.StatusNotFound, Code: "link_unknown", Key: "auth.error.link_unknown"}
	ErrEmailTaken     = &web.Error{Status: http.StatusConflict, Code: "email_taken", Key: "auth.error.email_taken"}
	ErrAlreadyMember  = &web.Error{Status: http.StatusConflict, Code: "already_member", Key: "auth.error.already_member"}
	ErrLastOwner      = &web.Error{Status: http.StatusConflict, Code: "last_owner", Key: "auth.error.last_owner"}
	ErrRoleTooHigh    = &web.Error{Status: http.StatusForbidden, Code: "role_too_high", Key: "auth.error.role_too_high"}
	ErrBadRole        = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_role", Key: "auth.error.bad_role"}
	ErrTokenRevoked   = &web.Error{Status: http.StatusUnauthorized, Code: "token_revoked", Key: "auth.error.token_revoked"}
	ErrBadPassword    = &web.Error{Status: http.StatusUnprocessableEntity, Code: "weak_password", Key: "auth.error.weak_password"}
	ErrSetupDone      = &web.Error{Status: http.StatusGone, Code: "setup_done", Key: "auth.error.setup_done"}
	ErrNoWorkspace    = &web.Error{Status: http.StatusNotFound, Code: "no_workspace", Key: "auth.error.no_workspace"}
)

// NeedsSetup reports whether the installation has no user yet.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := countUsers(ctx, s.d)
	return n == 0, err
}

// SetupLink creates a one-time setup link when no user exists; "" once set up.
func (s *Service) SetupLink(ctx context.Context) (string, error) {
	var token string
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		n, err := countUsers(ctx, tx)
		if err != nil || n > 0 {
			return err
		}
		token, _, err = insertLink(ctx, tx, linkSetup, "", 0, access.Owner, 0, setupLifetime)
		return err
	})
	if err != nil || token == "" {
		return "", err
	}
	return s.baseURL + "/setup?token=" + token, nil
}

// SetupInput is what the setup page asks for.
type SetupInput struct {
	Name, Email, Password string
	Organisation          string
	Lang, Timezone        string
}

// checkSetupLink reports whether a setup token is still good.
func (s *Service) checkSetupLink(ctx context.Context, token string) error {
	if n, err := countUsers(ctx, s.d); err != nil || n > 0 {
		if err != nil {
			return err
		}
		return ErrSetupDone
	}
	_, err := usableLink(ctx, s.d, linkSetup, token)
	return err
}

// Setup creates the first administrator, owner of the first workspace.
func (s *Service) Setup(ctx context.Context, token string, in SetupInput, ip string) (*User, *Workspace, error) {
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, nil, err
	}
	var u *User
	var ws *Workspace
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if n, err := countUsers(ctx, tx); err != nil || n > 0 {
			if err != nil {
				return err
			}
			return ErrSetupDone
		}
		l, err := usableLink(ctx, tx, linkSetup, token)
		if err != nil {
			return err
		}
		if err := claimLink(ctx, tx, l); err != nil {
			return err
		}
		u, ws, err = s.createOwner(ctx, tx, in.Email, in.Name, hash, in.Lang, in.Organisation, in.Timezone, true, Actor{IP: ip})
		return err
	})
	return u, ws, err
}

// createOwner creates a user and a workspace they own, administering the installation when asked.
func (s *Service) createOwner(ctx context.Context, tx *db.Tx, email, name, hash, lang, org, tz string, installationAdmin bool, a Actor) (*User, *Workspace, error) {
	id, err := insertUser(ctx, tx, email, name, hash, lang, installationAdmin)
	if err != nil {
		return nil, nil, err
	}
	ws, err := insertWorkspace(ctx, tx, org, lang, tz)
	if err != nil {
		return nil, nil, err
	}
	if err := upsertMembership(ctx, tx, ws.ID, id, access.Owner); err != nil {
		return nil, nil, err
	}
	if a.UserID == 0 && a.Label == "" {
		a = Actor{UserID: id, Label: normalEmail(email), IP: a.IP}
	}
	err = audit.Record(ctx, tx, a.entry(ws.ID, "workspace.created", "workspace", ws.ID, map[string]audit.Change{
		"name": {To: ws.Name}, "language": {To: ws.Lang}, "timezone": {To: ws.Timezone}, "owner": {To: normalEmail(email)}}))
	if err != nil {
		return nil, nil, err
	}
	u, err := userByID(ctx, tx, id)
	return u, ws, err
}

// CreateUserInput is what `warta user create` takes.
type CreateUserInput struct {
	Email, Name, Password string
	Role                  access.Role
	Workspace             string
	Lang, Timezone        string
	// InstallationAdmin lets the user see every workspace's jobs and mail; the first user always does.
	InstallationAdmin bool
}

// CreateUser adds a user to a workspace. On an empty installation it also creates the first
// workspace (named by Workspace) and makes the user an installation administrator.
func (s *Service) CreateUser(ctx context.Context, a Actor, in CreateUserInput) (*User, *Workspace, error) {
	if !in.Role.Valid() {
		return nil, nil, ErrBadRole
	}
	if len([]rune(in.Password)) < MinPasswordLength {
		return nil, nil, ErrBadPassword
	}
	if in.Name == "" {
		in.Name = strings.Split(in.Email, "@")[0]
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, nil, err
	}
	var u *User
	var ws *Workspace
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		n, err := countUsers(ctx, tx)
		if err != nil {
			return err
		}
		if n == 0 {
			if in.Workspace == "" {
				in.Workspace = "Warta"
			}
			u, ws, err = s.createOwner(ctx, tx, in.Email, in.Name, hash, in.Lang, in.Workspace, in.Timezone, true, a)
			if err == nil && in.Role != access.Owner {
				err = upsertMembership(ctx, tx, ws.ID, u.ID, in.Role)
			}
			return err
		}
		if in.Workspace == "" {
			ws, err = firstWorkspace(ctx, tx)
		} else {
			ws, err = workspaceByName(ctx, tx, in.Workspace)
		}
		if err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return ErrNoWorkspace
			}
			return err
		}
		if _, err := userByEmail(ctx, tx, in.Email); err == nil {
			return ErrEmailTaken
		}
		id, err := insertUser(ctx, tx, in.Email, in.Name, hash, in.Lang, in.InstallationAdmin)
		if err != nil {
			return err
		}
		if err := upsertMembership(ctx, tx, ws.ID, id, in.Role); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a.entry(ws.ID, "member.added", "user", id, map[string]audit.Change{
			"email": {To: normalEmail(in.Email)}, "role": {To: in.Role}})); err != nil {
			return err
		}
		u, err = userByID(ctx, tx, id)
		return err
	})
	return u, ws, err
}

// Users lists every user of the installation (for the CLI).
func (s *Service) Users(ctx context.Context) ([]User, error) { return listUsers(ctx, s.d) }

// UserWorkspaces lists the workspaces of a user with their role.
func (s *Service) UserWorkspaces(ctx context.Context, userID int64) ([]Workspace, []access.Role, error) {
	return userWorkspaces(ctx, s.d, userID)
}

// Authenticate checks an email and password, with a limit on failures per account and per address.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (*User, error) {
	u, err := userByEmail(ctx, s.d, email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if err := s.checkPassword(ctx, email, u, password, ip); err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, ErrDisabled
	}
	return u, nil
}

// checkPassword checks the password of u (nil for an unknown email, which fails the same way and
// takes as long). The attempt is counted before the password is checked, so parallel guesses
// cannot slip past the limit; a success clears the account's count.
func (s *Service) checkPassword(ctx context.Context, email string, u *User, password, ip string) error {
	email = normalEmail(email)
	var byEmail, byIP int
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO login_failures (email, ip, at) VALUES (?, ?, ?)`, email, ip, now()); err != nil {
			return err
		}
		since := now().Add(-loginWindow)
		return tx.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM login_failures WHERE email = ? AND at > ?),
			(SELECT COUNT(*) FROM login_failures WHERE ip = ? AND at > ?)`, email, since, ip, since).Scan(&byEmail, &byIP)
	})
	if err != nil {
		return err
	}
	if byEmail > maxFailuresPerAccount || byIP > maxFailuresPerAddress {
		return ErrRateLimited
	}
	if u == nil || u.passwordHash == "" {
		CheckPassword(dummyHash, password)
		return ErrBadCredentials
	}
	if !CheckPassword(u.passwordHash, password) {
		return ErrBadCredentials
	}
	_, err = s.d.Exec(ctx, `DELETE FROM login_failures WHERE email = ?`, email)
	return err
}

// Rate limit of sign-ins: failures counted over a window, per account and per address.
const (
	loginWindow           = 15 * time.Minute
	maxFailuresPerAccount = 10
	maxFailuresPerAddress = 50
	maxResetsPerHour      = 3
)

// usableLink finds a one-time link that is neither used nor expired, or says which it is.
func usableLink(ctx context.Context, c db.Conn, kind, token string) (*link, error) {
	l, err := linkByToken(ctx, c, kind, token)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return nil, ErrLinkUnknown
	case err != nil:
		return nil, err
	case l.Revoked:
		return nil, ErrLinkRevoked
	case l.UsedAt != nil:
		return nil, ErrLinkUsed
	case now().After(l.ExpiresAt):
		return nil, ErrLinkExpired
	}
	return l, nil
}

// claimLink marks a link used inside the transaction that acts on it; a second claim fails.
func claimLink(ctx context.Context, tx *db.Tx, l *link) error {
	ok, err := useLink(ctx, tx, l.ID)
	if err == nil && !ok {
		err = ErrLinkUsed
	}
	return err
}

// Invite sends an invitation to join ws with role, in the inviter's language.
func (s *Service) Invite(ctx context.Context, a Actor, inviterRole access.Role, ws *Workspace, email string, role access.Role, lang string) error {
	if !role.Valid() {
		return ErrBadRole
	}
	if !inviterRole.Outranks(role) {
		return ErrRoleTooHigh
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if u, err := userByEmail(ctx, tx, email); err == nil {
			if _, err := membershipRole(ctx, tx, ws.ID, u.ID); err == nil {
				return ErrAlreadyMember
			}
		}
		// A new invitation replaces an older one to the same address.
		if _, err := tx.Exec(ctx, `UPDATE auth_links SET revoked_at = ? WHERE workspace_id = ? AND kind = ? AND email = ? AND used_at IS NULL AND revoked_at IS NULL`,
			now(), ws.ID, linkInvite, normalEmail(email)); err != nil {
			return err
		}
		token, id, err := insertLink(ctx, tx, linkInvite, email, ws.ID, role, a.UserID, inviteLifetime)
		if err != nil {
			return err
		}
		l := s.bundle.Locale(lang, zoneOf(ws))
		link := s.baseURL + "/invite/" + token
		inviter := a.Label
		subject := l.T("auth.mail.invite.subject", "Workspace", ws.Name)
		body := l.T("auth.mail.invite.body", "Inviter", inviter, "Workspace", ws.Name, "Role", strings.ToLower(l.T("role."+string(role))))
		expires := l.T("auth.mail.invite.expires", "When", l.LongDateTime(now().Add(inviteLifetime)))
		if _, err := s.mail.SendTx(ctx, tx, mail.Message{
			// The kind names the role, so the outbox can hide the link from those who may not grant it.
			WorkspaceID: ws.ID, To: normalEmail(email), Kind: "invitation." + string(role), Subject: subject,
			Text: body + "\n\n" + link + "\n\n" + expires,
			HTML: mail.Layout(subject, mailHTML(body, l.T("auth.mail.invite.button"), link, expires), l.T("auth.mail.footer")),
		}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.entry(ws.ID, "member.invited", "invitation", id, map[string]audit.Change{
			"email": {To: normalEmail(email)}, "role": {To: role}}))
	})
}

func mailHTML(body, button, link, note string) string {
	return fmt.Sprintf(`<p>%s</p><p><a href="%s" style="display:inline-block;padding:10px 18px;background:#0b5f73;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">%s</a></p><p style="color:#4d5b6b;font-size:13px">%s<br>%s</p>`,
		template.HTMLEscapeString(body), template.HTMLEscapeString(link), template.HTMLEscapeString(button), template.HTMLEscapeString(note), template.HTMLEscapeString(link))
}

// InvitationView is what the invitation page shows before accepting.
type InvitationView struct {
	Email       string
	Role        access.Role
	Workspace   *Workspace
	HasAccount  bool
	AccountName string
}

// LookupInvitation checks an invitation token.
func (s *Service) LookupInvitation(ctx context.Context, token string) (*InvitationView, error) {
	l, err := usableLink(ctx, s.d, linkInvite, token)
	if err != nil {
		return nil, err
	}
	ws, err := workspaceByID(ctx, s.d, l.WorkspaceID)
	if err != nil {
		return nil, err
	}
	v := &InvitationView{Email: l.Email, Role: l.Role, Workspace: ws}
	if u, err := userByEmail(ctx, s.d, l.Email); err == nil {
		v.HasAccount, v.AccountName = true, u.Name
	}
	return v, nil
}

// AcceptInvitation joins the invited workspace. A new user gives a name and password; an existing
// user must be the signed-in user with the invited email (signedIn), or give their password.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password string, signedIn int64, lang, ip string) (*User, *Workspace, error) {
	l, err := usableLink(ctx, s.d, linkInvite, token)
	if err != nil {
		return nil, nil, err
	}
	// Passwords are checked and hashed before the transaction: argon2 is slow, and on SQLite the
	// transaction holds the only write connection.
	u, err := userByEmail(ctx, s.d, l.Email)
	var hash string
	switch {
	case err == nil:
		if u.ID != signedIn {
			if err := s.checkPassword(ctx, l.Email, u, password, ip); err != nil {
				return nil, nil, err
			}
		}
		if u.DisabledAt != nil {
			return nil, nil, ErrDisabled
		}
	case errors.Is(err, db.ErrNotFound):
		if len([]rune(password)) < MinPasswordLength {
			return nil, nil, ErrBadPassword
		}
		if hash, err = HashPassword(password); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, err
	}
	var ws *Workspace
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := claimLink(ctx, tx, l); err != nil {
			return err
		}
		if ws, err = workspaceByID(ctx, tx, l.WorkspaceID); err != nil {
			return err
		}
		if u == nil {
			id, err := insertUser(ctx, tx, l.Email, name, hash, lang, false)
			if db.IsUniqueViolation(err) {
				return ErrEmailTaken
			}
			if err != nil {
				return err
			}
			if u, err = userByID(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := upsertMembership(ctx, tx, ws.ID, u.ID, l.Role); err != nil {
			return err
		}
		a := Actor{UserID: u.ID, Label: u.Email, IP: ip}
		return audit.Record(ctx, tx, a.entry(ws.ID, "member.joined", "user", u.ID, map[string]audit.Change{"role": {To: l.Role}}))
	})
	return u, ws, err
}

// RevokeInvitation cancels a pending invitation of ws.
func (s *Service) RevokeInvitation(ctx context.Context, a Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE auth_links SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND kind = ? AND used_at IS NULL AND revoked_at IS NULL`, now(), id, wsID, linkInvite)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a.entry(wsID, "invitation.revoked", "invitation", id, nil))
	})
}

// Members lists a workspace's members and pending invitations.
func (s *Service) Members(ctx context.Context, wsID int64) ([]Member, []Invitation, error) {
	m, err := listMembers(ctx, s.d, wsID)
	if err != nil {
		return nil, nil, err
	}
	inv, err := pendingInvitations(ctx, s.d, wsID)
	return m, inv, err
}

// ChangeRole sets a member's role. Nobody raises anyone above their own role, and a workspace
// keeps at least one owner.
func (s *Service) ChangeRole(ctx context.Context, a Actor, actorRole access.Role, wsID, userID int64, role access.Role) error {
	if !role.Valid() {
		return ErrBadRole
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := membershipRole(ctx, tx, wsID, userID)
		if err != nil {
			return err
		}
		if !actorRole.Outranks(role) || !actorRole.Outranks(old) {
			return ErrRoleTooHigh
		}
		if old == access.Owner && role != access.Owner {
			if n, err := countOwners(ctx, tx, wsID); err != nil || n <= 1 {
				if err == nil {
					err = ErrLastOwner
				}
				return err
			}
		}
		if err := upsertMembership(ctx, tx, wsID, userID, role); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.entry(wsID, "member.role_changed", "user", userID, map[string]audit.Change{"role": {From: old, To: role}}))
	})
}

// RemoveMember takes a member out of a workspace and revokes their tokens there.
func (s *Service) RemoveMember(ctx context.Context, a Actor, actorRole access.Role, wsID, userID int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := membershipRole(ctx, tx, wsID, userID)
		if err != nil {
			return err
		}
		if !actorRole.Outranks(old) {
			return ErrRoleTooHigh
		}
		if old == access.Owner {
			if n, err := countOwners(ctx, tx, wsID); err != nil || n <= 1 {
				if err == nil {
					err = ErrLastOwner
				}
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?`, wsID, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE workspace_id = ? AND user_id = ? AND revoked_at IS NULL`, now(), wsID, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.entry(wsID, "member.removed", "user", userID, map[string]audit.Change{"role": {From: old}}))
	})
}

// RequestReset mails a password reset link when the address belongs to an active user. The
// caller always shows the same answer, so the form does not reveal who has an account.
func (s *Service) RequestReset(ctx context.Context, email, lang, ip string) error {
	u, err := userByEmail(ctx, s.d, email)
	if errors.Is(err, db.ErrNotFound) || (err == nil && u.DisabledAt != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.Lang != "" {
		lang = u.Lang
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		// A few links an hour are enough for a person; more would let anyone flood an inbox.
		var recent int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM auth_links WHERE kind = ? AND email = ? AND created_at > ?`,
			linkReset, u.Email, now().Add(-time.Hour)).Scan(&recent); err != nil {
			return err
		}
		if recent >= maxResetsPerHour {
			return nil
		}
		token, _, err := insertLink(ctx, tx, linkReset, u.Email, 0, "", u.ID, resetLifetime)
		if err != nil {
			return err
		}
		l := s.bundle.Locale(lang, nil)
		link := s.baseURL + "/reset/" + token
		subject := l.T("auth.mail.reset.subject")
		body := l.T("auth.mail.reset.body")
		note := l.T("auth.mail.reset.note", "IP", ip)
		_, err = s.mail.SendTx(ctx, tx, mail.Message{
			To: u.Email, Kind: "password_reset", Subject: subject,
			Text: body + "\n\n" + link + "\n\n" + note,
			HTML: mail.Layout(subject, mailHTML(body, l.T("auth.mail.reset.button"), link, note), l.T("auth.mail.footer")),
		})
		return err
	})
}

// CheckResetLink reports whether a reset link can still be used.
func (s *Service) CheckResetLink(ctx context.Context, token string) error {
	_, err := usableLink(ctx, s.d, linkReset, token)
	return err
}

// ResetPassword sets a new password from a reset link and signs out every session of the user.
func (s *Service) ResetPassword(ctx context.Context, token, password, ip string) (*User, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	var u *User
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		l, err := usableLink(ctx, tx, linkReset, token)
		if err != nil {
			return err
		}
		if err := claimLink(ctx, tx, l); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, session_version = session_version + 1 WHERE id = ?`, hash, l.CreatedBy); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE email = ?`, l.Email); err != nil {
			return err
		}
		if u, err = userByID(ctx, tx, l.CreatedBy); err != nil {
			return err
		}
		return audit.Record(ctx, tx, Actor{UserID: u.ID, Label: u.Email, IP: ip}.entry(0, "account.password_reset", "user", u.ID, nil))
	})
	return u, err
}

// changeUser applies one change to a user's account and records it in the installation's audit
// log (account changes belong to no workspace).
func (s *Service) changeUser(ctx context.Context, a Actor, userID int64, action string, changes map[string]audit.Change, query string, args ...any) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, query, args...); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.entry(0, action, "user", userID, changes))
	})
}

// SetPassword sets a user's password (CLI or the account page) and signs out their other sessions.
func (s *Service) SetPassword(ctx context.Context, a Actor, userID int64, password string) (*User, error) {
	if len([]rune(password)) < MinPasswordLength {
		return nil, ErrBadPassword
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	if err := s.changeUser(ctx, a, userID, "account.password_changed", nil,
		`UPDATE users SET password_hash = ?, session_version = session_version + 1 WHERE id = ?`, hash, userID); err != nil {
		return nil, err
	}
	return userByID(ctx, s.d, userID)
}

// UserByEmail finds a user.
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	return userByEmail(ctx, s.d, email)
}

// SetDisabled disables or re-enables a user; a disabled user's sessions and tokens stop working.
func (s *Service) SetDisabled(ctx context.Context, a Actor, userID int64, disabled bool) error {
	var at any
	action := "account.enabled"
	if disabled {
		at, action = now(), "account.disabled"
	}
	return s.changeUser(ctx, a, userID, action, nil, `UPDATE users SET disabled_at = ?, session_version = session_version + 1 WHERE id = ?`, at, userID)
}

// UpdateProfile changes a user's name and language.
func (s *Service) UpdateProfile(ctx context.Context, a Actor, u *web.Principal, name, lang string) error {
	changes := map[string]audit.Change{}
	if u.Name != name {
		changes["name"] = audit.Change{From: u.Name, To: name}
	}
	if u.Lang != lang {
		changes["language"] = audit.Change{From: u.Lang, To: lang}
	}
	return s.changeUser(ctx, a, u.UserID, "account.profile_updated", changes, `UPDATE users SET name = ?, lang = ? WHERE id = ?`, name, lang, u.UserID)
}

// SetLanguage changes only the language; too small a change for the audit log.
func (s *Service) SetLanguage(ctx context.Context, userID int64, lang string) error {
	_, err := s.d.Exec(ctx, `UPDATE users SET lang = ? WHERE id = ?`, lang, userID)
	return err
}

// SignOutEverywhere ends every session of the user, this one included.
func (s *Service) SignOutEverywhere(ctx context.Context, a Actor, userID int64) error {
	return s.changeUser(ctx, a, userID, "account.signed_out_everywhere", nil, `UPDATE users SET session_version = session_version + 1 WHERE id = ?`, userID)
}

// Workspace returns a workspace by slug.
func (s *Service) Workspace(ctx context.Context, slug string) (*Workspace, error) {
	return workspaceBySlug(ctx, s.d, slug)
}

// UpdateWorkspace changes a workspace's name, default language and time zone.
func (s *Service) UpdateWorkspace(ctx context.Context, a Actor, ws *Workspace, name, lang, tz string) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET name = ?, lang = ?, timezone = ? WHERE id = ?`, name, lang, tz, ws.ID); err != nil {
			return err
		}
		changes := map[string]audit.Change{}
		for field, pair := range map[string][2]string{"name": {ws.Name, name}, "language": {ws.Lang, lang}, "timezone": {ws.Timezone, tz}} {
			if pair[0] != pair[1] {
				changes[field] = audit.Change{From: pair[0], To: pair[1]}
			}
		}
		return audit.Record(ctx, tx, a.entry(ws.ID, "workspace.updated", "workspace", ws.ID, changes))
	})
}

func zoneOf(ws *Workspace) *time.Location {
	z, err := i18n.LoadZone(ws.Timezone)
	if err != nil {
		return time.UTC
	}
	return z
}

func clientIP(r *http.Request) string { return web.ClientIP(r) }

// Cleanup removes sign-in failures past the rate-limit window and one-time links expired for a week.
func (s *Service) Cleanup(ctx context.Context) error {
	if _, err := s.d.Exec(ctx, `DELETE FROM login_failures WHERE at < ?`, now().Add(-loginWindow)); err != nil {
		return err
	}
	_, err := s.d.Exec(ctx, `DELETE FROM auth_links WHERE expires_at < ?`, now().Add(-7*24*time.Hour))
	return err
}

// Workspaces lists every workspace of the installation.
func (s *Service) Workspaces(ctx context.Context) ([]WorkspaceSummary, error) {
	return listWorkspaces(ctx, s.d)
}

// CreateWorkspace makes a new workspace owned by an existing user.
func (s *Service) CreateWorkspace(ctx context.Context, a Actor, name, lang, tz string, ownerID int64) (*Workspace, error) {
	var ws *Workspace
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if ws, err = insertWorkspace(ctx, tx, name, lang, tz); err != nil {
			return err
		}
		if err := upsertMembership(ctx, tx, ws.ID, ownerID, access.Owner); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.entry(ws.ID, "workspace.created", "workspace", ws.ID, map[string]audit.Change{
			"name": {To: name}, "language": {To: lang}, "timezone": {To: tz}}))
	})
	return ws, err
}

// CreateUserWithWorkspace creates a user and a new workspace they own. The user does not
// administer the installation (the demo's accounts, whose password is published, never do).
func (s *Service) CreateUserWithWorkspace(ctx context.Context, a Actor, email, name, password, lang, workspace, tz string) (*User, *Workspace, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return nil, nil, err
	}
	var u *User
	var ws *Workspace
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := userByEmail(ctx, tx, email); err == nil {
			return ErrEmailTaken
		}
		u, ws, err = s.createOwner(ctx, tx, email, name, hash, lang, workspace, tz, false, a)
		return err
	})
	return u, ws, err
}
