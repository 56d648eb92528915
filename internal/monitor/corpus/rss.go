package corpus

import (
	"encoding/xml"
	"html"
	"strings"
	"time"
)

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Content string     `xml:"xmlns:content,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
	Creator     string  `xml:"dc:creator,omitempty"`
	Description string  `xml:"description"`
	Content     cdata   `xml:"content:encoded"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type cdata struct {
	Value string `xml:",cdata"`
}

// RSS writes items, in the order given, as an RSS 2.0 document: the summary as the description, the
// body as HTML paragraphs in content:encoded, the author as dc:creator. The channel's language is
// set when every item has the same one.
func RSS(title, link string, items []Article) []byte {
	ch := rssChannel{Title: title, Link: link, Description: title}
	var newest time.Time
	for i, a := range items {
		if i == 0 {
			ch.Language = a.Lang
		} else if a.Lang != ch.Language {
			ch.Language = ""
		}
		if a.Published.After(newest) {
			newest = a.Published
		}
		var body strings.Builder
		for p := range strings.SplitSeq(a.Body, "\n\n") {
			body.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
		}
		ch.Items = append(ch.Items, rssItem{Title: a.Title, Link: a.URL, GUID: rssGUID{"false", a.GUID},
			PubDate: a.Published.Format(time.RFC1123Z), Creator: a.Author, Description: a.Summary,
			Content: cdata{body.String()}})
	}
	if !newest.IsZero() {
		ch.LastBuildDate = newest.Format(time.RFC1123Z)
	}
	out, err := xml.MarshalIndent(rssDoc{Version: "2.0", Content: "http://purl.org/rss/1.0/modules/content/",
		DC: "http://purl.org/dc/elements/1.1/", Channel: ch}, "", "  ")
	if err != nil {
		panic("corpus: RSS: " + err.Error()) // only strings and fixed types: cannot fail
	}
	return append([]byte(xml.Header), append(out, '\n')...)
}
