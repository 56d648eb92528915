package query

import (
	"fmt"
	"strings"
	"testing"
)

// The matcher's memory of words stays bounded however many new words the news brings, and
// forgetting changes no answer.
func TestMatcherMemoryBounded(t *testing.T) {
	q, err := Parse(`banjir "jakarta utara"`)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(map[int64]*Query{1: q})
	bounded := func(when string) {
		if len(m.known) > maxKnown || len(m.old) > maxKnown {
			t.Errorf("%s: the matcher remembers %d + %d words, at most %d + %d wanted", when, len(m.known), len(m.old), maxKnown, maxKnown)
		}
	}
	news := "Kebanjiran lagi, warga Jakarta Utara mengungsi"
	for round := range 3 {
		var b strings.Builder
		for i := range maxKnown * 2 / 3 {
			fmt.Fprintf(&b, "kata%d-%d ", round, i)
		}
		for _, text := range []string{b.String(), news} {
			if got := m.Match(text + " Banjir di Jakarta Utara"); len(got) != 1 || len(got[0].Hits) < 2 {
				t.Errorf("round %d: %v", round, got)
			}
		}
		bounded(fmt.Sprintf("round %d", round))
	}
	var b strings.Builder
	for i := range maxKnown + 1000 {
		fmt.Fprintf(&b, "baru%d ", i)
	}
	m.Match(b.String())
	bounded("a text of more new words than the bound")
}
