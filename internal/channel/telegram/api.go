package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// body is a request body with its content type.
type body struct {
	data        []byte
	contentType string
}

func jsonBody(params map[string]any) body {
	data, _ := json.Marshal(params) // maps of strings, numbers and slices always encode
	return body{data: data, contentType: "application/json"}
}

// reply is every Bot API answer: {"ok":true,"result":…} or {"ok":false,"error_code":…,
// "description":…,"parameters":{…}} (core.telegram.org/bots/api#making-requests).
type reply struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

func (c *connector) base() string {
	if c.env.Endpoint != "" {
		return strings.TrimSuffix(c.env.Endpoint, "/")
	}
	return apiBase
}

func (c *connector) client() *http.Client {
	if c.env.Client != nil {
		return c.env.Client
	}
	return http.DefaultClient
}

// call sends one method and decodes its result into out. When a group has become a supergroup
// it also returns the new chat ID Telegram gives (ResponseParameters.migrate_to_chat_id).
func (c *connector) call(ctx context.Context, token, method string, b body, out any) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base()+"/bot"+token+"/"+method, bytes.NewReader(b.data))
	if err != nil {
		return 0, &channel.Error{Kind: channel.Rejected, Reason: "bot_token", Err: redact(err, token)}
	}
	req.Header.Set("Content-Type", b.contentType)
	resp, err := c.client().Do(req)
	if err != nil {
		return 0, channel.TransportError(redact(err, token))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return 0, channel.TransportError(redact(err, token))
	}
	var r reply
	shapeErr := json.Unmarshal(raw, &r)
	if resp.StatusCode/100 != 2 {
		return r.Parameters.MigrateToChatID, c.failure(resp, r, raw)
	}
	if shapeErr == nil && r.OK {
		shapeErr = json.Unmarshal(r.Result, out)
	} else if shapeErr == nil {
		shapeErr = errors.New("ok is false in a 2xx answer")
	}
	if shapeErr != nil {
		return 0, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: resp.StatusCode,
			Reason: snippet(raw), Err: shapeErr}
	}
	return 0, nil
}

// failure classifies an error answer. Telegram's description is the reason; 429 carries
// parameters.retry_after; 403 means the bot was blocked, kicked or removed from the chat, so
// the account needs the bot back (or another bot), not a changed post.
func (c *connector) failure(resp *http.Response, r reply, raw []byte) *channel.Error {
	reason := r.Description
	if reason == "" {
		reason = snippet(raw)
	}
	now := c.env.Clock()
	e := channel.StatusError(resp, reason, now)
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		if r.Parameters.RetryAfter > 0 {
			e.RetryAt = now.Add(time.Duration(r.Parameters.RetryAfter) * time.Second)
		}
	case http.StatusForbidden:
		e.Kind = channel.Unauthorized
	}
	return e
}

// redact takes the token out of an error: http.Client puts the request URL, which holds the
// token, in its errors, and errors end up in logs.
func redact(err error, token string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, token, "<token>")
	}
	return err
}

// snippet is the start of a body that is not the Bot API's JSON (a proxy's page), for a reason.
func snippet(raw []byte) string {
	s := []rune(strings.TrimSpace(string(raw)))
	if len(s) > 200 {
		s = s[:200]
	}
	return string(s)
}
