package metatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/meta"
)

// knownScopes are the permissions the Facebook Login dialog takes here (Permissions Reference).
var knownScopes = []string{"public_profile", "pages_show_list", "pages_read_engagement", "pages_manage_posts",
	"pages_manage_engagement", "pages_manage_metadata", "business_management", "read_insights",
	"instagram_basic", "instagram_content_publish", "instagram_manage_comments", "instagram_manage_insights"}

// facebookDialog is the Login dialog: it checks the app, the redirect URI and the permissions,
// then redirects at once as if the user clicked Continue, with #_=_ as Facebook appends. Any
// absolute redirect URI counts as registered; the code exchange must repeat it exactly.
func (s *Server) facebookDialog(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.Form
	if q.Get("client_id") != s.app.id {
		http.Error(w, "Invalid App ID: The provided app ID does not look like a valid app ID.", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() {
		http.Error(w, "URL blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.", http.StatusBadRequest)
		return
	}
	if rt := q.Get("response_type"); rt != "" && rt != "code" {
		http.Error(w, "Invalid response_type: "+rt, http.StatusBadRequest)
		return
	}
	granted := map[string]bool{"public_profile": true}
	for _, sc := range strings.Split(q.Get("scope"), ",") {
		sc = strings.TrimSpace(sc)
		if sc == "" {
			continue
		}
		if !slices.Contains(knownScopes, sc) {
			http.Error(w, "Invalid Scopes: "+sc+". This message is only shown to developers.", http.StatusBadRequest)
			return
		}
		granted[sc] = !s.declined[sc]
	}
	c := secret()
	s.codes[c] = &code{redirect: redirect.String(), subject: s.user.id, scopes: granted, issued: s.now()}
	back := redirect.Query()
	back.Set("code", c)
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String()+"#_=_", http.StatusFound)
}

// facebookToken is GET /oauth/access_token: the code exchange, the long-lived exchange
// (grant_type=fb_exchange_token) and app access tokens (grant_type=client_credentials).
func (s *Server) facebookToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.Form
	if q.Get("client_id") != s.app.id {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 101, Message: "Error validating application. Invalid application ID."})
		return
	}
	if q.Get("client_secret") != s.app.secret {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 1, Message: "Error validating client secret."})
		return
	}
	switch q.Get("grant_type") {
	case "client_credentials":
		t := s.issue(appToken, s.app.id, nil, time.Time{}, nil)
		writeJSON(w, http.StatusOK, map[string]any{"access_token": s.app.id + "|" + t.value, "token_type": "bearer"})
	case "fb_exchange_token":
		old := s.tokens[q.Get("fb_exchange_token")]
		if old == nil || (old.kind != userShort && old.kind != userLong) || old.revoked || !s.now().Before(old.expires) {
			graphError(w, http.StatusBadRequest, meta.GraphError{Code: meta.CodeToken, Message: "Invalid OAuth access token - Cannot parse access token"})
			return
		}
		t := s.issue(userLong, old.subject, old.scopes, s.now().Add(longLived), nil)
		writeJSON(w, http.StatusOK, map[string]any{"access_token": t.value, "token_type": "bearer", "expires_in": int(longLived.Seconds())})
	case "", "authorization_code":
		c := s.codes[q.Get("code")]
		switch {
		case c == nil || c.threads:
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
			t := s.issue(userShort, c.subject, c.scopes, s.now().Add(shortLived), nil)
			writeJSON(w, http.StatusOK, map[string]any{"access_token": t.value, "token_type": "bearer", "expires_in": int(shortLived.Seconds())})
		}
	default:
		invalidParam(w, "Invalid grant_type: "+q.Get("grant_type"))
	}
}

// graph routes /v27.0/{node}/{edge}.
func (s *Server) graph(w http.ResponseWriter, r *http.Request, parts []string) {
	if len(parts) > 2 || parts[0] == "" {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 2500, Message: "Unknown path components: /" + strings.Join(parts, "/")})
		return
	}
	edge := ""
	if len(parts) == 2 {
		edge = parts[1]
	}
	s.mu.Lock()
	t, ok := s.auth(w, r, false)
	if !ok {
		s.mu.Unlock()
		return
	}
	id := parts[0]
	if id == "me" {
		id = t.subject
	}
	node := s.nodes[id]
	switch n := node.(type) {
	case *igUser:
		if r.Method == http.MethodPost && edge == "media" {
			s.mu.Unlock() // fetching the media happens outside the lock
			s.createIGContainer(w, r, t, n)
			return
		}
	case *page:
		if r.Method == http.MethodPost && (edge == "photos" || edge == "videos") {
			s.mu.Unlock()
			s.uploadPageMedia(w, r, t, n, edge)
			return
		}
	}
	defer s.mu.Unlock()
	switch n := node.(type) {
	case *fbUser:
		s.userNode(w, r, t, n, edge)
	case *page:
		s.page(w, r, t, n, edge)
	case *igUser:
		s.instagram(w, r, t, n, edge)
	case *container:
		if n.network != "instagram" || edge != "" || r.Method != http.MethodGet || !s.mayUseIG(t, n.owner, "instagram_basic") {
			unsupported(w, r, id)
			return
		}
		writeJSON(w, http.StatusOK, only(fields(r), s.pollIG(n)))
	case *object:
		s.object(w, r, t, n, edge)
	default:
		unsupported(w, r, id)
	}
}

// userNode serves the authorising user: /me, /me/accounts and /me/permissions.
func (s *Server) userNode(w http.ResponseWriter, r *http.Request, t *token, u *fbUser, edge string) {
	if r.Method != http.MethodGet || (t.kind != userShort && t.kind != userLong) || t.subject != u.id {
		unsupported(w, r, u.id)
		return
	}
	switch edge {
	case "":
		writeJSON(w, http.StatusOK, only(fields(r), map[string]any{"id": u.id, "name": u.name}))
	case "permissions":
		var data []map[string]string
		for _, sc := range knownScopes {
			if granted, asked := t.scopes[sc]; asked {
				status := "granted"
				if !granted {
					status = "declined"
				}
				data = append(data, map[string]string{"permission": sc, "status": status})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	case "accounts":
		// Page tokens read with a long-lived user token never expire; with a short-lived one they
		// last as long as it (Access Token Guide, "Long-Lived Page Access Tokens").
		if !t.scopes["pages_show_list"] {
			noPermission(w, 10, "This endpoint requires the 'pages_show_list' permission.")
			return
		}
		f := fields(r)
		var all []map[string]any
		for _, pid := range u.pages {
			p := s.nodes[pid].(*page)
			var parent *token
			if t.kind == userShort {
				parent = t
			}
			pt := s.issue(pageToken, p.id, t.scopes, time.Time{}, parent)
			entry := map[string]any{"id": p.id, "name": p.name, "access_token": pt.value, "category": "Government Organization",
				"tasks": []string{"ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"}}
			if ig, ok := s.nodes[p.ig].(*igUser); ok && t.scopes["instagram_basic"] {
				entry["instagram_business_account"] = map[string]any{"id": ig.id, "username": ig.username, "name": ig.name}
			}
			if r.Form.Get("fields") != "" {
				entry = only(f, entry)
			}
			all = append(all, entry)
		}
		data, paging := paginate(r, all, s.srv.URL)
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "paging": paging})
	default:
		invalidParam(w, fmt.Sprintf("Tried accessing nonexisting field (%s) on node type (User)", edge))
	}
}

// pageScope reports whether t may act on Page p with permission scope: a Page token of p, or
// for reads the token of the user who manages it.
func (s *Server) pageScope(t *token, p *page, scope string, write bool) bool {
	if !t.scopes[scope] || (write && t.kind != pageToken) {
		return false
	}
	return s.manages(t, p)
}

// manages reports whether t is p's Page token or the token of the user who manages p.
func (s *Server) manages(t *token, p *page) bool {
	if t.kind == pageToken {
		return t.subject == p.id
	}
	return (t.kind == userShort || t.kind == userLong) && slices.Contains(s.user.pages, p.id)
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, t *token, p *page, edge string) {
	switch {
	case edge == "" && r.Method == http.MethodGet:
		if !s.manages(t, p) {
			unsupported(w, r, p.id)
			return
		}
		all := map[string]any{"id": p.id, "name": p.name, "link": "https://www.facebook.com/" + p.id}
		if ig, ok := s.nodes[p.ig].(*igUser); ok {
			all["instagram_business_account"] = map[string]any{"id": ig.id}
		}
		writeJSON(w, http.StatusOK, only(fields(r), all))
	case edge == "feed" && r.Method == http.MethodPost:
		s.pageFeed(w, r, t, p)
	case (edge == "posts" || edge == "feed" || edge == "published_posts") && r.Method == http.MethodGet:
		if !s.pageScope(t, p, "pages_read_engagement", false) {
			noPermission(w, 10, "This endpoint requires the 'pages_read_engagement' permission or the 'Page Public Content Access' feature.")
			return
		}
		var posts []map[string]any
		for _, o := range s.listed("facebook", p.id) {
			posts = append(posts, only(fields(r), map[string]any{"id": o.id, "message": nonEmpty(o.text),
				"created_time": graphTime(o.created), "permalink_url": o.permalink}))
		}
		data, paging := paginate(r, posts, s.srv.URL)
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "paging": paging})
	default:
		unsupported(w, r, p.id+"/"+edge)
	}
}

// postPermission is Graph's answer to a post on a Page made without a Page token holding
// pages_manage_posts (Pages API, Posts: "you will need … a Page access token").
func postPermission(w http.ResponseWriter) {
	noPermission(w, 200, "If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission")
}

// maxPagePost is the longest Page post Facebook takes.
const maxPagePost = 63206

var attachedMedia = regexp.MustCompile(`^attached_media\[(\d+)\]$`)

// pageFeed is POST /{page-id}/feed: a text post, or a post of unpublished photos given as
// attached_media[n]={"media_fbid":"…"} (Pages API, Posts; Photo Uploads: multi-photo posts).
func (s *Server) pageFeed(w http.ResponseWriter, r *http.Request, t *token, p *page) {
	if !s.pageScope(t, p, "pages_manage_posts", true) {
		postPermission(w)
		return
	}
	message := r.Form.Get("message")
	if utf8.RuneCountInString(message) > maxPagePost {
		invalidParam(w, "The message is too long; a post takes at most 63206 characters")
		return
	}
	type slot struct {
		i  int
		id string
	}
	var slots []slot
	for k, vs := range r.Form {
		m := attachedMedia.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		var v struct {
			MediaFBID string `json:"media_fbid"`
		}
		if json.Unmarshal([]byte(vs[0]), &v) != nil || v.MediaFBID == "" {
			invalidParam(w, fmt.Sprintf("param %s must be a JSON object with media_fbid", k))
			return
		}
		slots = append(slots, slot{i, v.MediaFBID})
	}
	slices.SortFunc(slots, func(a, b slot) int { return a.i - b.i })
	var media []channeltest.Media
	var photos []*object
	for _, sl := range slots {
		ph, ok := s.nodes[sl.id].(*object)
		if !ok || ph.network != "facebook" || ph.owner != p.id || ph.published || ph.parent != "" || len(ph.media) != 1 {
			invalidParam(w, fmt.Sprintf("param attached_media[%d] has invalid media_fbid %s", sl.i, sl.id))
			return
		}
		photos = append(photos, ph)
		media = append(media, ph.media[0])
	}
	if message == "" && len(media) == 0 && r.Form.Get("link") == "" {
		invalidParam(w, "Missing message or attachment")
		return
	}
	f, done := s.failure(w, "facebook", p.id)
	if done {
		return
	}
	o := s.publish(&object{network: "facebook", owner: p.id, text: message, media: media}, p.id+"_")
	for _, ph := range photos {
		ph.published, ph.parent = true, o.id
	}
	answerCreated(w, f, map[string]any{"id": o.id})
}

// uploadPageMedia is POST /{page-id}/photos and /{page-id}/videos: a file sent as multipart
// "source", or fetched from url (photos) or file_url (videos). A photo with published=false
// waits for a /feed post (Page Photos reference; Video API, non-resumable upload).
func (s *Server) uploadPageMedia(w http.ResponseWriter, r *http.Request, t *token, p *page, edge string) {
	s.mu.Lock()
	allowed := s.pageScope(t, p, "pages_manage_posts", true)
	s.mu.Unlock()
	if !allowed {
		postPermission(w)
		return
	}
	video := edge == "videos"
	urlParam := "url"
	if video {
		urlParam = "file_url"
	}
	var m fetched
	var err error
	if file, _, ferr := r.FormFile("source"); ferr == nil {
		m, err = readMedia(file)
		file.Close()
	} else if u := r.Form.Get(urlParam); u != "" {
		m, err = s.fetchMedia(u)
	} else {
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 324, Message: "(#324) Requires upload file"})
		return
	}
	switch {
	case video && (err != nil || !strings.HasPrefix(m.mime, "video/")):
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 352, Message: "(#352) Sorry, the video file you selected is in a format that we don't support."})
		return
	case !video && (err != nil || !facebookImage(m.mime)):
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 324, Message: "(#324) Missing or invalid image file"})
		return
	case !video && m.size >= 10_000_000:
		// Photo reference: static images "should be less than 10 MB".
		graphError(w, http.StatusBadRequest, meta.GraphError{Code: 324, Message: "(#324) The photo is over 10 MB"})
		return
	}
	text := r.Form.Get("caption")
	if text == "" {
		text = r.Form.Get("message") // "Deprecated. Please use the caption param instead."
	}
	if video {
		text = r.Form.Get("description")
	}
	media := channeltest.Media{MIME: m.mime, Size: m.size, Alt: r.Form.Get("alt_text_custom")}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !video && r.Form.Get("published") == "false" {
		ph := &object{id: s.id(), network: "facebook", owner: p.id, media: []channeltest.Media{media}, created: s.now()}
		ph.media[0].ID = ph.id
		s.nodes[ph.id] = ph
		writeJSON(w, http.StatusOK, map[string]any{"id": ph.id})
		return
	}
	f, done := s.failure(w, "facebook", p.id)
	if done {
		return
	}
	mediaID := s.id()
	media.ID = mediaID
	o := s.publish(&object{network: "facebook", owner: p.id, text: text, media: []channeltest.Media{media}}, p.id+"_")
	s.nodes[mediaID] = &object{id: mediaID, network: "facebook", owner: p.id, published: true, parent: o.id, media: o.media, created: o.created}
	if video {
		// A video upload answers with the video's ID only.
		answerCreated(w, f, map[string]any{"id": mediaID})
		return
	}
	answerCreated(w, f, map[string]any{"id": mediaID, "post_id": o.id})
}

// facebookImage: the formats of Meta's photo specifications for Page media.
func facebookImage(mime string) bool {
	switch mime {
	case "image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff":
		return true
	}
	return false
}

// publish records a published object under a new ID with prefix; callers hold mu.
func (s *Server) publish(o *object, prefix string) *object {
	o.id = prefix + s.id()
	o.created = s.now()
	o.published = true
	switch o.network {
	case "facebook":
		o.permalink = "https://www.facebook.com/" + o.id
	case "instagram":
		o.permalink = "https://www.instagram.com/p/" + shortcode(o.id) + "/"
	case "threads":
		o.permalink = "https://www.threads.com/@" + s.nodes[o.owner].(*thUser).username + "/post/" + shortcode(o.id)
	}
	s.nodes[o.id] = o
	s.Add(channeltest.Post{ID: o.id, Account: o.owner, Text: o.text, Media: o.media, ReplyTo: o.parent,
		Extra: map[string]any{"network": o.network}})
	return o
}

// listed is an account's published top-level objects, newest first; callers hold mu.
func (s *Server) listed(network, owner string) []*object {
	var out []*object
	for _, n := range s.nodes {
		if o, ok := n.(*object); ok && o.network == network && o.owner == owner && o.published && o.parent == "" {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *object) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	return out
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// object serves published things: reading a post's fields and counts, and commenting.
func (s *Server) object(w http.ResponseWriter, r *http.Request, t *token, o *object, edge string) {
	if !o.published || o.network == "threads" {
		unsupported(w, r, o.id)
		return
	}
	var p *page
	if o.network == "facebook" {
		p = s.nodes[o.owner].(*page)
	}
	read := func(scope string) bool {
		if p != nil {
			return s.pageScope(t, p, scope, false)
		}
		return s.mayUseIG(t, o.owner, scope)
	}
	switch {
	case edge == "" && r.Method == http.MethodGet:
		if !read("pages_read_engagement") && !read("instagram_basic") {
			unsupported(w, r, o.id)
			return
		}
		replies := o.counts.Replies + int64(s.comments(o.id))
		all := map[string]any{"id": o.id, "permalink": o.permalink, "permalink_url": o.permalink,
			"timestamp": graphTime(o.created), "created_time": graphTime(o.created)}
		if p != nil {
			all["message"] = nonEmpty(o.text)
			all["reactions"] = map[string]any{"data": []any{}, "summary": map[string]any{"total_count": o.counts.Likes, "viewer_reaction": "NONE"}}
			all["comments"] = map[string]any{"data": []any{}, "summary": map[string]any{"order": "ranked", "total_count": replies, "can_comment": true}}
			if o.counts.Reposts > 0 {
				all["shares"] = map[string]any{"count": o.counts.Reposts} // absent until shared
			}
		} else {
			all["caption"] = nonEmpty(o.text)
			all["like_count"] = o.counts.Likes
			all["comments_count"] = replies
			all["media_type"] = "IMAGE"
		}
		writeJSON(w, http.StatusOK, only(fields(r), all))
	case edge == "comments" && r.Method == http.MethodPost:
		// Commenting as the Page needs pages_manage_engagement with a Page token; on Instagram,
		// instagram_manage_comments.
		if (p != nil && !s.pageScope(t, p, "pages_manage_engagement", true)) || (p == nil && !s.mayUseIG(t, o.owner, "instagram_manage_comments")) {
			noPermission(w, 200, "Permissions error")
			return
		}
		message := r.Form.Get("message")
		if message == "" {
			invalidParam(w, "The parameter message is required")
			return
		}
		max := 8000 // Facebook comments
		if p == nil {
			max = 2200 // Instagram comments
		}
		if utf8.RuneCountInString(message) > max {
			invalidParam(w, fmt.Sprintf("The comment is longer than %d characters", max))
			return
		}
		f := s.commentFailure()
		if answerFailure(w, f, o.network, o.owner, true) {
			return
		}
		c := s.publish(&object{network: o.network, owner: o.owner, text: message, parent: o.id}, "")
		answerCreated(w, f, map[string]any{"id": c.id})
	default:
		unsupported(w, r, o.id+"/"+edge)
	}
}

// comments counts the comments made on id; callers hold mu.
func (s *Server) comments(id string) int {
	n := 0
	for _, node := range s.nodes {
		if o, ok := node.(*object); ok && o.parent == id && o.published && len(o.media) == 0 {
			n++
		}
	}
	return n
}
