package web

import (
	"context"
	"net/http"
	"time"

	"warta.dev/warta/internal/platform/i18n"
)

// defaultZone is used for visitors outside any workspace; most users are in WIB.
var defaultZone, _ = time.LoadLocation("Asia/Jakarta")

type sessionKey struct{}

// withSession marks requests whose session is loaded, so flashes are read only where they exist.
func withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, true)))
	})
}

func hasSession(r *http.Request) bool {
	ok, _ := r.Context().Value(sessionKey{}).(bool)
	return ok
}

func contextWithLocale(ctx context.Context, l *i18n.Locale) context.Context {
	return context.WithValue(ctx, localeKey, l)
}
