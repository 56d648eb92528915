package mastodontest

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mastodon's TextFormatter turns a status's plain text into HTML: paragraphs at blank lines,
// <br /> at line breaks, links and hashtags wrapped in anchors, the rest escaped. Connectors
// read statuses back from this HTML, so the server writes it the same way.
var (
	paragraphs = regexp.MustCompile(`\n{2,}`)
	entities   = regexp.MustCompile(`https?://[^\s<>"]+|#[\p{L}\p{N}_]+`)
)

// displayURL is how much of a link Mastodon shows before an ellipsis.
const displayURL = 30

func render(base, text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	var b strings.Builder
	for _, p := range paragraphs.Split(text, -1) {
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(linkify(base, p), "\n", "<br />"))
		b.WriteString("</p>")
	}
	return b.String()
}

func linkify(base, s string) string {
	var b strings.Builder
	pos := 0
	for _, m := range entities.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if prev, _ := utf8.DecodeLastRuneInString(s[:start]); start > 0 && (unicode.IsLetter(prev) || unicode.IsNumber(prev) || prev == '/' || prev == '#') {
			continue // inside a word: not a link or a hashtag of its own
		}
		tok := s[start:end]
		if tok[0] == '#' {
			b.WriteString(html.EscapeString(s[pos:start]))
			name := tok[1:]
			b.WriteString(`<a href="` + base + `/tags/` + html.EscapeString(strings.ToLower(name)) + `" class="mention hashtag" rel="tag">#<span>` + html.EscapeString(name) + `</span></a>`)
			pos = end
			continue
		}
		trimmed := strings.TrimRight(tok, ".,;:!?)'")
		end = start + len(trimmed)
		b.WriteString(html.EscapeString(s[pos:start]))
		b.WriteString(anchor(trimmed))
		pos = end
	}
	b.WriteString(html.EscapeString(s[pos:]))
	return b.String()
}

// anchor is Mastodon's link: the scheme hidden, a long address cut with an ellipsis whose rest
// stays in the text, invisible.
func anchor(u string) string {
	prefix := u[:strings.Index(u, "://")+3]
	rest := u[len(prefix):]
	if strings.HasPrefix(rest, "www.") {
		prefix, rest = prefix+"www.", rest[4:]
	}
	shown, hidden, class := rest, "", ""
	if utf8.RuneCountInString(rest) > displayURL {
		i := 0
		for n := range rest {
			if i == displayURL {
				shown, hidden, class = rest[:n], rest[n:], "ellipsis"
				break
			}
			i++
		}
	}
	e := html.EscapeString
	return `<a href="` + e(u) + `" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">` + e(prefix) +
		`</span><span class="` + class + `">` + e(shown) + `</span><span class="invisible">` + e(hidden) + `</span></a>`
}
