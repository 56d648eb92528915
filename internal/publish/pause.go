package publish

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
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
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrNeedsReason
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if paused, err := pausedTx(ctx, tx, wsID); err != nil {
			return err
		} else if paused {
			return ErrPaused
		}
		if _, err := tx.Exec(ctx, `INSERT INTO publish_pauses (workspace_id, reason, paused_by, paused_by_name, paused_at) VALUES (?, ?, ?, ?, ?)`,
			wsID, reason, nullID(a.UserID), a.Label, now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "publishing.paused", "workspace", wsID, map[string]audit.Change{"reason": {To: reason}}))
	})
}

// ResumeWorkspace lets publishing go on. Held posts stay held: a person decides for each.
func (s *Service) ResumeWorkspace(ctx context.Context, a audit.Actor, wsID int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM publish_pauses WHERE workspace_id = ?`, wsID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotPaused
		}
		// Posts that fell due during the pause but were not yet held (no worker reached them) are
		// held now: resuming sends nothing by itself.
		rows, err := tx.Query(ctx, `SELECT DISTINCT item_id FROM publications WHERE workspace_id = ? AND state IN (?, ?, ?) AND next_at <= ?`,
			wsID, string(Queued), string(Retrying), string(Checking), now())
		if err != nil {
			return err
		}
		items, err := scanIDs(rows)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE publications SET state = ?, updated_at = ? WHERE workspace_id = ? AND state IN (?, ?, ?) AND next_at <= ?`,
			string(Held), now(), wsID, string(Queued), string(Retrying), string(Checking), now()); err != nil {
			return err
		}
		for _, item := range items {
			if err := s.rollup(ctx, tx, wsID, item); err != nil {
				return err
			}
		}
		tx.AfterCommit(s.wake)
		return audit.Record(ctx, tx, a.Entry(wsID, "publishing.resumed", "workspace", wsID, nil))
	})
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
	p.ByUserID = by.Int64
	return &p, err
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
		out = append(out, web.Banner{Kind: "warning", Key: "publish.banner.paused", Text: p.Reason, Link: "/publishing", LinkKey: "publish.banner.paused_link"})
	}
	n, err := s.OverdueIn(ctx, wsID)
	if err != nil {
		return nil, err
	}
	if n > 0 && p == nil {
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
