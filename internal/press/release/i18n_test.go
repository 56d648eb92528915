package release_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/press/release"
)

// Every key this package names is in both catalogs, and every action it audits has its words.
func TestCatalogKeys(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common, release.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	en, id := b.Keys("en"), b.Keys("id")
	if strings.Join(en, ",") != strings.Join(id, ",") {
		t.Error("en.json and id.json have different keys")
	}
	files, _ := filepath.Glob("*.go")
	tmpl, _ := filepath.Glob("templates/*.html")
	key := regexp.MustCompile(`"(release\.[a-z_.0-9]+[a-z0-9_])"`)
	action := regexp.MustCompile(`\.Entry\(wsID, "(release\.[a-z_]+)"`)
	n := 0
	for _, f := range append(files, tmpl...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(src), -1) {
			if strings.HasSuffix(m[1], ".") || strings.HasSuffix(m[1], "_") { // a prefix completed at run time
				continue
			}
			n++
			if !b.Has(m[1]) && !b.Has("audit."+m[1]) {
				t.Errorf("%s names %s, which is not in both catalogs", f, m[1])
			}
		}
		for _, m := range action.FindAllStringSubmatch(string(src), -1) {
			if !b.Has("audit." + m[1]) {
				t.Errorf("%s records %s without audit.%s", f, m[1], m[1])
			}
		}
	}
	for _, o := range release.PostOffsets {
		if !b.Has("release.post.offset." + strconv.Itoa(o)) {
			t.Errorf("offset %d has no words", o)
		}
	}
	for _, lang := range i18n.Languages {
		if !b.Has("release.versions.add_" + lang) {
			t.Errorf("no words to add a version in %s", lang)
		}
	}
	for _, e := range release.EmbargoFilters {
		if !b.Has("release.filter.embargo." + e) {
			t.Errorf("embargo filter %s has no words", e)
		}
	}
	if n < 50 {
		t.Errorf("found only %d keys", n)
	}
}
