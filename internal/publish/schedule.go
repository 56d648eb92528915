package publish

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Errors of scheduling and deciding.
var (
	ErrNotHeld     = &web.Error{Status: http.StatusConflict, Code: "not_held", Key: "publish.error.not_held"}
	ErrBadURL      = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_url", Key: "publish.error.bad_url"}
	ErrBadDecision = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_decision", Key: "publish.error.bad_decision"}
)

// Scheduled makes an item's publications follow its schedule, in the content studio's
// transaction: one publication per chosen account, due at the item's time; an item off the
// schedule takes its queued publications off too. accounts, when not nil, are the accounts chosen
// for it (content.Publisher).
func (s *Service) Scheduled(ctx context.Context, tx *db.Tx, it *content.Item, zone *time.Location, accounts []int64) error {
	t := now()
	if accounts != nil {
		if err := s.setTargets(ctx, tx, it, accounts); err != nil {
			return err
		}
	}
	if it.Status != content.Scheduled || it.ScheduledAt == nil {
		if _, err := tx.Exec(ctx, `DELETE FROM publications WHERE item_id = ? AND state = ? AND attempts = 0`, it.ID, string(Queued)); err != nil {
			return err
		}
		// A retry waiting is cancelled; an attempt whose outcome is unknown cannot be: a person checks it.
		if _, err := tx.Exec(ctx, `UPDATE publications SET state = ?, updated_at = ? WHERE item_id = ? AND state IN (?, ?, ?)`,
			string(Cancelled), t, it.ID, string(Queued), string(Retrying), string(Held)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE publications SET state = ?, error_key = ?, updated_at = ? WHERE item_id = ? AND state = ?`,
			string(Uncertain), "publish.error.uncertain", t, it.ID, string(Checking))
		return err
	}
	targets, err := s.targetIDs(ctx, tx, it)
	if err != nil {
		return err
	}
	// An item may be planned before any account is connected: it then goes nowhere, and its page
	// says so.
	at := it.ScheduledAt.UTC()
	name := "" // the zone stays as it was planned when the caller does not know it
	if zone != nil {
		name = zone.String()
	}
	for _, acct := range targets {
		var id int64
		var st State
		err := tx.QueryRow(ctx, `SELECT id, state FROM publications WHERE item_id = ? AND account_id = ?`, it.ID, acct).Scan(&id, &st)
		switch {
		case errors.Is(err, db.ErrNotFound) || isNoRows(err):
			_, err = tx.Exec(ctx, `INSERT INTO publications (workspace_id, item_id, account_id, state, due_at, zone, next_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, it.WorkspaceID, it.ID, acct, string(Queued), at, firstOf(name, "UTC"), at, t, t)
		case err != nil:
		case st == Queued || st == Held || st == Failed || st == Cancelled || st == Retrying || st == Checking:
			// Scheduled again: a new due time, and a failed post gets a new chance. Only if no
			// attempt started meanwhile (the state is still the one read); one that asked for a
			// check keeps asking (must_find stays).
			_, err = tx.Exec(ctx, `UPDATE publications SET state = ?, due_at = ?, zone = COALESCE(NULLIF(?, ''), zone), next_at = ?, dispatched_at = NULL,
				error_kind = '', error_key = '', error_reason = '', error_status = 0, retry_at = NULL, overdue_told_at = NULL, updated_at = ?
				WHERE id = ? AND state = ?`,
				string(Queued), at, name, at, t, id, string(st))
		}
		if err != nil {
			return err
		}
	}
	// Accounts no longer chosen: what has not started is taken off, what waits is cancelled.
	if _, err := tx.Exec(ctx, `DELETE FROM publications WHERE item_id = ? AND state = ? AND attempts = 0 AND account_id NOT IN (SELECT account_id FROM publish_targets WHERE item_id = ?)`,
		it.ID, string(Queued), it.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE publications SET state = ?, updated_at = ? WHERE item_id = ? AND state IN (?, ?, ?)
		AND account_id NOT IN (SELECT account_id FROM publish_targets WHERE item_id = ?)`,
		string(Cancelled), t, it.ID, string(Queued), string(Retrying), string(Held), it.ID); err != nil {
		return err
	}
	tx.AfterCommit(s.wake)
	return nil
}

// targetIDs returns the accounts chosen for an item; an item scheduled without a choice (through
// the API, or by an import) goes to every account of the networks it has a variant for.
func (s *Service) targetIDs(ctx context.Context, tx *db.Tx, it *content.Item) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT t.account_id FROM publish_targets t JOIN channel_accounts a ON a.id = t.account_id
		WHERE t.item_id = ? AND a.disconnected_at IS NULL ORDER BY t.account_id`, it.ID)
	if err != nil {
		return nil, err
	}
	ids, err := scanIDs(rows)
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	accts, err := s.accountsTx(ctx, tx, it.WorkspaceID)
	if err != nil {
		return nil, err
	}
	for _, a := range defaultTargets(it, accts) {
		ids = append(ids, a.ID)
	}
	if len(ids) > 0 {
		return ids, s.setTargets(ctx, tx, it, ids)
	}
	return ids, nil
}

func defaultTargets(it *content.Item, accts []Account) []Account {
	var out []Account
	for _, a := range accts {
		// An account that needs reconnecting is chosen too: its post fails where people see it,
		// rather than the item going nowhere without a word.
		if hasVariant(it, a.Network) {
			out = append(out, a)
		}
	}
	return out
}

func hasVariant(it *content.Item, n channel.Network) bool {
	return slices.ContainsFunc(it.Variants, func(v content.Variant) bool { return v.Network == n })
}

func (s *Service) setTargets(ctx context.Context, tx *db.Tx, it *content.Item, accounts []int64) error {
	accts, err := s.accountsTx(ctx, tx, it.WorkspaceID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM publish_targets WHERE item_id = ?`, it.ID); err != nil {
		return err
	}
	for _, id := range accounts {
		// Only the workspace's own accounts, of a network the item has words for.
		i := slices.IndexFunc(accts, func(a Account) bool { return a.ID == id })
		if i < 0 || !hasVariant(it, accts[i].Network) {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO publish_targets (item_id, account_id, workspace_id) VALUES (?, ?, ?)`, it.ID, id, it.WorkspaceID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) accountsTx(ctx context.Context, c db.Conn, wsID int64) ([]Account, error) {
	rows, err := c.Query(ctx, `SELECT `+accountColumns+` FROM channel_accounts WHERE workspace_id = ? AND disconnected_at IS NULL ORDER BY network, name, id`, wsID)
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

// Target is an account as the schedule form offers it for an item.
type Target struct {
	Account
	Chosen bool
}

// Targets lists the accounts an item can go to (those of the networks it has a variant for),
// with the ones chosen, or by default every working one, marked.
func (s *Service) Targets(ctx context.Context, it *content.Item) ([]Target, error) {
	accts, err := s.accountsTx(ctx, s.d, it.WorkspaceID)
	if err != nil {
		return nil, err
	}
	rows, err := s.d.Query(ctx, `SELECT account_id FROM publish_targets WHERE item_id = ?`, it.ID)
	if err != nil {
		return nil, err
	}
	chosen, err := scanIDs(rows)
	if err != nil {
		return nil, err
	}
	defaults := defaultTargets(it, accts)
	var out []Target
	for _, a := range accts {
		if !hasVariant(it, a.Network) {
			continue
		}
		on := slices.Contains(chosen, a.ID)
		if len(chosen) == 0 {
			on = slices.ContainsFunc(defaults, func(d Account) bool { return d.ID == a.ID })
		}
		out = append(out, Target{Account: a, Chosen: on})
	}
	return out, nil
}

// Decision is what a person decides for a held or uncertain publication.
type Decision string

// The decisions.
const (
	PublishNow Decision = "publish"
	Reschedule Decision = "reschedule"
	Cancel     Decision = "cancel"
	// MarkPublished: the person found the post on the network (an uncertain publication).
	MarkPublished Decision = "mark_published"
)

// Decide applies a person's decision to held or uncertain publications of a workspace; ids nil
// means all of them. Nothing fires on resume by itself: only this sends held posts.
func (s *Service) Decide(ctx context.Context, a audit.Actor, wsID int64, ids []int64, d Decision, at time.Time, remoteURL string) (int, error) {
	t := now()
	switch d {
	case PublishNow:
		at = t
	case Reschedule:
		if !at.After(t) {
			return 0, content.ErrPast
		}
		at = at.UTC()
	case MarkPublished:
		if u, err := url.Parse(remoteURL); remoteURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
			return 0, ErrBadURL
		}
	case Cancel:
	default:
		return 0, ErrBadDecision
	}
	n := 0
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, item_id, state, `+heldByPause+` FROM publications p WHERE workspace_id = ? AND state IN (?, ?, ?)`,
			wsID, string(Held), string(Uncertain), string(Failed))
		if err != nil {
			return err
		}
		type pub struct {
			id, item int64
			st       State
			paused   bool
		}
		var pubs []pub
		for rows.Next() {
			var p pub
			if err := rows.Scan(&p.id, &p.item, &p.st, &p.paused); err != nil {
				rows.Close()
				return err
			}
			if ids == nil && p.st != Held {
				continue // "all" means the held ones: failed and uncertain are decided one by one
			}
			if ids == nil || slices.Contains(ids, p.id) {
				pubs = append(pubs, p)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(pubs) == 0 {
			return ErrNotHeld
		}
		// While paused, only what the pause lets through (a kept account, an item let through)
		// may go out now.
		if (d == PublishNow || d == Reschedule) && at.Before(t.Add(time.Second)) {
			for _, p := range pubs {
				if p.paused {
					return ErrPaused
				}
			}
		}
		items := map[int64]bool{}
		for _, p := range pubs {
			var err error
			switch d {
			case PublishNow, Reschedule:
				_, err = tx.Exec(ctx, `UPDATE publications SET state = ?, due_at = ?, next_at = ?, dispatched_at = NULL, error_kind = '',
					error_key = '', error_reason = '', error_status = 0, retry_at = NULL, overdue_told_at = NULL, updated_at = ? WHERE id = ? AND state = ?`,
					string(Queued), at, at, t, p.id, string(p.st))
			case Cancel:
				_, err = tx.Exec(ctx, `UPDATE publications SET state = ?, updated_at = ? WHERE id = ? AND state = ?`, string(Cancelled), t, p.id, string(p.st))
			case MarkPublished:
				if p.st != Uncertain {
					return ErrBadDecision
				}
				_, err = tx.Exec(ctx, `UPDATE publications SET state = ?, remote_url = ?, published_at = ?, error_key = '', updated_at = ? WHERE id = ?`,
					string(Published), remoteURL, t, t, p.id)
			}
			if err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, a.Entry(wsID, "publication."+string(d), "publication", p.id, map[string]audit.Change{
				"state": {From: string(p.st)}})); err != nil {
				return err
			}
			items[p.item] = true
		}
		for item := range items {
			if err := s.rollup(ctx, tx, wsID, item); err != nil {
				return err
			}
		}
		n = len(pubs)
		tx.AfterCommit(s.wake)
		return nil
	})
	return n, err
}

func scanIDs(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
