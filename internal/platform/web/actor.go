package web

import (
	"context"
	"net/http"
	"strings"

	"warta.dev/warta/internal/audit"
)

type clientIPKey struct{}

// ClientIP is the address a request came from: the connection's, or the proxy's report of it
// behind TrustProxy.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// TrustProxy makes the client address come from X-Forwarded-For, for installations behind a
// reverse proxy. The right-most address is the one the proxy saw; those left of it are whatever
// the client claimed.
func TrustProxy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			hops := strings.Split(xff, ",")
			ip := strings.TrimSpace(hops[len(hops)-1])
			r = r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip))
		}
		next.ServeHTTP(w, r)
	})
}

// ActorOf is who makes the changes of a request, for the audit log.
func ActorOf(r *http.Request) audit.Actor {
	a := audit.Actor{IP: ClientIP(r)}
	if p := PrincipalOf(r); p != nil {
		a.UserID, a.Label = p.UserID, p.Email
	}
	return a
}
