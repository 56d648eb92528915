package distribute

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the distribution pages, the recipients' public links and the API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
	// public are the recipients' pages (unsubscribe, a dead link): a page of their own, in the
	// recipient's language, without the app's navigation.
	public *template.Template
	// count is the audience count alone, for htmx to swap in as lists are ticked.
	count *template.Template
	// LookupDomain reads the sender domain's DNS records for the settings page: CheckDomain,
	// which tests replace to stay off the network.
	LookupDomain func(ctx context.Context, email string) DomainCheck
}

// NewHandlers parses the distribution templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/list.html", "templates/new.html", "templates/distribution.html",
		"templates/preview.html", "templates/cancel.html", "templates/sending.html", "templates/_*.html")
	if err != nil {
		return nil, err
	}
	public, err := template.New("public").Funcs(web.Funcs).ParseFS(templates, "templates/public.html")
	if err != nil {
		return nil, err
	}
	count, err := template.New("count").Funcs(web.Funcs).ParseFS(templates, "templates/_count.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages, public: public, count: count, LookupDomain: CheckDomain}, nil
}

// Routes are the distribution pages with their permissions. Saving a draft needs PressWrite;
// sending, scheduling and test sends need PressSend, checked in the handler of the shared form.
func (h *Handlers) Routes() []web.Route {
	const base = "/w/{ws}/press/distributions"
	return []web.Route{
		{Method: "GET", Path: base, Perm: access.PressView, Handler: h.list},
		{Method: "GET", Path: base + "/new", Perm: access.PressWrite, Handler: h.newForm},
		{Method: "GET", Path: base + "/count", Perm: access.PressWrite, Handler: h.countFragment},
		{Method: "POST", Path: base, Perm: access.PressWrite, Handler: h.create},
		{Method: "POST", Path: base + "/held", Perm: access.PressSend, Handler: h.decideHeld},
		{Method: "GET", Path: base + "/preview", Perm: access.PressView, Handler: h.samplePreview},
		{Method: "GET", Path: base + "/{id}", Perm: access.PressView, Handler: h.show},
		{Method: "GET", Path: base + "/{id}/preview", Perm: access.PressView, Handler: h.preview},
		{Method: "POST", Path: base + "/{id}/send", Perm: access.PressSend, Handler: h.send},
		{Method: "POST", Path: base + "/{id}/test", Perm: access.PressSend, Handler: h.test},
		{Method: "POST", Path: base + "/{id}/pause", Perm: access.PressSend, Handler: h.pause},
		{Method: "POST", Path: base + "/{id}/resume", Perm: access.PressSend, Handler: h.resume},
		{Method: "GET", Path: base + "/{id}/cancel", Perm: access.PressSend, Handler: h.cancelForm},
		{Method: "POST", Path: base + "/{id}/cancel", Perm: access.PressSend, Handler: h.cancel},
		{Method: "POST", Path: base + "/{id}/decide", Perm: access.PressSend, Handler: h.decide},
		{Method: "GET", Path: "/w/{ws}/press/sending", Perm: access.PressManage, Handler: h.settings},
		{Method: "POST", Path: "/w/{ws}/press/sending", Perm: access.PressManage, Handler: h.saveSettings},
		{Method: "POST", Path: "/w/{ws}/press/sending/check", Perm: access.PressManage, Handler: h.checkMailbox},
	}
}

// PublicRoutes are the links in every message: unsubscribe, the open pixel and tracked links.
// Their signed token is the permission; a recipient has no account.
func (h *Handlers) PublicRoutes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/m/{token}/u", Perm: access.Public, Handler: h.unsubscribeForm},
		{Method: "POST", Path: "/m/{token}/u", Perm: access.Public, Handler: h.unsubscribe},
		{Method: "GET", Path: "/m/{token}/o.gif", Perm: access.Public, Handler: h.pixel},
		{Method: "GET", Path: "/m/{token}/c/{n}", Perm: access.Public, Handler: h.click},
	}
}

const pageSize = 50

// States are the distribution states, in the order the filter offers them.
var States = []State{Draft, Scheduled, Sending, Paused, Done, Cancelled}

type listData struct {
	Items    []Distribution
	Query    string
	State    State
	States   []State
	Filtered bool
	Prev     int
	Next     int
	Hold     *Hold          // the workspace's hold, while it holds
	Held     []Distribution // those a hold stopped, waiting for a decision
	Zone     string
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{Query: strings.TrimSpace(q.Get("q")), Limit: pageSize + 1}
	if st := State(q.Get("state")); slices.Contains(States, st) {
		f.State = st
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * pageSize
	items, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	d := listData{Items: items, Query: f.Query, State: f.State, States: States, Filtered: f.Query != "" || f.State != "", Zone: zoneOf(r).String()}
	if d.Hold, err = h.s.Holding(r.Context(), web.PrincipalOf(r).WorkspaceID); err != nil {
		return err
	}
	if d.Held, err = h.s.HeldDistributions(r.Context(), web.PrincipalOf(r).WorkspaceID); err != nil {
		return err
	}
	if len(items) > pageSize {
		d.Items, d.Next = items[:pageSize], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "distribute.title", d, nil)
}

// formData is what the new-distribution form shows besides the typed values.
type formData struct {
	Choices *Choices
	Zone    string
	// Counted is set when the audience was counted (a list or segment is ticked).
	Counted    bool
	Send, Skip int
	// Problem is what stops the whole form (no server, a release not approved), a catalog key.
	Problem string
	// TestSentTo is the address a test just went to.
	TestSentTo string
	CanSend    bool
	CanManage  bool
}

func zoneOf(r *http.Request) *time.Location {
	if p := web.PrincipalOf(r); p != nil && p.Zone != nil {
		return p.Zone
	}
	return time.UTC
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := web.NewForm(url.Values{})
	for _, k := range []string{"source", "lists", "segments", "date", "time"} {
		if v, ok := q[k]; ok {
			f.Values[k] = v
		}
	}
	if id := q.Get("release"); id != "" {
		f.Values.Set("source", KindRelease+":"+id)
	} else if id := q.Get("pitch"); id != "" {
		f.Values.Set("source", KindPitch+":"+id)
	}
	if f.Get("time") == "" {
		f.Values.Set("time", "09:00")
	}
	return h.renderForm(w, r, http.StatusOK, f, formData{})
}

func (h *Handlers) renderForm(w http.ResponseWriter, r *http.Request, status int, f *web.Form, d formData) error {
	p := web.PrincipalOf(r)
	var err error
	if d.Choices, err = h.s.FormChoices(r.Context(), p.WorkspaceID); err != nil {
		return err
	}
	d.Zone = zoneOf(r).String()
	d.CanSend, d.CanManage = p.Can(access.PressSend), p.Can(access.PressManage)
	lists, segments := ids(f.Values["lists"]), ids(f.Values["segments"])
	if len(lists)+len(segments) > 0 {
		if d.Send, d.Skip, err = h.s.AudienceCount(r.Context(), p.WorkspaceID, lists, segments); err != nil {
			return err
		}
		d.Counted = true
	}
	return h.pages.Render(w, r, status, "new.html", "distribute.new", d, f)
}

// countView is what the count fragment is executed with, outside a page.
type countView struct {
	L    *i18n.Locale
	Data formData
}

// T translates, as a page's View does.
func (c countView) T(key string, args ...any) string { return c.L.T(key, args...) }

// countFragment answers the live audience count as lists and segments are ticked (htmx); without
// htmx the form's Count button reloads the form with the count.
func (h *Handlers) countFragment(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if r.Header.Get("HX-Request") != "true" {
		return web.Redirect(w, r, web.WorkspacePath(r, "/press/distributions/new?"+q.Encode()))
	}
	var d formData
	lists, segments := ids(q["lists"]), ids(q["segments"])
	if len(lists)+len(segments) > 0 {
		var err error
		if d.Send, d.Skip, err = h.s.AudienceCount(r.Context(), web.PrincipalOf(r).WorkspaceID, lists, segments); err != nil {
			return err
		}
		d.Counted = true
	}
	var buf bytes.Buffer
	if err := h.count.ExecuteTemplate(&buf, "audiencecount", countView{L: web.LocaleOf(r), Data: d}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write(buf.Bytes())
	return err
}

// ids reads form values as IDs, leaving out anything that is not one.
func ids(values []string) []int64 {
	var out []int64
	for _, v := range values {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// parseSource reads "release:12" or "pitch:3".
func parseSource(v string) (Ref, bool) {
	kind, id, ok := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 || (kind != KindRelease && kind != KindPitch) {
		return Ref{}, false
	}
	return Ref{kind, n}, true
}

// whenFrom reads the date and time fields in the workspace's zone; nil when the date is empty
// or wrong, and then the field says why when required.
func whenFrom(f *web.Form, zone *time.Location, required bool) *time.Time {
	d, t := f.Get("date"), f.Get("time")
	if d == "" {
		if required {
			f.Fail("date", "distribute.error.date_required")
		}
		return nil
	}
	if len(t) == len("15:04:05") {
		t = t[:5] // browsers send seconds when the field has a step
	}
	if t == "" {
		f.Fail("time", "form.required")
		return nil
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", d+" "+t, zone)
	if err != nil {
		if _, derr := time.Parse("2006-01-02", d); derr != nil {
			f.Fail("date", "distribute.error.date")
		} else {
			f.Fail("time", "distribute.error.time")
		}
		return nil
	}
	return &at
}

// fieldOf is the form field a service error belongs to; "" when it concerns the whole form.
var fieldOf = map[string]string{
	ErrNoAudience.Code:    "audience",
	ErrPast.Code:          "date",
	ErrKind.Code:          "source",
	ErrUnknownSource.Code: "source",
}

// formError puts a service's refusal on the form; false when err is not one a person can act on.
func formError(err error, f *web.Form, d *formData) bool {
	var we *web.Error
	if !errors.As(err, &we) || (we.Status >= 500 && we.Status != http.StatusBadGateway) {
		return false
	}
	switch {
	case len(we.Fields) > 0:
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
	case fieldOf[we.Code] != "":
		f.Fail(fieldOf[we.Code], we.Key)
	default:
		d.Problem = we.Key
	}
	return true
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	action := f.Get("action")
	var d formData
	if action != "draft" && !p.Can(access.PressSend) {
		return web.ErrForbidden
	}
	ref, ok := parseSource(f.Get("source"))
	if !ok {
		f.Fail("source", "distribute.error.source_required")
	}
	if action == "test" {
		if !f.Valid() {
			return h.renderForm(w, r, http.StatusUnprocessableEntity, f, d)
		}
		err := h.s.TestSend(r.Context(), p.WorkspaceID, ref, p.Email, web.LocaleOf(r).Lang)
		if err != nil {
			if formError(err, f, &d) {
				return h.renderForm(w, r, http.StatusUnprocessableEntity, f, d)
			}
			return err
		}
		d.TestSentTo = p.Email
		return h.renderForm(w, r, http.StatusOK, f, d)
	}
	var at *time.Time
	if action == "schedule" {
		at = whenFrom(f, zoneOf(r), true)
	}
	if !f.Valid() {
		return h.renderForm(w, r, http.StatusUnprocessableEntity, f, d)
	}
	in := Input{Kind: ref.Kind, ID: ref.ID, Lists: ids(f.Values["lists"]), Segments: ids(f.Values["segments"]), Zone: zoneOf(r).String()}
	in.At = at
	dist, err := h.s.Create(r.Context(), web.ActorOf(r), p.WorkspaceID, in, action == "draft")
	if err != nil {
		if formError(err, f, &d) {
			return h.renderForm(w, r, http.StatusUnprocessableEntity, f, d)
		}
		return err
	}
	flash := map[State]string{Draft: "distribute.flash.draft", Scheduled: "distribute.flash.scheduled", Sending: "distribute.flash.sending"}[dist.State]
	h.srv.AddFlash(r, "ok", flash)
	return web.Redirect(w, r, distPath(r, dist.ID, ""))
}

// decideHeld applies a decision to the chosen held distributions, or to all of them.
func (h *Handlers) decideHeld(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	back := web.WorkspacePath(r, "/press/distributions")
	var chosen []int64
	if f.Get("all") == "" {
		if chosen = ids(f.Values["id"]); len(chosen) == 0 {
			h.srv.AddFlash(r, "error", "distribute.error.none_chosen")
			return web.Redirect(w, r, back)
		}
	}
	var at time.Time
	if f.Get("decision") == DecideReschedule {
		when := whenFrom(f, zoneOf(r), true)
		if when == nil {
			h.srv.AddFlash(r, "error", "distribute.error.held_time")
			return web.Redirect(w, r, back)
		}
		at = *when
	}
	n, err := h.s.DecideHeld(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, chosen, f.Get("decision"), at)
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 {
		h.srv.AddFlash(r, "error", we.Key)
		return web.Redirect(w, r, back)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("distribute.flash.held_decided", "Count", n))
	return web.Redirect(w, r, back)
}

func distPath(r *http.Request, id int64, rest string) string {
	return web.WorkspacePath(r, "/press/distributions/"+strconv.FormatInt(id, 10)+rest)
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

// distributionOf returns the distribution the path names, in the request's workspace.
func (h *Handlers) distributionOf(r *http.Request) (*Distribution, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.s.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

// reasonKeys are the recipient reasons Warta words itself; others are a server's own words.
var reasonKeys = []string{"suppressed", "unsubscribed", "bounced", "do_not_contact", "no_email", "invalid_email", "interrupted", "resent", "confirmed"}

// SkipReasons are why recipients are skipped, in the order the report lists them.
var SkipReasons = []string{"suppressed", "unsubscribed", "bounced", "do_not_contact", "no_email", "invalid_email"}

type recipientRow struct {
	Recipient
	// ReasonKey is the reason's catalog key, "" when the reason is a server's own words.
	ReasonKey string
}

func rows(list []Recipient) []recipientRow {
	out := make([]recipientRow, len(list))
	for i, rc := range list {
		out[i] = recipientRow{Recipient: rc}
		if slices.Contains(reasonKeys, rc.Reason) {
			out[i].ReasonKey = "distribute.reason." + rc.Reason
		}
	}
	return out
}

type skipCount struct {
	Reason string
	Count  int
}

type showData struct {
	D         *Distribution
	Problem   string
	Refresh   bool
	Skips     []skipCount
	Uncertain []recipientRow
	// The recipients table: a page of it, its filter and the cursor of the next page.
	Recipients []recipientRow
	RState     RecipientState
	RQuery     string
	RStates    []RecipientState
	After      int64
	Next       int64
	Replies    []Reply
	Zone       string
	// From is the sender as a person reads it (the stored header may be encoded).
	From string
}

const recipientPage = 50

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"time": {"09:00"}})
	return h.renderShow(w, r, http.StatusOK, d, f)
}

func (h *Handlers) renderShow(w http.ResponseWriter, r *http.Request, status int, d *Distribution, f *web.Form) error {
	ctx, wsID := r.Context(), d.WorkspaceID
	q := r.URL.Query()
	data := showData{D: d, Refresh: d.State == Sending, RStates: RecipientStates, Zone: zoneOf(r).String(), From: readable(d.FromAddress)}
	var err error
	if data.Problem, err = h.s.Problem(ctx, wsID, d.ID); err != nil {
		return err
	}
	for _, reason := range SkipReasons {
		if n := d.Counts.Skips[reason]; n > 0 {
			data.Skips = append(data.Skips, skipCount{reason, n})
		}
	}
	if d.Counts.Uncertain > 0 {
		list, err := h.s.Recipients(ctx, wsID, d.ID, RecipientFilter{State: Uncertain, Limit: 500})
		if err != nil {
			return err
		}
		data.Uncertain = rows(list)
	}
	if st := RecipientState(q.Get("state")); slices.Contains(RecipientStates, st) {
		data.RState = st
	}
	data.RQuery = strings.TrimSpace(q.Get("q"))
	data.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	list, err := h.s.Recipients(ctx, wsID, d.ID, RecipientFilter{State: data.RState, Query: data.RQuery, After: data.After, Limit: recipientPage + 1})
	if err != nil {
		return err
	}
	if len(list) > recipientPage {
		list = list[:recipientPage]
		data.Next = list[recipientPage-1].ID
	}
	data.Recipients = rows(list)
	if data.Replies, err = h.s.Replies(ctx, wsID, d.ID); err != nil {
		return err
	}
	return h.pages.Render(w, r, status, "distribution.html", "distribute.title", data, f)
}

// refused turns a state conflict (someone paused it meanwhile) into a message on the page.
func (h *Handlers) refused(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 && we.Status != http.StatusNotFound {
		h.srv.AddFlash(r, "error", we.Key)
		return web.Redirect(w, r, distPath(r, id, ""))
	}
	return err
}

func (h *Handlers) send(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	var at *time.Time
	if f.Get("action") == "schedule" {
		at = whenFrom(f, zoneOf(r), true)
		if !f.Valid() {
			return h.renderShow(w, r, http.StatusUnprocessableEntity, d, f)
		}
	}
	err = h.s.Send(r.Context(), web.ActorOf(r), d.WorkspaceID, d.ID, at, zoneOf(r).String())
	var we *web.Error
	if errors.As(err, &we) && we.Code == ErrPast.Code {
		f.Fail("date", we.Key)
		return h.renderShow(w, r, http.StatusUnprocessableEntity, d, f)
	}
	if err != nil {
		return h.refused(w, r, d.ID, err)
	}
	key := "distribute.flash.sending"
	if at != nil {
		key = "distribute.flash.scheduled"
	}
	h.srv.AddFlash(r, "ok", key)
	return web.Redirect(w, r, distPath(r, d.ID, ""))
}

func (h *Handlers) test(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	if err := h.s.TestSend(r.Context(), d.WorkspaceID, d.Ref(), p.Email, web.LocaleOf(r).Lang); err != nil {
		return h.refused(w, r, d.ID, err)
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("distribute.test.sent", "Email", p.Email))
	return web.Redirect(w, r, distPath(r, d.ID, ""))
}

func (h *Handlers) pause(w http.ResponseWriter, r *http.Request) error {
	return h.move(w, r, h.s.Pause, "distribute.flash.paused")
}

func (h *Handlers) resume(w http.ResponseWriter, r *http.Request) error {
	return h.move(w, r, h.s.Resume, "distribute.flash.resumed")
}

func (h *Handlers) cancel(w http.ResponseWriter, r *http.Request) error {
	return h.move(w, r, h.s.Cancel, "distribute.flash.cancelled")
}

func (h *Handlers) move(w http.ResponseWriter, r *http.Request, do func(context.Context, audit.Actor, int64, int64) error, flash string) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	if err := do(r.Context(), web.ActorOf(r), d.WorkspaceID, d.ID); err != nil {
		return h.refused(w, r, d.ID, err)
	}
	h.srv.AddFlash(r, "ok", flash)
	return web.Redirect(w, r, distPath(r, d.ID, ""))
}

// cancelForm asks before cancelling, as a page of its own so that it works without JavaScript.
func (h *Handlers) cancelForm(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "cancel.html", "distribute.cancel.title", d, nil)
}

func (h *Handlers) decide(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	do := f.Get("do")
	resend := do == "resend" || do == "resend_all"
	var picked []int64
	if do == "resend" || do == "confirm" {
		if picked = ids(f.Values["ids"]); len(picked) == 0 {
			h.srv.AddFlash(r, "error", "distribute.uncertain.none_ticked")
			return web.Redirect(w, r, distPath(r, d.ID, "#uncertain"))
		}
	}
	n, err := h.s.Decide(r.Context(), web.ActorOf(r), d.WorkspaceID, d.ID, resend, picked)
	if err != nil {
		return h.refused(w, r, d.ID, err)
	}
	key := "distribute.uncertain.confirmed"
	if resend {
		key = "distribute.uncertain.resent"
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T(key, "Count", n))
	return web.Redirect(w, r, distPath(r, d.ID, ""))
}

// previewData is the preview page: the message for one recipient, and who else to look at.
type previewData struct {
	D         *Distribution // nil for the sample preview of the new form
	Source    string
	Title     string
	P         *Preview
	Langs     []string
	Lang      string
	Contacts  []Recipient
	ContactID int64
	Frame     string // the address of the message's HTML, for the sandboxed frame
	To        string // the recipient as a person reads it
}

func (h *Handlers) samplePreview(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ref, ok := parseSource(q.Get("source"))
	if !ok {
		return web.ErrNotFound
	}
	p := web.PrincipalOf(r)
	choices, err := h.s.sources.Choices(r.Context(), p.WorkspaceID, ref.Kind)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(choices, func(c Choice) bool { return c.ID == ref.ID })
	if i < 0 {
		return web.ErrNotFound
	}
	data := previewData{Source: q.Get("source"), Title: choices[i].Name}
	return h.renderPreview(w, r, ref, AudienceContacts, nil, data)
}

func (h *Handlers) preview(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	list, err := h.s.Recipients(r.Context(), d.WorkspaceID, d.ID, RecipientFilter{Limit: 50})
	if err != nil {
		return err
	}
	data := previewData{D: d, Title: d.Title}
	for _, rc := range list {
		if rc.State != Skipped {
			data.Contacts = append(data.Contacts, rc)
		}
	}
	var c *Contact
	data.ContactID, _ = strconv.ParseInt(r.URL.Query().Get("contact"), 10, 64)
	for _, rc := range data.Contacts {
		if rc.ID == data.ContactID {
			c = &Contact{ContactID: rc.ContactID, Email: rc.Email, Name: rc.Name, Salutation: rc.Salutation, Outlet: rc.Outlet, Language: rc.Lang}
		}
	}
	if c == nil {
		data.ContactID = 0
	}
	return h.renderPreview(w, r, d.Ref(), d.Audience, c, data)
}

// renderPreview shows the message, or with ?frame=1 only its HTML for the frame: a document of
// its own whose policy lets the email's inline styles show and runs nothing.
func (h *Handlers) renderPreview(w http.ResponseWriter, r *http.Request, ref Ref, audience string, c *Contact, data previewData) error {
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	q := r.URL.Query()
	langs, err := h.s.sources.Languages(ctx, wsID, ref)
	if err != nil {
		return err
	}
	data.Langs, data.Lang = langs, q.Get("lang")
	if !slices.Contains(langs, data.Lang) {
		data.Lang = web.LocaleOf(r).Lang
	}
	if c != nil && slices.Contains(langs, c.Language) && q.Get("lang") == "" {
		data.Lang = c.Language
	}
	if data.P, err = h.s.preview(ctx, wsID, ref, audience, c, data.Lang); err != nil {
		return err
	}
	data.To = readable(data.P.To)
	if q.Get("frame") == "1" {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := w.Write([]byte(data.P.HTML))
		return err
	}
	fq := url.Values{"frame": {"1"}, "lang": {data.Lang}}
	if data.Source != "" {
		fq.Set("source", data.Source)
	}
	if data.ContactID != 0 {
		fq.Set("contact", strconv.FormatInt(data.ContactID, 10))
	}
	data.Frame = r.URL.Path + "?" + fq.Encode()
	return h.pages.Render(w, r, http.StatusOK, "preview.html", "distribute.preview.title", data, nil)
}

// settingsData is the sending settings page.
type settingsData struct {
	S *Settings
	// Installation says whether this installation has a server of its own to offer.
	Installation bool
	Domain       DomainCheck
	// Checked is the result of "check now"; CheckError its problem as a catalog key.
	Checked    *MailboxResult
	CheckError string
	TLSModes   []string
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) error {
	set, err := h.s.Settings(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	return h.renderSettings(w, r, http.StatusOK, set, settingsForm(set, h.s.server0 != nil), settingsData{})
}

// settingsForm fills the form from what is stored; passwords are never sent back.
func settingsForm(set *Settings, installation bool) *web.Form {
	itoa := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	check := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	server := "own"
	if set.SMTPHost == "" && installation {
		server = "installation"
	}
	return web.NewForm(url.Values{
		"from_name": {set.FromName}, "from_email": {set.FromEmail}, "reply_to": {set.ReplyTo}, "server": {server},
		"smtp_host": {set.SMTPHost}, "smtp_port": {itoa(set.SMTPPort)}, "smtp_tls": {set.SMTPTLS}, "smtp_user": {set.SMTPUser},
		"rate_per_second": {strconv.Itoa(set.Rate)}, "connections": {itoa(set.Connections)},
		"track_opens": {check(set.TrackOpens)}, "track_clicks": {check(set.TrackClicks)},
		"imap_host": {set.IMAPHost}, "imap_port": {itoa(set.IMAPPort)}, "imap_tls": {set.IMAPTLS}, "imap_user": {set.IMAPUser},
		"imap_mailbox": {set.IMAPMailbox},
	})
}

func (h *Handlers) renderSettings(w http.ResponseWriter, r *http.Request, status int, set *Settings, f *web.Form, d settingsData) error {
	d.S, d.Installation, d.TLSModes = set, h.s.server0 != nil, []string{TLSStartTLS, TLSImplicit, TLSNone}
	if set.FromEmail != "" {
		d.Domain = h.LookupDomain(r.Context(), set.FromEmail)
	}
	return h.pages.Render(w, r, status, "sending.html", "distribute.settings.title", d, f)
}

// number reads a whole-number field; empty is 0, anything else wrong fails the field with key.
func number(f *web.Form, name, key string) int {
	v := f.Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.Fail(name, key)
	}
	return n
}

func (h *Handlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	set, err := h.s.Settings(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	in := SettingsInput{Settings: Settings{
		FromName: f.Get("from_name"), FromEmail: f.Get("from_email"), ReplyTo: f.Get("reply_to"),
		SMTPTLS: f.Get("smtp_tls"), SMTPUser: f.Get("smtp_user"),
		Rate: number(f, "rate_per_second", "distribute.settings.error.rate"), Connections: number(f, "connections", "distribute.settings.error.connections"),
		TrackOpens: f.Checked("track_opens"), TrackClicks: f.Checked("track_clicks"),
		IMAPHost: f.Get("imap_host"), IMAPPort: number(f, "imap_port", "distribute.settings.error.port"), IMAPTLS: f.Get("imap_tls"),
		IMAPUser: f.Get("imap_user"), IMAPMailbox: f.Get("imap_mailbox"),
	}, SMTPPassword: f.Raw("smtp_password"), IMAPPassword: f.Raw("imap_password"), ClearSMTPPassword: f.Checked("clear_smtp_password")}
	if f.Get("server") == "own" || h.s.server0 == nil {
		in.SMTPHost = f.Get("smtp_host")
		in.SMTPPort = number(f, "smtp_port", "distribute.settings.error.port")
		if in.SMTPHost == "" {
			f.Fail("smtp_host", "distribute.settings.error.host_required")
		}
	} else {
		// The installation's server: the account on an own server is forgotten.
		in.SMTPUser, in.ClearSMTPPassword = "", true
	}
	if in.FromEmail == "" {
		f.Fail("from_email", "form.required")
	}
	if !f.Valid() {
		return h.renderSettings(w, r, http.StatusUnprocessableEntity, set, f, settingsData{})
	}
	err = h.s.SaveSettings(r.Context(), web.ActorOf(r), p.WorkspaceID, in)
	var we *web.Error
	if errors.As(err, &we) && len(we.Fields) > 0 {
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
		return h.renderSettings(w, r, http.StatusUnprocessableEntity, set, f, settingsData{})
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/sending"))
}

// checkMailbox reads the reply mailbox now and shows what it found, or why it could not.
func (h *Handlers) checkMailbox(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	res, readErr := h.s.ReadMailbox(ctx, p.WorkspaceID)
	set, err := h.s.Settings(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	d := settingsData{}
	switch {
	case set.IMAPHost == "":
		d.CheckError = "distribute.mailbox.none"
	case readErr != nil:
		d.CheckError = "distribute.mailbox.error." + mailboxProblem(readErr)
	default:
		d.Checked = &res
	}
	return h.renderSettings(w, r, http.StatusOK, set, settingsForm(set, h.s.server0 != nil), d)
}

// publicPage is what a recipient's page shows.
type publicPage struct {
	L      *i18n.Locale
	Kind   string // ask, done, invalid
	Sender string
	Action string
	// Subscriber is a newsroom subscriber, whose subscription ends rather than a media list's consent.
	Subscriber bool
}

// T translates in the recipient's language.
func (p publicPage) T(key string, args ...any) string { return p.L.T(key, args...) }

func (h *Handlers) renderPublic(w http.ResponseWriter, status int, p publicPage) error {
	var buf bytes.Buffer
	if err := h.public.ExecuteTemplate(&buf, "public", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// invalid says in plain words that a link from a message does not work.
func (h *Handlers) invalid(w http.ResponseWriter, r *http.Request) error {
	return h.renderPublic(w, http.StatusNotFound, publicPage{L: web.LocaleOf(r), Kind: "invalid"})
}

// sender is the name (or else the address) a message came from, for the recipient's page.
func sender(from string) string {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return strings.TrimSpace(from)
	}
	if a.Name != "" {
		return a.Name
	}
	return a.Address
}

// readable is an address header as a person reads it: Name <address>.
func readable(header string) string {
	a, err := mail.ParseAddress(header)
	if err != nil || a.Name == "" {
		return sender(header)
	}
	return a.Name + " <" + a.Address + ">"
}

// recipient finds the recipient a token names, without changing anything.
func (h *Handlers) recipient(ctx context.Context, token string) (*RecipientRef, error) {
	rid := h.s.tokens.check(token)
	if rid == 0 {
		return nil, db.ErrNotFound
	}
	return h.s.store.recipient(ctx, h.s.d, rid)
}

// unsubscribeForm asks; only the button unsubscribes, since mail scanners open every link.
func (h *Handlers) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	ref, err := h.recipient(r.Context(), r.PathValue("token"))
	if errors.Is(err, db.ErrNotFound) {
		return h.invalid(w, r)
	}
	if err != nil {
		return err
	}
	return h.renderPublic(w, http.StatusOK, publicPage{L: h.s.bundle.Locale(ref.Lang, nil), Kind: "ask", Sender: sender(ref.From),
		Action: "/m/" + url.PathEscape(r.PathValue("token")) + "/u", Subscriber: ref.Audience == AudienceSubscribers})
}

// unsubscribe is the button, and RFC 8058's one-click POST a mail provider makes without
// cookies or Origin: either way the address is suppressed (a subscription ended) at once.
func (h *Handlers) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	ref, err := h.s.Unsubscribe(r.Context(), r.PathValue("token"))
	if errors.Is(err, db.ErrNotFound) {
		return h.invalid(w, r)
	}
	if err != nil {
		return err
	}
	return h.renderPublic(w, http.StatusOK, publicPage{L: h.s.bundle.Locale(ref.Lang, nil), Kind: "done", Sender: sender(ref.From),
		Subscriber: ref.Audience == AudienceSubscribers})
}

// pixel is a transparent 1×1 GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b")

// pixel records an open, where the workspace tracks opens, and always answers the image.
func (h *Handlers) pixel(w http.ResponseWriter, r *http.Request) error {
	h.s.Opened(r.Context(), r.PathValue("token"))
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store, no-cache, must-revalidate, private")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Expires", "0")
	_, err := w.Write(pixel)
	return err
}

// click leads to a link that was in the recipient's message, and nowhere else.
func (h *Handlers) click(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		return h.invalid(w, r)
	}
	target, err := h.s.Clicked(r.Context(), r.PathValue("token"), n)
	if err != nil {
		return err
	}
	if target == "" {
		return h.invalid(w, r)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}
