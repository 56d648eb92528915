package corpus_test

import (
	"bytes"
	"html"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"warta.dev/warta/internal/monitor/corpus"
)

var start = time.Date(2026, 11, 20, 8, 0, 0, 0, time.FixedZone("WIB", 7*3600))

func TestGenerateIsDeterministic(t *testing.T) {
	a := corpus.Generate(42, 30, "id", "https://news.example/id", start)
	b := corpus.Generate(42, 30, "id", "https://news.example/id", start)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different articles")
	}
	if short := corpus.Generate(42, 7, "id", "https://news.example/id", start); !reflect.DeepEqual(short, a[:7]) {
		t.Error("a shorter run is not the start of a longer one")
	}
	if other := corpus.Generate(43, 30, "id", "https://news.example/id", start); reflect.DeepEqual(other, a) {
		t.Error("another seed gave the same articles")
	}
	if !a[0].Published.Equal(start) {
		t.Errorf("first article at %v, want %v", a[0].Published, start)
	}
	guids, urls := map[string]bool{}, map[string]bool{}
	for i, x := range a {
		if i > 0 && !x.Published.After(a[i-1].Published) {
			t.Errorf("article %d is not newer than the one before", i)
		}
		if guids[x.GUID] || urls[x.URL] || !strings.HasPrefix(x.URL, "https://news.example/id/") {
			t.Errorf("article %d: GUID %q or URL %q repeated or off base", i, x.GUID, x.URL)
		}
		guids[x.GUID], urls[x.URL] = true, true
	}
}

func TestGenerateLanguages(t *testing.T) {
	// Words every story of a language uses and the other language does not.
	marker := map[string][]string{"id": {" dan "}, "en": {" the ", " and "}}
	other := map[string]string{"id": "en", "en": "id"}
	for _, lang := range []string{"id", "en"} {
		for seed := range int64(20) {
			for _, a := range corpus.Generate(seed, 25, lang, "https://news.example", start) {
				if a.Lang != lang {
					t.Fatalf("%s article has Lang %q", lang, a.Lang)
				}
				checkArticle(t, a)
				for _, w := range marker[lang] {
					if !strings.Contains(a.Body, w) {
						t.Errorf("%s article %q has no %q", lang, a.Title, w)
					}
				}
				for _, w := range marker[other[lang]] {
					if strings.Contains(a.Body, w) {
						t.Errorf("%s article %q has %q", lang, a.Title, w)
					}
				}
			}
		}
	}
	mixed := corpus.Generate(1, 6, "", "https://news.example", start)
	for i, a := range mixed {
		if want := []string{"id", "en"}[i%2]; a.Lang != want {
			t.Errorf("mixed article %d in %s, want %s", i, a.Lang, want)
		}
	}
}

// checkArticle asserts what a reader of a generated story would notice.
func checkArticle(t *testing.T, a corpus.Article) {
	t.Helper()
	for _, s := range []string{a.Title, a.Summary, a.Body} {
		if strings.ContainsAny(s, "{}") {
			t.Errorf("unfilled slot in %q", s)
		}
		// The demo's monitoring topics must only match the fixtures.
		if strings.Contains(s, "Sukamaju") || strings.Contains(s, "Sumberjaya") {
			t.Errorf("generated text names the demo's places: %q", s)
		}
	}
	if n := utf8.RuneCountInString(a.Body); n < 1000 || n > 2000 {
		t.Errorf("body of %q has %d characters, want 1,000 to 2,000", a.Title, n)
	}
	seen := map[string]bool{}
	for p := range strings.SplitSeq(a.Body, "\n\n") {
		for s := range strings.SplitSeq(p, ". ") {
			if seen[s] {
				t.Errorf("story %q says twice: %q", a.Title, s)
			}
			seen[s] = true
		}
	}
	if a.Title == "" || a.Author == "" || !strings.Contains(a.Body, a.Summary) || strings.Count(a.Body, "\n\n") < 4 {
		t.Errorf("article lacks a title, author, lead or paragraphs: %+v", a)
	}
}

func TestGenerateVariety(t *testing.T) {
	titles, sentences := map[string]bool{}, map[string]bool{}
	for _, lang := range []string{"id", "en"} {
		for _, a := range corpus.Generate(7, 400, lang, "https://news.example", start) {
			titles[a.Title] = true
			for p := range strings.SplitSeq(a.Body, "\n\n") {
				for s := range strings.SplitSeq(p, ". ") {
					sentences[s] = true
				}
			}
		}
	}
	t.Logf("800 articles: %d distinct titles, %d distinct sentences", len(titles), len(sentences))
	if len(titles) < 600 || len(sentences) < 3000 {
		t.Errorf("800 articles have %d distinct titles and %d distinct sentences", len(titles), len(sentences))
	}
}

func TestRSSParses(t *testing.T) {
	items := corpus.Generate(5, 4, "id", "https://news.example/berita", start)
	items[0].Body = `"Kami <siap>," kata Wali Kota & warga.` + "\n\n" + items[0].Body
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(corpus.RSS("Berita Contoh", "https://news.example", items)))
	if err != nil {
		t.Fatal(err)
	}
	if feed.Title != "Berita Contoh" || feed.Language != "id" || len(feed.Items) != len(items) {
		t.Fatalf("feed %q in %q with %d items", feed.Title, feed.Language, len(feed.Items))
	}
	for i, got := range feed.Items {
		want := items[i]
		if got.Title != want.Title || got.Link != want.URL || got.GUID != want.GUID || got.Description != want.Summary {
			t.Errorf("item %d: got %q %q %q", i, got.Title, got.Link, got.GUID)
		}
		if got.PublishedParsed == nil || !got.PublishedParsed.Equal(want.Published.Truncate(time.Second)) {
			t.Errorf("item %d published %v, want %v", i, got.PublishedParsed, want.Published)
		}
		if len(got.Authors) == 0 || got.Authors[0].Name != want.Author {
			t.Errorf("item %d authors %v, want %s", i, got.Authors, want.Author)
		}
		for p := range strings.SplitSeq(want.Body, "\n\n") {
			if !strings.Contains(got.Content, "<p>"+html.EscapeString(p)+"</p>") {
				t.Errorf("item %d content lacks paragraph %q", i, p)
			}
		}
	}
	mixed := corpus.RSS("x", "https://news.example", corpus.Generate(5, 2, "", "https://news.example", start))
	if feed, err := gofeed.NewParser().Parse(bytes.NewReader(mixed)); err != nil || feed.Language != "" {
		t.Errorf("a feed in two languages says %q (%v)", feed.Language, err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		corpus.Generate(1, 100, "", "https://news.example", start)
	}
}
