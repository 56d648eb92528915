// Package auth is users, sessions, workspaces, memberships and roles, invitations, password
// resets, single sign-on, API tokens, and the pages and API routes that manage them.
package auth

import (
	"embed"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations creates the auth tables.
var Migrations = db.Migrations{Name: "auth", FS: migrations}

// Catalog holds the auth screens' words.
var Catalog = i18n.Catalog{Name: "auth", FS: i18n.Dir(catalogFiles, "i18n")}

// Workspace is one organisation in the installation.
type Workspace struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Lang      string    `json:"language"`
	Timezone  string    `json:"timezone"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person who can sign in.
type User struct {
	ID             int64      `json:"id"`
	Email          string     `json:"email"`
	Name           string     `json:"name"`
	Lang           string     `json:"language,omitempty"`
	IsAdmin        bool       `json:"installation_admin"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	passwordHash   string
	sessionVersion int
}

// Member is a user's place in a workspace.
type Member struct {
	UserID    int64       `json:"user_id"`
	Email     string      `json:"email"`
	Name      string      `json:"name"`
	Role      access.Role `json:"role"`
	Disabled  bool        `json:"disabled"`
	CreatedAt time.Time   `json:"joined_at"`
}

// Invitation is a pending invitation to a workspace.
type Invitation struct {
	ID        int64       `json:"id"`
	Email     string      `json:"email"`
	Role      access.Role `json:"role"`
	ExpiresAt time.Time   `json:"expires_at"`
	CreatedAt time.Time   `json:"created_at"`
}

// Token is an API token, without its secret.
type Token struct {
	ID         int64       `json:"id"`
	UserID     int64       `json:"user_id"`
	UserEmail  string      `json:"user_email"`
	Name       string      `json:"name"`
	Role       access.Role `json:"role"`
	Prefix     string      `json:"prefix"`
	CreatedAt  time.Time   `json:"created_at"`
	LastUsedAt *time.Time  `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time  `json:"revoked_at,omitempty"`
}

// Link kinds.
const (
	linkSetup  = "setup"
	linkInvite = "invite"
	linkReset  = "reset"
)

// Lifetimes of one-time links.
const (
	inviteLifetime = 7 * 24 * time.Hour
	resetLifetime  = time.Hour
	setupLifetime  = 24 * time.Hour
)
