package content

import (
	"strings"
	"testing"
)

// What is rendered never carries script, event handlers or javascript: links, whatever is typed.
func TestRenderIsSafe(t *testing.T) {
	for _, in := range []string{
		"<script>alert(1)</script>",
		"[klik](javascript:alert(1))",
		`<img src=x onerror="alert(1)">`,
		`<a href="https://ok.example" onclick="alert(1)">x</a>`,
		"<iframe src=https://evil.example></iframe>",
		"[x](JaVaScRiPt:alert(1))",
		`<svg onload=alert(1)>`,
		"<style>body{display:none}</style>",
	} {
		out := strings.ToLower(string(Render(in)))
		for _, bad := range []string{"<script", "javascript:", "onerror", "onclick", "onload", "<iframe", "<style", "<svg"} {
			if strings.Contains(out, bad) {
				t.Errorf("Render(%q) = %q still holds %s", in, out, bad)
			}
		}
	}
	if out := string(Render("![pixel](https://track.example/p.gif) ![foto](/w/humas/media/3/file)")); strings.Contains(out, "track.example") || !strings.Contains(out, `src="/w/humas/media/3/file"`) {
		t.Errorf("images: %s", out)
	}
	out := string(Render("**Posko banjir** dibuka. [Info](https://sukamaju.example/banjir)\n\n- Balai Kota\n- GOR"))
	for _, want := range []string{"<strong>Posko banjir</strong>", `href="https://sukamaju.example/banjir"`, `rel="nofollow noreferrer noopener"`, "<li>GOR</li>"} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered Markdown lacks %s: %s", want, out)
		}
	}
}
