package query

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Token is one word of a text: its folded form and where it stands in the original.
type Token struct {
	Text       string // lower case, diacritics removed
	Start, End int    // byte offsets in the original text, End exclusive
}

// Tokenize splits text into words, runs of Unicode letters and digits (marks stay with their
// letter), and folds each word. Everything else (spaces, punctuation, symbols) separates words.
func Tokenize(text string) []Token { return appendTokens(nil, text) }

func appendTokens(dst []Token, text string) []Token {
	start := -1
	for i := 0; i < len(text); {
		c := text[i]
		var word bool
		size := 1
		if c < utf8.RuneSelf {
			word = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			word = unicode.IsLetter(r) || unicode.IsDigit(r) || start >= 0 && unicode.Is(unicode.Mn, r)
		}
		if word && start < 0 {
			start = i
		} else if !word && start >= 0 {
			dst = append(dst, Token{Text: Fold(text[start:i]), Start: start, End: i})
			start = -1
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, Token{Text: Fold(text[start:]), Start: start, End: len(text)})
	}
	return dst
}

// Fold lowers a word and removes its diacritics, so "Café", "CAFE" and "cafe" are the same word. Plain lower-case ASCII, most of any Indonesian text, comes back without copying.
func Fold(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldUnicode(s)
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if upper {
		return strings.ToLower(s)
	}
	return s
}

func foldUnicode(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stems are a word's two stems. A query word matches a text word when either pair is equal: an
// article may be in Indonesian, English or both, and the matcher does not guess which.
type stems struct{ id, en string }

// stemOf stems a folded word, remembering the answer: news repeats its words, and stemming is a
// quarter of the matching time. The memory is bounded (a vocabulary past maxKept words is stemmed
// each time instead of kept).
func stemOf(folded string) stems {
	if st, ok := kept.Load(folded); ok {
		return st.(stems)
	}
	st := stems{id: StemIndonesian(folded), en: StemEnglish(folded)}
	if keptCount.Load() < maxKept {
		// A copy: the word may be a slice of a long article that would otherwise stay in memory.
		if _, loaded := kept.LoadOrStore(strings.Clone(folded), st); !loaded {
			keptCount.Add(1)
		}
	}
	return st
}

const maxKept = 200_000

var (
	kept      sync.Map
	keptCount atomic.Int64
)
