package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// SSO signs users in through an OpenID Connect provider. It only signs in people who already have
// an account (an invited person accepts the invitation first); it never creates accounts,
// workspaces or roles on its own.
type SSO struct {
	Name     string
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	config   oauth2.Config
}

// NewSSO discovers the provider at issuer.
func NewSSO(ctx context.Context, name, issuer, clientID, secret, baseURL string) (*SSO, error) {
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the single sign-on provider %s: %w", issuer, err)
	}
	return &SSO{
		Name:     name,
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: clientID}),
		config: oauth2.Config{
			ClientID: clientID, ClientSecret: secret, Endpoint: p.Endpoint(),
			RedirectURL: baseURL + "/auth/sso/callback",
			Scopes:      []string{oidc.ScopeOpenID, "email", "profile"},
		},
	}, nil
}

const (
	sessSSOState    = "sso_state"
	sessSSOVerifier = "sso_verifier"
	sessSSONonce    = "sso_nonce"
	sessSSONext     = "sso_next"
)

func randomState() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (h *Handlers) ssoStart(w http.ResponseWriter, r *http.Request) error {
	state, nonce, verifier := randomState(), randomState(), oauth2.GenerateVerifier()
	sm := h.g.sessions
	sm.Put(r.Context(), sessSSOState, state)
	sm.Put(r.Context(), sessSSONonce, nonce)
	sm.Put(r.Context(), sessSSOVerifier, verifier)
	sm.Put(r.Context(), sessSSONext, safeNext(r.URL.Query().Get("next")))
	url := h.sso.config.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	http.Redirect(w, r, url, http.StatusFound)
	return nil
}

var errSSO = &web.Error{Status: http.StatusBadRequest, Code: "sso_failed", Key: "auth.error.sso"}

func (h *Handlers) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sm := h.g.sessions
	state := sm.PopString(ctx, sessSSOState)
	nonce := sm.PopString(ctx, sessSSONonce)
	verifier := sm.PopString(ctx, sessSSOVerifier)
	next := sm.PopString(ctx, sessSSONext)
	if state == "" || r.URL.Query().Get("state") != state {
		return errSSO
	}
	tok, err := h.sso.config.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		h.srv.Log.Warn("sso code exchange", "err", err)
		return errSSO
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return errSSO
	}
	idt, err := h.sso.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != nonce {
		h.srv.Log.Warn("sso id token", "err", err)
		return errSSO
	}
	var claims struct {
		Email    string `json:"email"`
		Verified *bool  `json:"email_verified"`
	}
	// Accounts are matched by email, so the provider must vouch for it: an unverified or
	// unstated address could be anyone's.
	if err := idt.Claims(&claims); err != nil || claims.Email == "" || claims.Verified == nil || !*claims.Verified {
		return errSSO
	}
	u, err := h.s.UserByEmail(ctx, claims.Email)
	if errors.Is(err, db.ErrNotFound) {
		return &web.Error{Status: http.StatusForbidden, Code: "sso_no_account", Key: "auth.error.sso_no_account"}
	}
	if err != nil {
		return err
	}
	if u.DisabledAt != nil {
		return ErrDisabled
	}
	if err := h.g.SignIn(r, u); err != nil {
		return err
	}
	if next == "" {
		next = "/"
	}
	return web.Redirect(w, r, next)
}
