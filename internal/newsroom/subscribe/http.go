package subscribe

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the subscriber pages and API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the subscriber templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the subscriber pages with their permissions: the newsroom's readers see the list and
// the consent records; its managers download, export and erase personal data.
func (h *Handlers) Routes() []web.Route {
	v, m := access.PressView, access.NewsroomManage
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/newsroom/subscribers", Perm: v, Handler: h.list},
		{Method: "GET", Path: "/w/{ws}/newsroom/subscribers/export.csv", Perm: m, Handler: h.exportCSV},
		{Method: "GET", Path: "/w/{ws}/newsroom/subscribers/{id}", Perm: v, Handler: h.show},
		{Method: "GET", Path: "/w/{ws}/newsroom/subscribers/{id}/export", Perm: m, Handler: h.export},
		{Method: "GET", Path: "/w/{ws}/newsroom/subscribers/{id}/erase", Perm: m, Handler: h.eraseForm},
		{Method: "POST", Path: "/w/{ws}/newsroom/subscribers/{id}/erase", Perm: m, Handler: h.erase},
	}
}

// stateKey is the catalog key of a state's name.
func stateKey(state string) string {
	switch state {
	case Confirmed:
		return "subscribe.state.confirmed"
	case Unsubscribed:
		return "subscribe.state.unsubscribed"
	default:
		return "subscribe.state.pending"
	}
}

// langKey is the catalog key of a language's name.
func langKey(lang string) string {
	if lang == "en" {
		return "lang.en"
	}
	return "lang.id"
}

// view is a subscriber as the pages show them.
type view struct {
	*Subscriber
	StateKey string
	LangKey  string
	// TopicNames are the chosen topics' names; empty means every topic.
	TopicNames []string
}

func viewOf(s *Subscriber, names map[int64]string) view {
	v := view{Subscriber: s, StateKey: stateKey(s.State), LangKey: langKey(s.Lang)}
	for _, t := range s.Topics {
		if n, ok := names[t]; ok {
			v.TopicNames = append(v.TopicNames, n)
		}
	}
	return v
}

type stateChoice struct{ Value, Key string }

func stateChoices() []stateChoice {
	out := make([]stateChoice, len(States))
	for i, s := range States {
		out[i] = stateChoice{s, stateKey(s)}
	}
	return out
}

const pageSize = 50

type listData struct {
	Rows     []view
	Filter   Filter
	States   []stateChoice
	Counts   map[string]int
	Filtered bool // a search or a state narrows the list
	Prev     int  // page numbers, 0 when there is none
	Next     int
	// CSVURL downloads the list as it is filtered.
	CSVURL string
}

// PageURL is the list's URL for another page, keeping the filters.
func (d listData) PageURL(page int) string {
	return "?" + d.query(page).Encode()
}

func (d listData) query(page int) url.Values {
	q := url.Values{}
	if d.Filter.Query != "" {
		q.Set("q", d.Filter.Query)
	}
	if d.Filter.State != "" {
		q.Set("state", d.Filter.State)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return q
}

// filterOf reads the list's search and state; an unknown state shows every state.
func filterOf(q url.Values) Filter {
	f := Filter{Query: strings.TrimSpace(q.Get("q")), State: q.Get("state")}
	if !slices.Contains(States, f.State) {
		f.State = ""
	}
	return f
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), web.PrincipalOf(r)
	q := r.URL.Query()
	f := filterOf(q)
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Limit, f.Offset = pageSize+1, (page-1)*pageSize
	subs, err := h.s.List(ctx, p.WorkspaceID, f)
	if err != nil {
		return err
	}
	counts, err := h.s.Counts(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	names, err := h.s.TopicNames(ctx, p.WorkspaceID, web.LocaleOf(r).Lang)
	if err != nil {
		return err
	}
	d := listData{Filter: f, States: stateChoices(), Counts: counts, Filtered: f.Query != "" || f.State != ""}
	d.CSVURL = web.WorkspacePath(r, "/newsroom/subscribers/export.csv")
	if q := d.query(0).Encode(); q != "" {
		d.CSVURL += "?" + q
	}
	if len(subs) > pageSize {
		subs, d.Next = subs[:pageSize], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	for i := range subs {
		d.Rows = append(d.Rows, viewOf(&subs[i], names))
	}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "subscribe.title", d, nil)
}

// subscriberOf returns the subscriber the path names, in the request's workspace.
func (h *Handlers) subscriberOf(r *http.Request) (*Subscriber, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, web.ErrNotFound
	}
	return h.s.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

type showData struct {
	view
	Confirmations []confirmationView
}

type confirmationView struct {
	Confirmation
	LangKey    string
	TopicNames []string
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.subscriberOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	names, err := h.s.TopicNames(ctx, sub.WorkspaceID, web.LocaleOf(r).Lang)
	if err != nil {
		return err
	}
	confs, err := h.s.Confirmations(ctx, sub.WorkspaceID, sub.ID)
	if err != nil {
		return err
	}
	d := showData{view: viewOf(sub, names)}
	for _, c := range confs {
		cv := confirmationView{Confirmation: c, LangKey: langKey(c.Lang)}
		for _, t := range c.Topics {
			if n, ok := names[t]; ok {
				cv.TopicNames = append(cv.TopicNames, n)
			}
		}
		d.Confirmations = append(d.Confirmations, cv)
	}
	return h.pages.Render(w, r, http.StatusOK, "subscriber.html", "subscribe.subscriber.title", d, nil)
}

// export downloads everything held on a subscriber as JSON.
func (h *Handlers) export(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.subscriberOf(r)
	if err != nil {
		return err
	}
	x, err := h.s.Export(r.Context(), web.ActorOf(r), sub.WorkspaceID, sub.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="subscriber-`+strconv.FormatInt(sub.ID, 10)+`.json"`)
	return web.JSON(w, http.StatusOK, x)
}

func (h *Handlers) eraseForm(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.subscriberOf(r)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "erase.html", "subscribe.erase.title", sub, nil)
}

func (h *Handlers) erase(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.subscriberOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	if f.Get("confirm") != "1" {
		f.Fail("confirm", "subscribe.erase.confirm_required")
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "erase.html", "subscribe.erase.title", sub, f)
	}
	if err := h.s.Erase(r.Context(), web.ActorOf(r), sub.WorkspaceID, sub.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "subscribe.erase.done")
	return web.Redirect(w, r, web.WorkspacePath(r, "/newsroom/subscribers"))
}

// csvHeader are the columns of the list's download.
var csvHeader = []string{"email", "name", "language", "state", "topics", "requested_at", "confirmed_at", "unsubscribed_at",
	"unsubscribe_source", "consent_text"}

// cell keeps a spreadsheet from reading a value as a formula.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

var errStop = errors.New("stop")

// exportCSV downloads the subscribers the list's filter shows, times in the workspace's zone.
func (h *Handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), web.PrincipalOf(r)
	f := filterOf(r.URL.Query())
	names, err := h.s.TopicNames(ctx, p.WorkspaceID, web.LocaleOf(r).Lang)
	if err != nil {
		return err
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(p.Zone).Format(time.RFC3339)
	}
	cw := csv.NewWriter(w)
	started := false
	// The download starts with its first row, so an error before it is still an error page.
	begin := func() error {
		started = true
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="subscribers-`+time.Now().In(p.Zone).Format("2006-01-02")+`.csv"`)
		return cw.Write(csvHeader)
	}
	err = h.s.ExportList(ctx, web.ActorOf(r), p.WorkspaceID, f, func(s Subscriber) error {
		if !started {
			if err := begin(); err != nil {
				return errStop
			}
		}
		v := viewOf(&s, names)
		requested := s.Consent.RequestedAt
		row := []string{s.Email, s.Name, s.Lang, s.State, strings.Join(v.TopicNames, "; "), stamp(&requested), stamp(s.Consent.ConfirmedAt),
			stamp(s.Consent.UnsubscribedAt), s.Consent.UnsubscribeSource, s.Consent.Text}
		for i := range row {
			row[i] = cell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return errStop
		}
		return nil
	})
	if err != nil && !started {
		return err
	}
	if !started {
		_ = begin()
	}
	cw.Flush()
	if err != nil && !errors.Is(err, errStop) {
		// The headers are gone; the log has it and the download is cut short.
		h.srv.Log.Error("exporting newsroom subscribers", "err", err)
	}
	return nil
}
