package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

// Publish sends one post. Only Discord takes files; Slack and Teams webhooks carry text, and
// the generic webhook carries the media's public addresses.
func (c *connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	switch c.n {
	case channel.Slack:
		return c.slack(ctx, a, p)
	case channel.Discord:
		return c.discord(ctx, a, p)
	case channel.Teams:
		return c.teams(ctx, a, p)
	}
	return c.generic(ctx, a, p)
}

// slackEscaper escapes the three characters Slack reads as markup (docs.slack.dev "Formatting
// text": escape &, < and >), so a user's text never turns into a link or an @channel.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slack posts {"text": …} to an incoming webhook, which answers "ok" as text/plain.
func (c *connector) slack(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	body, _ := json.Marshal(map[string]any{
		"text": slackEscaper.Replace(p.Text),
		// Message metadata travels with incoming webhooks too: it names the publication, so an
		// app reading the channel can tell which post is which.
		"metadata": map[string]any{"event_type": "warta_post", "event_payload": map[string]any{"key": p.Key}},
	})
	ans, err := c.do(ctx, http.MethodPost, a.Secret.Password, body, jsonHeader())
	if err != nil {
		return channel.Published{}, err
	}
	if !ans.ok() {
		return channel.Published{}, c.slackError(ans)
	}
	if strings.TrimSpace(string(ans.body)) != "ok" {
		return channel.Published{}, ans.unexpected()
	}
	return channel.Published{RemoteID: p.Key, At: c.env.Clock()}, nil
}

// slackError classifies Slack's plain-text error codes (docs.slack.dev, incoming webhooks,
// "Handling errors"). A removed webhook or workspace (no_service 404, no_team, team_disabled,
// invalid_token) needs a new address; an archived channel (410) refuses the post, and a
// person decides what to do with it.
func (c *connector) slackError(ans answer) *channel.Error {
	reason := ans.text()
	e := channel.StatusError(ans.resp, reason, c.env.Clock())
	switch reason {
	case "channel_is_archived", "action_prohibited", "posting_to_general_channel_denied":
		e.Kind = channel.Rejected
	case "no_service", "no_service_id", "no_team", "team_disabled", "invalid_token", "channel_not_found":
		e.Kind = channel.Unauthorized
	default:
		if e.Status == http.StatusNotFound || e.Status == http.StatusGone || e.Status == http.StatusUnauthorized {
			e.Kind = channel.Unauthorized
		}
	}
	return e
}

// discordHook is the webhook object of Discord's Get Webhook with Token.
type discordHook struct {
	ID        string `json:"id"`
	Type      int    `json:"type"`
	GuildID   string `json:"guild_id"`
	ChannelID string `json:"channel_id"`
	Name      string `json:"name"`
}

// discordAPI is the webhook's address on API v10, whatever version the copied URL named: the
// unversioned path is an old default version without attachment descriptions.
func discordAPI(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	m := discordPath.FindStringSubmatch(u.Path)
	if m == nil {
		return nil, fmt.Errorf("not a Discord webhook path")
	}
	u.Path = "/api/v10/webhooks/" + m[2] + "/" + m[3]
	return u, nil
}

func (c *connector) discordHook(ctx context.Context, raw string) (discordHook, error) {
	u, err := discordAPI(raw)
	if err != nil {
		return discordHook{}, &channel.Error{Kind: channel.Rejected, Reason: "url", Key: c.key("error.url")}
	}
	u.RawQuery = ""
	ans, err := c.do(ctx, http.MethodGet, u.String(), nil, nil)
	if err != nil {
		return discordHook{}, err
	}
	if !ans.ok() {
		return discordHook{}, c.discordError(ans)
	}
	var h discordHook
	if err := json.Unmarshal(ans.body, &h); err != nil || h.ID == "" {
		return discordHook{}, ans.unexpected()
	}
	if h.Type != 1 {
		// A channel-follower or application webhook cannot be executed with a token.
		return discordHook{}, &channel.Error{Kind: channel.Rejected, Reason: "url", Key: c.key("error.url")}
	}
	return h, nil
}

// maxDescription: Discord's attachment description is at most 1024 characters.
const maxDescription = 1024

// discord executes the webhook with wait=true, so the answer is the message (Discord "Execute
// Webhook"). allowed_mentions with an empty parse list keeps @everyone, @here and any <@id> in
// the text from notifying anyone. Files go as files[n] with payload_json, their alt text as
// the attachment's description.
func (c *connector) discord(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	u, err := discordAPI(a.Secret.Password)
	if err != nil {
		return channel.Published{}, &channel.Error{Kind: channel.Unauthorized, Reason: "url"}
	}
	q := u.Query()
	q.Set("wait", "true")
	u.RawQuery = q.Encode()
	payload := map[string]any{"content": p.Text, "allowed_mentions": map[string]any{"parse": []string{}}}
	var body []byte
	header := jsonHeader()
	if len(p.Media) == 0 {
		body, _ = json.Marshal(payload)
	} else {
		attachments := make([]map[string]any, len(p.Media))
		for i, m := range p.Media {
			attachments[i] = map[string]any{"id": i, "filename": fileName(m, i), "description": cut(m.Alt, maxDescription)}
		}
		payload["attachments"] = attachments
		if body, header, err = discordForm(ctx, payload, p.Media); err != nil {
			return channel.Published{}, err
		}
	}
	ans, err := c.do(ctx, http.MethodPost, u.String(), body, header)
	if err != nil {
		return channel.Published{}, err
	}
	if !ans.ok() {
		return channel.Published{}, c.discordError(ans)
	}
	var msg struct {
		ID        string    `json:"id"`
		ChannelID string    `json:"channel_id"`
		Timestamp time.Time `json:"timestamp"`
	}
	if err := json.Unmarshal(ans.body, &msg); err != nil || msg.ID == "" {
		return channel.Published{}, ans.unexpected()
	}
	out := channel.Published{RemoteID: msg.ID, At: msg.Timestamp}
	if out.At.IsZero() {
		out.At = c.env.Clock()
	}
	if guild := a.Secret.Extra["guild_id"]; guild != "" && msg.ChannelID != "" {
		out.URL = "https://discord.com/channels/" + guild + "/" + msg.ChannelID + "/" + msg.ID
	}
	return out, nil
}

// discordForm builds the multipart body: payload_json, then files[0]…files[n]. Files are read
// into memory; Discord takes at most 10 MiB a message without server boosts.
func discordForm(ctx context.Context, payload map[string]any, media []channel.MediaFile) ([]byte, http.Header, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	pj, _ := json.Marshal(payload)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="payload_json"`)
	h.Set("Content-Type", "application/json")
	part, _ := w.CreatePart(h)
	_, _ = part.Write(pj)
	for i, m := range media {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files[%d]"; filename="%s"`, i, fileName(m, i)))
		h.Set("Content-Type", m.MIME)
		part, _ := w.CreatePart(h)
		if err := copyFile(ctx, part, m); err != nil {
			// Nothing was sent: the file store failed, and a retry may find it.
			return nil, nil, &channel.Error{Kind: channel.Temporary, Reason: "media file " + m.Name, Err: err}
		}
	}
	_ = w.Close()
	return buf.Bytes(), http.Header{"Content-Type": {w.FormDataContentType()}}, nil
}

// discordError reads Discord's error object {"message", "code", "errors", "retry_after"}. A 429
// waits for the longest of retry_after, X-RateLimit-Reset-After and Retry-After (Discord "Rate
// Limits"); an unknown webhook (404, code 10015) or a wrong token (401, code 50027) means the
// webhook was deleted or reset.
func (c *connector) discordError(ans answer) *channel.Error {
	var de struct {
		Message    string          `json:"message"`
		Code       int             `json:"code"`
		RetryAfter float64         `json:"retry_after"`
		Errors     json.RawMessage `json:"errors"`
	}
	_ = json.Unmarshal(ans.body, &de)
	reason := de.Message
	if detail := firstError(de.Errors); detail != "" {
		reason += ": " + detail
	}
	if reason == "" {
		reason = ans.text()
	}
	now := c.env.Clock()
	e := channel.StatusError(ans.resp, reason, now)
	if e.Kind == channel.RateLimited {
		wait := de.RetryAfter
		if v, err := strconv.ParseFloat(ans.resp.Header.Get("X-RateLimit-Reset-After"), 64); err == nil {
			wait = max(wait, v)
		}
		if at := now.Add(time.Duration(wait * float64(time.Second))); at.After(e.RetryAt) {
			e.RetryAt = at
		}
	}
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusNotFound {
		e.Kind = channel.Unauthorized
	}
	return e
}

// firstError finds the first message in Discord's nested "errors" object, with its field path:
// {"content": {"_errors": [{"message": "Must be 2000 or fewer in length."}]}}.
func firstError(raw json.RawMessage) string {
	var node map[string]json.RawMessage
	if json.Unmarshal(raw, &node) != nil {
		return ""
	}
	if list, ok := node["_errors"]; ok {
		var errs []struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(list, &errs) == nil && len(errs) > 0 {
			return errs[0].Message
		}
	}
	keys := make([]string, 0, len(node))
	for k := range node {
		if k != "_errors" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if msg := firstError(node[k]); msg != "" {
			if strings.Contains(msg, ": ") {
				return k + "." + msg
			}
			return k + ": " + msg
		}
	}
	return ""
}

// teams posts the Adaptive Card envelope a Teams workflow ("Post to a channel when a webhook
// request is received") expects; the workflow answers 202 Accepted with the run's ID in
// x-ms-workflow-run-id.
func (c *connector) teams(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	body, _ := json.Marshal(map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard",
				"version": "1.4",
				"body":    []any{map[string]any{"type": "TextBlock", "text": p.Text, "wrap": true}},
			},
		}},
	})
	ans, err := c.do(ctx, http.MethodPost, a.Secret.Password, body, jsonHeader())
	if err != nil {
		return channel.Published{}, err
	}
	if !ans.ok() {
		var te struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(ans.body, &te)
		reason := or(te.Error.Message, or(te.Error.Code, ans.text()))
		return channel.Published{}, gone(channel.StatusError(ans.resp, reason, c.env.Clock()))
	}
	if ans.html() {
		return channel.Published{}, ans.unexpected()
	}
	return channel.Published{RemoteID: or(ans.resp.Header.Get("x-ms-workflow-run-id"), p.Key), At: c.env.Clock()}, nil
}

// genericMedia is one file in a generic webhook's JSON.
type genericMedia struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Kind string `json:"kind"`
	Size int64  `json:"size"`
	Alt  string `json:"alt"`
	URL  string `json:"url,omitempty"`
}

// generic posts the signed JSON described in the package comment.
func (c *connector) generic(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	now := c.env.Clock()
	media := make([]genericMedia, len(p.Media))
	for i, m := range p.Media {
		media[i] = genericMedia{Name: m.Name, MIME: m.MIME, Kind: m.Kind, Size: m.Size, Alt: m.Alt, URL: m.PublicURL}
	}
	body, _ := json.Marshal(map[string]any{"id": p.Key, "text": p.Text, "language": p.Language, "media": media,
		"sent_at": now.UTC().Format(time.RFC3339)})
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(a.Secret.Extra["secret"]))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	header := jsonHeader()
	header.Set("User-Agent", "Warta-Webhook/1")
	header.Set("X-Warta-Delivery", p.Key)
	header.Set("X-Warta-Timestamp", ts)
	header.Set("X-Warta-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	ans, err := c.do(ctx, http.MethodPost, a.Secret.Password, body, header)
	if err != nil {
		return channel.Published{}, err
	}
	if !ans.ok() {
		var ge struct{ Error, Message string }
		_ = json.Unmarshal(ans.body, &ge)
		reason := or(ge.Error, or(ge.Message, ans.text()))
		return channel.Published{}, gone(channel.StatusError(ans.resp, reason, now))
	}
	if ans.html() {
		return channel.Published{}, ans.unexpected()
	}
	var made struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(ans.body, &made) // an empty or plain-text answer is fine
	return channel.Published{RemoteID: or(made.ID, p.Key), At: now}, nil
}

func copyFile(ctx context.Context, dst io.Writer, f channel.MediaFile) error {
	if f.Open == nil {
		return fmt.Errorf("media file %q cannot be opened", f.Name)
	}
	r, err := f.Open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(dst, r)
	return err
}

// fileName keeps a file name to plain ASCII, which every multipart parser reads the same way.
func fileName(f channel.MediaFile, i int) string {
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, path.Base(f.Name))
	if strings.Trim(name, "._") == "" {
		name = "file" + strconv.Itoa(i)
	}
	return name
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
