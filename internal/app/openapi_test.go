package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/platform/db"
)

// Every API route in the table is in the OpenAPI document, which is served to anyone.
func TestOpenAPIDescribesEveryAPIRoute(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	status, doc := env.API("GET", "/api/v1/openapi.json", "", nil)
	if status != 200 || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json: %d %v", status, doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	n := 0
	for _, rt := range env.App.Server.Routes() {
		if !rt.API() {
			continue
		}
		n++
		item, _ := paths[rt.Path].(map[string]any)
		op, ok := item[strings.ToLower(rt.Method)].(map[string]any)
		if !ok {
			t.Errorf("%s %s is not in the OpenAPI document", rt.Method, rt.Path)
			continue
		}
		if op["summary"] == "" || op["x-permission"] != string(rt.Perm) {
			t.Errorf("%s %s: summary %q, permission %v", rt.Method, rt.Path, op["summary"], op["x-permission"])
		}
	}
	if n < 10 {
		t.Errorf("only %d API routes", n)
	}
}

// The README's configuration table names every setting.
func TestREADMEListsEverySetting(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range config.Options {
		if !strings.Contains(string(raw), "`--"+o.Name+"`") || !strings.Contains(string(raw), "`"+o.Env()+"`") {
			t.Errorf("README.md does not list --%s / %s", o.Name, o.Env())
		}
	}
}
