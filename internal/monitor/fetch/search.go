package fetch

import (
	"net/url"
	"strings"
)

// Aggregator is a news search service whose results come as an RSS feed.
type Aggregator struct {
	Key  string
	Name string
	// Template builds the feed URL of a search for query in lang ("id" or "en").
	Template func(query, lang string) string
}

// Aggregators are the news search services a Search source may use.
var Aggregators = []Aggregator{
	{Key: "google", Name: "Google News", Template: func(q, lang string) string {
		// hl is the interface language, gl the country, ceid the edition (country:language).
		if lang == "en" {
			return "https://news.google.com/rss/search?q=" + url.QueryEscape(q) + "&hl=en-ID&gl=ID&ceid=ID:en"
		}
		return "https://news.google.com/rss/search?q=" + url.QueryEscape(q) + "&hl=id&gl=ID&ceid=ID:id"
	}},
	{Key: "bing", Name: "Bing News", Template: func(q, lang string) string {
		return "https://www.bing.com/news/search?q=" + url.QueryEscape(q) + "&format=rss&setlang=" + lang
	}},
}

// SearchURL is the feed URL of a search for query on the aggregator with that key, in the
// edition for lang: "en" gives the English one, anything else the Indonesian one.
func SearchURL(aggregator, query, lang string) (string, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return "", newError(ErrMissingQuery, "empty query", nil)
	}
	if lang != "en" {
		lang = "id"
	}
	for _, a := range Aggregators {
		if a.Key == aggregator {
			return a.Template(query, lang), nil
		}
	}
	return "", newError(ErrUnknownAggregator, "aggregator "+aggregator, map[string]any{"Aggregator": aggregator})
}
