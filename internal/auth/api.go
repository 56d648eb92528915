package auth

import (
	"errors"
	"net/http"
	"slices"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/web"
)

// API routes of this domain: /api/v1/me, users, members, tokens and audit.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	id := map[string]any{"type": "integer"}
	role := map[string]any{"type": "string", "enum": access.Roles}
	member := web.Object(map[string]any{"user_id": id, "email": str, "name": str, "role": role, "joined_at": str, "disabled": map[string]any{"type": "boolean"}})
	token := web.Object(map[string]any{"id": id, "name": str, "role": role, "prefix": str, "user_id": id, "created_at": str, "last_used_at": str, "revoked_at": str})
	return []web.Route{
		{Method: "GET", Path: "/api/v1/me", Perm: access.WorkspaceView, Handler: h.apiMe, Summary: "The token's user, workspace and role",
			Response: web.Object(map[string]any{"user": web.Object(map[string]any{"id": id, "email": str, "name": str}), "workspace": web.Object(map[string]any{"id": id, "slug": str, "name": str, "language": str, "timezone": str}), "role": role})},
		{Method: "GET", Path: "/api/v1/users", Perm: access.MembersView, Handler: h.apiUsers, Summary: "People in the workspace",
			Response: web.ListOf(web.Object(map[string]any{"id": id, "email": str, "name": str}))},
		{Method: "GET", Path: "/api/v1/members", Perm: access.MembersView, Handler: h.apiMembers, Summary: "Memberships with roles, and pending invitations",
			Response: web.ListOf(member)},
		{Method: "POST", Path: "/api/v1/members", Perm: access.MembersManage, Handler: h.apiInvite, Summary: "Invite someone by email",
			Request: web.Object(map[string]any{"email": str, "role": role, "language": str}, "email", "role")},
		{Method: "PATCH", Path: "/api/v1/members/{user}", Perm: access.MembersManage, Handler: h.apiChangeRole, Summary: "Change a member's role",
			Request: web.Object(map[string]any{"role": role}, "role")},
		{Method: "DELETE", Path: "/api/v1/members/{user}", Perm: access.MembersManage, Handler: h.apiRemoveMember, Summary: "Remove a member"},
		{Method: "GET", Path: "/api/v1/tokens", Perm: access.TokensOwn, Handler: h.apiTokens, Summary: "API tokens (your own; every member's for admins)",
			Response: web.ListOf(token)},
		{Method: "POST", Path: "/api/v1/tokens", Perm: access.TokensOwn, Handler: h.apiCreateToken, Summary: "Create a token; the secret is in the response only",
			Request:  web.Object(map[string]any{"name": str, "role": role}, "name"),
			Response: web.Object(map[string]any{"token": str, "details": token})},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", Perm: access.TokensOwn, Handler: h.apiRevokeToken, Summary: "Revoke a token"},
		{Method: "GET", Path: "/api/v1/audit", Perm: access.AuditView, Handler: h.apiAudit, Summary: "Audit log, newest first",
			Response: web.ListOf(web.Object(map[string]any{"id": id, "at": str, "actor": str, "action": str, "entity": str, "entity_id": str, "changes": map[string]any{"type": "object"}}))},
	}
}

func (h *Handlers) apiMe(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	ws, err := h.s.Workspace(r.Context(), p.WorkspaceSlug)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{
		"user":      map[string]any{"id": p.UserID, "email": p.Email, "name": p.Name},
		"workspace": ws,
		"role":      p.Role,
	})
}

type apiUser struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

func (h *Handlers) apiUsers(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	members, _, err := h.s.Members(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	var users []apiUser
	for _, m := range sortedMembers(members, after) {
		users = append(users, apiUser{ID: m.UserID, Email: m.Email, Name: m.Name})
	}
	return web.JSON(w, http.StatusOK, web.NextPage(clip(users, limit), limit, func(u apiUser) int64 { return u.ID }))
}

func (h *Handlers) apiMembers(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	members, inv, err := h.s.Members(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	page := web.NextPage(clip(sortedMembers(members, after), limit), limit, func(m Member) int64 { return m.UserID })
	if inv == nil {
		inv = []Invitation{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"items": page.Items, "next_cursor": page.NextCursor, "invitations": inv})
}

// sortedMembers orders by user id and keeps those after the cursor. Workspaces have tens of
// members, so paging in memory is simpler than a second query shape.
func sortedMembers(ms []Member, after int64) []Member {
	slices.SortFunc(ms, func(a, b Member) int { return int(a.UserID - b.UserID) })
	var out []Member
	for _, m := range ms {
		if m.UserID > after {
			out = append(out, m)
		}
	}
	return out
}

func clip[T any](items []T, limit int) []T {
	if len(items) > limit+1 {
		return items[:limit+1]
	}
	return items
}

func apiFail(err error, f *web.Form, field string) error {
	var we *web.Error
	if errors.As(err, &we) && we.Status == http.StatusUnprocessableEntity && we.Fields == nil {
		f.Fail(field, we.Key)
		return web.Invalid(f)
	}
	return err
}

func (h *Handlers) apiInvite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Role     string `json:"role"`
		Language string `json:"language"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	f := web.NewForm(nil)
	f.Values.Set("email", in.Email)
	f.Values.Set("role", in.Role)
	f.Required("email", "role")
	f.Email("email")
	if !access.Role(in.Role).Valid() && in.Role != "" {
		f.Fail("role", "auth.error.bad_role")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	p := web.PrincipalOf(r)
	ws, err := h.s.Workspace(r.Context(), p.WorkspaceSlug)
	if err != nil {
		return err
	}
	lang := in.Language
	if lang == "" {
		lang = ws.Lang
	}
	if err := h.s.Invite(r.Context(), ActorOf(r), p.Role, ws, in.Email, access.Role(in.Role), lang); err != nil {
		return apiFail(err, f, "role")
	}
	return web.JSON(w, http.StatusAccepted, map[string]any{"invited": normalEmail(in.Email), "role": in.Role})
}

func (h *Handlers) apiChangeRole(w http.ResponseWriter, r *http.Request) error {
	userID, err := pathID(r, "user")
	if err != nil {
		return err
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	if err := h.s.ChangeRole(r.Context(), ActorOf(r), p.Role, p.WorkspaceID, userID, access.Role(in.Role)); err != nil {
		return apiFail(err, web.NewForm(nil), "role")
	}
	return web.JSON(w, http.StatusOK, map[string]any{"user_id": userID, "role": in.Role})
}

func (h *Handlers) apiRemoveMember(w http.ResponseWriter, r *http.Request) error {
	userID, err := pathID(r, "user")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	if err := h.s.RemoveMember(r.Context(), ActorOf(r), p.Role, p.WorkspaceID, userID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiTokens(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	list, err := h.s.Tokens(r.Context(), p.WorkspaceID, tokenScope(p))
	if err != nil {
		return err
	}
	slices.SortFunc(list, func(a, b Token) int { return int(a.ID - b.ID) })
	var out []Token
	for _, t := range list {
		if t.ID > after {
			out = append(out, t)
		}
	}
	return web.JSON(w, http.StatusOK, web.NextPage(clip(out, limit), limit, func(t Token) int64 { return t.ID }))
}

func (h *Handlers) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	f := web.NewForm(nil)
	f.Values.Set("name", in.Name)
	f.Required("name")
	f.MaxLength("name", 80)
	if !f.Valid() {
		return web.Invalid(f)
	}
	p := web.PrincipalOf(r)
	secret, tok, err := h.s.CreateToken(r.Context(), ActorOf(r), p.WorkspaceID, p.UserID, in.Name, access.Role(in.Role))
	if err != nil {
		return apiFail(err, f, "role")
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"token": secret, "details": tok})
}

func (h *Handlers) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	if err := h.s.RevokeToken(r.Context(), ActorOf(r), p.WorkspaceID, id, tokenScope(p)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type apiAuditEntry struct {
	ID       int64                   `json:"id"`
	At       string                  `json:"at"`
	Actor    string                  `json:"actor"`
	Action   string                  `json:"action"`
	Entity   string                  `json:"entity"`
	EntityID string                  `json:"entity_id"`
	Changes  map[string]audit.Change `json:"changes"`
}

func (h *Handlers) apiAudit(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	f := audit.Filter{Action: r.URL.Query().Get("action"), Actor: r.URL.Query().Get("actor"), Before: after, Limit: limit + 1}
	entries, err := audit.List(r.Context(), h.s.d, web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	out := make([]apiAuditEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, apiAuditEntry{ID: e.ID, At: e.At.UTC().Format("2006-01-02T15:04:05Z"), Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Changes: e.Changes})
	}
	return web.JSON(w, http.StatusOK, web.NextPage(out, limit, func(e apiAuditEntry) int64 { return e.ID }))
}
