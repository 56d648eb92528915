package x

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// thread cuts a text over X's limit into as few parts as it can, each numbered " (1/3)" and at
// most limit as X counts. Among the cuts into that many parts it takes the one that breaks
// fewest sentences: a cut after a sentence costs nothing, after a comma little, between words
// more, and inside a word (only for a word longer than a part) most.
func thread(text string, limit int) []string {
	text = strings.TrimSpace(text)
	for digits := 1; ; digits++ {
		n := strings.Repeat("9", digits)
		parts := pack(text, limit-len(" ("+n+"/"+n+")"))
		if len(strconv.Itoa(len(parts))) > digits {
			continue // more parts than the numbering was sized for
		}
		for i := range parts {
			parts[i] += fmt.Sprintf(" (%d/%d)", i+1, len(parts))
		}
		return parts
	}
}

// piece is a word with the spaces after it, their weights as X counts them, and the cost of
// cutting after it.
type piece struct {
	text          string
	weight, space int
	cost          int
}

const (
	cutSentence = 0
	cutClause   = 1
	cutWord     = 3
	cutInside   = 20
)

var wordRE = regexp.MustCompile(`\S+\s*`)

func pieces(text string, budget int) []piece {
	var out []piece
	for _, w := range wordRE.FindAllString(text, -1) {
		word := strings.TrimRightFunc(w, unicode.IsSpace)
		cost := cutWord
		last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(word, `"')]»”’`))
		switch {
		case strings.Contains(w[len(word):], "\n"), strings.ContainsRune(".!?…", last):
			cost = cutSentence
		case strings.ContainsRune(",;:", last):
			cost = cutClause
		}
		space := count(w[len(word):])
		if n := count(word); n <= budget {
			out = append(out, piece{w, n, space, cost})
			continue
		}
		g := uniseg.NewGraphemes(word)
		for g.Next() {
			out = append(out, piece{g.Str(), count(g.Str()), 0, cutInside})
		}
		end := &out[len(out)-1]
		end.text, end.space, end.cost = end.text+w[len(word):], space, cost
	}
	return out
}

// pack finds, by dynamic programming over the cuts between pieces, the fewest parts within
// budget and, among those, the cheapest cuts. A part weighs the sum of its pieces, which is X's
// count since a link never spans a space; a word cut into characters could count otherwise,
// so the parts are checked and, if one is over, packed again counting every candidate.
func pack(text string, budget int) []string {
	ps := pieces(text, budget)
	if parts := cut(ps, budget, false); fit(parts, budget) {
		return parts
	}
	return cut(ps, budget, true)
}

func fit(parts []string, budget int) bool {
	for _, p := range parts {
		if count(p) > budget {
			return false
		}
	}
	return true
}

func cut(ps []piece, budget int, exact bool) []string {
	type best struct{ parts, cost, from int }
	b := make([]best, len(ps)+1)
	for j := 1; j <= len(ps); j++ {
		b[j] = best{parts: -1}
		part, weight := "", -ps[j-1].space
		for i := j - 1; i >= 0; i-- {
			weight += ps[i].weight + ps[i].space
			if exact {
				part = ps[i].text + part
				weight = count(strings.TrimSpace(part))
			}
			if weight > budget {
				break
			}
			if b[i].parts < 0 {
				continue
			}
			cost := b[i].cost
			if j < len(ps) {
				cost += ps[j-1].cost
			}
			if c := (best{b[i].parts + 1, cost, i}); b[j].parts < 0 || c.parts < b[j].parts || (c.parts == b[j].parts && c.cost < b[j].cost) {
				b[j] = c
			}
		}
	}
	var parts []string
	for j := len(ps); j > 0; j = b[j].from {
		var s strings.Builder
		for _, p := range ps[b[j].from:j] {
			s.WriteString(p.text)
		}
		parts = append([]string{strings.TrimSpace(s.String())}, parts...)
	}
	return parts
}
