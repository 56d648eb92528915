package crisis

import (
	"context"
	"math"
	"strings"
	"time"

	"warta.dev/warta/internal/crisis/review"
	"warta.dev/warta/internal/platform/i18n"
)

// Review is the post-crisis review's figures, as the app page and the PDF show them.
type Review struct {
	Room *Room
	// End is when the crisis closed, or now while it is open.
	End time.Time
	// FirstAck and FirstStatement are how long after the declaration they came; nil: never.
	FirstAck, FirstStatement *time.Duration
	Acked, Asked             int
	// Mentions of the crisis topic per day around the crisis, with its phases.
	Days   []time.Time
	Volume []Point
	// Before, During, After are the topic's mentions per day and the negative share in each phase.
	Phases    []Phase
	OpenTasks []Task
}

// Phase is the mention volume of one phase of the crisis.
type Phase struct {
	Key      string // before, during, after
	Days     int
	Total    int
	Negative int
}

// PerDay is the phase's mentions per day.
func (p Phase) PerDay() float64 {
	if p.Days == 0 {
		return 0
	}
	return float64(p.Total) / float64(p.Days)
}

// NegativeShare is the phase's share of negative mentions, in percent.
func (p Phase) NegativeShare() int {
	if p.Total == 0 {
		return 0
	}
	return p.Negative * 100 / p.Total
}

// reviewWindow is how many days before and after the crisis the review compares.
const reviewWindow = 7

// Review gathers the post-crisis review of a crisis.
func (s *Service) Review(ctx context.Context, wsID, id int64, zone *time.Location) (*Review, error) {
	room, err := s.Room(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	c := room.Crisis
	r := &Review{Room: room, End: s.clock()}
	if c.ClosedAt != nil {
		r.End = *c.ClosedAt
	}
	for _, p := range room.People {
		r.Asked++
		if p.AckedAt != nil {
			r.Acked++
			if d := p.AckedAt.Sub(c.DeclaredAt); r.FirstAck == nil || d < *r.FirstAck {
				r.FirstAck = &d
			}
		}
	}
	for _, st := range room.Statements {
		if st.PublishedAt != nil {
			if d := st.PublishedAt.Sub(c.DeclaredAt); r.FirstStatement == nil || d < *r.FirstStatement {
				r.FirstStatement = &d
			}
		}
	}
	for _, t := range room.Tasks {
		if t.DoneAt == nil {
			r.OpenTasks = append(r.OpenTasks, t)
		}
	}
	if c.TopicID != 0 && s.Monitoring != nil {
		if zone == nil {
			zone = time.UTC
		}
		start := startOfDay(c.DeclaredAt.In(zone)).AddDate(0, 0, -reviewWindow)
		end := startOfDay(r.End.In(zone)).AddDate(0, 0, reviewWindow+1)
		if now := s.clock(); end.After(now) {
			end = startOfDay(now.In(zone)).AddDate(0, 0, 1)
		}
		if r.Volume, err = s.Monitoring.Series(ctx, wsID, c.TopicID, start, end, 24*time.Hour); err != nil {
			return nil, err
		}
		declared, closed := startOfDay(c.DeclaredAt.In(zone)), startOfDay(r.End.In(zone))
		r.Phases = []Phase{{Key: "before"}, {Key: "during"}, {Key: "after"}}
		for _, p := range r.Volume {
			i := 1
			switch day := p.At.In(zone); {
			case day.Before(declared):
				i = 0
			case day.After(closed) && c.ClosedAt != nil:
				i = 2
			}
			r.Phases[i].Days++
			r.Phases[i].Total += p.Total
			r.Phases[i].Negative += p.Negative
		}
	}
	return r, nil
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// Duration says a span of time in words of the locale ("1 jam 5 menit").
func Duration(l *i18n.Locale, d *time.Duration) string {
	if d == nil {
		return l.T("crisis.review.never")
	}
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 1:
		return l.T("crisis.review.seconds", "Count", int(d.Seconds()))
	case m < 60:
		return l.T("crisis.review.minutes", "Count", m)
	}
	return l.T("crisis.review.hours", "Hours", m/60, "Minutes", m%60)
}

// Took says how long something took, for the review page.
func (r *Review) Took(l *i18n.Locale, d *time.Duration) string { return Duration(l, d) }

// In is a timeline entry in the locale's words: what the system recorded, and a person's own text.
func (e Event) In(l *i18n.Locale) string {
	switch e.Kind {
	case "note":
		return e.Text
	case "correction":
		return l.T("crisis.event.correction", "ID", e.Corrects) + ": " + e.Text
	}
	what := l.T(word("event", e.Kind), e.ArgList()...)
	if e.Text != "" {
		return what + ": " + e.Text
	}
	return what
}

// Document is the review as a report ready to print, in the locale's words.
func (r *Review) Document(l *i18n.Locale, wsName string) review.Document {
	c := r.Room.Crisis
	d := review.Document{
		Title:    l.T("crisis.review.doc_title", "Name", c.Name),
		Subtitle: wsName + " · " + l.DateTime(c.DeclaredAt) + " – " + l.DateTime(r.End),
		Footer:   l.T("crisis.review.footer", "At", l.DateTime(time.Now())),
	}
	if c.Exercise {
		d.Banner = l.T("crisis.exercise.banner")
	}
	closed := l.T("crisis.review.still_open")
	if c.ClosedAt != nil {
		closed = l.DateTime(*c.ClosedAt)
	}
	statements := 0
	for _, st := range r.Room.Statements {
		if st.PublishedAt != nil {
			statements++
		}
	}
	d.Figures = []review.Figure{
		{Label: l.T("crisis.field.type"), Value: l.T(word("type", string(c.Type)))},
		{Label: l.T("crisis.field.severity"), Value: l.T(word("severity", c.Severity))},
		{Label: l.T("crisis.field.owner"), Value: c.OwnerName},
		{Label: l.T("crisis.review.declared"), Value: l.DateTime(c.DeclaredAt)},
		{Label: l.T("crisis.review.closed"), Value: closed},
		{Label: l.T("crisis.review.duration"), Value: Duration(l, new(r.End.Sub(c.DeclaredAt)))},
		{Label: l.T("crisis.review.first_ack"), Value: Duration(l, r.FirstAck)},
		{Label: l.T("crisis.review.acks"), Value: l.T("crisis.review.acks_value", "Acked", r.Acked, "Asked", r.Asked)},
		{Label: l.T("crisis.review.first_statement"), Value: Duration(l, r.FirstStatement)},
		{Label: l.T("crisis.review.statements"), Value: l.Number(statements)},
		{Label: l.T("crisis.review.decisions"), Value: l.Number(len(r.Room.Decisions))},
		{Label: l.T("crisis.review.open_tasks"), Value: l.Number(len(r.OpenTasks))},
	}
	if len(r.Volume) > 0 {
		ch := review.Chart{Title: l.T("crisis.review.volume"), Empty: l.T("crisis.review.no_mentions"),
			YLabel: func(v float64) string { return l.Number(int(math.Round(v))) }}
		total := review.Series{Name: l.T("crisis.review.mentions")}
		negative := review.Series{Name: l.T("crisis.review.negative")}
		for _, p := range r.Volume {
			ch.Labels = append(ch.Labels, l.Date(p.At))
			total.Values = append(total.Values, float64(p.Total))
			negative.Values = append(negative.Values, float64(p.Negative))
		}
		ch.Series = []review.Series{total, negative}
		from := 0
		for _, ph := range r.Phases {
			if ph.Days > 0 {
				ch.Bands = append(ch.Bands, review.Band{From: from, To: from + ph.Days - 1, Label: l.T(word("review.phase", ph.Key))})
				from += ph.Days
			}
		}
		d.Charts = append(d.Charts, ch)
		var rows [][]string
		for _, ph := range r.Phases {
			rows = append(rows, []string{l.T(word("review.phase", ph.Key)), l.Number(ph.Total), l.Number(math.Round(ph.PerDay()*10) / 10),
				l.Number(ph.NegativeShare()) + " %"})
		}
		d.Sections = append(d.Sections, review.Section{Title: l.T("crisis.review.volume_table"), Columns: []string{
			l.T("crisis.review.phase"), l.T("crisis.review.mentions"), l.T("crisis.review.per_day"), l.T("crisis.review.negative_share")}, Rows: rows})
	}
	timeline := review.Section{Title: l.T("crisis.room.timeline"), Columns: []string{l.T("crisis.review.col.time"), l.T("crisis.review.col.who"),
		l.T("crisis.review.col.what")}, Empty: l.T("crisis.room.timeline_empty")}
	for _, e := range r.Room.Events {
		timeline.Rows = append(timeline.Rows, []string{l.DateTime(e.At), e.ActorName, e.In(l)})
	}
	statementsSection := review.Section{Title: l.T("crisis.room.statements"), Columns: []string{l.T("crisis.review.col.title"),
		l.T("crisis.review.col.published"), l.T("crisis.review.col.where")}, Empty: l.T("crisis.statements.empty")}
	for _, st := range r.Room.Statements {
		published := l.T(word("statement.state", st.State))
		if st.PublishedAt != nil {
			published = l.DateTime(*st.PublishedAt)
		}
		var where []string
		if len(st.Accounts) > 0 {
			where = append(where, l.T("crisis.review.where_accounts", "Count", len(st.Accounts)))
		}
		if st.NewsroomURL != "" {
			where = append(where, l.T("crisis.review.where_newsroom")+" ("+st.NewsroomURL+")")
		}
		if st.DistributionID != 0 {
			where = append(where, l.T("crisis.review.where_lists"))
		}
		statementsSection.Rows = append(statementsSection.Rows, []string{st.Title, published, strings.Join(where, "; ")})
	}
	decisions := review.Section{Title: l.T("crisis.room.decisions"), Columns: []string{l.T("crisis.review.col.time"), l.T("crisis.decision.what"),
		l.T("crisis.decision.by"), l.T("crisis.decision.why")}, Empty: l.T("crisis.decisions.empty")}
	for _, dc := range r.Room.Decisions {
		decisions.Rows = append(decisions.Rows, []string{l.DateTime(dc.At), dc.Decision, dc.DecidedBy, dc.Reason})
	}
	tasks := review.Section{Title: l.T("crisis.review.open_tasks"), Columns: []string{l.T("crisis.task.title"), l.T("crisis.task.owner"),
		l.T("crisis.task.due")}, Empty: l.T("crisis.review.no_open_tasks")}
	for _, t := range r.OpenTasks {
		due := ""
		if t.DueAt != nil {
			due = l.DateTime(*t.DueAt)
		}
		tasks.Rows = append(tasks.Rows, []string{t.Title, t.OwnerName, due})
	}
	people := review.Section{Title: l.T("crisis.room.team"), Columns: []string{l.T("crisis.review.col.who"), l.T("crisis.team.list"),
		l.T("crisis.review.col.acked")}, Empty: l.T("crisis.team.none_asked")}
	for _, p := range r.Room.People {
		acked := l.T("crisis.team.not_acked")
		if p.AckedAt != nil {
			acked = l.DateTime(*p.AckedAt)
		}
		people.Rows = append(people.Rows, []string{p.Name, l.T(word("team.list", p.List)), acked})
	}
	d.Sections = append(d.Sections, timeline, statementsSection, decisions, tasks, people)
	return d
}
