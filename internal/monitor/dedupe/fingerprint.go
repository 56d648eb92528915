package dedupe

import (
	"math/bits"
	"unicode"
	"unicode/utf8"

	"warta.dev/warta/internal/monitor/query"
)

// shingle is the number of consecutive words hashed together. Three words keep the order of a
// sentence (two reports of one flood share their words, not their sentences) while one changed
// word changes only three of the article's features.
const shingle = 3

// Fingerprint is the 64-bit SimHash (Charikar 2002) of text's word 3-shingles: each run of three
// consecutive words, read and folded as query.Tokenize reads them (runs of letters and digits,
// lower case, no diacritics), is hashed to 64 bits, and bit i of the fingerprint is set when bit
// i is set in more than half of the shingles. Texts that share most of their shingles get
// fingerprints a few bits apart: see NearDistance. A text of fewer than three words is one
// shingle. Empty text, or text without a word, gives 0.
//
// The hash is FNV-1a of each word mixed with SplitMix64's finaliser, fixed here, so fingerprints
// may be stored and compared across processes and versions. Words are hashed where they stand
// (query.Fold is called only for words with non-ASCII letters), so a fingerprint allocates
// nothing for most text.
func Fingerprint(text string) uint64 {
	var s simhash
	start, nonASCII := -1, false
	for i := 0; i < len(text); {
		c := text[i]
		size, isWord := 1, false
		if c < utf8.RuneSelf {
			isWord = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			isWord = unicode.IsLetter(r) || unicode.IsDigit(r) || start >= 0 && unicode.Is(unicode.Mn, r)
			nonASCII = nonASCII || isWord
		}
		if isWord && start < 0 {
			start = i
		} else if !isWord && start >= 0 {
			s.word(text[start:i], nonASCII)
			start, nonASCII = -1, false
		}
		i += size
	}
	if start >= 0 {
		s.word(text[start:], nonASCII)
	}
	return s.sum()
}

// simhash adds up the bits of the shingle hashes. Bit i of a hash is added into byte lane i/8 of
// lanes[i%8]: eight additions per shingle instead of 64. A lane holds up to 255, so the lanes are
// emptied into counts before.
type simhash struct {
	h0, h1  uint64 // the two words before
	words   int
	first   uint64 // the hash of a text of fewer than three words
	lanes   [8]uint64
	pending int
	counts  [64]int
	n       int
}

func (s *simhash) word(w string, nonASCII bool) {
	var h uint64
	if nonASCII {
		h = hashWord(query.Fold(w))
	} else {
		h = hashLowerASCII(w)
	}
	s.words++
	if s.words <= 2 {
		s.first = mix(s.first ^ h)
	}
	if s.words >= shingle {
		sh := mix(s.h0*0x9e3779b97f4a7c15 ^ bits.RotateLeft64(s.h1, 21) ^ bits.RotateLeft64(h, 42))
		const lowBits = 0x0101010101010101
		for j := range s.lanes {
			s.lanes[j] += sh >> j & lowBits
		}
		s.n++
		if s.pending++; s.pending == 255 {
			s.flush()
		}
	}
	s.h0, s.h1 = s.h1, h
}

func (s *simhash) flush() {
	for j, acc := range s.lanes {
		for k := range 8 {
			s.counts[j+8*k] += int(acc >> (8 * k) & 0xff)
		}
	}
	s.lanes, s.pending = [8]uint64{}, 0
}

func (s *simhash) sum() uint64 {
	if s.words < shingle {
		return s.first // 0 for no words
	}
	s.flush()
	var fp uint64
	for i, c := range s.counts {
		if 2*c > s.n {
			fp |= 1 << i
		}
	}
	return fp
}

// Distance is the number of bits in which two fingerprints differ (their Hamming distance).
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashWord(w string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint64(w[i])) * fnvPrime
	}
	return mix(h)
}

// hashLowerASCII is hashWord of w in lower case, for ASCII w.
func hashLowerASCII(w string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * fnvPrime
	}
	return mix(h)
}

// mix is SplitMix64's finaliser: every input bit reaches every output bit.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
