package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/alexedwards/scs/v2"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
)

// Server holds what every route needs: the guard, sessions, catalogs and the renderer.
type Server struct {
	Guard    Guard
	Sessions *scs.SessionManager
	Bundle   *i18n.Bundle
	Render   *Renderer
	Log      *slog.Logger
	mux      *http.ServeMux
	routes   []Route
}

// LangCookie keeps a visitor's language choice.
const LangCookie = "warta_lang"

// NewServer creates a server with an empty route table.
func NewServer(g Guard, sessions *scs.SessionManager, b *i18n.Bundle, rd *Renderer, log *slog.Logger) *Server {
	return &Server{Guard: g, Sessions: sessions, Bundle: b, Render: rd, Log: log, mux: http.NewServeMux()}
}

// Routes returns the route table, for the permission test and the OpenAPI document.
func (s *Server) Routes() []Route { return s.routes }

// Mux is the underlying mux, for routes outside the table (static files, health).
func (s *Server) Mux() *http.ServeMux { return s.mux }

// Handle adds routes to the table and the mux. Every route must declare its permission.
func (s *Server) Handle(routes ...Route) {
	for _, rt := range routes {
		if rt.Perm == "" {
			panic("route " + rt.Method + " " + rt.Path + " declares no permission")
		}
		if rt.Stateless && rt.Perm != access.Public {
			panic("route " + rt.Method + " " + rt.Path + " is stateless but not public")
		}
		s.routes = append(s.routes, rt)
		h := s.wrap(rt)
		if !rt.API() && !rt.Stateless {
			h = s.Sessions.LoadAndSave(withSession(h))
		}
		s.mux.Handle(rt.Method+" "+rt.Path, h)
	}
}

// APINotFound answers an unknown /api/ path in JSON, like every other API answer.
func (s *Server) APINotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, Route{Path: "/api/"}, ErrNotFound)
}

// DenyCrossOrigin answers a form posted from another site with a page in the user's language.
func (s *Server) DenyCrossOrigin(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, Route{Path: r.URL.Path}, &Error{Status: http.StatusForbidden, Code: "cross_origin", Key: "error.cross_origin"})
}

// wrap applies the route's permission, then runs the handler and renders its error.
func (s *Server) wrap(rt Route) http.Handler {
	inWorkspace := strings.HasPrefix(rt.Path, "/w/{ws}")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p *Principal
		var err error
		switch {
		case rt.Stateless:
		case rt.API():
			p, err = s.Guard.IdentifyToken(r)
		default:
			p, err = s.Guard.Identify(r)
		}
		if err != nil {
			s.fail(w, r, rt, err)
			return
		}
		if inWorkspace && p != nil {
			p, err = s.Guard.Enter(r.Context(), p, r.PathValue("ws"))
			if err != nil {
				if errors.Is(err, db.ErrNotFound) {
					err = ErrNotFound
				}
				r = s.withLocale(r, PrincipalOf(r))
				s.fail(w, r, rt, err)
				return
			}
		}
		r = WithPrincipal(r, p)
		r = s.withLocale(r, p)
		switch {
		case rt.Perm == access.Public:
		case p == nil && rt.API():
			s.fail(w, r, rt, ErrUnauthorized)
			return
		case p == nil:
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case !p.Can(rt.Perm):
			s.fail(w, r, rt, ErrForbidden)
			return
		}
		if err := rt.Handler(w, r); err != nil {
			s.fail(w, r, rt, err)
		}
	})
}

// withLocale picks the language: the user's own, else the visitor's cookie, else the workspace's,
// else the browser's Accept-Language.
func (s *Server) withLocale(r *http.Request, p *Principal) *http.Request {
	lang := ""
	var zone = defaultZone
	if p != nil {
		lang = p.Lang
		if p.Zone != nil {
			zone = p.Zone
		}
	}
	if lang == "" {
		if c, err := r.Cookie(LangCookie); err == nil {
			lang = i18n.Supported(c.Value)
		}
	}
	if lang == "" && p != nil {
		lang = p.WorkspaceLang
	}
	if lang == "" {
		lang = i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"), "en")
	}
	return r.WithContext(contextWithLocale(r.Context(), s.Bundle.Locale(lang, zone)))
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, rt Route, err error) {
	if r.Context().Value(localeKey) == nil {
		r = s.withLocale(r, nil)
	}
	var we *Error
	if !errors.As(err, &we) {
		if errors.Is(err, db.ErrNotFound) {
			we = ErrNotFound
		} else {
			s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			we = &Error{Status: http.StatusInternalServerError, Code: "internal", Key: "error.internal"}
		}
	}
	if rt.API() {
		WriteAPIError(w, r, we)
		return
	}
	s.Render.ErrorPage(w, r, we)
}
