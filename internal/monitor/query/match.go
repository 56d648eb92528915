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

// evaluator answers a query's boolean structure from the positions of its words in one text.
type evaluator struct {
	q   *Query
	occ [][]int32 // sorted token positions, indexed by ids[word] (or word when ids is nil)
	ids []int32
}

func (e *evaluator) word(w int) []int32 {
	if e.ids == nil {
		return e.occ[w]
	}
	return e.occ[e.ids[w]]
}

// spans returns where a leaf starts: every position of a word, or the positions where a phrase's
// words follow one another.
func (e *evaluator) spans(l *leaf) []int32 {
	first := e.word(l.words[0])
	if len(l.words) == 1 || len(first) == 0 {
		return first
	}
	var out []int32
next:
	for _, p := range first {
		for k, w := range l.words[1:] {
			if _, ok := slices.BinarySearch(e.word(w), p+int32(k)+1); !ok {
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

// near returns the pairs of start positions of a and b at most dist words apart (1 = adjacent),
// in either order; the two may not overlap.
func (e *evaluator) near(n *node, all bool) [][2]int32 {
	la, lb := &e.q.leaves[n.kids[0].leaf], &e.q.leaves[n.kids[1].leaf]
	na, nb := int32(len(la.words)), int32(len(lb.words))
	var out [][2]int32
	for _, a := range e.spans(la) {
		for _, b := range e.spans(lb) {
			gap := int32(-1)
			if a+na <= b {
				gap = b - (a + na - 1)
			} else if b+nb <= a {
				gap = a - (b + nb - 1)
			}
			if gap >= 1 && gap <= int32(n.dist) {
				out = append(out, [2]int32{a, b})
				if !all {
					return out
				}
			}
		}
	}
	return out
}

func (e *evaluator) eval(n *node) bool {
	switch n.kind {
	case nodeLeaf:
		return len(e.spans(&e.q.leaves[n.leaf])) > 0
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
func (e *evaluator) hits(n *node, toks []Token, out []Hit) []Hit {
	if !e.eval(n) {
		return out
	}
	add := func(l *leaf, p int32) []Hit {
		last := toks[int(p)+len(l.words)-1]
		return append(out, Hit{Term: l.text, Pos: int(p), Len: len(l.words), Start: toks[p].Start, End: last.End})
	}
	switch n.kind {
	case nodeLeaf:
		l := &e.q.leaves[n.leaf]
		for _, p := range e.spans(l) {
			out = add(l, p)
		}
	case nodeAnd, nodeOr:
		for _, k := range n.kids {
			out = e.hits(k, toks, out)
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
	for p, t := range toks {
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
	return sortHits(e.hits(q.root, toks, nil)), true
}

// Matcher matches a text against many topics' queries at once. It reads the text once: each
// text word's two stems are looked up in maps of every query's words, and only queries with a
// word found are evaluated. It is safe for concurrent use.
type Matcher struct {
	topics      []int64
	queries     []*Query
	ids         [][]int32 // per query: its word → term
	termQueries [][]int32 // per term: the queries using it
	byID, byEN  map[string][]int32
	byPrefix    map[string][]int32
	prefixLens  []int // distinct byte lengths of the prefixes, to look each up by slicing
	scratch     sync.Pool
}

// scratch is one Match call's working memory, reused through the pool.
type scratch struct {
	toks    []Token
	occ     [][]int32
	touched []int32
	seen    []uint32
	gen     uint32
	cands   []int32
}

// NewMatcher compiles the topics' queries; a nil query is skipped.
func NewMatcher(topics map[int64]*Query) *Matcher {
	m := &Matcher{byID: map[string][]int32{}, byEN: map[string][]int32{}, byPrefix: map[string][]int32{}}
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

// Match returns the topics whose queries match text, in topic order, each with its hits.
func (m *Matcher) Match(text string) []Match {
	s := m.scratch.Get().(*scratch)
	defer m.scratch.Put(s)
	s.toks = appendTokens(s.toks[:0], text)
	s.touched = s.touched[:0]
	add := func(terms []int32, pos int32) {
		for _, t := range terms {
			o := s.occ[t]
			if len(o) == 0 {
				s.touched = append(s.touched, t)
			} else if o[len(o)-1] == pos {
				continue // both stems of one word led to the same term
			}
			s.occ[t] = append(o, pos)
		}
	}
	for p, tok := range s.toks {
		st := stemOf(tok.Text)
		add(m.byID[st.id], int32(p))
		add(m.byEN[st.en], int32(p))
		for _, n := range m.prefixLens {
			if len(tok.Text) >= n {
				add(m.byPrefix[tok.Text[:n]], int32(p))
			}
		}
	}
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
	var out []Match
	for _, qi := range s.cands {
		e := evaluator{q: m.queries[qi], occ: s.occ, ids: m.ids[qi]}
		if e.eval(e.q.root) {
			out = append(out, Match{Topic: m.topics[qi], Hits: sortHits(e.hits(e.q.root, s.toks, nil))})
		}
	}
	for _, t := range s.touched {
		s.occ[t] = s.occ[t][:0]
	}
	return out
}
