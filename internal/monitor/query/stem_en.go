package query

import "strings"

// StemEnglish is a light English stemmer, not full Porter2: it removes inflection only (plural
// -s/-es/-ies, -ed, -ing, a final -e) so that "floods", "flooded" and "flooding" meet at "flood"
// and "make", "makes" and "making" at "mak". Derivational endings (-ation, -ness) are left alone:
// they change meaning more often than a monitoring query wants. Words that are not plain ASCII
// letters are not English and come back as they are.
func StemEnglish(w string) string {
	if len(w) <= 3 || englishExceptions[w] {
		return w
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return w
		}
	}
	n := len(w)
	switch {
	case strings.HasSuffix(w, "ies") && n > 4:
		w = w[:n-3] // policies → polic, like policy below
	case strings.HasSuffix(w, "ied") && n > 4:
		w = w[:n-3] // studied → stud, like study below
	case strings.HasSuffix(w, "sses"):
		w = w[:n-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
	case strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "zes"):
		w = w[:n-2]
	case strings.HasSuffix(w, "as") && !isVowel(w[n-3]):
		// Indonesian has many roots in consonant+"as" (keras, batas, tugas); cutting the s would
		// make "keras" (hard) match "kera" (monkey). English loses "dramas" → "drama".
	case w[n-1] == 's':
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case strings.HasSuffix(w, "ing") && n >= 6 && hasVowel(w[:n-3]):
		w = undouble(w[:n-3])
	case strings.HasSuffix(w, "ed") && n >= 5 && hasVowel(w[:n-2]):
		w = undouble(w[:n-2])
	}
	if n = len(w); n > 3 && (w[n-1] == 'e' || w[n-1] == 'y') {
		w = w[:n-1]
	}
	return w
}

// englishExceptions end like inflections but are not.
var englishExceptions = map[string]bool{"news": true, "this": true, "thus": true, "series": true, "species": true}

func hasVowel(s string) bool { return strings.ContainsAny(s, "aeiouy") }

// undouble turns "runn" (from running) into "run"; ll, ss and zz stay (falling → fall).
func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !isVowel(w[n-1]) && !strings.ContainsRune("lsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}
