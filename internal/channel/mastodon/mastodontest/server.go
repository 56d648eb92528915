// Package mastodontest is a Mastodon instance on loopback that enforces the API Warta uses, as
// docs.joinmastodon.org documents it: app registration, OAuth with PKCE, accounts, the instance's
// limits, asynchronous media, statuses with Idempotency-Key, and the rate-limit headers. It is
// safe for concurrent use and keeps everything in maps, so benchmarks can post to it at volume.
package mastodontest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
)

// Limits of a default instance, as mastodon.social reports them in /api/v2/instance.
const (
	defaultMaxCharacters = 500
	maxMedia             = 4
	charactersPerURL     = 23
	imageSizeLimit       = 16_777_216
	videoSizeLimit       = 103_809_024
	descriptionLimit     = 1500
	rateLimit            = 300 // requests per account per 5 minutes (docs.joinmastodon.org/api/rate-limits)
	listLimit            = 40  // statuses of an account per page, at most
)

var supportedMIME = map[string]string{
	"image/jpeg": "image", "image/png": "image", "image/gif": "gifv", "image/webp": "image", "image/heic": "image",
	"image/avif": "image", "video/mp4": "video", "video/quicktime": "video", "video/webm": "video",
}

var _ channeltest.Peer = (*Server)(nil)

// Server is the contract server. Every OAuth sign-in creates a new account (user1, user2, …).
type Server struct {
	channeltest.Recorder
	srv *httptest.Server

	mu        sync.Mutex
	next      int64
	accounts  int
	maxChars  int
	polls     int // GETs of a new media attachment that answer 206 before it is processed
	failMedia int // new media attachments whose processing fails
	apps      map[string]*app
	codes     map[string]*grant
	tokens    map[string]*token
	users     map[string]*account
	appUsers  map[string]*account // client ID → the user who authorised it
	statuses  map[string]*status
	media     map[string]*attachment
	idem      map[string]*status // account ID + "\x00" + Idempotency-Key
}

type app struct {
	secret    string
	redirects []string
	scopes    []string
}

type grant struct {
	clientID, redirect, scope, challenge string
}

type token struct {
	acct    *account
	scopes  []string
	revoked bool
}

type account struct {
	id, username, display string
	created               time.Time
	statuses              []*status // oldest first
}

type status struct {
	id, text, html, replyTo, lang, visibility string
	acct                                      *account
	media                                     []*attachment
	created                                   time.Time
	favourites, reblogs, replies              int64
}

type attachment struct {
	id, mime, kind, alt string
	size                int
	acct                *account
	left                int // polls still answering 206
	failed, attached    bool
}

// New starts a server.
func New() *Server {
	s := &Server{
		next: 110_000_000_000_000_000, maxChars: defaultMaxCharacters,
		apps: map[string]*app{}, codes: map[string]*grant{}, tokens: map[string]*token{}, users: map[string]*account{}, appUsers: map[string]*account{},
		statuses: map[string]*status{}, media: map[string]*attachment{}, idem: map[string]*status{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/apps", s.createApp)
	mux.HandleFunc("GET /oauth/authorize", s.authorize)
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", s.verifyCredentials)
	mux.HandleFunc("GET /api/v1/accounts/{id}/statuses", s.accountStatuses)
	mux.HandleFunc("GET /api/v2/instance", s.instance)
	mux.HandleFunc("POST /api/v2/media", s.uploadMedia)
	mux.HandleFunc("GET /api/v1/media/{id}", s.getMedia)
	mux.HandleFunc("POST /api/v1/statuses", s.createStatus)
	mux.HandleFunc("GET /api/v1/statuses/{id}", s.getStatus)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	s.srv = httptest.NewServer(rateHeaders(mux))
	return s
}

// URL is the instance's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// ConnectValues is what a user types to connect: the instance address.
func (s *Server) ConnectValues() map[string]string { return map[string]string{"server": s.srv.URL} }

// Revoke invalidates every token issued so far.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.revoked = true
	}
}

// SetMaxCharacters sets the instance's configuration.statuses.max_characters.
func (s *Server) SetMaxCharacters(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxChars = n
}

// SetMediaProcessing makes each new media attachment answer 206 (still processing) to its first
// n GETs; it answers 200 with its url after them. Every upload answers 202.
func (s *Server) SetMediaProcessing(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls = n
}

// FailMediaProcessing makes the processing of the next n uploads fail.
func (s *Server) FailMediaProcessing(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failMedia += n
}

// Apps counts the registered apps.
func (s *Server) Apps() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.apps)
}

// AddReactions adds favourites and boosts to a status, as other people would.
func (s *Server) AddReactions(statusID string, favourites, reblogs int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.statuses[statusID]; st != nil {
		st.favourites += favourites
		st.reblogs += reblogs
	}
}

// NewAccountToken creates an account and a read-write token for it without the OAuth dance,
// for benchmarks that need many accounts.
func (s *Server) NewAccountToken() (accountID, accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.newAccount()
	tok := randomToken()
	s.tokens[tok] = &token{acct: a, scopes: []string{"read", "write"}}
	return a.id, tok
}

func (s *Server) newID() string {
	s.next++
	return strconv.FormatInt(s.next, 10)
}

func (s *Server) newAccount() *account {
	s.accounts++
	a := &account{id: strconv.Itoa(s.accounts), username: fmt.Sprintf("user%d", s.accounts),
		display: fmt.Sprintf("Humas Sukamaju %d", s.accounts), created: time.Now().UTC()}
	s.users[a.id] = a
	return a
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// rateHeaders adds what Mastodon sends with every answer: the limit, what remains and when the
// window resets, as an ISO 8601 time. The limit is only enforced when a test scripts it.
func rateHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(rateLimit-1))
		h.Set("X-RateLimit-Reset", isoTime(time.Now().UTC().Truncate(5*time.Minute).Add(5*time.Minute)))
		next.ServeHTTP(w, r)
	})
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func oauthError(w http.ResponseWriter, code int, e, desc string) {
	writeJSON(w, code, map[string]string{"error": e, "error_description": desc})
}

func notFound(w http.ResponseWriter) { apiError(w, http.StatusNotFound, "Record not found") }

// Doorkeeper's descriptions of OAuth errors, as Mastodon answers them.
const (
	descInvalidClient  = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."
	descInvalidGrant   = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
	descInvalidScope   = "The requested scope is invalid, unknown, or malformed."
	descInvalidRequest = "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed."
)

// params reads a request's parameters from the query, a form or a JSON body, as Rails does;
// "media_ids[]" is read as "media_ids".
func params(r *http.Request) (url.Values, error) {
	v := url.Values{}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ctype {
	case "application/json":
		var m map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil {
			return nil, err
		}
		for k, x := range m {
			switch x := x.(type) {
			case []any:
				for _, e := range x {
					v.Add(k, fmt.Sprint(e))
				}
			case nil:
			default:
				v.Set(k, fmt.Sprint(x))
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, err
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
	}
	for k, vs := range r.Form {
		v[strings.TrimSuffix(k, "[]")] = append(v[strings.TrimSuffix(k, "[]")], vs...)
	}
	return v, nil
}

func validScopes(scope string) []string {
	if strings.TrimSpace(scope) == "" {
		return []string{"read"} // Mastodon's default scope
	}
	return strings.Fields(scope)
}

// allows reports whether granted scopes cover want ("write" covers "write:statuses").
func allows(granted []string, want string) bool {
	top, _, _ := strings.Cut(want, ":")
	return slices.Contains(granted, want) || slices.Contains(granted, top)
}

// POST /api/v1/apps (docs.joinmastodon.org/methods/apps/#create).
func (s *Server) createApp(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "Error while parsing request")
		return
	}
	name, redirects := strings.TrimSpace(p.Get("client_name")), p["redirect_uris"]
	if len(redirects) == 1 {
		redirects = strings.Fields(redirects[0]) // one string may carry several, newline separated
	}
	switch {
	case name == "":
		apiError(w, http.StatusUnprocessableEntity, "Validation failed: Application name can't be blank")
		return
	case len(redirects) == 0:
		apiError(w, http.StatusUnprocessableEntity, "Validation failed: Redirect URI can't be blank")
		return
	}
	for _, u := range redirects {
		if pu, err := url.Parse(u); u != "urn:ietf:wg:oauth:2.0:oob" && (err != nil || !pu.IsAbs() || pu.Fragment != "") {
			apiError(w, http.StatusUnprocessableEntity, "Validation failed: Redirect URI must be an absolute URI.")
			return
		}
	}
	scopes := validScopes(p.Get("scopes"))
	for _, sc := range scopes {
		top, _, _ := strings.Cut(sc, ":")
		if top != "read" && top != "write" && top != "follow" && top != "push" && top != "profile" && top != "admin" {
			apiError(w, http.StatusUnprocessableEntity, "Validation failed: Scopes must be a valid list of scopes")
			return
		}
	}
	id, secret := randomToken(), randomToken()
	s.mu.Lock()
	s.apps[id] = &app{secret: secret, redirects: redirects, scopes: scopes}
	appID := s.newID()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"id": appID, "name": name, "website": nullable(p.Get("website")), "scopes": scopes,
		"redirect_uri": strings.Join(redirects, "\n"), "redirect_uris": redirects,
		"client_id": id, "client_secret": secret, "client_secret_expires_at": 0,
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// GET /oauth/authorize (docs.joinmastodon.org/methods/oauth/#authorize). The user approves at
// once. PKCE is required here, though Mastodon 4.3 leaves it optional, since Warta always sends it.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	a := s.apps[q.Get("client_id")]
	s.mu.Unlock()
	page := func(code int, desc string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintf(w, "<!DOCTYPE html><h1>An error has occurred</h1><p>%s</p>", desc)
	}
	if a == nil {
		page(http.StatusUnauthorized, descInvalidClient)
		return
	}
	redirect := q.Get("redirect_uri")
	if !slices.Contains(a.redirects, redirect) {
		page(http.StatusBadRequest, "The requested redirect uri is malformed or doesn't match client redirect URI.")
		return
	}
	back, _ := url.Parse(redirect)
	answer := func(v url.Values) {
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		bq := back.Query()
		for k, vs := range v {
			bq[k] = vs
		}
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	fail := func(e, desc string) { answer(url.Values{"error": {e}, "error_description": {desc}}) }
	scope := validScopes(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "The authorization server does not support this response type.")
		return
	case !subset(scope, a.scopes):
		fail("invalid_scope", descInvalidScope)
		return
	case q.Get("code_challenge") == "":
		fail("invalid_request", descInvalidRequest+" Code challenge is required.")
		return
	case q.Get("code_challenge_method") != "S256":
		fail("invalid_request", descInvalidRequest+" The code challenge method must be S256.")
		return
	}
	code := randomToken()
	s.mu.Lock()
	s.codes[code] = &grant{clientID: q.Get("client_id"), redirect: redirect, scope: strings.Join(scope, " "), challenge: q.Get("code_challenge")}
	s.mu.Unlock()
	answer(url.Values{"code": {code}})
}

func subset(want, have []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// POST /oauth/token (docs.joinmastodon.org/methods/oauth/#token), authorization_code grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest)
		return
	}
	id, secret := p.Get("client_id"), p.Get("client_secret")
	if u, pw, ok := r.BasicAuth(); ok {
		id, secret = u, pw
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[id]
	if a == nil || secret != a.secret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", descInvalidClient)
		return
	}
	if p.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	g := s.codes[p.Get("code")]
	if g == nil || g.clientID != id || g.redirect != p.Get("redirect_uri") {
		oauthError(w, http.StatusBadRequest, "invalid_grant", descInvalidGrant)
		return
	}
	verifier := p.Get("code_verifier")
	if verifier == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest+" Missing param: code_verifier.")
		return
	}
	if sum := sha256.Sum256([]byte(verifier)); base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant", descInvalidGrant)
		return
	}
	if sc := p.Get("scope"); sc != "" && strings.Join(strings.Fields(sc), " ") != g.scope {
		oauthError(w, http.StatusBadRequest, "invalid_scope", descInvalidScope)
		return
	}
	delete(s.codes, p.Get("code")) // a code is used once
	tok := randomToken()
	// The person authorising through an app is the one signed in on the instance: the first
	// time a new user, later the same one (reconnecting an account).
	acct := s.appUsers[id]
	if acct == nil {
		acct = s.newAccount()
		s.appUsers[id] = acct
	}
	s.tokens[tok] = &token{acct: acct, scopes: strings.Fields(g.scope)}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "scope": g.scope, "created_at": time.Now().Unix()})
}

// auth finds the account of the request's bearer token and checks it holds scope; it answers
// the refusal itself. optional lets a public method run without a token.
func (s *Server) auth(w http.ResponseWriter, r *http.Request, scope string, optional bool) (*account, bool) {
	h := r.Header.Get("Authorization")
	if h == "" && optional {
		return nil, true
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	s.mu.Lock()
	var t token
	if found := s.tokens[tok]; found != nil {
		t = *found
	}
	s.mu.Unlock()
	switch {
	case !ok || t.acct == nil:
		apiError(w, http.StatusUnauthorized, "The access token is invalid")
		return nil, false
	case t.revoked:
		apiError(w, http.StatusUnauthorized, "The access token was revoked")
		return nil, false
	case !allows(t.scopes, scope):
		apiError(w, http.StatusForbidden, "This action is outside the authorized scopes")
		return nil, false
	}
	return t.acct, true
}

// accountJSON is the Account entity.
type accountJSON struct {
	ID             string    `json:"id"`
	Username       string    `json:"username"`
	Acct           string    `json:"acct"`
	DisplayName    string    `json:"display_name"`
	Locked         bool      `json:"locked"`
	Bot            bool      `json:"bot"`
	CreatedAt      string    `json:"created_at"`
	Note           string    `json:"note"`
	URL            string    `json:"url"`
	Avatar         string    `json:"avatar"`
	StatusesCount  int       `json:"statuses_count"`
	FollowersCount int       `json:"followers_count"`
	FollowingCount int       `json:"following_count"`
	Emojis         []any     `json:"emojis"`
	Fields         []any     `json:"fields"`
	Source         *struct{} `json:"source,omitempty"`
}

func (s *Server) accountJSON(a *account) accountJSON {
	return accountJSON{ID: a.id, Username: a.username, Acct: a.username, DisplayName: a.display,
		CreatedAt: isoTime(a.created), URL: s.srv.URL + "/@" + a.username, Avatar: s.srv.URL + "/avatars/original/missing.png",
		StatusesCount: len(a.statuses), Emojis: []any{}, Fields: []any{}}
}

// GET /api/v1/accounts/verify_credentials (docs.joinmastodon.org/methods/accounts/#verify_credentials).
func (s *Server) verifyCredentials(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, "read:accounts", false)
	if !ok {
		return
	}
	s.mu.Lock()
	j := s.accountJSON(a)
	s.mu.Unlock()
	j.Source = &struct{}{}
	writeJSON(w, http.StatusOK, j)
}

// GET /api/v2/instance (docs.joinmastodon.org/methods/instance/#v2).
func (s *Server) instance(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	maxChars := s.maxChars
	s.mu.Unlock()
	u, _ := url.Parse(s.srv.URL)
	mimes := make([]string, 0, len(supportedMIME))
	for m := range supportedMIME {
		mimes = append(mimes, m)
	}
	slices.Sort(mimes)
	writeJSON(w, http.StatusOK, map[string]any{
		"domain": u.Host, "title": "Mastodon contract server", "version": "4.3.0", "source_url": "https://github.com/mastodon/mastodon",
		"description": "", "languages": []string{"id", "en"}, "api_versions": map[string]int{"mastodon": 2},
		"configuration": map[string]any{
			"urls":     map[string]any{"streaming": "ws://" + u.Host},
			"accounts": map[string]any{"max_featured_tags": 10, "max_pinned_statuses": 5},
			"statuses": map[string]any{"max_characters": maxChars, "max_media_attachments": maxMedia, "characters_reserved_per_url": charactersPerURL},
			"media_attachments": map[string]any{"supported_mime_types": mimes, "description_limit": descriptionLimit,
				"image_size_limit": imageSizeLimit, "image_matrix_limit": 33_177_600, "video_size_limit": videoSizeLimit,
				"video_frame_rate_limit": 120, "video_matrix_limit": 8_294_400},
			"polls":       map[string]any{"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746},
			"translation": map[string]any{"enabled": false},
		},
		"registrations": map[string]any{"enabled": false, "approval_required": false, "message": nil},
	})
}

// mediaJSON is the MediaAttachment entity; url is null until processing ends.
type mediaJSON struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         *string `json:"url"`
	PreviewURL  string  `json:"preview_url"`
	RemoteURL   *string `json:"remote_url"`
	Description *string `json:"description"`
	Blurhash    string  `json:"blurhash"`
}

func (s *Server) mediaJSON(m *attachment, processed bool) mediaJSON {
	j := mediaJSON{ID: m.id, Type: m.kind, PreviewURL: s.srv.URL + "/media_attachments/small/" + m.id, Blurhash: "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}"}
	if processed {
		u := s.srv.URL + "/media_attachments/original/" + m.id
		j.URL = &u
	}
	if m.alt != "" {
		j.Description = &m.alt
	}
	return j
}

// POST /api/v2/media (docs.joinmastodon.org/methods/media/#v2): multipart "file" and
// "description". It answers 202: the file is processed in the background.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, "write:media", false)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, videoSizeLimit+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		apiError(w, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	}
	m := &attachment{acct: a}
	var head []byte
	seenFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			apiError(w, http.StatusBadRequest, "Error while parsing request")
			return
		}
		switch part.FormName() {
		case "file":
			seenFile = true
			m.mime, _, _ = mime.ParseMediaType(part.Header.Get("Content-Type"))
			head, _ = io.ReadAll(io.LimitReader(part, 512))
			n, err := io.Copy(io.Discard, part)
			if err != nil {
				apiError(w, http.StatusRequestEntityTooLarge, "Request entity too large")
				return
			}
			m.size = len(head) + int(n)
		case "description":
			b, _ := io.ReadAll(io.LimitReader(part, 1<<16))
			m.alt = string(b)
		}
	}
	m.kind = supportedMIME[m.mime]
	sniffed := http.DetectContentType(head)
	switch {
	case !seenFile || m.size == 0:
		apiError(w, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	case m.kind == "" || (strings.HasPrefix(m.mime, "image/") && sniffed != m.mime && m.mime != "image/heic" && m.mime != "image/avif"):
		apiError(w, http.StatusUnprocessableEntity, "Validation failed: File content type is invalid, File is invalid")
		return
	case m.kind != "video" && m.size > imageSizeLimit:
		apiError(w, http.StatusUnprocessableEntity, "Validation failed: File file size must be less than 16 MB")
		return
	case m.kind == "video" && m.size > videoSizeLimit:
		apiError(w, http.StatusUnprocessableEntity, "Validation failed: File file size must be less than 99 MB")
		return
	case len([]rune(m.alt)) > descriptionLimit:
		apiError(w, http.StatusUnprocessableEntity, fmt.Sprintf("Validation failed: Description is too long (maximum is %d characters)", descriptionLimit))
		return
	}
	s.mu.Lock()
	m.id = s.newID()
	m.left = s.polls
	if s.failMedia > 0 {
		s.failMedia--
		m.failed = true
	}
	s.media[m.id] = m
	j := s.mediaJSON(m, false)
	s.mu.Unlock()
	writeJSON(w, http.StatusAccepted, j)
}

// GET /api/v1/media/:id (docs.joinmastodon.org/methods/media/#get): 206 while processing, 200
// when done, 422 when processing failed; only the owner's unattached media are found.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, "write:media", false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[r.PathValue("id")]
	switch {
	case m == nil || m.acct != a || m.attached:
		notFound(w)
	case m.failed:
		apiError(w, http.StatusUnprocessableEntity, "Error processing thumbnail for uploaded media")
	case m.left > 0:
		m.left--
		writeJSON(w, http.StatusPartialContent, s.mediaJSON(m, false))
	default:
		m.left = -1 // processed
		writeJSON(w, http.StatusOK, s.mediaJSON(m, true))
	}
}

// statusJSON is the Status entity.
type statusJSON struct {
	ID                 string      `json:"id"`
	CreatedAt          string      `json:"created_at"`
	InReplyToID        *string     `json:"in_reply_to_id"`
	InReplyToAccountID *string     `json:"in_reply_to_account_id"`
	Sensitive          bool        `json:"sensitive"`
	SpoilerText        string      `json:"spoiler_text"`
	Visibility         string      `json:"visibility"`
	Language           *string     `json:"language"`
	URI                string      `json:"uri"`
	URL                string      `json:"url"`
	RepliesCount       int64       `json:"replies_count"`
	ReblogsCount       int64       `json:"reblogs_count"`
	FavouritesCount    int64       `json:"favourites_count"`
	Content            string      `json:"content"`
	Reblog             *statusJSON `json:"reblog"`
	Application        any         `json:"application"`
	Account            accountJSON `json:"account"`
	MediaAttachments   []mediaJSON `json:"media_attachments"`
	Mentions           []any       `json:"mentions"`
	Tags               []any       `json:"tags"`
	Emojis             []any       `json:"emojis"`
	Card               any         `json:"card"`
	Poll               any         `json:"poll"`
}

func (s *Server) statusJSON(st *status) statusJSON {
	j := statusJSON{ID: st.id, CreatedAt: isoTime(st.created), Visibility: st.visibility,
		URI: s.srv.URL + "/users/" + st.acct.username + "/statuses/" + st.id, URL: s.srv.URL + "/@" + st.acct.username + "/" + st.id,
		RepliesCount: st.replies, ReblogsCount: st.reblogs, FavouritesCount: st.favourites, Content: st.html,
		Application: map[string]any{"name": "Warta", "website": nil}, Account: s.accountJSON(st.acct),
		MediaAttachments: make([]mediaJSON, 0, len(st.media)), Mentions: []any{}, Tags: []any{}, Emojis: []any{}}
	if st.replyTo != "" {
		j.InReplyToID = &st.replyTo
		if parent := s.statuses[st.replyTo]; parent != nil {
			j.InReplyToAccountID = &parent.acct.id
		}
	}
	if st.lang != "" {
		j.Language = &st.lang
	}
	for _, m := range st.media {
		j.MediaAttachments = append(j.MediaAttachments, s.mediaJSON(m, true))
	}
	return j
}

// POST /api/v1/statuses (docs.joinmastodon.org/methods/statuses/#create). A repeated
// Idempotency-Key from the same account answers the status it already made, before any check,
// as PostStatusService does. Every status takes the next scripted failure, replies too; a
// Failure it does not know (such as "") lets the request through, so a test can fail a later
// one (the first comment after its post).
func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, "write:statuses", false)
	if !ok {
		return
	}
	p, err := params(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "Error while parsing request")
		return
	}
	fail, scripted := s.Failure()
	s.mu.Lock()
	maxChars := s.maxChars
	s.mu.Unlock()
	if scripted {
		switch fail {
		case channeltest.RateLimited:
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", isoTime(time.Now().Add(time.Minute)))
			apiError(w, http.StatusTooManyRequests, "Too many requests")
			return
		case channeltest.Unauthorized:
			apiError(w, http.StatusUnauthorized, "The access token was revoked")
			return
		case channeltest.Rejected:
			apiError(w, http.StatusUnprocessableEntity, fmt.Sprintf("Validation failed: Text character limit of %d exceeded", maxChars))
			return
		case channeltest.ServerError:
			apiError(w, http.StatusInternalServerError, "We're sorry, but something went wrong on our end.")
			return
		case channeltest.ChangedShape:
			writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
			return
		}
	}
	key := r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	st, code, msg := s.create(a, key, p)
	var j statusJSON
	if st != nil {
		j = s.statusJSON(st)
	}
	s.mu.Unlock()
	if st == nil {
		apiError(w, code, msg)
		return
	}
	if scripted && fail == channeltest.LostAnswer {
		channeltest.Drop(w)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// create validates and makes a status, or returns the error to answer; s.mu is held.
func (s *Server) create(a *account, key string, p url.Values) (*status, int, string) {
	if key != "" {
		if st := s.idem[a.id+"\x00"+key]; st != nil {
			return st, 0, ""
		}
	}
	ids := p["media_ids"]
	if len(ids) > maxMedia {
		return nil, http.StatusUnprocessableEntity, fmt.Sprintf("Cannot attach more than %d files", maxMedia)
	}
	media := make([]*attachment, 0, len(ids))
	var missing []string
	for _, id := range ids {
		m := s.media[id]
		if m == nil || m.acct != a || m.attached || m.failed {
			missing = append(missing, id)
			continue
		}
		media = append(media, m)
	}
	if len(missing) > 0 {
		return nil, http.StatusUnprocessableEntity, "Media " + strings.Join(missing, ", ") + " not found or already attached to another post"
	}
	video := slices.ContainsFunc(media, func(m *attachment) bool { return m.kind == "video" })
	if video && len(media) > 1 {
		return nil, http.StatusUnprocessableEntity, "Cannot attach a video to a post that already contains images"
	}
	if slices.ContainsFunc(media, func(m *attachment) bool { return m.left >= 0 }) {
		return nil, http.StatusUnprocessableEntity, "Cannot attach files that have not finished processing. Try again in a moment!"
	}
	text := p.Get("status")
	if strings.TrimSpace(text) == "" && len(media) == 0 {
		return nil, http.StatusUnprocessableEntity, "Validation failed: Text can't be blank"
	}
	if channel.Count(channel.Mastodon, text, channel.CountOptions{MastodonLimit: s.maxChars, MastodonURLLength: charactersPerURL}) > s.maxChars {
		return nil, http.StatusUnprocessableEntity, fmt.Sprintf("Validation failed: Text character limit of %d exceeded", s.maxChars)
	}
	vis := p.Get("visibility")
	switch vis {
	case "":
		vis = "public"
	case "public", "unlisted", "private", "direct":
	default:
		return nil, http.StatusUnprocessableEntity, "Validation failed: Visibility is not included in the list"
	}
	var parent *status
	if id := p.Get("in_reply_to_id"); id != "" {
		if parent = s.statuses[id]; parent == nil {
			return nil, http.StatusNotFound, "Record not found"
		}
	}
	st := &status{id: s.newID(), text: text, html: render(s.srv.URL, text), lang: p.Get("language"), visibility: vis,
		acct: a, media: media, created: time.Now().UTC()}
	rec := channeltest.Post{ID: st.id, Account: a.id, Text: text, Key: key,
		Extra: map[string]any{"language": st.lang, "visibility": vis}}
	for _, m := range media {
		m.attached = true
		rec.Media = append(rec.Media, channeltest.Media{ID: m.id, MIME: m.mime, Size: m.size, Alt: m.alt})
	}
	if parent != nil {
		st.replyTo = parent.id
		parent.replies++
		rec.ReplyTo = parent.id
	}
	s.statuses[st.id] = st
	a.statuses = append(a.statuses, st)
	if key != "" {
		s.idem[a.id+"\x00"+key] = st
	}
	s.Add(rec)
	return st, 0, ""
}

// GET /api/v1/statuses/:id (docs.joinmastodon.org/methods/statuses/#get): public for public
// statuses; a token, when sent, must be valid.
func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "read:statuses", true); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.statuses[r.PathValue("id")]
	if st == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.statusJSON(st))
}

// GET /api/v1/accounts/:id/statuses (docs.joinmastodon.org/methods/accounts/#statuses): newest
// first, limit 20 by default and 40 at most, exclude_replies and exclude_reblogs honoured.
func (s *Server) accountStatuses(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "read:statuses", true); !ok {
		return
	}
	q := r.URL.Query()
	limit := 20
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, listLimit)
	}
	noReplies := q.Get("exclude_replies") == "true" || q.Get("exclude_replies") == "1"
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.users[r.PathValue("id")]
	if a == nil {
		notFound(w)
		return
	}
	out := make([]statusJSON, 0, limit)
	for i := len(a.statuses) - 1; i >= 0 && len(out) < limit; i-- {
		if st := a.statuses[i]; !noReplies || st.replyTo == "" {
			out = append(out, s.statusJSON(st))
		}
	}
	writeJSON(w, http.StatusOK, out)
}
