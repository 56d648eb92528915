// Package linkedin publishes to LinkedIn as a member and as the organisation pages the member
// administers: OAuth 2.0, the versioned REST Posts, Images, Videos and Documents APIs, comments
// and the social actions of page posts.
package linkedin

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the guide and the form's labels.
var Catalog = i18n.Catalog{Name: "linkedin", FS: i18n.Dir(catalogFiles, "i18n")}

// LinkedIn's fixed hosts (learn.microsoft.com "Authorization Code Flow"); Env.Endpoint replaces
// all of them, keeping the paths.
const (
	authorizeURL = "https://www.linkedin.com/oauth/v2/authorization"
	tokenURL     = "https://www.linkedin.com/oauth/v2/accessToken"
	apiURL       = "https://api.linkedin.com"
)

// Scopes. A member app has the products "Share on LinkedIn" (w_member_social) and "Sign In
// with LinkedIn using OpenID Connect" (openid profile, for /v2/userinfo). Pages need the
// "Community Management API", which LinkedIn allows only as the sole product of an app; it
// grants posting as pages (w_organization_social), reading their posts (r_organization_social),
// the member's page roles (rw_organization_admin), posting as the member and the member's basic
// profile (r_basicprofile, for /v2/me).
const (
	memberScopes = "openid profile w_member_social"
	pageScopes   = "r_basicprofile w_member_social w_organization_social r_organization_social rw_organization_admin"
)

// Kinds of LinkedIn account.
const (
	KindMember       = "member"
	KindOrganization = "organization"
)

type connector struct{ env channel.Env }

// New returns the LinkedIn connector.
func New(env channel.Env) channel.Connector { return &connector{env: env} }

func (c *connector) Network() channel.Network { return channel.LinkedIn }

func (c *connector) Guide() channel.Guide {
	return channel.Guide{
		Needs:   "linkedin.guide.needs",
		Steps:   []string{"linkedin.guide.step1", "linkedin.guide.step2", "linkedin.guide.step3", "linkedin.guide.step4", "linkedin.guide.step5", "linkedin.guide.step6"},
		DocsURL: "https://www.linkedin.com/developers/apps",
	}
}

func (c *connector) Fields() []channel.Field {
	return []channel.Field{
		{Name: "client_id", Label: "linkedin.field.client_id", Help: "linkedin.field.client_id.help", App: true},
		{Name: "client_secret", Label: "linkedin.field.client_secret", Help: "linkedin.field.client_secret.help", App: true, Secret: true},
		{Name: "organizations", Label: "linkedin.field.organizations", Help: "linkedin.field.organizations.help", Optional: true},
	}
}

// url places a fixed LinkedIn address on the Endpoint when one is set.
func (c *connector) url(fixed string) string {
	if c.env.Endpoint == "" {
		return fixed
	}
	u, _ := url.Parse(fixed)
	return strings.TrimRight(c.env.Endpoint, "/") + u.Path
}

func (c *connector) api(path string) string { return c.url(apiURL) + path }

// yes reads the organizations field: a ticked box ("on") or a typed yes.
func yes(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "1", "true", "yes", "ya", "y":
		return true
	}
	return false
}

func (c *connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	var a channel.App
	if req.App != nil {
		a = *req.App
	}
	if v := strings.TrimSpace(req.Values["client_id"]); v != "" {
		a = channel.App{ClientID: v, ClientSecret: strings.TrimSpace(req.Values["client_secret"])}
	}
	switch {
	case a.ClientID == "":
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "client_id"}
	case a.ClientSecret == "":
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "client_secret"}
	case req.RedirectURL == "":
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "redirect_uri"}
	}
	scope := memberScopes
	if yes(req.Values["organizations"]) {
		scope = pageScopes
	}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {a.ClientID},
		"redirect_uri":  {req.RedirectURL},
		"state":         {req.State},
		"scope":         {scope},
	}
	return channel.Step{AuthURL: c.url(authorizeURL) + "?" + q.Encode(), App: &a}, nil
}

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
	sec, granted, err := c.token(ctx, req.App, url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {req.RedirectURL},
	})
	if err != nil {
		return nil, err
	}
	member, err := c.member(ctx, sec.AccessToken, granted)
	if err != nil {
		return nil, err
	}
	member.Secret = sec
	accts := []channel.Account{member}
	if granted != nil && !granted["rw_organization_admin"] && !granted["r_organization_admin"] {
		return accts, nil
	}
	orgs, err := c.organizations(ctx, sec.AccessToken)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		o.Secret = sec
		accts = append(accts, o)
	}
	return accts, nil
}

// member reads who the token belongs to: GET /v2/userinfo (OpenID Connect) when openid was
// granted, GET /v2/me (r_basicprofile, on a Community Management app) otherwise. granted is nil
// when the scopes are not known: then userinfo is tried first.
func (c *connector) member(ctx context.Context, token string, granted map[string]bool) (channel.Account, error) {
	if granted == nil || granted["openid"] {
		a, err := c.userinfo(ctx, token)
		if err == nil || granted != nil || channel.AsError(err).Status != http.StatusForbidden {
			return a, err
		}
	}
	return c.me(ctx, token)
}

func (c *connector) userinfo(ctx context.Context, token string) (channel.Account, error) {
	var info struct {
		Sub        string `json:"sub"`
		Name       string `json:"name"`
		GivenName  string `json:"given_name"`
		FamilyName string `json:"family_name"`
	}
	if err := c.call(ctx, http.MethodGet, c.api("/v2/userinfo"), token, nil, &info, nil); err != nil {
		return channel.Account{}, err
	}
	if info.Sub == "" {
		return channel.Account{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "GET /v2/userinfo without sub"}
	}
	name := info.Name
	if name == "" {
		name = strings.TrimSpace(info.GivenName + " " + info.FamilyName)
	}
	return channel.Account{Network: channel.LinkedIn, Kind: KindMember, RemoteID: "urn:li:person:" + info.Sub, Name: name, Handle: name}, nil
}

func (c *connector) me(ctx context.Context, token string) (channel.Account, error) {
	var me struct {
		ID        string `json:"id"`
		FirstName string `json:"localizedFirstName"`
		LastName  string `json:"localizedLastName"`
		Vanity    string `json:"vanityName"`
	}
	if err := c.call(ctx, http.MethodGet, c.api("/v2/me"), token, nil, &me, nil); err != nil {
		return channel.Account{}, err
	}
	if me.ID == "" {
		return channel.Account{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "GET /v2/me without id"}
	}
	a := channel.Account{Network: channel.LinkedIn, Kind: KindMember, RemoteID: "urn:li:person:" + me.ID,
		Name: strings.TrimSpace(me.FirstName + " " + me.LastName), Handle: me.Vanity}
	if me.Vanity != "" {
		a.URL = "https://www.linkedin.com/in/" + me.Vanity
	} else {
		a.Handle = a.Name
	}
	return a, nil
}

// postingRoles are the page roles that may post as the page (learn.microsoft.com
// "Organization Access Control": ADMINISTRATOR, CONTENT_ADMINISTRATOR).
var postingRoles = map[string]bool{"ADMINISTRATOR": true, "CONTENT_ADMINISTRATOR": true}

// organizations lists the pages the member may post as: GET /rest/organizationAcls?q=roleAssignee,
// then each page's name. Refused (403: the app or the member lacks the permission), it is none.
func (c *connector) organizations(ctx context.Context, token string) ([]channel.Account, error) {
	var acls struct {
		Elements []struct {
			Organization string `json:"organization"`
			Role         string `json:"role"`
			State        string `json:"state"`
		} `json:"elements"`
	}
	q := url.Values{"q": {"roleAssignee"}, "state": {"APPROVED"}, "count": {"100"}}
	err := c.call(ctx, http.MethodGet, c.api("/rest/organizationAcls")+"?"+q.Encode(), token, nil, &acls, nil)
	if e := channel.AsError(err); err != nil && e.Status == http.StatusForbidden {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []channel.Account
	seen := map[string]bool{}
	for _, acl := range acls.Elements {
		if !postingRoles[acl.Role] || acl.State != "APPROVED" || seen[acl.Organization] {
			continue
		}
		seen[acl.Organization] = true
		o, err := c.organization(ctx, token, acl.Organization)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// organization reads a page: GET /rest/organizations/{id}.
func (c *connector) organization(ctx context.Context, token, urn string) (channel.Account, error) {
	id := strings.TrimPrefix(urn, "urn:li:organization:")
	var org struct {
		Name   string `json:"localizedName"`
		Vanity string `json:"vanityName"`
	}
	if err := c.call(ctx, http.MethodGet, c.api("/rest/organizations/"+url.PathEscape(id)), token, nil, &org, nil); err != nil {
		return channel.Account{}, err
	}
	a := channel.Account{Network: channel.LinkedIn, Kind: KindOrganization, RemoteID: urn, Name: org.Name,
		Handle: org.Vanity, URL: "https://www.linkedin.com/company/" + id + "/"}
	if org.Vanity != "" {
		a.URL = "https://www.linkedin.com/company/" + org.Vanity + "/"
	}
	return a, nil
}

func (c *connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	var b channel.Account
	var err error
	if a.Kind == KindOrganization {
		b, err = c.organization(ctx, a.Secret.AccessToken, a.RemoteID)
	} else {
		b, err = c.member(ctx, a.Secret.AccessToken, nil)
	}
	if err != nil {
		return channel.Profile{}, err
	}
	return channel.Profile{Handle: b.Handle, Name: b.Name, URL: b.URL, QuotaLeft: -1}, nil
}

// Refresh renews the token. A LinkedIn access token lives 60 days; only apps LinkedIn approved
// for programmatic refresh get a refresh token. Without one nothing can be renewed: the account
// needs reconnecting once the token has expired.
func (c *connector) Refresh(ctx context.Context, a *channel.Account, within time.Duration) (bool, error) {
	now := c.env.Clock()
	if a.Secret.Expiry.IsZero() || a.Secret.Expiry.After(now.Add(within)) {
		return false, nil
	}
	if a.Secret.RefreshToken == "" || a.Secret.App == nil {
		if a.Secret.Expiry.After(now) {
			return false, nil // still valid; nothing to renew it with
		}
		return false, &channel.Error{Kind: channel.Unauthorized, Reason: "the LinkedIn access token expired"}
	}
	sec, _, err := c.token(ctx, a.Secret.App, url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {a.Secret.RefreshToken},
	})
	if err != nil {
		if e := channel.AsError(err); e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized {
			e.Kind = channel.Unauthorized // invalid_request / invalid_grant: the refresh token is dead
		}
		return false, err
	}
	if sec.RefreshToken == "" {
		sec.RefreshToken = a.Secret.RefreshToken
	}
	a.Secret = sec
	return true, nil
}
