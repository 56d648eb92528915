package app_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/platform/i18n"
)

func bundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.NewBundle(app.Catalogs()...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Both languages have every key.
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	b := bundle(t)
	en, id := b.Keys("en"), b.Keys("id")
	in := func(keys []string) map[string]bool {
		m := map[string]bool{}
		for _, k := range keys {
			m[k] = true
		}
		return m
	}
	enSet, idSet := in(en), in(id)
	for _, k := range en {
		if !idSet[k] {
			t.Errorf("%s is in en but not in id", k)
		}
	}
	for _, k := range id {
		if !enSet[k] {
			t.Errorf("%s is in id but not in en", k)
		}
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for !exists(filepath.Join(dir, "go.mod")) {
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
	return dir
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func files(t *testing.T, suffix string, under ...string) map[string]string {
	t.Helper()
	root := repoRoot(t)
	out := map[string]string{}
	for _, u := range under {
		_ = filepath.WalkDir(filepath.Join(root, u), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == "node_modules" {
				return filepath.SkipDir // a test peer's packages (the Bluesky PDS), not Warta's
			}
			if err != nil || d.IsDir() || !strings.HasSuffix(p, suffix) {
				return err
			}
			raw, err := os.ReadFile(p)
			if err == nil {
				rel, _ := filepath.Rel(root, p)
				out[rel] = string(raw)
			}
			return err
		})
	}
	return out
}

var (
	action    = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	comment   = regexp.MustCompile(`(?s)<!--.*?-->`)
	tag       = regexp.MustCompile(`(?s)<[^>]*>`)
	entity    = regexp.MustCompile(`&[a-z]+;|&#\d+;`)
	letters   = regexp.MustCompile(`\p{L}{2,}`)
	visible   = regexp.MustCompile(`\b(title|placeholder|aria-label|alt|data-confirm)="([^"]*)"`)
	inCode    = regexp.MustCompile(`(?s)<(pre|code)[^>]*>.*?</(pre|code)>`)
	keyInTmpl = regexp.MustCompile(`\bT "([a-z0-9_.]+)"`)
)

// No template holds words a user reads outside the catalogs: text between tags, and attributes
// people see (title, placeholder, aria-label, alt, confirmations), must come from T.
func TestTemplatesHoldNoTextOutsideCatalogs(t *testing.T) {
	tmpls := files(t, ".html", "internal")
	if len(tmpls) < 10 {
		t.Fatalf("found only %d templates", len(tmpls))
	}
	for name, src := range tmpls {
		s := comment.ReplaceAllString(src, "")
		s = action.ReplaceAllString(s, "")
		for _, m := range visible.FindAllStringSubmatch(s, -1) {
			if letters.MatchString(m[2]) {
				t.Errorf("%s: %s=%q is text outside the catalogs", name, m[1], m[2])
			}
		}
		s = inCode.ReplaceAllString(s, "") // commands and code samples are not prose
		s = tag.ReplaceAllString(s, " ")
		s = entity.ReplaceAllString(s, " ")
		for _, w := range letters.FindAllString(s, -1) {
			t.Errorf("%s: %q is text outside the catalogs", name, w)
		}
	}
}

// Every key a template or Go code names exists in the catalogs.
func TestEveryKeyUsedExists(t *testing.T) {
	b := bundle(t)
	check := func(where, key string) {
		if !b.Has(key) {
			t.Errorf("%s uses %q, which is not in both catalogs", where, key)
		}
	}
	for name, src := range files(t, ".html", "internal") {
		for _, m := range keyInTmpl.FindAllStringSubmatch(src, -1) {
			check(name, m[1])
		}
	}
	// Audit actions are shown through "audit.<action>".
	auditAction := regexp.MustCompile(`\.[Ee]ntry\([^,]+, "([a-z_]+\.[a-z_]+)"`)
	goKey := regexp.MustCompile(`(?:\bT\(|Fail\([^,()]+, |AddFlash\(r, "[a-z]+", |Key:\s*|\.html", )"([a-z]+\.[a-z0-9_.]+)"`)
	for name, src := range files(t, ".go", "internal", "cmd") {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		for _, m := range auditAction.FindAllStringSubmatch(src, -1) {
			check(name, "audit."+m[1])
		}
		for _, m := range goKey.FindAllStringSubmatch(src, -1) {
			if !strings.HasSuffix(m[1], ".html") {
				check(name, m[1])
			}
		}
	}
}
