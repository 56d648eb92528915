package publish

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoders for the JPEG copy
	"image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"strconv"
	"time"

	_ "golang.org/x/image/webp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
)

// Networks that fetch media themselves (Instagram, Threads) get a link that works for a day and
// names nothing but the file: the signature covers workspace, file and expiry.
const mediaLinkLife = 24 * time.Hour

// Formats of a public media link: the file as uploaded, or a JPEG copy for networks that take
// nothing else (Instagram).
const (
	asUploaded = "original"
	asJPEG     = "jpeg"
)

// publicMediaURL is the signed, expiring public URL of a media file; empty when the installation
// has no public address.
func (s *Service) publicMediaURL(wsID, assetID int64, format string) string {
	if s.publicBase == "" {
		return ""
	}
	return mediaURL(s.publicBase, s.signingKey, wsID, assetID, format, time.Now().Add(mediaLinkLife))
}

// MediaURL is a signed link to a media file as uploaded, that works until until; other domains
// give it to people outside Warta (a release's attachments in an email).
func MediaURL(base string, key []byte, wsID, assetID int64, until time.Time) string {
	return mediaURL(base, key, wsID, assetID, asUploaded, until)
}

func mediaURL(base string, key []byte, wsID, assetID int64, format string, until time.Time) string {
	exp := strconv.FormatInt(until.Unix(), 10)
	ws, id := strconv.FormatInt(wsID, 10), strconv.FormatInt(assetID, 10)
	return fmt.Sprintf("%s/media/public/%s/%s/%s/%s/%s", base, ws, id, exp, format, secrets.Sign(key, "media", ws, id, exp, format))
}

// MediaRoutes serve the signed media links.
func (h *Handlers) MediaRoutes() []web.Route {
	return []web.Route{{Method: "GET", Path: "/media/public/{ws}/{id}/{exp}/{format}/{sig}", Perm: access.Public, Handler: h.publicMedia}}
}

func (h *Handlers) publicMedia(w http.ResponseWriter, r *http.Request) error {
	ws, id, exp, format, sig := r.PathValue("ws"), r.PathValue("id"), r.PathValue("exp"), r.PathValue("format"), r.PathValue("sig")
	until, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || time.Now().Unix() > until || !secrets.Verify(h.s.signingKey, sig, "media", ws, id, exp, format) {
		return web.ErrNotFound
	}
	wsID, _ := strconv.ParseInt(ws, 10, 64)
	assetID, _ := strconv.ParseInt(id, 10, 64)
	rc, a, err := h.s.media.Open(r.Context(), wsID, assetID, false)
	if err != nil {
		return web.ErrNotFound
	}
	defer rc.Close()
	w.Header().Set("Cache-Control", "private, max-age=3600")
	if format == asJPEG && a.ContentType != "image/jpeg" {
		return serveJPEG(w, rc)
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	_, err = io.Copy(w, rc)
	return err
}

// serveJPEG answers a JPEG copy of an image, transparent parts on white.
func serveJPEG(w http.ResponseWriter, r io.Reader) error {
	img, _, err := image.Decode(r)
	if err != nil {
		return web.ErrNotFound
	}
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, flat, &jpeg.Options{Quality: 90}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, err = w.Write(b.Bytes())
	return err
}
