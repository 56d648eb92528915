package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/alexedwards/scs/v2"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed templates/*.html
var shellTemplates embed.FS

// NavItem is one entry of the main navigation; Path is relative to the workspace ("/members").
// Children are the tabs shown on the entry's pages (Content: items, media library, campaigns…).
type NavItem struct {
	Key      string
	Path     string
	Perm     access.Perm
	Children []NavItem
}

// Renderer renders pages inside the shared layout.
type Renderer struct {
	// Unread counts a member's unread notifications for the header, when set.
	Unread func(ctx context.Context, wsID, userID int64) (int, error)
	// Banners are notices shown on every page of a workspace while they hold (publishing is
	// paused, posts are overdue), when set.
	Banners  func(ctx context.Context, wsID int64) ([]Banner, error)
	base     *template.Template
	nav      []NavItem
	sessions *scs.SessionManager
	log      *slog.Logger
	errors   *Pages
}

// NewRenderer parses the layout. nav is the whole navigation, in order; each entry shows only to
// those who hold its permission.
func NewRenderer(sessions *scs.SessionManager, nav []NavItem, log *slog.Logger) (*Renderer, error) {
	base, err := template.New("layout").Funcs(Funcs).ParseFS(shellTemplates, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	rd := &Renderer{base: base, nav: nav, sessions: sessions, log: log}
	rd.errors, err = rd.Pages(shellTemplates, "templates/error.html")
	return rd, err
}

// Funcs are the template functions every page may use.
var Funcs = template.FuncMap{
	"lower": strings.ToLower,
	"add":   func(a, b int) int { return a + b },
	"sub":   func(a, b int) int { return a - b },
	// hasValue reports whether a form field (a multi-select, checkboxes) holds v.
	"hasValue": func(f *Form, name string, v any) bool {
		want := fmt.Sprint(v)
		for _, x := range f.Values[name] {
			if x == want {
				return true
			}
		}
		return false
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

// Pages is one domain's set of page templates, each parsed with the layout.
type Pages struct {
	rd    *Renderer
	pages map[string]*template.Template
}

// Pages parses a domain's templates matching patterns. Each page defines "title" and "content";
// files whose name starts with "_" are partials shared by the domain's pages.
func (rd *Renderer) Pages(fsys fs.FS, patterns ...string) (*Pages, error) {
	var files, partials []string
	for _, p := range patterns {
		matches, err := fs.Glob(fsys, p)
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			if strings.HasPrefix(path.Base(m), "_") {
				partials = append(partials, m)
			} else {
				files = append(files, m)
			}
		}
	}
	ps := &Pages{rd: rd, pages: map[string]*template.Template{}}
	for _, f := range files {
		t, err := rd.base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(fsys, append([]string{f}, partials...)...); err != nil {
			return nil, err
		}
		ps.pages[path.Base(f)] = t
	}
	return ps, nil
}

// View is what every page template receives.
type View struct {
	Title   string
	Data    any
	Form    *Form
	P       *Principal
	L       *i18n.Locale
	Nav     []NavLink
	Tabs    []NavLink
	Unread  int
	Banners []Banner
	Flashes []Flash
	Path    string
	Query   string
}

// NavLink is a navigation entry as shown.
type NavLink struct {
	Key, Href string
	Current   bool
}

// under reports whether path is href or a page below it.
func under(path, href string) bool {
	return path == href || strings.HasPrefix(path, href+"/")
}

// T translates a key in the page's language.
func (v *View) T(key string, args ...any) string { return v.L.T(key, args...) }

// TArgs translates a key with arguments kept as a list (stored notices).
func (v *View) TArgs(key string, args []any) string { return v.L.T(key, args...) }

// WS builds a path inside the current workspace.
func (v *View) WS(rest string) string {
	if v.P == nil || v.P.WorkspaceSlug == "" {
		return "/"
	}
	return "/w/" + v.P.WorkspaceSlug + rest
}

// Can reports whether the viewer holds a permission.
func (v *View) Can(perm string) bool { return v.P.Can(access.Perm(perm)) }

// Languages offered by the language switch.
func (v *View) Languages() []string { return i18n.Languages }

// Render writes page name with status. title is a catalog key; form may be nil.
func (ps *Pages) Render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, form *Form) error {
	t, ok := ps.pages[name]
	if !ok {
		panic("no template " + name)
	}
	v := ps.rd.view(r, title, data, form)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

func (rd *Renderer) view(r *http.Request, title string, data any, form *Form) *View {
	p := PrincipalOf(r)
	v := &View{Title: title, Data: data, Form: form, P: p, L: LocaleOf(r), Path: r.URL.Path, Query: r.URL.RawQuery}
	if v.Form == nil {
		v.Form = NewForm(nil)
	}
	if p != nil && p.WorkspaceSlug != "" {
		for _, n := range rd.nav {
			if !p.Can(n.Perm) {
				continue
			}
			href := v.WS(n.Path)
			current := r.URL.Path == href || (n.Path != "" && under(r.URL.Path, href))
			var tabs []NavLink
			for _, c := range n.Children {
				if !p.Can(c.Perm) {
					continue
				}
				chref := v.WS(c.Path)
				if under(r.URL.Path, chref) {
					current = true
				}
				tabs = append(tabs, NavLink{Key: c.Key, Href: chref})
			}
			if current && len(tabs) > 0 {
				// The most specific tab is the current one: /content/12 belongs to /content, not to Home.
				best := -1
				for i, t := range tabs {
					if under(r.URL.Path, t.Href) && (best < 0 || len(t.Href) > len(tabs[best].Href)) {
						best = i
					}
				}
				if best >= 0 {
					tabs[best].Current = true
				}
				v.Tabs = tabs
			}
			v.Nav = append(v.Nav, NavLink{Key: n.Key, Href: href, Current: current})
		}
	}
	if hasSession(r) {
		v.Flashes = popFlashes(r, rd.sessions)
	}
	if rd.Unread != nil && p != nil && p.WorkspaceID != 0 && p.TokenID == 0 {
		n, err := rd.Unread(r.Context(), p.WorkspaceID, p.UserID)
		if err != nil {
			rd.log.Warn("counting notifications", "err", err)
		}
		v.Unread = n
	}
	if rd.Banners != nil && p != nil && p.WorkspaceID != 0 && p.TokenID == 0 {
		b, err := rd.Banners(r.Context(), p.WorkspaceID)
		if err != nil {
			rd.log.Warn("reading the workspace's banners", "err", err)
		}
		v.Banners = b
	}
	return v
}

// Banner is a notice on every page of a workspace: Key and Args are catalog words, Text (when
// set) is shown as typed after them (a pause's reason), Link a path inside the workspace.
type Banner struct {
	Kind string // warning, error
	Key  string
	Args []any
	Text string
	Link string
	// LinkKey names the link.
	LinkKey string
}

// ErrorPage renders a friendly error page.
func (rd *Renderer) ErrorPage(w http.ResponseWriter, r *http.Request, e *Error) {
	if err := rd.errors.Render(w, r, e.Status, "error.html", "error.title", e, nil); err != nil {
		rd.log.Error("rendering the error page", "err", err)
		http.Error(w, http.StatusText(e.Status), e.Status)
	}
}

// Flash is a one-time message shown on the next page: a catalog key, or a Text already in the
// user's language (a rule's message with its numbers).
type Flash struct{ Kind, Key, Text string }

const flashKey = "flash"

// AddFlash queues a message (a catalog key) for the next page; kind is "ok" or "error".
func (s *Server) AddFlash(r *http.Request, kind, key string) {
	list, _ := s.Sessions.Get(r.Context(), flashKey).([]string)
	s.Sessions.Put(r.Context(), flashKey, append(list, kind+"|"+key))
}

// AddFlashText queues a message already written in the user's language.
func (s *Server) AddFlashText(r *http.Request, kind, text string) {
	s.AddFlash(r, kind, "="+text)
}

func popFlashes(r *http.Request, m *scs.SessionManager) []Flash {
	list, _ := m.Pop(r.Context(), flashKey).([]string)
	var out []Flash
	for _, s := range list {
		kind, key, _ := strings.Cut(s, "|")
		if text, ok := strings.CutPrefix(key, "="); ok {
			out = append(out, Flash{Kind: kind, Text: text})
			continue
		}
		out = append(out, Flash{Kind: kind, Key: key})
	}
	return out
}
