// Package webhooktest is one contract server for the four webhook networks, on loopback, each
// at its own paths and answering as the real one does:
//
//	POST /services/T…/B…/<secret>                      Slack incoming webhook
//	GET, POST /api[/v<n>]/webhooks/<id>/<token>        Discord webhook
//	POST /workflows/<id>/triggers/manual/paths/invoke  Teams workflow (Power Automate)
//	POST /hook                                         Warta's generic signed webhook
package webhooktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
)

// Limits the networks document.
const (
	// Slack: "truncate messages containing more than 40,000 characters" says chat.postMessage;
	// the server refuses them instead (msg_too_long), so going over shows as a failure.
	slackMaxText = 40000
	// Discord Execute Webhook: content "the message contents (up to 2000 characters)", up to 10
	// files, attachment description up to 1024 characters, 10 MiB per request without boosts.
	discordMaxContent, discordMaxFiles, discordMaxDescription = 2000, 10, 1024
	discordMaxBody                                            = 10 << 20
	// The generic webhook's receiver refuses timestamps further than this from its clock.
	hookTolerance = 5 * time.Minute
)

// IDs the server's webhooks live at.
const (
	slackTeam, slackHook = "TWARTA0001", "BWARTA0002"
	discordID            = "1300000000000000001"
	discordGuild         = "1200000000000000001"
	discordChannel       = "1200000000000000002"
	teamsWorkflow        = "6f1e2d3c4b5a69788796a5b4c3d2e1f0"
)

// Server is the contract server. Use New.
type Server struct {
	channeltest.Recorder
	srv *httptest.Server

	mu           sync.Mutex
	slackSecret  string
	discordToken string
	teamsSig     string
	hookSecret   string
	deliveries   map[string]string // X-Warta-Delivery → the ID answered
	seq          int64
}

// New starts a server with one webhook of each kind.
func New() *Server {
	s := &Server{deliveries: map[string]string{}}
	s.rotate()
	s.srv = httptest.NewServer(s)
	return s
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// rotate issues new secrets; the caller holds s.mu or is New.
func (s *Server) rotate() {
	s.slackSecret = strings.ToUpper(random(12))[:24]
	s.discordToken = "wH" + random(32)
	s.teamsSig = random(22)
	s.hookSecret = random(32)
}

// URL is the server's base URL, to use as the connector's Endpoint.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// URLFor is the webhook address a user copies for a network.
func (s *Server) URLFor(n channel.Network) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch n {
	case channel.Slack:
		return s.srv.URL + "/services/" + slackTeam + "/" + slackHook + "/" + s.slackSecret
	case channel.Discord:
		return s.srv.URL + "/api/webhooks/" + discordID + "/" + s.discordToken
	case channel.Teams:
		return s.srv.URL + "/workflows/" + teamsWorkflow + "/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + s.teamsSig
	}
	return s.srv.URL + "/hook"
}

// ConnectValuesFor are the connect form's values for a network.
func (s *Server) ConnectValuesFor(n channel.Network) map[string]string {
	v := map[string]string{"url": s.URLFor(n)}
	if n == channel.Webhook {
		v["secret"] = s.HookSecret()
	}
	return v
}

// ConnectValues are the generic webhook's values.
func (s *Server) ConnectValues() map[string]string { return s.ConnectValuesFor(channel.Webhook) }

// HookSecret is the signing secret the generic receiver verifies with.
func (s *Server) HookSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hookSecret
}

// SetHookSecret makes the generic receiver verify with another secret (one Warta generated).
func (s *Server) SetHookSecret(secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hookSecret = secret
}

// Revoke regenerates every webhook, as deleting and recreating them does: the old addresses and
// the old signing secret stop working.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate()
}

func (s *Server) nextID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq
}

var (
	slackPath   = regexp.MustCompile(`^/services/(T[A-Z0-9]+)/(B[A-Z0-9]+)/([A-Za-z0-9]+)$`)
	discordPath = regexp.MustCompile(`^/api(?:/v([0-9]+))?/webhooks/([0-9]+)/([A-Za-z0-9_-]+)$`)
	teamsPath   = regexp.MustCompile(`^(?:/powerautomate/automations/direct)?/workflows/([0-9A-Za-z]+)/triggers/manual/paths/invoke$`)
)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case slackPath.MatchString(p):
		s.slack(w, r, slackPath.FindStringSubmatch(p))
	case discordPath.MatchString(p):
		s.discord(w, r, discordPath.FindStringSubmatch(p))
	case teamsPath.MatchString(p):
		s.teams(w, r, teamsPath.FindStringSubmatch(p)[1])
	case p == "/hook":
		s.hook(w, r)
	default:
		http.NotFound(w, r)
	}
}

func text(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// signInPage is what a proxy or a sign-in wall answers in place of the webhook.
const signInPage = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>"

func signIn(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, signInPage)
}

var slackUnescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// slackPings are Slack's special mentions, read only in their unescaped <!…> form.
var slackPings = regexp.MustCompile(`<!(channel|here|everyone)(\|[^>]*)?>`)

// slack answers as an incoming webhook: "ok", or a plain-text error code with its status
// (docs.slack.dev, incoming webhooks, "Handling errors").
func (s *Server) slack(w http.ResponseWriter, r *http.Request, m []string) {
	s.mu.Lock()
	known := m[1] == slackTeam && m[2] == slackHook && m[3] == s.slackSecret
	s.mu.Unlock()
	if !known {
		text(w, http.StatusNotFound, "no_service")
		return
	}
	if r.Method != http.MethodPost {
		text(w, http.StatusBadRequest, "invalid_payload")
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" { // the older payload=<JSON> form
		form, _ := url.ParseQuery(string(raw))
		raw = []byte(form.Get("payload"))
	}
	var msg struct {
		Text     *string         `json:"text"`
		Blocks   json.RawMessage `json:"blocks"`
		Metadata *struct {
			EventType    string         `json:"event_type"`
			EventPayload map[string]any `json:"event_payload"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &msg); err != nil {
		text(w, http.StatusBadRequest, "invalid_payload")
		return
	}
	if (msg.Text == nil || *msg.Text == "") && len(msg.Blocks) == 0 {
		text(w, http.StatusBadRequest, "no_text")
		return
	}
	body := ""
	if msg.Text != nil {
		body = *msg.Text
	}
	if utf8.RuneCountInString(body) > slackMaxText {
		text(w, http.StatusBadRequest, "msg_too_long")
		return
	}
	failure, _ := s.Failure()
	switch failure {
	case channeltest.RateLimited:
		w.Header().Set("Retry-After", "60")
		text(w, http.StatusTooManyRequests, "rate_limited")
		return
	case channeltest.ServerError:
		text(w, http.StatusInternalServerError, "rollup_error")
		return
	case channeltest.Unauthorized:
		text(w, http.StatusNotFound, "no_service")
		return
	case channeltest.Rejected:
		text(w, http.StatusGone, "channel_is_archived")
		return
	case channeltest.ChangedShape:
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	}
	// Slack gives no message ID to a webhook: the record uses the key in the metadata.
	post := channeltest.Post{ID: fmt.Sprintf("slack-%d", s.nextID()), Account: slackHook, Text: slackUnescaper.Replace(body),
		Extra: map[string]any{"pings": slackPings.MatchString(body)}}
	if msg.Metadata != nil {
		if key, ok := msg.Metadata.EventPayload["key"].(string); ok && key != "" {
			post.ID, post.Key = key, key
		}
	}
	s.Add(post)
	if failure == channeltest.LostAnswer {
		channeltest.Drop(w)
		return
	}
	text(w, http.StatusOK, "ok")
}

func discordError(w http.ResponseWriter, status, code int, message string, errs map[string]any) {
	body := map[string]any{"message": message, "code": code}
	if errs != nil {
		body["errors"] = errs
	}
	writeJSON(w, status, body)
}

// fieldError is Discord's nested form error: {"content": {"_errors": [{code, message}]}}.
func fieldError(field, code, message string) map[string]any {
	return map[string]any{field: map[string]any{"_errors": []any{map[string]any{"code": code, "message": message}}}}
}

func snowflake(n int64) string { return strconv.FormatInt(1_310_000_000_000_000_000+n, 10) }

// discord answers as Discord's Get Webhook with Token and Execute Webhook.
func (s *Server) discord(w http.ResponseWriter, r *http.Request, m []string) {
	s.mu.Lock()
	token := s.discordToken
	s.mu.Unlock()
	switch {
	case m[2] != discordID:
		discordError(w, http.StatusNotFound, 10015, "Unknown Webhook", nil)
		return
	case m[3] != token:
		discordError(w, http.StatusUnauthorized, 50027, "Invalid Webhook Token", nil)
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"application_id": nil, "avatar": nil, "channel_id": discordChannel,
			"guild_id": discordGuild, "id": discordID, "name": "Warta", "type": 1, "token": token})
		return
	case http.MethodPost:
	default:
		discordError(w, http.StatusMethodNotAllowed, 0, "405: Method Not Allowed", nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, discordMaxBody)
	var payload struct {
		Content         string `json:"content"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
		Attachments []struct {
			ID          json.Number `json:"id"`
			Filename    string      `json:"filename"`
			Description string      `json:"description"`
		} `json:"attachments"`
	}
	var files []*multipart.FileHeader
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&payload); err != nil {
			s.discordBodyError(w, err, 50109, "The request body contains invalid JSON.")
			return
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(discordMaxBody); err != nil {
			s.discordBodyError(w, err, 50035, "Invalid Form Body")
			return
		}
		defer r.MultipartForm.RemoveAll()
		if pj := r.MultipartForm.Value["payload_json"]; len(pj) > 0 {
			if err := json.Unmarshal([]byte(pj[0]), &payload); err != nil {
				discordError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.", nil)
				return
			}
		}
		for i := range len(r.MultipartForm.File) {
			f := r.MultipartForm.File[fmt.Sprintf("files[%d]", i)]
			if len(f) == 0 {
				discordError(w, http.StatusBadRequest, 50035, "Invalid Form Body", fieldError("files", "BASE_TYPE_REQUIRED", "This field is required"))
				return
			}
			files = append(files, f[0])
		}
	default:
		discordError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.", nil)
		return
	}
	switch {
	case utf8.RuneCountInString(payload.Content) > discordMaxContent:
		discordError(w, http.StatusBadRequest, 50035, "Invalid Form Body",
			fieldError("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."))
		return
	case strings.TrimSpace(payload.Content) == "" && len(files) == 0:
		discordError(w, http.StatusBadRequest, 50006, "Cannot send an empty message", nil)
		return
	case len(files) > discordMaxFiles:
		discordError(w, http.StatusBadRequest, 50035, "Invalid Form Body",
			fieldError("files", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
		return
	}
	alts := map[string]string{}
	for _, a := range payload.Attachments {
		if utf8.RuneCountInString(a.Description) > discordMaxDescription {
			discordError(w, http.StatusBadRequest, 50035, "Invalid Form Body",
				fieldError("attachments", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length."))
			return
		}
		alts[a.ID.String()] = a.Description
	}
	failure, _ := s.Failure()
	switch failure {
	case channeltest.RateLimited:
		h := w.Header()
		h.Set("Retry-After", "60")
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset-After", "60.000")
		h.Set("X-RateLimit-Bucket", "webhook-"+discordID)
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": 60.0, "global": false})
		return
	case channeltest.ServerError:
		discordError(w, http.StatusInternalServerError, 0, "500: Internal Server Error", nil)
		return
	case channeltest.Unauthorized:
		discordError(w, http.StatusNotFound, 10015, "Unknown Webhook", nil)
		return
	case channeltest.Rejected:
		discordError(w, http.StatusBadRequest, 50035, "Invalid Form Body",
			fieldError("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."))
		return
	case channeltest.ChangedShape:
		writeJSON(w, http.StatusOK, map[string]any{"type": 0, "content": payload.Content})
		return
	}
	// Without allowed_mentions Discord parses @everyone and @here in the content and notifies.
	everyone := strings.Contains(payload.Content, "@everyone") || strings.Contains(payload.Content, "@here")
	if am := payload.AllowedMentions; am != nil {
		everyone = everyone && strings.Contains(strings.Join(am.Parse, ","), "everyone")
	}
	id := snowflake(s.nextID())
	post := channeltest.Post{ID: id, Account: discordID, Text: payload.Content, Extra: map[string]any{"mention_everyone": everyone}}
	attachments := []any{}
	for i, f := range files {
		aid := snowflake(s.nextID())
		alt := alts[strconv.Itoa(i)]
		post.Media = append(post.Media, channeltest.Media{ID: aid, MIME: f.Header.Get("Content-Type"), Size: int(f.Size), Alt: alt})
		attachments = append(attachments, map[string]any{"id": aid, "filename": f.Filename, "description": alt,
			"content_type": f.Header.Get("Content-Type"), "size": f.Size,
			"url": "https://cdn.discordapp.com/attachments/" + discordChannel + "/" + aid + "/" + f.Filename})
	}
	s.Add(post)
	if failure == channeltest.LostAnswer {
		channeltest.Drop(w)
		return
	}
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": id, "type": 0, "content": payload.Content, "channel_id": discordChannel,
		"author":      map[string]any{"bot": true, "id": discordID, "username": "Warta", "avatar": nil, "discriminator": "0000"},
		"attachments": attachments, "embeds": []any{}, "mentions": []any{}, "mention_roles": []any{},
		"pinned": false, "mention_everyone": everyone, "tts": false, "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"edited_timestamp": nil, "flags": 0, "components": []any{}, "webhook_id": discordID,
	})
}

// discordBodyError answers a body that could not be read: too large (413) or malformed.
func (s *Server) discordBodyError(w http.ResponseWriter, err error, code int, message string) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		discordError(w, http.StatusRequestEntityTooLarge, 40005, "Request entity too large", nil)
		return
	}
	discordError(w, http.StatusBadRequest, code, message, nil)
}

func teamsError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
}

// teams answers as a Power Automate request trigger: the shared-access signature in the query,
// then the body checked against the "Post to a channel when a webhook request is received"
// template's schema (an Adaptive Card message), then 202 Accepted with the run's ID.
func (s *Server) teams(w http.ResponseWriter, r *http.Request, workflow string) {
	q := r.URL.Query()
	s.mu.Lock()
	sig := s.teamsSig
	s.mu.Unlock()
	switch {
	case workflow != teamsWorkflow:
		teamsError(w, http.StatusNotFound, "WorkflowNotFound", "The workflow '"+workflow+"' could not be found.")
		return
	case q.Get("sig") == "":
		teamsError(w, http.StatusUnauthorized, "DirectApiAuthorizationRequired",
			"The request must be authenticated only by Shared Access scheme.")
		return
	case q.Get("sig") != sig:
		teamsError(w, http.StatusUnauthorized, "DirectApiInvalidAuthorizationSignature",
			"The provided authorization signature is not valid.")
		return
	case q.Get("api-version") == "":
		teamsError(w, http.StatusBadRequest, "MissingApiVersionParameter",
			"The api-version query parameter (?api-version=) is required for all requests.")
		return
	case r.Method != http.MethodPost:
		teamsError(w, http.StatusMethodNotAllowed, "InvalidRequestMethod", "The request method '"+r.Method+"' is not supported.")
		return
	}
	var msg struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type    string `json:"type"`
				Version string `json:"version"`
				Body    []struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&msg); err != nil {
		teamsError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content is not valid and could not be deserialized.")
		return
	}
	mismatch := func(detail string) {
		teamsError(w, http.StatusBadRequest, "TriggerInputSchemaMismatch",
			"The input body for trigger 'manual' of type 'Request' did not match its schema definition. Error details: '"+detail+"'.")
	}
	if msg.Type != "message" || len(msg.Attachments) == 0 {
		mismatch("Required properties are missing from object: type, attachments.")
		return
	}
	var texts []string
	for _, a := range msg.Attachments {
		if a.ContentType != "application/vnd.microsoft.card.adaptive" || a.Content.Type != "AdaptiveCard" || a.Content.Version == "" {
			mismatch("Invalid type. Expected an Adaptive Card attachment.")
			return
		}
		for _, b := range a.Content.Body {
			if b.Type == "TextBlock" {
				texts = append(texts, b.Text)
			}
		}
	}
	failure, _ := s.Failure()
	switch failure {
	case channeltest.RateLimited:
		w.Header().Set("Retry-After", "60")
		teamsError(w, http.StatusTooManyRequests, "WorkflowRequestsThrottled",
			"Number of requests exceeded the limit of 100 over time window of 00:01:00.")
		return
	case channeltest.ServerError:
		teamsError(w, http.StatusInternalServerError, "InternalServerError", "Encountered internal server error.")
		return
	case channeltest.Unauthorized:
		teamsError(w, http.StatusUnauthorized, "DirectApiInvalidAuthorizationSignature", "The provided authorization signature is not valid.")
		return
	case channeltest.Rejected:
		mismatch("String '' is less than minimum length of 1. Path 'attachments[0].content.body[0].text'.")
		return
	case channeltest.ChangedShape:
		signIn(w)
		return
	}
	run := fmt.Sprintf("08584%015dCU%02d", s.nextID(), 12)
	s.Add(channeltest.Post{ID: run, Account: teamsWorkflow, Text: strings.Join(texts, "\n")})
	if failure == channeltest.LostAnswer {
		channeltest.Drop(w)
		return
	}
	w.Header().Set("x-ms-workflow-run-id", run)
	w.Header().Set("x-ms-workflow-name", teamsWorkflow)
	w.WriteHeader(http.StatusAccepted)
}

func hookError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"error": message})
}

// hookFailure answers a scripted failure as a receiver would.
func hookFailure(w http.ResponseWriter, f channeltest.Failure) {
	switch f {
	case channeltest.RateLimited:
		w.Header().Set("Retry-After", "60")
		hookError(w, http.StatusTooManyRequests, "too many deliveries, slow down")
	case channeltest.ServerError:
		hookError(w, http.StatusInternalServerError, "internal error")
	case channeltest.Unauthorized:
		hookError(w, http.StatusUnauthorized, "invalid signature")
	case channeltest.Rejected:
		hookError(w, http.StatusUnprocessableEntity, "the receiver refused the text")
	case channeltest.ChangedShape:
		signIn(w)
	}
}

// hook is a receiver of Warta's generic webhook that does what the package documentation of
// internal/channel/webhook asks: it checks the timestamp and the signature, refuses a body
// that is not the documented JSON, and handles each delivery once.
func (s *Server) hook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		hookError(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	ts := r.Header.Get("X-Warta-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > hookTolerance {
		hookError(w, http.StatusUnauthorized, "stale or missing timestamp")
		return
	}
	s.mu.Lock()
	mac := hmac.New(sha256.New, []byte(s.hookSecret))
	s.mu.Unlock()
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	got, err := hex.DecodeString(strings.TrimPrefix(r.Header.Get("X-Warta-Signature"), "sha256="))
	if err != nil || !strings.HasPrefix(r.Header.Get("X-Warta-Signature"), "sha256=") || !hmac.Equal(got, mac.Sum(nil)) {
		hookError(w, http.StatusUnauthorized, "invalid signature")
		return
	}
	delivery := r.Header.Get("X-Warta-Delivery")
	var msg struct {
		ID       string `json:"id"`
		Text     string `json:"text"`
		Language string `json:"language"`
		SentAt   string `json:"sent_at"`
		Media    []struct {
			Name, MIME, Kind, Alt, URL string
			Size                       int
		} `json:"media"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&msg); err != nil || msg.ID == "" || msg.SentAt == "" || msg.Media == nil {
		hookError(w, http.StatusBadRequest, "invalid payload")
		return
	}
	if delivery == "" || delivery != msg.ID {
		hookError(w, http.StatusBadRequest, "X-Warta-Delivery must name the payload's id")
		return
	}
	// One lock from the duplicate check to the record, so two copies of a delivery arriving at
	// once make one post.
	s.mu.Lock()
	if done, seen := s.deliveries[delivery]; seen {
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"id": done}) // handled already: same answer, nothing new
		return
	}
	failure, _ := s.Failure()
	if failure != "" && failure != channeltest.LostAnswer {
		s.mu.Unlock()
		hookFailure(w, failure)
		return
	}
	s.seq++
	id := fmt.Sprintf("evt_%d", s.seq)
	s.deliveries[delivery] = id
	post := channeltest.Post{ID: id, Account: "hook", Text: msg.Text, Key: delivery,
		Extra: map[string]any{"language": msg.Language}}
	for _, m := range msg.Media {
		post.Media = append(post.Media, channeltest.Media{ID: m.Name, MIME: m.MIME, Size: m.Size, Alt: m.Alt})
	}
	s.Add(post)
	s.mu.Unlock()
	if failure == channeltest.LostAnswer {
		channeltest.Drop(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id})
}
