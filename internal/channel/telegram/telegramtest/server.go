// Package telegramtest is a contract server of the Telegram Bot API (core.telegram.org/bots/api)
// on loopback: /bot<token>/<method> with parameters in the query, JSON, a form or multipart,
// answered as api.telegram.org answers, for the methods Warta calls. It knows bots and chats,
// enforces a bot's rights in a chat, the text, caption, album and file limits, and answers with
// Telegram's own error bodies.
package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // photos Telegram takes: JPEG, PNG, GIF, WebP
	_ "image/jpeg"
	_ "image/png"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	_ "golang.org/x/image/webp"

	"warta.dev/warta/internal/channel/channeltest"
)

// Limits of the Bot API. Text and captions are counted "after entities parsing"; TDLib counts
// them in code points.
const (
	maxText    = 4096       // sendMessage text: 1-4096 characters
	maxCaption = 1024       // caption: 0-1024 characters
	maxPhoto   = 10_000_000 // sendPhoto: "The photo must be at most 10 MB in size"
	// maxFile: "Bots can currently send files of any type of up to 50 MB in size".
	maxFile = 50_000_000
	// Album: "an array describing messages to be sent, must include 2-10 items".
	minAlbum, maxAlbum = 2, 10
	// Photo: "width and height must not exceed 10000 in total. Width and height ratio must be at most 20."
	maxPhotoSides, maxPhotoRatio = 10000, 20
)

// Chat is a chat the server knows.
type Chat struct {
	// ID is assigned by AddChat when zero: -100… for a channel or supergroup.
	ID int64
	// Type is channel, group or supergroup.
	Type  string
	Title string
	// Username is empty for a private chat.
	Username string
	// MembersMayNotSend: the group's permissions forbid members (not administrators) to send.
	MembersMayNotSend bool
}

// Member is a bot's standing in a chat.
type Member struct {
	// Status is creator, administrator, member, restricted, left or kicked.
	Status string
	// CanPost is can_post_messages of a channel's administrator, or can_send_messages of a
	// restricted group member.
	CanPost bool
}

type bot struct {
	id       int64
	username string
	revoked  bool
}

type chat struct {
	Chat
	members map[int64]Member
	nextMsg int64
	recent  []time.Time // sends in the last minute, for the flood limit
	movedTo int64
}

// Server is the contract server. Use New.
type Server struct {
	channeltest.Recorder
	srv *httptest.Server

	mu     sync.Mutex
	tokens map[string]*bot
	bots   map[int64]*bot
	chats  map[int64]*chat
	names  map[string]int64 // lower-case username → chat ID
	files  map[string]bool  // file_ids issued, which may be sent again
	seq    int64
	flood  int
	token  string
	chatID int64
}

// New starts a server with one bot, @warta_test_bot, administrator with "Post messages" of
// the public channel @wartatest.
func New() *Server {
	s := &Server{tokens: map[string]*bot{}, bots: map[int64]*bot{}, chats: map[int64]*chat{},
		names: map[string]int64{}, files: map[string]bool{}}
	s.token = s.AddBot("warta_test_bot")
	s.chatID = s.AddChat(Chat{Type: "channel", Title: "Warta Test", Username: "wartatest"}).ID
	s.SetMember(s.chatID, s.token, Member{Status: "administrator", CanPost: true})
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the Bot API base, to use as the connector's Endpoint.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Token is the first bot's token.
func (s *Server) Token() string { return s.token }

// ChatID is @wartatest's ID.
func (s *Server) ChatID() int64 { return s.chatID }

// ConnectValues are what a user types: the bot's token and the channel's username.
func (s *Server) ConnectValues() map[string]string {
	return map[string]string{"bot_token": s.token, "chat": "@wartatest"}
}

// Revoke invalidates every bot token issued so far, as /revoke in @BotFather does.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.tokens {
		b.revoked = true
	}
}

// AddBot registers a bot and returns its token, shaped as @BotFather's: <bot ID>:<35 characters>.
func (s *Server) AddBot(username string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := 7_000_000_000 + s.seq
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	secret := make([]byte, 35)
	for i := range secret {
		secret[i] = alphabet[rand.IntN(len(alphabet))]
	}
	token := fmt.Sprintf("%d:%s", id, secret)
	b := &bot{id: id, username: username}
	s.tokens[token], s.bots[id] = b, b
	return token
}

// AddChat registers a chat; a zero ID gets one of the right shape for the chat's type.
func (s *Server) AddChat(c Chat) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if c.ID == 0 {
		c.ID = -(4_000_000_000 + s.seq) // a basic group
		if c.Type != "group" {
			c.ID = -(1_000_000_000_000 + 2_000_000_000 + s.seq) // -100 and the internal ID
		}
	}
	s.chats[c.ID] = &chat{Chat: c, members: map[int64]Member{}}
	if c.Username != "" {
		s.names[strings.ToLower(c.Username)] = c.ID
	}
	return c
}

// SetMember sets the standing of the bot with token in a chat.
func (s *Server) SetMember(chatID int64, token string, m Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, b := s.chats[chatID], s.tokens[token]; c != nil && b != nil {
		c.members[b.id] = m
	}
}

// Migrate upgrades a group to a supergroup with a new ID, as Telegram does when a group grows
// or gets a public username; the old ID then answers with migrate_to_chat_id.
func (s *Server) Migrate(groupID int64) int64 {
	s.mu.Lock()
	old := s.chats[groupID]
	s.mu.Unlock()
	if old == nil {
		return 0
	}
	sup := s.AddChat(Chat{Type: "supergroup", Title: old.Title, MembersMayNotSend: old.MembersMayNotSend})
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, m := range old.members {
		s.chats[sup.ID].members[id] = m
	}
	old.movedTo = sup.ID
	return sup.ID
}

// SetFloodLimit makes more than perMinute messages a minute to one chat answer 429, as
// Telegram's flood control does for groups (about 20 a minute); 0, the default, turns it off.
func (s *Server) SetFloodLimit(perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flood = perMinute
}

// apiError is an error answer: {"ok":false,"error_code":…,"description":…,"parameters":…}.
type apiError struct {
	code   int
	desc   string
	params map[string]any
}

func badRequest(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }
func forbidden(desc string) *apiError  { return &apiError{code: 403, desc: "Forbidden: " + desc} }

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func answerError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.params != nil {
		body["parameters"] = e.params
	}
	answer(w, e.code, body)
}

func answerResult(w http.ResponseWriter, result any) {
	answer(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// request holds a call's parameters, wherever they came from.
type request struct {
	params map[string]string
	files  map[string]*multipart.FileHeader
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" {
		answerError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	s.mu.Lock()
	b := s.tokens[token]
	s.mu.Unlock()
	if b == nil || b.revoked {
		answerError(w, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	method = strings.ToLower(method) // "All methods in the Bot API are case-insensitive."
	switch method {
	case "getme", "getchat", "getchatmember", "sendmessage", "sendphoto", "sendvideo", "sendanimation",
		"senddocument", "sendmediagroup":
	default:
		answerError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	q, e := parse(w, r)
	if e != nil {
		answerError(w, e)
		return
	}
	if q.files != nil {
		defer r.MultipartForm.RemoveAll()
	}
	switch method {
	case "getme":
		answerResult(w, map[string]any{"id": b.id, "is_bot": true, "first_name": b.username, "username": b.username,
			"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false})
	case "getchat":
		s.getChat(w, b, q)
	case "getchatmember":
		s.getChatMember(w, b, q)
	default:
		s.send(w, b, method, q)
	}
}

// parse reads parameters as the Bot API takes them: "query string, application/x-www-form-
// urlencoded, application/json (except for uploading files), multipart/form-data".
func parse(w http.ResponseWriter, r *http.Request) (*request, *apiError) {
	r.Body = http.MaxBytesReader(w, r.Body, maxAlbum*maxFile+1<<20)
	q := &request{params: map[string]string{}}
	for k, v := range r.URL.Query() {
		q.params[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ct {
	case "application/json":
		var m map[string]json.RawMessage
		if err = json.NewDecoder(r.Body).Decode(&m); err == nil {
			for k, v := range m {
				var str string
				if json.Unmarshal(v, &str) == nil {
					q.params[k] = str
				} else {
					q.params[k] = string(v) // numbers, objects and arrays as their JSON
				}
			}
		}
	case "application/x-www-form-urlencoded":
		if err = r.ParseForm(); err == nil {
			for k, v := range r.PostForm {
				q.params[k] = v[0]
			}
		}
	case "multipart/form-data":
		if err = r.ParseMultipartForm(32 << 20); err == nil {
			for k, v := range r.MultipartForm.Value {
				q.params[k] = v[0]
			}
			q.files = map[string]*multipart.FileHeader{}
			for k, v := range r.MultipartForm.File {
				q.files[k] = v[0]
			}
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &apiError{code: 413, desc: "Request Entity Too Large"}
	case err != nil && ct == "application/json":
		return nil, badRequest("can't parse JSON object")
	case err != nil:
		return nil, badRequest("can't parse request")
	}
	return q, nil
}

// resolve finds a chat by ID or @username as the bot sees it. The caller holds s.mu.
func (s *Server) resolve(b *bot, ref string) (*chat, *apiError) {
	if ref == "" {
		return nil, badRequest("chat_id is empty")
	}
	var c *chat
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		c = s.chats[id]
	} else if name, ok := strings.CutPrefix(ref, "@"); ok {
		if id, ok := s.names[strings.ToLower(name)]; ok {
			c = s.chats[id]
		}
	}
	if c == nil {
		return nil, badRequest("chat not found")
	}
	if c.movedTo != 0 {
		e := badRequest("group chat was upgraded to a supergroup chat")
		e.params = map[string]any{"migrate_to_chat_id": c.movedTo}
		return nil, e
	}
	if st := c.members[b.id].Status; c.Username == "" && (st == "" || st == "left" || st == "kicked") {
		return nil, badRequest("chat not found") // a private chat is invisible from outside
	}
	return c, nil
}

func chatJSON(c *chat) map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type, "title": c.Title}
	if c.Username != "" {
		m["username"] = c.Username
	}
	return m
}

func (s *Server) getChat(w http.ResponseWriter, b *bot, q *request) {
	s.mu.Lock()
	c, e := s.resolve(b, q.params["chat_id"])
	var full map[string]any
	if e == nil {
		// ChatFullInfo: accent_color_id and max_reaction_count are always present.
		full = chatJSON(c)
		full["accent_color_id"] = 0
		full["max_reaction_count"] = 11
		if c.Type != "channel" {
			full["permissions"] = map[string]any{"can_send_messages": !c.MembersMayNotSend,
				"can_send_photos": !c.MembersMayNotSend, "can_send_videos": !c.MembersMayNotSend,
				"can_send_documents": !c.MembersMayNotSend, "can_send_other_messages": !c.MembersMayNotSend}
		}
	}
	s.mu.Unlock()
	if e != nil {
		answerError(w, e)
		return
	}
	answerResult(w, full)
}

func (s *Server) getChatMember(w http.ResponseWriter, b *bot, q *request) {
	userID, err := strconv.ParseInt(q.params["user_id"], 10, 64)
	if err != nil {
		answerError(w, badRequest("invalid user_id specified"))
		return
	}
	s.mu.Lock()
	c, e := s.resolve(b, q.params["chat_id"])
	var result map[string]any
	if e == nil {
		if st := c.members[b.id].Status; c.Type == "channel" && st != "administrator" && st != "creator" {
			e = badRequest("member list is inaccessible")
		} else {
			result = memberJSON(c, s.bots[userID], userID)
		}
	}
	s.mu.Unlock()
	if e != nil {
		answerError(w, e)
		return
	}
	answerResult(w, result)
}

// memberJSON is a ChatMember object of the user (a bot the server knows, or a stranger).
func memberJSON(c *chat, b *bot, userID int64) map[string]any {
	u := map[string]any{"id": userID, "is_bot": false, "first_name": "User"}
	m := Member{Status: "left"}
	if b != nil {
		u = map[string]any{"id": b.id, "is_bot": true, "first_name": b.username, "username": b.username}
		if got, ok := c.members[b.id]; ok {
			m = got
		}
	}
	out := map[string]any{"status": m.Status, "user": u}
	switch m.Status {
	case "administrator":
		for _, right := range []string{"can_manage_chat", "can_delete_messages", "can_restrict_members",
			"can_change_info", "can_invite_users"} {
			out[right] = true
		}
		for _, right := range []string{"can_be_edited", "is_anonymous", "can_manage_video_chats",
			"can_promote_members", "can_post_stories", "can_edit_stories", "can_delete_stories"} {
			out[right] = false
		}
		if c.Type == "channel" {
			out["can_post_messages"] = m.CanPost
			out["can_edit_messages"] = m.CanPost
		} else {
			out["can_pin_messages"] = true
		}
	case "restricted":
		out["is_member"] = true
		out["can_send_messages"] = m.CanPost
		out["until_date"] = 0
	case "kicked":
		out["until_date"] = 0
	}
	return out
}

// mayPost refuses a send the bot has no right to, with Telegram's words. The caller holds s.mu.
func mayPost(c *chat, m Member) *apiError {
	switch m.Status {
	case "", "left":
		return forbidden("bot is not a member of the " + c.Type + " chat")
	case "kicked":
		return forbidden("bot was kicked from the " + c.Type + " chat")
	case "creator":
		return nil
	}
	if c.Type == "channel" {
		if m.Status == "administrator" && m.CanPost {
			return nil
		}
		return badRequest("need administrator rights in the channel chat")
	}
	if m.Status == "restricted" && !m.CanPost || m.Status == "member" && c.MembersMayNotSend {
		return badRequest("not enough rights to send text messages to the chat")
	}
	return nil
}

// item is one message of a send: its text or caption, and its file.
type item struct {
	kind    string // text, photo, video, animation, document
	caption string
	file    *multipart.FileHeader
	fileID  string // a file sent before
}

// single names the file parameter of the one-file methods.
var single = map[string]string{"sendphoto": "photo", "sendvideo": "video", "sendanimation": "animation", "senddocument": "document"}

// content validates a send's parameters into its messages.
func (s *Server) content(method string, q *request) ([]item, *apiError) {
	if method == "sendmessage" {
		text := q.params["text"]
		switch n := utf8.RuneCountInString(strings.TrimSpace(text)); {
		case n == 0:
			return nil, badRequest("message text is empty")
		case n > maxText:
			return nil, badRequest("message is too long")
		}
		switch q.params["parse_mode"] {
		case "", "HTML", "Markdown", "MarkdownV2":
		default:
			return nil, badRequest("unsupported parse_mode")
		}
		if lp, ok := q.params["link_preview_options"]; ok && !json.Valid([]byte(lp)) {
			return nil, badRequest("can't parse link preview options JSON object")
		}
		return []item{{kind: "text", caption: text}}, nil
	}
	if field, ok := single[method]; ok {
		it := item{kind: field, caption: q.params["caption"]}
		if e := s.attach(&it, q.files[field], q.params[field]); e != nil {
			return nil, e
		}
		return []item{it}, nil
	}
	var media []struct {
		Type, Media, Caption string
	}
	if err := json.Unmarshal([]byte(q.params["media"]), &media); err != nil {
		return nil, badRequest("can't parse media JSON object")
	}
	if len(media) < minAlbum || len(media) > maxAlbum {
		return nil, badRequest("wrong number of media in the album")
	}
	items := make([]item, len(media))
	docs := 0
	for i, m := range media {
		switch m.Type {
		case "photo", "video", "audio":
		case "document":
			docs++
		default:
			return nil, badRequest("can't parse InputMedia: unsupported media type \"" + m.Type + "\"")
		}
		items[i] = item{kind: m.Type, caption: m.Caption}
		var file *multipart.FileHeader
		if name, ok := strings.CutPrefix(m.Media, "attach://"); ok {
			if file = q.files[name]; file == nil {
				return nil, badRequest("can't parse InputMedia: media not found")
			}
		}
		if e := s.attach(&items[i], file, m.Media); e != nil {
			return nil, e
		}
	}
	if docs > 0 && docs < len(media) {
		return nil, badRequest("document can't be mixed with other media types")
	}
	return items, nil
}

// attach checks an item's file: an upload within the limits, or the file_id of an earlier one.
func (s *Server) attach(it *item, file *multipart.FileHeader, ref string) *apiError {
	if utf8.RuneCountInString(strings.TrimSpace(it.caption)) > maxCaption {
		return badRequest("message caption is too long")
	}
	if file == nil {
		s.mu.Lock()
		known := s.files[ref]
		s.mu.Unlock()
		switch {
		case known:
			it.fileID = ref
			return nil
		case ref == "":
			return badRequest("there is no " + it.kind + " in the request")
		case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
			return badRequest("failed to get HTTP URL content") // no fetching from loopback
		}
		return badRequest("wrong file identifier/HTTP URL specified")
	}
	it.file = file
	if file.Size > maxFile {
		return &apiError{code: 413, desc: "Request Entity Too Large"}
	}
	if it.kind != "photo" {
		return nil
	}
	if file.Size > maxPhoto {
		return badRequest("PHOTO_SAVE_FILE_INVALID")
	}
	f, err := file.Open()
	if err != nil {
		return badRequest("IMAGE_PROCESS_FAILED")
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return badRequest("IMAGE_PROCESS_FAILED")
	}
	if cfg.Width+cfg.Height > maxPhotoSides || max(cfg.Width, cfg.Height) > maxPhotoRatio*min(cfg.Width, cfg.Height) {
		return badRequest("PHOTO_INVALID_DIMENSIONS")
	}
	return nil
}

// send handles every send method: rights, limits, scripted failures, the flood limit, then the
// messages.
func (s *Server) send(w http.ResponseWriter, b *bot, method string, q *request) {
	items, e := s.content(method, q)
	if e != nil {
		answerError(w, e)
		return
	}
	s.mu.Lock()
	c, e := s.resolve(b, q.params["chat_id"])
	if e == nil {
		e = mayPost(c, c.members[b.id])
	}
	if e != nil {
		s.mu.Unlock()
		answerError(w, e)
		return
	}
	failure, scripted := s.Failure()
	switch {
	case !scripted, failure == channeltest.LostAnswer:
	case failure == channeltest.RateLimited:
		e = &apiError{code: 429, desc: "Too Many Requests: retry after 60", params: map[string]any{"retry_after": 60}}
	case failure == channeltest.ServerError:
		e = &apiError{code: 500, desc: "Internal Server Error"}
	case failure == channeltest.Unauthorized:
		e = forbidden("bot was kicked from the channel chat")
	case failure == channeltest.Rejected:
		e = badRequest("message is too long")
	case failure == channeltest.ChangedShape:
		s.mu.Unlock()
		answerResult(w, true)
		return
	}
	now := time.Now()
	if e == nil && s.flood > 0 {
		e = s.floodCheck(c, now, len(items))
	}
	if e != nil {
		s.mu.Unlock()
		answerError(w, e)
		return
	}
	messages := make([]map[string]any, len(items))
	post := channeltest.Post{Account: strconv.FormatInt(c.ID, 10), Extra: map[string]any{"method": method}}
	var captions []string
	for i, it := range items {
		c.nextMsg++
		msg := map[string]any{"message_id": c.nextMsg, "date": now.Unix(), "chat": chatJSON(c)}
		if c.Type == "channel" {
			msg["sender_chat"] = chatJSON(c)
		} else {
			msg["from"] = map[string]any{"id": b.id, "is_bot": true, "first_name": b.username, "username": b.username}
		}
		if i == 0 {
			post.ID = fmt.Sprintf("%d:%d", c.ID, c.nextMsg)
		}
		if len(items) > 1 {
			msg["media_group_id"] = post.ID
		}
		if it.kind == "text" {
			msg["text"] = it.caption
			post.Text = it.caption
			messages[i] = msg
			continue
		}
		if it.caption != "" {
			msg["caption"] = it.caption
		}
		captions = append(captions, it.caption)
		s.fileMessage(msg, it, &post)
		messages[i] = msg
	}
	s.mu.Unlock()
	if captions != nil {
		post.Extra["captions"] = captions
		var shown []string // an album shows the captions its items have
		for _, c := range captions {
			if c != "" {
				shown = append(shown, c)
			}
		}
		post.Text = strings.Join(shown, "\n")
	}
	if pm := q.params["parse_mode"]; pm != "" {
		post.Extra["parse_mode"] = pm
	}
	s.Add(post)
	if failure == channeltest.LostAnswer {
		channeltest.Drop(w)
		return
	}
	if method == "sendmediagroup" {
		answerResult(w, messages)
		return
	}
	answerResult(w, messages[0])
}

// fileMessage adds an item's file to its message and to the record. The caller holds s.mu.
func (s *Server) fileMessage(msg map[string]any, it item, post *channeltest.Post) {
	media := channeltest.Media{ID: it.fileID, Alt: "-"} // Telegram keeps no alt text
	if it.file != nil {
		s.seq++
		media.ID = fmt.Sprintf("BQACAgQAAxk%08d", s.seq)
		media.MIME = it.file.Header.Get("Content-Type")
		media.Size = int(it.file.Size)
		s.files[media.ID] = true
	}
	file := map[string]any{"file_id": media.ID, "file_unique_id": "u" + media.ID, "file_size": media.Size}
	switch it.kind {
	case "photo":
		file["width"], file["height"] = 1280, 960
		msg["photo"] = []any{file}
	case "animation":
		msg["animation"] = file
		msg["document"] = file // kept "for backward compatibility" by the Bot API
	default:
		if media.MIME != "" {
			file["mime_type"] = media.MIME
		}
		msg[it.kind] = file
	}
	post.Media = append(post.Media, media)
}

// floodCheck counts messages to a chat in the last minute. The caller holds s.mu.
func (s *Server) floodCheck(c *chat, now time.Time, n int) *apiError {
	keep := c.recent[:0]
	for _, t := range c.recent {
		if now.Sub(t) < time.Minute {
			keep = append(keep, t)
		}
	}
	c.recent = keep
	if len(c.recent)+n > s.flood {
		wait := 60
		if len(c.recent) > 0 {
			wait = int((time.Minute - now.Sub(c.recent[0]) + time.Second - 1) / time.Second)
		}
		return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", wait),
			params: map[string]any{"retry_after": wait}}
	}
	for range n {
		c.recent = append(c.recent, now)
	}
	return nil
}
