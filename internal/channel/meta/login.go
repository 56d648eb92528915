package meta

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"warta.dev/warta/internal/channel"
)

// App reads the app from a connect form's client_id and client_secret, or the saved one.
func App(req channel.Start) (*channel.App, error) {
	app := channel.App{}
	if req.App != nil {
		app = *req.App
	}
	if v := strings.TrimSpace(req.Values["client_id"]); v != "" {
		app.ClientID = v
	}
	if v := strings.TrimSpace(req.Values["client_secret"]); v != "" {
		app.ClientSecret = v
	}
	switch {
	case app.ClientID == "":
		return nil, &channel.Error{Kind: channel.Rejected, Reason: "client_id"}
	case app.ClientSecret == "":
		return nil, &channel.Error{Kind: channel.Rejected, Reason: "client_secret"}
	}
	return &app, nil
}

// CheckApp asks the token endpoint at base for an app access token (grant_type
// client_credentials), so a wrong app ID or secret is told before the user is sent to Meta.
func CheckApp(ctx context.Context, c Client, app *channel.App) error {
	q := url.Values{"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "grant_type": {"client_credentials"}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err := c.Get(ctx, "/oauth/access_token", q, "", &tok)
	var e *channel.Error
	if errors.As(err, &e) && e.Status >= 400 && e.Status < 500 {
		e.Kind = channel.Unauthorized // Meta refused the app's own credentials
	}
	if err == nil && tok.AccessToken == "" {
		return Unexpected(200, nil)
	}
	return err
}

// Denied reads the error Meta appended to the redirect URL when the user did not authorise
// the app (error=access_denied&error_reason=user_denied&error_description=Permissions+error).
func Denied(q url.Values) error {
	if q.Get("error") == "" && q.Get("error_reason") == "" {
		if q.Get("code") == "" {
			return &channel.Error{Kind: channel.Rejected, Reason: "code"}
		}
		return nil
	}
	reason := q.Get("error_description")
	if reason == "" {
		reason = q.Get("error_reason")
	}
	if reason == "" {
		reason = q.Get("error")
	}
	return &channel.Error{Kind: channel.Rejected, Reason: reason}
}

// Login is Facebook Login for Business for one set of permissions: what the Facebook and the
// Instagram (with Facebook Login) connectors share.
type Login struct {
	Env    channel.Env
	Scopes []string
}

// Start checks the app and returns the Login dialog to send the user to
// (developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow).
func (l Login) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	app, err := App(req)
	if err != nil {
		return channel.Step{}, err
	}
	h := FacebookHosts(l.Env)
	if err := CheckApp(ctx, NewClient(l.Env, h.API+"/"+Version), app); err != nil {
		return channel.Step{}, err
	}
	q := url.Values{
		"client_id":     {app.ClientID},
		"redirect_uri":  {req.RedirectURL},
		"state":         {req.State},
		"scope":         {strings.Join(l.Scopes, ",")},
		"response_type": {"code"},
	}
	return channel.Step{AuthURL: h.Web + "/" + Version + "/dialog/oauth?" + q.Encode(), App: app}, nil
}

// Finish exchanges the code for a user token, trades it for a long-lived one (about 60 days,
// and Page tokens read with it never expire) and checks every permission was granted.
func (l Login) Finish(ctx context.Context, req channel.Finish) (string, *channel.App, error) {
	if err := Denied(req.Query); err != nil {
		return "", nil, err
	}
	app := req.App
	if app == nil || app.ClientID == "" {
		return "", nil, &channel.Error{Kind: channel.Rejected, Reason: "client_id"}
	}
	c := NewClient(l.Env, FacebookHosts(l.Env).API+"/"+Version)
	var short, long struct {
		AccessToken string `json:"access_token"`
	}
	q := url.Values{"client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
		"redirect_uri": {req.RedirectURL}, "code": {req.Query.Get("code")}}
	if err := c.Get(ctx, "/oauth/access_token", q, "", &short); err != nil {
		return "", nil, err
	}
	// developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
	q = url.Values{"grant_type": {"fb_exchange_token"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "fb_exchange_token": {short.AccessToken}}
	if err := c.Get(ctx, "/oauth/access_token", q, "", &long); err != nil {
		return "", nil, err
	}
	if long.AccessToken == "" {
		return "", nil, Unexpected(200, nil)
	}
	if err := l.granted(ctx, c.WithSecret(app), long.AccessToken); err != nil {
		return "", nil, err
	}
	return long.AccessToken, app, nil
}

// granted refuses a connection where the user unticked a permission in the dialog, which would
// otherwise fail only at the first publication.
func (l Login) granted(ctx context.Context, c Client, token string) error {
	var perms struct {
		Data []struct{ Permission, Status string } `json:"data"`
	}
	if err := c.Get(ctx, "/me/permissions", nil, token, &perms); err != nil {
		return err
	}
	ok := map[string]bool{}
	for _, p := range perms.Data {
		ok[p.Permission] = p.Status == "granted"
	}
	var missing []string
	for _, s := range l.Scopes {
		if !ok[s] {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return &channel.Error{Kind: channel.Rejected, Reason: strings.Join(missing, ", ")}
	}
	return nil
}
