package metatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/meta"
)

// threadsScopes are the Threads permissions (Threads API, Get Started: Authorization).
var threadsScopes = []string{"threads_basic", "threads_content_publish", "threads_manage_replies",
	"threads_read_replies", "threads_manage_insights", "threads_keyword_search", "threads_manage_mentions"}

// Threads limits (Threads Posts: "Text posts are limited to 500 characters"; carousels of 2 to
// 20 items; images JPEG or PNG up to 8 MB; 250 API-published posts in 24 hours, replies apart).
const (
	threadsTextMax     = 500
	threadsCarouselMax = 20
	threadsImageMax    = 8_000_000
	threadsQuota       = 250
)

// threadsDialog is the Threads Authorization Window: it checks the app, the redirect URI and
// the scopes (threads_basic is required), then redirects with the code, appending #_ as Threads does.
func (s *Server) threadsDialog(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.Form
	if q.Get("client_id") != s.threadsApp.id {
		http.Error(w, "Invalid app ID: use the Threads app ID, not the Meta app ID.", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() || q.Get("response_type") != "code" {
		http.Error(w, "Invalid redirect_uri or response_type.", http.StatusBadRequest)
		return
	}
	granted := map[string]bool{}
	for _, sc := range strings.Split(q.Get("scope"), ",") {
		sc = strings.TrimSpace(sc)
		if !slices.Contains(threadsScopes, sc) {
			http.Error(w, "Invalid scope: "+sc, http.StatusBadRequest)
			return
		}
		granted[sc] = !s.declined[sc]
	}
	if !granted["threads_basic"] {
		http.Error(w, "The threads_basic scope is required.", http.StatusBadRequest)
		return
	}
	c := secret()
	s.codes[c] = &code{redirect: redirect.String(), subject: s.thUser.id, scopes: granted, threads: true, issued: s.now()}
	back := redirect.Query()
	back.Set("code", c)
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String()+"#_", http.StatusFound)
}

// threadsToken is /oauth/access_token: POST exchanges a code for a short-lived token
// ({"access_token","user_id"}); GET with grant_type=client_credentials gives an app token.
func (s *Server) threadsToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.Form
	if q.Get("client_id") != s.threadsApp.id {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 101, Message: "Error validating application. Invalid application ID."})
		return
	}
	if q.Get("client_secret") != s.threadsApp.secret {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 1, Message: "Error validating client secret."})
		return
	}
	switch {
	case q.Get("grant_type") == "client_credentials" && r.Method == http.MethodGet:
		t := s.issue(threadsApp, s.threadsApp.id, nil, time.Time{}, nil)
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "TH|" + s.threadsApp.id + "|" + t.value, "token_type": "bearer"})
	case q.Get("grant_type") == "authorization_code" && r.Method == http.MethodPost:
		c := s.codes[q.Get("code")]
		switch {
		case c == nil || !c.threads:
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 100, Subcode: 36007, Message: "Invalid verification code format."})
		case c.used:
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 100, Subcode: 36009, Message: "This authorization code has been used."})
		case s.now().Sub(c.issued) > 10*time.Minute:
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 100, Subcode: 36007, Message: "This authorization code has expired."})
		case q.Get("redirect_uri") != c.redirect:
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: 100, Subcode: 36008,
				Message: "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request"})
		default:
			c.used = true
			t := s.issue(threadsShort, c.subject, c.scopes, s.now().Add(shortLived), nil)
			writeJSON(w, http.StatusOK, map[string]any{"access_token": t.value, "user_id": json.Number(c.subject)})
		}
	default:
		invalidParam(w, "Unsupported grant_type "+q.Get("grant_type")+" for "+r.Method)
	}
}

// threadsExchange is GET /access_token?grant_type=th_exchange_token: a short-lived token for a
// long-lived one of 60 days.
func (s *Server) threadsExchange(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.Form
	if r.Method != http.MethodGet || q.Get("grant_type") != "th_exchange_token" {
		invalidParam(w, "grant_type must be th_exchange_token")
		return
	}
	if q.Get("client_secret") != s.threadsApp.secret {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 1, Message: "Error validating client secret."})
		return
	}
	old, ok := s.auth(w, r, true)
	if !ok {
		return
	}
	if old.kind != threadsShort {
		invalidParam(w, "Only a short-lived access token can be exchanged")
		return
	}
	t := s.issue(threadsLong, old.subject, old.scopes, s.now().Add(longLived), nil)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": t.value, "token_type": "bearer", "expires_in": int(longLived.Seconds())})
}

// threadsRefresh is GET /refresh_access_token?grant_type=th_refresh_token: a long-lived token
// "at least 24 hours old but [that has] not expired" gets 60 more days.
func (s *Server) threadsRefresh(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodGet || r.Form.Get("grant_type") != "th_refresh_token" {
		invalidParam(w, "grant_type must be th_refresh_token")
		return
	}
	old, ok := s.auth(w, r, true)
	if !ok {
		return
	}
	switch {
	case old.kind != threadsLong:
		invalidParam(w, "Only a long-lived access token can be refreshed")
		return
	case s.now().Sub(old.issued) < 24*time.Hour:
		// Meta documents the rule, not its error: this wording is the server's own.
		invalidParam(w, "The access token must be at least 24 hours old to be refreshed")
		return
	}
	t := s.issue(threadsLong, old.subject, old.scopes, s.now().Add(longLived), nil)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": t.value, "token_type": "bearer", "expires_in": int(longLived.Seconds())})
}

func threadsPermission(w http.ResponseWriter, scope string) {
	noPermission(w, 10, "Application does not have permission for this action: "+scope)
}

// threadsAPI routes /v1.0/{node}/{edge}.
func (s *Server) threadsAPI(w http.ResponseWriter, r *http.Request, parts []string) {
	if len(parts) > 2 || parts[0] == "" {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 2500, Message: "Unknown path components: /" + strings.Join(parts, "/")})
		return
	}
	edge := ""
	if len(parts) == 2 {
		edge = parts[1]
	}
	s.mu.Lock()
	t, ok := s.auth(w, r, true)
	if !ok {
		s.mu.Unlock()
		return
	}
	if t.kind == threadsApp || !t.scopes["threads_basic"] {
		s.mu.Unlock()
		threadsPermission(w, "threads_basic")
		return
	}
	id := parts[0]
	if id == "me" {
		id = t.subject
	}
	node := s.nodes[id]
	if u, ok := node.(*thUser); ok && u.id == t.subject && edge == "threads" && r.Method == http.MethodPost {
		s.mu.Unlock() // fetching the media happens outside the lock
		s.createThreadsContainer(w, r, t, u)
		return
	}
	defer s.mu.Unlock()
	switch n := node.(type) {
	case *thUser:
		if n.id != t.subject {
			unsupported(w, r, id)
			return
		}
		s.threadsUser(w, r, t, n, edge)
	case *container:
		if n.network != "threads" || n.owner != t.subject || edge != "" || r.Method != http.MethodGet {
			unsupported(w, r, id)
			return
		}
		out := map[string]any{"id": n.id, "status": n.status()}
		n.polls++
		if out["status"] == "ERROR" {
			out["error_message"] = n.failure
		}
		writeJSON(w, http.StatusOK, only(fields(r), out))
	case *object:
		if n.network != "threads" || n.owner != t.subject {
			unsupported(w, r, id)
			return
		}
		s.threadsMedia(w, r, t, n, edge)
	default:
		unsupported(w, r, id)
	}
}

func (s *Server) threadsUser(w http.ResponseWriter, r *http.Request, t *token, u *thUser, edge string) {
	switch {
	case edge == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, only(fields(r), map[string]any{"id": u.id, "username": u.username, "name": u.name,
			"threads_profile_picture_url": "https://scontent.cdninstagram.com/" + u.id + ".jpg"}))
	case edge == "threads" && r.Method == http.MethodGet:
		var posts []map[string]any
		for _, o := range s.listed("threads", u.id) {
			posts = append(posts, only(fields(r), map[string]any{"id": o.id, "text": nonEmpty(o.text), "permalink": o.permalink,
				"timestamp": graphTime(o.created), "media_type": "TEXT_POST", "username": u.username}))
		}
		data, paging := paginate(r, posts, s.srv.URL)
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "paging": paging})
	case edge == "threads_publish" && r.Method == http.MethodPost:
		s.threadsPublish(w, r, t, u)
	case edge == "threads_publishing_limit" && r.Method == http.MethodGet:
		entry := map[string]any{"quota_usage": len(recent(&u.published, s.now()))}
		if fields(r)["config"] {
			entry["config"] = map[string]any{"quota_total": threadsQuota, "quota_duration": 86400}
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{entry}})
	default:
		unsupported(w, r, u.id+"/"+edge)
	}
}

// createThreadsContainer is POST /{threads-user-id}/threads: TEXT, IMAGE (image_url, alt_text),
// VIDEO (video_url), a carousel item, or CAROUSEL (children); reply_to_id makes a reply.
func (s *Server) createThreadsContainer(w http.ResponseWriter, r *http.Request, t *token, u *thUser) {
	if !t.scopes["threads_content_publish"] {
		threadsPermission(w, "threads_content_publish")
		return
	}
	q := r.Form
	c := &container{network: "threads", owner: u.id, text: q.Get("text"), mediaType: strings.ToUpper(q.Get("media_type")),
		carouselItem: q.Get("is_carousel_item") == "true", replyTo: q.Get("reply_to_id")}
	if n := channel.Count(channel.Threads, c.text, channel.CountOptions{}); n > threadsTextMax {
		invalidParam(w, fmt.Sprintf("Param text must be at most %d characters long (it is %d)", threadsTextMax, n))
		return
	}
	if c.replyTo != "" && !t.scopes["threads_manage_replies"] {
		threadsPermission(w, "threads_manage_replies")
		return
	}
	failure := ""
	switch c.mediaType {
	case "TEXT":
		if c.text == "" {
			invalidParam(w, "Param text is required for media_type TEXT")
			return
		}
		c.polls = 1 // text needs no processing
	case "IMAGE", "VIDEO":
		param := strings.ToLower(c.mediaType) + "_url"
		if q.Get(param) == "" {
			invalidParam(w, "Param "+param+" is required for media_type "+c.mediaType)
			return
		}
		m, err := s.fetchMedia(q.Get(param))
		var ok bool
		if c.mediaType == "IMAGE" {
			ok = err == nil && (m.mime == "image/jpeg" || m.mime == "image/png") && m.size <= threadsImageMax
		} else {
			ok = err == nil && strings.HasPrefix(m.mime, "video/")
		}
		if !ok {
			// The container is made; its processing fails (Threads troubleshooting: status ERROR
			// with an error_message).
			failure = "UNKNOWN"
			if c.mediaType == "VIDEO" {
				failure = "FAILED_DOWNLOADING_VIDEO"
			}
		}
		c.media = []channeltest.Media{{MIME: m.mime, Size: m.size, Alt: q.Get("alt_text")}}
	case "CAROUSEL":
		c.children = strings.Split(q.Get("children"), ",")
		if q.Get("children") == "" || len(c.children) < 2 || len(c.children) > threadsCarouselMax {
			invalidParam(w, "A carousel takes between 2 and 20 children")
			return
		}
	default:
		invalidParam(w, "Param media_type must be one of TEXT, IMAGE, VIDEO, CAROUSEL")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.replyTo != "" {
		if o, ok := s.nodes[c.replyTo].(*object); !ok || o.network != "threads" {
			invalidParam(w, "Param reply_to_id must be a Threads media ID")
			return
		}
	}
	for _, id := range c.children {
		child, ok := s.nodes[id].(*container)
		if !ok || child.owner != u.id || !child.carouselItem {
			invalidParam(w, "Param children contains an invalid media ID "+id)
			return
		}
		if child.failure != "" {
			failure = child.failure
		}
		c.media = append(c.media, child.media...)
	}
	c.id = s.id()
	c.failure = s.takeFailure()
	if c.failure == "" {
		c.failure = failure
	}
	s.nodes[c.id] = c
	writeJSON(w, http.StatusOK, map[string]any{"id": c.id})
}

// threadsPublish is POST /{threads-user-id}/threads_publish?creation_id=….
func (s *Server) threadsPublish(w http.ResponseWriter, r *http.Request, t *token, u *thUser) {
	if !t.scopes["threads_content_publish"] {
		threadsPermission(w, "threads_content_publish")
		return
	}
	c, ok := s.nodes[r.Form.Get("creation_id")].(*container)
	switch {
	case !ok || c.network != "threads" || c.owner != u.id || c.carouselItem:
		invalidParam(w, "Param creation_id must be a valid media container ID")
		return
	case c.published != "":
		invalidParam(w, "The media container was already published")
		return
	case c.status() != "FINISHED":
		notReady(w)
		return
	}
	f, done := s.failure(w, "threads", u.id)
	if done {
		return
	}
	o := s.publish(&object{network: "threads", owner: u.id, text: c.text, media: c.media, parent: c.replyTo}, "")
	c.published = o.id
	if c.replyTo == "" {
		u.published = append(u.published, o.created) // replies have their own quota of 1,000
	}
	answerCreated(w, f, map[string]any{"id": o.id})
}

// threadsMetrics are the media insights metrics (Threads Insights API).
var threadsMetrics = []string{"views", "likes", "replies", "reposts", "quotes", "shares"}

func (s *Server) threadsMedia(w http.ResponseWriter, r *http.Request, t *token, o *object, edge string) {
	switch {
	case edge == "" && r.Method == http.MethodGet:
		all := map[string]any{"id": o.id, "text": nonEmpty(o.text), "permalink": o.permalink, "timestamp": graphTime(o.created),
			"media_type": "TEXT_POST", "is_reply": o.parent != ""}
		if len(o.media) > 0 {
			all["media_type"], all["alt_text"] = "IMAGE", nonEmpty(o.media[0].Alt)
		}
		writeJSON(w, http.StatusOK, only(fields(r), all))
	case edge == "insights" && r.Method == http.MethodGet:
		if !t.scopes["threads_manage_insights"] {
			threadsPermission(w, "threads_manage_insights")
			return
		}
		values := map[string]int64{"views": o.counts.Views, "likes": o.counts.Likes,
			"replies": o.counts.Replies + int64(s.comments(o.id)), "reposts": o.counts.Reposts}
		var data []map[string]any
		for i, m := range strings.Split(r.Form.Get("metric"), ",") {
			if !slices.Contains(threadsMetrics, m) {
				invalidParam(w, fmt.Sprintf("metric[%d] must be one of the following values: %s", i, strings.Join(threadsMetrics, ", ")))
				return
			}
			data = append(data, map[string]any{"name": m, "period": "lifetime", "values": []any{map[string]any{"value": values[m]}},
				"title": m, "id": o.id + "/insights/" + m + "/lifetime"})
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	default:
		unsupported(w, r, o.id+"/"+edge)
	}
}
