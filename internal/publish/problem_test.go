package publish

import (
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/i18n"
)

// A broken rule found just before publishing is stored and told later in each reader's language,
// with its counts as counts and its sizes as sizes.
func TestStoredProblemReadsBackInBothLanguages(t *testing.T) {
	b, err := i18n.NewBundle(channel.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	v := channel.Variant{Network: channel.Bluesky, Text: "Foto", Media: []channel.Media{{Kind: channel.KindImage, Bytes: 3_500_000, Alt: "Banjir"}}}
	probs := channel.Check(v, channel.CountOptions{})
	if len(probs) != 1 {
		t.Fatalf("problems %+v", probs)
	}
	back, ok := decodeProblem(encodeProblem(probs[0]))
	if !ok {
		t.Fatal("the stored problem did not read back")
	}
	for lang, want := range map[string]string{"en": probs[0].Message(b.Locale("en", time.UTC)), "id": probs[0].Message(b.Locale("id", time.UTC))} {
		if got := back.Message(b.Locale(lang, time.UTC)); got != want || got == "" {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if _, ok := decodeProblem("not json"); ok {
		t.Error("garbage read back as a problem")
	}
}
