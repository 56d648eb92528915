package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the auth pages.
type Handlers struct {
	s     *Service
	g     *Guard
	srv   *web.Server
	pages *web.Pages
	sso   *SSO
}

// NewHandlers parses the auth templates. sso may be nil.
func NewHandlers(s *Service, g *Guard, srv *web.Server, sso *SSO) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, g: g, srv: srv, pages: pages, sso: sso}, nil
}

// Routes are the auth pages with their permissions.
func (h *Handlers) Routes() []web.Route {
	rs := []web.Route{
		{Method: "GET", Path: "/", Perm: access.Public, Handler: h.root},
		{Method: "GET", Path: "/setup", Perm: access.Public, Handler: h.setupForm},
		{Method: "POST", Path: "/setup", Perm: access.Public, Handler: h.setup},
		{Method: "GET", Path: "/login", Perm: access.Public, Handler: h.loginForm},
		{Method: "POST", Path: "/login", Perm: access.Public, Handler: h.login},
		{Method: "POST", Path: "/logout", Perm: access.SignedIn, Handler: h.logout},
		{Method: "GET", Path: "/forgot", Perm: access.Public, Handler: h.forgotForm},
		{Method: "POST", Path: "/forgot", Perm: access.Public, Handler: h.forgot},
		{Method: "GET", Path: "/reset/{token}", Perm: access.Public, Handler: h.resetForm},
		{Method: "POST", Path: "/reset/{token}", Perm: access.Public, Handler: h.reset},
		{Method: "GET", Path: "/invite/{token}", Perm: access.Public, Handler: h.inviteForm},
		{Method: "POST", Path: "/invite/{token}", Perm: access.Public, Handler: h.acceptInvite},
		{Method: "POST", Path: "/language", Perm: access.Public, Handler: h.language},
		{Method: "GET", Path: "/account", Perm: access.SignedIn, Handler: h.account},
		{Method: "POST", Path: "/account", Perm: access.SignedIn, Handler: h.saveAccount},
		{Method: "POST", Path: "/account/password", Perm: access.SignedIn, Handler: h.changePassword},
		{Method: "POST", Path: "/account/sign-out-everywhere", Perm: access.SignedIn, Handler: h.signOutEverywhere},
		{Method: "GET", Path: "/w/{ws}/settings", Perm: access.WorkspaceView, Handler: h.settings},
		{Method: "GET", Path: "/w/{ws}/settings/workspace", Perm: access.WorkspaceManage, Handler: h.workspaceForm},
		{Method: "POST", Path: "/w/{ws}/settings/workspace", Perm: access.WorkspaceManage, Handler: h.saveWorkspace},
		{Method: "GET", Path: "/w/{ws}/settings/members", Perm: access.MembersView, Handler: h.members},
		{Method: "POST", Path: "/w/{ws}/settings/members/invite", Perm: access.MembersManage, Handler: h.invite},
		{Method: "POST", Path: "/w/{ws}/settings/members/{user}/role", Perm: access.MembersManage, Handler: h.changeRole},
		{Method: "POST", Path: "/w/{ws}/settings/members/{user}/remove", Perm: access.MembersManage, Handler: h.removeMember},
		{Method: "POST", Path: "/w/{ws}/settings/invitations/{id}/revoke", Perm: access.MembersManage, Handler: h.revokeInvitation},
		{Method: "GET", Path: "/w/{ws}/settings/tokens", Perm: access.TokensOwn, Handler: h.tokens},
		{Method: "POST", Path: "/w/{ws}/settings/tokens", Perm: access.TokensOwn, Handler: h.createToken},
		{Method: "POST", Path: "/w/{ws}/settings/tokens/{id}/revoke", Perm: access.TokensOwn, Handler: h.revokeToken},
		{Method: "GET", Path: "/w/{ws}/settings/audit", Perm: access.AuditView, Handler: h.auditLog},
		{Method: "GET", Path: "/w/{ws}/settings/audit.csv", Perm: access.AuditView, Handler: h.auditCSV},
		{Method: "GET", Path: "/admin/audit", Perm: access.Installation, Handler: h.auditLog},
		{Method: "GET", Path: "/admin/workspaces", Perm: access.Installation, Handler: h.workspaces},
		{Method: "POST", Path: "/admin/workspaces", Perm: access.Installation, Handler: h.createWorkspace},
		{Method: "GET", Path: "/admin/audit.csv", Perm: access.Installation, Handler: h.auditCSV},
	}
	if h.sso != nil {
		rs = append(rs,
			web.Route{Method: "GET", Path: "/auth/sso", Perm: access.Public, Handler: h.ssoStart},
			web.Route{Method: "GET", Path: "/auth/sso/callback", Perm: access.Public, Handler: h.ssoCallback})
	}
	return rs
}

func (h *Handlers) root(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path != "/" {
		return web.ErrNotFound
	}
	p := web.PrincipalOf(r)
	if p == nil {
		setup, err := h.s.NeedsSetup(r.Context())
		if err != nil {
			return err
		}
		if setup {
			return h.pages.Render(w, r, http.StatusOK, "awaiting_setup.html", "auth.setup.title", nil, nil)
		}
		return web.Redirect(w, r, "/login")
	}
	if len(p.Workspaces) > 0 {
		return web.Redirect(w, r, "/w/"+p.Workspaces[0].Slug)
	}
	return h.pages.Render(w, r, http.StatusOK, "no_workspace.html", "auth.no_workspace.title", nil, nil)
}

type setupData struct {
	Token string
	Zones []string
}

func (h *Handlers) setupForm(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if err := h.s.checkSetupLink(r.Context(), token); err != nil {
		return err
	}
	lang := web.LocaleOf(r).Lang
	f := web.NewForm(url.Values{"lang": {lang}, "timezone": {"Asia/Jakarta"}})
	return h.pages.Render(w, r, http.StatusOK, "setup.html", "auth.setup.title", setupData{Token: token, Zones: i18n.Zones}, f)
}

func (h *Handlers) setup(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	token := f.Get("token")
	f.Required("organisation", "name", "email", "lang", "timezone")
	f.MaxLength("organisation", 120)
	f.MaxLength("name", 120)
	f.Email("email")
	checkNewPassword(f, "password", "password2")
	if i18n.Supported(f.Get("lang")) == "" {
		f.Fail("lang", "form.choose")
	}
	if _, err := i18n.LoadZone(f.Get("timezone")); err != nil {
		f.Fail("timezone", "auth.error.timezone")
	}
	data := setupData{Token: token, Zones: i18n.Zones}
	if !f.Valid() {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "setup.html", "auth.setup.title", data, f)
	}
	u, ws, err := h.s.Setup(r.Context(), token, SetupInput{
		Name: f.Get("name"), Email: f.Get("email"), Password: f.Raw("password"),
		Organisation: f.Get("organisation"), Lang: f.Get("lang"), Timezone: f.Get("timezone"),
	}, clientIP(r))
	if err != nil {
		return err
	}
	if err := h.g.SignIn(r, u); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "auth.setup.done")
	return web.Redirect(w, r, "/w/"+ws.Slug)
}

func checkNewPassword(f *web.Form, field, repeat string) {
	pw := f.Raw(field)
	switch {
	case pw == "":
		f.Fail(field, "form.required")
	case len([]rune(pw)) < MinPasswordLength:
		f.Fail(field, "auth.error.weak_password")
	case repeat != "" && pw != f.Raw(repeat):
		f.Fail(repeat, "auth.error.password_mismatch")
	}
}

type loginData struct {
	Next    string
	SSOName string
}

func (h *Handlers) loginData(r *http.Request, next string) loginData {
	d := loginData{Next: safeNext(next)}
	if h.sso != nil {
		d.SSOName = h.sso.Name
	}
	return d
}

func (h *Handlers) loginForm(w http.ResponseWriter, r *http.Request) error {
	if p := web.PrincipalOf(r); p != nil {
		return web.Redirect(w, r, "/")
	}
	return h.pages.Render(w, r, http.StatusOK, "login.html", "auth.login.title", h.loginData(r, r.URL.Query().Get("next")), nil)
}

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	f.Required("email")
	if f.Raw("password") == "" {
		f.Fail("password", "form.required")
	}
	data := h.loginData(r, f.Get("next"))
	if f.Valid() {
		u, err := h.s.Authenticate(r.Context(), f.Get("email"), f.Raw("password"), clientIP(r))
		var we *web.Error
		switch {
		case err == nil:
			if err := h.g.SignIn(r, u); err != nil {
				return err
			}
			if data.Next != "" {
				return web.Redirect(w, r, data.Next)
			}
			return web.Redirect(w, r, "/")
		case errors.As(err, &we):
			f.Fail("password", we.Key)
			f.Values.Del("password")
			return h.pages.Render(w, r, we.Status, "login.html", "auth.login.title", data, f)
		default:
			return err
		}
	}
	return h.pages.Render(w, r, http.StatusUnprocessableEntity, "login.html", "auth.login.title", data, f)
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.g.SignOut(r); err != nil {
		return err
	}
	return web.Redirect(w, r, "/login")
}

func (h *Handlers) forgotForm(w http.ResponseWriter, r *http.Request) error {
	return h.pages.Render(w, r, http.StatusOK, "forgot.html", "auth.forgot.title", false, nil)
}

// forgotAnswerTime is how long /forgot takes whatever the address: answering faster for unknown
// addresses would tell who has an account.
const forgotAnswerTime = 150 * time.Millisecond

func (h *Handlers) forgot(w http.ResponseWriter, r *http.Request) error {
	defer sleepUntil(time.Now().Add(forgotAnswerTime))
	f := web.ParseForm(r)
	f.Required("email")
	f.Email("email")
	if !f.Valid() {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "forgot.html", "auth.forgot.title", false, f)
	}
	if err := h.s.RequestReset(r.Context(), f.Get("email"), web.LocaleOf(r).Lang, clientIP(r)); err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "forgot.html", "auth.forgot.title", true, f)
}

func (h *Handlers) resetForm(w http.ResponseWriter, r *http.Request) error {
	if err := h.s.CheckResetLink(r.Context(), r.PathValue("token")); err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "reset.html", "auth.reset.title", nil, nil)
}

func (h *Handlers) reset(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	checkNewPassword(f, "password", "password2")
	if !f.Valid() {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "reset.html", "auth.reset.title", nil, f)
	}
	u, err := h.s.ResetPassword(r.Context(), r.PathValue("token"), f.Raw("password"), clientIP(r))
	if err != nil {
		return err
	}
	if err := h.g.SignIn(r, u); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "auth.reset.done")
	return web.Redirect(w, r, "/")
}

func (h *Handlers) inviteForm(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.s.LookupInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "invite.html", "auth.invite.title", h.inviteData(r, inv), nil)
}

type inviteData struct {
	*InvitationView
	SignedInAs string
}

func (h *Handlers) inviteData(r *http.Request, inv *InvitationView) inviteData {
	d := inviteData{InvitationView: inv}
	if p := web.PrincipalOf(r); p != nil {
		d.SignedInAs = p.Email
	}
	return d
}

func (h *Handlers) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	inv, err := h.s.LookupInvitation(r.Context(), token)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	var signedIn int64
	if p := web.PrincipalOf(r); p != nil && p.Email == inv.Email {
		signedIn = p.UserID
	}
	switch {
	case signedIn != 0:
	case inv.HasAccount:
		if f.Raw("password") == "" {
			f.Fail("password", "form.required")
		}
	default:
		f.Required("name")
		f.MaxLength("name", 120)
		checkNewPassword(f, "password", "password2")
	}
	data := h.inviteData(r, inv)
	if !f.Valid() {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "invite.html", "auth.invite.title", data, f)
	}
	u, ws, err := h.s.AcceptInvitation(r.Context(), token, f.Get("name"), f.Raw("password"), signedIn, web.LocaleOf(r).Lang, clientIP(r))
	if errors.Is(err, ErrBadCredentials) {
		f.Fail("password", ErrBadCredentials.Key)
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "invite.html", "auth.invite.title", data, f)
	}
	if err != nil {
		return err
	}
	if signedIn == 0 {
		if err := h.g.SignIn(r, u); err != nil {
			return err
		}
	}
	h.srv.AddFlash(r, "ok", "auth.invite.joined")
	return web.Redirect(w, r, "/w/"+ws.Slug)
}

// language switches the interface language: for a user it is saved on their account, for a
// visitor in a cookie.
func (h *Handlers) language(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	lang := i18n.Supported(f.Get("lang"))
	if lang == "" {
		return web.ErrBadRequest
	}
	if p := web.PrincipalOf(r); p != nil {
		if err := h.s.SetLanguage(r.Context(), p.UserID, lang); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: web.LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(h.s.baseURL, "https://")})
	next := safeNext(f.Get("next"))
	if next == "" {
		next = "/"
	}
	return web.Redirect(w, r, next)
}

func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

// safeNext accepts only a path on this site, so a link cannot send users elsewhere after sign-in.
// Browsers drop tabs and newlines and read "\\" as "/", so any of those makes it refused too.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return next
}

func (h *Handlers) account(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.NewForm(url.Values{"name": {p.Name}, "lang": {p.Lang}})
	return h.pages.Render(w, r, http.StatusOK, "account.html", "auth.account.title", nil, f)
}

func (h *Handlers) saveAccount(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	f.Required("name")
	f.MaxLength("name", 120)
	lang := f.Get("lang")
	if lang != "" && i18n.Supported(lang) == "" {
		f.Fail("lang", "form.choose")
	}
	if !f.Valid() {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "account.html", "auth.account.title", nil, f)
	}
	if err := h.s.UpdateProfile(r.Context(), ActorOf(r), p, f.Get("name"), lang); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, "/account")
}

func (h *Handlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	checkNewPassword(f, "password", "password2")
	u, err := h.s.UserByEmail(r.Context(), p.Email)
	if err != nil {
		return err
	}
	if u.passwordHash != "" && !CheckPassword(u.passwordHash, f.Raw("current")) {
		f.Fail("current", "auth.error.current_password")
	}
	if !f.Valid() {
		f.Values.Set("name", p.Name)
		f.Values.Set("lang", p.Lang)
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "account.html", "auth.account.title", nil, f)
	}
	u, err = h.s.SetPassword(r.Context(), ActorOf(r), p.UserID, f.Raw("password"))
	if err != nil {
		return err
	}
	// Other sessions end; this one carries on with the new version.
	if err := h.g.SignIn(r, u); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "auth.account.password_changed")
	return web.Redirect(w, r, "/account")
}

func (h *Handlers) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	if err := h.s.SignOutEverywhere(r.Context(), ActorOf(r), web.PrincipalOf(r).UserID); err != nil {
		return err
	}
	_ = h.g.SignOut(r)
	return web.Redirect(w, r, "/login")
}

// Settings pages.

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) error {
	return h.pages.Render(w, r, http.StatusOK, "settings.html", "settings.title", nil, nil)
}

func (h *Handlers) currentWorkspace(r *http.Request) (*Workspace, error) {
	return h.s.Workspace(r.Context(), web.PrincipalOf(r).WorkspaceSlug)
}

func (h *Handlers) workspaceForm(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.currentWorkspace(r)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"name": {ws.Name}, "lang": {ws.Lang}, "timezone": {ws.Timezone}})
	return h.pages.Render(w, r, http.StatusOK, "workspace.html", "settings.workspace", setupData{Zones: i18n.Zones}, f)
}

func (h *Handlers) saveWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.currentWorkspace(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	f.Required("name", "lang", "timezone")
	f.MaxLength("name", 120)
	if i18n.Supported(f.Get("lang")) == "" {
		f.Fail("lang", "form.choose")
	}
	if _, err := i18n.LoadZone(f.Get("timezone")); err != nil {
		f.Fail("timezone", "auth.error.timezone")
	}
	if !f.Valid() {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "workspace.html", "settings.workspace", setupData{Zones: i18n.Zones}, f)
	}
	if err := h.s.UpdateWorkspace(r.Context(), ActorOf(r), ws, f.Get("name"), f.Get("lang"), f.Get("timezone")); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/settings/workspace"))
}

type membersData struct {
	Members     []Member
	Invitations []Invitation
	Roles       []access.Role
	Me          int64
}

func (h *Handlers) members(w http.ResponseWriter, r *http.Request) error {
	return h.renderMembers(w, r, http.StatusOK, web.NewForm(url.Values{"role": {string(access.Editor)}}))
}

func (h *Handlers) renderMembers(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	p := web.PrincipalOf(r)
	m, inv, err := h.s.Members(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	var roles []access.Role
	for _, role := range access.Roles {
		if p.Role.Outranks(role) {
			roles = append(roles, role)
		}
	}
	return h.pages.Render(w, r, status, "members.html", "settings.members", membersData{Members: m, Invitations: inv, Roles: roles, Me: p.UserID}, f)
}

func (h *Handlers) invite(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	f.Required("email", "role")
	f.Email("email")
	if !f.Valid() {
		return h.renderMembers(w, r, http.StatusUnprocessableEntity, f)
	}
	ws, err := h.currentWorkspace(r)
	if err != nil {
		return err
	}
	lang := f.Get("lang")
	if i18n.Supported(lang) == "" {
		lang = ws.Lang
	}
	err = h.s.Invite(r.Context(), ActorOf(r), p.Role, ws, f.Get("email"), access.Role(f.Get("role")), lang)
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 {
		f.Fail("email", we.Key)
		return h.renderMembers(w, r, we.Status, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "auth.members.invited")
	return web.Redirect(w, r, web.WorkspacePath(r, "/settings/members"))
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

func (h *Handlers) memberAction(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, p *web.Principal, userID int64) error) error {
	p := web.PrincipalOf(r)
	userID, err := pathID(r, "user")
	if err != nil {
		return err
	}
	err = do(r.Context(), p, userID)
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 {
		h.srv.AddFlash(r, "error", we.Key)
	} else if err != nil {
		return err
	} else {
		h.srv.AddFlash(r, "ok", "form.saved")
	}
	return web.Redirect(w, r, web.WorkspacePath(r, "/settings/members"))
}

func (h *Handlers) changeRole(w http.ResponseWriter, r *http.Request) error {
	role := access.Role(web.ParseForm(r).Get("role"))
	return h.memberAction(w, r, func(ctx context.Context, p *web.Principal, userID int64) error {
		return h.s.ChangeRole(ctx, ActorOf(r), p.Role, p.WorkspaceID, userID, role)
	})
}

func (h *Handlers) removeMember(w http.ResponseWriter, r *http.Request) error {
	return h.memberAction(w, r, func(ctx context.Context, p *web.Principal, userID int64) error {
		return h.s.RemoveMember(ctx, ActorOf(r), p.Role, p.WorkspaceID, userID)
	})
}

func (h *Handlers) revokeInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.RevokeInvitation(r.Context(), ActorOf(r), web.PrincipalOf(r).WorkspaceID, id); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "auth.members.invitation_revoked")
	return web.Redirect(w, r, web.WorkspacePath(r, "/settings/members"))
}

type tokensData struct {
	Tokens   []Token
	Roles    []access.Role
	NewToken string
	All      bool
	BaseURL  string
}

// tokenScope is whose tokens a member sees and may revoke: admins every member's, others their own.
func tokenScope(p *web.Principal) int64 {
	if p.Can(access.MembersManage) {
		return 0
	}
	return p.UserID
}

func (h *Handlers) tokens(w http.ResponseWriter, r *http.Request) error {
	return h.renderTokens(w, r, http.StatusOK, "", web.NewForm(nil))
}

func (h *Handlers) renderTokens(w http.ResponseWriter, r *http.Request, status int, secret string, f *web.Form) error {
	p := web.PrincipalOf(r)
	list, err := h.s.Tokens(r.Context(), p.WorkspaceID, tokenScope(p))
	if err != nil {
		return err
	}
	var roles []access.Role
	for _, role := range access.Roles {
		if p.Role.Outranks(role) {
			roles = append(roles, role)
		}
	}
	if f.Get("role") == "" {
		f.Values.Set("role", string(p.Role))
	}
	return h.pages.Render(w, r, status, "tokens.html", "settings.tokens", tokensData{Tokens: list, Roles: roles, NewToken: secret, All: tokenScope(p) == 0, BaseURL: h.s.baseURL}, f)
}

func (h *Handlers) createToken(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	f.Required("name")
	f.MaxLength("name", 80)
	if !f.Valid() {
		return h.renderTokens(w, r, http.StatusUnprocessableEntity, "", f)
	}
	secret, _, err := h.s.CreateToken(r.Context(), ActorOf(r), p.WorkspaceID, p.UserID, f.Get("name"), access.Role(f.Get("role")))
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 {
		f.Fail("role", we.Key)
		return h.renderTokens(w, r, we.Status, "", f)
	}
	if err != nil {
		return err
	}
	// The secret is shown on this response only, never again.
	return h.renderTokens(w, r, http.StatusOK, secret, web.NewForm(nil))
}

func (h *Handlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.RevokeToken(r.Context(), ActorOf(r), p.WorkspaceID, id, tokenScope(p)); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "auth.tokens.revoked")
	return web.Redirect(w, r, web.WorkspacePath(r, "/settings/tokens"))
}

type auditData struct {
	Entries []audit.Entry
	Next    int64
	Filter  audit.Filter
	CSV     string
}

const auditPageSize = 50

func auditFilter(r *http.Request) audit.Filter {
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	return audit.Filter{Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")), Before: before}
}

// auditScope is the workspace whose log a page shows, or 0 with the installation's pages.
func auditScope(r *http.Request) (int64, string, string) {
	p := web.PrincipalOf(r)
	if p.WorkspaceID == 0 {
		return 0, "/admin/audit.csv", "installation"
	}
	return p.WorkspaceID, web.WorkspacePath(r, "/settings/audit.csv"), p.WorkspaceSlug
}

func (h *Handlers) auditLog(w http.ResponseWriter, r *http.Request) error {
	wsID, csvPath, _ := auditScope(r)
	f := auditFilter(r)
	f.Limit = auditPageSize + 1
	entries, err := audit.List(r.Context(), h.s.d, wsID, f)
	if err != nil {
		return err
	}
	d := auditData{Entries: entries, Filter: f}
	if len(entries) > auditPageSize {
		d.Entries = entries[:auditPageSize]
		d.Next = d.Entries[auditPageSize-1].ID
	}
	q := url.Values{"action": {f.Action}, "actor": {f.Actor}}
	d.CSV = csvPath + "?" + q.Encode()
	return h.pages.Render(w, r, http.StatusOK, "audit.html", "settings.audit", d, nil)
}

func (h *Handlers) auditCSV(w http.ResponseWriter, r *http.Request) error {
	wsID, _, name := auditScope(r)
	f := auditFilter(r)
	f.Before = 0
	entries, err := audit.List(r.Context(), h.s.d, wsID, f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+name+`.csv"`)
	return audit.WriteCSV(w, entries)
}

type workspacesData struct {
	Workspaces []WorkspaceSummary
	Zones      []string
}

func (h *Handlers) workspaces(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.NewForm(url.Values{"lang": {web.LocaleOf(r).Lang}, "timezone": {"Asia/Jakarta"}, "owner": {p.Email}})
	return h.renderWorkspaces(w, r, http.StatusOK, f)
}

func (h *Handlers) renderWorkspaces(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	list, err := h.s.Workspaces(r.Context())
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, status, "workspaces.html", "settings.workspaces", workspacesData{Workspaces: list, Zones: i18n.Zones}, f)
}

func (h *Handlers) createWorkspace(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	f.Required("name", "lang", "timezone", "owner")
	f.MaxLength("name", 120)
	f.Email("owner")
	if i18n.Supported(f.Get("lang")) == "" {
		f.Fail("lang", "form.choose")
	}
	if _, err := i18n.LoadZone(f.Get("timezone")); err != nil {
		f.Fail("timezone", "auth.error.timezone")
	}
	var owner *User
	if f.Valid() {
		var err error
		if owner, err = h.s.UserByEmail(r.Context(), f.Get("owner")); errors.Is(err, db.ErrNotFound) {
			f.Fail("owner", "auth.error.no_such_user")
		} else if err != nil {
			return err
		}
	}
	if !f.Valid() {
		return h.renderWorkspaces(w, r, http.StatusUnprocessableEntity, f)
	}
	ws, err := h.s.CreateWorkspace(r.Context(), ActorOf(r), f.Get("name"), f.Get("lang"), f.Get("timezone"), owner.ID)
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "auth.workspaces.created")
	if owner.ID == web.PrincipalOf(r).UserID {
		return web.Redirect(w, r, "/w/"+ws.Slug)
	}
	return web.Redirect(w, r, "/admin/workspaces")
}
