package campaign

import (
	"net/url"
	"strings"
)

// TagLinks adds the UTM tags to every http(s) link in Markdown text: inline links, autolinks and
// bare URLs. Query parameters and fragments already there are kept, and a utm_* parameter already
// present is not overwritten. mailto: and relative links are left alone, and so is code (code
// spans and fenced blocks): a URL in a code sample is text to copy, not a link to follow.
func TagLinks(markdown string, p UTM) string {
	var out, text strings.Builder
	flush := func() {
		out.WriteString(tagInline(text.String(), p))
		text.Reset()
	}
	fence := ""
	for _, line := range strings.SplitAfter(markdown, "\n") {
		t := strings.TrimLeft(line, " ")
		switch {
		case fence != "":
			out.WriteString(line)
			if run := fenceRun(t); len(run) >= len(fence) && run[0] == fence[0] && strings.TrimSpace(t[len(run):]) == "" {
				fence = ""
			}
		case opensFence(t):
			flush()
			fence = fenceRun(t)
			out.WriteString(line)
		default:
			text.WriteString(line)
		}
	}
	flush()
	return out.String()
}

// opensFence reports whether a line opens a fenced code block: three or more backticks or
// tildes, and no backtick after backticks ("```x``` …" is inline code).
func opensFence(line string) bool {
	run := fenceRun(line)
	return len(run) >= 3 && (run[0] == '~' || !strings.Contains(line[len(run):], "`"))
}

// fenceRun is the run of backticks or tildes a line starts with.
func fenceRun(line string) string {
	if line == "" || (line[0] != '`' && line[0] != '~') {
		return ""
	}
	n := 1
	for n < len(line) && line[n] == line[0] {
		n++
	}
	return line[:n]
}

// tagInline tags the URLs of Markdown text outside code spans.
func tagInline(s string, p UTM) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '`' {
			// A code span runs to the next run of as many backticks; without one the run is text.
			n := len(fenceRun(s[i:]))
			end := closingRun(s, i+n, n)
			if end < 0 {
				end = i + n
			}
			b.WriteString(s[i:end])
			i = end
			continue
		}
		if !startsURL(s, i) {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := urlEnd(s, i)
		b.WriteString(tagURL(s[i:end], p))
		i = end
	}
	return b.String()
}

// closingRun is the end of the first run of exactly n backticks from index from, or -1.
func closingRun(s string, from, n int) int {
	for j := from; j < len(s); {
		if s[j] != '`' {
			j++
			continue
		}
		run := len(fenceRun(s[j:]))
		if run == n {
			return j + run
		}
		j += run
	}
	return -1
}

// startsURL reports whether an http(s) URL starts at i, not inside a word ("xhttp://").
func startsURL(s string, i int) bool {
	rest := strings.ToLower(s[i:min(len(s), i+8)])
	if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") {
		return false
	}
	if i == 0 {
		return true
	}
	c := s[i-1]
	return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '=' || c == '&' || c == '%')
}

// urlEnd finds where the URL starting at i ends: at '>' in an autolink, at a space or an unmatched
// ')' in an inline link, and for a bare URL where GitHub's Markdown ends it (trailing punctuation
// and unmatched brackets are not part of it).
func urlEnd(s string, i int) int {
	if i > 0 && s[i-1] == '<' {
		if j := strings.IndexAny(s[i:], "> \t\n"); j >= 0 && s[i+j] == '>' {
			return i + j
		}
	}
	if i > 1 && s[i-2:i] == "](" {
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case ' ', '\t', '\n', '\r':
				return j
			case '(':
				depth++
			case ')':
				if depth == 0 {
					return j
				}
				depth--
			}
		}
		return len(s)
	}
	end := i
	for end < len(s) && !strings.ContainsRune(" \t\r\n<>\"`", rune(s[end])) {
		end++
	}
	for end > i {
		u := s[i:end]
		last := u[len(u)-1]
		switch {
		case strings.IndexByte("?!.,:;*_~'", last) >= 0:
			end--
		case last == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
			end--
		case last == ']' && strings.Count(u, "[") < strings.Count(u, "]"):
			end--
		default:
			return end
		}
	}
	return end
}

// tagURL adds the tags missing from one absolute URL, keeping its query and fragment as written.
func tagURL(raw string, p UTM) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return raw
	}
	base, fragment, hasFragment := strings.Cut(raw, "#")
	path, query, _ := strings.Cut(base, "?")
	have, _ := url.ParseQuery(query) // a malformed pair elsewhere does not hide the utm_* ones
	var add []string
	for _, kv := range [][2]string{{"utm_source", p.Source}, {"utm_medium", p.Medium}, {"utm_campaign", p.Campaign}, {"utm_content", p.Content}} {
		if kv[1] == "" || hasKey(have, kv[0]) {
			continue
		}
		add = append(add, kv[0]+"="+url.QueryEscape(kv[1]))
	}
	if len(add) == 0 {
		return raw
	}
	if query != "" && !strings.HasSuffix(query, "&") {
		query += "&"
	}
	out := path + "?" + query + strings.Join(add, "&")
	if hasFragment {
		out += "#" + fragment
	}
	return out
}

func hasKey(q url.Values, key string) bool {
	for k := range q {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// TagURL tags one link for the UTM builder; ok is false when raw is not an absolute http(s) URL.
func TagURL(raw string, p UTM) (tagged string, ok bool) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(raw, " \t\n") {
		return raw, false
	}
	return tagURL(raw, p), true
}
