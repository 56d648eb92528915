package bluesky

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// xrpc is one call to the PDS (atproto.com/specs/xrpc: GET for queries, POST for procedures).
type xrpc struct {
	method string
	nsid   string
	query  url.Values
	body   []byte
	ctype  string
	// auth sends the access token.
	auth bool
}

// xrpcFailure is an XRPC error answer: {"error": "InvalidRequest", "message": "..."}.
type xrpcFailure struct {
	status  int
	nsid    string
	Name    string `json:"error"`
	Message string `json:"message"`
}

func (f *xrpcFailure) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", f.nsid, f.status, f.Name, f.Message)
}

// maxAnswer bounds what is read of an XRPC answer.
const maxAnswer = 4 << 20

// session is what createSession and refreshSession answer.
type session struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	DID        string `json:"did"`
	Handle     string `json:"handle"`
}

// call makes x on a's PDS and decodes a 2xx answer into out. An authenticated call renews the
// session first when the access token has expired, and once more when the PDS refuses the token
// (ExpiredToken, InvalidToken): it refused before acting, so sending the call again is safe.
func (c *Connector) call(ctx context.Context, a *channel.Account, x xrpc, out any) error {
	renewed := false
	if x.auth && c.expired(a) {
		if err := c.renew(ctx, a); err != nil {
			return err
		}
		renewed = true
	}
	for {
		token := ""
		if x.auth {
			token = a.Secret.AccessToken
		}
		err := c.send(ctx, c.serverOf(a), token, x, out)
		if f := failure(err); x.auth && !renewed && f != nil && tokenRefused(f.Name) {
			if err := c.renew(ctx, a); err != nil {
				return err
			}
			renewed = true
			continue
		}
		return err
	}
}

// send makes one request and classifies its failure as the engine needs it.
func (c *Connector) send(ctx context.Context, server, token string, x xrpc, out any) error {
	u := server + "/xrpc/" + x.nsid
	if len(x.query) > 0 {
		u += "?" + x.query.Encode()
	}
	var body io.Reader
	if x.body != nil {
		body = bytes.NewReader(x.body)
	}
	req, err := http.NewRequestWithContext(ctx, x.method, u, body)
	if err != nil {
		return &channel.Error{Kind: channel.Rejected, Reason: "server", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if x.body != nil {
		req.Header.Set("Content-Type", x.ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.env.Client.Do(req)
	if err != nil {
		return channel.TransportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return channel.TransportError(err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: resp.StatusCode,
				Reason: x.nsid, Err: err}
		}
		return nil
	}
	f := &xrpcFailure{status: resp.StatusCode, nsid: x.nsid}
	_ = json.Unmarshal(raw, f)
	reason := f.Message
	if reason == "" {
		reason = f.Name
	}
	e := channel.StatusError(resp, reason, c.env.Clock())
	e.Err = f
	if resp.StatusCode == http.StatusTooManyRequests {
		if at := rateLimitReset(resp.Header, c.env.Clock()); !at.IsZero() {
			e.RetryAt = at
		}
	}
	switch f.Name {
	// The reference PDS answers these with 400, not 401; each needs a new sign-in.
	case "ExpiredToken", "InvalidToken", "AuthMissing", "AccountTakedown", "AccountDeactivated":
		e.Kind = channel.Unauthorized
	}
	return e
}

// rateLimitReset reads RateLimit-Reset, which the reference PDS sends as unix seconds
// (@atproto/xrpc-server); a small number is read as seconds from now, as the IETF draft has it.
func rateLimitReset(h http.Header, now time.Time) time.Time {
	v, err := strconv.ParseInt(strings.TrimSpace(h.Get("RateLimit-Reset")), 10, 64)
	if err != nil || v <= 0 {
		return time.Time{}
	}
	if v < 1_000_000_000 {
		return now.Add(time.Duration(v) * time.Second)
	}
	return time.Unix(v, 0)
}

// failure returns the XRPC error answer inside err, if any.
func failure(err error) *xrpcFailure {
	var f *xrpcFailure
	if errors.As(err, &f) {
		return f
	}
	return nil
}

// tokenRefused: the PDS refused the bearer token itself (atproto's own client renews on these).
func tokenRefused(name string) bool { return name == "ExpiredToken" || name == "InvalidToken" }

// expired: no access token, or one about to lapse.
func (c *Connector) expired(a *channel.Account) bool {
	return a.Secret.AccessToken == "" ||
		(!a.Secret.Expiry.IsZero() && !a.Secret.Expiry.After(c.env.Clock().Add(30*time.Second)))
}

// renew gets a new session: refreshSession with the refresh token, and createSession with the
// app password only when the refresh token is dead (expired or revoked), to spare the tight
// createSession limit. A refused app password means the user revoked it.
func (c *Connector) renew(ctx context.Context, a *channel.Account) error {
	server := c.serverOf(a)
	if a.Secret.RefreshToken != "" {
		var s session
		err := c.send(ctx, server, a.Secret.RefreshToken, xrpc{method: http.MethodPost, nsid: "com.atproto.server.refreshSession"}, &s)
		if err == nil && (s.AccessJwt == "" || s.RefreshJwt == "") {
			return &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: http.StatusOK, Reason: "refreshSession"}
		}
		if err == nil {
			c.keep(a, s)
			return nil
		}
		if f := failure(err); f == nil || !tokenRefused(f.Name) {
			return err
		}
	}
	if a.Secret.Password == "" {
		return &channel.Error{Kind: channel.Unauthorized, Reason: "no app password"}
	}
	// The DID survives a handle change; the reference PDS accepts it as the identifier.
	id := a.RemoteID
	if id == "" {
		id = strings.TrimPrefix(a.Handle, "@")
	}
	s, err := c.createSession(ctx, server, id, a.Secret.Password)
	if err != nil {
		return err
	}
	c.keep(a, s)
	return nil
}

// createSession signs in; a wrong or revoked password is 401 AuthenticationRequired "Invalid
// identifier or password", which StatusError makes Unauthorized.
func (c *Connector) createSession(ctx context.Context, server, id, password string) (session, error) {
	body, _ := json.Marshal(map[string]string{"identifier": id, "password": password})
	var s session
	err := c.send(ctx, server, "", xrpc{method: http.MethodPost, nsid: "com.atproto.server.createSession", body: body, ctype: "application/json"}, &s)
	if err != nil {
		return session{}, err
	}
	if s.AccessJwt == "" || s.RefreshJwt == "" || s.DID == "" {
		return session{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: http.StatusOK, Reason: "createSession"}
	}
	return s, nil
}

// keep stores a session's tokens in the account.
func (c *Connector) keep(a *channel.Account, s session) {
	a.Secret.AccessToken = s.AccessJwt
	a.Secret.RefreshToken = s.RefreshJwt
	a.Secret.Expiry = jwtExpiry(s.AccessJwt)
}

// jwtExpiry reads the exp claim of a JWT without verifying it: only the PDS can, and it is
// read to know when to renew. Zero when absent.
func jwtExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(raw, &claims) != nil || claims.Exp == 0 {
		return time.Time{}
	}
	return time.Unix(claims.Exp, 0)
}

func (c *Connector) serverOf(a *channel.Account) string {
	if a.Server != "" {
		return strings.TrimRight(a.Server, "/")
	}
	return c.defaultServer()
}
