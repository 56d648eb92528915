package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/platform/db"
)

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// Health, readiness, metrics and the headers every page carries.
func TestOperations(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	if status, body, _ := get(t, env.URL+"/healthz"); status != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", status, body)
	}
	if status, _, _ := get(t, env.URL+"/readyz"); status != 200 {
		t.Errorf("/readyz: %d", status)
	}
	status, _, h := get(t, env.URL+"/login")
	if status != 200 {
		t.Fatalf("/login: %d", status)
	}
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP: %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
		t.Errorf("security headers: %v", h)
	}
	if status, body, _ := get(t, env.URL+"/no/such/page"); status != 404 || !strings.Contains(body, "Page not found") {
		t.Errorf("unknown page: %d %s", status, apptest.Excerpt(body))
	}
	if status, body := env.API("GET", "/api/v1/nothing-here", "", nil); status != 404 || body["error"].(map[string]any)["code"] != "not_found" {
		t.Errorf("unknown API path: %d %v", status, body)
	}
	// A cross-site form post is refused before it reaches any handler.
	req, _ := http.NewRequest("POST", env.URL+"/login", strings.NewReader("email=a%40b.example&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "sent from another website") {
		t.Errorf("cross-site post: %d %s", res.StatusCode, apptest.Excerpt(string(body)))
	}
	// Through a proxy, /metrics is refused without the metrics token.
	req, _ = http.NewRequest("GET", env.URL+"/metrics", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("/metrics through a proxy: %v %v", res.StatusCode, err)
	} else {
		res.Body.Close()
	}
	_, metrics, _ := get(t, env.URL+"/metrics")
	for _, want := range []string{`warta_http_requests_total{route="GET /login",status="200"}`, `warta_jobs{state="completed"}`, `warta_mail_sent_total{result="outbox"}`, "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
