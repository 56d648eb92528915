package metatest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/meta"
)

// Instagram limits (Content Publishing guide and IG User Media reference): captions of 2,200
// characters and 30 hashtags, carousels of up to 10 items, JPEG images up to 8 MiB with an
// aspect ratio between 4:5 and 1.91:1.
const (
	igCaptionMax  = 2200
	igHashtagsMax = 30
	igCarouselMax = 10
	igImageMax    = 8 << 20
)

var hashtag = regexp.MustCompile(`#[\p{L}\p{N}_]+`)

// mayUseIG reports whether t may act on Instagram account igID with permission scope: the
// token of the user who manages its Page, or that Page's token; callers hold mu.
func (s *Server) mayUseIG(t *token, igID, scope string) bool {
	ig, ok := s.nodes[igID].(*igUser)
	if !ok || !t.scopes[scope] {
		return false
	}
	return s.manages(t, s.nodes[ig.page].(*page))
}

func igPermission(w http.ResponseWriter) {
	noPermission(w, 10, "Application does not have permission for this action")
}

// instagram serves an Instagram account: its fields, media list, publishing and quota.
func (s *Server) instagram(w http.ResponseWriter, r *http.Request, t *token, ig *igUser, edge string) {
	if !s.mayUseIG(t, ig.id, "instagram_basic") {
		unsupported(w, r, ig.id)
		return
	}
	switch {
	case edge == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, only(fields(r), map[string]any{"id": ig.id, "username": ig.username, "name": ig.name,
			"media_count": len(s.listed("instagram", ig.id))}))
	case edge == "media" && r.Method == http.MethodGet:
		var media []map[string]any
		for _, o := range s.listed("instagram", ig.id) {
			media = append(media, only(fields(r), map[string]any{"id": o.id, "caption": nonEmpty(o.text),
				"permalink": o.permalink, "timestamp": graphTime(o.created), "media_type": "IMAGE"}))
		}
		data, paging := paginate(r, media, s.srv.URL)
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "paging": paging})
	case edge == "content_publishing_limit" && r.Method == http.MethodGet:
		// IG User Content Publishing Limit: {"data":[{"quota_usage":2,"config":{"quota_total":50,"quota_duration":86400}}]}
		f := fields(r)
		entry := map[string]any{"quota_usage": s.igUsage(ig)}
		if f["config"] {
			entry["config"] = map[string]any{"quota_total": s.quotaTotal, "quota_duration": 86400}
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{entry}})
	case edge == "media_publish" && r.Method == http.MethodPost:
		s.igPublish(w, r, t, ig)
	default:
		unsupported(w, r, ig.id+"/"+edge)
	}
}

// igUsage is how many posts ig published in the last 24 hours; callers hold mu.
func (s *Server) igUsage(ig *igUser) int {
	return ig.usage + len(recent(&ig.published, s.now()))
}

// recent drops publication times older than 24 hours and returns the rest.
func recent(times *[]time.Time, now time.Time) []time.Time {
	kept := (*times)[:0]
	for _, t := range *times {
		if now.Sub(t) < 24*time.Hour {
			kept = append(kept, t)
		}
	}
	*times = kept
	return kept
}

// takeFailure returns the status of a scripted container failure, if any; callers hold mu.
func (s *Server) takeFailure() string {
	if len(s.failing) == 0 {
		return ""
	}
	f := s.failing[0]
	s.failing = s.failing[1:]
	return f
}

// createIGContainer is POST /{ig-user-id}/media: an image (image_url, alt_text), a reel
// (media_type=REELS, video_url), a carousel item (is_carousel_item=true) or a carousel
// (media_type=CAROUSEL, children). Images are fetched now, so a URL that does not load fails
// here with Instagram's error.
func (s *Server) createIGContainer(w http.ResponseWriter, r *http.Request, t *token, ig *igUser) {
	s.mu.Lock()
	allowed := s.mayUseIG(t, ig.id, "instagram_content_publish")
	s.mu.Unlock()
	if !allowed {
		igPermission(w)
		return
	}
	q := r.Form
	caption := q.Get("caption")
	if utf8.RuneCountInString(caption) > igCaptionMax {
		invalidParam(w, fmt.Sprintf("The caption is %d characters long; captions are limited to %d characters", utf8.RuneCountInString(caption), igCaptionMax))
		return
	}
	if n := len(hashtag.FindAllString(caption, -1)); n > igHashtagsMax {
		invalidParam(w, fmt.Sprintf("The caption has %d hashtags; captions are limited to %d hashtags", n, igHashtagsMax))
		return
	}
	c := &container{network: "instagram", owner: ig.id, text: caption, carouselItem: q.Get("is_carousel_item") == "true"}
	mediaType := strings.ToUpper(q.Get("media_type"))
	switch {
	case mediaType == "CAROUSEL":
		c.mediaType = mediaType
		c.children = strings.Split(q.Get("children"), ",")
		if q.Get("children") == "" || len(c.children) < 2 || len(c.children) > igCarouselMax {
			invalidParam(w, "A carousel takes between 2 and 10 children")
			return
		}
	case mediaType == "REELS" || mediaType == "VIDEO" && c.carouselItem:
		c.mediaType = mediaType
		m, err := s.fetchMedia(q.Get("video_url"))
		if err != nil || !strings.HasPrefix(m.mime, "video/") {
			downloadFailed(w, q.Get("video_url"))
			return
		}
		c.media = []channeltest.Media{{MIME: m.mime, Size: m.size}}
	case mediaType == "" || mediaType == "IMAGE":
		c.mediaType = "IMAGE"
		if q.Get("image_url") == "" {
			invalidParam(w, "The parameter image_url is required")
			return
		}
		m, err := s.fetchMedia(q.Get("image_url"))
		switch {
		case err != nil || !strings.HasPrefix(m.mime, "image/"):
			downloadFailed(w, q.Get("image_url"))
			return
		case m.mime != "image/jpeg":
			// "JPEG is the only image format supported" (IG User Media reference).
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 36001, Subcode: 2207005, Message: "The image format is not supported.",
				UserTitle: "Unsupported format", UserMsg: "The image format is not supported. Supported formats are: JPEG"})
			return
		case m.size > igImageMax:
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 36000, Subcode: 2207004, Message: "The image size is too large.",
				UserTitle: "Image size too large", UserMsg: "The image is too large to download. It should be less than 8 MiB."})
			return
		case m.height == 0 || float64(m.width)/float64(m.height) < 0.8 || float64(m.width)/float64(m.height) > 1.91:
			ratio := 0.0
			if m.height > 0 {
				ratio = float64(m.width) / float64(m.height)
			}
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 36003, Subcode: 2207009, Message: "The aspect ratio is not supported.",
				UserTitle: "Unsupported aspect ratio",
				UserMsg:   fmt.Sprintf("The submitted image with aspect ratio ('%.2f') cannot be published. Please submit an image with a valid aspect ratio.", ratio)})
			return
		}
		c.media = []channeltest.Media{{MIME: m.mime, Size: m.size, Alt: q.Get("alt_text")}}
	default:
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 100, Subcode: 2207023, Message: "The media type " + mediaType + " is unknown."})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range c.children {
		child, ok := s.nodes[id].(*container)
		switch {
		case !ok || child.owner != ig.id || !child.carouselItem:
			invalidParam(w, "Param children contains an invalid media ID "+id)
			return
		case child.status() != "FINISHED":
			notReady(w)
			return
		}
		c.media = append(c.media, child.media...)
	}
	c.id = s.id()
	c.failure = s.takeFailure()
	s.nodes[c.id] = c
	writeJSON(w, http.StatusOK, map[string]any{"id": c.id})
}

func downloadFailed(w http.ResponseWriter, u string) {
	graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodeMediaDownload, Subcode: meta.SubcodeMediaDownload,
		Message: "Only photo or video can be accepted as media type.", UserTitle: "Media download has failed.",
		UserMsg: "The media could not be fetched from this uri: " + u})
}

// notReady answers publishing a container still IN_PROGRESS (Instagram error codes, 9007/2207027).
func notReady(w http.ResponseWriter) {
	graphError(w, http.StatusBadRequest, meta.GraphError{Code: 9007, Subcode: 2207027, Message: "Media ID is not available",
		UserTitle: "Media not ready", UserMsg: "The media is not ready for publishing, please wait for a moment"})
}

// status is a container's status_code: IN_PROGRESS until its first poll, then FINISHED or
// ERROR; PUBLISHED once published.
func (c *container) status() string {
	switch {
	case c.published != "":
		return "PUBLISHED"
	case c.polls == 0:
		return "IN_PROGRESS"
	case c.failure != "":
		return "ERROR"
	}
	return "FINISHED"
}

// pollIG answers GET /{container-id}?fields=status_code,status; callers hold mu.
func (s *Server) pollIG(c *container) map[string]any {
	out := map[string]any{"id": c.id, "status_code": c.status()}
	c.polls++
	switch out["status_code"] {
	case "ERROR":
		out["status"] = c.failure // "If status_code is ERROR, this value will be an error subcode."
	default:
		out["status"] = fmt.Sprint(out["status_code"])
	}
	return out
}

// igPublish is POST /{ig-user-id}/media_publish?creation_id=…, where Instagram enforces the
// 24-hour publishing limit.
func (s *Server) igPublish(w http.ResponseWriter, r *http.Request, t *token, ig *igUser) {
	if !s.mayUseIG(t, ig.id, "instagram_content_publish") {
		igPermission(w)
		return
	}
	c, ok := s.nodes[r.Form.Get("creation_id")].(*container)
	switch {
	case !ok || c.network != "instagram" || c.owner != ig.id || c.carouselItem:
		invalidParam(w, "Param creation_id must be a valid media container ID")
		return
	case c.published != "":
		invalidParam(w, "The media container was already published")
		return
	case c.status() != "FINISHED":
		notReady(w)
		return
	case s.igUsage(ig) >= s.quotaTotal:
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodeQuota, Subcode: meta.SubcodePublishLimit,
			Message: "Application request limit reached", UserTitle: "Publishing limit reached",
			UserMsg: "You reached maximum number of posts that is allowed to be published by Content Publish API."})
		return
	}
	f, done := s.failure(w, "instagram", ig.id)
	if done {
		return
	}
	o := s.publish(&object{network: "instagram", owner: ig.id, text: c.text, media: c.media}, "")
	c.published = o.id
	ig.published = append(ig.published, o.created)
	answerCreated(w, f, map[string]any{"id": o.id})
}
