package crisis

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/crisis/playbook"
	"warta.dev/warta/internal/crisis/review"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the crisis room's pages.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the crisis templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the crisis pages with their permissions: everyone sees the rooms and acknowledges;
// writers add to a room; editors declare, publish and close; managers keep the team.
func (h *Handlers) Routes() []web.Route {
	v, wk, d, m := access.CrisisView, access.CrisisWork, access.CrisisDeclare, access.CrisisManage
	p := "/w/{ws}/crisis"
	return []web.Route{
		{Method: "GET", Path: p, Perm: v, Handler: h.list},
		{Method: "GET", Path: p + "/new", Perm: d, Handler: h.newCrisis},
		{Method: "POST", Path: p, Perm: d, Handler: h.declare},
		{Method: "GET", Path: p + "/settings", Perm: m, Handler: h.settings},
		{Method: "POST", Path: p + "/settings", Perm: m, Handler: h.saveSettings},
		{Method: "GET", Path: p + "/{id}", Perm: v, Handler: h.room},
		{Method: "GET", Path: p + "/{id}/ack", Perm: v, Handler: h.ackPage},
		{Method: "POST", Path: p + "/{id}/ack", Perm: v, Handler: h.ackAsMember},
		{Method: "POST", Path: p + "/{id}/notes", Perm: wk, Handler: h.addNote},
		{Method: "POST", Path: p + "/{id}/decisions", Perm: wk, Handler: h.addDecision},
		{Method: "POST", Path: p + "/{id}/tasks", Perm: wk, Handler: h.addTask},
		{Method: "POST", Path: p + "/{id}/tasks/{task}/done", Perm: wk, Handler: h.completeTask},
		{Method: "POST", Path: p + "/{id}/messages", Perm: wk, Handler: h.saveMessage},
		{Method: "POST", Path: p + "/{id}/messages/{msg}", Perm: wk, Handler: h.saveMessage},
		{Method: "POST", Path: p + "/{id}/questions", Perm: wk, Handler: h.saveQuestion},
		{Method: "POST", Path: p + "/{id}/questions/seed", Perm: wk, Handler: h.seedQuestions},
		{Method: "POST", Path: p + "/{id}/questions/{q}", Perm: wk, Handler: h.saveQuestion},
		{Method: "POST", Path: p + "/{id}/statements", Perm: wk, Handler: h.draftStatement},
		{Method: "POST", Path: p + "/{id}/statements/{st}/submit", Perm: wk, Handler: h.submitStatement},
		{Method: "POST", Path: p + "/{id}/statements/{st}/publish", Perm: d, Handler: h.publishStatement},
		{Method: "POST", Path: p + "/{id}/updates", Perm: d, Handler: h.postUpdate},
		{Method: "POST", Path: p + "/{id}/injects", Perm: d, Handler: h.addInject},
		{Method: "GET", Path: p + "/{id}/close", Perm: d, Handler: h.closePage},
		{Method: "POST", Path: p + "/{id}/close", Perm: d, Handler: h.close},
		{Method: "GET", Path: p + "/{id}/review", Perm: v, Handler: h.review},
		{Method: "GET", Path: p + "/{id}/review.pdf", Perm: v, Handler: h.reviewPDF},
		{Method: "GET", Path: p + "/{id}/review/volume.png", Perm: v, Handler: h.reviewChart},
		// The acknowledge link in the team's email works without signing in: its secret is the key.
		{Method: "GET", Path: "/crisis/ack/{token}", Perm: access.Public, Handler: h.ackLink},
		{Method: "POST", Path: "/crisis/ack/{token}", Perm: access.Public, Handler: h.ackLink},
	}
}

// member is who acts, named as the team knows them: the timeline and the review show names.
func member(r *http.Request) audit.Actor {
	a := web.ActorOf(r)
	if p := web.PrincipalOf(r); p != nil && p.Name != "" {
		a.Label = p.Name
	}
	return a
}

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
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

func roomPath(r *http.Request, id int64, anchor string) string {
	path := web.WorkspacePath(r, "/crisis/"+itoa(id))
	if anchor != "" {
		path += "#" + anchor
	}
	return path
}

// ---- list, declare ----

type listData struct {
	Open, Closed []*Crisis
	TeamSize     int
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	all, err := h.s.List(ctx, wsID)
	if err != nil {
		return err
	}
	set, err := h.s.Settings(ctx, wsID)
	if err != nil {
		return err
	}
	d := listData{TeamSize: len(set.Team)}
	for _, c := range all {
		if c.IsOpen() {
			d.Open = append(d.Open, c)
		} else {
			d.Closed = append(d.Closed, c)
		}
	}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "crisis.list.title", d, nil)
}

type declareData struct {
	Types      []playbook.Type
	Severities []string
	Members    []Colleague
	Accounts   []Account
	Topics     []Topic
	Open       []*Crisis
	Settings   *Settings
	Guidance   []playbook.Guidance
	FromAlert  bool
}

func (h *Handlers) declareData(r *http.Request) (*declareData, error) {
	ctx, p := r.Context(), web.PrincipalOf(r)
	d := &declareData{Types: playbook.Types, Severities: Severities}
	var err error
	if h.s.Members != nil {
		if d.Members, err = h.s.Members.Members(ctx, p.WorkspaceID); err != nil {
			return nil, err
		}
	}
	if d.Accounts, err = h.s.PublicAccounts(ctx, p.WorkspaceID); err != nil {
		return nil, err
	}
	if h.s.Monitoring != nil {
		if d.Topics, err = h.s.Monitoring.Topics(ctx, p.WorkspaceID); err != nil {
			return nil, err
		}
	}
	if d.Open, err = h.s.OpenCrises(ctx, p.WorkspaceID); err != nil {
		return nil, err
	}
	if d.Settings, err = h.s.Settings(ctx, p.WorkspaceID); err != nil {
		return nil, err
	}
	for _, t := range playbook.Types {
		d.Guidance = append(d.Guidance, playbook.GuidanceFor(t, web.LocaleOf(r).Lang))
	}
	return d, nil
}

func (h *Handlers) newCrisis(w http.ResponseWriter, r *http.Request) error {
	d, err := h.declareData(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := web.NewForm(url.Values{"owner": {itoa(web.PrincipalOf(r).UserID)}, "severity": {"high"}, "pause": {"on"},
		"topic": {q.Get("topic")}, "alert": {q.Get("alert")}, "name": {q.Get("name")}})
	d.FromAlert = q.Get("alert") != ""
	if q.Get("exercise") != "" {
		f.Values.Set("exercise", "on")
	}
	return h.pages.Render(w, r, http.StatusOK, "declare.html", "crisis.declare.title", d, f)
}

func int64s(values []string) []int64 {
	var out []int64
	for _, v := range values {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func formInt(f *web.Form, name string) int64 {
	id, _ := strconv.ParseInt(f.Get(name), 10, 64)
	return id
}

func (h *Handlers) declare(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	in := DeclareInput{Name: f.Get("name"), Description: f.Get("description"), Type: playbook.Type(f.Get("type")), Severity: f.Get("severity"),
		OwnerID: formInt(f, "owner"), Exercise: f.Checked("exercise"), Pause: f.Checked("pause"), KeepAccounts: int64s(f.Values["keep"]),
		TopicID: formInt(f, "topic"), AlertID: formInt(f, "alert"), PublicName: f.Get("public_name")}
	var c *Crisis
	var err error
	if f.Checked("confirm") {
		c, err = h.s.Declare(r.Context(), member(r), web.PrincipalOf(r).WorkspaceID, in)
	} else {
		// Say everything that is missing at once, the confirmation too.
		f.Fail("confirm", "crisis.error.confirm")
		_, err = h.s.checkDeclare(r.Context(), web.PrincipalOf(r).WorkspaceID, &in)
	}
	if fieldErrors(err, f) || !f.Valid() {
		d, derr := h.declareData(r)
		if derr != nil {
			return derr
		}
		d.FromAlert = in.AlertID != 0
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "declare.html", "crisis.declare.title", d, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "crisis.declared")
	return web.Redirect(w, r, roomPath(r, c.ID, ""))
}

// ---- the room ----

type roomData struct {
	*Room
	Now        time.Time
	Members    []Colleague
	Accounts   map[int64]Account
	PostTo     []Account
	Lists      []List
	Templates  []playbook.Template
	Guidance   playbook.Guidance
	Principles []playbook.Principle
	Acked      int
	MeAcked    bool
	MeAsked    bool
	Audiences  []string
	Sentiments []string
	Statuses   []string
	States     []string
	Newsroom   bool
	Panel      *panelData
}

func (h *Handlers) roomData(r *http.Request, id int64) (*roomData, error) {
	ctx, p := r.Context(), web.PrincipalOf(r)
	room, err := h.s.Room(ctx, p.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	lang := web.LocaleOf(r).Lang
	d := &roomData{Room: room, Now: h.s.clock(), Accounts: map[int64]Account{}, Templates: playbook.Templates(room.Crisis.Type, lang),
		Guidance: playbook.GuidanceFor(room.Crisis.Type, lang), Principles: playbook.Principles(lang),
		Sentiments: []string{"negative", "neutral", "positive"}, Statuses: MessageStatuses, States: UpdateStates}
	// The audiences offered are suggestions in the reader's words; any other may be typed.
	for _, a := range Audiences {
		d.Audiences = append(d.Audiences, web.LocaleOf(r).T(word("audience", a)))
	}
	for _, person := range room.People {
		if person.AckedAt != nil {
			d.Acked++
		}
		if person.UserID == p.UserID || strings.EqualFold(person.Email, p.Email) {
			d.MeAsked = true
			d.MeAcked = d.MeAcked || person.AckedAt != nil
		}
	}
	if h.s.Members != nil {
		if d.Members, err = h.s.Members.Members(ctx, p.WorkspaceID); err != nil {
			return nil, err
		}
	}
	if h.s.Publishing != nil {
		accts, err := h.s.Publishing.Accounts(ctx, p.WorkspaceID)
		if err != nil {
			return nil, err
		}
		for _, a := range accts {
			d.Accounts[a.ID] = a
		}
	}
	if d.PostTo, err = h.s.PublicAccounts(ctx, p.WorkspaceID); err != nil {
		return nil, err
	}
	if h.s.Distributions != nil {
		if d.Lists, err = h.s.Distributions.Lists(ctx, p.WorkspaceID); err != nil {
			return nil, err
		}
	}
	if h.s.Newsroom != nil {
		if d.Newsroom, err = h.s.Newsroom.Enabled(ctx, p.WorkspaceID); err != nil {
			return nil, err
		}
	}
	if d.Panel, err = h.panelData(r, room.Crisis); err != nil {
		return nil, err
	}
	return d, nil
}

func (h *Handlers) room(w http.ResponseWriter, r *http.Request) error {
	return h.renderRoom(w, r, http.StatusOK, nil)
}

func (h *Handlers) renderRoom(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := h.roomData(r, id)
	if err != nil {
		return err
	}
	if f == nil {
		f = web.NewForm(url.Values{"update_lang": {web.LocaleOf(r).Lang}, "statement_lang": {web.LocaleOf(r).Lang}})
	}
	return h.pages.Render(w, r, status, "room.html", "crisis.room.title", d, f)
}

// after answers a form in the room: back to the room (at anchor) when it worked, the room with
// the form's errors when the input was wrong.
func (h *Handlers) after(w http.ResponseWriter, r *http.Request, f *web.Form, err error, flash, anchor string) error {
	if fieldErrors(err, f) {
		return h.renderRoom(w, r, http.StatusUnprocessableEntity, f)
	}
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 && we.Key != "" {
		h.srv.AddFlashText(r, "error", web.LocaleOf(r).T(we.Key))
		id, _ := pathInt(r, "id")
		return web.Redirect(w, r, roomPath(r, id, anchor))
	}
	if err != nil {
		return err
	}
	if flash != "" {
		h.srv.AddFlash(r, "ok", flash)
	}
	id, _ := pathInt(r, "id")
	return web.Redirect(w, r, roomPath(r, id, anchor))
}

func (h *Handlers) ids(r *http.Request) (int64, int64, web.Principal) {
	id, _ := pathInt(r, "id")
	p := web.PrincipalOf(r)
	return p.WorkspaceID, id, *p
}

func (h *Handlers) addNote(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	err := h.s.AddNote(r.Context(), member(r), wsID, id, f.Get("text"), formInt(f, "corrects"))
	return h.after(w, r, f, err, "", "timeline")
}

func (h *Handlers) addDecision(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	_, err := h.s.AddDecision(r.Context(), member(r), wsID, id, f.Get("decision"), f.Get("decided_by"), f.Get("reason"))
	return h.after(w, r, f, err, "crisis.decision.saved", "decisions")
}

// formTime reads a datetime-local field in the workspace's zone.
func formTime(r *http.Request, f *web.Form, name string) (*time.Time, bool) {
	v := f.Get(name)
	if v == "" {
		return nil, true
	}
	zone := web.PrincipalOf(r).Zone
	if zone == nil {
		zone = time.UTC
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, zone)
	if err != nil {
		return nil, false
	}
	t = t.UTC()
	return &t, true
}

func (h *Handlers) addTask(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	due, ok := formTime(r, f, "due")
	if !ok {
		f.Fail("due", "crisis.error.time")
		return h.renderRoom(w, r, http.StatusUnprocessableEntity, f)
	}
	_, err := h.s.AddTask(r.Context(), member(r), wsID, id, TaskInput{Title: f.Get("title"), OwnerID: formInt(f, "owner"), DueAt: due})
	return h.after(w, r, f, err, "", "tasks")
}

func (h *Handlers) completeTask(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	task, err := pathInt(r, "task")
	if err != nil {
		return err
	}
	return h.after(w, r, web.ParseForm(r), h.s.CompleteTask(r.Context(), member(r), wsID, id, task), "", "tasks")
}

func (h *Handlers) saveMessage(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	msgID, _ := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	_, err := h.s.SaveMessage(r.Context(), member(r), wsID, id, msgID, MessageInput{Audience: f.Get("audience"), Message: f.Get("message"),
		Channel: f.Get("channel"), Status: f.Get("status"), OwnerID: formInt(f, "owner"), ItemID: formInt(f, "item"),
		DistributionID: formInt(f, "distribution")})
	return h.after(w, r, f, err, "", "messages")
}

func (h *Handlers) saveQuestion(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	qID, _ := strconv.ParseInt(r.PathValue("q"), 10, 64)
	_, err := h.s.SaveQuestion(r.Context(), member(r), wsID, id, qID, f.Get("question"), f.Get("answer"), f.Checked("approve"))
	return h.after(w, r, f, err, "", "questions")
}

func (h *Handlers) seedQuestions(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	_, err := h.s.SeedQuestions(r.Context(), member(r), wsID, id, web.LocaleOf(r).Lang)
	return h.after(w, r, web.ParseForm(r), err, "", "questions")
}

func (h *Handlers) draftStatement(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	st, err := h.s.DraftStatement(r.Context(), member(r), wsID, id, f.Get("template"), f.Get("statement_lang"))
	if err != nil {
		return h.after(w, r, f, err, "", "statements")
	}
	h.srv.AddFlash(r, "ok", "crisis.statement.drafted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/content/"+itoa(st.ItemID)))
}

func (h *Handlers) submitStatement(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	st, err := pathInt(r, "st")
	if err != nil {
		return err
	}
	return h.after(w, r, web.ParseForm(r), h.s.SubmitStatement(r.Context(), member(r), wsID, id, st), "crisis.statement.submitted", "statements")
}

func (h *Handlers) publishStatement(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	st, err := pathInt(r, "st")
	if err != nil {
		return err
	}
	_, err = h.s.PublishStatement(r.Context(), member(r), wsID, id, st, PublishInput{Accounts: int64s(f.Values["accounts"]),
		Newsroom: f.Checked("newsroom"), Lists: int64s(f.Values["lists"])})
	return h.after(w, r, f, err, "crisis.statement.published", "statements")
}

func (h *Handlers) postUpdate(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	_, err := h.s.PostUpdate(r.Context(), member(r), wsID, id, f.Get("state"), f.Get("update_text"), f.Get("update_lang"))
	if fieldErrors(err, f) {
		if msg, ok := f.Errors["text"]; ok {
			f.Fail("update_text", msg)
		}
		return h.renderRoom(w, r, http.StatusUnprocessableEntity, f)
	}
	return h.after(w, r, f, err, "crisis.update.posted", "updates")
}

func (h *Handlers) addInject(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	minutes, _ := strconv.Atoi(f.Get("after"))
	_, err := h.s.AddInject(r.Context(), member(r), wsID, id, InjectInput{Kind: f.Get("kind"), Source: f.Get("source"), Text: f.Get("inject_text"),
		Sentiment: f.Get("sentiment"), After: time.Duration(minutes) * time.Minute})
	if fieldErrors(err, f) {
		if msg, ok := f.Errors["text"]; ok {
			f.Fail("inject_text", msg)
		}
		return h.renderRoom(w, r, http.StatusUnprocessableEntity, f)
	}
	return h.after(w, r, f, err, "", "injects")
}

// ---- acknowledging ----

type ackData struct {
	Crisis *Crisis
	Person *Person
	Done   bool
}

// ackLink is the email's acknowledge link: GET shows the button (mail scanners follow links and
// must not acknowledge for anyone), POST records it.
func (h *Handlers) ackLink(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if r.Method == http.MethodGet {
		c, p, err := h.s.Person(r.Context(), token)
		if err != nil {
			return err
		}
		return h.pages.Render(w, r, http.StatusOK, "ack.html", "crisis.ack.title", ackData{Crisis: c, Person: p, Done: p.AckedAt != nil}, nil)
	}
	c, p, err := h.s.Acknowledge(r.Context(), token)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "ack.html", "crisis.ack.title", ackData{Crisis: c, Person: p, Done: true}, nil)
}

func (h *Handlers) ackPage(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	c, err := h.s.Get(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "ack.html", "crisis.ack.title", ackData{Crisis: c}, nil)
}

func (h *Handlers) ackAsMember(w http.ResponseWriter, r *http.Request) error {
	wsID, id, p := h.ids(r)
	if err := h.s.AcknowledgeAs(r.Context(), wsID, id, p.UserID, p.Name, p.Email); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "crisis.ack.done_flash")
	return web.Redirect(w, r, roomPath(r, id, ""))
}

// ---- monitoring panel ----

type panelData struct {
	Crisis    *Crisis
	TopicName string
	Points    []Point
	Max       int
	Total     int
	Negative  int
	Positive  int
	Mentions  []Event
}

// NegativeShare is the share of negative mentions in the panel's window, in percent.
func (p *panelData) NegativeShare() int {
	if p.Total == 0 {
		return 0
	}
	return p.Negative * 100 / p.Total
}

// panelBar is one hour of the panel's chart, in the SVG's units (the page's CSP allows no inline
// styles, so the chart is drawn with attributes).
type panelBar struct {
	X, Y, H, NegY, NegH int
	At                  time.Time
	Total, Negative     int
}

// panelHeight is the chart's height in SVG units; each hour is 10 wide.
const panelHeight = 90

// Bars are the chart's bars, scaled to the busiest hour.
func (p *panelData) Bars() []panelBar {
	out := make([]panelBar, len(p.Points))
	for i, pt := range p.Points {
		b := panelBar{X: i * 10, At: pt.At, Total: pt.Total, Negative: pt.Negative}
		if p.Max > 0 {
			b.H = pt.Total * panelHeight / p.Max
			b.NegH = pt.Negative * panelHeight / p.Max
		}
		b.Y, b.NegY = panelHeight-b.H, panelHeight-b.NegH
		out[i] = b
	}
	return out
}

// panelData is the crisis topic's last 24 hours by hour, and the latest stories on the timeline.
func (h *Handlers) panelData(r *http.Request, c *Crisis) (*panelData, error) {
	d := &panelData{Crisis: c}
	if c.TopicID == 0 || h.s.Monitoring == nil {
		return d, nil
	}
	ctx := r.Context()
	topics, err := h.s.Monitoring.Topics(ctx, c.WorkspaceID)
	if err != nil {
		return nil, err
	}
	for _, t := range topics {
		if t.ID == c.TopicID {
			d.TopicName = t.Name
		}
	}
	end := h.s.clock().Truncate(time.Hour).Add(time.Hour)
	if d.Points, err = h.s.Monitoring.Series(ctx, c.WorkspaceID, c.TopicID, end.Add(-24*time.Hour), end, time.Hour); err != nil {
		return nil, err
	}
	for _, p := range d.Points {
		d.Max = max(d.Max, p.Total)
		d.Total += p.Total
		d.Negative += p.Negative
		d.Positive += p.Positive
	}
	events, err := h.s.Timeline(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return nil, err
	}
	for i := len(events) - 1; i >= 0 && len(d.Mentions) < 5; i-- {
		if events[i].Kind == "mention" || events[i].Kind == "inject_mention" {
			d.Mentions = append(d.Mentions, events[i])
		}
	}
	return d, nil
}

// ---- closing ----

type closeData struct {
	Crisis *Crisis
	Held   *Held
}

func (h *Handlers) closePage(w http.ResponseWriter, r *http.Request) error {
	return h.renderClose(w, r, http.StatusOK, web.NewForm(url.Values{"all": {Reschedule}}))
}

func (h *Handlers) renderClose(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	wsID, id, _ := h.ids(r)
	c, err := h.s.Get(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	held, err := h.s.HeldFor(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, status, "close.html", "crisis.close.title", closeData{Crisis: c, Held: held}, f)
}

// choice reads one held thing's choice: its own select, else the "all" choice, with its time.
func choice(r *http.Request, f *web.Form, prefix string, id int64) Choice {
	name := prefix + "_" + itoa(id)
	c := Choice{Decision: f.Get(name)}
	at, ok := formTime(r, f, name+"_at")
	if c.Decision == "" || c.Decision == "all" {
		c.Decision = f.Get("all")
		at, ok = formTime(r, f, "all_at")
	}
	if at != nil && ok {
		c.At = *at
	}
	return c
}

func (h *Handlers) close(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	wsID, id, _ := h.ids(r)
	held, err := h.s.HeldFor(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	in := CloseInput{Note: f.Get("note"), Posts: map[int64]Choice{}, Distributions: map[int64]Choice{}}
	for _, p := range held.Posts {
		in.Posts[p.ID] = choice(r, f, "post", p.ID)
	}
	for _, d := range held.Distributions {
		in.Distributions[d.ID] = choice(r, f, "distribution", d.ID)
	}
	err = h.s.Close(r.Context(), member(r), wsID, id, in)
	if fieldErrors(err, f) {
		return h.renderClose(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "crisis.closed")
	return web.Redirect(w, r, web.WorkspacePath(r, "/crisis/"+itoa(id)+"/review"))
}

// ---- review ----

func (h *Handlers) reviewOf(r *http.Request) (*Review, error) {
	wsID, id, p := h.ids(r)
	return h.s.Review(r.Context(), wsID, id, p.Zone)
}

func (h *Handlers) review(w http.ResponseWriter, r *http.Request) error {
	rv, err := h.reviewOf(r)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "review.html", "crisis.review.title", rv, nil)
}

func (h *Handlers) reviewPDF(w http.ResponseWriter, r *http.Request) error {
	rv, err := h.reviewOf(r)
	if err != nil {
		return err
	}
	pdf, err := review.PDF(rv.Document(web.LocaleOf(r), web.PrincipalOf(r).WorkspaceName))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+reviewFilename(rv.Room.Crisis)+`"`)
	_, err = w.Write(pdf)
	return err
}

func (h *Handlers) reviewChart(w http.ResponseWriter, r *http.Request) error {
	rv, err := h.reviewOf(r)
	if err != nil {
		return err
	}
	doc := rv.Document(web.LocaleOf(r), web.PrincipalOf(r).WorkspaceName)
	if len(doc.Charts) == 0 {
		return web.ErrNotFound
	}
	png, err := review.ChartPNG(doc.Charts[0], 960, 360)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	_, err = w.Write(png)
	return err
}

// reviewFilename is the PDF's name: the crisis's name in plain letters and its date.
func reviewFilename(c *Crisis) string {
	var b strings.Builder
	for _, r := range strings.ToLower(c.Name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 60 {
		name = name[:60]
	}
	return "evaluasi-" + name + "-" + c.DeclaredAt.Format("2006-01-02") + ".pdf"
}

// ---- settings ----

type settingsData struct {
	// Rows number the form's lines for people without an account.
	Rows     []int
	Settings *Settings
	Members  []Colleague
	Chats    []Account
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) error {
	set, err := h.s.Settings(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"min_acks": {strconv.Itoa(set.MinAcks)}, "escalate_minutes": {strconv.Itoa(set.EscalateMinutes)}})
	for _, id := range set.ChatAccounts {
		f.Values.Add("chat", itoa(id))
	}
	for _, id := range set.Approvers {
		f.Values.Add("approvers", itoa(id))
	}
	n := 0
	for _, m := range set.Team {
		if m.UserID != 0 {
			f.Values.Add(m.List+"_members", itoa(m.UserID))
			continue
		}
		k := strconv.Itoa(n)
		f.Values.Set("ext"+k+"_name", m.Name)
		f.Values.Set("ext"+k+"_email", m.Email)
		f.Values.Set("ext"+k+"_list", m.List)
		f.Values.Set("ext"+k+"_role", m.Role)
		n++
	}
	return h.renderSettings(w, r, http.StatusOK, set, f)
}

// externalRows is how many lines for people without an account the settings form offers at
// least; it always has two empty ones more than the team has.
const externalRows = 6

func (h *Handlers) renderSettings(w http.ResponseWriter, r *http.Request, status int, set *Settings, f *web.Form) error {
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	d := settingsData{Settings: set}
	external := 0
	for _, m := range set.Team {
		if m.UserID == 0 {
			external++
		}
	}
	for i := range max(externalRows, external+2) {
		d.Rows = append(d.Rows, i)
	}
	var err error
	if h.s.Members != nil {
		if d.Members, err = h.s.Members.Members(ctx, wsID); err != nil {
			return err
		}
	}
	if h.s.Publishing != nil {
		accts, err := h.s.Publishing.Accounts(ctx, wsID)
		if err != nil {
			return err
		}
		for _, a := range accts {
			if a.Chat {
				d.Chats = append(d.Chats, a)
			}
		}
	}
	return h.pages.Render(w, r, status, "settings.html", "crisis.settings.title", d, f)
}

func (h *Handlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	minAcks, _ := strconv.Atoi(f.Get("min_acks"))
	minutes, _ := strconv.Atoi(f.Get("escalate_minutes"))
	in := Settings{MinAcks: minAcks, EscalateMinutes: minutes, ChatAccounts: int64s(f.Values["chat"]), Approvers: int64s(f.Values["approvers"])}
	for _, list := range []string{FirstList, EscalationList} {
		for _, id := range int64s(f.Values[list+"_members"]) {
			in.Team = append(in.Team, Member{List: list, UserID: id})
		}
	}
	for i := 0; f.Values.Has("ext" + strconv.Itoa(i) + "_name"); i++ {
		k := "ext" + strconv.Itoa(i)
		in.Team = append(in.Team, Member{List: f.Get(k + "_list"), Name: f.Get(k + "_name"), Email: f.Get(k + "_email"), Role: f.Get(k + "_role")})
	}
	err := h.s.SaveSettings(r.Context(), member(r), web.PrincipalOf(r).WorkspaceID, in)
	if fieldErrors(err, f) {
		return h.renderSettings(w, r, http.StatusUnprocessableEntity, &in, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/crisis/settings"))
}
