package x

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

type tweetRequest struct {
	Text  string `json:"text,omitempty"`
	Media *struct {
		MediaIDs []string `json:"media_ids"`
	} `json:"media,omitempty"`
	Reply *struct {
		InReplyTo string `json:"in_reply_to_tweet_id"`
	} `json:"reply,omitempty"`
}

func count(text string) int { return channel.Count(channel.X, text, channel.CountOptions{}) }

// parts is what the post's text becomes on X: itself, or a numbered thread when it is too long
// and the user asked for one.
func parts(p channel.Post) ([]string, error) {
	limit := channel.Limit(channel.X, channel.CountOptions{})
	n := count(p.Text)
	if n <= limit {
		return []string{p.Text}, nil
	}
	if !p.Thread {
		// X's own words for a text over its limit (POST /2/tweets answers them), said before sending.
		return nil, &channel.Error{Kind: channel.Rejected, Reason: fmt.Sprintf(
			"Your Tweet text is too long (%d of %d characters as X counts them).", n, limit)}
	}
	return thread(p.Text, limit), nil
}

func (c *connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	texts, err := parts(p)
	if err != nil {
		return channel.Published{}, err
	}
	if p.FirstComment != "" && count(p.FirstComment) > channel.Limit(channel.X, channel.CountOptions{}) {
		return channel.Published{}, &channel.Error{Kind: channel.Rejected, Reason: "The first comment is too long for a reply on X."}
	}
	ids, err := c.uploadAll(ctx, a, p.Media)
	if err != nil {
		return channel.Published{}, err
	}
	first := tweetRequest{Text: texts[0]}
	if len(ids) > 0 {
		first.Media = &struct {
			MediaIDs []string `json:"media_ids"`
		}{ids}
	}
	root, err := c.tweet(ctx, a, first)
	if err != nil {
		return channel.Published{}, err
	}
	pub := channel.Published{RemoteID: root, URL: postURL(a, root), At: c.env.Clock()}
	// The first post is on X from here on: what fails below is reported as what did not go out,
	// not as a failed post, which the engine would publish again. Nothing is retried: a post
	// carries no idempotency key, so a repeat after a lost answer could post a part twice.
	prev := root
	for i, text := range texts[1:] {
		if prev, err = c.tweet(ctx, a, reply(text, prev)); err != nil {
			// The parts after it and the first comment would answer a gap: they stay out too.
			pub.Incomplete = channel.IncompleteThreadPart(i+2, len(texts), err)
			return pub, nil
		}
	}
	// The first comment answers the last post, so a thread still reads in order.
	if p.FirstComment != "" {
		if _, err := c.tweet(ctx, a, reply(p.FirstComment, prev)); err != nil {
			pub.Incomplete = channel.IncompleteComment(err)
		}
	}
	return pub, nil
}

func reply(text, to string) tweetRequest {
	return tweetRequest{Text: text, Reply: &struct {
		InReplyTo string `json:"in_reply_to_tweet_id"`
	}{to}}
}

func postURL(a *channel.Account, id string) string {
	if u := strings.TrimPrefix(a.Handle, "@"); u != "" {
		return "https://x.com/" + u + "/status/" + id
	}
	return "https://x.com/i/web/status/" + id
}

// tweet creates one post: POST /2/tweets answers 201 with data.id (docs.x.com "Create Post").
func (c *connector) tweet(ctx context.Context, a *channel.Account, t tweetRequest) (string, error) {
	var out struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := c.call(ctx, http.MethodPost, c.api("/2/tweets"), a.Secret.AccessToken, t, &out); err != nil {
		return "", err
	}
	if out.Data.ID == "" {
		return "", &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "POST /2/tweets answered without data.id"}
	}
	return out.Data.ID, nil
}

type timelinePost struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Find looks for the post among the account's 20 latest (GET /2/users/:id/tweets). X gives
// the text with &, < and > escaped and links shortened; a thread is found by its first part.
func (c *connector) Find(ctx context.Context, a *channel.Account, p channel.Post) (*channel.Published, error) {
	texts, err := parts(p)
	if err != nil {
		return nil, nil // a text X refuses was never posted
	}
	q := url.Values{"max_results": {"20"}, "tweet.fields": {"created_at"}}
	var out struct {
		Data []timelinePost `json:"data"`
	}
	u := c.api("/2/users/"+url.PathEscape(a.RemoteID)+"/tweets") + "?" + q.Encode()
	if err := c.call(ctx, http.MethodGet, u, a.Secret.AccessToken, nil, &out); err != nil {
		if channel.AsError(err).Status == http.StatusForbidden {
			return nil, channel.ErrCannotTell // an access plan without timeline reads
		}
		return nil, err
	}
	want := channel.Post{Text: texts[0]}
	for _, t := range out.Data {
		if channel.SameText(want, html.UnescapeString(t.Text)) {
			return &channel.Published{RemoteID: t.ID, URL: postURL(a, t.ID), At: t.CreatedAt}, nil
		}
	}
	return nil, nil
}

// Metrics reads public_metrics of up to 100 posts a request (GET /2/tweets?ids=). A repost
// counts retweets and quotes.
func (c *connector) Metrics(ctx context.Context, a *channel.Account, ids []string) (map[string]channel.Metrics, error) {
	out := map[string]channel.Metrics{}
	for start := 0; start < len(ids); start += 100 {
		batch := ids[start:min(start+100, len(ids))]
		q := url.Values{"ids": {strings.Join(batch, ",")}, "tweet.fields": {"public_metrics"}}
		var res struct {
			Data []struct {
				ID      string `json:"id"`
				Metrics struct {
					Likes       int64 `json:"like_count"`
					Retweets    int64 `json:"retweet_count"`
					Quotes      int64 `json:"quote_count"`
					Replies     int64 `json:"reply_count"`
					Impressions int64 `json:"impression_count"`
				} `json:"public_metrics"`
			} `json:"data"`
		}
		if err := c.call(ctx, http.MethodGet, c.api("/2/tweets")+"?"+q.Encode(), a.Secret.AccessToken, nil, &res); err != nil {
			return nil, err
		}
		for _, t := range res.Data {
			m := t.Metrics
			out[t.ID] = channel.Metrics{Likes: m.Likes, Reposts: m.Retweets + m.Quotes, Replies: m.Replies, Views: m.Impressions}
		}
	}
	return out, nil
}
