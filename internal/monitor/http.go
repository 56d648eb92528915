package monitor

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/monitor/catalog"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the monitoring pages.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the monitoring templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the monitoring pages with their permissions: everyone reads; writers triage;
// editors choose what is monitored and who is alerted.
func (h *Handlers) Routes() []web.Route {
	v, t, e := access.MonitorView, access.MonitorTriage, access.MonitorEdit
	routes := []web.Route{
		{Method: "GET", Path: "/w/{ws}/monitoring", Perm: v, Handler: h.inbox},
		{Method: "POST", Path: "/w/{ws}/monitoring/mentions/triage", Perm: t, Handler: h.bulkTriage},
		{Method: "GET", Path: "/w/{ws}/monitoring/mentions/{id}", Perm: v, Handler: h.mention},
		{Method: "POST", Path: "/w/{ws}/monitoring/mentions/{id}", Perm: t, Handler: h.triage},
		{Method: "POST", Path: "/w/{ws}/monitoring/mentions/{id}/sentiment", Perm: t, Handler: h.sentiment},
		{Method: "POST", Path: "/w/{ws}/monitoring/mentions/{id}/coverage", Perm: t, Handler: h.confirmFromMention},

		{Method: "GET", Path: "/w/{ws}/monitoring/topics", Perm: v, Handler: h.topics},
		{Method: "GET", Path: "/w/{ws}/monitoring/topics/new", Perm: e, Handler: h.newTopic},
		{Method: "GET", Path: "/w/{ws}/monitoring/topics/preview", Perm: e, Handler: h.previewTopic},
		{Method: "POST", Path: "/w/{ws}/monitoring/topics", Perm: e, Handler: h.createTopic},
		{Method: "GET", Path: "/w/{ws}/monitoring/topics/{id}", Perm: v, Handler: h.editTopic},
		{Method: "POST", Path: "/w/{ws}/monitoring/topics/{id}", Perm: e, Handler: h.updateTopic},
		{Method: "POST", Path: "/w/{ws}/monitoring/topics/{id}/archive", Perm: e, Handler: h.archiveTopic},

		{Method: "GET", Path: "/w/{ws}/monitoring/sources", Perm: v, Handler: h.sources},
		{Method: "GET", Path: "/w/{ws}/monitoring/sources/new", Perm: e, Handler: h.newSource},
		{Method: "POST", Path: "/w/{ws}/monitoring/sources", Perm: e, Handler: h.createSource},
		{Method: "GET", Path: "/w/{ws}/monitoring/sources/catalog", Perm: e, Handler: h.catalogPage},
		{Method: "POST", Path: "/w/{ws}/monitoring/sources/catalog", Perm: e, Handler: h.addCatalog},
		{Method: "GET", Path: "/w/{ws}/monitoring/sources/{id}", Perm: v, Handler: h.source},
		{Method: "POST", Path: "/w/{ws}/monitoring/sources/{id}", Perm: e, Handler: h.updateSource},
		{Method: "POST", Path: "/w/{ws}/monitoring/sources/{id}/poll", Perm: e, Handler: h.pollSource},
		{Method: "POST", Path: "/w/{ws}/monitoring/sources/{id}/delete", Perm: e, Handler: h.deleteSource},

		{Method: "GET", Path: "/w/{ws}/monitoring/coverage", Perm: v, Handler: h.coverage},
		{Method: "POST", Path: "/w/{ws}/monitoring/coverage/{id}/confirm", Perm: t, Handler: h.confirmCoverage},
		{Method: "POST", Path: "/w/{ws}/monitoring/coverage/{id}/dismiss", Perm: t, Handler: h.dismissCoverage},

		{Method: "GET", Path: "/w/{ws}/monitoring/alerts", Perm: v, Handler: h.alerts},
		{Method: "GET", Path: "/w/{ws}/monitoring/alerts/rules/new", Perm: e, Handler: h.newRule},
		{Method: "POST", Path: "/w/{ws}/monitoring/alerts/rules", Perm: e, Handler: h.createRule},
		{Method: "GET", Path: "/w/{ws}/monitoring/alerts/rules/{id}", Perm: e, Handler: h.editRule},
		{Method: "POST", Path: "/w/{ws}/monitoring/alerts/rules/{id}", Perm: e, Handler: h.updateRule},
		{Method: "POST", Path: "/w/{ws}/monitoring/alerts/rules/{id}/delete", Perm: e, Handler: h.deleteRule},
		{Method: "GET", Path: "/w/{ws}/monitoring/alerts/{id}", Perm: v, Handler: h.alert},
	}
	return append(append(routes, h.analysisRoutes()...), h.clippingRoutes()...)
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

// fieldErrors copies a service's field errors onto the form; it reports whether there were any.
func fieldErrors(err error, f *web.Form) bool {
	var we *web.Error
	if errors.As(err, &we) && we.Fields != nil {
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
		return true
	}
	return false
}

// ---- inbox ----

const inboxPage = 30

type inboxData struct {
	Topics    []*Topic
	Topic     *Topic
	Filter    MentionFilter
	States    []string
	Sentiment []string
	Labels    []string
	Members   []Member
	Rows      []mentionRow
	Total     int
	Prev      int
	Next      int
	Filtered  bool
	NoTopics  bool
	NoSources bool
}

type mentionRow struct {
	Mention
	Snippet []Part
}

// PageURL is the inbox's URL for another page, keeping the filters.
func (d inboxData) PageURL(page int) string { return "?" + d.query(page, d.Filter.State).Encode() }

// StateURL is the inbox for one state, keeping the other filters.
func (d inboxData) StateURL(state string) string { return "?" + d.query(0, state).Encode() }

func (d inboxData) query(page int, state string) url.Values {
	q := url.Values{}
	f := d.Filter
	set := func(k, v string) {
		if v != "" && v != "0" {
			q.Set(k, v)
		}
	}
	set("topic", strconv.FormatInt(f.TopicID, 10))
	set("state", state)
	set("sentiment", f.Sentiment)
	set("label", f.Label)
	set("assignee", strconv.FormatInt(f.AssigneeID, 10))
	set("q", f.Query)
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return q
}

func (h *Handlers) inbox(w http.ResponseWriter, r *http.Request) error {
	ctx, p, q := r.Context(), web.PrincipalOf(r), r.URL.Query()
	f := MentionFilter{Sentiment: q.Get("sentiment"), Label: q.Get("label"), Query: strings.TrimSpace(q.Get("q"))}
	f.TopicID, _ = strconv.ParseInt(q.Get("topic"), 10, 64)
	f.AssigneeID, _ = strconv.ParseInt(q.Get("assignee"), 10, 64)
	if st := q.Get("state"); slices.Contains(States, st) || st == "all" {
		f.State = st
	}
	if !slices.Contains(Sentiments, f.Sentiment) {
		f.Sentiment = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Limit, f.Offset = inboxPage+1, (page-1)*inboxPage
	topics, err := h.s.Topics(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	d := inboxData{Topics: topics, Filter: f, States: States, Sentiment: Sentiments, NoTopics: len(topics) == 0,
		Filtered: f.Sentiment != "" || f.Label != "" || f.AssigneeID != 0 || f.Query != ""}
	for _, t := range topics {
		if t.ID == f.TopicID {
			d.Topic = t
		}
	}
	if d.Topic == nil {
		d.Filter.TopicID, f.TopicID = 0, 0
	}
	listFilter := f
	if f.State == "all" {
		listFilter.State = "any"
	}
	rows, err := h.s.Mentions(ctx, p.WorkspaceID, listFilter)
	if err != nil {
		return err
	}
	if d.Total, err = h.s.CountMentions(ctx, p.WorkspaceID, listFilter); err != nil {
		return err
	}
	if len(rows) > inboxPage {
		rows, d.Next = rows[:inboxPage], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	for i := range rows {
		d.Rows = append(d.Rows, mentionRow{Mention: rows[i], Snippet: h.s.Highlight(ctx, p.WorkspaceID, &rows[i], 260)})
	}
	if d.Labels, err = h.s.Labels(ctx, p.WorkspaceID); err != nil {
		return err
	}
	if d.Members, err = h.s.Members(ctx, p.WorkspaceID); err != nil {
		return err
	}
	if len(d.Rows) == 0 {
		sources, err := h.s.Sources(ctx, p.WorkspaceID)
		if err != nil {
			return err
		}
		d.NoSources = len(sources) == 0
	}
	return h.pages.Render(w, r, http.StatusOK, "inbox.html", "monitor.inbox.title", d, nil)
}

// triageOf reads a triage form: action names what to do (a state, assign, label, unlabel, note).
func triageOf(f *web.Form) Triage {
	var t Triage
	switch a := f.Get("action"); a {
	case MentionNew, MentionRelevant, MentionIrrelevant, MentionFlagged:
		t.State = &a
	case "assign":
		id, _ := strconv.ParseInt(f.Get("assignee_id"), 10, 64)
		t.AssigneeID = &id
	case "label":
		t.AddLabel = f.Get("label")
		if t.AddLabel == "" {
			t.AddLabel = " " // an empty label is refused with its message
		}
	case "unlabel":
		t.RemoveLabel = f.Get("label")
	case "note":
		note := f.Get("note")
		t.Note = &note
	}
	return t
}

func (h *Handlers) bulkTriage(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	var ids []int64
	for _, v := range f.Values["ids"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	back := web.WorkspacePath(r, "/monitoring")
	if ret := f.Get("return"); strings.HasPrefix(ret, "?") {
		back += ret
	}
	if len(ids) == 0 {
		h.srv.AddFlash(r, "error", "monitor.inbox.none_chosen")
		return web.Redirect(w, r, back)
	}
	n, err := h.s.TriageMentions(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, ids, triageOf(f))
	if fieldErrors(err, f) {
		h.srv.AddFlash(r, "error", "monitor.inbox.triage_failed")
		return web.Redirect(w, r, back)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("monitor.inbox.triaged", "Count", n))
	return web.Redirect(w, r, back)
}

// ---- one mention ----

type mentionData struct {
	M        *Mention
	Text     []Part
	Members  []Member
	Labels   []string
	Coverage []Coverage
	Releases []SentRelease
	Contacts map[int64][]Contact
	CanCover bool
	// Selected is the release the coverage form offers first.
	Selected  int64
	Sentiment []string
	States    []string
}

func (h *Handlers) mentionOf(r *http.Request) (*Mention, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.s.Mention(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

func (h *Handlers) mention(w http.ResponseWriter, r *http.Request) error {
	m, err := h.mentionOf(r)
	if err != nil {
		return err
	}
	return h.renderMention(w, r, http.StatusOK, m, web.NewForm(url.Values{"note": {m.Note}}))
}

func (h *Handlers) renderMention(w http.ResponseWriter, r *http.Request, status int, m *Mention, f *web.Form) error {
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	d := mentionData{M: m, Text: h.s.Highlight(ctx, wsID, m, 4000), Sentiment: Sentiments, States: States, Contacts: map[int64][]Contact{}}
	var err error
	if d.Members, err = h.s.Members(ctx, wsID); err != nil {
		return err
	}
	if d.Coverage, err = h.s.CoverageForItem(ctx, wsID, m.Item.ID); err != nil {
		return err
	}
	if h.s.Releases != nil {
		if d.Releases, err = h.s.Releases.SentReleases(ctx, wsID, time.Time{}); err != nil {
			return err
		}
		// Newest first: a story is most likely coverage of a recent release, or of the one it was
		// suggested for.
		slices.Reverse(d.Releases)
		d.CanCover = len(d.Releases) > 0
		if d.CanCover {
			d.Selected = d.Releases[0].ID
		}
		for _, c := range d.Coverage {
			if c.State == Suggested {
				d.Selected = c.ReleaseID
			}
		}
		if v := f.Get("release_id"); v != "" {
			d.Selected, _ = strconv.ParseInt(v, 10, 64)
		}
		if h.s.Press != nil {
			for _, rel := range d.Releases {
				if d.Contacts[rel.ID], err = h.s.Press.Recipients(ctx, wsID, rel.ID); err != nil {
					return err
				}
			}
		}
		for i := range d.Coverage {
			for j := range d.Releases {
				if d.Releases[j].ID == d.Coverage[i].ReleaseID {
					d.Coverage[i].Release = &d.Releases[j]
				}
			}
		}
	}
	return h.pages.Render(w, r, status, "mention.html", "monitor.mention.title", d, f)
}

func (h *Handlers) triage(w http.ResponseWriter, r *http.Request) error {
	m, err := h.mentionOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	_, err = h.s.TriageMentions(r.Context(), web.ActorOf(r), m.Item.WorkspaceID, []int64{m.ID}, triageOf(f))
	if fieldErrors(err, f) {
		return h.renderMention(w, r, http.StatusUnprocessableEntity, m, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/mentions/"+itoa(m.ID)))
}

func (h *Handlers) sentiment(w http.ResponseWriter, r *http.Request) error {
	m, err := h.mentionOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	err = h.s.SetSentiment(r.Context(), web.ActorOf(r), m.Item.WorkspaceID, m.Item.ID, f.Get("sentiment"))
	if fieldErrors(err, f) {
		return h.renderMention(w, r, http.StatusUnprocessableEntity, m, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.mention.sentiment_saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/mentions/"+itoa(m.ID)))
}

func (h *Handlers) confirmFromMention(w http.ResponseWriter, r *http.Request) error {
	m, err := h.mentionOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	release, _ := strconv.ParseInt(f.Get("release_id"), 10, 64)
	contact, _ := strconv.ParseInt(f.Get("contact_id"), 10, 64)
	err = h.s.ConfirmCoverage(r.Context(), web.ActorOf(r), m.Item.WorkspaceID, release, m.Item.ID, contact)
	switch {
	case errors.Is(err, ErrNotSent):
		f.Fail("release_id", "monitor.coverage.error.release")
		return h.renderMention(w, r, http.StatusUnprocessableEntity, m, f)
	case errors.Is(err, ErrNotRecipient):
		f.Fail("contact_id", "monitor.coverage.error.journalist")
		return h.renderMention(w, r, http.StatusUnprocessableEntity, m, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.coverage.confirmed")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/mentions/"+itoa(m.ID)))
}

// ---- topics ----

func (h *Handlers) topics(w http.ResponseWriter, r *http.Request) error {
	topics, err := h.s.Topics(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "topics.html", "monitor.topics.title", topics, nil)
}

type topicData struct {
	Topic   *Topic
	Kinds   []string
	Error   string // the query's error in the reader's words, with its position
	Preview *Preview
	// Action is where the form saves.
	Action string
}

func (h *Handlers) renderTopic(w http.ResponseWriter, r *http.Request, status int, t *Topic, f *web.Form, qerr error) error {
	d := topicData{Topic: t, Kinds: TopicKinds, Action: web.WorkspacePath(r, "/monitoring/topics")}
	if t != nil {
		d.Action += "/" + itoa(t.ID)
	}
	var qe *query.Error
	if errors.As(qerr, &qe) {
		d.Error = web.LocaleOf(r).T(qe.Key, qe.Args()...)
		f.Fail("query", qe.Key)
	}
	if d.Error == "" && f.Get("query") != "" {
		p, err := h.s.PreviewQuery(r.Context(), web.PrincipalOf(r).WorkspaceID, f.Get("query"))
		if errors.As(err, &qe) {
			d.Error = web.LocaleOf(r).T(qe.Key, qe.Args()...)
			f.Fail("query", qe.Key)
		} else if err != nil {
			return err
		}
		d.Preview = p
	}
	title := "monitor.topic.new"
	if t != nil {
		title = "monitor.topic.edit"
	}
	return h.pages.Render(w, r, status, "topic.html", title, d, f)
}

func (h *Handlers) newTopic(w http.ResponseWriter, r *http.Request) error {
	return h.renderTopic(w, r, http.StatusOK, nil, web.NewForm(url.Values{"kind": {Brand}}), nil)
}

// previewTopic shows the editor with what its query would match, without saving: the form's
// Preview button, and htmx as the person types.
func (h *Handlers) previewTopic(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r.URL.Query())
	var t *Topic
	if id, err := strconv.ParseInt(f.Get("id"), 10, 64); err == nil && id != 0 {
		if t, err = h.s.Topic(r.Context(), web.PrincipalOf(r).WorkspaceID, id); err != nil {
			return err
		}
	}
	return h.renderTopic(w, r, http.StatusOK, t, f, nil)
}

func topicInput(f *web.Form) TopicInput {
	return TopicInput{Name: f.Get("name"), Kind: f.Get("kind"), Query: f.Get("query"), KeyMessages: lines(f.Raw("key_messages"))}
}

func (h *Handlers) createTopic(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	t, err := h.s.CreateTopic(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, topicInput(f))
	var qe *query.Error
	if fieldErrors(err, f) || errors.As(err, &qe) {
		return h.renderTopic(w, r, http.StatusUnprocessableEntity, nil, f, err)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.topic.created")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring?topic="+itoa(t.ID)))
}

func (h *Handlers) topicOf(r *http.Request) (*Topic, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.s.Topic(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

func (h *Handlers) editTopic(w http.ResponseWriter, r *http.Request) error {
	t, err := h.topicOf(r)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"name": {t.Name}, "kind": {t.Kind}, "query": {t.Query}, "key_messages": {strings.Join(t.KeyMessages, "\n")},
		"id": {itoa(t.ID)}})
	return h.renderTopic(w, r, http.StatusOK, t, f, nil)
}

func (h *Handlers) updateTopic(w http.ResponseWriter, r *http.Request) error {
	t, err := h.topicOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	_, err = h.s.UpdateTopic(r.Context(), web.ActorOf(r), t.WorkspaceID, t.ID, topicInput(f))
	var qe *query.Error
	if fieldErrors(err, f) || errors.As(err, &qe) {
		return h.renderTopic(w, r, http.StatusUnprocessableEntity, t, f, err)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring?topic="+itoa(t.ID)))
}

func (h *Handlers) archiveTopic(w http.ResponseWriter, r *http.Request) error {
	t, err := h.topicOf(r)
	if err != nil {
		return err
	}
	if err := h.s.ArchiveTopic(r.Context(), web.ActorOf(r), t.WorkspaceID, t.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.topic.archived")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/topics"))
}

// ---- sources ----

type sourcesData struct {
	Rows    []sourceRow
	Failing int
}

// sourceRow is a source in the health view: its last problem in the reader's words, and how many
// items it gives a day (over the last week).
type sourceRow struct {
	*Source
	Problem string
	PerDay  int
}

func (h *Handlers) sources(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.Sources(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	var d sourcesData
	for _, s := range list {
		row := sourceRow{Source: s, PerDay: (s.ItemsWeek + 3) / 7}
		if !s.Healthy() {
			d.Failing++
			row.Problem = web.LocaleOf(r).T(s.LastError, mapArgs(s.LastErrorArgs)...)
		}
		d.Rows = append(d.Rows, row)
	}
	return h.pages.Render(w, r, http.StatusOK, "sources.html", "monitor.sources.title", d, nil)
}

type sourceFormData struct {
	Source      *Source
	Kinds       []fetch.Kind
	Aggregators []fetch.Aggregator
	Accounts    []Account
	Intervals   []interval
	// Problem is why the source could not be read, in the reader's words; Suggest are the feeds
	// the given page links to.
	Problem string
	Suggest []fetch.Found
}

// interval is a polling interval as the forms offer it.
type interval struct {
	Seconds        int64
	Minutes, Hours int
}

func intervals() []interval {
	out := make([]interval, len(Intervals))
	for i, d := range Intervals {
		out[i] = interval{int64(d / time.Second), int(d / time.Minute), int(d / time.Hour)}
	}
	return out
}

func (h *Handlers) renderSourceForm(w http.ResponseWriter, r *http.Request, status int, src *Source, f *web.Form, problem *SourceError) error {
	d := sourceFormData{Source: src, Kinds: SourceKinds, Aggregators: fetch.Aggregators, Intervals: intervals()}
	if h.s.Accounts != nil {
		var err error
		if d.Accounts, err = h.s.Accounts.SearchAccounts(r.Context(), web.PrincipalOf(r).WorkspaceID); err != nil {
			return err
		}
	}
	switch {
	case problem != nil:
		d.Problem = web.LocaleOf(r).T(problem.Key, mapArgs(problem.Args)...)
		d.Suggest = problem.Suggest
	case src != nil && !src.Healthy():
		d.Problem = web.LocaleOf(r).T(src.LastError, mapArgs(src.LastErrorArgs)...)
	}
	name, title := "source_new.html", "monitor.source.new"
	if src != nil {
		name, title = "source.html", "monitor.source.title"
	}
	return h.pages.Render(w, r, status, name, title, d, f)
}

// mapArgs turns template arguments kept as a map into T's name, value pairs.
func mapArgs(m map[string]any) []any {
	var out []any
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

func (h *Handlers) newSource(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	kind := q.Get("kind")
	if !slices.Contains(SourceKinds, fetch.Kind(kind)) {
		kind = string(fetch.Feed)
	}
	return h.renderSourceForm(w, r, http.StatusOK, nil, web.NewForm(url.Values{"kind": {kind}, "url": {q.Get("url")},
		"interval": {strconv.Itoa(int(DefaultInterval / time.Second))}, "aggregator": {"google"}}), nil)
}

func sourceInput(f *web.Form) SourceInput {
	in := SourceInput{Kind: fetch.Kind(f.Get("kind")), Name: f.Get("name"), URL: f.Get("url"), Query: f.Get("query"),
		Aggregator: f.Get("aggregator"), Language: f.Get("language"), Enabled: f.Get("enabled") != "off"}
	in.AccountID, _ = strconv.ParseInt(f.Get("account_id"), 10, 64)
	secs, _ := strconv.ParseInt(f.Get("interval"), 10, 64)
	in.Interval = time.Duration(secs) * time.Second
	return in
}

func (h *Handlers) createSource(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	src, err := h.s.AddSource(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, sourceInput(f))
	var se *SourceError
	switch {
	case fieldErrors(err, f):
		return h.renderSourceForm(w, r, http.StatusUnprocessableEntity, nil, f, nil)
	case errors.As(err, &se):
		return h.renderSourceForm(w, r, http.StatusUnprocessableEntity, nil, f, se)
	case err != nil:
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("monitor.source.added", "Count", src.ItemsTotal))
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/sources/"+itoa(src.ID)))
}

func (h *Handlers) sourceOf(r *http.Request) (*Source, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.s.Source(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

func (h *Handlers) source(w http.ResponseWriter, r *http.Request) error {
	src, err := h.sourceOf(r)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"name": {src.Name}, "language": {src.Language}, "interval": {strconv.FormatInt(int64(src.Interval/time.Second), 10)}})
	if src.Enabled {
		f.Values.Set("enabled", "on")
	}
	return h.renderSourceForm(w, r, http.StatusOK, src, f, nil)
}

func (h *Handlers) updateSource(w http.ResponseWriter, r *http.Request) error {
	src, err := h.sourceOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	in := sourceInput(f)
	in.Enabled = f.Checked("enabled")
	_, err = h.s.UpdateSource(r.Context(), web.ActorOf(r), src.WorkspaceID, src.ID, in)
	if fieldErrors(err, f) {
		return h.renderSourceForm(w, r, http.StatusUnprocessableEntity, src, f, nil)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/sources/"+itoa(src.ID)))
}

func (h *Handlers) pollSource(w http.ResponseWriter, r *http.Request) error {
	src, err := h.sourceOf(r)
	if err != nil {
		return err
	}
	if err := h.s.PollNow(r.Context(), src.WorkspaceID, src.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.source.polling")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/sources/"+itoa(src.ID)))
}

func (h *Handlers) deleteSource(w http.ResponseWriter, r *http.Request) error {
	src, err := h.sourceOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteSource(r.Context(), web.ActorOf(r), src.WorkspaceID, src.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.source.deleted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/sources"))
}

type catalogData struct {
	Groups []catalogGroup
	Have   map[string]bool
	Query  string
}

type catalogGroup struct {
	Scope   string
	Entries []catalog.Entry
}

func (h *Handlers) catalogPage(w http.ResponseWriter, r *http.Request) error {
	have, err := h.s.CatalogKeys(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	d := catalogData{Have: have, Query: q}
	for _, e := range catalog.All() {
		if q != "" && !strings.Contains(strings.ToLower(e.Name+" "+e.Province+" "+e.City), q) {
			continue
		}
		if n := len(d.Groups); n == 0 || d.Groups[n-1].Scope != e.Scope {
			d.Groups = append(d.Groups, catalogGroup{Scope: e.Scope})
		}
		g := &d.Groups[len(d.Groups)-1]
		g.Entries = append(g.Entries, e)
	}
	return h.pages.Render(w, r, http.StatusOK, "catalog.html", "monitor.catalog.title", d, nil)
}

func (h *Handlers) addCatalog(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	n, err := h.s.AddFromCatalog(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, f.Values["key"])
	if err != nil {
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("monitor.catalog.added", "Count", n))
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/sources"))
}

// ---- coverage ----

type coverageData struct {
	Pending   []Coverage
	Confirmed []Coverage
	Releases  map[int64]SentRelease
	Contacts  map[int64][]Contact
	HasSent   bool
}

func (h *Handlers) coverage(w http.ResponseWriter, r *http.Request) error {
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	d := coverageData{Releases: map[int64]SentRelease{}, Contacts: map[int64][]Contact{}}
	var err error
	if d.Pending, err = h.s.PendingCoverage(ctx, wsID); err != nil {
		return err
	}
	if d.Confirmed, err = h.s.ConfirmedCoverage(ctx, wsID); err != nil {
		return err
	}
	if h.s.Releases != nil {
		sent, err := h.s.Releases.SentReleases(ctx, wsID, time.Time{})
		if err != nil {
			return err
		}
		d.HasSent = len(sent) > 0
		for _, rel := range sent {
			d.Releases[rel.ID] = rel
		}
		if h.s.Press != nil {
			for _, c := range d.Pending {
				if _, ok := d.Contacts[c.ReleaseID]; !ok {
					if d.Contacts[c.ReleaseID], err = h.s.Press.Recipients(ctx, wsID, c.ReleaseID); err != nil {
						return err
					}
				}
			}
		}
	}
	return h.pages.Render(w, r, http.StatusOK, "coverage.html", "monitor.coverage.title", d, nil)
}

func (h *Handlers) confirmCoverage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	pending, err := h.s.PendingCoverage(ctx, wsID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(pending, func(c Coverage) bool { return c.ID == id })
	if i < 0 {
		return web.ErrNotFound
	}
	contact, _ := strconv.ParseInt(web.ParseForm(r).Get("contact_id"), 10, 64)
	err = h.s.ConfirmCoverage(ctx, web.ActorOf(r), wsID, pending[i].ReleaseID, pending[i].Item.ID, contact)
	if errors.Is(err, ErrNotRecipient) {
		return web.ErrBadRequest // the form offers only the release's recipients
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.coverage.confirmed")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/coverage"))
}

func (h *Handlers) dismissCoverage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.s.DismissCoverage(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.coverage.dismissed")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/coverage"))
}

// ---- alerts ----

type alertsData struct {
	Rules  []*Rule
	Alerts []Alert
	Topics int
}

func (h *Handlers) alerts(w http.ResponseWriter, r *http.Request) error {
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	var d alertsData
	var err error
	if d.Rules, err = h.s.Rules(ctx, wsID); err != nil {
		return err
	}
	if d.Alerts, err = h.s.Alerts(ctx, wsID, 50); err != nil {
		return err
	}
	topics, err := h.s.Topics(ctx, wsID)
	if err != nil {
		return err
	}
	d.Topics = len(topics)
	return h.pages.Render(w, r, http.StatusOK, "alerts.html", "monitor.alerts.title", d, nil)
}

type ruleData struct {
	Rule     *Rule
	Topics   []*Topic
	Kinds    []string
	Members  []Member
	Accounts []Account
}

func (h *Handlers) renderRule(w http.ResponseWriter, r *http.Request, status int, rule *Rule, f *web.Form) error {
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	d := ruleData{Rule: rule, Kinds: AlertKinds}
	var err error
	if d.Topics, err = h.s.Topics(ctx, wsID); err != nil {
		return err
	}
	if d.Members, err = h.s.Members(ctx, wsID); err != nil {
		return err
	}
	if h.s.Chat != nil {
		if d.Accounts, err = h.s.Chat.ChatAccounts(ctx, wsID); err != nil {
			return err
		}
	}
	return h.pages.Render(w, r, status, "rule.html", "monitor.rule.title", d, f)
}

func (h *Handlers) newRule(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.NewForm(url.Values{"kind": {AlertSpike}, "factor": {"3"}, "min_count": {"5"}, "window": {"60"}, "baseline_days": {"7"},
		"quiet": {"360"}, "min_reach": {"100000"}, "emails": {itoa(p.UserID)}, "enabled": {"on"}, "topic_id": {r.URL.Query().Get("topic")}})
	return h.renderRule(w, r, http.StatusOK, nil, f)
}

func ruleInput(f *web.Form) RuleInput {
	in := RuleInput{Kind: f.Get("kind"), Enabled: f.Checked("enabled")}
	in.TopicID, _ = strconv.ParseInt(f.Get("topic_id"), 10, 64)
	in.MinReach, _ = strconv.ParseInt(f.Get("min_reach"), 10, 64)
	in.MinCount, _ = strconv.Atoi(f.Get("min_count"))
	in.Factor, _ = strconv.ParseFloat(strings.ReplaceAll(f.Get("factor"), ",", "."), 64)
	in.BaselineDays, _ = strconv.Atoi(f.Get("baseline_days"))
	window, _ := strconv.Atoi(f.Get("window"))
	quiet, _ := strconv.Atoi(f.Get("quiet"))
	in.Window, in.Quiet = time.Duration(window)*time.Minute, time.Duration(quiet)*time.Minute
	for _, v := range f.Values["emails"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Emails = append(in.Emails, id)
		}
	}
	for _, v := range f.Values["accounts"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Accounts = append(in.Accounts, id)
		}
	}
	return in
}

func (h *Handlers) createRule(w http.ResponseWriter, r *http.Request) error {
	return h.saveRule(w, r, nil)
}

func (h *Handlers) ruleOf(r *http.Request) (*Rule, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.s.Rule(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

func (h *Handlers) editRule(w http.ResponseWriter, r *http.Request) error {
	rule, err := h.ruleOf(r)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"kind": {rule.Kind}, "topic_id": {itoa(rule.TopicID)}, "factor": {strconv.FormatFloat(rule.Factor, 'f', -1, 64)},
		"min_count": {strconv.Itoa(rule.MinCount)}, "min_reach": {itoa(rule.MinReach)}, "window": {strconv.Itoa(int(rule.Window / time.Minute))},
		"baseline_days": {strconv.Itoa(rule.BaselineDays)}, "quiet": {strconv.Itoa(int(rule.Quiet / time.Minute))}})
	for _, id := range rule.Emails {
		f.Values.Add("emails", itoa(id))
	}
	for _, id := range rule.Accounts {
		f.Values.Add("accounts", itoa(id))
	}
	if rule.Enabled {
		f.Values.Set("enabled", "on")
	}
	return h.renderRule(w, r, http.StatusOK, rule, f)
}

func (h *Handlers) updateRule(w http.ResponseWriter, r *http.Request) error {
	rule, err := h.ruleOf(r)
	if err != nil {
		return err
	}
	return h.saveRule(w, r, rule)
}

func (h *Handlers) saveRule(w http.ResponseWriter, r *http.Request, rule *Rule) error {
	f := web.ParseForm(r)
	var id int64
	if rule != nil {
		id = rule.ID
	}
	_, err := h.s.SaveRule(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id, ruleInput(f))
	if fieldErrors(err, f) {
		return h.renderRule(w, r, http.StatusUnprocessableEntity, rule, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/alerts"))
}

func (h *Handlers) deleteRule(w http.ResponseWriter, r *http.Request) error {
	rule, err := h.ruleOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteRule(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, rule.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "monitor.rule.deleted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/alerts"))
}

type alertData struct {
	Alert    *Alert
	Accounts map[int64]Account
	Mentions []mentionRow
}

func (h *Handlers) alert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	a, err := h.s.Alert(ctx, wsID, id)
	if err != nil {
		return err
	}
	d := alertData{Alert: a, Accounts: map[int64]Account{}}
	if h.s.Chat != nil {
		accounts, err := h.s.Chat.ChatAccounts(ctx, wsID)
		if err != nil {
			return err
		}
		for _, acc := range accounts {
			d.Accounts[acc.ID] = acc
		}
	}
	// The mentions around the alert: the topic's stories up to it, newest first.
	ms, err := h.s.Mentions(ctx, wsID, MentionFilter{TopicID: a.TopicID, State: "any", To: a.FiredAt.Add(time.Minute), Limit: 20})
	if err != nil {
		return err
	}
	for i := range ms {
		d.Mentions = append(d.Mentions, mentionRow{Mention: ms[i], Snippet: h.s.Highlight(ctx, wsID, &ms[i], 200)})
	}
	return h.pages.Render(w, r, http.StatusOK, "alert.html", "monitor.alert.title", d, nil)
}
