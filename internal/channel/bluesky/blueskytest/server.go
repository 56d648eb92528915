// Package blueskytest is a contract server for the Bluesky connector: a PDS on loopback with one
// account, answering the XRPC calls Warta makes as the reference PDS (@atproto/pds) does, with
// its error names and messages, and checking what the PDS leaves to the AppView (facet ranges,
// reply targets), so that a record Bluesky would show wrongly fails here.
package blueskytest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"warta.dev/warta/internal/channel/channeltest"
)

// Token lifetimes of the reference PDS (account-manager/helpers/auth: access 120 minutes,
// refresh 90 days).
const (
	accessTTL  = 120 * time.Minute
	refreshTTL = 90 * 24 * time.Hour
)

// createSession limits per identifier (docs.bsky.app/docs/advanced-guides/rate-limits and
// @atproto/pds createSession: 30 per 5 minutes, 300 per day).
const (
	sessionsPer5Min = 30
	sessionsPerDay  = 300
)

// Server is a PDS holding one account, reached with an app password.
type Server struct {
	channeltest.Recorder
	srv    *httptest.Server
	secret []byte

	mu           sync.Mutex
	did, handle  string
	email        string
	password     string
	displayName  string
	noAppView    bool
	handles      map[string]string // handle → DID, for resolveHandle
	tokens       map[string]*token
	sessionTimes []time.Time
	sessions     int
	blobs        map[string]blob
	records      map[string]*record // by rkey
	replies      map[string]int     // by the parent's URI
	engagement   map[string][2]int64
}

type token struct {
	refresh bool
	exp     time.Time
	dead    string // why it no longer works: "expired" or "revoked"
}

type blob struct {
	mime string
	size int
}

type record struct {
	uri, cid string
	value    json.RawMessage
	parent   string
	at       time.Time
}

// New starts a server.
func New() *Server {
	s := &Server{
		secret:      randomBytes(32),
		did:         "did:plc:" + b32(randomBytes(15))[:24],
		handle:      "humas-sukamaju.bsky.social",
		email:       "humas@sukamaju.go.id",
		displayName: "Humas Kota Sukamaju",
		handles:     map[string]string{},
		tokens:      map[string]*token{},
		blobs:       map[string]blob{},
		records:     map[string]*record{},
		replies:     map[string]int{},
		engagement:  map[string][2]int64{},
	}
	s.password = appPassword()
	s.handles[s.handle] = s.did
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// URL is the PDS address.
func (s *Server) URL() string { return s.srv.URL }

// DID is the account's DID.
func (s *Server) DID() string { return s.did }

// Handle is the account's handle, without "@".
func (s *Server) Handle() string { return s.handle }

// ConnectValues are what a user types: the handle, the current app password, the PDS address.
func (s *Server) ConnectValues() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]string{"handle": s.handle, "app_password": s.password, "server": s.srv.URL}
}

// Revoke is the user deleting the app password (and, later, making a new one, which
// ConnectValues then gives): its refresh tokens are revoked, and its access tokens are taken as
// expired, as they are within two hours on a real PDS.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.dead = "revoked"
	}
	s.password = appPassword()
}

// ExpireAccessTokens makes every access token issued so far expire; refresh tokens still work.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if !t.refresh && t.dead == "" {
			t.dead = "expired"
		}
	}
}

// CreateSessionCount is how many times createSession was called.
func (s *Server) CreateSessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// AddHandle registers another account's handle, so that a mention of it resolves; it returns
// the account's DID.
func (s *Server) AddHandle(handle string) string {
	did := "did:plc:" + b32(randomBytes(15))[:24]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handles[strings.ToLower(handle)] = did
	return did
}

// WithoutAppView makes the PDS proxy app.bsky.* nowhere, as a PDS without an AppView configured.
func (s *Server) WithoutAppView() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noAppView = true
}

// SetEngagement sets the likes and reposts the AppView reports for a post.
func (s *Server) SetEngagement(uri string, likes, reposts int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.engagement[uri] = [2]int64{likes, reposts}
}

// procedures are the POST methods; every other method served is a GET query.
var procedures = map[string]bool{
	"com.atproto.server.createSession":  true,
	"com.atproto.server.refreshSession": true,
	"com.atproto.repo.uploadBlob":       true,
	"com.atproto.repo.createRecord":     true,
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	handlers := map[string]func(http.ResponseWriter, *http.Request){
		"com.atproto.server.createSession":   s.createSession,
		"com.atproto.server.refreshSession":  s.refreshSession,
		"com.atproto.server.getSession":      s.getSession,
		"com.atproto.identity.resolveHandle": s.resolveHandle,
		"com.atproto.repo.uploadBlob":        s.uploadBlob,
		"com.atproto.repo.createRecord":      s.createRecord,
		"com.atproto.repo.getRecord":         s.getRecord,
		"app.bsky.actor.getProfile":          s.getProfile,
		"app.bsky.feed.getPosts":             s.getPosts,
	}
	h, known := handlers[nsid]
	if !known {
		fail(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
		return
	}
	want := http.MethodGet
	if procedures[nsid] {
		want = http.MethodPost
	}
	if r.Method != want {
		fail(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Incorrect HTTP method (%s) expected %s", r.Method, want))
		return
	}
	h(w, r)
}

// fail answers an XRPC error: {"error": name, "message": message}.
func fail(w http.ResponseWriter, status int, name, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": name, "message": message})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// rateLimited answers 429 with the headers of @atproto/xrpc-server (RateLimit-Reset in unix seconds).
func rateLimited(w http.ResponseWriter, limit int, window time.Duration, reset time.Time) {
	w.Header().Set("RateLimit-Limit", fmt.Sprint(limit))
	w.Header().Set("RateLimit-Remaining", "0")
	w.Header().Set("RateLimit-Reset", fmt.Sprint(reset.Unix()))
	w.Header().Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", limit, int(window.Seconds())))
	fail(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
}

// bearer checks the Authorization header for a live token of the kind asked, and answers the
// reference PDS's error when it is not (auth-verifier: 401 without a token, 400 for a bad one).
func (s *Server) bearer(w http.ResponseWriter, r *http.Request, refresh bool) bool {
	h := r.Header.Get("Authorization")
	if h == "" {
		fail(w, http.StatusUnauthorized, "AuthMissing", "Authentication Required")
		return false
	}
	scheme, raw, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || raw == "" {
		fail(w, http.StatusBadRequest, "InvalidToken", "Malformed authorization header")
		return false
	}
	s.mu.Lock()
	t, ok := s.tokens[raw]
	var dead string
	if ok {
		dead = t.dead
		if dead == "" && time.Now().After(t.exp) {
			dead = "expired"
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		fail(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
	case t.refresh != refresh:
		fail(w, http.StatusBadRequest, "InvalidToken", "Invalid token type")
	case dead == "revoked" && refresh:
		fail(w, http.StatusBadRequest, "ExpiredToken", "Token has been revoked")
	case dead != "":
		fail(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
	default:
		return true
	}
	return false
}

// issue makes a session: two HS256 JWTs shaped as the reference PDS's (typ at+jwt with scope
// com.atproto.appPass, typ refresh+jwt with scope com.atproto.refresh and a jti).
func (s *Server) issue() map[string]any {
	now := time.Now()
	// The reference PDS's access token has no jti; this one does, so that two sessions made in
	// one second differ.
	access := s.jwt("at+jwt", map[string]any{"scope": "com.atproto.appPass", "aud": "did:web:localhost", "sub": s.did,
		"jti": b32(randomBytes(10)), "iat": now.Unix(), "exp": now.Add(accessTTL).Unix()})
	refresh := s.jwt("refresh+jwt", map[string]any{"scope": "com.atproto.refresh", "aud": "did:web:localhost", "sub": s.did,
		"jti": b32(randomBytes(20)), "iat": now.Unix(), "exp": now.Add(refreshTTL).Unix()})
	s.tokens[access] = &token{exp: now.Add(accessTTL)}
	s.tokens[refresh] = &token{refresh: true, exp: now.Add(refreshTTL)}
	return map[string]any{"accessJwt": access, "refreshJwt": refresh, "did": s.did, "handle": s.handle,
		"email": s.email, "emailConfirmed": true, "active": true}
}

func (s *Server) jwt(typ string, claims map[string]any) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"typ": typ, "alg": "HS256"})
	body, _ := json.Marshal(claims)
	signed := enc.EncodeToString(head) + "." + enc.EncodeToString(body)
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Identifier == "" || in.Password == "" {
		fail(w, http.StatusBadRequest, "InvalidRequest", `Input must have the properties "identifier" and "password"`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions++
	now := time.Now()
	var recent []time.Time
	day := 0
	for _, t := range s.sessionTimes {
		if now.Sub(t) < 24*time.Hour {
			day++
			if now.Sub(t) < 5*time.Minute {
				recent = append(recent, t)
			}
		}
	}
	if len(recent) >= sessionsPer5Min {
		rateLimited(w, sessionsPer5Min, 5*time.Minute, recent[0].Add(5*time.Minute))
		return
	}
	if day >= sessionsPerDay {
		rateLimited(w, sessionsPerDay, 24*time.Hour, now.Add(24*time.Hour))
		return
	}
	s.sessionTimes = append(s.sessionTimes, now)
	// The reference PDS matches the identifier lowercased, as a handle, an email or a DID.
	id := strings.ToLower(in.Identifier)
	if (id != s.handle && id != s.email && id != s.did) || in.Password != s.password {
		fail(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	reply(w, s.issue())
}

func (s *Server) refreshSession(w http.ResponseWriter, r *http.Request) {
	if !s.bearer(w, r, true) {
		return
	}
	// A used refresh token stays valid: the reference PDS keeps it for a two-hour grace period.
	s.mu.Lock()
	defer s.mu.Unlock()
	reply(w, s.issue())
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	if !s.bearer(w, r, false) {
		return
	}
	reply(w, map[string]any{"did": s.did, "handle": s.handle, "email": s.email, "emailConfirmed": true, "active": true})
}

func (s *Server) resolveHandle(w http.ResponseWriter, r *http.Request) {
	h := r.URL.Query().Get("handle")
	if h == "" {
		fail(w, http.StatusBadRequest, "InvalidRequest", `Error: Params must have the property "handle"`)
		return
	}
	s.mu.Lock()
	did, ok := s.handles[strings.ToLower(h)]
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusBadRequest, "InvalidRequest", "Unable to resolve handle")
		return
	}
	reply(w, map[string]string{"did": did})
}

// appView answers as a PDS without an AppView when none is configured.
func (s *Server) appView(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	none := s.noAppView
	s.mu.Unlock()
	if none {
		fail(w, http.StatusBadRequest, "InvalidRequest", "No service configured for "+strings.TrimPrefix(r.URL.Path, "/xrpc/"))
		return false
	}
	return r.Header.Get("Authorization") == "" || s.bearer(w, r, false)
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	if !s.appView(w, r) {
		return
	}
	actor := strings.ToLower(r.URL.Query().Get("actor"))
	if actor != s.did && actor != s.handle {
		fail(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
		return
	}
	reply(w, map[string]any{"did": s.did, "handle": s.handle, "displayName": s.displayName})
}

// getPostsMax is the lexicon's limit of uris (app.bsky.feed.getPosts: maxLength 25).
const getPostsMax = 25

func (s *Server) getPosts(w http.ResponseWriter, r *http.Request) {
	if !s.appView(w, r) {
		return
	}
	uris := r.URL.Query()["uris"]
	if len(uris) == 0 {
		fail(w, http.StatusBadRequest, "InvalidRequest", `Error: Params must have the property "uris"`)
		return
	}
	if len(uris) > getPostsMax {
		fail(w, http.StatusBadRequest, "InvalidRequest", "Error: uris must not have more than 25 elements")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	posts := []any{}
	for _, uri := range uris {
		rec := s.byURI(uri)
		if rec == nil {
			continue // the AppView leaves out what it does not know
		}
		e := s.engagement[uri]
		posts = append(posts, map[string]any{"uri": rec.uri, "cid": rec.cid, "record": rec.value,
			"author":    map[string]string{"did": s.did, "handle": s.handle, "displayName": s.displayName},
			"likeCount": e[0], "repostCount": e[1], "replyCount": s.replies[uri], "quoteCount": 0,
			"indexedAt": rec.at.Format(time.RFC3339Nano)})
	}
	reply(w, map[string]any{"posts": posts})
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	repo, collection, key := strings.ToLower(q.Get("repo")), q.Get("collection"), q.Get("rkey")
	if repo != s.did && repo != s.handle {
		fail(w, http.StatusBadRequest, "InvalidRequest", "Could not locate record")
		return
	}
	s.mu.Lock()
	rec, ok := s.records[key]
	s.mu.Unlock()
	if !ok || collection != postNSID {
		fail(w, http.StatusBadRequest, "RecordNotFound", fmt.Sprintf("Could not locate record: at://%s/%s/%s", s.did, collection, key))
		return
	}
	reply(w, map[string]any{"uri": rec.uri, "cid": rec.cid, "value": rec.value})
}

// cid makes a CIDv1 (sha-256) in base32, as the PDS shows them: codec 0x55 (raw) for a blob,
// 0x71 (dag-cbor) for a record.
func cid(codec byte, data []byte) string {
	sum := sha256.Sum256(data)
	return "b" + b32(append([]byte{0x01, codec, 0x12, 0x20}, sum[:]...))
}

func b32(b []byte) string {
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// appPassword is shaped as Bluesky's: four groups of four base32 characters.
func appPassword() string {
	p := b32(randomBytes(10))[:16]
	return p[0:4] + "-" + p[4:8] + "-" + p[8:12] + "-" + p[12:16]
}
