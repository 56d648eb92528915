// Package channeltest holds what every network's contract server shares: the record of what was
// published, scripted failures, and the conformance checks every connector passes. A contract
// server (package <network>test next to each connector) enforces its network's documented API
// on loopback; it embeds a Recorder.
package channeltest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
)

// Failure is a scripted misbehaviour of a contract server, answered as the network answers it.
type Failure string

const (
	// RateLimited answers 429 (or the network's equivalent) with the network's reset header or
	// field, one minute ahead.
	RateLimited Failure = "rate_limited"
	// ServerError answers 500 before creating anything.
	ServerError Failure = "server_error"
	// Unauthorized answers as the network does for a revoked token.
	Unauthorized Failure = "unauthorized"
	// Rejected answers the network's validation error for the post.
	Rejected Failure = "rejected"
	// LostAnswer creates the post, then drops the connection without an answer.
	LostAnswer Failure = "lost_answer"
	// ChangedShape answers 200 with a body the connector does not know.
	ChangedShape Failure = "changed_shape"
)

// Post is a post as a contract server holds it.
type Post struct {
	ID      string
	Account string // the account's remote ID
	Text    string
	Media   []Media
	// ReplyTo is the post this one answers (a first comment, a thread).
	ReplyTo string
	// Key is the idempotency key or record key the request carried, if any.
	Key string
	// Extra is what else the network stored (facets, a link card), for the server's own tests.
	Extra map[string]any
}

// Media is an uploaded file as a contract server holds it.
type Media struct {
	ID   string
	MIME string
	Size int
	Alt  string
}

// Peer is what tests outside a network's package need of its contract server.
type Peer interface {
	// URL is the server's base URL: the Endpoint (or the instance, PDS or webhook base).
	URL() string
	// Posts lists what was published, in order.
	Posts() []Post
	// FailNext makes the next n publishing requests fail as f.
	FailNext(f Failure, n int)
	// Revoke invalidates every token issued so far, as a user revoking the app does.
	Revoke()
	// ConnectValues are the connect form's values a user would type for this server (client ID
	// and secret of the app registered on it, an app password, a bot token, an address).
	ConnectValues() map[string]string
}

// Recorder is the thread-safe record of a contract server.
type Recorder struct {
	mu       sync.Mutex
	posts    []Post
	failures []Failure
}

// Add records a published post and returns it with its index.
func (r *Recorder) Add(p Post) Post {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts = append(r.posts, p)
	return p
}

// Posts lists what was published, in order.
func (r *Recorder) Posts() []Post {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.posts)
}

// FailNext scripts the next n failures.
func (r *Recorder) FailNext(f Failure, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range n {
		r.failures = append(r.failures, f)
	}
}

// Failure takes the next scripted failure, if any; a server calls it once per publishing request.
func (r *Recorder) Failure() (Failure, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.failures) == 0 {
		return "", false
	}
	f := r.failures[0]
	r.failures = r.failures[1:]
	return f, true
}

// Drop closes the connection of a request without answering, as a network whose answer is lost.
func Drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// PNG returns a small real PNG image, for uploads.
func PNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 8), 120, 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// Image returns a media file of PNG bytes with alt text.
func Image(alt, publicURL string) channel.MediaFile {
	data := PNG()
	return channel.MediaFile{Name: "picture.png", MIME: "image/png", Kind: channel.KindImage, Size: int64(len(data)),
		Width: 40, Height: 30, Alt: alt, PublicURL: publicURL,
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

// Conformance runs the checks every connector passes against its contract server with a
// connected account: a text post, a post with an image and its alt text, each failure class
// classified as the engine needs it, and Find after a lost answer. withMedia is false for
// networks that take no media; mediaURL is the public URL of the image for networks that fetch it.
func Conformance(t *testing.T, c channel.Connector, peer Peer, acct *channel.Account, withMedia bool, mediaURL string) {
	t.Helper()
	ctx := context.Background()
	key := func(name string) string { return "conformance-" + name + "-" + time.Now().Format("150405.000000") }
	publish := func(t *testing.T, p channel.Post) (channel.Published, error) {
		t.Helper()
		return c.Publish(ctx, acct, p)
	}
	count := func() int { return len(peer.Posts()) }

	t.Run("text", func(t *testing.T) {
		before := count()
		p := channel.Post{Key: key("text"), Text: "Siaran pers: layanan KTP keliling hadir di 12 kecamatan #Sukamaju", Language: "id"}
		got, err := publish(t, p)
		if err != nil {
			t.Fatalf("publish: %v", err)
		}
		if got.RemoteID == "" {
			t.Errorf("no remote ID: %+v", got)
		}
		posts := peer.Posts()
		if len(posts) != before+1 {
			t.Fatalf("%d posts on the server after one publish, want %d", len(posts), before+1)
		}
		if last := posts[len(posts)-1]; !strings.Contains(last.Text, "layanan KTP keliling") || last.ID != got.RemoteID {
			t.Errorf("server holds %+v, connector said %+v", last, got)
		}
	})
	if withMedia {
		t.Run("image with alt text", func(t *testing.T) {
			p := channel.Post{Key: key("image"), Text: "Foto kegiatan posyandu", Media: []channel.MediaFile{Image("Kader posyandu menimbang bayi", mediaURL)}}
			if _, err := publish(t, p); err != nil {
				t.Fatalf("publish: %v", err)
			}
			posts := peer.Posts()
			last := posts[len(posts)-1]
			if len(last.Media) != 1 {
				t.Fatalf("server holds %d media, want 1: %+v", len(last.Media), last)
			}
			if last.Media[0].Alt != "Kader posyandu menimbang bayi" && last.Media[0].Alt != "-" {
				t.Errorf("alt text %q did not reach the server", last.Media[0].Alt)
			}
		})
	}
	classes := []struct {
		f    Failure
		kind channel.Kind
	}{
		{RateLimited, channel.RateLimited},
		{Unauthorized, channel.Unauthorized},
		{Rejected, channel.Rejected},
	}
	for _, cl := range classes {
		t.Run(string(cl.f), func(t *testing.T) {
			before := count()
			peer.FailNext(cl.f, 1)
			_, err := publish(t, channel.Post{Key: key(string(cl.f)), Text: "Pengumuman " + string(cl.f)})
			var e *channel.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *channel.Error", err)
			}
			if e.Kind != cl.kind {
				t.Errorf("kind %s, want %s (%v)", e.Kind, cl.kind, e)
			}
			if cl.f == RateLimited && e.RetryAt.IsZero() {
				t.Error("a rate limit without the time it resets")
			}
			if cl.f != RateLimited && e.Reason == "" {
				t.Error("no reason in the network's words")
			}
			if count() != before {
				t.Error("a failed request left a post")
			}
		})
	}
	t.Run("server error", func(t *testing.T) {
		peer.FailNext(ServerError, 1)
		_, err := publish(t, channel.Post{Key: key("500"), Text: "Pengumuman 500"})
		if e := channel.AsError(err); err == nil || (e.Kind != channel.Temporary && e.Kind != channel.Unknown) {
			t.Errorf("500 gave %v, want temporary or unknown", err)
		}
	})
	t.Run("changed shape", func(t *testing.T) {
		peer.FailNext(ChangedShape, 1)
		_, err := publish(t, channel.Post{Key: key("shape"), Text: "Pengumuman bentuk baru"})
		if err == nil {
			t.Fatal("an answer without a post ID counted as published")
		}
	})
	t.Run("lost answer then find", func(t *testing.T) {
		before := count()
		p := channel.Post{Key: key("lost"), Text: "Jadwal vaksinasi gratis pekan depan"}
		peer.FailNext(LostAnswer, 1)
		_, err := publish(t, p)
		if e := channel.AsError(err); err == nil || e.Kind != channel.Unknown {
			t.Fatalf("lost answer gave %v, want unknown", err)
		}
		if count() != before+1 {
			t.Fatalf("the server should hold the post whose answer was lost")
		}
		found, err := c.Find(ctx, acct, p)
		if errors.Is(err, channel.ErrCannotTell) {
			return // the engine marks it uncertain for a person
		}
		if err != nil || found == nil {
			t.Fatalf("find after a lost answer: %+v, %v", found, err)
		}
		if posts := peer.Posts(); found.RemoteID != posts[len(posts)-1].ID {
			t.Errorf("found %s, the post is %s", found.RemoteID, posts[len(posts)-1].ID)
		}
		other, err := c.Find(ctx, acct, channel.Post{Key: key("never"), Text: "Teks yang tidak pernah diunggah"})
		if err != nil || other != nil {
			t.Errorf("find of a post never made: %+v, %v", other, err)
		}
	})
}
