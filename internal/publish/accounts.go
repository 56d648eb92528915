package publish

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
)

// Errors of connecting.
var (
	ErrUnknownNetwork = &web.Error{Status: http.StatusNotFound, Code: "unknown_network", Key: "publish.error.unknown_network"}
	ErrConnectExpired = &web.Error{Status: http.StatusBadRequest, Code: "connect_expired", Key: "publish.error.connect_expired"}
	ErrNoAccounts     = &web.Error{Status: http.StatusUnprocessableEntity, Code: "no_accounts", Key: "publish.error.no_accounts"}
)

const accountColumns = `id, workspace_id, network, kind, server, remote_id, handle, name, url, health, health_reason,
	limited_until, max_text, COALESCE(connected_by, 0), connected_at, checked_at, secret`

func scanAccount(row interface{ Scan(...any) error }) (*Account, error) {
	var a Account
	err := row.Scan(&a.ID, &a.WorkspaceID, &a.Network, &a.Kind, &a.Server, &a.RemoteID, &a.Handle, &a.Name, &a.URL,
		&a.Health, &a.HealthReason, &a.LimitedUntil, &a.MaxText, &a.ConnectedBy, &a.ConnectedAt, &a.CheckedAt, &a.secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return &a, err
}

// Accounts lists a workspace's connected accounts.
func (s *Service) Accounts(ctx context.Context, wsID int64) ([]Account, error) {
	rows, err := s.d.Query(ctx, `SELECT `+accountColumns+` FROM channel_accounts
		WHERE workspace_id = ? AND disconnected_at IS NULL ORDER BY network, name, id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// Account returns one connected account of a workspace.
func (s *Service) Account(ctx context.Context, wsID, id int64) (*Account, error) {
	return getAccount(ctx, s.d, wsID, id)
}

func getAccount(ctx context.Context, c db.Conn, wsID, id int64) (*Account, error) {
	return scanAccount(c.QueryRow(ctx, `SELECT `+accountColumns+` FROM channel_accounts
		WHERE workspace_id = ? AND id = ? AND disconnected_at IS NULL`, wsID, id))
}

// credentials returns the connector's view of an account, credentials decrypted.
func (s *Service) credentials(a *Account) (*channel.Account, error) {
	var sec channel.Secret
	plain, err := s.keys.Decrypt(a.secret)
	if err != nil {
		return nil, fmt.Errorf("publish: decrypting the credentials of account %d: %w", a.ID, err)
	}
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, err
	}
	return &channel.Account{Network: a.Network, Kind: a.Kind, Server: a.Server, RemoteID: a.RemoteID,
		Handle: a.Handle, Name: a.Name, URL: a.URL, Secret: sec}, nil
}

func encryptJSON(k *secrets.Keyring, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return k.Encrypt(b)
}

// saveSecret stores renewed credentials.
func (s *Service) saveSecret(ctx context.Context, id int64, sec channel.Secret) error {
	enc, err := encryptJSON(s.keys, sec)
	if err != nil {
		return err
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE channel_accounts SET secret = ? WHERE id = ? AND disconnected_at IS NULL`, enc, id)
		return err
	})
}

// Connector returns the connector of a network.
func (s *Service) Connector(n channel.Network) (channel.Connector, bool) {
	c, ok := s.conns[n]
	return c, ok
}

// Connectors lists the connectors in the networks table's order.
func (s *Service) Connectors() []channel.Connector {
	var out []channel.Connector
	for _, r := range channel.Networks {
		if c, ok := s.conns[r.Network]; ok {
			out = append(out, c)
		}
	}
	return out
}

// Connecting is what StartConnect returns: accounts connected at once, or where to send the user.
type Connecting struct {
	Accounts []Account
	AuthURL  string
}

// StartConnect begins connecting an account of network with the connect form's values; an OAuth
// connection returns the person to returnTo.
func (s *Service) StartConnect(ctx context.Context, a audit.Actor, wsID int64, n channel.Network, values map[string]string, returnTo string) (*Connecting, error) {
	c, ok := s.conns[n]
	if !ok {
		return nil, ErrUnknownNetwork
	}
	server := ""
	if as, ok := c.(channel.AppServer); ok {
		var err error
		if server, err = as.AppServer(values); err != nil {
			return nil, err
		}
	}
	app, err := s.app(ctx, wsID, n, server, c, values)
	if err != nil {
		return nil, err
	}
	state := secrets.NewToken()
	step, err := c.Start(ctx, channel.Start{Values: values, App: app, RedirectURL: s.redirectURL, State: state})
	if err != nil {
		return nil, err
	}
	if step.App != nil {
		if err := s.saveApp(ctx, wsID, n, firstOf(step.Server, server), *step.App); err != nil {
			return nil, err
		}
	}
	if step.AuthURL == "" {
		saved, err := s.saveAccounts(ctx, a, wsID, step.Accounts)
		return &Connecting{Accounts: saved}, err
	}
	pending := struct {
		Verifier string       `json:"verifier"`
		App      *channel.App `json:"app,omitempty"`
	}{step.Verifier, firstApp(step.App, app)}
	enc, err := encryptJSON(s.keys, pending)
	if err != nil {
		return nil, err
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM channel_connects WHERE expires_at < ?`, now()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO channel_connects (state, workspace_id, user_id, network, server, secret, return_to, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, secrets.HashToken(state), wsID, a.UserID, string(n), firstOf(step.Server, server), enc, returnTo, now().Add(30*time.Minute))
		return err
	})
	return &Connecting{AuthURL: step.AuthURL}, err
}

// FinishConnect completes an OAuth connection; it returns the page to go back to and the
// accounts connected. Only the person who started it may finish it.
func (s *Service) FinishConnect(ctx context.Context, a audit.Actor, query map[string][]string) (string, []Account, error) {
	state := first(query["state"])
	if state == "" {
		return "", nil, ErrConnectExpired
	}
	var wsID, userID int64
	var network, server, enc, returnTo string
	var expires time.Time
	err := s.d.QueryRow(ctx, `SELECT workspace_id, user_id, network, server, secret, return_to, expires_at FROM channel_connects WHERE state = ?`,
		secrets.HashToken(state)).Scan(&wsID, &userID, &network, &server, &enc, &returnTo, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (userID != a.UserID || expires.Before(now()))) {
		return "", nil, ErrConnectExpired
	}
	if err != nil {
		return "", nil, err
	}
	// One use only, whatever the outcome.
	if err := s.d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM channel_connects WHERE state = ?`, secrets.HashToken(state))
		return err
	}); err != nil {
		return "", nil, err
	}
	var pending struct {
		Verifier string       `json:"verifier"`
		App      *channel.App `json:"app,omitempty"`
	}
	plain, err := s.keys.Decrypt(enc)
	if err != nil {
		return "", nil, err
	}
	if err := json.Unmarshal(plain, &pending); err != nil {
		return "", nil, err
	}
	c, ok := s.conns[channel.Network(network)]
	if !ok {
		return "", nil, ErrUnknownNetwork
	}
	accts, err := c.Finish(ctx, channel.Finish{Server: server, App: pending.App, RedirectURL: s.redirectURL, Verifier: pending.Verifier, Query: query})
	if err != nil {
		return returnTo, nil, err
	}
	saved, err := s.saveAccounts(ctx, a, wsID, accts)
	return returnTo, saved, err
}

// app returns the app to connect with: the one typed in the form, else the saved one.
func (s *Service) app(ctx context.Context, wsID int64, n channel.Network, server string, c channel.Connector, values map[string]string) (*channel.App, error) {
	typed := &channel.App{}
	for _, f := range c.Fields() {
		if !f.App {
			continue
		}
		switch {
		case strings.Contains(f.Name, "secret"):
			typed.ClientSecret = strings.TrimSpace(values[f.Name])
		default:
			typed.ClientID = strings.TrimSpace(values[f.Name])
		}
	}
	if typed.ClientID != "" {
		return typed, nil
	}
	var enc string
	err := s.d.QueryRow(ctx, `SELECT secret FROM channel_apps WHERE workspace_id = ? AND network = ? AND server = ?`,
		wsID, string(n), server).Scan(&enc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var app channel.App
	plain, err := s.keys.Decrypt(enc)
	if err != nil {
		return nil, err
	}
	return &app, json.Unmarshal(plain, &app)
}

// HasApp reports whether the workspace keeps an app for a network.
func (s *Service) HasApp(ctx context.Context, wsID int64, n channel.Network) (bool, error) {
	var count int
	err := s.d.QueryRow(ctx, `SELECT COUNT(*) FROM channel_apps WHERE workspace_id = ? AND network = ? AND server = ''`, wsID, string(n)).Scan(&count)
	return count > 0, err
}

func (s *Service) saveApp(ctx context.Context, wsID int64, n channel.Network, server string, app channel.App) error {
	enc, err := encryptJSON(s.keys, app)
	if err != nil {
		return err
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE channel_apps SET secret = ?, updated_at = ? WHERE workspace_id = ? AND network = ? AND server = ?`,
			enc, now(), wsID, string(n), server)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO channel_apps (workspace_id, network, server, secret, updated_at) VALUES (?, ?, ?, ?, ?)`,
			wsID, string(n), server, enc, now())
		return err
	})
}

// AddAccounts stores accounts whose credentials were obtained outside the connect screens (a
// benchmark's accounts on a test server); see saveAccounts.
func (s *Service) AddAccounts(ctx context.Context, a audit.Actor, wsID int64, accts []channel.Account) ([]Account, error) {
	return s.saveAccounts(ctx, a, wsID, accts)
}

// saveAccounts stores connected accounts; an account connected again (same network, kind,
// server and remote ID) gets its new credentials and is working again.
func (s *Service) saveAccounts(ctx context.Context, a audit.Actor, wsID int64, accts []channel.Account) ([]Account, error) {
	if len(accts) == 0 {
		return nil, ErrNoAccounts
	}
	var ids []int64
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		ids = ids[:0]
		for _, ca := range accts {
			enc, err := encryptJSON(s.keys, ca.Secret)
			if err != nil {
				return err
			}
			var id int64
			err = tx.QueryRow(ctx, `SELECT id FROM channel_accounts WHERE workspace_id = ? AND network = ? AND kind = ? AND server = ? AND remote_id = ?`,
				wsID, string(ca.Network), ca.Kind, ca.Server, ca.RemoteID).Scan(&id)
			action := "channel.reconnected"
			switch {
			case errors.Is(err, sql.ErrNoRows):
				action = "channel.connected"
				err = tx.QueryRow(ctx, `INSERT INTO channel_accounts (workspace_id, network, kind, server, remote_id, handle, name, url, secret,
					connected_by, connected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
					wsID, string(ca.Network), ca.Kind, ca.Server, ca.RemoteID, ca.Handle, ca.Name, ca.URL, enc, nullID(a.UserID), now()).Scan(&id)
			case err == nil:
				_, err = tx.Exec(ctx, `UPDATE channel_accounts SET handle = ?, name = ?, url = ?, secret = ?, health = ?, health_reason = '',
					limited_until = NULL, reconnect_told_at = NULL, connected_by = ?, connected_at = ?, disconnected_at = NULL WHERE id = ?`,
					ca.Handle, ca.Name, ca.URL, enc, Working, nullID(a.UserID), now(), id)
			}
			if err != nil {
				return err
			}
			ids = append(ids, id)
			if err := audit.Record(ctx, tx, a.Entry(wsID, action, "channel", id, map[string]audit.Change{
				"network": {To: string(ca.Network)}, "account": {To: ca.Handle}})); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(ids))
	for _, id := range ids {
		acct, err := getAccount(ctx, s.d, wsID, id)
		if err != nil {
			return nil, err
		}
		s.verify(ctx, acct)
		out = append(out, *acct)
	}
	return out, nil
}

// verify reads what may have changed on the network (a Mastodon instance's limit) and records
// the account's health. Connecting works without it: a failure here only shows on the account.
func (s *Service) verify(ctx context.Context, acct *Account) {
	c, ok := s.conns[acct.Network]
	if !ok {
		return
	}
	ca, err := s.credentials(acct)
	if err != nil {
		return
	}
	prof, err := c.Verify(ctx, ca)
	if err != nil {
		s.log.Info("checking a channel account", "account", acct.ID, "err", err)
		if ce := channel.AsError(err); ce.Kind == channel.Unauthorized {
			_ = s.markReconnect(ctx, acct, ce)
		}
		return
	}
	acct.MaxText = prof.MaxText
	_ = s.d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE channel_accounts SET max_text = ?, checked_at = ? WHERE id = ?`, prof.MaxText, now(), acct.ID)
		return err
	})
}

// Disconnect removes an account: what is queued for it is cancelled, the publish log stays.
func (s *Service) Disconnect(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		acct, err := getAccount(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE channel_accounts SET disconnected_at = ?, secret = '' WHERE id = ?`, now(), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM publish_targets WHERE account_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE publications SET state = ?, updated_at = ? WHERE account_id = ? AND state IN (?, ?, ?)`,
			string(Cancelled), now(), id, string(Queued), string(Retrying), string(Held)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "channel.disconnected", "channel", id, map[string]audit.Change{
			"network": {From: string(acct.Network)}, "account": {From: acct.Handle}}))
	})
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstApp(a, b *channel.App) *channel.App {
	if a != nil {
		return a
	}
	return b
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
