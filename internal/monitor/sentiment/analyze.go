package sentiment

import (
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"warta.dev/warta/internal/monitor/query"
)

// Label is the tone of a text.
type Label string

const (
	Positive Label = "positive"
	Neutral  Label = "neutral"
	Negative Label = "negative"
)

// Result is the tone of one text and why.
type Result struct {
	Label Label
	// Score runs from -1 (all bad news) to 1 (all good news); near 0 is neutral or mixed.
	Score float64
	// Positive and Negative are the words that counted, as the text writes them, with the word
	// that turned or strengthened them ("tidak berhasil", "sangat kecewa"), in text order.
	Positive, Negative []string
}

// neutralBelow is the score under which (in absolute value) a text is neutral. The sweep that
// TestAccuracy logs over testdata/sample.tsv is flat from 0.05 to 0.25 and falls from 0.3 on; this
// is the middle of the flat part. One word of weight 1 scores 0.31 in a ten-word headline and
// 0.18 in a thirty-word sentence, so a lone mild word still tips a sentence, while a long article
// needs several.
const neutralBelow = 0.15

// Windows, in words, within one clause.
const (
	negateWindow = 3 // "tidak ada korban jiwa": korban is the second word after tidak
	beforeWindow = 2 // "sangat tidak memuaskan"
	lowersWindow = 3 // "menekan angka kecelakaan"
	fallsWindow  = 5 // "angka kemiskinan di Jawa Tengah turun"
	spanWords    = 4 // a reason longer than this shows the word alone
)

// negatedNegative scales a negated negative word once more: "tidak ada korban" is good news, but
// less good than "berhasil" is.
const negatedNegative = 0.5

// Analyze reads text in lang ("id" or "en"; "" lets Detect choose) and says its tone. A text whose
// language cannot be told is read with both lexicons, Indonesian first.
func Analyze(text, lang string) Result {
	b := getBuffers()
	defer putBuffers(b)
	b.words = tokenize(b.words[:0], text)
	lxs := lexicons()
	var use [2]*lexicon
	if lang == "" {
		lang = detect(b.words)
	}
	switch lang {
	case "id", "en":
		use[0] = lxs[lang]
	default:
		use[0], use[1] = lxs["id"], lxs["en"]
	}
	b.items = b.read(use)
	return b.score(text)
}

// word is one word of a text: its folded form and where it stands.
type word struct {
	text       string // lower case, diacritics removed; "not" for a contracted n't
	start, end int
	clause     int
}

// item is a word or a two-word phrase with what the lexicon knows of it, and what the words
// around it did to it.
type item struct {
	entry
	start, end int
	clause     int
	mult       float32 // from intensifiers and shifters
	neg        float32 // the negator's factor, 0 when not negated
	used       bool    // a modifier that found its target, so its own weight does not count
	target     int     // a shifter's target, -1 when it has none
	from, to   int     // the items that make up the reason shown
}

type buffers struct {
	words []word
	items []item
}

var pool = sync.Pool{New: func() any { return new(buffers) }}

func getBuffers() *buffers { return pool.Get().(*buffers) }

// putBuffers keeps the buffers of an article for the next one, not those of a book.
func putBuffers(b *buffers) {
	if cap(b.words) <= 1<<14 {
		pool.Put(b)
	}
}

// read looks every word up, joining two-word phrases. A stop word (tetapi, but) ends a clause as
// punctuation does.
func (b *buffers) read(use [2]*lexicon) []item {
	items := b.items[:0]
	ws := b.words
	shift := 0 // clauses added by stop words so far
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		it := item{start: w.start, end: w.end, clause: w.clause + shift, mult: 1, target: -1}
		for _, lx := range use {
			if lx == nil {
				continue
			}
			e, found := lx.lookup(w.text)
			if !found {
				continue
			}
			it.entry = e
			if e.phrase && i+1 < len(ws) && ws[i+1].clause == w.clause {
				if pe, ok := lx.phrases[[2]string{w.text, ws[i+1].text}]; ok {
					it.entry, it.end = pe, ws[i+1].end
					i++
				}
			}
			break
		}
		if it.kind == stop {
			shift++
		}
		it.from, it.to = len(items), len(items)
		items = append(items, it)
	}
	return items
}

// weighty says whether it is an ordinary word that carries sentiment, one a modifier can act on.
func (it *item) weighty() bool { return it.weight != 0 && (it.kind == plain || it.kind == negate) }

// score applies the modifiers and adds the words up.
func (b *buffers) score(text string) Result {
	items := b.items
	same := func(i, j int) bool { return j >= 0 && j < len(items) && items[i].clause == items[j].clause }
	// A shifter or an intensifier acting on a shifter with a target acts on that target.
	resolve := func(i int) int {
		if items[i].kind.shifts() && items[i].target >= 0 {
			return items[i].target
		}
		return i
	}
	widen := func(t, j int) {
		if j < items[t].from && items[t].to-j <= spanWords {
			items[t].from = j
		}
		if j > items[t].to && j-items[t].from <= spanWords {
			items[t].to = j
		}
	}
	// Shifters first: an intensifier or negator in front of one then reaches its target.
	for j := range items {
		k := items[j].kind
		if !k.shifts() {
			continue
		}
		t := -1
		if k == lowers || k == raises {
			for i := j + 1; i <= j+lowersWindow && same(j, i); i++ {
				if items[i].weighty() {
					t = i
					break
				}
			}
		} else {
			for i := j - 1; i >= j-fallsWindow && same(j, i); i-- {
				if items[i].weighty() {
					t = i
					break
				}
			}
		}
		if t >= 0 {
			items[j].target, items[j].used = t, true
			items[t].mult *= items[j].factor
			widen(t, j)
		}
	}
	// Intensifiers and negators act on a sentiment word, or on a shifter: on its target if it
	// found one, else on the shifter's own weight.
	eligible := func(i int) bool {
		return items[i].weighty() || items[i].kind.shifts() && (items[i].weight != 0 || items[i].target >= 0)
	}
	for j := range items {
		k := items[j].kind
		if !k.scales() {
			continue
		}
		t := -1
		if (k == after || k == either) && same(j, j-1) && eligible(j-1) {
			t = j - 1
		}
		if t < 0 && (k == before || k == either) {
			for i := j + 1; i <= j+beforeWindow && same(j, i); i++ {
				if eligible(i) {
					t = i
					break
				}
			}
		}
		if t >= 0 {
			t = resolve(t)
			items[j].used = true
			items[t].mult *= items[j].factor
			widen(t, j)
		}
	}
	for j := range items {
		if items[j].kind != negate {
			continue
		}
		if same(j, j+1) && items[j+1].kind == cancel {
			items[j].used = true
			continue
		}
		for i := j + 1; i <= j+negateWindow && same(j, i); i++ {
			if eligible(i) {
				t := resolve(i)
				if items[t].neg != 0 {
					items[t].neg *= items[j].factor
				} else {
					items[t].neg = items[j].factor
				}
				items[j].used = true
				widen(t, j)
				break
			}
		}
	}

	var r Result
	var sum float64
	for i := range items {
		it := &items[i]
		if it.weight == 0 || it.used {
			continue
		}
		c := it.weight * it.mult
		if it.neg != 0 {
			c *= it.neg
			if it.weight < 0 {
				c *= negatedNegative
			}
		}
		if c == 0 {
			continue
		}
		sum += float64(c)
		reason := text[items[it.from].start:items[it.to].end]
		if c > 0 {
			r.Positive = append(r.Positive, reason)
		} else {
			r.Negative = append(r.Negative, reason)
		}
	}
	if n := len(b.words); n > 0 {
		r.Score = math.Tanh(sum / math.Sqrt(float64(n)))
	}
	switch {
	case r.Score >= neutralBelow:
		r.Label = Positive
	case r.Score <= -neutralBelow:
		r.Label = Negative
	default:
		r.Label = Neutral
	}
	return r
}

// tokenize splits text into words as query.Tokenize does (runs of letters and digits), folded,
// and numbers the clauses: punctuation that ends a phrase starts a new one. It lowers a text of
// plain ASCII once instead of word by word, so it allocates little. A contraction n't ends the
// word before it and reads as "not".
func tokenize(dst []word, text string) []word {
	lower := lowerASCII(text)
	clause := 0
	start := -1
	nonASCII := false
	for i := 0; i < len(text); {
		c := text[i]
		size := 1
		var isWord, breaks bool
		if c < utf8.RuneSelf {
			switch class[c] {
			case letter:
				isWord = true
			case punct:
				breaks = true
			case inNumber: // not inside a number: 1,2 persen; 10.000 rumah; 08:30
				breaks = i == 0 || i+1 == len(text) || !isDigit(text[i-1]) || !isDigit(text[i+1])
			case apostrophe:
				if start >= 0 && contraction(lower, start, i, 1) {
					dst = append(dst, word{text: "not", start: start, end: i + 2, clause: clause})
					start, nonASCII = -1, false
					i += 2
					continue
				}
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			isWord = unicode.IsLetter(r) || unicode.IsDigit(r) || start >= 0 && unicode.Is(unicode.Mn, r)
			if isWord {
				nonASCII = true
			}
			switch r {
			case '—', '…', '•':
				breaks = true
			case '’':
				if start >= 0 && contraction(lower, start, i, size) {
					dst = append(dst, word{text: "not", start: start, end: i + size + 1, clause: clause})
					start, nonASCII = -1, false
					i += size + 1
					continue
				}
			}
		}
		if isWord && start < 0 {
			start = i
		} else if !isWord && start >= 0 {
			dst = appendWord(dst, text, lower, start, i, clause, nonASCII)
			start, nonASCII = -1, false
		}
		if breaks {
			clause++
		}
		i += size
	}
	if start >= 0 {
		dst = appendWord(dst, text, lower, start, len(text), clause, nonASCII)
	}
	return dst
}

func appendWord(dst []word, text, lower string, start, end, clause int, nonASCII bool) []word {
	s := lower[start:end]
	if nonASCII {
		s = query.Fold(text[start:end])
	}
	return append(dst, word{text: s, start: start, end: end, clause: clause})
}

// The classes of ASCII bytes for tokenize.
const (
	other = iota
	letter
	punct      // ends a clause
	inNumber   // ends a clause unless between digits
	apostrophe // may start n't
)

var class = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = letter
		case strings.IndexByte(";!?()[]|", byte(c)) >= 0:
			t[c] = punct
		case strings.IndexByte(".,:", byte(c)) >= 0:
			t[c] = inNumber
		case c == '\'':
			t[c] = apostrophe
		}
	}
	return t
}()

// contraction says whether the word lower[start:at], the apostrophe of width bytes at at, and a t
// make n't: didn't, can't, won't.
func contraction(lower string, start, at, width int) bool {
	t := at + width
	return at-start >= 2 && lower[at-1] == 'n' && t < len(lower) && lower[t] == 't' &&
		(t+1 == len(lower) || !isLetter(lower[t+1]))
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || c >= utf8.RuneSelf }

// lowerASCII lowers the ASCII letters only, so every byte keeps its offset.
func lowerASCII(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
