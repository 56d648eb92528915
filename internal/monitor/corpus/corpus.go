// Package corpus makes news for tests, the demo and benchmarks: a deterministic generator of
// realistic Indonesian and English news items (Generate), an RSS 2.0 writer (RSS), a loopback feed
// server (Serve), and the fixture feeds of the demo workspace (Fixtures).
//
// Generated stories are written from sentence templates (templates/id.txt and templates/en.txt).
// Each topic — floods, health services, roads, schools, prices and jobs, corruption cases,
// festivals, disasters, elections, the environment, water supply, transport — tells several
// stories (angles); a story takes its headline and lead from one angle and its body from that
// angle and the whole topic. Slots are filled with real Indonesian cities and provinces but
// invented people, neighbourhoods and companies:
//
//	{city} {city2} {prov} {district} {district2} {village} {street} {company}
//	{official} {resident} {day} {month} {year} {year2}
//	{n1} 2–9  {n2} 10–60  {n3} 100–950  {n4} 1,000–9,800  {pct} 12–85  {pct2} 1.2–4.8
//	{money} billions of rupiah  {moneym} millions  {moneyk} {moneyk2} thousands  {km}  {mag}
//
// A number has one value in the headline and lead; other sentences draw their own unless they
// write {=n2} to restate the headline's. Generated text never names the demo's city or its
// neighbour, so it never matches the demo's monitoring topics by accident.
package corpus

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Article is one news item.
type Article struct {
	GUID, URL, Title, Author, Lang, Summary, Body string // Body: plain paragraphs separated by a blank line
	Published                                     time.Time
}

//go:embed templates/*.txt
var templateFiles embed.FS

// stories are one language's templates by topic; common holds body sentences any story may use.
type stories struct {
	topics []*topic
	common []string
}

// A topic tells several stories (angles); shared holds what fits all of them.
type topic struct {
	name   string
	shared parts
	angles []*parts
}

type parts struct {
	headline, lead, body, quote, voice, close []string
}

func (p *parts) part(name string) *[]string {
	switch name {
	case "headline":
		return &p.headline
	case "lead":
		return &p.lead
	case "body":
		return &p.body
	case "quote":
		return &p.quote
	case "voice":
		return &p.voice
	case "close":
		return &p.close
	}
	return nil
}

// own returns the angle's sentences of a part, or the topic's when the angle has none.
func own(angle, shared []string) []string {
	if len(angle) > 0 {
		return angle
	}
	return shared
}

// parseStories reads a template file: "= topic" starts a topic, "- angle" one of its stories,
// "part: sentence" adds a sentence, and lines starting with # are comments.
func parseStories(data []byte) (*stories, error) {
	s := &stories{}
	var t *topic
	var cur *parts
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "= "):
			t = &topic{name: strings.TrimSpace(line[2:])}
			cur = &t.shared
			if t.name != "*" {
				s.topics = append(s.topics, t)
			}
		case strings.HasPrefix(line, "- ") && t != nil && t.name != "*":
			cur = &parts{}
			t.angles = append(t.angles, cur)
		default:
			name, text, ok := strings.Cut(line, ": ")
			if !ok || t == nil || cur.part(name) == nil || (t.name == "*" && name != "body") ||
				(cur == &t.shared && (name == "headline" || name == "lead")) {
				return nil, fmt.Errorf("line %d: %q", n, line)
			}
			if t.name == "*" {
				s.common = append(s.common, text)
				continue
			}
			p := cur.part(name)
			*p = append(*p, text)
		}
	}
	for _, t := range s.topics {
		if len(t.angles) == 0 {
			return nil, fmt.Errorf("topic %s has no angle", t.name)
		}
		for i, a := range t.angles {
			for _, name := range []string{"headline", "lead", "body", "quote", "voice", "close"} {
				if len(own(*a.part(name), *t.shared.part(name))) == 0 {
					return nil, fmt.Errorf("topic %s, angle %d has no %s", t.name, i+1, name)
				}
			}
		}
	}
	return s, sc.Err()
}

var templates = sync.OnceValue(func() map[string]*stories {
	out := map[string]*stories{}
	for _, lang := range []string{"id", "en"} {
		data, err := templateFiles.ReadFile("templates/" + lang + ".txt")
		if err == nil {
			out[lang], err = parseStories(data)
		}
		if err != nil {
			panic("corpus: templates/" + lang + ".txt: " + err.Error()) // embedded; the tests read it
		}
	}
	return out
})

// Generate returns n articles in lang ("id" or "en"; any other value alternates the two, Indonesian
// first), the first published at start and each next one 5 to 55 minutes later. The same seed
// gives the same articles, and a longer run begins with the shorter one. Links are base followed by
// a slug; GUIDs are unique per seed, language and position.
func Generate(seed int64, n int, lang string, base string, start time.Time) []Article {
	base = strings.TrimRight(base, "/")
	out := make([]Article, 0, max(n, 0))
	at := start
	for i := range n {
		l := lang
		if l != "id" && l != "en" {
			l = [2]string{"id", "en"}[i%2]
		}
		r := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		if i > 0 {
			at = at.Add(time.Duration(5+r.IntN(50))*time.Minute + time.Duration(r.IntN(60))*time.Second)
		}
		a := write(r, l, at)
		a.GUID = fmt.Sprintf("corpus-%s-%d-%d", l, seed, i)
		a.URL = fmt.Sprintf("%s/%s-%d", base, slug(a.Title), i+1)
		out = append(out, a)
	}
	return out
}

// write composes one story from one angle of a topic: a dateline and lead, body paragraphs with an
// official's and a resident's words, and a closing line, 1,000 to 2,000 characters in all.
func write(r *rand.Rand, lang string, at time.Time) Article {
	st := templates()[lang]
	t := st.topics[r.IntN(len(st.topics))]
	a := t.angles[r.IntN(len(t.angles))]
	f := newFiller(r, lang, at)
	pick := func(list []string) string { return list[r.IntN(len(list))] }

	title, lead := f.fill(pick(a.headline), false), f.fill(pick(a.lead), false)
	common := r.Perm(len(st.common))
	pool := append(append(append([]string(nil), t.shared.body...), a.body...), st.common[common[0]], st.common[common[1]])
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	var paras []string
	for i := 0; i+1 < len(pool); i += 2 {
		paras = append(paras, f.fill(pool[i], true)+" "+f.fill(pool[i+1], true))
	}
	if len(pool)%2 == 1 {
		paras = append(paras, f.fill(pool[len(pool)-1], true))
	}
	quote, voice := f.fill(pick(own(a.quote, t.shared.quote)), true), f.fill(pick(own(a.voice, t.shared.voice)), true)
	paras = slices.Insert(paras, min(1, len(paras)), quote)
	paras = slices.Insert(paras, min(3, len(paras)), voice)

	closing := f.fill(pick(own(a.close, t.shared.close)), true)
	body := []string{strings.ToUpper(f.values["city"]) + " — " + lead}
	size := utf8.RuneCountInString(body[0]) + utf8.RuneCountInString(closing)
	target := 1100 + r.IntN(700)
	for _, p := range paras {
		if size+utf8.RuneCountInString(p)+2*len(body)+2 > 2000 {
			continue
		}
		body = append(body, p)
		if size += utf8.RuneCountInString(p); size >= target {
			break
		}
	}
	body = append(body, closing)
	return Article{Title: title, Author: pick(reporters), Lang: lang, Summary: lead,
		Body: strings.Join(body, "\n\n"), Published: at}
}

// filler fills one story's slots. Places, people and dates stay the same throughout. Numbers keep
// one value in the headline and lead; other sentences draw their own, so that unrelated sentences
// do not repeat one figure, unless they restate the headline's with {=name}.
type filler struct {
	r      *rand.Rand
	en     bool
	values map[string]string
}

func newFiller(r *rand.Rand, lang string, at time.Time) *filler {
	f := &filler{r: r, en: lang == "en"}
	place := places[r.IntN(len(places))]
	other := places[r.IntN(len(places))]
	for other.city == place.city {
		other = places[r.IntN(len(places))]
	}
	d := r.Perm(len(districts))
	prov, resident, days, months := place.prov, residents[r.IntN(len(residents))], daysID, monthsID
	if f.en {
		prov, days, months = place.provEN, daysEN, monthsEN
	} else {
		resident += " (" + strconv.Itoa(24+r.IntN(45)) + ")"
	}
	f.values = map[string]string{
		"city": place.city, "city2": other.city, "prov": prov,
		"district": districts[d[0]], "district2": districts[d[1]], "village": villages[r.IntN(len(villages))],
		"street": streets[r.IntN(len(streets))], "company": companies[r.IntN(len(companies))],
		"official": officials[r.IntN(len(officials))], "resident": resident,
		"day": days[at.Weekday()], "month": months[at.Month()-1],
		"year": strconv.Itoa(at.Year()), "year2": strconv.Itoa(at.Year() - 1 - r.IntN(5)),
	}
	for _, name := range numberSlots {
		f.values[name] = f.number(name)
	}
	return f
}

var numberSlots = []string{"n1", "n2", "n3", "n4", "pct", "pct2", "money", "moneym", "moneyk", "moneyk2", "km", "mag"}

// number draws a value for a numeric slot, written the language's way.
func (f *filler) number(name string) string {
	r, en := f.r, f.en
	unit := func(id, en string) string { return map[bool]string{false: id, true: en}[f.en] }
	switch name {
	case "n1":
		return strconv.Itoa(2 + r.IntN(8))
	case "n2":
		return strconv.Itoa(10 + r.IntN(51))
	case "n3":
		return strconv.Itoa(100 + 5*r.IntN(171))
	case "n4":
		return thousands(en, 1000+100*r.IntN(89))
	case "pct":
		return strconv.Itoa(12 + r.IntN(74))
	case "pct2":
		return decimal(en, 12+r.IntN(37))
	case "money":
		return "Rp " + decimal(en, 12+r.IntN(940)) + unit(" miliar", " billion")
	case "moneym":
		return "Rp " + strconv.Itoa(150+10*r.IntN(80)) + unit(" juta", " million")
	case "moneyk":
		return "Rp " + thousands(en, 60000+5000*r.IntN(13))
	case "moneyk2":
		return "Rp " + thousands(en, 5000+1000*r.IntN(31))
	case "km":
		return decimal(en, 12+r.IntN(237))
	case "mag":
		return decimal(en, 46+r.IntN(17))
	}
	return ""
}

// fill replaces a template's slots; fresh draws new numbers except where written {=name}.
func (f *filler) fill(tmpl string, fresh bool) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		end := strings.IndexByte(tmpl[open+1:], '}')
		if open < 0 || end < 0 {
			return b.String() + tmpl
		}
		name := tmpl[open+1 : open+1+end]
		same := strings.HasPrefix(name, "=")
		name = strings.TrimPrefix(name, "=")
		v, ok := f.values[name]
		if fresh && !same && slices.Contains(numberSlots, name) {
			v = f.number(name)
		}
		if !ok {
			v = "{" + name + "}" // left for the tests to find
		}
		b.WriteString(tmpl[:open] + v)
		tmpl = tmpl[open+end+2:]
	}
}

// decimal writes tenths with the language's decimal mark: 24 is "2,4" or "2.4".
func decimal(en bool, tenths int) string {
	mark := map[bool]string{false: ",", true: "."}[en]
	return strconv.Itoa(tenths/10) + mark + strconv.Itoa(tenths%10)
}

// thousands groups digits with the language's separator: "4.500" or "4,500".
func thousands(en bool, n int) string {
	s := strconv.Itoa(n)
	sep := map[bool]string{false: ".", true: ","}[en]
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return s
}

// slug makes a link's last part from a headline.
func slug(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		switch {
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}
