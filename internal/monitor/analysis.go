package monitor

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/monitor/query"
)

// MaxAnalysisDays is the longest period one analysis covers: a year, day by day.
const MaxAnalysisDays = 366

// AnalysisFilter is what the analysis looks at: the days from From to To (both included, each the
// midnight that starts the day in Zone), one topic or all (0), and one outlet type and region or all ("").
type AnalysisFilter struct {
	From, To   time.Time
	Zone       *time.Location
	TopicID    int64
	OutletType string
	Region     string
}

// Analysis is coverage in a period, counted as the inbox counts it: irrelevant mentions never
// count, and a story on several addresses counts once (under its first address).
type Analysis struct {
	Filter AnalysisFilter
	// Days are the period's days, each the midnight that starts it in the filter's zone.
	Days []time.Time
	// Topics are the live topics the analysis covers: the chosen one, or all.
	Topics []*Topic
	// Volume is each topic's mentions per day (same order as Days), busiest topic first.
	Volume []Series
	// Sentiment is the stories of each day by sentiment.
	Sentiment []DaySentiment
	// Share is share of voice: each brand, person and competitor topic's part of their mentions.
	Share []Share
	// Outlets and Authors rank who carried the stories, most first.
	Outlets []Top
	Authors []Top
	// Messages are the key messages of the topics that have some, and how often coverage carries them.
	Messages []TopicMessages
	// Stories counts each story once; Mentions counts each story once per topic that mentions it.
	Stories, Mentions int
}

// Series is one topic's mentions per day.
type Series struct {
	TopicID int64
	Name    string
	Kind    string
	Counts  []int
	Total   int
}

// DaySentiment is one day's stories by sentiment.
type DaySentiment struct {
	Day                         time.Time
	Positive, Neutral, Negative int
}

// Total is the day's stories.
func (d DaySentiment) Total() int { return d.Positive + d.Neutral + d.Negative }

// Share is one topic's part of the mentions of the topics compared.
type Share struct {
	TopicID int64
	Name    string
	Kind    string
	Count   int
	Share   float64
}

// Percent is the share in whole percent.
func (s Share) Percent() int { return percent(s.Share) }

// Top is an outlet or an author with their stories by sentiment.
type Top struct {
	Name string
	// Outlet is an author's outlet ("" for an outlet's own row).
	Outlet                      string
	Count                       int
	Positive, Neutral, Negative int
}

// TopicMessages is a topic's key messages and how much of its coverage carries each.
type TopicMessages struct {
	TopicID  int64
	Name     string
	Mentions int
	Messages []MessagePresence
}

// MessagePresence is one key message: how many of the topic's stories carry it, and what share.
type MessagePresence struct {
	Message string
	Count   int
	Share   float64
}

// Percent is the share in whole percent.
func (m MessagePresence) Percent() int { return percent(m.Share) }

func percent(f float64) int { return int(f*100 + 0.5) }

// topCount is how many outlets and authors the page shows; the CSV export lists them all.
const topCount = 10

// span is the filter's period in UTC: from the first day's midnight to the midnight after the last.
func (f AnalysisFilter) span() (time.Time, time.Time) {
	z := f.zone()
	from := time.Date(f.From.Year(), f.From.Month(), f.From.Day(), 0, 0, 0, 0, z)
	to := time.Date(f.To.Year(), f.To.Month(), f.To.Day()+1, 0, 0, 0, 0, z)
	return from.UTC(), to.UTC()
}

func (f AnalysisFilter) zone() *time.Location {
	if f.Zone == nil {
		return time.UTC
	}
	return f.Zone
}

// days lists the filter's days and indexes them by date.
func (f AnalysisFilter) days() ([]time.Time, map[string]int) {
	z := f.zone()
	var out []time.Time
	idx := map[string]int{}
	last := time.Date(f.To.Year(), f.To.Month(), f.To.Day(), 0, 0, 0, 0, z)
	for d := time.Date(f.From.Year(), f.From.Month(), f.From.Day(), 0, 0, 0, 0, z); !d.After(last) && len(out) < MaxAnalysisDays; d = d.AddDate(0, 0, 1) {
		idx[d.Format(time.DateOnly)] = len(out)
		out = append(out, d)
	}
	return out, idx
}

// analysisWhere selects the mentions the analysis counts, of every live topic; the topic filter is
// applied after, since share of voice compares all topics.
func analysisWhere(wsID int64, f AnalysisFilter) (string, []any) {
	from, to := f.span()
	where := []string{"m.workspace_id = ?", "t.archived_at IS NULL", "m.state <> 'irrelevant'", leadOnly, "i.published_at >= ?", "i.published_at < ?"}
	args := []any{wsID, from, to}
	if f.OutletType != "" {
		where, args = append(where, "i.outlet_type = ?"), append(args, f.OutletType)
	}
	if f.Region != "" {
		where, args = append(where, "i.region = ?"), append(args, f.Region)
	}
	return strings.Join(where, " AND "), args
}

// analysisRow is one counted mention as the analysis reads it.
type analysisRow struct {
	topic, item, story int64
	published          time.Time
	sentiment          string
	outlet, author     string
}

// Analyze counts the coverage of a period: volume per day and topic, share of voice, sentiment per
// day, top outlets and authors, and key message presence. Days are the filter zone's days.
func (s *Service) Analyze(ctx context.Context, wsID int64, f AnalysisFilter) (*Analysis, error) {
	topics, err := s.Topics(ctx, wsID)
	if err != nil {
		return nil, err
	}
	a := &Analysis{Filter: f}
	var dayIndex map[string]int
	a.Days, dayIndex = f.days()
	byID := map[int64]*Topic{}
	for _, t := range topics {
		byID[t.ID] = t
		if f.TopicID == 0 || t.ID == f.TopicID {
			a.Topics = append(a.Topics, t)
		}
	}
	// By id, so a story's first address comes first. A story counts once per topic, and once among
	// the stories: its copies mentioned by other topics are the same story.
	where, args := analysisWhere(wsID, f)
	rows, err := s.DB.Query(ctx, `SELECT m.topic_id, i.id, i.duplicate_of, i.published_at, i.sentiment, i.outlet_name, i.author
		FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id JOIN monitor_topics t ON t.id = m.topic_id
		WHERE `+where+` ORDER BY i.id, m.topic_id`, args...)
	if err != nil {
		return nil, err
	}
	type pair struct{ topic, story int64 }
	perTopic := map[pair]bool{}
	var counted []analysisRow
	for rows.Next() {
		var r analysisRow
		var dup sql.NullInt64
		if err := rows.Scan(&r.topic, &r.item, &dup, &r.published, &r.sentiment, &r.outlet, &r.author); err != nil {
			rows.Close()
			return nil, err
		}
		r.story = r.item
		if dup.Valid {
			r.story = dup.Int64
		}
		if p := (pair{r.topic, r.story}); byID[r.topic] != nil && !perTopic[p] {
			perTopic[p] = true
			counted = append(counted, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	a.Share = shareOfVoice(topics, counted)

	series := map[int64]*Series{}
	for _, t := range a.Topics {
		series[t.ID] = &Series{TopicID: t.ID, Name: t.Name, Kind: t.Kind, Counts: make([]int, len(a.Days))}
	}
	a.Sentiment = make([]DaySentiment, len(a.Days))
	for i, d := range a.Days {
		a.Sentiment[i].Day = d
	}
	stories := map[int64]bool{}
	outlets, authors := map[string]*Top{}, map[[2]string]*Top{}
	zone := f.zone()
	for _, r := range counted {
		sr := series[r.topic]
		if sr == nil {
			continue // another topic than the one chosen
		}
		day, ok := dayIndex[r.published.In(zone).Format(time.DateOnly)]
		if !ok {
			continue
		}
		sr.Counts[day]++
		sr.Total++
		a.Mentions++
		if stories[r.story] {
			continue
		}
		stories[r.story] = true
		a.Stories++
		tally(&a.Sentiment[day].Positive, &a.Sentiment[day].Neutral, &a.Sentiment[day].Negative, r.sentiment)
		if name := strings.TrimSpace(r.outlet); name != "" {
			o := outlets[name]
			if o == nil {
				o = &Top{Name: name}
				outlets[name] = o
			}
			o.add(r.sentiment)
		}
		if name := strings.TrimSpace(r.author); name != "" {
			k := [2]string{name, strings.TrimSpace(r.outlet)}
			au := authors[k]
			if au == nil {
				au = &Top{Name: name, Outlet: k[1]}
				authors[k] = au
			}
			au.add(r.sentiment)
		}
	}
	for _, t := range a.Topics {
		a.Volume = append(a.Volume, *series[t.ID])
	}
	slices.SortStableFunc(a.Volume, func(x, y Series) int { return y.Total - x.Total })
	a.Outlets, a.Authors = ranked(outlets), ranked(authors)
	if a.Messages, err = s.keyMessages(ctx, a.Topics, counted); err != nil {
		return nil, err
	}
	return a, nil
}

func tally(pos, neu, neg *int, sentiment string) {
	switch sentiment {
	case Positive:
		*pos++
	case Negative:
		*neg++
	default:
		*neu++
	}
}

func (t *Top) add(sentiment string) {
	t.Count++
	tally(&t.Positive, &t.Neutral, &t.Negative, sentiment)
}

func ranked[K comparable](m map[K]*Top) []Top {
	out := make([]Top, 0, len(m))
	for _, t := range m {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Top) int {
		return cmp.Or(b.Count-a.Count, strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.Outlet, b.Outlet))
	})
	return out
}

// shareOfVoice compares the organisation's own topics (brands, people) with its competitors: each
// topic's mentions as a share of all their mentions. It needs both sides; otherwise it is empty.
func shareOfVoice(topics []*Topic, counted []analysisRow) []Share {
	var own, rivals bool
	idx := map[int64]int{}
	var out []Share
	for _, t := range topics {
		switch t.Kind {
		case Brand, Person:
			own = true
		case Competitor:
			rivals = true
		default:
			continue
		}
		idx[t.ID] = len(out)
		out = append(out, Share{TopicID: t.ID, Name: t.Name, Kind: t.Kind})
	}
	if !own || !rivals {
		return nil
	}
	total := 0
	for _, r := range counted {
		if i, ok := idx[r.topic]; ok {
			out[i].Count++
			total++
		}
	}
	for i := range out {
		if total > 0 {
			out[i].Share = float64(out[i].Count) / float64(total)
		}
	}
	slices.SortStableFunc(out, func(a, b Share) int { return b.Count - a.Count })
	return out
}

// keyMessages finds, for each topic with key messages, how many of its stories carry each message
// (see messageSet.carried). counted are the stories of the period, each once per topic.
func (s *Service) keyMessages(ctx context.Context, topics []*Topic, counted []analysisRow) ([]TopicMessages, error) {
	var out []TopicMessages
	idx := map[int64]int{}
	sets := map[int64]*messageSet{}
	for _, t := range topics {
		if len(t.KeyMessages) == 0 {
			continue
		}
		idx[t.ID] = len(out)
		tm := TopicMessages{TopicID: t.ID, Name: t.Name}
		for _, msg := range t.KeyMessages {
			tm.Messages = append(tm.Messages, MessagePresence{Message: msg})
		}
		sets[t.ID] = newMessageSet(t.KeyMessages)
		out = append(out, tm)
	}
	if len(out) == 0 {
		return nil, nil
	}
	// The texts are read by id, a page at a time: a story mentioned by two topics is read once.
	byItem := map[int64][]int64{}
	var ids []int64
	for _, r := range counted {
		if sets[r.topic] == nil {
			continue
		}
		if byItem[r.item] == nil {
			ids = append(ids, r.item)
		}
		byItem[r.item] = append(byItem[r.item], r.topic)
	}
	for start := 0; start < len(ids); start += 500 {
		page := ids[start:min(start+500, len(ids))]
		args := make([]any, len(page))
		for i, id := range page {
			args[i] = id
		}
		rows, err := s.DB.Query(ctx, `SELECT id, title, summary, body FROM monitor_items WHERE id IN (`+placeholders(len(page))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var it Item
			if err := rows.Scan(&it.ID, &it.Title, &it.Summary, &it.Body); err != nil {
				rows.Close()
				return nil, err
			}
			for _, topic := range byItem[it.ID] {
				tm := &out[idx[topic]]
				tm.Mentions++
				for i, carried := range sets[topic].carried(it.Text()) {
					if carried {
						tm.Messages[i].Count++
					}
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for i := range out {
		for j := range out[i].Messages {
			if out[i].Mentions > 0 {
				out[i].Messages[j].Share = float64(out[i].Messages[j].Count) / float64(out[i].Mentions)
			}
		}
	}
	return out, nil
}

// negations keep their place among a message's words, though they are function words.
var negations = map[string]bool{"tidak": true, "tak": true, "bukan": true, "belum": true, "tanpa": true, "jangan": true,
	"not": true, "no": true, "never": true, "without": true, "nor": true}

// functionWords are short words that say nothing on their own; coverage's stopwords are the longer ones.
var functionWords = map[string]bool{"di": true, "ke": true, "dan": true, "ini": true, "itu": true, "ada": true, "pun": true, "se": true,
	"yg": true, "kami": true, "kita": true, "kan": true, "lah": true, "the": true, "and": true, "of": true, "to": true, "a": true, "an": true,
	"in": true, "on": true, "for": true, "is": true, "are": true, "be": true, "by": true, "at": true, "as": true, "its": true, "our": true,
	"we": true, "it": true, "or": true, "was": true, "has": true}

// messageWords are the folded content words of a key message.
func messageWords(msg string) []string {
	var all, content []string
	for _, t := range query.Tokenize(msg) {
		all = append(all, t.Text)
		if negations[t.Text] || !stopwords[t.Text] && !functionWords[t.Text] {
			content = append(content, t.Text)
		}
	}
	if len(content) == 0 {
		return all
	}
	return content
}

// messageSet finds a topic's key messages in texts. Each content word of its messages is a term,
// indexed by its two stems; a text is read once, marking the terms its words are. Each distinct
// word is stemmed once, however many stories use it: stemming is most of the work.
type messageSet struct {
	messages   [][]int          // each message's terms
	byID, byEN map[string][]int // the terms with this Indonesian or English stem
	words      map[string][]int // the terms each word met so far is (nil: none)
	present    []bool
}

func newMessageSet(msgs []string) *messageSet {
	m := &messageSet{byID: map[string][]int{}, byEN: map[string][]int{}, words: map[string][]int{}}
	terms := map[string]int{}
	for _, msg := range msgs {
		var ts []int
		for _, w := range messageWords(msg) {
			t, ok := terms[w]
			if !ok {
				t = len(terms)
				terms[w] = t
				m.byID[query.StemIndonesian(w)] = append(m.byID[query.StemIndonesian(w)], t)
				m.byEN[query.StemEnglish(w)] = append(m.byEN[query.StemEnglish(w)], t)
			}
			ts = append(ts, t)
		}
		m.messages = append(m.messages, ts)
	}
	m.present = make([]bool, len(terms))
	return m
}

// carried is the key message rule. A story carries a key message when it has every content word
// of the message, anywhere in its headline or text, in any form the topic queries recognise: a
// word matches when its Indonesian or its English stem is the same ("kemacetan" carries "macet",
// "flooding" carries "floods"). Content words are the message's words less function words
// ("yang", "di", "the", "of"); negations stay, so "harga tidak naik" is not carried by a story
// that only says prices rose. Word order does not count: a message is a claim the press
// rephrases, not a phrase it quotes. A message of function words only needs all of them.
// It says, message by message, whether text carries it.
func (m *messageSet) carried(text string) []bool {
	clear(m.present)
	for _, tok := range query.Tokenize(text) {
		ts, ok := m.words[tok.Text]
		if !ok {
			ts = slices.Concat(m.byID[query.StemIndonesian(tok.Text)], m.byEN[query.StemEnglish(tok.Text)])
			m.words[tok.Text] = ts
		}
		for _, t := range ts {
			m.present[t] = true
		}
	}
	out := make([]bool, len(m.messages))
	for i, ts := range m.messages {
		out[i] = len(ts) > 0
		for _, t := range ts {
			out[i] = out[i] && m.present[t]
		}
	}
	return out
}

// OutletTypes and Regions are the values the workspace's items carry, for the analysis filters.
func (s *Service) OutletTypes(ctx context.Context, wsID int64) ([]string, error) {
	return s.distinct(ctx, wsID, "outlet_type")
}

// Regions are the regions the workspace's items carry.
func (s *Service) Regions(ctx context.Context, wsID int64) ([]string, error) {
	return s.distinct(ctx, wsID, "region")
}

// distinct lists a column's values; col is one of the two literals above, never user input.
func (s *Service) distinct(ctx context.Context, wsID int64, col string) ([]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT `+col+` FROM monitor_items WHERE workspace_id = ? AND `+col+` <> '' ORDER BY `+col, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
