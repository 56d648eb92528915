package inbox

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// trimQuoted keeps what the sender wrote: it drops lines quoted with ">" and everything from the attribution
// line ("On … wrote:", "Pada … menulis:") or an Outlook-style original-message block on.
func trimQuoted(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	var out []string
lines:
	for i, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, ">"):
			continue
		case attribution(t, next(lines, i)), originalHeader(t, next(lines, i)):
			break lines
		}
		out = append(out, l)
	}
	return tidyLines(out)
}

func next(lines []string, i int) string {
	if i+1 < len(lines) {
		return strings.TrimSpace(lines[i+1])
	}
	return ""
}

// attribution recognises the line a mail client writes above quoted history, which clients often wrap onto a
// second line.
func attribution(line, nextLine string) bool {
	l := strings.ToLower(line)
	for _, p := range [][2]string{{"on ", "wrote:"}, {"pada ", "menulis:"}} {
		if !strings.HasPrefix(l, p[0]) {
			continue
		}
		if strings.HasSuffix(l, p[1]) || strings.HasSuffix(strings.ToLower(nextLine), p[1]) {
			return true
		}
	}
	return false
}

// originalHeader recognises Outlook's separators and its "From: … Sent: …" block (in English and Indonesian).
func originalHeader(line, nextLine string) bool {
	l := strings.ToLower(strings.Trim(line, "-_ *"))
	switch l {
	case "original message", "pesan asli", "pesan awal", "forwarded message", "pesan yang diteruskan":
		return true
	}
	if strings.HasPrefix(line, "________________") {
		return true
	}
	n := strings.ToLower(strings.Trim(nextLine, "*"))
	return (strings.HasPrefix(strings.ToLower(strings.Trim(line, "*")), "from:") && (strings.HasPrefix(n, "sent:") || strings.HasPrefix(n, "date:"))) ||
		(strings.HasPrefix(strings.ToLower(strings.Trim(line, "*")), "dari:") && (strings.HasPrefix(n, "dikirim:") || strings.HasPrefix(n, "tanggal:")))
}

// tidyLines drops blank lines at both ends and keeps at most one blank line in a row.
func tidyLines(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n\n")
		} else if b.Len() > 0 {
			b.WriteByte('\n')
		}
		blank = false
		b.WriteString(l)
	}
	return b.String()
}

// capText cuts s to at most n bytes without splitting a character.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " \n\t")
}

// htmlText turns an HTML body into lines of text, leaving out quoted history (blockquote, Gmail's and Yahoo's
// quote containers) and what is never shown (head, style, script).
func htmlText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return ""
	}
	var b strings.Builder
	stop := false // set at the container clients put quoted history in: nothing after it is the sender's
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if stop {
			return
		}
		switch n.Type {
		case html.TextNode:
			// Whitespace in HTML separates words and nothing more; lines are tidied below.
			b.WriteString(spaceRun.ReplaceAllString(n.Data, " "))
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Head, atom.Style, atom.Script, atom.Title, atom.Blockquote:
				return
			case atom.Br:
				b.WriteByte('\n')
				return
			}
			for _, a := range n.Attr {
				if (a.Key == "class" && (strings.Contains(a.Val, "gmail_quote") || strings.Contains(a.Val, "yahoo_quoted"))) ||
					(a.Key == "id" && (a.Val == "divRplyFwdMsg" || a.Val == "appendonsend")) { // Outlook
					stop = true
					return
				}
			}
		}
		block := n.Type == html.ElementNode && blockElement(n.DataAtom)
		if block {
			b.WriteByte('\n')
			if n.DataAtom == atom.Li {
				b.WriteString("- ")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteByte('\n')
		}
	}
	walk(doc)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(strings.ReplaceAll(l, "\u00a0", " ")), " ")
	}
	return tidyLines(lines)
}

var spaceRun = regexp.MustCompile(`\s+`)

func blockElement(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Tr, atom.Table, atom.H1, atom.H2, atom.H3, atom.H4,
		atom.H5, atom.H6, atom.Pre, atom.Hr, atom.Section, atom.Article, atom.Header, atom.Footer:
		return true
	}
	return false
}
