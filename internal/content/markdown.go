package content

import (
	"bytes"
	"html/template"
	"net/url"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))
	// The UGC policy keeps formatting and links but no script, style, event handler or
	// javascript: URL; links open safely.
	sanitizer = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoReferrerOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		// Images only from this site: a picture from elsewhere would tell its owner who read the
		// item, and when (a tracking pixel on a review page).
		p.RewriteSrc(func(u *url.URL) {
			if u.Scheme != "" || u.Host != "" {
				*u = url.URL{} // an empty src loads nothing
			}
		})
		return p
	}()
)

// Render turns an item's Markdown into HTML that is safe to show anywhere, public pages included.
func Render(md string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(md))
	}
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes())) // #nosec: sanitised above
}
