package query

import (
	"strings"
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
func Tokenize(text string) []Token {
	var out []Token
	for i := 0; ; {
		start, end, _ := nextWord(text, i)
		if start == end {
			return out
		}
		out = append(out, Token{Text: Fold(text[start:end]), Start: start, End: end})
		i = end
	}
}

// Kinds of word nextWord finds: how much work folding it takes.
const (
	wordLower   = iota // ASCII letters and digits, no capital: already folded
	wordASCII          // ASCII with capitals: lower them byte by byte
	wordUnicode        // anything else: Fold
)

// asciiClass tells, per ASCII byte, whether it is part of a word and whether it is a capital.
var asciiClass = func() (c [utf8.RuneSelf]uint8) {
	for b := '0'; b <= '9'; b++ {
		c[b] = 1
	}
	for b := 'a'; b <= 'z'; b++ {
		c[b] = 1
		c[b-'a'+'A'] = 2
	}
	return c
}()

// nextWord finds the first word of text at or after byte i; start == end when there is none. It is
// the one definition of a word, for Tokenize and the matcher's allocation-free reading alike.
func nextWord(text string, i int) (start, end, kind int) {
	for i < len(text) {
		if c := text[i]; c < utf8.RuneSelf {
			if asciiClass[c] != 0 {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) { // a mark before any letter separates
			break
		}
		i += size
	}
	start, kind = i, wordLower
	for i < len(text) {
		if c := text[i]; c < utf8.RuneSelf {
			switch asciiClass[c] {
			case 0:
				return start, i, kind
			case 2:
				kind = max(kind, wordASCII)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
			break
		}
		kind = wordUnicode
		i += size
	}
	return start, i, kind
}

// appendLower appends an ASCII word lowered, as Fold would return it.
func appendLower(dst []byte, word string) []byte {
	for i := 0; i < len(word); i++ {
		c := word[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// Fold lowers a word and removes its diacritics, so "Café", "CAFE" and "cafe" are the same word.
// Plain lower-case ASCII, most of any Indonesian text, comes back without copying.
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

// stemOf stems a folded word both ways. Nothing is remembered here: a Matcher remembers, per text
// word it has seen, the terms it matches, which saves the stemming and the index look-ups at once.
func stemOf(folded string) stems {
	return stems{id: StemIndonesian(folded), en: StemEnglish(folded)}
}
