package publish

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
)

// Networks that fetch media themselves (Instagram, Threads) get a link that works for a day and
// names nothing but the file: the signature covers workspace, file and expiry.
const mediaLinkLife = 24 * time.Hour

// publicMediaURL is the signed, expiring public URL of a media file; empty when the installation
// has no public address.
func (s *Service) publicMediaURL(wsID, assetID int64) string {
	if s.publicBase == "" {
		return ""
	}
	exp := strconv.FormatInt(time.Now().Add(mediaLinkLife).Unix(), 10)
	ws, id := strconv.FormatInt(wsID, 10), strconv.FormatInt(assetID, 10)
	return fmt.Sprintf("%s/media/public/%s/%s/%s/%s", s.publicBase, ws, id, exp, secrets.Sign(s.signingKey, "media", ws, id, exp))
}

// MediaRoutes serve the signed media links.
func (h *Handlers) MediaRoutes() []web.Route {
	return []web.Route{{Method: "GET", Path: "/media/public/{ws}/{id}/{exp}/{sig}", Perm: access.Public, Handler: h.publicMedia}}
}

func (h *Handlers) publicMedia(w http.ResponseWriter, r *http.Request) error {
	ws, id, exp, sig := r.PathValue("ws"), r.PathValue("id"), r.PathValue("exp"), r.PathValue("sig")
	until, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || time.Now().Unix() > until || !secrets.Verify(h.s.signingKey, sig, "media", ws, id, exp) {
		return web.ErrNotFound
	}
	wsID, _ := strconv.ParseInt(ws, 10, 64)
	assetID, _ := strconv.ParseInt(id, 10, 64)
	rc, a, err := h.s.media.Open(r.Context(), wsID, assetID, false)
	if err != nil {
		return web.ErrNotFound
	}
	defer rc.Close()
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, err = io.Copy(w, rc)
	return err
}
