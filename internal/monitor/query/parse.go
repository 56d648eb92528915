package query

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits keep one topic from slowing matching down for every other topic.
const (
	MaxLength   = 1000 // characters in a query
	MaxTerms    = 50   // words in a query, each word of a phrase counted
	MaxDistance = 50   // largest n in NEAR/n
	MinWildcard = 3    // letters before a *: "ba*" would match half the language
)

// Catalog keys of parse errors; the messages take the fields of Error.Args.
const (
	ErrEmpty             = "monitor.query.error.empty"
	ErrTooLong           = "monitor.query.error.too_long"
	ErrTooManyTerms      = "monitor.query.error.too_many_terms"
	ErrUnclosedParen     = "monitor.query.error.unclosed_paren"
	ErrUnopenedParen     = "monitor.query.error.unopened_paren"
	ErrEmptyParens       = "monitor.query.error.empty_parens"
	ErrUnclosedQuote     = "monitor.query.error.unclosed_quote"
	ErrEmptyPhrase       = "monitor.query.error.empty_phrase"
	ErrMissingOperand    = "monitor.query.error.missing_operand"
	ErrNearDistance      = "monitor.query.error.near_distance"
	ErrNearOperand       = "monitor.query.error.near_operand"
	ErrShortWildcard     = "monitor.query.error.short_wildcard"
	ErrMatchesEverything = "monitor.query.error.matches_everything"
)

// Error is a query that cannot be used, with where the problem is. Show it with
// locale.T(err.Key, err.Args()...).
type Error struct {
	Key    string // catalog key, one of the Err… constants
	Pos    int    // character position, counted from 1 as a person counts
	Offset int    // byte offset of the same place, for placing a caret in the editor
	Op     string // the operator, bracket or quote at Pos
	Max    int    // the limit broken, for ErrTooLong, ErrTooManyTerms, ErrNearDistance, ErrShortWildcard
}

func (e *Error) Error() string {
	return fmt.Sprintf("query: %s at position %d (%q)", e.Key, e.Pos, e.Op)
}

// Args are the message's fields as name/value pairs for i18n.Locale.T.
func (e *Error) Args() []any { return []any{"Pos", e.Pos, "Op", e.Op, "Max", e.Max} }

func errAt(src string, off int, key, op string) *Error {
	return &Error{Key: key, Pos: utf8.RuneCountInString(src[:off]) + 1, Offset: off, Op: op}
}

type lexKind uint8

const (
	lexEOF lexKind = iota
	lexWords
	lexAnd
	lexOr
	lexNot
	lexNear
	lexOpen
	lexClose
)

type lexeme struct {
	kind  lexKind
	off   int
	text  string  // as written
	words []qword // lexWords: one word, or several for a phrase or a hyphenated word
	dist  int     // lexNear
}

// qword is one word of a query, folded, with its stems or, when prefix is set, matched as the
// beginning of a text word instead.
type qword struct {
	folded string
	prefix bool
	stems  stems
}

// lex cuts the query into operators, brackets and word groups. Operators are upper case so that
// the everyday words "dan", "atau", "and", "or" can be searched for.
func lex(src string) ([]lexeme, error) {
	var out []lexeme
	terms := 0
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			out = append(out, lexeme{kind: lexOpen, off: i, text: "("})
			i++
		case r == ')':
			out = append(out, lexeme{kind: lexClose, off: i, text: ")"})
			i++
		case r == '"':
			end := strings.IndexByte(src[i+1:], '"')
			if end < 0 {
				return nil, errAt(src, i, ErrUnclosedQuote, `"`)
			}
			text := src[i : i+end+2]
			words := queryWords(text)
			if len(words) == 0 {
				return nil, errAt(src, i, ErrEmptyPhrase, text)
			}
			out = append(out, lexeme{kind: lexWords, off: i, text: text, words: words})
			terms += len(words)
			i += end + 2
		case r == '-' && i+1 < len(src) && !strings.ContainsRune(" \t\r\n-()\"", rune(src[i+1])):
			out = append(out, lexeme{kind: lexNot, off: i, text: "-"})
			i++
		default:
			j := i
			for j < len(src) {
				r, size := utf8.DecodeRuneInString(src[j:])
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
					break
				}
				j += size
			}
			l, err := lexChunk(src, i, src[i:j])
			if err != nil {
				return nil, err
			}
			if l.kind != lexEOF {
				out = append(out, l)
				terms += len(l.words)
			}
			i = j
		}
		if terms > MaxTerms {
			e := errAt(src, out[len(out)-1].off, ErrTooManyTerms, out[len(out)-1].text)
			e.Max = MaxTerms
			return nil, e
		}
	}
	return out, nil
}

// lexChunk reads a run of text without spaces: an operator or word(s). A chunk with no letters or
// digits (a lone "&") returns lexEOF and is skipped.
func lexChunk(src string, off int, chunk string) (lexeme, error) {
	switch chunk {
	case "AND", "DAN":
		return lexeme{kind: lexAnd, off: off, text: chunk}, nil
	case "OR", "ATAU":
		return lexeme{kind: lexOr, off: off, text: chunk}, nil
	case "NOT", "BUKAN":
		return lexeme{kind: lexNot, off: off, text: chunk}, nil
	}
	for _, op := range []string{"NEAR/", "DEKAT/"} {
		if n, ok := strings.CutPrefix(chunk, op); ok {
			d, err := strconv.Atoi(n)
			if err != nil || d < 1 || d > MaxDistance {
				e := errAt(src, off, ErrNearDistance, chunk)
				e.Max = MaxDistance
				return lexeme{}, e
			}
			return lexeme{kind: lexNear, off: off, text: chunk, dist: d}, nil
		}
	}
	words := queryWords(chunk)
	if len(words) == 0 {
		return lexeme{}, nil
	}
	if strings.HasSuffix(chunk, "*") {
		last := &words[len(words)-1]
		if utf8.RuneCountInString(last.folded) < MinWildcard {
			e := errAt(src, off, ErrShortWildcard, chunk)
			e.Max = MinWildcard
			return lexeme{}, e
		}
		last.prefix = true
	}
	return lexeme{kind: lexWords, off: off, text: chunk, words: words}, nil
}

// queryWords tokenizes query text exactly as article text is tokenized, so both sides agree on
// what a word is: "COVID-19" is the two words covid and 19, matched as a phrase.
func queryWords(s string) []qword {
	toks := Tokenize(s)
	words := make([]qword, len(toks))
	for i, t := range toks {
		words[i] = qword{folded: t.Text, stems: stemOf(t.Text)}
	}
	return words
}

type nodeKind uint8

const (
	nodeLeaf nodeKind = iota
	nodeAnd
	nodeOr
	nodeNot
	nodeNear
)

type node struct {
	kind nodeKind
	kids []*node
	leaf int // nodeLeaf: index into Query.leaves
	dist int // nodeNear
}

// leaf is a word or phrase of the query: indexes into Query.words, one per position.
type leaf struct {
	text  string
	words []int
}

// Query is a parsed boolean query, safe for concurrent use.
type Query struct {
	src    string
	root   *node
	leaves []leaf
	words  []qword // distinct words; a word used twice is looked up once
}

// String returns the query as written.
func (q *Query) String() string { return q.src }

// Parse reads a query; a mistake comes back as *Error.
func Parse(src string) (*Query, error) {
	if n := utf8.RuneCountInString(src); n > MaxLength {
		off := 0
		for range MaxLength {
			_, size := utf8.DecodeRuneInString(src[off:])
			off += size
		}
		e := errAt(src, off, ErrTooLong, "")
		e.Max = MaxLength
		return nil, e
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, &Error{Key: ErrEmpty, Pos: 1}
	}
	p := &parser{src: src, toks: toks, q: &Query{src: src}}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == lexClose {
		return nil, errAt(src, t.off, ErrUnopenedParen, ")")
	}
	p.q.root = root
	// The matcher only looks at queries whose words occur; a query that matches a text without
	// any of its words ("NOT x", "a OR NOT b") would be skipped there, and would flood the inbox.
	if (&evaluator{q: p.q, occ: make([][]int32, len(p.q.words))}).eval(root) {
		return nil, &Error{Key: ErrMatchesEverything, Pos: 1}
	}
	return p.q, nil
}

type parser struct {
	src  string
	toks []lexeme
	i    int
	q    *Query
	op   lexeme // the last operator read, blamed when its operand is missing
}

func (p *parser) peek() lexeme {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return lexeme{kind: lexEOF, off: len(p.src)}
}

func (p *parser) next() lexeme {
	t := p.peek()
	p.i++
	if t.kind == lexAnd || t.kind == lexOr || t.kind == lexNot || t.kind == lexNear {
		p.op = t
	}
	return t
}

// or := and { OR and }
func (p *parser) or() (*node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == lexOr {
		p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = join(nodeOr, left, right)
	}
	return left, nil
}

// and := unary { [AND] unary }: two operands side by side mean AND.
func (p *parser) and() (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		switch p.peek().kind {
		case lexAnd:
			p.next()
		case lexWords, lexOpen, lexNot:
		default:
			return left, nil
		}
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = join(nodeAnd, left, right)
	}
}

// unary := NOT unary | near
func (p *parser) unary() (*node, error) {
	if p.peek().kind == lexNot {
		p.next()
		kid, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{kind: nodeNot, kids: []*node{kid}}, nil
	}
	return p.near()
}

// near := primary [ NEAR/n primary ]; both sides must be a word or phrase, since distance between
// whole sub-queries has no clear meaning.
func (p *parser) near() (*node, error) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == lexNear {
		op := p.next()
		if left.kind != nodeLeaf {
			return nil, errAt(p.src, op.off, ErrNearOperand, op.text)
		}
		if k := p.peek().kind; k == lexOpen || k == lexNot {
			return nil, errAt(p.src, op.off, ErrNearOperand, op.text)
		}
		right, err := p.primary()
		if err != nil {
			return nil, err
		}
		left = &node{kind: nodeNear, kids: []*node{left, right}, dist: op.dist}
	}
	return left, nil
}

// primary := words | "phrase" | ( or )
func (p *parser) primary() (*node, error) {
	t := p.peek()
	switch t.kind {
	case lexWords:
		p.next()
		return p.leaf(t), nil
	case lexOpen:
		p.next()
		if p.peek().kind == lexClose {
			return nil, errAt(p.src, t.off, ErrEmptyParens, "()")
		}
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != lexClose {
			return nil, errAt(p.src, t.off, ErrUnclosedParen, "(")
		}
		p.next()
		return inner, nil
	case lexClose:
		if p.op.kind == lexEOF {
			return nil, errAt(p.src, t.off, ErrUnopenedParen, ")")
		}
	case lexAnd, lexOr, lexNear:
		if p.op.kind == lexEOF { // "AND x": nothing before it
			return nil, errAt(p.src, t.off, ErrMissingOperand, t.text)
		}
	}
	// Past the end, or a bracket or operator where an operand belongs ("a AND OR b"): the
	// operator read last is the one left without its operand.
	return nil, errAt(p.src, p.op.off, ErrMissingOperand, p.op.text)
}

func (p *parser) leaf(t lexeme) *node {
	l := leaf{text: t.text}
	for _, w := range t.words {
		l.words = append(l.words, p.q.wordIndex(w))
	}
	p.q.leaves = append(p.q.leaves, l)
	return &node{kind: nodeLeaf, leaf: len(p.q.leaves) - 1}
}

func (q *Query) wordIndex(w qword) int {
	for i, o := range q.words {
		if o.folded == w.folded && o.prefix == w.prefix {
			return i
		}
	}
	q.words = append(q.words, w)
	return len(q.words) - 1
}

// join flattens a AND b AND c into one node with three kids.
func join(kind nodeKind, a, b *node) *node {
	if a.kind == kind {
		a.kids = append(a.kids, b)
		return a
	}
	return &node{kind: kind, kids: []*node{a, b}}
}
