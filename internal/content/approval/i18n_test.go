package approval_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

// Every key this package names, in its templates, its Go code and its audit actions, and every
// key it builds at run time (modes, rules, outcomes, link states), is in both languages. (The
// app's catalog test does the same once the catalog is wired; this one runs before.)
func TestKeysHaveWords(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common, channel.Catalog, content.Catalog, approval.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	check := func(where, key string) {
		if !b.Has(key) {
			t.Errorf("%s uses %q, which is not in both catalogs", where, key)
		}
	}
	inTemplate := regexp.MustCompile(`\bT "([a-z0-9_.]+)"`)
	inGo := regexp.MustCompile(`(?:\bT\(|Fail\([^,()]+, |AddFlash\(r, "[a-z]+", |Key:\s*|\.html", |tell\([^"]+")"([a-z]+\.[a-z0-9_.]+)"`)
	action := regexp.MustCompile(`\.Entry\([^,]+, "([a-z_]+\.[a-z_]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	goFiles, _ := filepath.Glob("*.go")
	n := 0
	for _, f := range append(files, goFiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		re := inGo
		if strings.HasSuffix(f, ".html") {
			re = inTemplate
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			n++
			if !strings.HasSuffix(m[1], ".html") {
				check(f, m[1])
			}
		}
		for _, m := range action.FindAllStringSubmatch(string(src), -1) {
			check(f, "audit."+m[1])
		}
	}
	if n < 100 {
		t.Errorf("found only %d keys", n)
	}
	built := []string{"audit.approval.approved", "audit.approval.rejected", "approval.notice.stale", "approval.notice.stale_again",
		"nav.content.approvals", "settings.approvals_hint", "approval.links.state.active", "approval.links.state.expired", "approval.links.state.revoked"}
	for _, m := range approval.Modes {
		built = append(built, "approval.mode."+string(m), "approval.mode_hint."+string(m))
	}
	for _, r := range []approval.Rule{approval.Any, approval.All} {
		built = append(built, "approval.rule."+string(r))
	}
	for _, o := range []approval.Outcome{approval.OutcomeApproved, approval.OutcomeNextStep, approval.OutcomeRecorded, approval.OutcomeRejected} {
		built = append(built, "approval.outcome."+string(o))
	}
	for _, k := range built {
		check("run time", k)
	}
}
