package auth

import "testing"

// After sign-in Warta only goes to its own pages, never to a site named in the link.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/w/humas/settings":     "/w/humas/settings",
		"/w/humas?tab=1":        "/w/humas?tab=1",
		"//evil.example/login":  "",
		"/\\evil.example":       "",
		"https://evil.example/": "",
		"javascript:alert(1)":   "",
		"":                      "",
		"w/humas":               "",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
