package newsroom

import "testing"

// The newsroom's colours stay readable whatever the organisation picks: white text on a dark
// brand colour, black on a light one; an accent too light for text on white is replaced.
func TestColoursStayReadable(t *testing.T) {
	for _, c := range []struct{ brand, text string }{{"#0b5394", "#ffffff"}, {"#7a1f1f", "#ffffff"}, {"#ffd500", "#111111"}, {"#f6f7f9", "#111111"}} {
		if got := readableOn(c.brand); got != c.text {
			t.Errorf("text on %s: %s, want %s", c.brand, got, c.text)
		}
	}
	if got := darkEnough("#b45309"); got != "#b45309" {
		t.Errorf("a dark enough accent was replaced: %s", got)
	}
	if got := darkEnough("#ffd500"); got != "#333333" {
		t.Errorf("a yellow accent is used for text on white: %s", got)
	}
}

// Topic addresses are plain ASCII whatever the name: feeds and filters link to them.
func TestTopicAddresses(t *testing.T) {
	for name, want := range map[string]string{"Pelayanan Publik": "pelayanan-publik", "Kesehatan & Gizi Anak": "kesehatan-gizi-anak",
		"Économie créative": "economie-creative", "  ": "topik", "<script>": "script"} {
		if got := slugify(name); got != want {
			t.Errorf("slugify(%q) = %q, want %q", name, got, want)
		}
	}
}
