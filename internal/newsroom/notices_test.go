package newsroom

import "testing"

// A notice is plain text: whatever it holds shows as text, blank lines make paragraphs, lines
// stay lines, and only web addresses become links (without the full stop that ends the sentence).
func TestNoticeText(t *testing.T) {
	for in, want := range map[string]string{
		"Air mati sejak pagi.\nTim di lokasi.\n\n\n  Info: https://pdam.example/info.": "<p>Air mati sejak pagi.<br>\nTim di lokasi.</p>\n" +
			`<p>Info: <a href="https://pdam.example/info" rel="nofollow noopener">https://pdam.example/info</a>.</p>` + "\n",
		`<script>alert(1)</script> & "kutip"`:                          "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;kutip&#34;</p>\n",
		`javascript:alert(1) data:text/html,x ftp://x.example`:         "<p>javascript:alert(1) data:text/html,x ftp://x.example</p>\n",
		`(lihat https://x.example/a_(b)) https://x.example/?q="><svg>`: `<p>(lihat <a href="https://x.example/a_(b)" rel="nofollow noopener">https://x.example/a_(b)</a>) <a href="https://x.example/?q=" rel="nofollow noopener">https://x.example/?q=</a>&#34;&gt;&lt;svg&gt;</p>` + "\n",
		"https://": "<p>https://</p>\n",
		"a\x01b":   "<p>ab</p>\n",
	} {
		if got := string(noticeHTML(in)); got != want {
			t.Errorf("noticeHTML(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
