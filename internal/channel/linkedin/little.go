package linkedin

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// reserved are the characters of LinkedIn's "little" text format, which the Posts API reads in
// commentary: as plain text each must be escaped with a backslash, or LinkedIn takes it as
// markup and may cut the post at it (learn.microsoft.com "Little Text Format").
const reserved = `\|{}@[]()<>#*_~`

var linkRE = regexp.MustCompile(`https?://[^\s<>]+`)

// escape turns plain text into little text. Links stay as typed so LinkedIn still links them,
// and a # before a letter or digit stays a hashtag.
func escape(text string) string {
	var b strings.Builder
	last := 0
	for _, loc := range linkRE.FindAllStringIndex(text, -1) {
		end := loc[0] + linkLen(text[loc[0]:loc[1]])
		escapePlain(&b, text[last:loc[0]])
		b.WriteString(text[loc[0]:end])
		last = end
	}
	escapePlain(&b, text[last:])
	return b.String()
}

// linkLen drops what ends a sentence rather than a link: final punctuation, and a closing
// bracket the link did not open.
func linkLen(l string) int {
	for l != "" {
		c := l[len(l)-1]
		switch {
		case strings.IndexByte(`.,;:!?'"`, c) >= 0,
			c == ')' && strings.Count(l, "(") < strings.Count(l, ")"),
			c == ']' && strings.Count(l, "[") < strings.Count(l, "]"):
			l = l[:len(l)-1]
			continue
		}
		break
	}
	return len(l)
}

func escapePlain(b *strings.Builder, s string) {
	for i, r := range s {
		if r == '#' {
			if next, _ := utf8.DecodeRuneInString(s[i+1:]); unicode.IsLetter(next) || unicode.IsDigit(next) {
				b.WriteRune(r)
				continue
			}
		}
		if strings.ContainsRune(reserved, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

var (
	hashtagRE = regexp.MustCompile(`\{hashtag\|\\?#\|([^}]*)\}`)
	mentionRE = regexp.MustCompile(`@\[([^\]]*)\]\(urn:li:[^)]*\)`)
)

// unescape reads little text back as the words a reader sees: LinkedIn answers hashtags as
// {hashtag|\#|tag} templates and mentions as @[Name](urn).
func unescape(s string) string {
	s = hashtagRE.ReplaceAllString(s, "#$1")
	s = mentionRE.ReplaceAllString(s, "$1")
	var b strings.Builder
	esc := false
	for _, r := range s {
		if r == '\\' && !esc {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}
