// Package mastodon connects Mastodon accounts on any instance. Warta registers itself as an
// OAuth app on each instance (POST /api/v1/apps), signs the user in with the authorization code
// flow and PKCE, and publishes statuses with an Idempotency-Key.
package mastodon

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the guide and the connect form's labels.
var Catalog = i18n.Catalog{Name: "mastodon", FS: i18n.Dir(catalogFiles, "i18n")}

// scopes Warta asks for: read (the account, its statuses, the instance) and write (media and
// statuses). docs.joinmastodon.org/api/oauth-scopes.
const scopes = "read write"

type connector struct{ env channel.Env }

// New returns the Mastodon connector.
func New(env channel.Env) channel.Connector {
	if env.Client == nil {
		env.Client = http.DefaultClient
	}
	return &connector{env: env}
}

func (c *connector) Network() channel.Network { return channel.Mastodon }

func (c *connector) Guide() channel.Guide {
	return channel.Guide{
		Needs:   "mastodon.guide.needs",
		Steps:   []string{"mastodon.guide.step.address", "mastodon.guide.step.authorise", "mastodon.guide.step.done"},
		DocsURL: "https://docs.joinmastodon.org/client/token/",
	}
}

// Fields is the instance address alone: the app is registered on each instance by Start.
func (c *connector) Fields() []channel.Field {
	return []channel.Field{{Name: "server", Label: "mastodon.field.server", Help: "mastodon.field.server_help", Placeholder: "mastodon.social"}}
}

// credentialApp is the CredentialApplication POST /api/v1/apps answers.
type credentialApp struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// Start registers Warta on the instance when no app is saved for it, then sends the user to the
// instance's authorization page with a PKCE challenge (S256, supported since Mastodon 4.3).
func (c *connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	typed := strings.TrimSpace(req.Values["server"])
	if typed == "" {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "server"}
	}
	server, err := NormaliseServer(typed)
	if err != nil {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "server", Err: err}
	}
	app := req.App
	if app == nil || app.ClientID == "" {
		// docs.joinmastodon.org/methods/apps/#create: client_name and redirect_uris required,
		// scopes space separated.
		body, ctype := formBody(url.Values{"client_name": {"Warta"}, "redirect_uris": {req.RedirectURL}, "scopes": {scopes}})
		var ca credentialApp
		if _, err := c.do(ctx, server, request{method: http.MethodPost, path: "/api/v1/apps", body: body, contentType: ctype}, &ca); err != nil {
			return channel.Step{}, err
		}
		if ca.ClientID == "" || ca.ClientSecret == "" {
			return channel.Step{}, &channel.Error{Kind: channel.Rejected, Key: channel.KeyUnexpected, Reason: "no client_id in the app registration"}
		}
		app = &channel.App{ClientID: ca.ClientID, ClientSecret: ca.ClientSecret}
	}
	verifier := oauth2.GenerateVerifier()
	// docs.joinmastodon.org/methods/oauth/#authorize
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {app.ClientID},
		"redirect_uri":          {req.RedirectURL},
		"scope":                 {scopes},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"},
	}
	if req.State != "" {
		q.Set("state", req.State)
	}
	return channel.Step{
		AuthURL:  c.base(server) + "/oauth/authorize?" + q.Encode(),
		Verifier: verifier,
		Server:   server,
		App:      app,
	}, nil
}

// account is the Account (or CredentialAccount) entity, the part Warta keeps.
type account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
}

// Finish exchanges the code (docs.joinmastodon.org/methods/oauth/#token) and reads who signed in.
func (c *connector) Finish(ctx context.Context, req channel.Finish) ([]channel.Account, error) {
	if e := req.Query.Get("error"); e != "" {
		reason := req.Query.Get("error_description")
		if reason == "" {
			reason = e
		}
		return nil, &channel.Error{Kind: channel.Rejected, Reason: reason}
	}
	code := req.Query.Get("code")
	if code == "" {
		return nil, &channel.Error{Kind: channel.Rejected, Reason: "code"}
	}
	if req.App == nil || req.App.ClientID == "" {
		return nil, &channel.Error{Kind: channel.Rejected, Reason: "client_id"}
	}
	server, err := NormaliseServer(req.Server)
	if err != nil {
		return nil, &channel.Error{Kind: channel.Rejected, Reason: "server", Err: err}
	}
	body, ctype := formBody(url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"client_id":     {req.App.ClientID},
		"client_secret": {req.App.ClientSecret},
		"redirect_uri":  {req.RedirectURL},
		"code_verifier": {req.Verifier},
		"scope":         {scopes},
	})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := c.do(ctx, server, request{method: http.MethodPost, path: "/oauth/token", body: body, contentType: ctype}, &tok); err != nil {
		return nil, err
	}
	if tok.AccessToken == "" {
		return nil, &channel.Error{Kind: channel.Rejected, Key: channel.KeyUnexpected, Reason: "no access_token"}
	}
	acct, err := c.verifyCredentials(ctx, server, tok.AccessToken)
	if err != nil {
		return nil, err
	}
	a := channel.Account{
		Network:  channel.Mastodon,
		Server:   server,
		RemoteID: acct.ID,
		Handle:   handle(acct, server),
		Name:     displayName(acct),
		URL:      acct.URL,
		// Mastodon access tokens do not expire (Doorkeeper access_token_expires_in nil): no refresh token.
		Secret: channel.Secret{AccessToken: tok.AccessToken, App: &channel.App{ClientID: req.App.ClientID, ClientSecret: req.App.ClientSecret}},
	}
	return []channel.Account{a}, nil
}

func (c *connector) verifyCredentials(ctx context.Context, server, token string) (account, error) {
	var acct account
	// docs.joinmastodon.org/methods/accounts/#verify_credentials
	if _, err := c.do(ctx, server, request{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials", token: token}, &acct); err != nil {
		return acct, err
	}
	if acct.ID == "" {
		return acct, &channel.Error{Kind: channel.Rejected, Key: channel.KeyUnexpected, Reason: "no account id"}
	}
	return acct, nil
}

// handle is the account's full address: acct is the bare username for a local account.
func handle(a account, server string) string {
	acct := a.Acct
	if acct == "" {
		acct = a.Username
	}
	if !strings.Contains(acct, "@") {
		if u, err := url.Parse(server); err == nil {
			acct += "@" + u.Host
		}
	}
	return "@" + acct
}

func displayName(a account) string {
	if strings.TrimSpace(a.DisplayName) != "" {
		return a.DisplayName
	}
	return a.Username
}

// Verify reads the account and the instance's own text limit.
func (c *connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	acct, err := c.verifyCredentials(ctx, a.Server, a.Secret.AccessToken)
	if err != nil {
		return channel.Profile{}, err
	}
	// docs.joinmastodon.org/methods/instance/#v2: configuration.statuses.max_characters (and
	// characters_reserved_per_url, which Profile has no place for: links count 23 everywhere known).
	var inst struct {
		Configuration struct {
			Statuses struct {
				MaxCharacters int `json:"max_characters"`
			} `json:"statuses"`
		} `json:"configuration"`
	}
	if _, err := c.do(ctx, a.Server, request{method: http.MethodGet, path: "/api/v2/instance", token: a.Secret.AccessToken}, &inst); err != nil {
		return channel.Profile{}, err
	}
	return channel.Profile{
		Handle:    handle(acct, a.Server),
		Name:      displayName(acct),
		URL:       acct.URL,
		MaxText:   inst.Configuration.Statuses.MaxCharacters,
		QuotaLeft: -1,
	}, nil
}

// Refresh does nothing: Mastodon access tokens do not expire.
func (c *connector) Refresh(context.Context, *channel.Account, time.Duration) (bool, error) {
	return false, nil
}

// IdempotencyWindow: Mastodon keeps an Idempotency-Key for an hour (docs.joinmastodon.org,
// methods/statuses: "Idempotency keys are stored for up to 1 hour"), so within it a repeated
// status with the same key returns the first one.
func (c *connector) IdempotencyWindow() time.Duration { return time.Hour }

// AppServer names the instance the form points at, as Start normalises it.
func (c *connector) AppServer(values map[string]string) (string, error) {
	return NormaliseServer(values["server"])
}
