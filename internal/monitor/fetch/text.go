package fetch

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// textWriter gathers words with single spaces between them; with paras it puts a blank line
// between blocks. It stops taking text at limit bytes.
type textWriter struct {
	b     strings.Builder
	paras bool
	limit int
	space bool // a space is due before the next word
	block bool // a block ended before the next word
}

func (w *textWriter) full() bool { return w.b.Len() >= w.limit }

func (w *textWriter) text(s string) {
	for i := 0; i < len(s) && !w.full(); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v' {
				w.space = true
				continue
			}
			w.sep()
			w.b.WriteByte(c)
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if unicode.IsSpace(r) || r == '\u200b' {
			w.space = true
			continue
		}
		w.sep()
		w.b.WriteRune(r)
	}
}

// sep writes what is due between the last word and the next.
func (w *textWriter) sep() {
	if w.b.Len() > 0 {
		switch {
		case w.block && w.paras:
			w.b.WriteString("\n\n")
		case w.block || w.space:
			w.b.WriteByte(' ')
		}
	}
	w.space, w.block = false, false
}

func (w *textWriter) String() string { return cut(w.b.String(), w.limit) }

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// shorten cuts s to at most n bytes at a word boundary and marks the cut with "…".
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = cut(s, n-len("…"))
	if i := strings.LastIndexByte(s, ' '); i > len(s)/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,.;:") + "…"
}

// skipped are elements whose text a reader never sees.
func skipped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Template, atom.Svg, atom.Math, atom.Noscript, atom.Iframe,
		atom.Object, atom.Head, atom.Select, atom.Button:
		return true
	}
	return false
}

// blockish are elements that start a new block (a paragraph break in Text).
func blockish(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Br, atom.Li, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre, atom.Hr,
		atom.Table, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Aside,
		atom.Nav, atom.Main, atom.Figure, atom.Figcaption, atom.Address, atom.Details, atom.Summary:
		return true
	}
	return false
}

// plain is the text of an HTML fragment on one line, at most limit bytes.
func plain(s string, limit int) string {
	t, _ := htmlText(s, false, limit)
	return t
}

// htmlText reduces an HTML fragment to its text and finds its first image. Text without markup
// or entities skips the tokenizer.
func htmlText(s string, paras bool, limit int) (text, image string) {
	w := textWriter{paras: paras, limit: limit}
	if strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0 {
		w.text(s)
		return w.String(), ""
	}
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside skipped elements
	for !w.full() {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.String(), image
		case html.TextToken:
			if skip == 0 {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			switch {
			case a == atom.Img:
				if image == "" && hasAttr && skip == 0 {
					image = imgSrc(z)
				}
			case skipped(a):
				if tt == html.StartTagToken {
					skip++
				}
			case blockish(a):
				w.block = true
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipped(a) {
				skip = max(skip-1, 0)
			} else if blockish(a) {
				w.block = true
			}
		}
	}
	return w.String(), image
}

// imgSrc is the image an <img> shows: src, or the lazy-loading data-src when src is a placeholder.
func imgSrc(z *html.Tokenizer) string {
	var src, lazy string
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case "src":
			src = string(v)
		case "data-src", "data-lazy-src", "data-original":
			lazy = string(v)
		}
		if !more {
			break
		}
	}
	if lazy != "" && (src == "" || strings.HasPrefix(src, "data:")) {
		return lazy
	}
	if strings.HasPrefix(src, "data:") {
		return ""
	}
	return src
}

// nodeText is the text of a parsed HTML tree, paragraphs apart, at most limit bytes.
func nodeText(n *html.Node, limit int) string {
	w := textWriter{paras: true, limit: limit}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && !w.full(); c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				w.text(c.Data)
			case html.ElementNode:
				if skipped(c.DataAtom) {
					continue
				}
				b := blockish(c.DataAtom)
				w.block = w.block || b
				walk(c)
				w.block = w.block || b
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return w.String()
}

// collapse is s on one line with single spaces.
func collapse(s string) string {
	w := textWriter{limit: len(s) + 1}
	w.text(s)
	return w.b.String()
}
