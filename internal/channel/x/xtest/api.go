package xtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"image"
	_ "image/gif" // media X takes
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
)

// Limits of media upload v2 (docs.x.com media "Image 5 MB, GIF 15 MB, Video 512 MB"; an
// APPEND segment at most 5 MB, segment_index 0–999) and of alt text (1,000 characters).
const (
	mb          = 1 << 20
	segmentMax  = 5 * mb
	segmentsMax = 1000
	altMax      = 1000
)

var categoryMax = map[string]int64{"tweet_image": 5 * mb, "tweet_gif": 15 * mb, "tweet_video": 512 * mb, "amplify_video": 512 * mb}

type upload struct {
	id, owner, category, mime, alt string
	total                          int64
	segments                       map[int]int64
	state                          string // uploading, pending, in_progress, succeeded
	pollsLeft                      int
}

type tweet struct {
	id, author, text, replyTo      string
	created                        time.Time
	likes, retweets, quotes, views int64
	replies                        int64
}

// Engage gives a post what readers did with it, for Metrics.
func (s *Server) Engage(id string, likes, retweets, quotes, views int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tweets[id]; t != nil {
		t.likes, t.retweets, t.quotes, t.views = likes, retweets, quotes, views
	}
}

// createTweet is POST /2/tweets (docs.x.com "Create or Edit Post").
func (s *Server) createTweet(w http.ResponseWriter, r *http.Request) {
	u, ok := s.auth(w, r, "tweets/create", "tweet.write", "tweet.read", "users.read")
	if !ok {
		return
	}
	var req struct {
		Text  *string `json:"text"`
		Media *struct {
			MediaIDs []string `json:"media_ids"`
		} `json:"media"`
		Reply *struct {
			InReplyTo string `json:"in_reply_to_tweet_id"`
		} `json:"reply"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		invalid(w, err.Error())
		return
	}
	if f, scripted := s.Failure(); scripted && s.fail(w, f, u, req.Text) {
		return
	}
	text := ""
	if req.Text != nil {
		text = *req.Text
	}
	var ids []string
	if req.Media != nil {
		ids = req.Media.MediaIDs
	}
	if text == "" && len(ids) == 0 {
		invalid(w, "You must provide either text or media.")
		return
	}
	if n := channel.Count(channel.X, text, channel.CountOptions{}); n > 280 { // twitter-text v3: 280 weighted
		invalid(w, "Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var media []channeltest.Media
	for _, id := range ids {
		m := s.media[id]
		if m == nil || m.owner != u.ID || m.state != "succeeded" || len(ids) > 4 ||
			(len(ids) > 1 && m.category != "tweet_image") {
			invalid(w, "Your media IDs are invalid.")
			return
		}
		media = append(media, channeltest.Media{ID: m.id, MIME: m.mime, Size: int(m.total), Alt: m.alt})
	}
	replyTo := ""
	if req.Reply != nil {
		replyTo = req.Reply.InReplyTo
		if s.tweets[replyTo] == nil {
			problemJSON(w, http.StatusForbidden, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.")
			return
		}
	}
	if text != "" && u.texts[text] {
		problemJSON(w, http.StatusForbidden, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
		return
	}
	t := s.addLocked(u, text, replyTo, media)
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"id": t.id, "text": t.text, "edit_history_tweet_ids": []string{t.id}}})
}

func (s *Server) addLocked(u *user, text, replyTo string, media []channeltest.Media) *tweet {
	t := &tweet{id: s.id(), author: u.ID, text: text, replyTo: replyTo, created: time.Now().UTC()}
	s.tweets[t.id] = t
	u.timeline = append(u.timeline, t)
	if text != "" {
		u.texts[text] = true
	}
	if p := s.tweets[replyTo]; p != nil {
		p.replies++
	}
	s.Add(channeltest.Post{ID: t.id, Account: u.ID, Text: text, Media: media, ReplyTo: replyTo})
	return t
}

// fail answers a scripted failure as X does; it reports whether the request is answered. A
// Failure it does not know (such as "") lets the request through, so a test can fail a later one.
func (s *Server) fail(w http.ResponseWriter, f channeltest.Failure, u *user, text *string) bool {
	switch f {
	case channeltest.RateLimited:
		h := w.Header()
		h.Set("x-rate-limit-remaining", "0")
		h.Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
		problemJSON(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests")
	case channeltest.ServerError:
		problemJSON(w, http.StatusInternalServerError, "Internal Server Error", "Internal Server Error")
	case channeltest.Unauthorized:
		problemJSON(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized")
	case channeltest.Rejected:
		problemJSON(w, http.StatusForbidden, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
	case channeltest.LostAnswer, channeltest.ChangedShape:
		s.mu.Lock()
		t := s.addLocked(u, deref(text), "", nil)
		s.mu.Unlock()
		if f == channeltest.LostAnswer {
			channeltest.Drop(w)
			return true
		}
		writeJSON(w, http.StatusCreated, map[string]any{"result": map[string]string{"tweet": t.id}})
	default:
		return false
	}
	return true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// userTweets is GET /2/users/:id/tweets, newest first. X escapes &, < and > in post text.
func (s *Server) userTweets(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "users/tweets", "tweet.read", "users.read"); !ok {
		return
	}
	n := 10
	if v := r.URL.Query().Get("max_results"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 5 || n > 100 {
			invalid(w, fmt.Sprintf("The `max_results` query parameter value [%s] is not between 5 and 100", v))
			return
		}
	}
	fields := r.URL.Query().Get("tweet.fields")
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[r.PathValue("id")]
	if u == nil {
		problemJSON(w, http.StatusNotFound, "Not Found Error", "Could not find user with id: ["+r.PathValue("id")+"].")
		return
	}
	var data []map[string]any
	for i := len(u.timeline) - 1; i >= 0 && len(data) < n; i-- {
		t := u.timeline[i]
		item := map[string]any{"id": t.id, "text": html.EscapeString(t.text), "edit_history_tweet_ids": []string{t.id}}
		if strings.Contains(fields, "created_at") {
			item["created_at"] = t.created.Format("2006-01-02T15:04:05.000Z")
		}
		data = append(data, item)
	}
	meta := map[string]any{"result_count": len(data)}
	if len(data) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"meta": meta})
		return
	}
	meta["newest_id"], meta["oldest_id"] = data[0]["id"], data[len(data)-1]["id"]
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "meta": meta})
}

// lookupTweets is GET /2/tweets?ids= (1 to 100 IDs) with public_metrics.
func (s *Server) lookupTweets(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "tweets/lookup", "tweet.read", "users.read"); !ok {
		return
	}
	ids := strings.Split(r.URL.Query().Get("ids"), ",")
	if r.URL.Query().Get("ids") == "" || len(ids) > 100 {
		invalid(w, "The `ids` query parameter value must have between 1 and 100 IDs.")
		return
	}
	metrics := strings.Contains(r.URL.Query().Get("tweet.fields"), "public_metrics")
	s.mu.Lock()
	defer s.mu.Unlock()
	var data, errs []map[string]any
	for _, id := range ids {
		t := s.tweets[id]
		if t == nil {
			errs = append(errs, map[string]any{"value": id, "detail": "Could not find tweet with ids: [" + id + "].",
				"title": "Not Found Error", "resource_type": "tweet", "parameter": "ids", "resource_id": id,
				"type": "https://api.twitter.com/2/problems/resource-not-found"})
			continue
		}
		item := map[string]any{"id": t.id, "text": html.EscapeString(t.text), "edit_history_tweet_ids": []string{t.id}}
		if metrics {
			item["public_metrics"] = map[string]int64{"retweet_count": t.retweets, "reply_count": t.replies,
				"like_count": t.likes, "quote_count": t.quotes, "bookmark_count": 0, "impression_count": t.views}
		}
		data = append(data, item)
	}
	out := map[string]any{}
	if data != nil {
		out["data"] = data
	}
	if errs != nil {
		out["errors"] = errs
	}
	writeJSON(w, http.StatusOK, out)
}

// mediaJSON is the data of a media answer; processing_info only while X processes it.
func mediaJSON(m *upload) map[string]any {
	d := map[string]any{"id": m.id, "media_key": "3_" + m.id, "size": m.total, "expires_after_secs": 86400}
	switch m.state {
	case "pending", "in_progress":
		d["processing_info"] = map[string]any{"state": m.state, "check_after_secs": 1}
	case "succeeded":
		if m.category != "tweet_image" {
			d["processing_info"] = map[string]any{"state": "succeeded", "progress_percent": 100}
		}
	}
	return map[string]any{"data": d}
}

// uploadOneShot is POST /2/media/upload: one multipart request with the whole image.
func (s *Server) uploadOneShot(w http.ResponseWriter, r *http.Request) {
	u, ok := s.auth(w, r, "media/upload", "media.write")
	if !ok {
		return
	}
	if err := r.ParseMultipartForm(8 * mb); err != nil {
		invalid(w, "The request must be multipart/form-data: "+err.Error())
		return
	}
	category := r.FormValue("media_category")
	if category != "tweet_image" && category != "dm_image" {
		invalid(w, "media_category must be an image category for a one-shot upload; use the chunked upload for "+category)
		return
	}
	file, _, err := r.FormFile("media")
	if err != nil {
		invalid(w, "The `media` field is required.")
		return
	}
	data, _ := io.ReadAll(io.LimitReader(file, 5*mb+1))
	if len(data) > 5*mb {
		invalid(w, "File size exceeds 5242880 bytes.")
		return
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format == "gif" {
		invalid(w, "Media type unrecognized.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &upload{id: s.id(), owner: u.ID, category: category, mime: "image/" + format, total: int64(len(data)), state: "succeeded"}
	s.media[m.id] = m
	out := mediaJSON(m)
	out["data"].(map[string]any)["image"] = map[string]any{"image_type": m.mime, "w": cfg.Width, "h": cfg.Height}
	writeJSON(w, http.StatusOK, out)
}

// uploadInit is POST /2/media/upload/initialize.
func (s *Server) uploadInit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.auth(w, r, "media/upload", "media.write")
	if !ok {
		return
	}
	var req struct {
		MediaType     string `json:"media_type"`
		TotalBytes    int64  `json:"total_bytes"`
		MediaCategory string `json:"media_category"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		invalid(w, err.Error())
		return
	}
	limit, known := categoryMax[req.MediaCategory]
	switch {
	case !known:
		invalid(w, "media_category ["+req.MediaCategory+"] is not valid.")
		return
	case req.TotalBytes <= 0 || req.TotalBytes > limit:
		invalid(w, fmt.Sprintf("total_bytes [%d] must be between 1 and %d for %s.", req.TotalBytes, limit, req.MediaCategory))
		return
	case req.MediaCategory == "tweet_gif" && req.MediaType != "image/gif",
		strings.HasSuffix(req.MediaCategory, "_video") && !strings.HasPrefix(req.MediaType, "video/"),
		req.MediaCategory == "tweet_image" && (!strings.HasPrefix(req.MediaType, "image/") || req.MediaType == "image/gif"):
		invalid(w, "media_type ["+req.MediaType+"] does not match media_category ["+req.MediaCategory+"].")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &upload{id: s.id(), owner: u.ID, category: req.MediaCategory, mime: req.MediaType, total: req.TotalBytes,
		segments: map[int]int64{}, state: "uploading"}
	s.media[m.id] = m
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.id, "media_key": "3_" + m.id, "expires_after_secs": 86400}})
}

// ownUpload finds a media of this user; the caller holds mu.
func (s *Server) ownUpload(w http.ResponseWriter, u *user, id string) *upload {
	m := s.media[id]
	if m == nil || m.owner != u.ID {
		invalid(w, "The `media_id` ["+id+"] is not valid.")
		return nil
	}
	return m
}

// uploadAppend is POST /2/media/upload/{id}/append: multipart segment_index and media.
func (s *Server) uploadAppend(w http.ResponseWriter, r *http.Request) {
	u, ok := s.auth(w, r, "media/upload", "media.write")
	if !ok {
		return
	}
	if err := r.ParseMultipartForm(8 * mb); err != nil {
		invalid(w, "The request must be multipart/form-data: "+err.Error())
		return
	}
	seg, err := strconv.Atoi(r.FormValue("segment_index"))
	if err != nil || seg < 0 || seg >= segmentsMax {
		invalid(w, "segment_index must be between 0 and 999.")
		return
	}
	file, _, err := r.FormFile("media")
	if err != nil {
		invalid(w, "The `media` field is required.")
		return
	}
	n, _ := io.Copy(io.Discard, io.LimitReader(file, segmentMax+1))
	if n > segmentMax {
		invalid(w, "Segment size exceeds 5242880 bytes.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownUpload(w, u, r.PathValue("id"))
	if m == nil {
		return
	}
	if m.state != "uploading" {
		invalid(w, "The media upload was already finalized.")
		return
	}
	m.segments[seg] = n
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"expires_at": time.Now().Add(24 * time.Hour).Unix()}})
}

// uploadFinalize is POST /2/media/upload/{id}/finalize. GIFs and videos then need processing.
func (s *Server) uploadFinalize(w http.ResponseWriter, r *http.Request) {
	u, ok := s.auth(w, r, "media/upload", "media.write")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownUpload(w, u, r.PathValue("id"))
	if m == nil {
		return
	}
	var sum int64
	for i := range len(m.segments) {
		n, ok := m.segments[i]
		if !ok {
			invalid(w, "Segments do not add up to provided total file size.")
			return
		}
		sum += n
	}
	if m.state != "uploading" || sum != m.total {
		invalid(w, "Segments do not add up to provided total file size.")
		return
	}
	m.state = "succeeded"
	if m.category != "tweet_image" {
		m.state, m.pollsLeft = "pending", s.polls
	}
	writeJSON(w, http.StatusOK, mediaJSON(m))
}

// uploadStatus is GET /2/media/upload?command=STATUS&media_id=: each poll moves processing on.
func (s *Server) uploadStatus(w http.ResponseWriter, r *http.Request) {
	u, ok := s.auth(w, r, "media/status", "media.write")
	if !ok {
		return
	}
	if r.URL.Query().Get("command") != "STATUS" {
		invalid(w, "command must be STATUS.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownUpload(w, u, r.URL.Query().Get("media_id"))
	if m == nil {
		return
	}
	if m.state == "pending" || m.state == "in_progress" {
		m.state = "in_progress"
		if m.pollsLeft--; m.pollsLeft <= 0 {
			m.state = "succeeded"
		}
	}
	writeJSON(w, http.StatusOK, mediaJSON(m))
}

// metadata is POST /2/media/metadata: alt text of an image or GIF.
func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	u, ok := s.auth(w, r, "media/metadata", "media.write")
	if !ok {
		return
	}
	var req struct {
		ID       string `json:"id"`
		Metadata struct {
			AltText *struct {
				Text string `json:"text"`
			} `json:"alt_text"`
		} `json:"metadata"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ID == "" {
		invalid(w, "The `id` field is required.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownUpload(w, u, req.ID)
	if m == nil {
		return
	}
	if alt := req.Metadata.AltText; alt != nil {
		if utf8.RuneCountInString(alt.Text) > altMax || strings.HasSuffix(m.category, "_video") {
			invalid(w, "Alt text must be at most 1000 characters, on an image or a GIF.")
			return
		}
		m.alt = alt.Text
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.id, "associated_metadata": req.Metadata}})
}
