// Package fetch reads one monitoring source and returns its items: a feed (RSS, Atom, JSON Feed),
// a news sitemap, one web page's article, a news aggregator's search feed, or a search on
// Mastodon or Bluesky. It knows no database and no HTTP handlers: internal/monitor stores the
// sources and items and calls Fetcher.Fetch.
//
// # Politeness
//
// A Fetcher sends one request at a time to a host (host and port) and waits Options.Gap between
// the end of one and the start of the next, so a site with many sources, or a sitemap index with
// its children, is never hit in bursts; other hosts go on meanwhile. Requests carry the previous
// ETag and Last-Modified, and a 304 answer comes back as Result.NotModified.
//
// # Text
//
// Items hold plain text: HTML is reduced to its words (entities decoded, scripts and styles
// dropped, whitespace collapsed; Text keeps paragraphs apart with blank lines). A feed is decoded
// from its declared character set (byte order mark, then the XML declaration, then the
// Content-Type header); a feed that declares or assumes UTF-8 but is mostly Windows-1252 is read
// as Windows-1252, and stray invalid bytes become U+FFFD instead of failing the feed. Items
// without a link are dropped, repeated links kept once, and at most Options.MaxItems are
// returned, newest first when the source dates them.
//
// # Errors
//
// Every failure is an *Error carrying a key of Catalog and its arguments, written for the person
// who added the source: what is wrong and what to do. Error.Temporary says whether trying again
// later may help (timeouts, 5xx, 429, refused connections); Error.Detail is for the log.
package fetch

import (
	"embed"

	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the fetch errors' words.
var Catalog = i18n.Catalog{Name: "monitor-fetch", FS: i18n.Dir(catalogFiles, "i18n")}
