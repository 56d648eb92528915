package blueskytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/language"

	"warta.dev/warta/internal/channel/channeltest"
)

const postNSID = "app.bsky.feed.post"

// Limits of the lexicons (app.bsky.feed.post, app.bsky.embed.images, app.bsky.embed.video,
// app.bsky.richtext.facet) as bsky.social applies them.
const (
	maxGraphemes = 300
	maxTextBytes = 3000
	maxImages    = 4
	// "May be up to 2 MB, formerly limited to 1 MB" (docs.bsky.app "Creating a post"); the
	// 0.4 reference PDS still checks 1,000,000.
	maxImageBytes = 2_000_000
	maxVideoBytes = 100_000_000
	maxLangs      = 3
	maxTag        = 64
)

// tid is a record key of kind "tid" (atproto.com/specs/tid).
var tid = regexp.MustCompile(`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`)

// uploadBlob stores the body as a blob of the Content-Type given.
func (s *Server) uploadBlob(w http.ResponseWriter, r *http.Request) {
	if !s.bearer(w, r, false) {
		return
	}
	mime := r.Header.Get("Content-Type")
	if mime == "" {
		fail(w, http.StatusBadRequest, "InvalidRequest", "Request encoding (Content-Type) required but not provided")
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxVideoBytes+1))
	if err != nil {
		return
	}
	failure, scripted := s.Failure()
	if scripted && failure != channeltest.LostAnswer {
		s.scripted(w, failure, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
		return
	}
	if len(data) > maxVideoBytes {
		fail(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
		return
	}
	ref := cid(0x55, data)
	s.mu.Lock()
	s.blobs[ref] = blob{mime: mime, size: len(data)}
	s.mu.Unlock()
	if scripted {
		channeltest.Drop(w)
		return
	}
	reply(w, map[string]any{"blob": map[string]any{"$type": "blob", "ref": map[string]string{"$link": ref}, "mimeType": mime, "size": len(data)}})
}

// scripted answers a scripted failure (LostAnswer is the caller's: it acts first).
func (s *Server) scripted(w http.ResponseWriter, f channeltest.Failure, rejectStatus int, rejectName, rejectMessage string) {
	switch f {
	case channeltest.RateLimited:
		rateLimited(w, 5000, time.Hour, time.Now().Add(time.Minute))
	case channeltest.ServerError:
		fail(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
	case channeltest.Unauthorized:
		// What createRecord answers for an account that can no longer write: no new session helps.
		fail(w, http.StatusUnauthorized, "AccountDeactivated", "Account is deactivated")
	case channeltest.Rejected:
		fail(w, rejectStatus, rejectName, rejectMessage)
	case channeltest.ChangedShape:
		reply(w, map[string]any{"status": "accepted"})
	}
}

// createRecord validates a post against the lexicons, then stores it under its record key.
func (s *Server) createRecord(w http.ResponseWriter, r *http.Request) {
	if !s.bearer(w, r, false) {
		return
	}
	var in struct {
		Repo       string          `json:"repo"`
		Collection string          `json:"collection"`
		Rkey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "InvalidRequest", "Invalid request body: "+err.Error())
		return
	}
	failure, scripted := s.Failure()
	if scripted && failure != channeltest.LostAnswer {
		s.scripted(w, failure, http.StatusBadRequest, "InvalidRequest",
			"Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text")
		return
	}
	if repo := strings.ToLower(in.Repo); repo != s.did && repo != s.handle {
		fail(w, http.StatusBadRequest, "InvalidRequest", "Could not find repo: "+in.Repo)
		return
	}
	if in.Collection != postNSID {
		fail(w, http.StatusBadRequest, "InvalidRequest", "This server keeps only app.bsky.feed.post records, not "+in.Collection)
		return
	}
	key := in.Rkey
	if key == "" {
		key = clockTID()
	} else if !tid.MatchString(key) {
		fail(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Invalid record key for app.bsky.feed.post: Invalid TID string (got %q) at $", key))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	post, status, name, msg := s.validate(in.Record)
	if status != 0 {
		fail(w, status, name, msg)
		return
	}
	if _, taken := s.records[key]; taken {
		// The reference PDS fails on a taken key with a bare 500 (bluesky-social/atproto#3718).
		fail(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	}
	uri := fmt.Sprintf("at://%s/%s/%s", s.did, postNSID, key)
	rec := &record{uri: uri, cid: cid(0x71, in.Record), value: in.Record, parent: post.ReplyTo, at: time.Now()}
	s.records[key] = rec
	if rec.parent != "" {
		s.replies[rec.parent]++
	}
	post.ID, post.Account, post.Key = uri, s.did, key
	s.Add(post)
	if scripted {
		channeltest.Drop(w)
		return
	}
	reply(w, map[string]any{"uri": uri, "cid": rec.cid, "commit": map[string]string{"cid": cid(0x71, []byte(uri)), "rev": clockTID()},
		"validationStatus": "valid"})
}

// postIn is the part of app.bsky.feed.post checked here.
type postIn struct {
	Type      string          `json:"$type"`
	Text      *string         `json:"text"`
	CreatedAt string          `json:"createdAt"`
	Langs     []string        `json:"langs"`
	Facets    json.RawMessage `json:"facets"`
	Embed     json.RawMessage `json:"embed"`
	Reply     *struct {
		Root   *strongRef `json:"root"`
		Parent *strongRef `json:"parent"`
	} `json:"reply"`
}

type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

type facetIn struct {
	Index *struct {
		ByteStart *int `json:"byteStart"`
		ByteEnd   *int `json:"byteEnd"`
	} `json:"index"`
	Features []struct {
		Type string `json:"$type"`
		URI  string `json:"uri"`
		DID  string `json:"did"`
		Tag  string `json:"tag"`
	} `json:"features"`
}

type blobRef struct {
	Type string `json:"$type"`
	Ref  struct {
		Link string `json:"$link"`
	} `json:"ref"`
	MimeType string `json:"mimeType"`
	Size     int    `json:"size"`
}

type aspectIn struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// invalid is the lexicon validator's message: "Invalid app.bsky.feed.post record: <what> at <where>".
func invalid(what, where string) (channeltest.Post, int, string, string) {
	return channeltest.Post{}, http.StatusBadRequest, "InvalidRequest", "Invalid app.bsky.feed.post record: " + what + " at " + where
}

// validate checks a post record and returns it as recorded; status 0 when it is valid.
// Called with s.mu held.
func (s *Server) validate(raw json.RawMessage) (channeltest.Post, int, string, string) {
	var p postIn
	if err := json.Unmarshal(raw, &p); err != nil {
		return invalid("Record must be an object: "+err.Error(), "$.record")
	}
	if p.Type != postNSID {
		return invalid(fmt.Sprintf("Invalid $type: expected %s, got %q", postNSID, p.Type), "$.record")
	}
	if p.Text == nil {
		return invalid(`Missing required key "text"`, "$.record")
	}
	text := *p.Text
	if n := uniseg.GraphemeClusterCount(text); n > maxGraphemes {
		return invalid(fmt.Sprintf("grapheme too big (maximum %d, got %d)", maxGraphemes, n), "$.record.text")
	}
	if len(text) > maxTextBytes {
		return invalid(fmt.Sprintf("string too big (maximum %d, got %d)", maxTextBytes, len(text)), "$.record.text")
	}
	if p.CreatedAt == "" {
		return invalid(`Missing required key "createdAt"`, "$.record")
	}
	if _, err := time.Parse(time.RFC3339Nano, p.CreatedAt); err != nil {
		return invalid("Invalid datetime string", "$.record.createdAt")
	}
	if len(p.Langs) > maxLangs {
		return invalid(fmt.Sprintf("array too big (maximum %d, got %d)", maxLangs, len(p.Langs)), "$.record.langs")
	}
	for i, l := range p.Langs {
		if _, err := language.Parse(l); err != nil {
			return invalid("Invalid language", fmt.Sprintf("$.record.langs[%d]", i))
		}
	}
	post := channeltest.Post{Text: text, Extra: map[string]any{}}
	if len(p.Facets) > 0 {
		var facets []facetIn
		if err := json.Unmarshal(p.Facets, &facets); err != nil {
			return invalid("Expected array value type", "$.record.facets")
		}
		for i, f := range facets {
			if what := s.checkFacet(text, f); what != "" {
				return invalid(what, fmt.Sprintf("$.record.facets[%d]", i))
			}
		}
		post.Extra["facets"] = generic(p.Facets)
	}
	if len(p.Embed) > 0 {
		media, what, where := s.checkEmbed(p.Embed)
		if what != "" {
			if strings.HasPrefix(what, "Could not find blob") {
				return channeltest.Post{}, http.StatusBadRequest, "BlobNotFound", what
			}
			return invalid(what, where)
		}
		post.Media = media
		post.Extra["embed"] = generic(p.Embed)
	}
	if p.Reply != nil {
		if p.Reply.Root == nil || p.Reply.Parent == nil {
			return invalid(`Missing required key "root" or "parent"`, "$.record.reply")
		}
		// The AppView shows a reply to a post that is not there as a broken thread.
		for _, ref := range []*strongRef{p.Reply.Root, p.Reply.Parent} {
			if !s.exists(*ref) {
				return invalid("reply to a post that is not in this repository: "+ref.URI, "$.record.reply")
			}
		}
		post.ReplyTo = p.Reply.Parent.URI
	}
	return post, 0, "", ""
}

// checkFacet checks a facet's range and that the text there is what the feature says: the
// reference PDS stores any range, and the AppView drops or misplaces a wrong one, so a user
// would see a dead link or a link on the wrong words.
func (s *Server) checkFacet(text string, f facetIn) string {
	if f.Index == nil || f.Index.ByteStart == nil || f.Index.ByteEnd == nil {
		return `Missing required key "index" with "byteStart" and "byteEnd"`
	}
	start, end := *f.Index.ByteStart, *f.Index.ByteEnd
	if start < 0 || end <= start || end > len(text) {
		return fmt.Sprintf("byte range %d–%d outside the text's %d bytes", start, end, len(text))
	}
	if !utf8.RuneStart(text[start]) || (end < len(text) && !utf8.RuneStart(text[end])) {
		return fmt.Sprintf("byte range %d–%d cuts a character in two", start, end)
	}
	if len(f.Features) == 0 {
		return "a facet without features"
	}
	covered := text[start:end]
	for _, ft := range f.Features {
		switch ft.Type {
		case "app.bsky.richtext.facet#link":
			if u, err := url.Parse(ft.URI); err != nil || u.Scheme == "" || u.Host == "" {
				return fmt.Sprintf("invalid link uri %q", ft.URI)
			}
			if covered != ft.URI {
				return fmt.Sprintf("link %s on the text %q", ft.URI, covered)
			}
		case "app.bsky.richtext.facet#mention":
			handle := strings.TrimPrefix(covered, "@")
			if !strings.HasPrefix(covered, "@") || s.handles[strings.ToLower(handle)] != ft.DID {
				return fmt.Sprintf("mention of %s on the text %q", ft.DID, covered)
			}
		case "app.bsky.richtext.facet#tag":
			if ft.Tag == "" || uniseg.GraphemeClusterCount(ft.Tag) > maxTag {
				return fmt.Sprintf("tag %q empty or longer than %d graphemes", ft.Tag, maxTag)
			}
			if covered != "#"+ft.Tag && covered != "＃"+ft.Tag {
				return fmt.Sprintf("tag %q on the text %q", ft.Tag, covered)
			}
		default:
			return fmt.Sprintf("unknown facet feature %q", ft.Type)
		}
	}
	return ""
}

// checkEmbed checks images, a video or a link card, and returns the media as recorded.
func (s *Server) checkEmbed(raw json.RawMessage) ([]channeltest.Media, string, string) {
	var e struct {
		Type   string `json:"$type"`
		Images []struct {
			Image       *blobRef  `json:"image"`
			Alt         *string   `json:"alt"`
			AspectRatio *aspectIn `json:"aspectRatio"`
		} `json:"images"`
		Video       *blobRef  `json:"video"`
		Alt         string    `json:"alt"`
		AspectRatio *aspectIn `json:"aspectRatio"`
		External    *struct {
			URI         *string `json:"uri"`
			Title       *string `json:"title"`
			Description *string `json:"description"`
		} `json:"external"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, "Expected object value type", "$.record.embed"
	}
	switch e.Type {
	case "app.bsky.embed.images":
		if len(e.Images) == 0 {
			return nil, `Missing required key "images"`, "$.record.embed"
		}
		if len(e.Images) > maxImages {
			return nil, fmt.Sprintf("array too big (maximum %d, got %d)", maxImages, len(e.Images)), "$.record.embed.images"
		}
		var media []channeltest.Media
		for i, img := range e.Images {
			where := fmt.Sprintf("$.record.embed.images[%d]", i)
			if img.Alt == nil {
				return nil, `Missing required key "alt"`, where
			}
			if what := s.checkBlob(img.Image, "image/", maxImageBytes); what != "" {
				return nil, what, where + ".image"
			}
			if a := img.AspectRatio; a != nil && (a.Width < 1 || a.Height < 1) {
				return nil, "aspectRatio width and height must be at least 1", where + ".aspectRatio"
			}
			media = append(media, channeltest.Media{ID: img.Image.Ref.Link, MIME: img.Image.MimeType, Size: img.Image.Size, Alt: *img.Alt})
		}
		return media, "", ""
	case "app.bsky.embed.video":
		// lexicon app.bsky.embed.video: accept ["video/mp4"], maxSize 100000000.
		if what := s.checkBlob(e.Video, "video/mp4", maxVideoBytes); what != "" {
			return nil, what, "$.record.embed.video"
		}
		return []channeltest.Media{{ID: e.Video.Ref.Link, MIME: e.Video.MimeType, Size: e.Video.Size, Alt: e.Alt}}, "", ""
	case "app.bsky.embed.external":
		x := e.External
		if x == nil || x.URI == nil || x.Title == nil || x.Description == nil {
			return nil, `Missing required key "uri", "title" or "description"`, "$.record.embed.external"
		}
		if u, err := url.Parse(*x.URI); err != nil || u.Host == "" {
			return nil, "Invalid uri", "$.record.embed.external.uri"
		}
		return nil, "", ""
	}
	return nil, fmt.Sprintf("unsupported embed $type %q", e.Type), "$.record.embed"
}

// checkBlob checks a blob reference against what was uploaded.
func (s *Server) checkBlob(b *blobRef, accept string, max int) string {
	if b == nil || b.Type != "blob" || b.Ref.Link == "" {
		return "Expected blob ref value type"
	}
	stored, ok := s.blobs[b.Ref.Link]
	if !ok {
		return "Could not find blob: " + b.Ref.Link
	}
	if b.MimeType != stored.mime || b.Size != stored.size {
		return "the blob reference does not match the uploaded blob"
	}
	if !strings.HasPrefix(b.MimeType, accept) {
		return fmt.Sprintf("Wrong type of file. It is %s but it must match %s", b.MimeType, accept)
	}
	if b.Size > max {
		return fmt.Sprintf("blob too big (maximum %d, got %d)", max, b.Size)
	}
	return ""
}

// exists tells whether a strong reference names a post held here at that version.
func (s *Server) exists(ref strongRef) bool {
	r := s.byURI(ref.URI)
	return r != nil && r.cid == ref.CID
}

// byURI finds a post of the account by its at:// URI. Called with s.mu held.
func (s *Server) byURI(uri string) *record {
	key, ok := strings.CutPrefix(uri, "at://"+s.did+"/"+postNSID+"/")
	if !ok {
		return nil
	}
	return s.records[key]
}

// generic decodes JSON for Post.Extra.
func generic(raw json.RawMessage) any {
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

// clockTID makes a TID from the clock, as the PDS does for a record without a key.
func clockTID() string {
	const chars = "234567abcdefghijklmnopqrstuvwxyz"
	v := uint64(time.Now().UnixMicro())<<10 | uint64(randomBytes(1)[0])
	var b [13]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = chars[v&31]
		v >>= 5
	}
	return string(b[:])
}
