// Package web is the shell every page and API route runs in: the route table with each route's
// permission, the principal of a request, locale choice, rendering, forms, flash messages, error
// pages and the security middleware. It knows no domain; auth implements the Guard it calls.
package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/i18n"
)

// Handler is a page or API handler; a returned error becomes an error page or a JSON error.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Route is one entry of the route table. Pages under /w/{ws}/ run inside that workspace; API
// routes (under /api/) take the workspace from their bearer token.
type Route struct {
	Method  string
	Path    string
	Perm    access.Perm
	Handler Handler
	// Summary describes an API route in the OpenAPI document.
	Summary string
	// API doc: request and response bodies, as JSON schema fragments (optional).
	Request, Response map[string]any
	// Stateless pages (public ones that never look at who is visiting, such as the newsroom) are
	// served without loading the session or the account: no database read, no buffered response.
	Stateless bool
}

// API reports whether the route is part of the JSON API.
func (rt Route) API() bool { return strings.HasPrefix(rt.Path, "/api/") }

// Principal is who is making a request, and in which workspace.
type Principal struct {
	UserID int64
	Email  string
	Name   string
	Lang   string

	// Set inside a workspace.
	WorkspaceID   int64
	WorkspaceSlug string
	WorkspaceName string
	WorkspaceLang string
	Zone          *time.Location
	Role          access.Role

	// InstallationAdmin administers the whole installation, not only its workspaces.
	InstallationAdmin bool

	// TokenID is set when the request came with an API token.
	TokenID int64
	// Workspaces the user belongs to, for the switcher (pages only).
	Workspaces []WorkspaceRef
}

// WorkspaceRef names a workspace a user belongs to.
type WorkspaceRef struct {
	Slug, Name string
	Role       access.Role
}

// Can reports whether the principal holds perm in the current workspace.
func (p *Principal) Can(perm access.Perm) bool {
	switch perm {
	case access.Public:
		return true
	case access.SignedIn:
		return p != nil
	case access.Installation:
		return p != nil && p.InstallationAdmin && p.TokenID == 0
	}
	return p != nil && p.WorkspaceID != 0 && p.Role.Can(perm)
}

// Guard identifies users and their workspace membership; auth implements it.
type Guard interface {
	// Identify returns the user of a page request from its session, or nil.
	Identify(r *http.Request) (*Principal, error)
	// IdentifyToken returns the user and workspace of an API request from its bearer token, or nil.
	IdentifyToken(r *http.Request) (*Principal, error)
	// Enter returns p inside the workspace named slug, or ErrNotFound when p is not a member.
	Enter(ctx context.Context, p *Principal, slug string) (*Principal, error)
}

type ctxKey int

const (
	principalKey ctxKey = iota
	localeKey
)

// PrincipalOf returns the request's principal, nil for a visitor.
func PrincipalOf(r *http.Request) *Principal {
	p, _ := r.Context().Value(principalKey).(*Principal)
	return p
}

// LocaleOf returns the request's locale.
func LocaleOf(r *http.Request) *i18n.Locale {
	return r.Context().Value(localeKey).(*i18n.Locale)
}

// WithPrincipal is for handlers that sign a user in during the request (setup, login).
func WithPrincipal(r *http.Request, p *Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey, p))
}

// Errors handlers return; they become the right status and a sentence in the user's language.
var (
	ErrNotFound     = &Error{Status: http.StatusNotFound, Code: "not_found", Key: "error.not_found"}
	ErrForbidden    = &Error{Status: http.StatusForbidden, Code: "forbidden", Key: "error.forbidden"}
	ErrUnauthorized = &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Key: "error.unauthorized"}
	ErrBadRequest   = &Error{Status: http.StatusBadRequest, Code: "bad_request", Key: "error.bad_request"}
)

// Error is an error with a status, a stable code for the API and a catalog key for people.
type Error struct {
	Status int
	Code   string
	Key    string
	// Fields holds per-field catalog keys for validation errors, or, with Raw, messages already
	// in the user's language (a rule's message with its numbers).
	Fields map[string]string
	Raw    bool
}

func (e *Error) Error() string { return e.Code }

// Invalid is the error for a form or JSON body that failed validation.
func Invalid(f *Form) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid", Fields: f.Errors}
}

// Redirect sends a browser to path with 303 See Other.
func Redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// WorkspacePath builds a path inside the request's workspace: WorkspacePath(r, "/members").
func WorkspacePath(r *http.Request, rest string) string {
	p := PrincipalOf(r)
	if p == nil || p.WorkspaceSlug == "" {
		return "/"
	}
	return "/w/" + url.PathEscape(p.WorkspaceSlug) + rest
}
