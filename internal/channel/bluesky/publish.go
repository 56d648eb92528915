package bluesky

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// postNSID is the collection of posts (lexicon app.bsky.feed.post, record key "tid").
const postNSID = "app.bsky.feed.post"

// postRecord is an app.bsky.feed.post record.
type postRecord struct {
	Type      string    `json:"$type"`
	Text      string    `json:"text"`
	CreatedAt string    `json:"createdAt"`
	Langs     []string  `json:"langs,omitempty"`
	Facets    []facet   `json:"facets,omitempty"`
	Embed     any       `json:"embed,omitempty"`
	Reply     *replyRef `json:"reply,omitempty"`
}

// strongRef is com.atproto.repo.strongRef: a record at one version.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

// Publish uploads the media, then creates the post under a record key derived from the post's
// Key, so that an attempt whose answer was lost can be found, and a second create of the same
// post fails on the PDS instead of posting twice. The first comment is a reply with its own
// derived key.
func (c *Connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	embed, err := c.embed(ctx, a, p.Media)
	if err != nil {
		return channel.Published{}, err
	}
	now := c.env.Clock().UTC()
	post, err := c.create(ctx, a, rkey(p.Key), c.record(ctx, a, p.Text, p.Language, embed, now))
	if err != nil {
		return channel.Published{}, err
	}
	if p.FirstComment != "" {
		reply := c.record(ctx, a, p.FirstComment, p.Language, nil, now)
		reply.Reply = &replyRef{Root: post, Parent: post}
		if _, err := c.create(ctx, a, rkey(p.Key+"-comment"), reply); err != nil {
			// The post stays; publishing again adds the reply, and the record keys keep both single.
			return channel.Published{}, err
		}
	}
	return c.published(a, post.URI, now), nil
}

// Find reads the record under the post's derived key. A post whose first comment is missing
// counts as not found: publishing again finds the post in place and adds the reply.
func (c *Connector) Find(ctx context.Context, a *channel.Account, p channel.Post) (*channel.Published, error) {
	post, at, err := c.getRecord(ctx, a, rkey(p.Key))
	if err != nil || post == nil {
		return nil, err
	}
	if p.FirstComment != "" {
		reply, _, err := c.getRecord(ctx, a, rkey(p.Key+"-comment"))
		if err != nil || reply == nil {
			return nil, err
		}
	}
	found := c.published(a, post.URI, at)
	return &found, nil
}

// create writes a record with com.atproto.repo.createRecord. The PDS refuses a record key that
// is taken (the reference PDS with a 500, bluesky-social/atproto#3718; a newer one with a 400):
// then the record is read back, and an earlier attempt's post is the answer.
func (c *Connector) create(ctx context.Context, a *channel.Account, key string, rec postRecord) (strongRef, error) {
	body, err := json.Marshal(map[string]any{"repo": a.RemoteID, "collection": postNSID, "rkey": key, "record": rec})
	if err != nil {
		return strongRef{}, &channel.Error{Kind: channel.Rejected, Reason: err.Error(), Err: err}
	}
	var out strongRef
	err = c.call(ctx, a, xrpc{method: http.MethodPost, nsid: "com.atproto.repo.createRecord", body: body, ctype: "application/json", auth: true}, &out)
	if err != nil {
		if e := channel.AsError(err); e.Kind == channel.Rejected || e.Status == http.StatusInternalServerError {
			if existing, _, ferr := c.getRecord(ctx, a, key); ferr == nil && existing != nil {
				return *existing, nil
			}
		}
		return strongRef{}, err
	}
	if out.URI == "" || out.CID == "" {
		return strongRef{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: http.StatusOK, Reason: "createRecord"}
	}
	return out, nil
}

// getRecord reads one post of the account; nil when the PDS has no record under that key.
func (c *Connector) getRecord(ctx context.Context, a *channel.Account, key string) (*strongRef, time.Time, error) {
	var out struct {
		strongRef
		Value struct {
			CreatedAt string `json:"createdAt"`
		} `json:"value"`
	}
	q := url.Values{"repo": {a.RemoteID}, "collection": {postNSID}, "rkey": {key}}
	err := c.call(ctx, a, xrpc{method: http.MethodGet, nsid: "com.atproto.repo.getRecord", query: q}, &out)
	if f := failure(err); f != nil && f.Name == "RecordNotFound" {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	if out.URI == "" {
		return nil, time.Time{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: http.StatusOK, Reason: "getRecord"}
	}
	at, _ := time.Parse(time.RFC3339Nano, out.Value.CreatedAt) // zero when another client wrote it oddly
	return &out.strongRef, at, nil
}

// record builds a post with its facets; a post without media whose text has a link gets the
// link's card.
func (c *Connector) record(ctx context.Context, a *channel.Account, text, lang string, embed any, now time.Time) postRecord {
	rec := postRecord{Type: postNSID, Text: text, CreatedAt: now.Format("2006-01-02T15:04:05.000Z")}
	if lang != "" {
		rec.Langs = []string{lang}
	}
	var links []string
	rec.Facets, links = c.facets(ctx, a, text)
	if embed == nil && len(links) > 0 {
		if card := c.card(ctx, links[0]); card != nil {
			embed = card
		}
	}
	rec.Embed = embed
	return rec
}

// aspectRatio is app.bsky.embed.defs#aspectRatio; both sides at least 1.
type aspectRatio struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

func aspect(m channel.MediaFile) *aspectRatio {
	if m.Width < 1 || m.Height < 1 {
		return nil
	}
	return &aspectRatio{Width: m.Width, Height: m.Height}
}

// embed uploads the media: images as app.bsky.embed.images (alt is required, up to 4), a video
// as app.bsky.embed.video.
func (c *Connector) embed(ctx context.Context, a *channel.Account, media []channel.MediaFile) (any, error) {
	if len(media) == 0 {
		return nil, nil
	}
	type image struct {
		Image       json.RawMessage `json:"image"`
		Alt         string          `json:"alt"`
		AspectRatio *aspectRatio    `json:"aspectRatio,omitempty"`
	}
	if media[0].Kind == channel.KindVideo {
		blob, err := c.upload(ctx, a, media[0])
		if err != nil {
			return nil, err
		}
		return struct {
			Type        string          `json:"$type"`
			Video       json.RawMessage `json:"video"`
			Alt         string          `json:"alt,omitempty"`
			AspectRatio *aspectRatio    `json:"aspectRatio,omitempty"`
		}{"app.bsky.embed.video", blob, media[0].Alt, aspect(media[0])}, nil
	}
	images := make([]image, 0, len(media))
	for _, m := range media {
		blob, err := c.upload(ctx, a, m)
		if err != nil {
			return nil, err
		}
		images = append(images, image{Image: blob, Alt: m.Alt, AspectRatio: aspect(m)})
	}
	return struct {
		Type   string  `json:"$type"`
		Images []image `json:"images"`
	}{"app.bsky.embed.images", images}, nil
}

// maxUpload is the largest file read for an upload: a Bluesky video (lexicon app.bsky.embed.video
// maxSize 100000000).
const maxUpload = 100_000_000

// upload sends a file's bytes to com.atproto.repo.uploadBlob and returns the blob reference to
// put in the record as the PDS gave it.
func (c *Connector) upload(ctx context.Context, a *channel.Account, m channel.MediaFile) (json.RawMessage, error) {
	r, err := m.Open(ctx)
	if err != nil {
		return nil, &channel.Error{Kind: channel.Temporary, Reason: m.Name, Err: err}
	}
	data, err := io.ReadAll(io.LimitReader(r, maxUpload+1))
	r.Close()
	if err != nil {
		return nil, &channel.Error{Kind: channel.Temporary, Reason: m.Name, Err: err}
	}
	mime := m.MIME
	if mime == "" {
		mime = http.DetectContentType(data)
	}
	var out struct {
		Blob json.RawMessage `json:"blob"`
	}
	err = c.call(ctx, a, xrpc{method: http.MethodPost, nsid: "com.atproto.repo.uploadBlob", body: data, ctype: mime, auth: true}, &out)
	if err != nil {
		if e := channel.AsError(err); e.Kind == channel.Rejected {
			e.Key = channel.KeyMediaFailed
		}
		return nil, err
	}
	var ref struct {
		Ref struct {
			Link string `json:"$link"`
		} `json:"ref"`
	}
	if json.Unmarshal(out.Blob, &ref) != nil || ref.Ref.Link == "" {
		return nil, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: http.StatusOK, Reason: "uploadBlob"}
	}
	return out.Blob, nil
}

// published is where a post is: its at:// URI and its page on the Bluesky app.
func (c *Connector) published(a *channel.Account, uri string, at time.Time) channel.Published {
	key := uri[strings.LastIndexByte(uri, '/')+1:]
	who := strings.TrimPrefix(a.Handle, "@")
	if who == "" {
		who = a.RemoteID
	}
	return channel.Published{RemoteID: uri, URL: profileURL(who) + "/post/" + key, At: at}
}

// tidChars is the base32-sortable alphabet of TIDs (atproto.com/specs/tid).
const tidChars = "234567abcdefghijklmnopqrstuvwxyz"

// rkey derives a record key from a post's Key: a valid TID (13 characters, the top bit zero),
// the same for every attempt of one publication.
func rkey(key string) string {
	sum := sha256.Sum256([]byte(key))
	v := binary.BigEndian.Uint64(sum[:8]) &^ (1 << 63)
	var b [13]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = tidChars[v&31]
		v >>= 5
	}
	return string(b[:])
}
