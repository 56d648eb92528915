package press_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/press"
)

// Every word the pages and the code name is in both catalogs: the literal keys in templates and
// Go files, the keys built from a value (a consent status, an outlet type…), and the audit log's
// "audit.<action>" for every action recorded.
func TestCatalogCoversKeys(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common, press.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	literal := regexp.MustCompile(`"((?:press|form|error)\.[a-z_.]*[a-z_])"`)
	action := regexp.MustCompile(`\.Entry\([^,]+, (?:"([a-z_]+\.[a-z_]+)"|action)`)
	n := 0
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			if m[1] == "press.write" || m[1] == "press.manage" || m[1] == "press.view" || strings.HasPrefix(m[1], "press.contact_e") || b.Has("audit."+m[1]) {
				continue // permissions and audit actions, not words
			}
			n++
			if !b.Has(m[1]) {
				t.Errorf("%s uses %s, which is not in both catalogs", f, m[1])
			}
		}
		for _, m := range action.FindAllStringSubmatch(string(src), -1) {
			if m[1] != "" && !b.Has("audit."+m[1]) {
				t.Errorf("%s records %s without audit.%s", f, m[1], m[1])
			}
		}
	}
	if n < 100 {
		t.Errorf("found only %d keys", n)
	}
	for prefix, values := range map[string][]string{
		"press.consent.status.": press.ConsentStatuses, "press.consent.basis.": press.ConsentBases, "press.social.": press.SocialKeys,
		"press.outlet_type.": press.OutletTypes, "press.dewan_pers.": press.DewanPers, "press.suppression.reason.": press.SuppressionReasons,
		"press.event.": press.EventKinds, "press.sort.": append(append(append([]string{}, press.Sorts...), press.OutletSorts...), append(press.ListSorts, press.SegmentSorts...)...), "press.segment.field.": press.SegmentFields,
		"press.bounce.": {"hard", "soft"}, "audit.press.": {"segment_created", "segment_updated"},
	} {
		for _, v := range values {
			if !b.Has(prefix + v) {
				t.Errorf("%s%s is missing", prefix, v)
			}
		}
	}
}
