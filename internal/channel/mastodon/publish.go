package mastodon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// Media processing is polled with growing waits, for about three minutes in all: a video takes
// that long on a busy instance.
const (
	pollFirst = 500 * time.Millisecond
	pollMax   = 5 * time.Second
	pollTries = 40
)

// commentTries bounds the attempts at a first comment whose answer failed; its Idempotency-Key
// makes each retry safe.
const commentTries = 3

// status is the Status entity, the part Warta reads.
type status struct {
	ID        string    `json:"id"`
	URL       *string   `json:"url"`
	URI       string    `json:"uri"`
	CreatedAt time.Time `json:"created_at"`
	Content   string    `json:"content"`
	Reblog    *struct{} `json:"reblog"`
	Favs      int64     `json:"favourites_count"`
	Reblogs   int64     `json:"reblogs_count"`
	Replies   int64     `json:"replies_count"`
}

func (s status) published() channel.Published {
	u := s.URI
	if s.URL != nil && *s.URL != "" {
		u = *s.URL
	}
	return channel.Published{RemoteID: s.ID, URL: u, At: s.CreatedAt}
}

// mediaResponse is the MediaAttachment entity; url stays null while the file is processed.
type mediaResponse struct {
	ID  string  `json:"id"`
	URL *string `json:"url"`
}

// statusRequest is the body of POST /api/v1/statuses (docs.joinmastodon.org/methods/statuses/#create).
type statusRequest struct {
	Status      string   `json:"status,omitempty"`
	MediaIDs    []string `json:"media_ids,omitempty"`
	InReplyToID string   `json:"in_reply_to_id,omitempty"`
	Language    string   `json:"language,omitempty"`
	Visibility  string   `json:"visibility"`
}

// Publish uploads the media, waits until the instance has processed them, then posts the status
// with the post's Key as Idempotency-Key: the instance answers a repeated key with the status it
// already made (keys are kept for an hour), and the first comment goes out as a reply.
func (c *connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	ids := make([]string, 0, len(p.Media))
	for _, m := range p.Media {
		id, err := c.upload(ctx, a, m)
		if err != nil {
			return channel.Published{}, err
		}
		ids = append(ids, id)
	}
	lang := p.Language
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i] // Mastodon takes an ISO 639-1 code
	}
	st, err := c.postStatus(ctx, a, p.Key, statusRequest{Status: p.Text, MediaIDs: ids, Language: lang, Visibility: "public"})
	if err != nil {
		return channel.Published{}, err
	}
	pub := st.published()
	if strings.TrimSpace(p.FirstComment) != "" {
		key := ""
		if p.Key != "" {
			key = p.Key + "-comment"
		}
		if err := c.comment(ctx, a, key, statusRequest{Status: p.FirstComment, InReplyToID: st.ID, Language: lang, Visibility: "public"}); err != nil {
			pub.Incomplete = channel.IncompleteComment(err)
		}
	}
	return pub, nil
}

// comment posts the first comment, retrying a failure that may be passing. Only the comment is
// repeated, never the status it answers, and a repeat after a lost answer carries the comment's
// own Idempotency-Key, so the instance answers the comment it already made. The post itself is
// out, so a comment that still fails is reported as what did not go out, not as a failed post,
// which the engine would publish again.
func (c *connector) comment(ctx context.Context, a *channel.Account, key string, r statusRequest) error {
	delay := pollFirst
	for try := 1; ; try++ {
		_, err := c.postStatus(ctx, a, key, r)
		if err == nil {
			return nil
		}
		switch channel.AsError(err).Kind {
		case channel.Temporary: // the instance did not take the request: repeating it is safe
		case channel.Unknown:
			if key == "" {
				return err // the comment may be there, and nothing would tell the instance it is a repeat
			}
		default:
			return err
		}
		if try == commentTries || c.env.Wait(ctx, delay) != nil {
			return err
		}
		delay *= 2
	}
}

func (c *connector) postStatus(ctx context.Context, a *channel.Account, key string, r statusRequest) (status, error) {
	body, ctype, err := jsonBody(r)
	if err != nil {
		return status{}, &channel.Error{Kind: channel.Rejected, Err: err}
	}
	h := http.Header{}
	if key != "" {
		h.Set("Idempotency-Key", key)
	}
	var st status
	if _, err := c.do(ctx, a.Server, request{method: http.MethodPost, path: "/api/v1/statuses", token: a.Secret.AccessToken,
		body: body, contentType: ctype, header: h}, &st); err != nil {
		return status{}, err
	}
	if st.ID == "" {
		return status{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: http.StatusOK, Reason: "no status id in the answer"}
	}
	return st, nil
}

// upload sends one file to POST /api/v2/media (docs.joinmastodon.org/methods/media/#v2) with its
// alt text as description, and waits for it to be processed.
func (c *connector) upload(ctx context.Context, a *channel.Account, m channel.MediaFile) (string, error) {
	if m.Open == nil {
		return "", &channel.Error{Kind: channel.Rejected, Key: channel.KeyMediaFailed, Reason: m.Name}
	}
	f, err := m.Open(ctx)
	if err != nil {
		return "", &channel.Error{Kind: channel.Temporary, Reason: m.Name, Err: err}
	}
	defer f.Close()
	// Streamed, since a video may be 100 MB; the writer is done with f before f is closed.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	written := make(chan struct{})
	go func() {
		defer close(written)
		pw.CloseWithError(writeMedia(mw, m, f))
	}()
	var mr mediaResponse
	code, err := c.do(ctx, a.Server, request{method: http.MethodPost, path: "/api/v2/media", token: a.Secret.AccessToken,
		body: pr, contentType: mw.FormDataContentType()}, &mr)
	pr.Close()
	<-written
	if err != nil {
		return "", mediaError(err)
	}
	if mr.ID == "" {
		return "", &channel.Error{Kind: channel.Temporary, Key: channel.KeyUnexpected, Status: code, Reason: "no media id in the answer"}
	}
	if code == http.StatusOK && mr.URL != nil {
		return mr.ID, nil // processed at once, as small images are since Mastodon 4.0
	}
	return mr.ID, c.awaitMedia(ctx, a, mr.ID)
}

func writeMedia(mw *multipart.Writer, m channel.MediaFile, f io.Reader) error {
	if m.Alt != "" {
		if err := mw.WriteField("description", m.Alt); err != nil {
			return err
		}
	}
	name := m.Name
	if name == "" {
		name = "file"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": name}))
	ctype := m.MIME
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return err
	}
	return mw.Close()
}

// awaitMedia polls GET /api/v1/media/:id: 206 while processing, 200 with a url when done, 422
// when processing failed.
func (c *connector) awaitMedia(ctx context.Context, a *channel.Account, id string) error {
	delay := pollFirst
	for range pollTries {
		if err := c.env.Wait(ctx, delay); err != nil {
			return &channel.Error{Kind: channel.Temporary, Err: err}
		}
		var mr mediaResponse
		code, err := c.do(ctx, a.Server, request{method: http.MethodGet, path: "/api/v1/media/" + url.PathEscape(id), token: a.Secret.AccessToken}, &mr)
		if err != nil {
			return mediaError(err)
		}
		if code == http.StatusOK && mr.URL != nil {
			return nil
		}
		delay = min(delay*2, pollMax)
	}
	return &channel.Error{Kind: channel.Temporary, Reason: fmt.Sprintf("media %s still processing", id)}
}

// mediaError marks a refused or unprocessable file (422) as a media failure. Nothing is posted
// before the media are ready, so a lost answer here leaves no post behind.
func mediaError(err error) error {
	e := channel.AsError(err)
	if e.Status == http.StatusUnprocessableEntity {
		e.Key = channel.KeyMediaFailed
	}
	if e.Kind == channel.Unknown {
		e.Kind = channel.Temporary
	}
	return e
}

// Find looks for the post among the account's latest 40 statuses, by its text read back from
// the status's HTML. Mastodon has no way to look a status up by its Idempotency-Key.
func (c *connector) Find(ctx context.Context, a *channel.Account, p channel.Post) (*channel.Published, error) {
	if strings.TrimSpace(p.Text) == "" {
		return nil, channel.ErrCannotTell // any media-only status would match an empty text
	}
	// docs.joinmastodon.org/methods/accounts/#statuses: limit up to 40, newest first.
	q := url.Values{"limit": {"40"}, "exclude_replies": {"true"}, "exclude_reblogs": {"true"}}
	var list []status
	if _, err := c.do(ctx, a.Server, request{method: http.MethodGet, path: "/api/v1/accounts/" + url.PathEscape(a.RemoteID) + "/statuses",
		query: q, token: a.Secret.AccessToken}, &list); err != nil {
		return nil, err
	}
	for _, s := range list {
		if s.Reblog == nil && s.ID != "" && channel.SameText(p, plainText(s.Content)) {
			pub := s.published()
			return &pub, nil
		}
	}
	return nil, nil
}

// Metrics reads each status (docs.joinmastodon.org/methods/statuses/#get). A deleted status
// (404) has no counts and is left out.
func (c *connector) Metrics(ctx context.Context, a *channel.Account, remoteIDs []string) (map[string]channel.Metrics, error) {
	out := make(map[string]channel.Metrics, len(remoteIDs))
	for _, id := range remoteIDs {
		if _, done := out[id]; done {
			continue
		}
		var s status
		if _, err := c.do(ctx, a.Server, request{method: http.MethodGet, path: "/api/v1/statuses/" + url.PathEscape(id), token: a.Secret.AccessToken}, &s); err != nil {
			var e *channel.Error
			if errors.As(err, &e) && e.Status == http.StatusNotFound {
				continue
			}
			return nil, err
		}
		out[id] = channel.Metrics{Likes: s.Favs, Reposts: s.Reblogs, Replies: s.Replies, Views: -1}
	}
	return out, nil
}
