package bluesky

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rivo/uniseg"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// external is app.bsky.embed.external: the card Bluesky shows for a link. The PDS does not make
// it; the client reads the page (docs.bsky.app "Creating a post": website card embeds).
type external struct {
	Type     string       `json:"$type"`
	External externalData `json:"external"`
}

type externalData struct {
	URI         string `json:"uri"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Bounds of reading a page for its card: its head is near the start, and a slow site must not
// hold the post.
const (
	cardMaxBytes = 512 << 10
	cardTimeout  = 10 * time.Second
	cardMaxText  = 300 // graphemes kept of a title or description
)

// card reads a page's title and description; nil on any failure, and the post goes without a card.
func (c *Connector) card(ctx context.Context, link string) *external {
	ctx, cancel := context.WithTimeout(ctx, cardTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := c.env.Client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	ctype := resp.Header.Get("Content-Type")
	if resp.StatusCode != http.StatusOK || (ctype != "" && !strings.Contains(ctype, "html")) {
		return nil
	}
	body, err := charset.NewReader(io.LimitReader(resp.Body, cardMaxBytes), ctype)
	if err != nil {
		return nil
	}
	title, desc := pageMeta(body)
	if title == "" {
		return nil
	}
	return &external{Type: "app.bsky.embed.external", External: externalData{URI: link, Title: title, Description: desc}}
}

// pageMeta reads og:title (or <title>) and og:description (or the meta description) from a
// page's head.
func pageMeta(r io.Reader) (title, desc string) {
	var ogTitle, ogDesc, plainTitle, plainDesc string
	z := html.NewTokenizer(r)
	inTitle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return pick(ogTitle, plainTitle), pick(ogDesc, plainDesc)
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch t.Data {
			case "title":
				inTitle = true
			case "body":
				return pick(ogTitle, plainTitle), pick(ogDesc, plainDesc)
			case "meta":
				var key, content string
				for _, at := range t.Attr {
					switch at.Key {
					case "property", "name":
						key = strings.ToLower(at.Val)
					case "content":
						content = at.Val
					}
				}
				switch key {
				case "og:title":
					ogTitle = content
				case "og:description":
					ogDesc = content
				case "description":
					plainDesc = content
				}
			}
		case html.TextToken:
			if inTitle && plainTitle == "" {
				plainTitle = string(z.Text())
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "title" {
				inTitle = false
			} else if string(name) == "head" {
				return pick(ogTitle, plainTitle), pick(ogDesc, plainDesc)
			}
		}
	}
}

// pick returns the first non-empty text, on one line and shortened.
func pick(texts ...string) string {
	for _, s := range texts {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			return shorten(s, cardMaxText)
		}
	}
	return ""
}

// shorten keeps the first n graphemes of s, marking a cut with "…".
func shorten(s string, n int) string {
	if uniseg.GraphemeClusterCount(s) <= n {
		return s
	}
	var b strings.Builder
	g := uniseg.NewGraphemes(s)
	for i := 0; i < n-1 && g.Next(); i++ {
		b.WriteString(g.Str())
	}
	return b.String() + "…"
}
