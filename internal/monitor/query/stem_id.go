package query

import "strings"

// Prefix classes of the Indonesian stemmer. Which suffix may follow depends on which prefix was
// removed: Indonesian does not form ke-…-i or di-…-an, so such an ending is part of the root.
const (
	prefixNone = iota
	prefixDi   // di-, meng- and its variants, ter-
	prefixPer  // per-, pe-
	prefixKe   // ke-, peng- and its variants
	prefixBer  // ber-, be-
)

// StemIndonesian reduces a folded (lower-case, unaccented) Indonesian word to its stem with the
// Snowball Indonesian algorithm, the "Porter stemmer for Bahasa Indonesia" of Tala (2003). The
// algorithm needs no dictionary: it removes at most a particle (-kah -lah -pun), a possessive
// (-ku -mu -nya), a first-order prefix (meng- di- ter- ke- peng- and variants), a derivational
// suffix (-kan -an -i) and a second-order prefix (ber- per- pe-), and stops as soon as the word
// has two vowels or fewer left, so short roots are never cut.
func StemIndonesian(w string) string {
	// The paper's "measure" is the number of vowels; each removal takes one away.
	m := 0
	for i := 0; i < len(w); i++ {
		if isVowel(w[i]) {
			m++
		}
	}
	if m <= 2 {
		return w
	}
	if s, ok := cutSuffix(w, "kah", "lah", "pun"); ok {
		w, m = s, m-1
	}
	if m > 2 {
		if s, ok := cutSuffix(w, "nya", "ku", "mu"); ok {
			w, m = s, m-1
		}
	}
	if m <= 2 {
		return w
	}
	if s, prefix, ok := firstOrderPrefix(w); ok {
		w, m = s, m-1
		if m > 2 {
			w, m = removeSuffix(w, prefix, m)
		}
		if m > 2 {
			if s, _, ok := secondOrderPrefix(w); ok {
				w = s
			}
		}
		return w
	}
	prefix := prefixNone
	if s, p, ok := secondOrderPrefix(w); ok {
		w, m, prefix = s, m-1, p
	}
	if m > 2 {
		w, _ = removeSuffix(w, prefix, m)
	}
	return w
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// cutSuffix removes the first of the suffixes w ends with.
func cutSuffix(w string, suffixes ...string) (string, bool) {
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) {
			return w[:len(w)-len(s)], true
		}
	}
	return w, false
}

// firstOrderPrefix removes meng-, di-, ter-, ke-, peng- and their sound variants, longest first.
// A nasal prefix swallows the root's first consonant: meny+vowel was s (menyapu → sapu) and
// mem+vowel was p (memukul → pukul), so that letter is put back.
func firstOrderPrefix(w string) (string, int, bool) {
	vowelAt := func(i int) bool { return len(w) > i && isVowel(w[i]) }
	switch {
	case strings.HasPrefix(w, "meng"):
		return w[4:], prefixDi, true
	case strings.HasPrefix(w, "meny") && vowelAt(4):
		return "s" + w[4:], prefixDi, true
	case strings.HasPrefix(w, "men"):
		return w[3:], prefixDi, true
	case strings.HasPrefix(w, "mem"):
		if vowelAt(3) {
			return "p" + w[3:], prefixDi, true
		}
		return w[3:], prefixDi, true
	case strings.HasPrefix(w, "me"):
		return w[2:], prefixDi, true
	case strings.HasPrefix(w, "peng"):
		return w[4:], prefixKe, true
	case strings.HasPrefix(w, "peny") && vowelAt(4):
		return "s" + w[4:], prefixKe, true
	case strings.HasPrefix(w, "pen"):
		return w[3:], prefixKe, true
	case strings.HasPrefix(w, "pem"):
		if vowelAt(3) {
			return "p" + w[3:], prefixKe, true
		}
		return w[3:], prefixKe, true
	case strings.HasPrefix(w, "di"):
		return w[2:], prefixDi, true
	case strings.HasPrefix(w, "ter"):
		return w[3:], prefixDi, true
	case strings.HasPrefix(w, "ke"):
		return w[2:], prefixKe, true
	}
	return w, prefixNone, false
}

// secondOrderPrefix removes ber- and per- and their variants. "ajar" is the one root where the
// prefix becomes bel-/pel-; be- appears only before a consonant followed by "er" (bekerja).
func secondOrderPrefix(w string) (string, int, bool) {
	switch {
	case strings.HasPrefix(w, "belajar"):
		return w[3:], prefixBer, true
	case strings.HasPrefix(w, "pelajar"):
		return w[3:], prefixPer, true
	case strings.HasPrefix(w, "ber"):
		return w[3:], prefixBer, true
	case strings.HasPrefix(w, "per"):
		return w[3:], prefixPer, true
	case strings.HasPrefix(w, "be") && len(w) > 4 && !isVowel(w[2]) && w[3:5] == "er":
		return w[2:], prefixBer, true
	case strings.HasPrefix(w, "pe"):
		return w[2:], prefixPer, true
	}
	return w, prefixNone, false
}

// removeSuffix removes -kan, -an or -i unless the prefix already removed cannot combine with it;
// then the letters belong to the root. When -kan may not go, -an is tried (as the algorithm's
// longest-match rule does). An -i after s is kept: it is nearly always part of the root (kursi).
func removeSuffix(w string, prefix, m int) (string, int) {
	switch {
	case strings.HasSuffix(w, "kan") && prefix != prefixKe && prefix != prefixPer:
		return w[:len(w)-3], m - 1
	case strings.HasSuffix(w, "an") && prefix != prefixDi:
		return w[:len(w)-2], m - 1
	case strings.HasSuffix(w, "i") && prefix <= prefixPer && len(w) > 1 && w[len(w)-2] != 's':
		return w[:len(w)-1], m - 1
	}
	return w, m
}
