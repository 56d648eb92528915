package importer_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/press/importer"
	"warta.dev/warta/internal/press/tabular"
)

// Every key the pages, the rows' problems, tabular's errors and the audit log use has words in both
// languages, and the two catalogs hold the same keys.
func TestCatalogsAreComplete(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common, importer.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, lang := range []string{"en", "id"} {
		raw, err := os.ReadFile(filepath.Join("i18n", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			keys[lang+":"+k] = true
			other := map[string]string{"en": "id", "id": "en"}[lang]
			defer func(k string) {
				if !keys[other+":"+k] {
					t.Errorf("%s is in %s.json but not in %s.json", k, lang, other)
				}
			}(k)
		}
	}
	var used []string
	files, _ := filepath.Glob("*.go")
	tpls, _ := filepath.Glob("templates/*.html")
	tabs, _ := filepath.Glob("../tabular/*.go")
	literal := regexp.MustCompile(`"((?:importer|audit\.importer)\.[a-z_.]+[a-z_])"`)
	for _, f := range append(append(files, tpls...), tabs...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			used = append(used, m[1])
		}
		for _, m := range regexp.MustCompile(`\.Entry\([^,]+, "([a-z_]+\.[a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
			used = append(used, "audit."+m[1])
		}
	}
	for _, f := range tabular.ImportFields {
		used = append(used, "importer.field."+f)
	}
	for _, s := range importer.States {
		used = append(used, "importer.state."+s)
	}
	for _, k := range used {
		if k == "importer.created" {
			continue // an audit action name, checked as audit.importer.created
		}
		if !b.Has(k) {
			t.Errorf("%s has no words in both catalogs", k)
		}
	}
}
