package publish

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the publishing pages and API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the publishing templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// CallbackPath is where networks send the user back after authorising Warta; its full URL is
// what the network's app must list as redirect URL.
const CallbackPath = "/channels/callback"

// Routes are the publishing pages with their permissions.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/channels", Perm: access.ContentView, Handler: h.channels},
		{Method: "GET", Path: "/w/{ws}/channels/{network}/connect", Perm: access.ContentView, Handler: h.connectForm},
		{Method: "POST", Path: "/w/{ws}/channels/{network}/connect", Perm: access.ChannelsManage, Handler: h.connect},
		{Method: "GET", Path: CallbackPath, Perm: access.SignedIn, Handler: h.callback},
		{Method: "GET", Path: "/w/{ws}/channels/{id}", Perm: access.ContentView, Handler: h.account},
		{Method: "POST", Path: "/w/{ws}/channels/{id}/check", Perm: access.ChannelsManage, Handler: h.check},
		{Method: "POST", Path: "/w/{ws}/channels/{id}/disconnect", Perm: access.ChannelsManage, Handler: h.disconnect},
		{Method: "GET", Path: "/w/{ws}/publishing", Perm: access.ContentView, Handler: h.log},
		{Method: "GET", Path: "/w/{ws}/publishing/{id}", Perm: access.ContentView, Handler: h.publication},
		{Method: "POST", Path: "/w/{ws}/publishing/pause", Perm: access.PublishPause, Handler: h.pause},
		{Method: "POST", Path: "/w/{ws}/publishing/resume", Perm: access.PublishPause, Handler: h.resume},
		{Method: "POST", Path: "/w/{ws}/publishing/decide", Perm: access.ContentSchedule, Handler: h.decide},
	}
}

// network is a network as the channels page offers it.
type network struct {
	Network   channel.Network
	Catalog   string // the connector's catalog name, prefix of its keys
	Guide     channel.Guide
	Fields    []channel.Field
	OAuth     bool
	HasApp    bool
	Connected int
}

func (h *Handlers) networks(r *http.Request, accts []Account) ([]network, error) {
	var out []network
	for _, c := range h.s.Connectors() {
		n := network{Network: c.Network(), Guide: c.Guide(), Fields: c.Fields()}
		for _, f := range n.Fields {
			if f.App {
				n.OAuth = true
			}
		}
		if c.Network() == channel.Mastodon {
			n.OAuth = true
		}
		for _, a := range accts {
			if a.Network == n.Network {
				n.Connected++
			}
		}
		has, err := h.s.HasApp(r.Context(), web.PrincipalOf(r).WorkspaceID, n.Network)
		if err != nil {
			return nil, err
		}
		n.HasApp = has
		out = append(out, n)
	}
	return out, nil
}

type channelsData struct {
	Accounts []Account
	Networks []network
	Now      time.Time
	Redirect string
}

func (h *Handlers) channels(w http.ResponseWriter, r *http.Request) error {
	accts, err := h.s.Accounts(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	nets, err := h.networks(r, accts)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "channels.html", "publish.channels.title",
		channelsData{Accounts: accts, Networks: nets, Now: time.Now(), Redirect: h.s.redirectURL}, nil)
}

func (h *Handlers) findNetwork(r *http.Request) (*network, error) {
	accts, err := h.s.Accounts(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return nil, err
	}
	nets, err := h.networks(r, accts)
	if err != nil {
		return nil, err
	}
	for i := range nets {
		if string(nets[i].Network) == r.PathValue("network") {
			return &nets[i], nil
		}
	}
	return nil, web.ErrNotFound
}

type connectData struct {
	N        *network
	Redirect string
	Problem  string
}

func (h *Handlers) connectForm(w http.ResponseWriter, r *http.Request) error {
	n, err := h.findNetwork(r)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "connect.html", "publish.connect.title", connectData{N: n, Redirect: h.s.redirectURL}, nil)
}

func (h *Handlers) connect(w http.ResponseWriter, r *http.Request) error {
	n, err := h.findNetwork(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	values := map[string]string{}
	for _, fd := range n.Fields {
		values[fd.Name] = f.Get(fd.Name)
		if !fd.Optional && !(fd.App && n.HasApp) && values[fd.Name] == "" {
			f.Fail(fd.Name, "form.required")
		}
	}
	if !f.Valid() {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "connect.html", "publish.connect.title", connectData{N: n, Redirect: h.s.redirectURL}, f)
	}
	p := web.PrincipalOf(r)
	res, err := h.s.StartConnect(r.Context(), web.ActorOf(r), p.WorkspaceID, n.Network, values, web.WorkspacePath(r, "/channels"))
	if err != nil {
		return h.connectFailed(w, r, n, f, err)
	}
	if res.AuthURL != "" {
		// A page with a link rather than a redirect: the pages' policy lets forms lead only to
		// Warta itself, and the person sees where they are about to sign in.
		u, err := url.Parse(res.AuthURL)
		if err != nil {
			return err
		}
		return h.pages.Render(w, r, http.StatusOK, "leave.html", "publish.leave.title",
			struct {
				Network   channel.Network
				Host, URL string
			}{n.Network, u.Host, res.AuthURL}, nil)
	}
	h.srv.AddFlash(r, "ok", "publish.flash.connected")
	return web.Redirect(w, r, web.WorkspacePath(r, "/channels"))
}

// connectFailed shows the network's refusal on the form, in the user's language, with what was
// typed kept (secrets excepted).
func (h *Handlers) connectFailed(w http.ResponseWriter, r *http.Request, n *network, f *web.Form, err error) error {
	var ce *channel.Error
	if !errors.As(err, &ce) {
		var we *web.Error
		if errors.As(err, &we) {
			return err
		}
		h.s.log.Warn("connecting an account", "network", n.Network, "err", err)
		ce = &channel.Error{Kind: channel.Temporary, Reason: err.Error()}
	}
	for _, fd := range n.Fields {
		if fd.Secret {
			f.Values.Del(fd.Name)
		}
	}
	msg := connectMessage(web.LocaleOf(r), n.Network, ce)
	return h.pages.Render(w, r, http.StatusUnprocessableEntity, "connect.html", "publish.connect.title",
		connectData{N: n, Redirect: h.s.redirectURL, Problem: msg}, f)
}

func connectMessage(l *i18n.Locale, n channel.Network, ce *channel.Error) string {
	switch {
	case ce.Key != "":
		return ce.Message(l, n)
	case ce.Kind == channel.Unauthorized || ce.Kind == channel.Rejected:
		return l.T("publish.connect.refused", "Network", l.T(fmt.Sprintf("channel.name.%s", n)), "Reason", ce.Reason)
	}
	return ce.Message(l, n)
}

func (h *Handlers) callback(w http.ResponseWriter, r *http.Request) error {
	back, accts, err := h.s.FinishConnect(r.Context(), web.ActorOf(r), r.URL.Query())
	var ce *channel.Error
	if errors.As(err, &ce) && back != "" {
		h.srv.AddFlashText(r, "error", web.LocaleOf(r).T("publish.connect.refused_back", "Reason", firstOf(ce.Reason, ce.Kind.String())))
		return web.Redirect(w, r, back)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("publish.flash.connected_n", "Count", len(accts)))
	return web.Redirect(w, r, back)
}

type accountData struct {
	A    *Account
	Pubs []Publication
	Now  time.Time
}

func (h *Handlers) accountFromPath(r *http.Request) (*Account, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, web.ErrNotFound
	}
	a, err := h.s.Account(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.ErrNotFound
	}
	return a, err
}

func (h *Handlers) account(w http.ResponseWriter, r *http.Request) error {
	a, err := h.accountFromPath(r)
	if err != nil {
		return err
	}
	pubs, err := h.s.Publications(r.Context(), a.WorkspaceID, Filter{AccountID: a.ID, Limit: 20})
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "account.html", "publish.account.title", accountData{A: a, Pubs: pubs, Now: time.Now()}, nil)
}

func (h *Handlers) check(w http.ResponseWriter, r *http.Request) error {
	a, err := h.accountFromPath(r)
	if err != nil {
		return err
	}
	h.s.verify(r.Context(), a)
	h.srv.AddFlash(r, "ok", "publish.flash.checked")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/channels/%d", a.ID)))
}

func (h *Handlers) disconnect(w http.ResponseWriter, r *http.Request) error {
	a, err := h.accountFromPath(r)
	if err != nil {
		return err
	}
	if err := h.s.Disconnect(r.Context(), web.ActorOf(r), a.WorkspaceID, a.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "publish.flash.disconnected")
	return web.Redirect(w, r, web.WorkspacePath(r, "/channels"))
}

type logData struct {
	Pubs      []Publication
	Held      []Publication
	Uncertain []Publication
	Pause     *Pause
	Kept      []Account // the accounts that go on publishing during the pause
	Counts    map[State]int
	States    []State
	Filter    Filter
	Accounts  []Account
	Zone      string
	Next      int64
}

func (h *Handlers) log(w http.ResponseWriter, r *http.Request) error {
	return h.renderLog(w, r, http.StatusOK, nil)
}

func (h *Handlers) renderLog(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx, p, q := r.Context(), web.PrincipalOf(r), r.URL.Query()
	filter := Filter{State: State(q.Get("state")), Limit: 50}
	filter.AccountID, _ = strconv.ParseInt(q.Get("account"), 10, 64)
	filter.ItemID, _ = strconv.ParseInt(q.Get("item"), 10, 64)
	filter.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	d := logData{States: States, Filter: filter}
	var err error
	if d.Pubs, err = h.s.Publications(ctx, p.WorkspaceID, filter); err != nil {
		return err
	}
	if len(d.Pubs) == filter.Limit {
		d.Next = d.Pubs[len(d.Pubs)-1].ID
	}
	if d.Held, err = h.s.Publications(ctx, p.WorkspaceID, Filter{State: Held, Limit: 200}); err != nil {
		return err
	}
	if d.Uncertain, err = h.s.Publications(ctx, p.WorkspaceID, Filter{State: Uncertain, Limit: 200}); err != nil {
		return err
	}
	if d.Pause, err = h.s.Paused(ctx, p.WorkspaceID); err != nil {
		return err
	}
	if d.Counts, err = h.s.Counts(ctx, p.WorkspaceID); err != nil {
		return err
	}
	if d.Accounts, err = h.s.Accounts(ctx, p.WorkspaceID); err != nil {
		return err
	}
	if d.Pause != nil {
		for _, a := range d.Accounts {
			if slices.Contains(d.Pause.Keep, a.ID) {
				d.Kept = append(d.Kept, a)
			}
		}
	}
	if p.Zone != nil {
		d.Zone = p.Zone.String()
	}
	return h.pages.Render(w, r, status, "publishing.html", "publish.log.title", d, f)
}

type publicationData struct {
	P        *Publication
	Attempts []Attempt
	Message  string
}

func (h *Handlers) publication(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	wsID := web.PrincipalOf(r).WorkspaceID
	p, err := h.s.Publication(r.Context(), wsID, id)
	if errors.Is(err, db.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	att, err := h.s.Attempts(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "publication.html", "publish.publication.title", publicationData{P: p, Attempts: att, Message: Explain(web.LocaleOf(r), p)}, nil)
}

func (h *Handlers) pause(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	err := h.s.PauseWorkspace(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, f.Get("reason"))
	if errors.Is(err, ErrNeedsReason) {
		f.Fail("reason", "publish.error.reason_required")
		return h.renderLog(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil && !errors.Is(err, ErrPaused) {
		return err
	}
	h.srv.AddFlash(r, "ok", "publish.flash.paused")
	return web.Redirect(w, r, web.WorkspacePath(r, "/publishing"))
}

func (h *Handlers) resume(w http.ResponseWriter, r *http.Request) error {
	err := h.s.ResumeWorkspace(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID)
	if err != nil && !errors.Is(err, ErrNotPaused) {
		return err
	}
	h.srv.AddFlash(r, "ok", "publish.flash.resumed")
	return web.Redirect(w, r, web.WorkspacePath(r, "/publishing"))
}

func (h *Handlers) decide(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	p := web.PrincipalOf(r)
	var ids []int64
	if f.Get("all") == "" {
		for _, v := range f.Values["id"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			h.srv.AddFlash(r, "error", "publish.error.none_chosen")
			return web.Redirect(w, r, web.WorkspacePath(r, "/publishing"))
		}
	}
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	var at time.Time
	if d := Decision(f.Get("decision")); d == Reschedule {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.Get("at"), zone)
		if err != nil {
			h.srv.AddFlash(r, "error", "publish.error.time")
			return web.Redirect(w, r, web.WorkspacePath(r, "/publishing"))
		}
		at = t
	}
	n, err := h.s.Decide(r.Context(), web.ActorOf(r), p.WorkspaceID, ids, Decision(f.Get("decision")), at, f.Get("url"))
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 {
		h.srv.AddFlash(r, "error", we.Key)
		return web.Redirect(w, r, web.WorkspacePath(r, "/publishing"))
	}
	if err != nil {
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("publish.flash.decided", "Count", n))
	back := f.Get("back")
	if back == "" || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/publishing"
	}
	return web.Redirect(w, r, web.WorkspacePath(r, back))
}

// Deliveries lists where an item went or goes, for its page in the content studio.
func (s *Service) Deliveries(r *http.Request, it *content.Item) ([]content.Delivery, error) {
	pubs, err := s.Publications(r.Context(), it.WorkspaceID, Filter{ItemID: it.ID, Limit: 200})
	if err != nil {
		return nil, err
	}
	l := web.LocaleOf(r)
	out := make([]content.Delivery, 0, len(pubs))
	for _, p := range pubs {
		out = append(out, content.Delivery{ID: p.ID, Account: p.Account, Network: p.Network, State: string(p.State),
			StateLabel: l.T(fmt.Sprintf("publish.state.%s", p.State)), Message: Explain(l, &p), URL: p.RemoteURL,
			Link: fmt.Sprintf("/publishing/%d", p.ID), At: p.PublishedAt})
	}
	return out, nil
}

// TargetChoices lists the accounts the schedule form offers for an item.
func (s *Service) TargetChoices(r *http.Request, it *content.Item) ([]content.TargetChoice, error) {
	ts, err := s.Targets(r.Context(), it)
	if err != nil {
		return nil, err
	}
	out := make([]content.TargetChoice, 0, len(ts))
	for _, t := range ts {
		out = append(out, content.TargetChoice{ID: t.ID, Name: t.Name, Handle: t.Handle, Network: t.Network,
			Chosen: t.Chosen, NeedsReconnect: t.Health == Reconnect})
	}
	return out, nil
}

// Explain says in the reader's language what happened to a publication and what to do.
func Explain(l *i18n.Locale, p *Publication) string {
	switch p.State {
	case Published:
		if p.Incomplete != "" {
			return channel.IncompleteMessage(l, p.Network, p.Incomplete)
		}
		return ""
	case Queued:
		return l.T("publish.explain.queued", "At", l.DateTime(p.DueAt))
	case Held:
		return l.T("publish.explain.held")
	case Cancelled:
		return l.T("publish.explain.cancelled")
	case Sending:
		return l.T("publish.explain.sending")
	}
	e := p.Error
	if e == nil {
		if p.State == Uncertain {
			return l.T("publish.error.uncertain")
		}
		return ""
	}
	if e.Key == "problem" {
		if prob, ok := decodeProblem(e.Reason); ok {
			return prob.Message(l)
		}
	}
	switch e.Key {
	case "publish.error.uncertain", "publish.error.disconnected", "publish.error.no_connector":
		return l.T(e.Key, "Network", l.T(fmt.Sprintf("channel.name.%s", p.Network)))
	case "publish.error.gave_up":
		return l.T(e.Key, "Network", l.T(fmt.Sprintf("channel.name.%s", p.Network)), "Reason", firstOf(e.Reason, fmt.Sprintf("HTTP %d", e.Status)))
	}
	msg := e.Message(l, p.Network)
	if (p.State == Retrying || p.State == Checking) && p.RetryAt != nil && e.Kind != channel.RateLimited {
		msg += " " + l.T("publish.explain.next_try", "At", l.DateTime(*p.RetryAt))
	}
	return msg
}
