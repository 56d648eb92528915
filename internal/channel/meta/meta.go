// Package meta holds what the Facebook, Instagram and Threads connectors share: the Graph API
// version and Meta's hosts, requests made the way Meta's APIs take them, the reading of Meta's
// error bodies and rate-limit headers, Facebook Login, and the polling of media containers.
package meta

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
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// Version is the Graph API version every Facebook and Instagram request names. v27.0 was
// released on 4 November 2026 (developers.facebook.com/docs/graph-api/changelog).
const Version = "v27.0"

// ThreadsVersion is the Threads API version (developers.facebook.com/docs/threads).
const ThreadsVersion = "v1.0"

// Meta's hosts. Threads documents threads.com and graph.threads.com since its move from
// threads.net ("Get Access Tokens", updated 12 August 2026).
const (
	facebookWeb  = "https://www.facebook.com"
	facebookAPI  = "https://graph.facebook.com"
	threadsWeb   = "https://threads.com"
	threadsGraph = "https://graph.threads.com"
)

// Hosts are the bases of one network's requests: where the user authorises the app, and the API.
type Hosts struct{ Web, API string }

// FacebookHosts are Facebook's (and Instagram with Facebook Login's) hosts, or the env's Endpoint.
func FacebookHosts(env channel.Env) Hosts { return hosts(env, facebookWeb, facebookAPI) }

// ThreadsHosts are Threads' hosts, or the env's Endpoint.
func ThreadsHosts(env channel.Env) Hosts { return hosts(env, threadsWeb, threadsGraph) }

func hosts(env channel.Env, web, api string) Hosts {
	if env.Endpoint != "" {
		base := strings.TrimRight(env.Endpoint, "/")
		return Hosts{Web: base, API: base}
	}
	return Hosts{Web: web, API: api}
}

// maxBody bounds what is read of an answer; Meta's JSON answers are small.
const maxBody = 4 << 20

// Client makes requests to one of Meta's APIs.
type Client struct {
	HTTP *http.Client
	// Base is prefixed to every path: the API host, with the version for versioned calls.
	Base string
	Now  func() time.Time
	// AppSecret, when set, adds appsecret_proof to calls made with a token, which Meta requires
	// when the app's "Require App Secret" setting is on.
	AppSecret string
}

// NewClient returns a client for base with the env's HTTP client and clock.
func NewClient(env channel.Env, base string) Client {
	return Client{HTTP: env.Client, Base: base, Now: env.Clock}
}

// WithSecret returns the client proving calls with an app's secret, if the app is known.
func (c Client) WithSecret(app *channel.App) Client {
	if app != nil {
		c.AppSecret = app.ClientSecret
	}
	return c
}

// Get reads path with query q; token, when set, goes in the Authorization header.
func (c Client) Get(ctx context.Context, path string, q url.Values, token string, out any) error {
	return c.do(ctx, http.MethodGet, path, q, nil, "", token, out)
}

// Post sends form as application/x-www-form-urlencoded.
func (c Client) Post(ctx context.Context, path string, form url.Values, token string, out any) error {
	body := form.Encode()
	return c.do(ctx, http.MethodPost, path, nil, strings.NewReader(body), "application/x-www-form-urlencoded", token, out)
}

// File is one file of a multipart upload.
type File struct {
	Field string // the form field, "source" for Graph uploads
	Name  string
	MIME  string
	Open  func(ctx context.Context) (io.ReadCloser, error)
}

// Upload sends form and one file as multipart/form-data, streaming the file.
func (c Client) Upload(ctx context.Context, path string, form url.Values, f File, token string, out any) error {
	src, err := f.Open(ctx)
	if err != nil {
		return fmt.Errorf("meta: open %s: %w", f.Name, err)
	}
	defer src.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(writeMultipart(mw, form, f, src))
	}()
	err = c.do(ctx, http.MethodPost, path, nil, pr, mw.FormDataContentType(), token, out)
	pr.Close() // stops the writer if the request ended before reading it all
	<-done
	return err
}

func writeMultipart(mw *multipart.Writer, form url.Values, f File, src io.Reader) error {
	for k, vs := range form {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				return err
			}
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.Field, f.Name))
	h.Set("Content-Type", f.MIME)
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, src); err != nil {
		return err
	}
	return mw.Close()
}

func (c Client) do(ctx context.Context, method, path string, q url.Values, body io.Reader, contentType, token string, out any) error {
	if q == nil {
		q = url.Values{}
	}
	if token != "" && c.AppSecret != "" {
		q.Set("appsecret_proof", Proof(token, c.AppSecret))
	}
	u := c.Base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		// Graph and Threads take the token as a bearer token, which keeps it out of URLs and logs.
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return channel.TransportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return channel.TransportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Classify(resp, raw, c.now())
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return Unexpected(resp.StatusCode, raw)
	}
	return nil
}

func (c Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Proof is appsecret_proof: the SHA-256 HMAC of the token keyed with the app secret.
func Proof(token, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// Unexpected is a 2xx answer in a shape the connector does not know; for a create request the
// post may exist, so the engine asks Find first.
func Unexpected(status int, body []byte) *channel.Error {
	return &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: status, Reason: snippet(body)}
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(bytes.ToValidUTF8(b, nil)))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Time parses Graph's timestamps ("2026-11-27T10:00:00+0000").
func Time(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
