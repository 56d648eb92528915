package monitor

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/monitor/catalog"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/tabular"
)

// analysisRoutes are the analysis page and its CSV downloads, one per section.
func (h *Handlers) analysisRoutes() []web.Route {
	v := access.MonitorView
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/monitoring/analysis", Perm: v, Handler: h.analysis},
		{Method: "GET", Path: "/w/{ws}/monitoring/analysis/{file}", Perm: v, Handler: h.analysisCSV},
	}
}

// defaultAnalysisDays is the period the analysis opens on: the last 30 days, today included.
const defaultAnalysisDays = 30

// chartSeries is how many topics the volume chart shows apart; the rest are drawn as one.
const chartSeries = 6

// Colours of the charts: SVG fills, since the page's policy allows no inline style.
var (
	topicFills     = []string{"#0b5f73", "#c27c0e", "#6b4fa0", "#2f8f5b", "#b04a6f", "#4a6fa5"}
	otherFill      = "#9aa6b2"
	sentimentFills = map[string]string{Positive: "#1e6b3a", Neutral: "#9aa6b2", Negative: "#a3261b"}
	rivalFill      = "#c27c0e"
)

// workspaceZone is the zone whose days the workspace counts in.
func workspaceZone(r *http.Request) *time.Location {
	if p := web.PrincipalOf(r); p != nil && p.Zone != nil {
		return p.Zone
	}
	return web.LocaleOf(r).Zone
}

// analysisFilterOf reads the filter form. A mistake is a field error, and the default stands in
// for the field it is about.
func analysisFilterOf(r *http.Request) (AnalysisFilter, *web.Form) {
	q := r.URL.Query()
	zone := workspaceZone(r)
	now := time.Now().In(zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	f := AnalysisFilter{Zone: zone, To: today, From: today.AddDate(0, 0, 1-defaultAnalysisDays), OutletType: q.Get("type"), Region: q.Get("region")}
	f.TopicID, _ = strconv.ParseInt(q.Get("topic"), 10, 64)
	form := web.NewForm(url.Values{"from": {f.From.Format(time.DateOnly)}, "to": {f.To.Format(time.DateOnly)},
		"topic": {q.Get("topic")}, "type": {f.OutletType}, "region": {f.Region}})
	day := func(name string, into *time.Time) {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return
		}
		form.Values.Set(name, v)
		d, err := time.ParseInLocation(time.DateOnly, v, zone)
		if err != nil {
			form.Fail(name, "monitor.analysis.error.date")
			return
		}
		*into = d
	}
	from, to := f.From, f.To
	day("from", &from)
	day("to", &to)
	switch {
	case to.Before(from):
		form.Fail("to", "monitor.analysis.error.order")
	case to.Sub(from) >= MaxAnalysisDays*24*time.Hour:
		form.Fail("to", "monitor.analysis.error.range")
	default:
		f.From, f.To = from, to
	}
	return f, form
}

// query is the filter as a query string, for the CSV links.
func (f AnalysisFilter) query() string {
	q := url.Values{"from": {f.From.Format(time.DateOnly)}, "to": {f.To.Format(time.DateOnly)}}
	if f.TopicID != 0 {
		q.Set("topic", itoa(f.TopicID))
	}
	if f.OutletType != "" {
		q.Set("type", f.OutletType)
	}
	if f.Region != "" {
		q.Set("region", f.Region)
	}
	return q.Encode()
}

type analysisData struct {
	A       *Analysis
	Topics  []*Topic
	Types   []option
	Regions []string
	// csvBase and query make the download links.
	csvBase, query string
	// The charts, their legends and the numbers behind them.
	Volume       chart
	VolumeLegend []legend
	VolumeRows   []volumeRow
	Sentiment    chart
	Fills        map[string]string
	Share        []barRow[Share]
	Outlets      []barRow[Top]
	Authors      []barRow[Top]
	Messages     []messageRows
	NoTopics     bool
	NoRivals     bool
}

// CSV is a section's download link, with the page's filters.
func (d analysisData) CSV(section string) string { return d.csvBase + section + ".csv?" + d.query }

// outletTypeKey starts the catalog keys of the outlet types media relations knows (catalog.Types).
const outletTypeKey = "monitor.outlet_type."

// option is a choice of a select: the value sent and the words shown.
type option struct{ Value, Label string }

// chart is a bar chart drawn in SVG: one bar per day, of stacked segments. Coordinates are in a
// viewBox of W × H that the page stretches to its width, so a year or a week both fill it.
type chart struct {
	W, H int
	Bars []chartBar
	// Grid are the heights of the lines at Max and half of it.
	Grid []float64
	Max  int
	// Busiest is the day with the most, and its count.
	Busiest time.Time
	Peak    int
}

type chartBar struct {
	Day   time.Time
	X, W  float64
	Total int
	Segs  []chartSeg
}

type chartSeg struct {
	Y, H float64
	Fill string
}

// legend is a chart's series: its name (Other: the topics not drawn apart) and colour.
type legend struct {
	Name  string
	Other bool
	Fill  string
	Total int
}

// volumeRow is one day of the volume table.
type volumeRow struct {
	Day    time.Time
	Counts []int
	Total  int
}

// barRow is a ranked row with its horizontal bar, in percent of the longest.
type barRow[T any] struct {
	Row  T
	Segs []hseg
}

type hseg struct {
	X, W float64
	Fill string
}

type messageRows struct {
	TopicMessages
	Rows []barRow[MessagePresence]
}

// niceMax rounds up to 2, 4, 6, 8 or 10 times a power of ten, so the line at half the scale falls
// on a round number too.
func niceMax(n int) int {
	for step := 1; ; step *= 10 {
		for _, m := range []int{2, 4, 6, 8} {
			if m*step >= n {
				return m * step
			}
		}
	}
}

// barChart lays out a stacked bar per day; values[i][d] is series i on day d, drawn bottom up.
func barChart(days []time.Time, values [][]int, fills []string) chart {
	const slot, height = 10, 100
	c := chart{W: slot * max(len(days), 1), H: height}
	totals := make([]int, len(days))
	for d := range days {
		for _, v := range values {
			totals[d] += v[d]
		}
		if totals[d] > c.Peak {
			c.Peak, c.Busiest = totals[d], days[d]
		}
	}
	c.Max = niceMax(c.Peak)
	c.Grid = []float64{0, height / 2}
	scale := float64(height) / float64(c.Max)
	for d, day := range days {
		b := chartBar{Day: day, X: float64(d*slot) + 1.5, W: slot - 3, Total: totals[d]}
		y := float64(height)
		for i, v := range values {
			if v[d] == 0 {
				continue
			}
			h := float64(v[d]) * scale
			y -= h
			b.Segs = append(b.Segs, chartSeg{Y: y, H: h, Fill: fills[i]})
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// hbar is a bar of segments, as percentages of longest.
func hbar(longest int, values []int, fills []string) []hseg {
	var out []hseg
	x := 0.0
	for i, v := range values {
		if v == 0 || longest == 0 {
			continue
		}
		w := float64(v) * 100 / float64(longest)
		out = append(out, hseg{X: x, W: w, Fill: fills[i]})
		x += w
	}
	return out
}

func topRows(tops []Top) []barRow[Top] {
	tops = tops[:min(len(tops), topCount)]
	out := make([]barRow[Top], len(tops))
	longest := 0
	for _, t := range tops {
		longest = max(longest, t.Count)
	}
	fills := []string{sentimentFills[Positive], sentimentFills[Neutral], sentimentFills[Negative]}
	for i, t := range tops {
		out[i] = barRow[Top]{Row: t, Segs: hbar(longest, []int{t.Positive, t.Neutral, t.Negative}, fills)}
	}
	return out
}

func (h *Handlers) analysis(w http.ResponseWriter, r *http.Request) error {
	ctx, wsID, l := r.Context(), web.PrincipalOf(r).WorkspaceID, web.LocaleOf(r)
	f, form := analysisFilterOf(r)
	topics, err := h.s.Topics(ctx, wsID)
	if err != nil {
		return err
	}
	if f.TopicID != 0 && !slices.ContainsFunc(topics, func(t *Topic) bool { return t.ID == f.TopicID }) {
		f.TopicID = 0
		form.Values.Set("topic", "")
	}
	d := analysisData{Topics: topics, NoTopics: len(topics) == 0, Fills: sentimentFills}
	types, err := h.s.OutletTypes(ctx, wsID)
	if err != nil {
		return err
	}
	for _, t := range types {
		label := t
		if slices.Contains(catalog.Types, t) {
			label = l.T(outletTypeKey + t)
		}
		d.Types = append(d.Types, option{t, label})
	}
	if d.Regions, err = h.s.Regions(ctx, wsID); err != nil {
		return err
	}
	if d.A, err = h.s.Analyze(ctx, wsID, f); err != nil {
		return err
	}
	d.csvBase, d.query = web.WorkspacePath(r, "/monitoring/analysis/"), f.query()
	a := d.A

	// Volume: the busiest topics apart, the others together.
	var drawn []Series
	for _, s := range a.Volume {
		if s.Total > 0 {
			drawn = append(drawn, s)
		}
	}
	var values [][]int
	var fills []string
	for i, s := range drawn {
		if i < chartSeries-1 || len(drawn) == chartSeries {
			values, fills = append(values, s.Counts), append(fills, topicFills[i%len(topicFills)])
			d.VolumeLegend = append(d.VolumeLegend, legend{Name: s.Name, Fill: fills[i], Total: s.Total})
			continue
		}
		if i == chartSeries-1 {
			values, fills = append(values, make([]int, len(a.Days))), append(fills, otherFill)
			d.VolumeLegend = append(d.VolumeLegend, legend{Other: true, Fill: otherFill})
		}
		for day, n := range s.Counts {
			values[chartSeries-1][day] += n
		}
		d.VolumeLegend[chartSeries-1].Total += s.Total
	}
	d.Volume = barChart(a.Days, values, fills)
	for day, at := range a.Days {
		row := volumeRow{Day: at}
		for _, v := range values {
			row.Counts = append(row.Counts, v[day])
			row.Total += v[day]
		}
		d.VolumeRows = append(d.VolumeRows, row)
	}

	// Sentiment: negative at the bottom, where its trend is read against the axis.
	neg, neu, pos := make([]int, len(a.Days)), make([]int, len(a.Days)), make([]int, len(a.Days))
	for day, s := range a.Sentiment {
		neg[day], neu[day], pos[day] = s.Negative, s.Neutral, s.Positive
	}
	d.Sentiment = barChart(a.Days, [][]int{neg, neu, pos}, []string{sentimentFills[Negative], sentimentFills[Neutral], sentimentFills[Positive]})

	hasRival := slices.ContainsFunc(topics, func(t *Topic) bool { return t.Kind == Competitor })
	d.NoRivals = !hasRival
	for _, s := range a.Share {
		fill := topicFills[0]
		if s.Kind == Competitor {
			fill = rivalFill
		}
		d.Share = append(d.Share, barRow[Share]{Row: s, Segs: hbar(100, []int{s.Percent()}, []string{fill})})
	}
	d.Outlets, d.Authors = topRows(a.Outlets), topRows(a.Authors)
	for _, tm := range a.Messages {
		mr := messageRows{TopicMessages: tm}
		for _, m := range tm.Messages {
			mr.Rows = append(mr.Rows, barRow[MessagePresence]{Row: m, Segs: hbar(100, []int{m.Percent()}, []string{topicFills[0]})})
		}
		d.Messages = append(d.Messages, mr)
	}
	return h.pages.Render(w, r, http.StatusOK, "analysis.html", "monitor.analysis.title", d, form)
}

// analysisSections are the CSV downloads, one per section of the page.
var analysisSections = []string{"volume", "share", "sentiment", "outlets", "authors", "messages"}

// analysisCSV downloads one section with the page's filters: days as dates in the workspace's
// zone, every outlet and author (the page shows the first ten), cells a spreadsheet cannot run.
func (h *Handlers) analysisCSV(w http.ResponseWriter, r *http.Request) error {
	section, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok || !slices.Contains(analysisSections, section) {
		return web.ErrNotFound
	}
	f, form := analysisFilterOf(r)
	if !form.Valid() {
		return web.Invalid(form)
	}
	a, err := h.s.Analyze(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	header, rows := analysisTable(a, section)
	name := "analysis-" + section + "-" + f.From.Format(time.DateOnly) + "-" + f.To.Format(time.DateOnly) + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return tabular.WriteCSV(w, header, func(yield func([]string) bool) {
		for _, row := range rows {
			if !yield(row) {
				return
			}
		}
	})
}

// analysisTable is one section as a header and rows.
func analysisTable(a *Analysis, section string) ([]string, [][]string) {
	n := strconv.Itoa
	pct := func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) }
	date := func(t time.Time) string { return t.Format(time.DateOnly) }
	var rows [][]string
	switch section {
	case "volume":
		for day, at := range a.Days {
			for _, s := range a.Volume {
				rows = append(rows, []string{date(at), itoa(s.TopicID), s.Name, n(s.Counts[day])})
			}
		}
		return []string{"date", "topic_id", "topic", "mentions"}, rows
	case "sentiment":
		for _, s := range a.Sentiment {
			rows = append(rows, []string{date(s.Day), n(s.Total()), n(s.Positive), n(s.Neutral), n(s.Negative)})
		}
		return []string{"date", "stories", "positive", "neutral", "negative"}, rows
	case "share":
		for _, s := range a.Share {
			rows = append(rows, []string{itoa(s.TopicID), s.Name, s.Kind, n(s.Count), pct(s.Share)})
		}
		return []string{"topic_id", "topic", "kind", "mentions", "share_percent"}, rows
	case "outlets":
		for _, t := range a.Outlets {
			rows = append(rows, []string{t.Name, n(t.Count), n(t.Positive), n(t.Neutral), n(t.Negative)})
		}
		return []string{"outlet", "stories", "positive", "neutral", "negative"}, rows
	case "authors":
		for _, t := range a.Authors {
			rows = append(rows, []string{t.Name, t.Outlet, n(t.Count), n(t.Positive), n(t.Neutral), n(t.Negative)})
		}
		return []string{"author", "outlet", "stories", "positive", "neutral", "negative"}, rows
	}
	for _, tm := range a.Messages {
		for _, m := range tm.Messages {
			rows = append(rows, []string{itoa(tm.TopicID), tm.Name, m.Message, n(m.Count), n(tm.Mentions), pct(m.Share)})
		}
	}
	return []string{"topic_id", "topic", "key_message", "stories_with_message", "topic_stories", "share_percent"}, rows
}
