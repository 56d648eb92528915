package kit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

// Both languages have the same words; every key the templates and the code name, and every
// audit action recorded here, has its words.
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
	b, err := i18n.NewBundle(catalog.Common, medialib.Catalog, kit.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	check := func(where, key string) {
		if !b.Has(key) {
			t.Errorf("%s names %q, which is not in both catalogs", where, key)
		}
	}
	tmpls, _ := filepath.Glob("templates/*.html")
	inTemplate := regexp.MustCompile(`\bT "([a-z0-9_.]+)"`)
	for _, name := range tmpls {
		src, _ := os.ReadFile(name)
		for _, m := range inTemplate.FindAllStringSubmatch(string(src), -1) {
			check(name, m[1])
		}
	}
	files, _ := filepath.Glob("*.go")
	action := regexp.MustCompile(`\.Entry\([^,]+, "([a-z_]+\.[a-z_]+)"`)
	literal := regexp.MustCompile(`"((?:kit|form)\.[a-z0-9_.]+)"`)
	actions := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		raw, _ := os.ReadFile(f)
		src := string(raw)
		recorded := map[string]bool{}
		for _, m := range action.FindAllStringSubmatch(src, -1) {
			actions++
			recorded[m[1]] = true
			check(f, "audit."+m[1])
		}
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			if !recorded[m[1]] && !strings.HasSuffix(m[1], ".html") {
				check(f, m[1])
			}
		}
	}
	if actions < 8 {
		t.Errorf("found only %d audit actions", actions)
	}
}
