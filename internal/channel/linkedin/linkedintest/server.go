// Package linkedintest is a contract server for LinkedIn on loopback: OAuth 2.0 (the authorize
// step approves at once), OpenID userinfo and /v2/me, and the versioned REST APIs Warta uses —
// organization ACLs and organizations, Images, Documents and Videos uploads, Posts with
// LinkedIn's "little" commentary, comments and social actions — with the LinkedIn-Version and
// X-Restli-Protocol-Version headers required, scopes enforced and LinkedIn's error bodies.
package linkedintest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
)

const (
	accessLife  = 60 * 24 * time.Hour  // expires_in 5184000: 60 days
	refreshLife = 365 * 24 * time.Hour // refresh_token_expires_in for approved partners
	codeLife    = 30 * time.Minute     // an authorization code lives 30 minutes
)

// Versions the server accepts in LinkedIn-Version: the twelve months LinkedIn supported in
// November 2026 (each monthly version lives at least a year).
const oldestVersion, newestVersion = 202512, 202611

// scopes the registered app has: Share on LinkedIn, Sign In with OpenID Connect and the
// Community Management API. LinkedIn knows others (r_member_social is restricted), which an app
// without them is refused with unauthorized_scope_error.
var appScopes = map[string]bool{
	"openid": true, "profile": true, "email": true, "w_member_social": true, "r_basicprofile": true,
	"w_organization_social": true, "r_organization_social": true, "rw_organization_admin": true,
}

// Server is the contract server.
type Server struct {
	channeltest.Recorder
	srv *httptest.Server

	mu        sync.Mutex
	clientID  string
	secret    string
	codes     map[string]*grant
	access    map[string]*token
	refresh   map[string]*token
	refreshOn bool
	members   map[string]*member // by sub
	vanities  map[string]*member
	approver  *member
	orgs      map[string]*org // by ID
	assets    map[string]*asset
	posts     map[string]*post
	byAuthor  map[string][]*post
	nextID    int64
	// commentFailures are scripted failures of the next comments (FailNextComment); FailNext
	// scripts posts only.
	commentFailures []channeltest.Failure
}

type member struct {
	sub, first, last, vanity string
	roles                    map[string]string // organization ID → role
}

func (m *member) urn() string { return "urn:li:person:" + m.sub }

type org struct{ id, name, vanity string }

type grant struct {
	redirect string
	scopes   map[string]bool
	member   *member
	expires  time.Time
}

type token struct {
	value   string
	member  *member
	scopes  map[string]bool
	expires time.Time
}

// New starts a server with one app (ConnectValues) and one member who approves every
// authorization (see ApproveAs): Dewi Lestari, super admin of the Page of Pemerintah Kabupaten
// Sukamaju, content admin of Dinas Kominfo Sukamaju and analyst (who may not post) of a third.
func New() *Server {
	s := &Server{
		clientID: "86wartali0client", secret: random(), codes: map[string]*grant{},
		access: map[string]*token{}, refresh: map[string]*token{}, members: map[string]*member{},
		vanities: map[string]*member{}, orgs: map[string]*org{}, assets: map[string]*asset{},
		posts: map[string]*post{}, byAuthor: map[string][]*post{}, nextID: 7262000000000000000,
	}
	s.ApproveAs("Dewi", "Lestari", "dewi-lestari")
	s.AddOrganization("Pemerintah Kabupaten Sukamaju", "pemkab-sukamaju", "ADMINISTRATOR")
	s.AddOrganization("Dinas Kominfo Sukamaju", "kominfo-sukamaju", "CONTENT_ADMINISTRATOR")
	s.AddOrganization("Koperasi Warga Sukamaju", "koperasi-sukamaju", "ANALYST")

	rest := http.NewServeMux()
	rest.HandleFunc("GET /rest/organizationAcls", s.organizationAcls)
	rest.HandleFunc("GET /rest/organizations/{id}", s.organization)
	rest.HandleFunc("POST /rest/images", s.initializeUpload("image"))
	rest.HandleFunc("POST /rest/documents", s.initializeUpload("document"))
	rest.HandleFunc("POST /rest/videos", s.videos)
	rest.HandleFunc("GET /rest/images/{urn}", s.assetStatus)
	rest.HandleFunc("GET /rest/documents/{urn}", s.assetStatus)
	rest.HandleFunc("GET /rest/videos/{urn}", s.assetStatus)
	rest.HandleFunc("POST /rest/posts", s.createPost)
	rest.HandleFunc("GET /rest/posts", s.findPosts)
	rest.HandleFunc("POST /rest/socialActions/{urn}/comments", s.createComment)
	rest.HandleFunc("GET /rest/socialActions/{urn}", s.socialActions)
	rest.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not Found")
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/v2/authorization", s.authorize)
	mux.HandleFunc("POST /oauth/v2/accessToken", s.token)
	mux.HandleFunc("GET /v2/userinfo", s.userinfo)
	mux.HandleFunc("GET /v2/me", s.me)
	mux.HandleFunc("PUT /dms-uploads/{id}", s.upload)
	mux.HandleFunc("PUT /dms-uploads/{id}/{part}", s.upload)
	mux.Handle("/rest/", versioned(rest))
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the base URL to use as Env.Endpoint.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// ConnectValues are the client ID and secret of the app registered here; add
// "organizations": "yes" to connect the member's Pages too.
func (s *Server) ConnectValues() map[string]string {
	return map[string]string{"client_id": s.clientID, "client_secret": s.secret}
}

// ApproveAs makes this member (created when new, found by vanity name) approve the next
// authorizations, as when someone else signs in to LinkedIn in the browser.
func (s *Server) ApproveAs(first, last, vanity string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.approver = s.memberLocked(first, last, vanity)
}

func (s *Server) memberLocked(first, last, vanity string) *member {
	if m := s.vanities[vanity]; m != nil {
		return m
	}
	m := &member{sub: strings.ReplaceAll(random()[:10], "-", "x"), first: first, last: last, vanity: vanity, roles: map[string]string{}}
	s.members[m.sub], s.vanities[vanity] = m, m
	return m
}

// AddOrganization creates a Page where the approving member has role (ADMINISTRATOR,
// CONTENT_ADMINISTRATOR, ANALYST…) and returns its URN.
func (s *Server) AddOrganization(name, vanity, role string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &org{id: strconv.Itoa(2414183 + len(s.orgs)*7919), name: name, vanity: vanity}
	s.orgs[o.id] = o
	s.approver.roles[o.id] = role
	return "urn:li:organization:" + o.id
}

// EnableRefreshTokens makes the token endpoint give refresh tokens, as LinkedIn does for apps
// approved for programmatic refresh.
func (s *Server) EnableRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshOn = true
}

// Accounts creates n members with tokens at once, for benchmarks: member accounts as Finish
// returns them.
func (s *Server) Accounts(n int) []channel.Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]channel.Account, n)
	scopes := map[string]bool{"openid": true, "profile": true, "w_member_social": true}
	for i := range out {
		m := s.memberLocked("Benchmark", strconv.Itoa(i+1), "bench-"+s.id())
		t := &token{value: random(), member: m, scopes: scopes, expires: time.Now().Add(accessLife)}
		s.access[t.value] = t
		out[i] = channel.Account{Network: channel.LinkedIn, Kind: "member", RemoteID: m.urn(), Handle: m.first + " " + m.last,
			Name: m.first + " " + m.last, Secret: channel.Secret{AccessToken: t.value, Expiry: t.expires,
				App: &channel.App{ClientID: s.clientID, ClientSecret: s.secret}}}
	}
	return out
}

// Revoke invalidates every token issued so far, as a member removing the app.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
	clear(s.refresh)
}

// ExpireTokens makes every access token issued so far expired; refresh tokens stay valid.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.access {
		t.expires = time.Now().Add(-time.Second)
	}
}

// id returns a new numeric ID; the caller holds mu.
func (s *Server) id() string {
	s.nextID += 1031
	return strconv.FormatInt(s.nextID, 10)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError is LinkedIn's error body.
func apiError(w http.ResponseWriter, status, service int, code, message string) {
	writeJSON(w, status, map[string]any{"status": status, "serviceErrorCode": service, "code": code, "message": message})
}

// denied is LinkedIn's answer to a call the token's scopes or the member's roles do not allow.
func denied(w http.ResponseWriter, resource string) {
	apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", fmt.Sprintf("Not enough permissions to access: %s.20260801", resource))
}

// versioned refuses /rest calls without a supported LinkedIn-Version or without Rest.li 2.0.
func versioned(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.Header.Get("LinkedIn-Version")
		if v == "" {
			apiError(w, http.StatusBadRequest, 0, "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header.")
			return
		}
		if n, err := strconv.Atoi(v); err != nil || len(v) != 6 || n < oldestVersion || n > newestVersion {
			apiError(w, http.StatusUpgradeRequired, 0, "NONEXISTENT_VERSION", "Requested version "+v+" is not active")
			return
		}
		if r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
			apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Rest.li protocol 2.0.0 is required: set the X-Restli-Protocol-Version header to 2.0.0.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorize approves at once: it checks the client, the redirect URI and the scopes, then
// redirects back with code and state; a scope the app lacks comes back as an error.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("response_type") != "code":
		http.Error(w, "invalid response_type", http.StatusBadRequest)
		return
	case q.Get("client_id") != s.clientID:
		http.Error(w, "The passed in client_id is invalid", http.StatusBadRequest)
		return
	case err != nil || !redirect.IsAbs():
		http.Error(w, "The redirect_uri does not match the registered value", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	scopes := map[string]bool{}
	for _, sc := range strings.Fields(strings.ReplaceAll(q.Get("scope"), ",", " ")) {
		if !appScopes[sc] {
			back.Set("error", "unauthorized_scope_error")
			back.Set("error_description", fmt.Sprintf("Scope %q is not authorized for your application", sc))
			redirect.RawQuery = back.Encode()
			http.Redirect(w, r, redirect.String(), http.StatusFound)
			return
		}
		scopes[sc] = true
	}
	s.mu.Lock()
	code := random()
	s.codes[code] = &grant{redirect: q.Get("redirect_uri"), scopes: scopes, member: s.approver, expires: time.Now().Add(codeLife)}
	s.mu.Unlock()
	back.Set("code", code)
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// token is POST /oauth/v2/accessToken with the client's credentials in the form.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "A required parameter \"grant_type\" is missing")
		return
	}
	f := r.PostForm
	if f.Get("client_id") != s.clientID || f.Get("client_secret") != s.secret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var m *member
	var scopes map[string]bool
	switch f.Get("grant_type") {
	case "authorization_code":
		g := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code"))
		if g == nil || time.Now().After(g.expires) || g.redirect != f.Get("redirect_uri") {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists")
			return
		}
		m, scopes = g.member, g.scopes
	case "refresh_token":
		old := s.refresh[f.Get("refresh_token")]
		if old == nil || time.Now().After(old.expires) {
			oauthError(w, http.StatusBadRequest, "invalid_request", "The provided authorization grant or refresh token is invalid, expired or revoked.")
			return
		}
		m, scopes = old.member, old.scopes
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant_type is not supported")
		return
	}
	at := &token{value: random(), member: m, scopes: scopes, expires: time.Now().Add(accessLife)}
	s.access[at.value] = at
	names := make([]string, 0, len(scopes))
	for sc := range scopes {
		names = append(names, sc)
	}
	out := map[string]any{"access_token": at.value, "expires_in": int(accessLife.Seconds()), "scope": strings.Join(names, ","), "token_type": "Bearer"}
	if s.refreshOn {
		// LinkedIn keeps the refresh token: a refresh renews the access token only.
		rt := s.refresh[f.Get("refresh_token")]
		if rt == nil {
			rt = &token{value: random(), member: m, scopes: scopes, expires: time.Now().Add(refreshLife)}
			s.refresh[rt.value] = rt
		}
		out["refresh_token"] = rt.value
		out["refresh_token_expires_in"] = int(time.Until(rt.expires).Seconds())
	}
	writeJSON(w, http.StatusOK, out)
}

// auth checks the bearer token; the caller holds mu.
func (s *Server) auth(w http.ResponseWriter, r *http.Request) *token {
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	t := s.access[bearer]
	switch {
	case !ok || t == nil:
		apiError(w, http.StatusUnauthorized, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
		return nil
	case time.Now().After(t.expires):
		apiError(w, http.StatusUnauthorized, 65601, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
		return nil
	}
	return t
}

func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	if !t.scopes["openid"] || !t.scopes["profile"] {
		denied(w, "userinfo.GET")
		return
	}
	m := t.member
	writeJSON(w, http.StatusOK, map[string]any{"sub": m.sub, "name": m.first + " " + m.last, "given_name": m.first,
		"family_name": m.last, "locale": map[string]string{"country": "ID", "language": "id"}})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	if !t.scopes["r_basicprofile"] {
		denied(w, "me.GET.NO_VERSION")
		return
	}
	m := t.member
	writeJSON(w, http.StatusOK, map[string]any{"id": m.sub, "localizedFirstName": m.first, "localizedLastName": m.last, "vanityName": m.vanity})
}

// mayPost reports whether the token may act as author: the member itself with
// w_member_social, or a Page where the member is an administrator or content administrator,
// with w_organization_social.
func mayPost(t *token, author string) bool {
	if author == t.member.urn() {
		return t.scopes["w_member_social"]
	}
	id, ok := strings.CutPrefix(author, "urn:li:organization:")
	role := t.member.roles[id]
	return ok && t.scopes["w_organization_social"] && (role == "ADMINISTRATOR" || role == "CONTENT_ADMINISTRATOR")
}

// mayRead reports whether the token may read a Page's posts and social actions.
func mayRead(t *token, author string) bool {
	id, ok := strings.CutPrefix(author, "urn:li:organization:")
	return ok && t.scopes["r_organization_social"] && t.member.roles[id] != ""
}

func (s *Server) organizationAcls(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	q := r.URL.Query()
	if q.Get("q") != "roleAssignee" {
		apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Invalid query parameter: q")
		return
	}
	if !t.scopes["rw_organization_admin"] && !t.scopes["r_organization_admin"] {
		denied(w, "organizationAcls.FINDER-roleAssignee")
		return
	}
	elements := []map[string]string{}
	for id, role := range t.member.roles {
		if (q.Get("role") == "" || q.Get("role") == role) && (q.Get("state") == "" || q.Get("state") == "APPROVED") {
			elements = append(elements, map[string]string{"roleAssignee": t.member.urn(), "state": "APPROVED",
				"role": role, "organization": "urn:li:organization:" + id})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"elements": elements, "paging": map[string]any{"count": len(elements), "start": 0, "links": []any{}}})
}

func (s *Server) organization(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	if !t.scopes["rw_organization_admin"] && !t.scopes["r_organization_admin"] {
		denied(w, "organizations.GET")
		return
	}
	o := s.orgs[r.PathValue("id")]
	if o == nil {
		apiError(w, http.StatusNotFound, 0, "NOT_FOUND", "Organization "+r.PathValue("id")+" not found")
		return
	}
	id, _ := strconv.Atoi(o.id)
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "localizedName": o.name, "vanityName": o.vanity,
		"$URN": "urn:li:organization:" + o.id})
}
