// Package metatest is a contract server for Meta's APIs on loopback: one httptest server that
// speaks the Graph API (Facebook Pages, Instagram with Facebook Login) under /v27.0/ and the
// Threads API under /v1.0/, with both Login dialogs, which approve at once as the user would.
//
// It enforces what Meta documents: bearer or access_token tokens of the right kind (a Page
// token to post on a Page, a Threads token on Threads), the permissions each call needs,
// short-lived user tokens and their long-lived exchange, media fetched from image_url by the
// server itself (so a URL that does not load fails as on Instagram), containers that are
// IN_PROGRESS at their first poll, Instagram's publishing quota, caption and text limits, and
// Meta's error bodies.
//
// One server serves the three connectors: Posts lists what all of them published; a post's
// Extra["network"] is "facebook", "instagram" or "threads", and its Account is the Page ID,
// the Instagram user ID or the Threads user ID. Network returns a Peer that sees one network.
// Scripted failures (FailNext) apply to the next publishing requests of any network: a Page
// post (/feed, a published /photos or /videos), Instagram's /media_publish and Threads'
// /threads_publish, a Threads reply's too. A Failure the server does not know (such as "") lets
// its request through, so a test can fail a later one. FailNextComment scripts the comments
// made on Facebook and Instagram posts (/{id}/comments).
package metatest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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
	"warta.dev/warta/internal/channel/meta"
)

// Server is the contract server.
type Server struct {
	channeltest.Recorder
	srv   *httptest.Server
	fetch *http.Client

	mu              sync.Mutex
	now             func() time.Time
	seq             int64
	app             app // the Meta app: Facebook Login, Pages and Instagram
	threadsApp      app // the same app's Threads app ID and secret
	user            *fbUser
	thUser          *thUser
	nodes           map[string]any // by ID: *fbUser, *page, *igUser, *thUser, *container, *object
	tokens          map[string]*token
	codes           map[string]*code
	declined        map[string]bool
	quotaTotal      int
	failing         []string              // statuses of the next containers to fail
	commentFailures []channeltest.Failure // of the next Facebook or Instagram comments
}

type app struct{ id, secret string }

type fbUser struct {
	id, name string
	pages    []string
}

type page struct {
	id, name, ig string
	token        string // the long-lived Page token of AddPage
}

type igUser struct {
	id, username, name, page string
	usage                    int // quota used outside this server
	published                []time.Time
}

type thUser struct {
	id, username, name string
	token              string
	published          []time.Time
}

type tokenKind int

const (
	userShort tokenKind = iota
	userLong
	pageToken
	appToken
	threadsShort
	threadsLong
	threadsApp
)

func (k tokenKind) threads() bool { return k >= threadsShort }

type token struct {
	value   string
	kind    tokenKind
	subject string // the user, Page, Threads user or app
	scopes  map[string]bool
	issued  time.Time
	expires time.Time // zero: never
	revoked bool
	parent  *token // a Page token lives as long as the user token it was read with
}

type code struct {
	redirect, subject string
	scopes            map[string]bool
	threads           bool
	used              bool
	issued            time.Time
}

// container is an Instagram or Threads media container.
type container struct {
	id, network, owner string
	mediaType          string
	text               string
	media              []channeltest.Media
	children           []string
	carouselItem       bool
	replyTo            string
	polls              int
	failure            string // status of a container that fails, "" when it succeeds
	published          string // the media ID once published
}

// object is something published: a Page post, photo, video or comment; Instagram media or
// comment; a Threads post or reply.
type object struct {
	id, network, owner string
	text               string
	permalink          string
	created            time.Time
	published          bool // false: an unpublished Page photo waiting for attached_media
	parent             string
	media              []channeltest.Media
	counts             Counts
}

// Counts are a published object's counts, for Metrics.
type Counts struct{ Likes, Replies, Reposts, Views int64 }

// New starts a server with one Facebook user who manages one Page, linked to an Instagram
// professional account, and one Threads user.
func New() *Server {
	s := &Server{
		fetch:      &http.Client{Timeout: 10 * time.Second},
		now:        time.Now,
		nodes:      map[string]any{},
		tokens:     map[string]*token{},
		codes:      map[string]*code{},
		declined:   map[string]bool{},
		quotaTotal: 50, // IG User Content Publishing Limit: "quota_total": 50, "quota_duration": 86400
	}
	s.app = app{id: s.id(), secret: secret()}
	s.threadsApp = app{id: s.id(), secret: secret()}
	s.user = &fbUser{id: s.id(), name: "Rina Kusuma"}
	s.nodes[s.user.id] = s.user
	s.AddPage("Diskominfo Kota Sukamaju", true)
	s.AddThreadsUser("diskominfo.sukamaju")
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the base URL: the Endpoint of the three connectors.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// ConnectValues are the Meta app's ID and secret (Facebook and Instagram).
func (s *Server) ConnectValues() map[string]string {
	return map[string]string{"client_id": s.app.id, "client_secret": s.app.secret}
}

// SetClock makes the server read time from now, for token expiry and quota windows.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Revoke invalidates every token issued so far, as a user removing the app does.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.kind != appToken && t.kind != threadsApp {
			t.revoked = true
		}
	}
}

// Decline makes the Login dialog leave out a permission, as a user unticking it does.
func (s *Server) Decline(permission string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.declined[permission] = true
}

// SetQuotaTotal sets Instagram's publishing limit per 24 hours (50 by default); benchmarks
// that publish thousands of posts to one account raise it.
func (s *Server) SetQuotaTotal(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotaTotal = n
}

// SetQuotaUsage sets how many posts an Instagram account published in the last 24 hours
// outside this server.
func (s *Server) SetQuotaUsage(igUserID string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ig, ok := s.nodes[igUserID].(*igUser); ok {
		ig.usage = n
	}
}

// FailContainers makes the next n Instagram or Threads containers end in ERROR at their first
// poll, with status (Instagram: an error subcode such as "2207001"; Threads: an error_message
// such as "FAILED_PROCESSING_VIDEO"); an empty status lets one container through, so a test can
// fail a later one.
func (s *Server) FailContainers(n int, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failing = append(s.failing, status)
	}
}

// FailNextComment makes the next n comments on Facebook or Instagram posts (POST
// /{id}/comments) fail as f, answered as FailNext answers a post; LostAnswer makes the comment
// and drops the answer, and a Failure the server does not know (such as "") lets it through.
func (s *Server) FailNextComment(f channeltest.Failure, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.commentFailures = append(s.commentFailures, f)
	}
}

// commentFailure takes the next scripted failure of a comment, if any; callers hold mu.
func (s *Server) commentFailure() channeltest.Failure {
	if len(s.commentFailures) == 0 {
		return ""
	}
	f := s.commentFailures[0]
	s.commentFailures = s.commentFailures[1:]
	return f
}

// SetCounts sets the likes, replies, reposts and views of a published object; comments made
// through the API add to its replies.
func (s *Server) SetCounts(id string, c Counts) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.nodes[id].(*object)
	if ok {
		o.counts = c
	}
	return ok
}

// Page is a Facebook Page the authorising user manages, with its long-lived Page token and the
// Instagram professional account linked to it, if any.
type Page struct {
	ID, Name, Token                             string
	InstagramID, InstagramHandle, InstagramName string
	App                                         channel.App
}

// FacebookAccount is the account the Facebook connector makes of the Page.
func (p Page) FacebookAccount() channel.Account {
	return channel.Account{Network: channel.Facebook, Kind: "page", RemoteID: p.ID, Handle: p.Name, Name: p.Name,
		URL: "https://www.facebook.com/" + p.ID, Secret: channel.Secret{AccessToken: p.Token, App: &p.App}}
}

// InstagramAccount is the account the Instagram connector makes of the linked account.
func (p Page) InstagramAccount() channel.Account {
	return channel.Account{Network: channel.Instagram, RemoteID: p.InstagramID, Handle: "@" + p.InstagramHandle,
		Name: p.InstagramName, URL: "https://www.instagram.com/" + p.InstagramHandle,
		Secret: channel.Secret{AccessToken: p.Token, App: &p.App, Extra: map[string]string{"page_id": p.ID}}}
}

// AddPage adds a Page to the authorising user, with a linked Instagram account when instagram
// is set. Benchmarks use the returned accounts directly, without the Login dialog.
func (s *Server) AddPage(name string, instagram bool) Page {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &page{id: s.id(), name: name}
	s.nodes[p.id] = p
	s.user.pages = append(s.user.pages, p.id)
	scopes := map[string]bool{}
	for _, sc := range knownScopes {
		scopes[sc] = true
	}
	p.token = s.issue(pageToken, p.id, scopes, time.Time{}, nil).value
	out := Page{ID: p.id, Name: name, Token: p.token, App: channel.App{ClientID: s.app.id, ClientSecret: s.app.secret}}
	if instagram {
		handle := strings.ToLower(strings.NewReplacer(" ", ".", ",", "").Replace(name))
		ig := &igUser{id: s.id(), username: handle, name: name, page: p.id}
		s.nodes[ig.id] = ig
		p.ig = ig.id
		out.InstagramID, out.InstagramHandle, out.InstagramName = ig.id, handle, ig.name
	}
	return out
}

// FirstPage is the Page New made.
func (s *Server) FirstPage() Page {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.nodes[s.user.pages[0]].(*page)
	out := Page{ID: p.id, Name: p.name, Token: p.token, App: channel.App{ClientID: s.app.id, ClientSecret: s.app.secret}}
	if ig, ok := s.nodes[p.ig].(*igUser); ok {
		out.InstagramID, out.InstagramHandle, out.InstagramName = ig.id, ig.username, ig.name
	}
	return out
}

// ThreadsUser is a Threads account with a long-lived token.
type ThreadsUser struct {
	ID, Username, Token string
	Expiry              time.Time
	App                 channel.App
}

// Account is the account the Threads connector makes of the user.
func (u ThreadsUser) Account() channel.Account {
	return channel.Account{Network: channel.Threads, RemoteID: u.ID, Handle: "@" + u.Username, Name: u.Username,
		URL:    "https://www.threads.com/@" + u.Username,
		Secret: channel.Secret{AccessToken: u.Token, Expiry: u.Expiry, App: &u.App}}
}

// AddThreadsUser adds a Threads account with a long-lived token; the first one added is the
// one the Threads dialog authorises.
func (s *Server) AddThreadsUser(username string) ThreadsUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &thUser{id: s.id(), username: username, name: username}
	s.nodes[u.id] = u
	if s.thUser == nil {
		s.thUser = u
	}
	scopes := map[string]bool{}
	for _, sc := range threadsScopes {
		scopes[sc] = true
	}
	t := s.issue(threadsLong, u.id, scopes, s.now().Add(longLived), nil)
	u.token = t.value
	return ThreadsUser{ID: u.id, Username: username, Token: t.value, Expiry: t.expires,
		App: channel.App{ClientID: s.threadsApp.id, ClientSecret: s.threadsApp.secret}}
}

// FirstThreadsUser is the Threads user New made, the one the Threads dialog authorises.
func (s *Server) FirstThreadsUser() ThreadsUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[s.thUser.token]
	return ThreadsUser{ID: s.thUser.id, Username: s.thUser.username, Token: t.value, Expiry: t.expires,
		App: channel.App{ClientID: s.threadsApp.id, ClientSecret: s.threadsApp.secret}}
}

// Network returns a Peer that sees one network of the server: its posts, and for Threads the
// Threads app's ID and secret as ConnectValues.
func (s *Server) Network(n channel.Network) channeltest.Peer { return view{s, n} }

type view struct {
	*Server
	network channel.Network
}

func (v view) Posts() []channeltest.Post {
	return slices.DeleteFunc(v.Server.Posts(), func(p channeltest.Post) bool { return p.Extra["network"] != string(v.network) })
}

func (v view) ConnectValues() map[string]string {
	if v.network == channel.Threads {
		return map[string]string{"client_id": v.threadsApp.id, "client_secret": v.threadsApp.secret}
	}
	return v.Server.ConnectValues()
}

// Token lifetimes: Facebook short-lived user tokens last about an hour, long-lived ones about
// 60 days (expires_in 5183944 in Meta's examples); Threads' are one hour and 60 days.
const (
	shortLived = time.Hour
	longLived  = 5183944 * time.Second
)

// id returns a new numeric ID, as Graph IDs are; callers hold mu or are in New.
func (s *Server) id() string {
	s.seq++
	return strconv.FormatInt(17841400000000000+s.seq, 10)
}

func secret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// issue makes a token; callers hold mu.
func (s *Server) issue(kind tokenKind, subject string, scopes map[string]bool, expires time.Time, parent *token) *token {
	prefix := "EAA"
	if kind.threads() {
		prefix = "THAA"
	}
	t := &token{value: prefix + secret() + secret(), kind: kind, subject: subject, scopes: scopes,
		issued: s.now(), expires: expires, parent: parent}
	s.tokens[t.value] = t
	return t
}

// graphError writes Meta's error body.
func graphError(w http.ResponseWriter, status int, e meta.GraphError) {
	if e.Type == "" {
		e.Type = "OAuthException"
	}
	if e.TraceID == "" {
		e.TraceID = "A" + secret()[:22]
	}
	if e.Code == meta.CodeToken {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`OAuth "Facebook Platform" "invalid_token" %q`, e.Message))
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// unsupported is Graph's answer for a node that does not exist or cannot be reached with the
// token.
func unsupported(w http.ResponseWriter, r *http.Request, id string) {
	graphError(w, http.StatusBadRequest, meta.GraphError{Type: "GraphMethodException", Code: 100, Subcode: 33,
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
			strings.ToLower(r.Method), id)})
}

func invalidParam(w http.ResponseWriter, msg string) {
	graphError(w, http.StatusBadRequest, meta.GraphError{Code: 100, Message: "(#100) " + msg})
}

func noPermission(w http.ResponseWriter, code int, msg string) {
	graphError(w, http.StatusForbidden, meta.GraphError{Code: code, Message: fmt.Sprintf("(#%d) %s", code, msg)})
}

// auth reads the token of a request (access_token parameter, or an Authorization header
// "Bearer …" or "OAuth …") and checks it is alive, of the right API and, when an
// appsecret_proof is sent, proven; callers hold mu.
func (s *Server) auth(w http.ResponseWriter, r *http.Request, threads bool) (*token, bool) {
	value := r.Form.Get("access_token")
	if h := r.Header.Get("Authorization"); value == "" && h != "" {
		scheme, v, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth") {
			value = strings.TrimSpace(v)
		}
	}
	if value == "" {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 2500,
			Message: "An active access token must be used to query information about the current user."})
		return nil, false
	}
	t := s.tokens[value]
	if t == nil || t.kind.threads() != threads {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodeToken, Message: "Invalid OAuth access token - Cannot parse access token"})
		return nil, false
	}
	appID := s.app.id
	if threads {
		appID = s.threadsApp.id
	}
	now := s.now()
	for c := t; c != nil; c = c.parent {
		if c.revoked {
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodeToken, Subcode: 458,
				Message: fmt.Sprintf("Error validating access token: The user has not authorized application %s.", appID)})
			return nil, false
		}
		if !c.expires.IsZero() && !now.Before(c.expires) {
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodeToken, Subcode: 463,
				Message: fmt.Sprintf("Error validating access token: Session has expired on %s. The current time is %s.",
					c.expires.UTC().Format(time.RFC1123), now.UTC().Format(time.RFC1123))})
			return nil, false
		}
	}
	if proof := r.Form.Get("appsecret_proof"); proof != "" && !threads && proof != meta.Proof(value, s.app.secret) {
		graphError(w, http.StatusBadRequest, meta.GraphError{Type: "GraphMethodException", Code: 100,
			Message: "Invalid appsecret_proof provided in the API argument"})
		return nil, false
	}
	return t, true
}

// parseForm reads query, urlencoded and multipart parameters into r.Form.
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(32 << 20)
	}
	return r.ParseForm()
}

// ServeHTTP routes Graph (/v27.0/…), Threads (/v1.0/…) and both OAuth flows.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		invalidParam(w, "Invalid request body: "+err.Error())
		return
	}
	p := r.URL.Path
	switch {
	case p == "/oauth/authorize":
		s.threadsDialog(w, r)
	case p == "/oauth/access_token":
		s.threadsToken(w, r)
	case p == "/access_token":
		s.threadsExchange(w, r)
	case p == "/refresh_access_token":
		s.threadsRefresh(w, r)
	case strings.HasPrefix(p, "/"+meta.ThreadsVersion+"/"):
		s.threadsAPI(w, r, strings.Split(strings.Trim(strings.TrimPrefix(p, "/"+meta.ThreadsVersion+"/"), "/"), "/"))
	case p == "/"+meta.Version+"/dialog/oauth":
		s.facebookDialog(w, r)
	case p == "/"+meta.Version+"/oauth/access_token":
		s.facebookToken(w, r)
	case strings.HasPrefix(p, "/"+meta.Version+"/"):
		s.graph(w, r, strings.Split(strings.Trim(strings.TrimPrefix(p, "/"+meta.Version+"/"), "/"), "/"))
	default:
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 2500, Message: "Unknown path components: " + p})
	}
}

// fields reads a fields parameter's top-level names: "reactions.summary(true),comments{id}"
// gives reactions and comments.
func fields(r *http.Request) map[string]bool {
	out := map[string]bool{"id": true}
	depth, start := 0, 0
	v := r.Form.Get("fields") + ","
	for i, c := range v {
		switch c {
		case '{', '(':
			depth++
		case '}', ')':
			depth--
		case ',':
			if depth == 0 {
				name := strings.TrimSpace(v[start:i])
				if j := strings.IndexAny(name, ".{("); j >= 0 {
					name = name[:j]
				}
				if name != "" {
					out[name] = true
				}
				start = i + 1
			}
		}
	}
	return out
}

// only keeps the requested fields of an answer.
func only(f map[string]bool, all map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range all {
		if f[k] && v != nil {
			out[k] = v
		}
	}
	return out
}

// graphTime is Graph's timestamp format.
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }

// shortcode makes the code of a permalink from a media ID.
func shortcode(id string) string {
	n, _ := strconv.ParseInt(id, 10, 64)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b []byte
	for ; n > 0; n /= 64 {
		b = append(b, alphabet[n%64])
	}
	return string(b)
}

// limit reads a listing's limit parameter: 25 by default, at most 100.
func limit(r *http.Request) int {
	n, err := strconv.Atoi(r.Form.Get("limit"))
	if err != nil || n <= 0 {
		return 25
	}
	return min(n, 100)
}

// page slices a newest-first listing by the after cursor and limit, with Graph's paging.
func paginate[T any](r *http.Request, items []T, base string) ([]T, map[string]any) {
	start, _ := strconv.Atoi(r.Form.Get("after"))
	start = min(max(start, 0), len(items))
	end := min(start+limit(r), len(items))
	paging := map[string]any{"cursors": map[string]string{"before": strconv.Itoa(start), "after": strconv.Itoa(end)}}
	if end < len(items) {
		q := r.URL.Query()
		q.Set("after", strconv.Itoa(end))
		q.Del("access_token")
		paging["next"] = base + r.URL.Path + "?" + q.Encode()
	}
	return items[start:end], paging
}

// failure takes the next scripted failure for a publishing request and answers it, except
// LostAnswer and ChangedShape, which the caller answers after creating the post.
func (s *Server) failure(w http.ResponseWriter, network, account string) (channeltest.Failure, bool) {
	f, ok := s.Failure()
	if !ok {
		return "", false
	}
	return f, answerFailure(w, f, network, account, false)
}

// answerFailure answers a scripted failure of a publishing request, or of a comment, as the
// network does; it reports whether the request is answered (not for LostAnswer, ChangedShape or
// a Failure it does not know).
func answerFailure(w http.ResponseWriter, f channeltest.Failure, network, account string, comment bool) bool {
	if f == channeltest.Rejected && comment {
		// Graph's refusal of an action it blocks, comments included (error code 368).
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 368,
			Message: "(#368) The action attempted has been deemed abusive or is otherwise disallowed"})
		return true
	}
	switch f {
	case channeltest.RateLimited:
		switch network {
		case "facebook":
			// Page tokens are counted by Business Use Case limits (rate-limiting overview).
			w.Header().Set("X-Business-Use-Case-Usage", fmt.Sprintf(`{"%s":[{"type":"pages","call_count":100,"total_cputime":12,"total_time":15,"estimated_time_to_regain_access":1}]}`, account))
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodePageLimit, Message: "(#32) Page request limit reached"})
		case "instagram":
			w.Header().Set("X-Business-Use-Case-Usage", fmt.Sprintf(`{"%s":[{"type":"instagram","call_count":100,"total_cputime":8,"total_time":10,"estimated_time_to_regain_access":1}]}`, account))
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 80002,
				Message: "There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."})
		default:
			w.Header().Set("X-App-Usage", `{"call_count":100,"total_cputime":9,"total_time":11}`)
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodeAppLimit, Message: "(#4) Application request limit reached"})
		}
	case channeltest.ServerError:
		graphError(w, http.StatusInternalServerError, meta.GraphError{Code: meta.CodeService, Transient: true,
			Message: "An unexpected error has occurred. Please retry your request later."})
	case channeltest.Unauthorized:
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodeToken, Subcode: 460,
			Message: "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."})
	case channeltest.Rejected:
		switch network {
		case "facebook":
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 506, Message: "(#506) Duplicate status message"})
		case "instagram":
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 25, Subcode: 2207050,
				Message: "The Instagram account is restricted.", UserTitle: "Restricted account",
				UserMsg: "The app user's Instagram professional account is inactive, checkpointed, or restricted."})
		default:
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 100, Message: "Invalid parameter",
				UserTitle: "Post could not be published", UserMsg: "This post goes against our Community Guidelines."})
		}
	default:
		return false
	}
	return true
}

// answerCreated answers a publishing request that created id, or fails it as scripted.
func answerCreated(w http.ResponseWriter, f channeltest.Failure, body map[string]any) {
	switch f {
	case channeltest.LostAnswer:
		channeltest.Drop(w)
	case channeltest.ChangedShape:
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	default:
		writeJSON(w, http.StatusOK, body)
	}
}

// Authorize opens a Login dialog's URL as the user's browser would and returns what the
// dialog appended to the redirect URL (code and state), without following the redirect.
func Authorize(authURL string) (url.Values, error) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("authorize: %s: %s", resp.Status, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return nil, err
	}
	return loc.Query(), nil
}
