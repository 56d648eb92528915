package x

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"warta.dev/warta/internal/channel"
)

const (
	// simpleMax: one POST /2/media/upload takes an image up to X's image limit, 5 MB
	// (docs.x.com media "Image 5 MB"); GIFs and videos always go in chunks.
	simpleMax = 5_000_000
	// chunkSize: an APPEND segment must be at most 5 MB (media upload APPEND reference); 4 MiB
	// is what X's own xurl sends.
	chunkSize = 4 << 20
	// altMax: alt text of an image or GIF, at most 1,000 characters (media metadata create).
	altMax = 1000
	// processingMax bounds the STATUS polling of one video.
	processingMax = 30 * time.Minute
)

type mediaData struct {
	Data struct {
		ID             string      `json:"id"`
		ProcessingInfo *processing `json:"processing_info"`
	} `json:"data"`
}

type processing struct {
	State          string `json:"state"` // pending → in_progress → succeeded | failed
	CheckAfterSecs int    `json:"check_after_secs"`
	Error          *struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c *connector) uploadAll(ctx context.Context, a *channel.Account, files []channel.MediaFile) ([]string, error) {
	var ids []string
	for _, f := range files {
		id, err := c.upload(ctx, a, f)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func category(kind string) string {
	switch kind {
	case channel.KindGIF:
		return "tweet_gif"
	case channel.KindVideo:
		return "tweet_video"
	}
	return "tweet_image"
}

func (c *connector) upload(ctx context.Context, a *channel.Account, f channel.MediaFile) (string, error) {
	if f.Kind == channel.KindDocument {
		return "", &channel.Error{Kind: channel.Rejected, Reason: "X does not take documents"}
	}
	rc, err := f.Open(ctx)
	if err != nil {
		return "", &channel.Error{Kind: channel.Temporary, Reason: "cannot read " + f.Name, Err: err}
	}
	defer rc.Close()
	var id string
	if f.Kind == channel.KindImage && f.Size <= simpleMax {
		id, err = c.simpleUpload(ctx, a, f, rc)
	} else {
		id, err = c.chunkedUpload(ctx, a, f, rc)
	}
	if err != nil {
		return "", err
	}
	if alt := []rune(f.Alt); len(alt) > 0 && f.Kind != channel.KindVideo {
		body := map[string]any{"id": id, "metadata": map[string]any{"alt_text": map[string]string{"text": string(alt[:min(len(alt), altMax)])}}}
		if err := c.call(ctx, http.MethodPost, c.api("/2/media/metadata"), a.Secret.AccessToken, body, nil); err != nil {
			return "", err
		}
	}
	return id, nil
}

// form builds a multipart body of fields and, when data is given, the file part "media".
func form(fields map[string]string, name string, data []byte) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if data != nil {
		part, _ := w.CreateFormFile("media", name)
		_, _ = part.Write(data)
	}
	_ = w.Close()
	return &b, w.FormDataContentType()
}

// simpleUpload: POST /2/media/upload, multipart with media, media_category and media_type.
func (c *connector) simpleUpload(ctx context.Context, a *channel.Account, f channel.MediaFile, r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, simpleMax+1))
	if err != nil {
		return "", &channel.Error{Kind: channel.Temporary, Reason: "cannot read " + f.Name, Err: err}
	}
	body, ctype := form(map[string]string{"media_category": category(f.Kind), "media_type": f.MIME}, f.Name, data)
	var out mediaData
	if err := c.send(ctx, http.MethodPost, c.api("/2/media/upload"), a.Secret.AccessToken, body, ctype, &out); err != nil {
		return "", err
	}
	if out.Data.ID == "" {
		return "", &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "media upload answered without data.id"}
	}
	return out.Data.ID, nil
}

// chunkedUpload: initialize, append each segment, finalize, then poll STATUS while X processes
// the file (docs.x.com "Chunked media upload").
func (c *connector) chunkedUpload(ctx context.Context, a *channel.Account, f channel.MediaFile, r io.Reader) (string, error) {
	var init mediaData
	req := map[string]any{"media_type": f.MIME, "total_bytes": f.Size, "media_category": category(f.Kind)}
	if err := c.call(ctx, http.MethodPost, c.api("/2/media/upload/initialize"), a.Secret.AccessToken, req, &init); err != nil {
		return "", err
	}
	id := init.Data.ID
	if id == "" {
		return "", &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "media initialize answered without data.id"}
	}
	buf := make([]byte, chunkSize)
	for seg := 0; ; seg++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			body, ctype := form(map[string]string{"segment_index": strconv.Itoa(seg)}, f.Name, buf[:n])
			if err := c.send(ctx, http.MethodPost, c.api("/2/media/upload/"+url.PathEscape(id)+"/append"), a.Secret.AccessToken, body, ctype, nil); err != nil {
				return "", err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return "", &channel.Error{Kind: channel.Temporary, Reason: "cannot read " + f.Name, Err: err}
		}
	}
	var fin mediaData
	if err := c.call(ctx, http.MethodPost, c.api("/2/media/upload/"+url.PathEscape(id)+"/finalize"), a.Secret.AccessToken, nil, &fin); err != nil {
		return "", err
	}
	return id, c.await(ctx, a, id, fin.Data.ProcessingInfo)
}

// await polls GET /2/media/upload?command=STATUS as long as X says, waiting check_after_secs
// between polls; a post may use the media only once processing succeeded.
func (c *connector) await(ctx context.Context, a *channel.Account, id string, info *processing) error {
	var waited time.Duration
	for info != nil && (info.State == "pending" || info.State == "in_progress") {
		d := time.Duration(max(info.CheckAfterSecs, 1)) * time.Second
		if waited += d; waited > processingMax {
			return &channel.Error{Kind: channel.Temporary, Key: channel.KeyMediaFailed, Reason: "X was still processing the video after 30 minutes"}
		}
		if err := c.env.Wait(ctx, d); err != nil {
			return &channel.Error{Kind: channel.Temporary, Reason: err.Error(), Err: err}
		}
		var st mediaData
		q := url.Values{"command": {"STATUS"}, "media_id": {id}}
		if err := c.call(ctx, http.MethodGet, c.api("/2/media/upload")+"?"+q.Encode(), a.Secret.AccessToken, nil, &st); err != nil {
			return err
		}
		info = st.Data.ProcessingInfo
	}
	if info != nil && info.State == "failed" {
		reason := "processing failed"
		if info.Error != nil {
			reason = fmt.Sprintf("%s (%s)", info.Error.Message, info.Error.Name)
		}
		return &channel.Error{Kind: channel.Rejected, Key: channel.KeyMediaFailed, Reason: reason}
	}
	return nil
}
