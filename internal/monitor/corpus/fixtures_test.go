package corpus_test

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"warta.dev/warta/internal/monitor/catalog"
	"warta.dev/warta/internal/monitor/corpus"
)

func parseFixtures(t *testing.T, now time.Time) map[string]*gofeed.Feed {
	t.Helper()
	out := map[string]*gofeed.Feed{}
	for key, data := range corpus.Fixtures(now) {
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		out[key] = feed
	}
	return out
}

func TestFixtures(t *testing.T) {
	now := time.Date(2027, 3, 4, 9, 30, 15, 0, time.UTC)
	feeds := parseFixtures(t, now)
	if len(feeds) < 6 {
		t.Errorf("%d fixture feeds, want 6: %v", len(feeds), slices.Sorted(maps.Keys(feeds)))
	}
	var newest time.Time
	var all []*gofeed.Item
	for key, feed := range feeds {
		entry, ok := catalog.Lookup(key)
		if !ok {
			t.Errorf("fixture %s is not in the catalogue", key)
		}
		if feed.Language != entry.Language {
			t.Errorf("%s: feed in %q, catalogue says %q", key, feed.Language, entry.Language)
		}
		if n := len(feed.Items); n < 8 || n > 20 {
			t.Errorf("%s has %d items, want 8 to 20", key, n)
		}
		for _, it := range feed.Items {
			if it.PublishedParsed == nil || it.Content == "" || it.Description == "" || len(it.Authors) == 0 {
				t.Errorf("%s: item %q lacks a date, content, summary or author", key, it.Title)
				continue
			}
			if it.PublishedParsed.After(newest) {
				newest = *it.PublishedParsed
			}
			all = append(all, it)
		}
	}
	if want := now.Add(-3 * time.Hour).Truncate(time.Minute); !newest.Equal(want) {
		t.Errorf("newest item at %v, want %v", newest, want)
	}

	// What makes the demo's monitoring look real.
	count := func(test func(it *gofeed.Item) bool) (n int) {
		for _, it := range all {
			if test(it) {
				n++
			}
		}
		return n
	}
	text := func(it *gofeed.Item) string { return it.Title + " " + it.Description + " " + it.Content }
	for _, c := range []struct {
		what string
		min  int
		test func(it *gofeed.Item) bool
	}{
		{"items confirming the health-check release", 3, func(it *gofeed.Item) bool {
			return strings.Contains(text(it), "cek kesehatan gratis") && strings.Contains(text(it), "30 puskesmas")
		}},
		{"items about Sukamaju", 30, func(it *gofeed.Item) bool { return strings.Contains(text(it), "Sukamaju") }},
		{"items about Sumberjaya", 4, func(it *gofeed.Item) bool { return strings.Contains(text(it), "Sumberjaya") }},
		{"items about neither", 6, func(it *gofeed.Item) bool {
			return !strings.Contains(text(it), "Sukamaju") && !strings.Contains(text(it), "Sumberjaya")
		}},
		{"syndicated copies with tracking parameters or AMP links", 4, func(it *gofeed.Item) bool {
			return strings.Contains(it.Link, "utm_source=") || strings.Contains(it.Link, "/amp/")
		}},
		{"English items", 8, func(it *gofeed.Item) bool { return strings.Contains(it.Link, "thejakartapost.com") }},
	} {
		if n := count(c.test); n < c.min {
			t.Errorf("%d %s, want at least %d", n, c.what, c.min)
		}
	}
}

func TestFixturesShiftEveryDateAlike(t *testing.T) {
	a := parseFixtures(t, time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC))
	b := parseFixtures(t, time.Date(2027, 1, 17, 18, 45, 0, 0, time.UTC))
	for key, feed := range a {
		for i, it := range feed.Items {
			if got := b[key].Items[i].PublishedParsed.Sub(*it.PublishedParsed); got != 7*24*time.Hour+6*time.Hour+45*time.Minute {
				t.Errorf("%s item %d moved by %v", key, i, got)
			}
		}
	}
	if !bytes.Equal(corpus.Fixtures(time.Unix(1e9, 0))["antara"], corpus.Fixtures(time.Unix(1e9, 0))["antara"]) {
		t.Error("the same now gave different fixtures")
	}
}
