package bluesky

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"warta.dev/warta/internal/channel"
)

// facet is app.bsky.richtext.facet: a feature over a range of the text counted in UTF-8 bytes,
// start inclusive, end exclusive (docs.bsky.app/docs/advanced-guides/post-richtext).
type facet struct {
	Index    byteSlice `json:"index"`
	Features []feature `json:"features"`
}

type byteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

type feature struct {
	Type string `json:"$type"`
	URI  string `json:"uri,omitempty"`
	DID  string `json:"did,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

// Limits of a tag (lexicon app.bsky.richtext.facet#tag: maxGraphemes 64, maxLength 640).
const (
	tagMaxGraphemes = 64
	tagMaxBytes     = 640
)

// facets finds links, mentions and hashtags where the Bluesky app finds them (@atproto/api
// rich-text detection): a link (http:// or https://) or a mention (@handle.domain) starts a
// word or follows "(", a hashtag starts a word and is not only digits. A mention links only
// when the PDS resolves its handle to a DID. It returns the facets in text order and the links.
func (c *Connector) facets(ctx context.Context, a *channel.Account, text string) ([]facet, []string) {
	var out []facet
	var links []string
	dids := map[string]string{}
	for start, end := range words(text) {
		word := text[start:end]
		if tag, n := hashtag(word); n > 0 {
			out = append(out, facet{byteSlice{start, start + n}, []feature{{Type: "app.bsky.richtext.facet#tag", Tag: tag}}})
			continue
		}
		if strings.HasPrefix(word, "(") {
			start, word = start+1, word[1:]
		}
		if link := linkAt(word); link != "" {
			links = append(links, link)
			out = append(out, facet{byteSlice{start, start + len(link)}, []feature{{Type: "app.bsky.richtext.facet#link", URI: link}}})
			continue
		}
		if handle := mentionAt(word); handle != "" {
			key := strings.ToLower(handle)
			did, seen := dids[key]
			if !seen {
				did = c.resolve(ctx, a, key)
				dids[key] = did
			}
			if did != "" {
				out = append(out, facet{byteSlice{start, start + 1 + len(handle)}, []feature{{Type: "app.bsky.richtext.facet#mention", DID: did}}})
			}
		}
	}
	return out, links
}

// words yields the byte ranges of the runs of non-space characters.
func words(text string) func(yield func(int, int) bool) {
	return func(yield func(int, int) bool) {
		start := -1
		for i, r := range text {
			switch {
			case unicode.IsSpace(r) && start >= 0:
				if !yield(start, i) {
					return
				}
				start = -1
			case !unicode.IsSpace(r) && start < 0:
				start = i
			}
		}
		if start >= 0 {
			yield(start, len(text))
		}
	}
}

// linkAt returns the link a word starts with, without the punctuation that ends a sentence
// around it; "" when the word is not a link.
func linkAt(word string) string {
	lower := strings.ToLower(word)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return ""
	}
	for word != "" {
		last, size := utf8.DecodeLastRuneInString(word)
		if !strings.ContainsRune(".,;:!?\"'", last) && (last != ')' || strings.Contains(word, "(")) {
			break
		}
		word = word[:len(word)-size]
	}
	if u, err := url.Parse(word); err != nil || u.Host == "" {
		return ""
	}
	return word
}

// mentionAt returns the handle of a word that starts with "@handle.domain"; "" otherwise.
func mentionAt(word string) string {
	if !strings.HasPrefix(word, "@") {
		return ""
	}
	n := 1
	for n < len(word) && (isAlnum(word[n]) || word[n] == '.' || word[n] == '-') {
		n++
	}
	handle := strings.TrimRight(word[1:n], ".-")
	if !validHandle(handle) {
		return ""
	}
	return handle
}

// validHandle checks handle syntax (atproto.com/specs/handle): two or more labels of letters,
// digits and inner hyphens, the last not starting with a digit.
func validHandle(h string) bool {
	labels := strings.Split(h, ".")
	if len(h) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return tld[0] < '0' || tld[0] > '9'
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// tagStop ends a hashtag: invisible characters that the Bluesky app does not take into one.
const tagStop = "\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2"

// hashtag returns the tag of a word that starts with "#" (or the full-width "＃") and the length
// in bytes of "#tag"; 0 when it is not a hashtag (only digits, a keycap emoji, too long).
func hashtag(word string) (string, int) {
	hash := ""
	for _, h := range []string{"#", "＃"} {
		if strings.HasPrefix(word, h) {
			hash = h
		}
	}
	if hash == "" {
		return "", 0
	}
	tag := word[len(hash):]
	if i := strings.IndexAny(tag, tagStop); i >= 0 {
		tag = tag[:i]
	}
	if strings.HasPrefix(tag, "\ufe0f") {
		return "", 0 // #️⃣ is an emoji
	}
	tag = strings.TrimRightFunc(tag, unicode.IsPunct)
	letter := strings.IndexFunc(tag, func(r rune) bool { return !unicode.IsDigit(r) && !unicode.IsPunct(r) })
	if letter < 0 || len(tag) > tagMaxBytes || uniseg.GraphemeClusterCount(tag) > tagMaxGraphemes {
		return "", 0
	}
	return tag, len(hash) + len(tag)
}

// resolve asks the PDS for a handle's DID; "" when it cannot tell, and the mention stays text.
func (c *Connector) resolve(ctx context.Context, a *channel.Account, handle string) string {
	var out struct {
		DID string `json:"did"`
	}
	x := xrpc{method: http.MethodGet, nsid: "com.atproto.identity.resolveHandle", query: url.Values{"handle": {handle}}}
	if err := c.call(ctx, a, x, &out); err != nil || !strings.HasPrefix(out.DID, "did:") {
		return ""
	}
	return out.DID
}
