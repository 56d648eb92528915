package query

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// Hit is one place in a text that made a query match, for highlighting.
type Hit struct {
	Term  string `json:"term"`  // the query's word or phrase as written
	Pos   int    `json:"pos"`   // index of the first word among the text's words
	Len   int    `json:"len"`   // number of words
	Start int    `json:"start"` // byte offset in the text
	End   int    `json:"end"`   // byte offset just past the last word
}

// Match is one topic whose query matched, and why.
type Match struct {
	Topic int64 `json:"topic"`
	Hits  []Hit `json:"hits"`
}

// span is where a word of the text stands, in bytes.
type span struct{ start, end int }

// evaluator answers a query's boolean structure from the positions of its words in one text.
type evaluator struct {
	q   *Query
	occ [][]int32 // sorted token positions, indexed by ids[word] (or word when ids is nil)
	ids []int32
	// Working memory for phrases' positions and NEAR's pairs, kept between queries by Matcher.
	a, b  []int32
	pairs [][2]int32
}

func (e *evaluator) word(w int) []int32 {
	if e.ids == nil {
		return e.occ[w]
	}
	return e.occ[e.ids[w]]
}

// spans returns where a leaf starts: every position of a word, or the positions where a phrase's
// words follow one another, written into *buf. The answer is valid until *buf is used again.
func (e *evaluator) spans(l *leaf, buf *[]int32) []int32 {
	first := e.word(l.words[0])
	if len(l.words) == 1 || len(first) == 0 {
		return first
	}
	out := (*buf)[:0]
next:
	for _, p := range first {
		for k, w := range l.words[1:] {
			if _, ok := slices.BinarySearch(e.word(w), p+int32(k)+1); !ok {
				continue next
			}
		}
		out = append(out, p)
	}
	*buf = out
	return out
}

// near returns the pairs of start positions of a and b at most dist words apart (1 = adjacent),
// in either order; the two may not overlap. The answer is valid until near is called again.
func (e *evaluator) near(n *node, all bool) [][2]int32 {
	la, lb := &e.q.leaves[n.kids[0].leaf], &e.q.leaves[n.kids[1].leaf]
	na, nb := int32(len(la.words)), int32(len(lb.words))
	sa, sb := e.spans(la, &e.a), e.spans(lb, &e.b)
	e.pairs = e.pairs[:0]
	for _, a := range sa {
		for _, b := range sb {
			gap := int32(-1)
			if a+na <= b {
				gap = b - (a + na - 1)
			} else if b+nb <= a {
				gap = a - (b + nb - 1)
			}
			if gap >= 1 && gap <= int32(n.dist) {
				e.pairs = append(e.pairs, [2]int32{a, b})
				if !all {
					return e.pairs
				}
			}
		}
	}
	return e.pairs
}

func (e *evaluator) eval(n *node) bool {
	switch n.kind {
	case nodeLeaf:
		return len(e.spans(&e.q.leaves[n.leaf], &e.a)) > 0
	case nodeAnd:
		for _, k := range n.kids {
			if !e.eval(k) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, k := range n.kids {
			if e.eval(k) {
				return true
			}
		}
		return false
	case nodeNot:
		return !e.eval(n.kids[0])
	default:
		return len(e.near(n, false)) > 0
	}
}

// hits collects the occurrences that made n true: words under NOT and branches of an OR that
// did not match are not highlighted.
func (e *evaluator) hits(n *node, bounds []span, out []Hit) []Hit {
	if !e.eval(n) {
		return out
	}
	add := func(l *leaf, p int32) []Hit {
		last := bounds[int(p)+len(l.words)-1]
		return append(out, Hit{Term: l.text, Pos: int(p), Len: len(l.words), Start: bounds[p].start, End: last.end})
	}
	switch n.kind {
	case nodeLeaf:
		l := &e.q.leaves[n.leaf]
		for _, p := range e.spans(l, &e.a) {
			out = add(l, p)
		}
	case nodeAnd, nodeOr:
		for _, k := range n.kids {
			out = e.hits(k, bounds, out)
		}
	case nodeNear:
		la, lb := &e.q.leaves[n.kids[0].leaf], &e.q.leaves[n.kids[1].leaf]
		for _, pair := range e.near(n, true) {
			out = add(la, pair[0])
			out = add(lb, pair[1])
		}
	}
	return out
}

// sortHits orders hits as they appear in the text, each once.
func sortHits(h []Hit) []Hit {
	slices.SortFunc(h, func(a, b Hit) int {
		if a.Pos != b.Pos {
			return cmp.Compare(a.Pos, b.Pos)
		}
		if a.Len != b.Len {
			return cmp.Compare(b.Len, a.Len)
		}
		return strings.Compare(a.Term, b.Term)
	})
	return slices.Compact(h)
}

func (w *qword) matches(tok string, st stems) bool {
	if w.prefix {
		return strings.HasPrefix(tok, w.folded)
	}
	return st.id == w.stems.id || st.en == w.stems.en
}

// Match tests one query against a text on its own, looking at every word; the query editor's
// preview uses it. Matcher gives the same answers for many queries at once.
func (q *Query) Match(text string) ([]Hit, bool) {
	toks := Tokenize(text)
	e := &evaluator{q: q, occ: make([][]int32, len(q.words))}
	bounds := make([]span, len(toks))
	for p, t := range toks {
		bounds[p] = span{t.Start, t.End}
		st := stemOf(t.Text)
		for i := range q.words {
			if q.words[i].matches(t.Text, st) {
				e.occ[i] = append(e.occ[i], int32(p))
			}
		}
	}
	if !e.eval(q.root) {
		return nil, false
	}
	return sortHits(e.hits(q.root, bounds, nil)), true
}

// Matcher matches a text against many topics' queries at once (see the package documentation).
// It is safe for concurrent use.
type Matcher struct {
	topics      []int64
	queries     []*Query
	ids         [][]int32 // per query: its word → term
	termQueries [][]int32 // per term: the queries using it
	byID, byEN  map[string][]int32
	byPrefix    map[string][]int32
	prefixLens  []int // distinct byte lengths of the prefixes, to look each up by slicing
	scratch     sync.Pool

	// known maps a folded text word to the terms it matches, nil for none. Match reads it under
	// the read lock for a whole text and adds the words it did not know afterwards. When it is
	// full it becomes old and a new one starts; a word found only in old is copied back, so the
	// words news keeps using stay known and the others are forgotten.
	mu         sync.RWMutex
	known, old map[string][]int32
}

// maxKnown bounds each of Matcher.known and Matcher.old: together at most about 3.5 MB (110 bytes
// a word measured), since every workspace has a matcher.
const maxKnown = 1 << 14

// scratch is one Match call's working memory, reused through the pool.
type scratch struct {
	bounds  []span
	lower   []byte
	occ     [][]int32
	touched []int32
	seen    []uint32
	gen     uint32
	cands   []int32
	learned []learned
	eval    evaluator
	hits    []Hit
	matched []matched
}

// matched is a query that matched, with where its hits start in scratch.hits.
type matched struct {
	query int32
	from  int
}

// learned is a word missing from Matcher.known, with its terms, to add once the text is read.
type learned struct {
	word  string
	terms []int32
}

// NewMatcher compiles the topics' queries; a nil query is skipped.
func NewMatcher(topics map[int64]*Query) *Matcher {
	m := &Matcher{byID: map[string][]int32{}, byEN: map[string][]int32{}, byPrefix: map[string][]int32{},
		known: map[string][]int32{}}
	for id, q := range topics {
		if q != nil {
			m.topics = append(m.topics, id)
		}
	}
	slices.Sort(m.topics)
	terms := map[string]int32{} // queries share a term when they share the word's stems
	for qi, id := range m.topics {
		q := topics[id]
		m.queries = append(m.queries, q)
		ids := make([]int32, len(q.words))
		for wi, w := range q.words {
			key := "s" + w.stems.id + "\x00" + w.stems.en
			if w.prefix {
				key = "p" + w.folded
			}
			t, ok := terms[key]
			if !ok {
				t = int32(len(m.termQueries))
				terms[key] = t
				m.termQueries = append(m.termQueries, nil)
				if w.prefix {
					m.byPrefix[w.folded] = append(m.byPrefix[w.folded], t)
					if !slices.Contains(m.prefixLens, len(w.folded)) {
						m.prefixLens = append(m.prefixLens, len(w.folded))
					}
				} else {
					m.byID[w.stems.id] = append(m.byID[w.stems.id], t)
					m.byEN[w.stems.en] = append(m.byEN[w.stems.en], t)
				}
			}
			ids[wi] = t
			if q := int32(qi); !slices.Contains(m.termQueries[t], q) {
				m.termQueries[t] = append(m.termQueries[t], q)
			}
		}
		m.ids = append(m.ids, ids)
	}
	m.scratch.New = func() any {
		return &scratch{occ: make([][]int32, len(m.termQueries)), seen: make([]uint32, len(m.queries))}
	}
	return m
}

// termsOf returns the terms a folded text word matches: those sharing its Indonesian or its
// English stem, and the wildcards it starts with; each once, nil for none.
func (m *Matcher) termsOf(word string) []int32 {
	st := stemOf(word)
	var out []int32
	add := func(terms []int32) {
		for _, t := range terms {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	add(m.byID[st.id])
	add(m.byEN[st.en])
	for _, n := range m.prefixLens {
		if len(word) >= n {
			add(m.byPrefix[word[:n]])
		}
	}
	return out
}

// Match returns the topics whose queries match text, in topic order, each with its hits.
func (m *Matcher) Match(text string) []Match {
	s := m.scratch.Get().(*scratch)
	defer m.scratch.Put(s)
	m.read(s, text)
	s.gen++
	s.cands = s.cands[:0]
	for _, t := range s.touched {
		for _, q := range m.termQueries[t] {
			if s.seen[q] != s.gen {
				s.seen[q] = s.gen
				s.cands = append(s.cands, q)
			}
		}
	}
	slices.Sort(s.cands)
	// Hits of every matching topic are gathered in s.hits, then copied out in one allocation.
	s.hits, s.matched = s.hits[:0], s.matched[:0]
	e := &s.eval
	for _, qi := range s.cands {
		e.q, e.occ, e.ids = m.queries[qi], s.occ, m.ids[qi]
		if e.eval(e.q.root) {
			from := len(s.hits)
			s.hits = e.hits(e.q.root, s.bounds, s.hits)
			s.hits = s.hits[:from+len(sortHits(s.hits[from:]))]
			s.matched = append(s.matched, matched{qi, from})
		}
	}
	for _, t := range s.touched {
		s.occ[t] = s.occ[t][:0]
	}
	if len(s.matched) == 0 {
		return nil
	}
	hits := slices.Clone(s.hits)
	out := make([]Match, len(s.matched))
	for i, mt := range s.matched {
		out[i].Topic = m.topics[mt.query]
		to := len(hits)
		if i+1 < len(s.matched) {
			to = s.matched[i+1].from
		}
		if to > mt.from { // none when only NOTs made it match: "NOT NOT banjir"
			out[i].Hits = hits[mt.from:to:to]
		}
	}
	return out
}

// read splits text into words and records, per term, the positions of the words matching it;
// the terms found are s.touched. Words missing from m.known are added to it afterwards.
func (m *Matcher) read(s *scratch, text string) {
	s.bounds = s.bounds[:0]
	s.touched = s.touched[:0]
	m.mu.RLock()
	for i := 0; ; {
		start, end, kind := nextWord(text, i)
		if start == end {
			break
		}
		i = end
		pos := int32(len(s.bounds))
		s.bounds = append(s.bounds, span{start, end})
		var (
			terms []int32
			found bool
			word  string // set when the word is not in m.known
		)
		switch kind {
		case wordLower:
			if terms, found = m.known[text[start:end]]; !found {
				// A copy: the word is a slice of the text, which would otherwise stay in memory.
				word = strings.Clone(text[start:end])
			}
		case wordASCII:
			s.lower = appendLower(s.lower[:0], text[start:end])
			if terms, found = m.known[string(s.lower)]; !found { // looked up without a copy
				word = string(s.lower)
			}
		default:
			word = Fold(text[start:end])
			terms, found = m.known[word]
		}
		if !found {
			if terms, found = m.old[word]; !found {
				terms = m.termsOf(word)
			}
			s.learned = append(s.learned, learned{word, terms})
		}
		for _, t := range terms {
			if len(s.occ[t]) == 0 {
				s.touched = append(s.touched, t)
			}
			s.occ[t] = append(s.occ[t], pos)
		}
	}
	m.mu.RUnlock()
	if len(s.learned) == 0 {
		return
	}
	m.mu.Lock()
	if len(m.known)+len(s.learned) > maxKnown {
		m.old, m.known = m.known, make(map[string][]int32, min(len(s.learned), maxKnown))
	}
	for _, l := range s.learned {
		if len(m.known) == maxKnown { // a text of more new words than that
			break
		}
		m.known[l.word] = l.terms
	}
	m.mu.Unlock()
	clear(s.learned)
	s.learned = s.learned[:0]
}
