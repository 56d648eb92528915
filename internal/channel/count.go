package channel

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"
)

// Count measures text as network n counts it. An unknown network counts code points.
func Count(n Network, text string, opts CountOptions) int {
	r, _ := Lookup(n)
	switch r.Counting {
	case CountWeighted:
		return weighted(text)
	case CountGraphemes:
		return uniseg.GraphemeClusterCount(text)
	case CountMastodon:
		return uniseg.GraphemeClusterCount(mastodonText(text, opts))
	case CountEmojiBytes:
		return emojiBytes(text)
	}
	return utf8.RuneCountInString(text)
}

// urlLength is what X (twitter-text transformedURLLength) and Mastodon count for any link.
const urlLength = 23

// weighted is twitter-text v3's parseTweet: the text in NFC, each link 23, each emoji 2, a
// code point in the ranges of config v3 1, any other 2.
func weighted(text string) int {
	text = norm.NFC.String(text)
	n, pos := 0, 0
	for _, u := range findURLs(text, false) {
		n += weightedPlain(text[pos:u.start]) + urlLength
		pos = u.end
	}
	return n + weightedPlain(text[pos:])
}

func weightedPlain(s string) int {
	n := 0
	eachCluster(s, func(c string) {
		if isEmoji(c) {
			n += 2
			return
		}
		for _, r := range c {
			n += xWeight(r)
		}
	})
	return n
}

// xWeight follows the "ranges" of twitter-text config/v3.json: weight 100 of scale 100.
func xWeight(r rune) int {
	switch {
	case r <= 4351, r >= 8192 && r <= 8205, r >= 8208 && r <= 8223, r >= 8242 && r <= 8247:
		return 1
	}
	return 2
}

// emojiBytes is Threads' count: one per code point, an emoji its UTF-8 length.
func emojiBytes(text string) int {
	n := 0
	eachCluster(text, func(c string) {
		if isEmoji(c) {
			n += len(c)
			return
		}
		n += utf8.RuneCountInString(c)
	})
	return n
}

func eachCluster(s string, f func(string)) {
	state := -1
	var c string
	for len(s) > 0 {
		c, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		f(c)
	}
}

// isEmoji reports whether a grapheme cluster is an emoji: it asks for emoji presentation
// (U+FE0F), is a keycap, or starts with a pictograph (flags, faces, people sequences, symbols).
func isEmoji(cluster string) bool {
	if strings.ContainsAny(cluster, "\uFE0F\u20E3") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(cluster)
	return r >= 0x1F000 && r <= 0x1FAFF || // pictographs, emoticons, flags (regional indicators)
		r >= 0x2600 && r <= 0x27BF || // miscellaneous symbols, dingbats
		r >= 0x2300 && r <= 0x23FF || // ⌚ ⏰ and their neighbours
		r >= 0x2B00 && r <= 0x2BFF // ⭐ ⬛
}

// mention is Mastodon's Account::MENTION_RE without its look-behind (checked in code).
var mention = regexp.MustCompile(`(?i)@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@[\p{L}\p{M}\p{N}_]+(?:[.-]+[\p{L}\p{M}\p{N}_]+)*)?`)

// mastodonText rewrites text as StatusLengthValidator counts it: every link with a scheme
// becomes 23 characters, every mention only its username.
func mastodonText(text string, opts CountOptions) string {
	per := opts.MastodonURLLength
	if per <= 0 {
		per = urlLength
	}
	type entity struct {
		span
		repl string
	}
	var ents []entity
	for _, u := range findURLs(text, true) {
		ents = append(ents, entity{u, strings.Repeat("x", per)})
	}
	for _, m := range mention.FindAllStringSubmatchIndex(text, -1) {
		if prev, _ := utf8.DecodeLastRuneInString(text[:m[0]]); m[0] > 0 && (prev == '=' || prev == '/' || isWord(prev)) {
			continue
		}
		ents = append(ents, entity{span{m[0], m[1]}, "@" + text[m[2]:m[3]]})
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].start < ents[j].start })
	var b strings.Builder
	pos := 0
	for _, e := range ents {
		if e.start < pos {
			continue // overlaps an earlier entity, as Extractor.remove_overlapping_entities drops it
		}
		b.WriteString(text[pos:e.start])
		b.WriteString(e.repl)
		pos = e.end
	}
	b.WriteString(text[pos:])
	return b.String()
}

// isWord is Ruby's [[:word:]]: letters, marks, numbers and the underscore.
func isWord(r rune) bool {
	return r == '_' || unicode.In(r, unicode.L, unicode.M, unicode.N)
}

type span struct{ start, end int }

// urlAt is twitter-text's extractUrl, anchored: optional scheme, domain, port, path and query.
var urlAt = regexp.MustCompile(`^(?i:(https?://))?((?:[\p{L}\p{N}](?:[\p{L}\p{N}_-]*[\p{L}\p{N}])?\.)+[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)(:[0-9]+)?((?:[/?][\p{L}\p{N}!*';:=+,.$/%#\[\]\-_~@|&()?]*)?)`)

// findURLs finds links as twitter-text's extractUrlsWithIndices does. Without requireScheme a bare
// domain counts too when its top-level domain is a real one (X); Mastodon only takes links with
// a scheme.
func findURLs(text string, requireScheme bool) []span {
	var out []span
	for i := 0; i < len(text); {
		hasScheme := hasSchemeAt(text, i)
		if !startsURL(text, i, hasScheme, requireScheme) {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		m := urlAt.FindStringSubmatchIndex(text[i:])
		if m == nil {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		if end, ok := urlEnd(text[i:], m); ok {
			out = append(out, span{i, i + end})
		}
		i += m[1] // a candidate that is no link is skipped whole, as twitter-text does
	}
	return out
}

func hasSchemeAt(text string, i int) bool {
	s := strings.ToLower(text[i:min(len(text), i+8)])
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// startsURL applies twitter-text's preceding-character rules: no letter, digit, @, $ or # right
// before a link, and no - _ . / before one without a scheme.
func startsURL(text string, i int, hasScheme, requireScheme bool) bool {
	if requireScheme && !hasScheme {
		return false
	}
	if i == 0 {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(text[:i])
	switch {
	case prev < 0x80 && (prev >= '0' && prev <= '9' || prev >= 'a' && prev <= 'z' || prev >= 'A' && prev <= 'Z'):
		return false
	case strings.ContainsRune("@$#＠＃", prev):
		return false
	case !hasScheme && strings.ContainsRune("-_./", prev):
		return false
	}
	return true
}

// urlEnd checks a candidate and returns where the link ends: the domain must end in a real
// top-level domain (the longest such, like twitter-text's TLD list), a link without a scheme must
// be ASCII, and trailing punctuation is not part of it.
func urlEnd(s string, m []int) (int, bool) {
	scheme := m[2] >= 0
	domain := s[m[4]:m[5]]
	if !scheme && !isASCII(domain) {
		return 0, false
	}
	labels := strings.Split(domain, ".")
	for n := len(labels); n >= 2; n-- {
		if !isTLD(labels[n-1]) {
			continue
		}
		end := m[4] + len(strings.Join(labels[:n], "."))
		if n < len(labels) {
			return end, true // a shorter domain followed by a dot: no port or path belongs to it
		}
		if next, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && strings.ContainsRune("@+-", next) {
			return 0, false // "nama.id@…" is part of an address, not a link
		}
		if m[6] >= 0 {
			end = m[7]
		}
		return end + len(trimPath(s[m[8]:m[9]])), true
	}
	return 0, false
}

func isTLD(label string) bool {
	label, err := idna.ToASCII(strings.ToLower(label))
	if err != nil || label == "" {
		return false
	}
	if strings.HasPrefix(label, "xn--") {
		return true
	}
	suffix, icann := publicsuffix.PublicSuffix(label)
	return icann && suffix == label
}

// trimPath drops what twitter-text does not let a path or query end with: punctuation and
// unbalanced closing brackets.
func trimPath(p string) string {
	open, closed := strings.Count(p, "("), strings.Count(p, ")")
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		switch {
		case r == ')' && open >= closed:
			return p
		case r == ')':
			closed--
		case r == '(':
			open--
		case isWord(r) || strings.ContainsRune("=#/+-&", r):
			return p
		}
		p = p[:len(p)-size]
	}
	return p
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
