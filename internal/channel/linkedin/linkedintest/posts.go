package linkedintest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // images LinkedIn takes
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"warta.dev/warta/internal/channel/channeltest"
)

// Limits: commentary 3,000 characters (Posts API), a comment 1,250, a multi-image post 2 to 20
// images (MultiImage API), a video up to 500 MB sent in parts of 4 MiB, a document up to 100 MB
// (Videos API, Documents API).
const (
	commentaryMax = 3000
	commentMax    = 1250
	partSize      = 4 << 20
	videoMax      = 500 << 20
	documentMax   = 100 << 20
	imageMax      = 36_152_320 // pixels (Images API)
)

type asset struct {
	urn, kind, owner, mime, status string
	size                           int64
	parts                          []part
	polls                          int
}

type part struct {
	first, last int64
	etag        string
}

type post struct {
	urn, author, commentary, text string
	created                       time.Time
	likes, comments               int64
}

// Engage gives a post likes, for the social actions Metrics reads.
func (s *Server) Engage(urn string, likes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.posts[urn]; p != nil {
		p.likes = likes
	}
}

// initializeUpload is POST /rest/{images|documents}?action=initializeUpload.
func (s *Server) initializeUpload(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("action") != "initializeUpload" {
			apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Unsupported action")
			return
		}
		var req struct {
			Init struct {
				Owner string `json:"owner"`
			} `json:"initializeUploadRequest"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Init.Owner == "" {
			unprocessable(w, "/initializeUploadRequest/owner :: field is required but not found and has no default value")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.auth(w, r)
		if t == nil {
			return
		}
		if !mayPost(t, req.Init.Owner) {
			denied(w, kind+"s.ACTION-initializeUpload")
			return
		}
		a := s.newAsset(kind, req.Init.Owner, 0)
		writeJSON(w, http.StatusOK, map[string]any{"value": map[string]any{
			"uploadUrlExpiresAt": time.Now().Add(time.Hour).UnixMilli(),
			"uploadUrl":          s.URL() + "/dms-uploads/" + strings.TrimPrefix(a.urn, "urn:li:"+kind+":"),
			kind:                 a.urn,
		}})
	}
}

func (s *Server) newAsset(kind, owner string, size int64) *asset {
	a := &asset{urn: fmt.Sprintf("urn:li:%s:D4E10AQ%s", kind, s.id()), kind: kind, owner: owner, size: size, status: "WAITING_UPLOAD"}
	s.assets[a.urn] = a
	return a
}

func unprocessable(w http.ResponseWriter, detail string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "ERROR :: " + detail + "\n", "status": 422})
}

// videos is POST /rest/videos?action=initializeUpload|finalizeUpload.
func (s *Server) videos(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("action") {
	case "initializeUpload":
		var req struct {
			Init struct {
				Owner string `json:"owner"`
				Size  int64  `json:"fileSizeBytes"`
			} `json:"initializeUploadRequest"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Init.Owner == "" || req.Init.Size <= 0 {
			unprocessable(w, "/initializeUploadRequest :: owner and fileSizeBytes are required")
			return
		}
		if req.Init.Size > videoMax {
			unprocessable(w, "/initializeUploadRequest/fileSizeBytes :: the video is larger than 500 MB")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.auth(w, r)
		if t == nil {
			return
		}
		if !mayPost(t, req.Init.Owner) {
			denied(w, "videos.ACTION-initializeUpload")
			return
		}
		a := s.newAsset("video", req.Init.Owner, req.Init.Size)
		var instructions []map[string]any
		for first := int64(0); first < a.size; first += partSize {
			p := part{first: first, last: min(first+partSize, a.size) - 1}
			a.parts = append(a.parts, p)
			instructions = append(instructions, map[string]any{"firstByte": p.first, "lastByte": p.last,
				"uploadUrl": fmt.Sprintf("%s/dms-uploads/%s/%d", s.URL(), strings.TrimPrefix(a.urn, "urn:li:video:"), len(a.parts)-1)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": map[string]any{"uploadUrlsExpireAt": time.Now().Add(time.Hour).UnixMilli(),
			"video": a.urn, "uploadInstructions": instructions, "uploadToken": ""}})
	case "finalizeUpload":
		var req struct {
			Fin struct {
				Video string   `json:"video"`
				Token *string  `json:"uploadToken"`
				Parts []string `json:"uploadedPartIds"`
			} `json:"finalizeUploadRequest"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Fin.Video == "" || req.Fin.Token == nil {
			unprocessable(w, "/finalizeUploadRequest :: video, uploadToken and uploadedPartIds are required")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.auth(w, r)
		if t == nil {
			return
		}
		a := s.assets[req.Fin.Video]
		if a == nil || a.kind != "video" || !mayPost(t, a.owner) {
			denied(w, "videos.ACTION-finalizeUpload")
			return
		}
		var etags []string
		for _, p := range a.parts {
			etags = append(etags, p.etag)
		}
		if !slices.Equal(etags, req.Fin.Parts) || slices.Contains(etags, "") {
			apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "uploadedPartIds do not match the uploaded parts")
			return
		}
		a.status, a.polls = "PROCESSING", 1
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Unsupported action")
	}
}

// upload takes the bytes PUT to an upload URL, with the member's token: a whole image or
// document, or one part of a video, which answers its ETag.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, documentMax+1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	var a *asset
	for _, kind := range []string{"image", "document", "video"} {
		if a = s.assets[fmt.Sprintf("urn:li:%s:%s", kind, r.PathValue("id"))]; a != nil {
			break
		}
	}
	if a == nil || !mayPost(t, a.owner) {
		apiError(w, http.StatusNotFound, 0, "NOT_FOUND", "Upload not found")
		return
	}
	switch a.kind {
	case "video":
		i, err := strconv.Atoi(r.PathValue("part"))
		if err != nil || i < 0 || i >= len(a.parts) || int64(len(data)) != a.parts[i].last-a.parts[i].first+1 {
			apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "The part does not match its upload instruction")
			return
		}
		a.parts[i].etag = "/ambry-video/signedId/" + random()[:16]
		w.Header().Set("ETag", a.parts[i].etag)
	case "image":
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > imageMax {
			apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "The file is not an image LinkedIn takes (JPG, PNG or GIF up to 36,152,320 pixels)")
			return
		}
		a.size, a.mime, a.status = int64(len(data)), "image/"+format, "AVAILABLE"
	case "document":
		if len(data) == 0 || len(data) > documentMax {
			apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "A document must be between 1 byte and 100 MB")
			return
		}
		a.size, a.status, a.polls = int64(len(data)), "PROCESSING", 1
	}
	w.WriteHeader(http.StatusCreated)
}

// assetStatus is GET /rest/{images|documents|videos}/{urn}; each read moves processing on.
func (s *Server) assetStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	a := s.assets[r.PathValue("urn")]
	if a == nil || !mayPost(t, a.owner) {
		apiError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not Found")
		return
	}
	status := a.status
	if a.status == "PROCESSING" {
		if a.polls--; a.polls <= 0 {
			a.status = "AVAILABLE"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": a.urn, "owner": a.owner, "status": status})
}

// createPost is POST /rest/posts (learn.microsoft.com "Posts API").
func (s *Server) createPost(w http.ResponseWriter, r *http.Request) {
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Request body could not be converted to data map")
		return
	}
	var problems []string
	known := []string{"author", "commentary", "visibility", "distribution", "content", "lifecycleState", "isReshareDisabledByAuthor", "contentLandingPage", "contentCallToActionLabel", "container", "reshareContext"}
	for k := range raw {
		if !slices.Contains(known, k) {
			problems = append(problems, "/"+k+" :: unrecognized field found but not allowed")
		}
	}
	for _, k := range []string{"author", "commentary", "visibility", "distribution", "lifecycleState"} {
		if _, ok := raw[k]; !ok {
			problems = append(problems, "/"+k+" :: field is required but not found and has no default value")
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		unprocessable(w, strings.Join(problems, "\nERROR :: "))
		return
	}
	var req struct {
		Author       string `json:"author"`
		Commentary   string `json:"commentary"`
		Visibility   string `json:"visibility"`
		Lifecycle    string `json:"lifecycleState"`
		Distribution struct {
			Feed string `json:"feedDistribution"`
		} `json:"distribution"`
		Content *struct {
			Media *struct {
				ID      string `json:"id"`
				AltText string `json:"altText"`
				Title   string `json:"title"`
			} `json:"media"`
			MultiImage *struct {
				Images []struct {
					ID      string `json:"id"`
					AltText string `json:"altText"`
				} `json:"images"`
			} `json:"multiImage"`
		} `json:"content"`
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &req); err != nil {
		unprocessable(w, err.Error())
		return
	}
	s.mu.Lock()
	t := s.auth(w, r)
	s.mu.Unlock()
	if t == nil {
		return
	}
	if f, scripted := s.Failure(); scripted && s.fail(w, f, req.Author, req.Commentary) {
		return
	}
	text, little := read(req.Commentary)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !mayPost(t, req.Author) {
		denied(w, "partnerApiPostsExternal.CREATE")
		return
	}
	switch {
	case req.Visibility != "PUBLIC" && req.Visibility != "CONNECTIONS" && req.Visibility != "LOGGED_IN":
		unprocessable(w, "/visibility :: \""+req.Visibility+"\" is not a valid enum value")
		return
	case req.Lifecycle != "PUBLISHED" && req.Lifecycle != "DRAFT":
		unprocessable(w, "/lifecycleState :: \""+req.Lifecycle+"\" is not a valid enum value")
		return
	case req.Distribution.Feed != "MAIN_FEED" && req.Distribution.Feed != "NONE":
		unprocessable(w, "/distribution/feedDistribution :: \""+req.Distribution.Feed+"\" is not a valid enum value")
		return
	}
	if utf8.RuneCountInString(text) > commentaryMax {
		unprocessable(w, "/commentary :: length of commentary exceeds the maximum of 3000 characters")
		return
	}
	var media []channeltest.Media
	use := func(id, alt string, kinds ...string) bool {
		a := s.assets[id]
		if a == nil || a.owner != req.Author || a.status != "AVAILABLE" || !slices.Contains(kinds, a.kind) {
			unprocessable(w, "/content/media/id :: "+id+" is not an available asset of the author")
			return false
		}
		media = append(media, channeltest.Media{ID: a.urn, MIME: a.mime, Size: int(a.size), Alt: alt})
		return true
	}
	if c := req.Content; c != nil {
		switch {
		case c.Media != nil && c.MultiImage == nil:
			if !use(c.Media.ID, c.Media.AltText, "image", "video", "document") {
				return
			}
		case c.MultiImage != nil && c.Media == nil && len(c.MultiImage.Images) >= 2 && len(c.MultiImage.Images) <= 20:
			for _, img := range c.MultiImage.Images {
				if !use(img.ID, img.AltText, "image") {
					return
				}
			}
		default:
			unprocessable(w, "/content :: one media, or a multiImage of 2 to 20 images")
			return
		}
	}
	for _, p := range s.byAuthor[req.Author] {
		if p.text == text {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Content is a duplicate of " + p.urn, "status": 422})
			return
		}
	}
	p := s.addLocked(req.Author, req.Commentary, text, little, media)
	w.Header().Set("x-restli-id", p.urn)
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) addLocked(author, commentary, text, little string, media []channeltest.Media) *post {
	p := &post{urn: "urn:li:share:" + s.id(), author: author, commentary: little, text: text, created: time.Now()}
	s.posts[p.urn] = p
	s.byAuthor[author] = append(s.byAuthor[author], p)
	s.Add(channeltest.Post{ID: p.urn, Account: author, Text: text, Media: media, Extra: map[string]any{"commentary": commentary}})
	return p
}

// fail answers a scripted failure as LinkedIn does; it reports whether the request is answered.
func (s *Server) fail(w http.ResponseWriter, f channeltest.Failure, author, commentary string) bool {
	switch f {
	case channeltest.RateLimited:
		apiError(w, http.StatusTooManyRequests, 101, "TOO_MANY_REQUESTS", "Resource level throttle limit for calls to this resource is reached.")
	case channeltest.ServerError:
		apiError(w, http.StatusInternalServerError, 0, "INTERNAL_SERVER_ERROR", "Internal Server Error")
	case channeltest.Unauthorized:
		apiError(w, http.StatusUnauthorized, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
	case channeltest.Rejected:
		denied(w, "partnerApiPostsExternal.CREATE")
	case channeltest.LostAnswer, channeltest.ChangedShape:
		text, little := read(commentary)
		s.mu.Lock()
		p := s.addLocked(author, commentary, text, little, nil)
		s.mu.Unlock()
		if f == channeltest.LostAnswer {
			channeltest.Drop(w)
			return true
		}
		writeJSON(w, http.StatusCreated, map[string]any{"value": map[string]string{"entityUrn": p.urn}})
	default:
		return false
	}
	return true
}

// findPosts is GET /rest/posts?q=author&author=: a Page's posts, newest first. A member's posts
// need r_member_social, which this app does not have.
func (s *Server) findPosts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("q") != "author" || q.Get("author") == "" {
		apiError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Invalid query parameters: q=author and author are required")
		return
	}
	count := 10
	if v := q.Get("count"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n <= 100 {
			count = n
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	if !mayRead(t, q.Get("author")) {
		denied(w, "partnerApiPostsExternal.FINDER-author")
		return
	}
	elements := []map[string]any{}
	posts := s.byAuthor[q.Get("author")]
	for i := len(posts) - 1; i >= 0 && len(elements) < count; i-- {
		p := posts[i]
		ms := p.created.UnixMilli()
		elements = append(elements, map[string]any{"id": p.urn, "author": p.author, "commentary": p.commentary,
			"visibility": "PUBLIC", "lifecycleState": "PUBLISHED", "createdAt": ms, "publishedAt": ms, "lastModifiedAt": ms,
			"distribution": map[string]any{"feedDistribution": "MAIN_FEED", "targetEntities": []any{}, "thirdPartyDistributionChannels": []any{}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"elements": elements, "paging": map[string]any{"count": count, "start": 0, "links": []any{}}})
}

// FailNextComment scripts the next n comments (POST /rest/socialActions/{urn}/comments), as
// FailNext does posts: RateLimited, ServerError, Unauthorized and Rejected answer as LinkedIn
// does, LostAnswer makes the comment and drops the answer, and any other Failure (such as "")
// lets the comment through.
func (s *Server) FailNextComment(f channeltest.Failure, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.commentFailures = append(s.commentFailures, f)
	}
}

// commentFailure takes the next scripted failure of a comment and answers it, except
// LostAnswer, which the caller answers after making the comment; callers hold mu.
func (s *Server) commentFailure(w http.ResponseWriter) (channeltest.Failure, bool) {
	if len(s.commentFailures) == 0 {
		return "", false
	}
	f := s.commentFailures[0]
	s.commentFailures = s.commentFailures[1:]
	switch f {
	case channeltest.RateLimited:
		apiError(w, http.StatusTooManyRequests, 101, "TOO_MANY_REQUESTS", "Resource level throttle limit for calls to this resource is reached.")
	case channeltest.ServerError:
		apiError(w, http.StatusInternalServerError, 0, "INTERNAL_SERVER_ERROR", "Internal Server Error")
	case channeltest.Unauthorized:
		apiError(w, http.StatusUnauthorized, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
	case channeltest.Rejected:
		denied(w, "socialActions.comments.CREATE")
	default:
		return f, false
	}
	return f, true
}

// createComment is POST /rest/socialActions/{urn}/comments.
func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Actor   string `json:"actor"`
		Object  string `json:"object"`
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Actor == "" || req.Message.Text == "" {
		unprocessable(w, "/actor and /message/text :: field is required but not found and has no default value")
		return
	}
	if utf8.RuneCountInString(req.Message.Text) > commentMax {
		unprocessable(w, "/message/text :: length exceeds the maximum of 1250 characters")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	target := r.PathValue("urn")
	p := s.posts[target]
	if p == nil || req.Object != target {
		apiError(w, http.StatusNotFound, 0, "NOT_FOUND", "Post "+target+" not found")
		return
	}
	if !mayPost(t, req.Actor) {
		denied(w, "socialActions.comments.CREATE")
		return
	}
	f, done := s.commentFailure(w)
	if done {
		return
	}
	p.comments++
	urn := fmt.Sprintf("urn:li:comment:(%s,%s)", target, s.id())
	s.Add(channeltest.Post{ID: urn, Account: req.Actor, Text: req.Message.Text, ReplyTo: target})
	if f == channeltest.LostAnswer {
		channeltest.Drop(w)
		return
	}
	w.Header().Set("x-restli-id", urn)
	writeJSON(w, http.StatusCreated, map[string]any{"actor": req.Actor, "object": target, "message": req.Message, "$URN": urn})
}

// socialActions is GET /rest/socialActions/{urn}: likes and comments of a Page's post.
func (s *Server) socialActions(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.auth(w, r)
	if t == nil {
		return
	}
	p := s.posts[r.PathValue("urn")]
	if p == nil {
		apiError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not Found")
		return
	}
	if !mayRead(t, p.author) {
		denied(w, "socialActions.GET")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"target":          p.urn,
		"likesSummary":    map[string]any{"totalLikes": p.likes, "aggregatedTotalLikes": p.likes, "likedByCurrentUser": false},
		"commentsSummary": map[string]any{"totalFirstLevelComments": p.comments, "aggregatedTotalComments": p.comments},
	})
}

// The little text format (learn.microsoft.com "Little Text Format"): \ escapes a reserved
// character; #tag is a hashtag, kept as {hashtag|\#|tag}; @[Name](urn) a mention; links are
// text. Any other reserved character is markup LinkedIn cannot read, and it cuts the post there.
const reserved = `\|{}@[]()<>#*_~`

var (
	linkRE     = regexp.MustCompile(`^https?://[^\s<>\\]+`)
	templateRE = regexp.MustCompile(`^\{hashtag\|\\#\|([^}|]+)\}`)
	mentionRE  = regexp.MustCompile(`^@\[([^\]]+)\]\((urn:li:(?:person|organization):[^)]+)\)`)
)

// read turns commentary into what readers see, and into the little text LinkedIn answers it as.
func read(s string) (text, little string) {
	var t, l strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		rest := s[i:]
		if r == '\\' && i+n < len(s) {
			_, m := utf8.DecodeRuneInString(s[i+n:])
			t.WriteString(s[i+n : i+n+m])
			l.WriteString(s[i : i+n+m])
			i += n + m
			continue
		}
		if m := linkRE.FindString(rest); m != "" {
			m = m[:linkLen(m)]
			t.WriteString(m)
			l.WriteString(m)
			i += len(m)
			continue
		}
		if m := templateRE.FindStringSubmatch(rest); m != nil {
			t.WriteString("#" + m[1])
			l.WriteString(m[0])
			i += len(m[0])
			continue
		}
		if m := mentionRE.FindStringSubmatch(rest); m != nil {
			t.WriteString(m[1])
			l.WriteString(m[0])
			i += len(m[0])
			continue
		}
		if r == '#' {
			end := 1
			for end < len(rest) {
				c, k := utf8.DecodeRuneInString(rest[end:])
				if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
					break
				}
				end += k
			}
			if end > 1 {
				t.WriteString(rest[:end])
				l.WriteString(`{hashtag|\#|` + rest[1:end] + "}")
				i += end
				continue
			}
		}
		if strings.ContainsRune(reserved, r) {
			break // unescaped markup: the post is cut here
		}
		t.WriteRune(r)
		l.WriteRune(r)
		i += n
	}
	return t.String(), l.String()
}

// linkLen drops what ends a sentence rather than a link, as LinkedIn's linker does.
func linkLen(l string) int {
	for l != "" {
		c := l[len(l)-1]
		if strings.IndexByte(`.,;:!?'"`, c) >= 0 ||
			(c == ')' && strings.Count(l, "(") < strings.Count(l, ")")) ||
			(c == ']' && strings.Count(l, "[") < strings.Count(l, "]")) {
			l = l[:len(l)-1]
			continue
		}
		break
	}
	return len(l)
}
