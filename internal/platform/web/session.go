package web

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"warta.dev/warta/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the sessions table.
var Migrations = db.Migrations{Name: "web", FS: migrations}

// SessionStore keeps scs sessions in Warta's database, reading through the read pool.
type SessionStore struct{ d *db.DB }

// NewSessions returns a session manager over the database. Cookies are Secure when the public
// base URL is https.
func NewSessions(d *db.DB, baseURL string) (*scs.SessionManager, *SessionStore) {
	store := &SessionStore{d: d}
	m := scs.New()
	m.Store = store
	m.Lifetime = 30 * 24 * time.Hour
	m.IdleTimeout = 7 * 24 * time.Hour
	m.Cookie.Name = "warta_session"
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = strings.HasPrefix(baseURL, "https://")
	return m, store
}

// Find implements scs.Store.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// FindCtx implements scs.CtxStore.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.d.QueryRow(ctx, `SELECT data FROM sessions WHERE token = ? AND expiry > ?`, token, time.Now().UTC()).Scan(&data)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return data, true, nil
}

// CommitCtx implements scs.CtxStore.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.d.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, expiry.UTC())
	return err
}

// DeleteCtx implements scs.CtxStore.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.d.Exec(ctx, `DELETE FROM sessions WHERE token = ?`, token)
	return err
}

// DeleteExpired removes expired sessions; run it periodically.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.d.Exec(ctx, `DELETE FROM sessions WHERE expiry <= ?`, time.Now().UTC())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
