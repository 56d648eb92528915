package fetch_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/platform/i18n"
)

// Both languages have the same keys, every key the code names is in them, every key in them is
// used, and every message renders with its arguments in both languages.
func TestCatalogs(t *testing.T) {
	keys := func(lang string) map[string]string {
		raw, err := os.ReadFile(filepath.Join("i18n", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if !strings.HasPrefix(k, "monitor.fetch.") {
				t.Errorf("%s.json: %s is outside monitor.fetch.*", lang, k)
			}
		}
		return m
	}
	en, id := keys("en"), keys("id")
	for k := range en {
		if _, ok := id[k]; !ok {
			t.Errorf("%s is missing in id.json", k)
		}
	}
	for k := range id {
		if _, ok := en[k]; !ok {
			t.Errorf("%s is missing in en.json", k)
		}
	}

	used := map[string]bool{}
	literal := regexp.MustCompile(`"(monitor\.fetch\.[a-z0-9_.]*[a-z0-9_])"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s uses %s, which is not in the catalogs", f, m[1])
			}
		}
	}
	for k := range en {
		if !used[k] {
			t.Errorf("%s is in the catalogs but no code uses it", k)
		}
	}
	if len(used) < 25 {
		t.Errorf("found only %d keys in the code", len(used))
	}

	b, err := i18n.NewBundle(fetch.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	args := []any{"URL", "kabar.example", "Feed", "https://kabar.example/feed/", "Page", true, "IsFeed", true,
		"Type", "application/pdf", "Line", 5, "Charset", "x-klingon", "Status", 503, "Minutes", 2, "Host", "kabar.example",
		"Network", "Mastodon", "Aggregator", "altavista", "Kind", "telegram"}
	for _, lang := range i18n.Languages {
		l := b.Locale(lang, nil)
		for k := range en {
			got := l.T(k, args...)
			if got == k || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
				t.Errorf("%s in %s renders as %q", k, lang, got)
			}
		}
	}
	// The arguments show where they belong.
	for lang, want := range map[string]string{"en": "add https://kabar.example/feed/ instead", "id": "tambahkan https://kabar.example/feed/"} {
		if got := b.Locale(lang, nil).T(fetch.ErrNotAFeed, args...); !strings.Contains(got, want) {
			t.Errorf("not_a_feed in %s: %q", lang, got)
		}
	}
	// An error from a real fetch renders through Pairs.
	srv := serve(t, "text/html", articlePage)
	fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	if got := b.Locale("id", nil).T(fe.Key, fe.Pairs()...); !strings.Contains(got, "halaman web biasa") || !strings.Contains(got, srv.URL+"/feed/") {
		t.Errorf("not_a_feed from a fetch: %q", got)
	}
	if got := b.Locale("id", nil).T(fetch.ErrBrokenXML, "Line", 0); strings.Contains(got, "baris") {
		t.Errorf("broken_xml without a line still names one: %q", got)
	}
}
