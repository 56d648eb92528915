package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/alexedwards/scs/v2"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Guard identifies the users of requests: by session for pages, by bearer token for the API.
type Guard struct {
	s        *Service
	sessions *scs.SessionManager
}

// NewGuard returns the guard the web server calls.
func NewGuard(s *Service, sessions *scs.SessionManager) *Guard {
	return &Guard{s: s, sessions: sessions}
}

// Session keys.
const (
	sessUserID  = "user_id"
	sessVersion = "session_version"
)

// SignIn starts a session for u, with a new session token so a token set before sign-in is useless.
func (g *Guard) SignIn(r *http.Request, u *User) error {
	if err := g.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	g.sessions.Put(r.Context(), sessUserID, u.ID)
	g.sessions.Put(r.Context(), sessVersion, u.sessionVersion)
	return nil
}

// SignOut ends this session.
func (g *Guard) SignOut(r *http.Request) error {
	return g.sessions.Destroy(r.Context())
}

// Identify implements web.Guard.
func (g *Guard) Identify(r *http.Request) (*web.Principal, error) {
	ctx := r.Context()
	id := g.sessions.GetInt64(ctx, sessUserID)
	if id == 0 {
		return nil, nil
	}
	u, err := userByID(ctx, g.s.d, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// A password change, a disable or "sign out everywhere" bumps the version and ends the session.
	if u.DisabledAt != nil || g.sessions.GetInt(ctx, sessVersion) != u.sessionVersion {
		_ = g.sessions.Destroy(ctx)
		return nil, nil
	}
	p := principalOf(u)
	ws, roles, err := userWorkspaces(ctx, g.s.d, u.ID)
	if err != nil {
		return nil, err
	}
	for i, w := range ws {
		p.Workspaces = append(p.Workspaces, web.WorkspaceRef{Slug: w.Slug, Name: w.Name, Role: roles[i]})
	}
	return p, nil
}

func principalOf(u *User) *web.Principal {
	return &web.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Lang: u.Lang, InstallationAdmin: u.IsAdmin}
}

// IdentifyToken implements web.Guard. A request without a token is a visitor; a bad, revoked or
// orphaned token is an error that says which.
func (g *Guard) IdentifyToken(r *http.Request) (*web.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || !strings.HasPrefix(secret, tokenPrefix) {
		return nil, web.ErrUnauthorized
	}
	ctx := r.Context()
	ti, err := g.s.lookupToken(ctx, strings.TrimSpace(secret))
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	if ti.revoked {
		return nil, ErrTokenRevoked
	}
	if ti.user.DisabledAt != nil {
		return nil, ErrDisabled
	}
	// The token acts with its own role, never more than the member's current role.
	memberRole, err := membershipRole(ctx, g.s.d, ti.workspaceID, ti.user.ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrTokenRevoked
	}
	if err != nil {
		return nil, err
	}
	ws, err := workspaceByID(ctx, g.s.d, ti.workspaceID)
	if err != nil {
		return nil, err
	}
	role := ti.role
	if !memberRole.Outranks(role) {
		role = memberRole
	}
	g.s.touchToken(ctx, ti)
	p := principalOf(ti.user)
	p.TokenID = ti.tokenID
	enter(p, ws, role)
	return p, nil
}

// Enter implements web.Guard.
func (g *Guard) Enter(ctx context.Context, p *web.Principal, slug string) (*web.Principal, error) {
	ws, err := workspaceBySlug(ctx, g.s.d, slug)
	if err != nil {
		return nil, err
	}
	role, err := membershipRole(ctx, g.s.d, ws.ID, p.UserID)
	if err != nil {
		return nil, err
	}
	inside := *p
	enter(&inside, ws, role)
	return &inside, nil
}

func enter(p *web.Principal, ws *Workspace, role access.Role) {
	p.WorkspaceID, p.WorkspaceSlug, p.WorkspaceName, p.WorkspaceLang = ws.ID, ws.Slug, ws.Name, ws.Lang
	p.Zone = zoneOf(ws)
	p.Role = role
}
