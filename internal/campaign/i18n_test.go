package campaign_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

// The audit log shows each action through "audit.<action>": every action this package records has
// its words in both languages. (The app's catalog test checks the pages' keys.)
func TestAuditActionsHaveWords(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common, campaign.Catalog)
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
	if n < 4 {
		t.Errorf("found only %d audit actions", n)
	}
	// The archive and restore actions are chosen at run time, not written in an Entry call.
	for _, a := range []string{"campaign.archived", "campaign.restored"} {
		if !b.Has("audit." + a) {
			t.Errorf("audit.%s is missing", a)
		}
	}
}
