package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/platform/db"
)

// Single sign-on against a small but real OpenID Connect provider on loopback: discovery, JWKS,
// the authorization code flow with PKCE (S256) and a signed ID token. Warta signs in only people
// who already have an account.
func TestSingleSignOn(t *testing.T) {
	idp := startProvider(t, "warta-humas", "rahasia-klien-sso")
	env := apptest.Start(t, db.SQLite, func(c *config.Config) {
		c.OIDCIssuer = idp.issuer
		c.OIDCClientID = "warta-humas"
		c.OIDCClientSecret = "rahasia-klien-sso"
		c.OIDCName = "Akun Pemkot"
	})
	// The provider only sends people back to the redirect URI registered for the client.
	idp.setRedirectURI(env.URL + "/auth/sso/callback")

	ctx := context.Background()
	if _, _, err := env.App.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "ani@pemkot.example", Name: "Ani Rahma",
		Password: "kopi-susu-pagi", Role: access.Owner, Workspace: "Humas Kota Contoh", Lang: "en", Timezone: "Asia/Jakarta"}); err != nil {
		t.Fatal(err)
	}

	t.Run("login page offers the provider", func(t *testing.T) {
		r := env.Browser().Get("/login")
		if r.Status != 200 || !strings.Contains(r.Body, "Sign in with Akun Pemkot") || !strings.Contains(r.Body, `href="/auth/sso"`) {
			t.Fatalf("login page: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
	})

	t.Run("a member signs in", func(t *testing.T) {
		// Providers often keep the case people typed; Warta matches emails without case.
		idp.signInAs("Ani@Pemkot.Example", true)
		b := env.Browser()
		callback := ssoToCallback(t, b, idp)
		r := b.Get(callback)
		if r.Status != http.StatusSeeOther || r.Location != "/" {
			t.Fatalf("callback: %d → %q %s", r.Status, r.Location, apptest.Excerpt(r.Body))
		}
		if n := idp.exchanges(); n != 1 {
			t.Errorf("token requests: %d, want 1", n)
		}
		r = b.Follow(r)
		if r.Status != http.StatusSeeOther || r.Location != "/w/humas-kota-contoh" {
			t.Fatalf("front page when signed in: %d → %q", r.Status, r.Location)
		}
		if r := b.Follow(r); r.Status != 200 || !strings.Contains(r.Body, "Welcome, Ani Rahma") {
			t.Fatalf("workspace home: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		// The callback link is worth nothing in another browser, which did not start the sign-in.
		if r := env.Browser().Get(callback); r.Status != http.StatusBadRequest {
			t.Errorf("callback replayed in another browser: %d", r.Status)
		}
	})

	t.Run("an email without an account is refused", func(t *testing.T) {
		idp.signInAs("orang.asing@pemkot.example", true)
		b := env.Browser()
		r := b.Get(ssoToCallback(t, b, idp))
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "There is no Warta account for this email") {
			t.Fatalf("unknown email: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := b.Get("/w/humas-kota-contoh"); r.Status == 200 {
			t.Error("a stranger reached the workspace")
		}
	})

	t.Run("an unverified email is refused", func(t *testing.T) {
		idp.signInAs("ani@pemkot.example", false)
		b := env.Browser()
		before := idp.issued()
		r := b.Get(ssoToCallback(t, b, idp))
		if idp.issued() != before+1 {
			t.Fatal("the exchange failed; the test did not reach the email check")
		}
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Single sign-on did not complete") {
			t.Fatalf("unverified email: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := b.Get("/w/humas-kota-contoh"); r.Status == 200 {
			t.Error("an unverified email reached the workspace")
		}
	})

	t.Run("a callback with a wrong state is refused", func(t *testing.T) {
		idp.signInAs("ani@pemkot.example", true)
		b := env.Browser()
		callback := ssoToCallback(t, b, idp)
		u, _ := url.Parse(callback)
		q := u.Query()
		q.Set("state", "dipalsukan-"+q.Get("state"))
		u.RawQuery = q.Encode()
		before := idp.exchanges()
		r := b.Get(u.String())
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Single sign-on did not complete") {
			t.Fatalf("wrong state: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if idp.exchanges() != before {
			t.Error("Warta exchanged the code although the state did not match")
		}
		if r := b.Get("/w/humas-kota-contoh"); r.Status == 200 {
			t.Error("a forged callback signed the browser in")
		}
	})

	t.Run("a disabled account is refused", func(t *testing.T) {
		u, err := env.App.Auth.UserByEmail(ctx, "ani@pemkot.example")
		if err != nil {
			t.Fatal(err)
		}
		if err := env.App.Auth.SetDisabled(ctx, auth.CLI, u.ID, true); err != nil {
			t.Fatal(err)
		}
		idp.signInAs("ani@pemkot.example", true)
		b := env.Browser()
		r := b.Get(ssoToCallback(t, b, idp))
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "This account has been disabled") {
			t.Fatalf("disabled account: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := b.Get("/w/humas-kota-contoh"); r.Status == 200 {
			t.Error("a disabled account reached the workspace")
		}
	})
}

// ssoToCallback clicks "Sign in with …" and lets the provider send the browser back; it returns
// the callback URL the provider redirected to, not yet visited.
func ssoToCallback(t *testing.T, b *apptest.Browser, idp *provider) string {
	t.Helper()
	r := b.Get("/auth/sso")
	if r.Status != http.StatusFound || !strings.HasPrefix(r.Location, idp.issuer+"/authorize?") {
		t.Fatalf("/auth/sso: %d → %q %s", r.Status, r.Location, apptest.Excerpt(r.Body))
	}
	r = b.Get(r.Location)
	if r.Status != http.StatusFound {
		t.Fatalf("provider refused the authorization request: %d %s", r.Status, r.Body)
	}
	return r.Location
}

// provider is an OpenID Connect provider that signs in whoever signInAs names, without a login page.
type provider struct {
	t             *testing.T
	issuer        string
	clientID      string
	clientSecret  string
	key           *rsa.PrivateKey
	mu            sync.Mutex
	redirectURI   string
	email         string
	emailVerified bool
	grants        map[string]*grant
	tokenRequests int
	tokensIssued  int
}

type grant struct {
	redirectURI, challenge, nonce, email string
	emailVerified                        bool
	expires                              time.Time
}

const keyID = "kunci-1"

func startProvider(t *testing.T, clientID, secret string) *provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, clientID: clientID, clientSecret: secret, key: key, grants: map[string]*grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.issuer = srv.URL
	return p
}

func (p *provider) setRedirectURI(u string) { p.mu.Lock(); p.redirectURI = u; p.mu.Unlock() }

func (p *provider) signInAs(email string, verified bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.email, p.emailVerified = email, verified
}

// exchanges counts the requests to the token endpoint, and issued the ID tokens it handed out.
func (p *provider) exchanges() int { p.mu.Lock(); defer p.mu.Unlock(); return p.tokenRequests }

func (p *provider) issued() int { p.mu.Lock(); defer p.mu.Unlock(); return p.tokensIssued }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"jwks_uri":                              p.issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"iss", "aud", "sub", "exp", "iat", "nonce", "email", "email_verified"},
	})
}

func (p *provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: keyID, Algorithm: "RS256", Use: "sig"}}})
}

// authorize checks the request as a provider would, then sends the browser straight back.
func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	fail := func(msg string) { http.Error(w, msg, http.StatusBadRequest) }
	switch {
	case q.Get("client_id") != p.clientID:
		fail("unknown client_id")
	case q.Get("redirect_uri") == "" || q.Get("redirect_uri") != p.redirectURI:
		fail("redirect_uri is not registered for this client: " + q.Get("redirect_uri"))
	case q.Get("response_type") != "code":
		fail("response_type must be code")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("scope must include openid")
	case q.Get("state") == "" || q.Get("nonce") == "":
		fail("state and nonce are required")
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		fail("PKCE with S256 is required")
	default:
		code := rand.Text()
		p.grants[code] = &grant{redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"),
			email: p.email, emailVerified: p.emailVerified, expires: time.Now().Add(time.Minute)}
		back, _ := url.Parse(q.Get("redirect_uri"))
		v := back.Query()
		v.Set("code", code)
		v.Set("state", q.Get("state"))
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
}

// token exchanges a code for an ID token (RFC 6749 4.1.3, RFC 7636 4.6, OIDC Core 3.1.3).
func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.tokenRequests++
	p.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 400, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic { // client_secret_basic form-encodes both parts before Base64
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.clientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="idp"`)
		writeJSON(w, 401, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	p.mu.Lock()
	code := r.PostForm.Get("code")
	g := p.grants[code]
	delete(p.grants, code) // a code is good once, whatever happens next
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case g == nil || time.Now().After(g.expires) || r.PostForm.Get("redirect_uri") != g.redirectURI:
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "code_verifier does not match"})
		return
	}
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{
		"iss": p.issuer, "aud": p.clientID, "sub": "sub-" + strings.ToLower(g.email),
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce,
		"email": g.email, "email_verified": g.emailVerified,
	})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: p.key, KeyID: keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		p.t.Error(err)
		writeJSON(w, 500, map[string]string{"error": "server_error"})
		return
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		p.t.Error(err)
		writeJSON(w, 500, map[string]string{"error": "server_error"})
		return
	}
	idToken, _ := jws.CompactSerialize()
	p.mu.Lock()
	p.tokensIssued++
	p.mu.Unlock()
	writeJSON(w, 200, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}
