package subscribe_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

// Both languages have the same words, every key the package names exists, and every audit action
// it records has its words.
func TestCatalogs(t *testing.T) {
	keys := func(lang string) map[string]bool {
		raw, err := os.ReadFile(filepath.Join("i18n", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for k := range m {
			out[k] = true
			if !strings.HasPrefix(k, "subscribe.") && !strings.HasPrefix(k, "audit.subscribe.") {
				t.Errorf("%s.json: %s is outside subscribe.*", lang, k)
			}
		}
		return out
	}
	en, id := keys("en"), keys("id")
	for k := range en {
		if !id[k] {
			t.Errorf("%s is missing in id.json", k)
		}
	}
	for k := range id {
		if !en[k] {
			t.Errorf("%s is missing in en.json", k)
		}
	}
	b, err := i18n.NewBundle(catalog.Common, subscribe.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	goKey := regexp.MustCompile(`(?:\bT\(|Fail\([^,()]+, |AddFlash\(r, "[a-z]+", |Key:\s*|\.html", |return |"[a-z_]+": )"((?:subscribe|form|error|lang)\.[a-z0-9_.]+)"`)
	action := regexp.MustCompile(`\.Entry\([^,]+, "([a-z_]+\.[a-z_]+)"`)
	tmplKey := regexp.MustCompile(`\bT "([a-z0-9_.]+)"`)
	files, _ := filepath.Glob("*.go")
	tmpls, _ := filepath.Glob("templates/*.html")
	actions := 0
	for _, f := range append(files, tmpls...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []*regexp.Regexp{goKey, tmplKey} {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if !b.Has(m[1]) {
					t.Errorf("%s uses %s, which is not in both catalogs", f, m[1])
				}
			}
		}
		for _, m := range action.FindAllStringSubmatch(string(src), -1) {
			actions++
			if !b.Has("audit." + m[1]) {
				t.Errorf("%s records %s, which has no audit.%s in both catalogs", f, m[1], m[1])
			}
		}
	}
	if actions < 3 {
		t.Errorf("found only %d audit actions", actions)
	}
}
