package publish

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strings"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Errors of pausing.
var (
	ErrPaused      = &web.Error{Status: http.StatusConflict, Code: "paused", Key: "publish.error.paused"}
	ErrNotPaused   = &web.Error{Status: http.StatusConflict, Code: "not_paused", Key: "publish.error.not_paused"}
	ErrNeedsReason = &web.Error{Status: http.StatusUnprocessableEntity, Code: "reason_required", Key: "publish.error.reason_required",
		Fields: map[string]string{"reason": "publish.error.reason_required"}}
)

// PauseWorkspace stops all publishing of a workspace: nothing goes out until a person resumes, and
// posts whose time passes meanwhile are held.
func (s *Service) PauseWorkspace(ctx context.Context, a audit.Actor, wsID int64, reason string) error {
	return s.PauseKeeping(ctx, a, wsID, reason, nil)
}

// PauseKeeping pauses a workspace's publishing but for the accounts in keep, which go on
// publishing during the pause (the channels a crisis's statements go out on). IDs of accounts of
// other workspaces are ignored.
func (s *Service) PauseKeeping(ctx context.Context, a audit.Actor, wsID int64, reason string, keep []int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error { return s.PauseKeepingTx(ctx, tx, a, wsID, reason, keep) })
}

// PauseKeepingTx is PauseKeeping in the caller's transaction (the crisis room declares and pauses at once).
func (s *Service) PauseKeepingTx(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, reason string, keep []int64) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrNeedsReason
	}
	if paused, err := pausedTx(ctx, tx, wsID); err != nil {
		return err
	} else if paused {
		return ErrPaused
	}
	if _, err := tx.Exec(ctx, `INSERT INTO publish_pauses (workspace_id, reason, paused_by, paused_by_name, paused_at) VALUES (?, ?, ?, ?, ?)`,
		wsID, reason, nullID(a.UserID), a.Label, now()); err != nil {
		return err
	}
	changes := map[string]audit.Change{"reason": {To: reason}}
	var kept []int64
	for _, id := range keep {
		if slices.Contains(kept, id) {
			continue
		}
		res, err := tx.Exec(ctx, `INSERT INTO publish_pause_keeps (workspace_id, account_id) SELECT workspace_id, id FROM channel_accounts
			WHERE workspace_id = ? AND id = ?`, wsID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			kept = append(kept, id)
		}
	}
	if len(kept) > 0 {
		changes["keep"] = audit.Change{To: kept}
	}
	return audit.Record(ctx, tx, a.Entry(wsID, "publishing.paused", "workspace", wsID, changes))
}

// PausedTx reports, in the caller's transaction, whether a workspace's publishing is paused.
func (s *Service) PausedTx(ctx context.Context, tx *db.Tx, wsID int64) (bool, error) {
	return pausedTx(ctx, tx, wsID)
}

// LetThrough lets an item's publications, those it has and any it gets later, go out while
// its workspace is paused: a crisis statement. tx nil runs it in a transaction of its own. Any
// of them already held by the pause goes out now.
func (s *Service) LetThrough(ctx context.Context, tx *db.Tx, wsID, itemID int64) error {
	if tx == nil {
		return s.d.Tx(ctx, func(tx *db.Tx) error { return s.LetThrough(ctx, tx, wsID, itemID) })
	}
	t := now()
	res, err := tx.Exec(ctx, `INSERT INTO publish_let_through (item_id, workspace_id, created_at) SELECT id, workspace_id, ? FROM content_items
		WHERE id = ? AND workspace_id = ? ON CONFLICT (item_id) DO NOTHING`, t, itemID, wsID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var found int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM publish_let_through WHERE item_id = ? AND workspace_id = ?`, itemID, wsID).Scan(&found); err != nil {
			return err
		}
		if found == 0 {
			return db.ErrNotFound
		}
		return nil // already let through
	}
	held, err := tx.Exec(ctx, `UPDATE publications SET state = ?, next_at = ?, dispatched_at = NULL, updated_at = ? WHERE item_id = ? AND state = ?`,
		string(Queued), t, t, itemID, string(Held))
	if err != nil {
		return err
	}
	if n, _ := held.RowsAffected(); n > 0 {
		if err := s.rollup(ctx, tx, wsID, itemID); err != nil {
			return err
		}
		tx.AfterCommit(s.wake)
	}
	return nil
}

// heldByPause is true for a publication p that its workspace's pause holds: not one of an
// account kept running, nor of an item let through.
const heldByPause = `(EXISTS (SELECT 1 FROM publish_pauses z WHERE z.workspace_id = p.workspace_id)
	AND NOT EXISTS (SELECT 1 FROM publish_pause_keeps k WHERE k.workspace_id = p.workspace_id AND k.account_id = p.account_id)
	AND NOT EXISTS (SELECT 1 FROM publish_let_through l WHERE l.item_id = p.item_id))`

// ResumeWorkspace lets publishing go on. Held posts stay held: a person decides for each.
func (s *Service) ResumeWorkspace(ctx context.Context, a audit.Actor, wsID int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error { return s.ResumeWorkspaceTx(ctx, tx, a, wsID) })
}

// ResumeWorkspaceTx is ResumeWorkspace in the caller's transaction.
func (s *Service) ResumeWorkspaceTx(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64) error {
	// Posts that fell due during the pause but were not yet held (no worker reached them) are
	// held now: resuming sends nothing by itself. Those the pause let through go on.
	due := `workspace_id = ? AND state IN (?, ?, ?) AND next_at <= ? AND id IN (SELECT p.id FROM publications p WHERE p.workspace_id = ? AND ` + heldByPause + `)`
	t := now()
	rows, err := tx.Query(ctx, `SELECT DISTINCT item_id FROM publications WHERE `+due,
		wsID, string(Queued), string(Retrying), string(Checking), t, wsID)
	if err != nil {
		return err
	}
	items, err := scanIDs(rows)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE publications SET state = ?, updated_at = ? WHERE `+due,
		string(Held), t, wsID, string(Queued), string(Retrying), string(Checking), t, wsID); err != nil {
		return err
	}
	for _, item := range items {
		if err := s.rollup(ctx, tx, wsID, item); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM publish_pause_keeps WHERE workspace_id = ?`, wsID); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `DELETE FROM publish_pauses WHERE workspace_id = ?`, wsID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotPaused
	}
	tx.AfterCommit(s.wake)
	return audit.Record(ctx, tx, a.Entry(wsID, "publishing.resumed", "workspace", wsID, nil))
}

// Paused returns a workspace's pause, nil when publishing runs.
func (s *Service) Paused(ctx context.Context, wsID int64) (*Pause, error) {
	var p Pause
	var by sql.NullInt64
	err := s.d.QueryRow(ctx, `SELECT reason, paused_by, paused_by_name, paused_at FROM publish_pauses WHERE workspace_id = ?`, wsID).
		Scan(&p.Reason, &by, &p.ByName, &p.At)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.ByUserID = by.Int64
	rows, err := s.d.Query(ctx, `SELECT account_id FROM publish_pause_keeps WHERE workspace_id = ? ORDER BY account_id`, wsID)
	if err != nil {
		return nil, err
	}
	if p.Keep, err = scanIDs(rows); err != nil {
		return nil, err
	}
	return &p, nil
}

func pausedTx(ctx context.Context, tx *db.Tx, wsID int64) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM publish_pauses WHERE workspace_id = ?`, wsID).Scan(&n)
	return n > 0, err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// PausedIn reports whether a workspace's publishing is paused (content.Publisher).
func (s *Service) PausedIn(ctx context.Context, wsID int64) (bool, error) {
	p, err := s.Paused(ctx, wsID)
	return p != nil, err
}

// Banners are the notices every page of a workspace shows while they hold: publishing paused,
// posts overdue.
func (s *Service) Banners(ctx context.Context, wsID int64) ([]web.Banner, error) {
	var out []web.Banner
	p, err := s.Paused(ctx, wsID)
	if err != nil {
		return nil, err
	}
	if p != nil {
		key := "publish.banner.paused"
		if len(p.Keep) > 0 {
			key = "publish.banner.paused_keeping"
		}
		out = append(out, web.Banner{Kind: "warning", Key: key, Text: p.Reason, Link: "/publishing", LinkKey: "publish.banner.paused_link"})
	}
	n, err := s.OverdueIn(ctx, wsID)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		out = append(out, web.Banner{Kind: "error", Key: "publish.banner.overdue", Args: []any{"Count", n}, Link: "/publishing?state=queued", LinkKey: "publish.banner.paused_link"})
	}
	return out, nil
}

// CountOptions are the limits of a workspace's connected accounts: the tightest text limit of its
// Mastodon instances (content.Publisher), so the editor refuses what an instance would.
func (s *Service) CountOptions(ctx context.Context, wsID int64) (channel.CountOptions, error) {
	var limit sql.NullInt64
	err := s.d.QueryRow(ctx, `SELECT MIN(max_text) FROM channel_accounts WHERE workspace_id = ? AND network = ? AND max_text > 0
		AND disconnected_at IS NULL`, wsID, string(channel.Mastodon)).Scan(&limit)
	return channel.CountOptions{MastodonLimit: int(limit.Int64)}, err
}
