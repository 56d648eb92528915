package pitch_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/press/pitch"
)

// Both languages have the same words, and every audit action this package records has its words.
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
	b, err := i18n.NewBundle(catalog.Common, pitch.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	action := regexp.MustCompile(`\.Entry\([^,]+, "([a-z_]+\.[a-z_]+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range action.FindAllStringSubmatch(string(src), -1) {
			n++
			if !b.Has("audit." + m[1]) {
				t.Errorf("%s records %s, which has no audit.%s in both catalogs", f, m[1], m[1])
			}
		}
	}
	if n < 5 {
		t.Errorf("found only %d audit actions", n)
	}
}
