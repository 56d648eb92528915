// Package xtest is a contract server for X's API v2 on loopback: OAuth 2.0 with PKCE (the
// authorize step approves at once), rotating refresh tokens, media upload v2 (one-shot and
// chunked, with processing that needs STATUS polls), alt text, posts and replies, timelines,
// public metrics, rate-limit headers and X's own error bodies.
package xtest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
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

// Scopes X knows (docs.x.com OAuth 2.0 "Scopes"); the authorize step refuses others.
var knownScopes = map[string]bool{
	"tweet.read": true, "tweet.write": true, "tweet.moderate.write": true, "users.read": true,
	"follows.read": true, "follows.write": true, "offline.access": true, "space.read": true,
	"mute.read": true, "mute.write": true, "like.read": true, "like.write": true, "list.read": true,
	"list.write": true, "block.read": true, "block.write": true, "bookmark.read": true,
	"bookmark.write": true, "media.write": true,
}

const (
	accessLife = 2 * time.Hour    // expires_in 7200
	codeLife   = 30 * time.Second // an authorization code is valid 30 seconds
	window     = 15 * time.Minute // X's rate-limit window
)

// Server is the contract server. Its zero rate limit is generous; SetLimit makes it strict.
type Server struct {
	channeltest.Recorder
	srv *httptest.Server

	mu       sync.Mutex
	clients  map[string]string // client ID → secret ("" for a public client)
	codes    map[string]*grant
	access   map[string]*token
	refresh  map[string]*token
	users    map[string]*user // by ID
	names    map[string]*user // by username
	approver string
	media    map[string]*upload
	tweets   map[string]*tweet
	windows  map[string]*quota
	limit    int
	polls    int
	nextID   int64

	clientID, secret, publicID string
}

type user struct {
	ID, Username, Name string
	timeline           []*tweet // oldest first
	texts              map[string]bool
}

type grant struct {
	client, redirect, challenge, method string
	scopes                              map[string]bool
	user                                *user
	expires                             time.Time
}

type token struct {
	value   string
	client  string
	user    *user
	scopes  map[string]bool
	expires time.Time
}

type quota struct {
	reset time.Time
	used  int
}

// New starts a server with one confidential client (ConnectValues), one public client
// (PublicClientID) and one user who approves every authorization (see ApproveAs).
func New() *Server {
	s := &Server{
		clients: map[string]string{}, codes: map[string]*grant{}, access: map[string]*token{},
		refresh: map[string]*token{}, users: map[string]*user{}, names: map[string]*user{},
		media: map[string]*upload{}, tweets: map[string]*tweet{}, windows: map[string]*quota{},
		limit: 100000, polls: 2, nextID: 1862000000000000000,
	}
	s.clientID, s.secret, s.publicID = "d2FydGEtY29uZmlkZW50aWFs", random(), "d2FydGEtcHVibGlj"
	s.clients[s.clientID] = s.secret
	s.clients[s.publicID] = ""
	s.ApproveAs("humas_sukamaju", "Humas Kabupaten Sukamaju")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /i/oauth2/authorize", s.authorize)
	mux.HandleFunc("POST /2/oauth2/token", s.token)
	mux.HandleFunc("GET /2/users/me", s.me)
	mux.HandleFunc("GET /2/users/{id}/tweets", s.userTweets)
	mux.HandleFunc("POST /2/tweets", s.createTweet)
	mux.HandleFunc("GET /2/tweets", s.lookupTweets)
	mux.HandleFunc("POST /2/media/upload", s.uploadOneShot)
	mux.HandleFunc("GET /2/media/upload", s.uploadStatus)
	mux.HandleFunc("POST /2/media/upload/initialize", s.uploadInit)
	mux.HandleFunc("POST /2/media/upload/{id}/append", s.uploadAppend)
	mux.HandleFunc("POST /2/media/upload/{id}/finalize", s.uploadFinalize)
	mux.HandleFunc("POST /2/media/metadata", s.metadata)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []map[string]any{{"message": "Sorry, that page does not exist", "code": 34}}})
	})
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the base URL to use as Env.Endpoint.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// ConnectValues are the client ID and secret of the confidential client registered here.
func (s *Server) ConnectValues() map[string]string {
	return map[string]string{"client_id": s.clientID, "client_secret": s.secret}
}

// PublicClientID is a client registered as public (no secret), as a Native App is.
func (s *Server) PublicClientID() string { return s.publicID }

// ApproveAs makes the user with this username (created when new) approve the next
// authorizations, as when someone else signs in to X in the browser.
func (s *Server) ApproveAs(username, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.approver = s.userLocked(username, name).ID
}

func (s *Server) userLocked(username, name string) *user {
	if u := s.names[strings.ToLower(username)]; u != nil {
		return u
	}
	u := &user{ID: s.id(), Username: username, Name: name, texts: map[string]bool{}}
	s.users[u.ID], s.names[strings.ToLower(username)] = u, u
	return u
}

// Accounts creates n users with tokens at once, for benchmarks: connected accounts as Finish
// would return them.
func (s *Server) Accounts(n int) []channel.Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]channel.Account, n)
	scopes := map[string]bool{"tweet.read": true, "tweet.write": true, "users.read": true, "media.write": true, "offline.access": true}
	for i := range out {
		u := s.userLocked(fmt.Sprintf("bench_%s", s.id()), fmt.Sprintf("Benchmark %d", i+1))
		at, rt := s.issueLocked(s.clientID, u, scopes)
		out[i] = channel.Account{Network: channel.X, RemoteID: u.ID, Handle: "@" + u.Username, Name: u.Name,
			URL: "https://x.com/" + u.Username, Secret: channel.Secret{AccessToken: at.value, RefreshToken: rt.value,
				Expiry: at.expires, App: &channel.App{ClientID: s.clientID, ClientSecret: s.secret}}}
	}
	return out
}

// Revoke invalidates every token issued so far, as a user revoking the app in X's settings.
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

// SetLimit sets how many requests one user may make to one endpoint in a 15-minute window.
func (s *Server) SetLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = n
}

// SetProcessingPolls sets how many STATUS polls a video or GIF needs before it is ready.
func (s *Server) SetProcessingPolls(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls = n
}

// id returns a new snowflake-like ID; the caller holds mu.
func (s *Server) id() string {
	s.nextID += 4096
	return strconv.FormatInt(s.nextID, 10)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// problemJSON is X v2's error body (RFC 7807 problem details).
func problemJSON(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, map[string]any{"title": title, "detail": detail, "type": "about:blank", "status": status})
}

// invalid is X's answer to invalid parameters: 400 with the precise message in errors.
func invalid(w http.ResponseWriter, message string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"errors": []map[string]any{{"message": message}},
		"title":  "Invalid Request", "detail": "One or more parameters to your request was invalid.",
		"type": "https://api.twitter.com/2/problems/invalid-request",
	})
}

// authorize approves at once: it checks the client, the redirect URI, the scopes and the PKCE
// challenge, then redirects back with code and state.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(msg string) { http.Error(w, "Something went wrong: "+msg, http.StatusBadRequest) }
	if q.Get("response_type") != "code" {
		fail("response_type must be code")
		return
	}
	client := q.Get("client_id")
	if _, ok := s.clients[client]; !ok {
		fail("unknown client_id")
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() || (redirect.Scheme != "http" && redirect.Scheme != "https") {
		fail("redirect_uri must be an absolute http(s) URL")
		return
	}
	if q.Get("state") == "" {
		fail("state is required")
		return
	}
	scopes := map[string]bool{}
	for _, sc := range strings.Fields(q.Get("scope")) {
		if !knownScopes[sc] {
			fail("unknown scope " + sc)
			return
		}
		scopes[sc] = true
	}
	if len(scopes) == 0 {
		fail("scope is required")
		return
	}
	method := q.Get("code_challenge_method")
	if q.Get("code_challenge") == "" || (method != "S256" && method != "plain") {
		fail("code_challenge and code_challenge_method (S256 or plain) are required")
		return
	}
	code := random()
	s.codes[code] = &grant{client: client, redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
		method: method, scopes: scopes, user: s.users[s.approver], expires: time.Now().Add(codeLife)}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	back.Set("code", code)
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// token is POST /2/oauth2/token: a confidential client authenticates with HTTP Basic, a public
// one names itself in client_id; codes need the PKCE verifier; refresh tokens rotate.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter [grant_type].")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	client, ok := s.clientOf(r)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Missing valid authorization header")
		return
	}
	var u *user
	var scopes map[string]bool
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		g := s.codes[r.PostForm.Get("code")]
		delete(s.codes, r.PostForm.Get("code")) // a code is used once
		if g == nil || g.client != client || time.Now().After(g.expires) ||
			g.redirect != r.PostForm.Get("redirect_uri") || !verifies(g, r.PostForm.Get("code_verifier")) {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the authorization code was invalid.")
			return
		}
		u, scopes = g.user, g.scopes
	case "refresh_token":
		old := s.refresh[r.PostForm.Get("refresh_token")]
		if old == nil || old.client != client {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the token was invalid.")
			return
		}
		delete(s.refresh, old.value) // X rotates: the refresh token just used is dead
		u, scopes = old.user, old.scopes
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type.")
		return
	}
	at, rt := s.issueLocked(client, u, scopes)
	names := make([]string, 0, len(scopes))
	for sc := range scopes {
		names = append(names, sc)
	}
	out := map[string]any{"token_type": "bearer", "expires_in": int(accessLife.Seconds()), "access_token": at.value, "scope": strings.Join(names, " ")}
	if rt != nil {
		out["refresh_token"] = rt.value
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) clientOf(r *http.Request) (string, bool) {
	if id, secret, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		want, known := s.clients[id]
		return id, known && want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(secret)) == 1
	}
	id := r.PostForm.Get("client_id")
	secret, known := s.clients[id]
	return id, known && secret == "" // a confidential client must use Basic
}

func verifies(g *grant, verifier string) bool {
	if verifier == "" {
		return false
	}
	if g.method == "plain" {
		return verifier == g.challenge
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:]) == g.challenge
}

// issueLocked makes an access token, and a refresh token when offline.access was granted.
func (s *Server) issueLocked(client string, u *user, scopes map[string]bool) (*token, *token) {
	at := &token{value: random(), client: client, user: u, scopes: scopes, expires: time.Now().Add(accessLife)}
	s.access[at.value] = at
	if !scopes["offline.access"] {
		return at, nil
	}
	rt := &token{value: random(), client: client, user: u, scopes: scopes}
	s.refresh[rt.value] = rt
	return at, rt
}

// auth checks the bearer token and its scopes, and counts the request against the user's
// 15-minute window of this endpoint, answering X's rate-limit headers.
func (s *Server) auth(w http.ResponseWriter, r *http.Request, endpoint string, need ...string) (*user, bool) {
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.access[bearer]
	if !ok || t == nil || time.Now().After(t.expires) {
		problemJSON(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized")
		return nil, false
	}
	for _, sc := range need {
		if !t.scopes[sc] {
			problemJSON(w, http.StatusForbidden, "Forbidden", "You are not permitted to perform this action. Missing scope: "+sc)
			return nil, false
		}
	}
	key := t.user.ID + " " + endpoint
	q := s.windows[key]
	now := time.Now()
	if q == nil || now.After(q.reset) {
		q = &quota{reset: now.Add(window)}
		s.windows[key] = q
	}
	q.used++
	h := w.Header()
	h.Set("x-rate-limit-limit", strconv.Itoa(s.limit))
	h.Set("x-rate-limit-remaining", strconv.Itoa(max(s.limit-q.used, 0)))
	h.Set("x-rate-limit-reset", strconv.FormatInt(q.reset.Unix(), 10))
	if q.used > s.limit {
		problemJSON(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests")
		return nil, false
	}
	return t.user, true
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	u, ok := s.auth(w, r, "users/me", "users.read", "tweet.read")
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"id": u.ID, "name": u.Name, "username": u.Username}})
}
