package fetch

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Networks' names as the messages show them.
const (
	nameMastodon = "Mastodon"
	nameBluesky  = "Bluesky"
)

// mastodonStatus is the part of a Mastodon Status entity (docs.joinmastodon.org/entities/Status)
// that makes an Item.
type mastodonStatus struct {
	URI       string `json:"uri"`
	URL       string `json:"url"`
	CreatedAt string `json:"created_at"`
	Content   string `json:"content"`
	Spoiler   string `json:"spoiler_text"`
	Language  string `json:"language"`
	Account   struct {
		DisplayName string `json:"display_name"`
		Acct        string `json:"acct"`
	} `json:"account"`
	Media []struct {
		Type       string `json:"type"`
		URL        string `json:"url"`
		PreviewURL string `json:"preview_url"`
	} `json:"media_attachments"`
}

// searchMastodon asks GET /api/v2/search for statuses (docs.joinmastodon.org/methods/search).
func (f *Fetcher) searchMastodon(ctx context.Context, req Request) (*Result, error) {
	base, err := apiBase(req, nameMastodon)
	if err != nil {
		return nil, err
	}
	q := url.Values{"q": {req.Query}, "type": {"statuses"}, "limit": {"40"}}
	resp, err := f.get(ctx, call{url: base + "/api/v2/search?" + q.Encode(), accept: acceptJSON,
		token: req.Credentials.Token, network: nameMastodon})
	if err != nil {
		return nil, err
	}
	var answer struct {
		Statuses []mastodonStatus `json:"statuses"`
	}
	if err := apiAnswer(resp, nameMastodon, &answer); err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(answer.Statuses))
	for _, s := range answer.Statuses {
		item := Item{
			URL:       resolve(nil, cmp.Or(s.URL, s.URI)),
			Canonical: resolve(nil, s.URI),
			Author:    cut(collapse(cmp.Or(s.Account.DisplayName, s.Account.Acct)), maxAuthor),
			Published: w3cTime(s.CreatedAt),
			Lang:      normLang(s.Language),
		}
		item.Text, item.Image = htmlText(s.Content, true, MaxText)
		if s.Spoiler != "" {
			// The content warning is what the author put first.
			item.Summary = plain(s.Spoiler, MaxSummary)
		}
		for _, m := range s.Media {
			if m.Type == "image" {
				item.Image = cmp.Or(m.PreviewURL, m.URL)
				break
			}
		}
		item.Image = resolve(nil, item.Image)
		items = append(items, item)
	}
	return &Result{Items: finish(items, f.opts.MaxItems)}, nil
}

// blueskyPost is the part of an app.bsky.feed.defs#postView that makes an Item.
type blueskyPost struct {
	URI    string `json:"uri"`
	Author struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
	} `json:"author"`
	Record struct {
		Text      string   `json:"text"`
		CreatedAt string   `json:"createdAt"`
		Langs     []string `json:"langs"`
	} `json:"record"`
	Embed *blueskyEmbed `json:"embed"`
}

// blueskyEmbed is an embed view: images, a link card, or either beside a quoted post (media).
type blueskyEmbed struct {
	Images []struct {
		Thumb string `json:"thumb"`
	} `json:"images"`
	External *struct {
		Thumb string `json:"thumb"`
	} `json:"external"`
	Media *blueskyEmbed `json:"media"`
}

func (e *blueskyEmbed) image() string {
	switch {
	case e == nil:
		return ""
	case len(e.Images) > 0:
		return e.Images[0].Thumb
	case e.External != nil:
		return e.External.Thumb
	}
	return e.Media.image()
}

// searchBluesky asks app.bsky.feed.searchPosts, the newest posts first.
func (f *Fetcher) searchBluesky(ctx context.Context, req Request) (*Result, error) {
	base, err := apiBase(req, nameBluesky)
	if err != nil {
		return nil, err
	}
	q := url.Values{"q": {req.Query}, "limit": {"50"}, "sort": {"latest"}}
	resp, err := f.get(ctx, call{url: base + "/xrpc/app.bsky.feed.searchPosts?" + q.Encode(), accept: acceptJSON,
		token: req.Credentials.Token, network: nameBluesky})
	if err != nil {
		return nil, err
	}
	var answer struct {
		Posts []blueskyPost `json:"posts"`
	}
	if err := apiAnswer(resp, nameBluesky, &answer); err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(answer.Posts))
	for _, p := range answer.Posts {
		// at://did/app.bsky.feed.post/rkey is shown at bsky.app/profile/handle/post/rkey.
		rest, ok := strings.CutPrefix(p.URI, "at://")
		parts := strings.Split(rest, "/")
		if !ok || len(parts) != 3 || parts[1] != "app.bsky.feed.post" {
			continue
		}
		// A handle that no longer resolves is shown as handle.invalid; the DID still links.
		profile := p.Author.Handle
		if profile == "" || profile == "handle.invalid" {
			profile = cmp.Or(p.Author.DID, parts[0])
		}
		item := Item{
			URL:       "https://bsky.app/profile/" + url.PathEscape(profile) + "/post/" + url.PathEscape(parts[2]),
			Author:    cut(collapse(cmp.Or(p.Author.DisplayName, profile)), maxAuthor),
			Published: w3cTime(p.Record.CreatedAt),
			Text:      cut(p.Record.Text, MaxText),
			Image:     resolve(nil, p.Embed.image()),
		}
		if len(p.Record.Langs) > 0 {
			item.Lang = normLang(p.Record.Langs[0])
		}
		items = append(items, item)
	}
	return &Result{Items: finish(items, f.opts.MaxItems)}, nil
}

// apiBase checks what a search on an account's network needs and gives the server's base URL.
func apiBase(req Request, network string) (string, error) {
	if strings.TrimSpace(req.Query) == "" {
		return "", newError(ErrMissingQuery, "empty query", nil)
	}
	if req.Credentials.BaseURL == "" || req.Credentials.Token == "" {
		return "", newError(ErrNoAccount, network+": no account", map[string]any{"Network": network})
	}
	return strings.TrimRight(req.Credentials.BaseURL, "/"), nil
}

// apiAnswer decodes an API's JSON answer into out. A 400 that names an expired or invalid token
// (as XRPC servers answer) refuses the token; another 400 is the API's complaint.
func apiAnswer(resp *response, network string, out any) error {
	detail := resp.url.String()
	if resp.status == http.StatusBadRequest {
		var failure struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(resp.body, &failure)
		detail += ": HTTP 400 " + failure.Error + " " + failure.Message
		if failure.Error == "ExpiredToken" || failure.Error == "InvalidToken" {
			return newError(ErrTokenRefused, detail, map[string]any{"Network": network})
		}
		return newError(ErrStatus, detail, map[string]any{"Status": http.StatusBadRequest})
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		e := newError(ErrBadResponse, detail+": "+err.Error(), map[string]any{"Network": network})
		e.Temporary = true
		return e
	}
	return nil
}
