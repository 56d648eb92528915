package publish

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
)

// markLimited records that the network rate-limited an account until t: its other posts wait
// without calling the network.
func (s *Service) markLimited(ctx context.Context, tx *db.Tx, accountID int64, t time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE channel_accounts SET health = ?, limited_until = ? WHERE id = ? AND health <> ?`,
		RateLimited, t.UTC(), accountID, Reconnect)
	return err
}

func (s *Service) markReconnect(ctx context.Context, acct *Account, ce *channel.Error) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error { return s.markReconnectTx(ctx, tx, acct.WorkspaceID, acct.ID, ce) })
}

// markReconnectTx records that the network no longer accepts an account's credentials, and tells
// the person who connected it (or the admins), once until it is reconnected.
func (s *Service) markReconnectTx(ctx context.Context, tx *db.Tx, wsID, accountID int64, ce *channel.Error) error {
	reason := ce.Reason
	if reason == "" && ce.Status != 0 {
		reason = fmt.Sprintf("HTTP %d", ce.Status)
	}
	var told *time.Time
	var owner int64
	var network, handle string
	if err := tx.QueryRow(ctx, `SELECT reconnect_told_at, COALESCE(connected_by, 0), network, handle FROM channel_accounts WHERE id = ?`, accountID).
		Scan(&told, &owner, &network, &handle); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE channel_accounts SET health = ?, health_reason = ?, reconnect_told_at = COALESCE(reconnect_told_at, ?) WHERE id = ?`,
		Reconnect, reason, now(), accountID); err != nil {
		return err
	}
	if told != nil || s.notify == nil {
		return nil
	}
	to := []int64{owner}
	if owner == 0 {
		var err error
		if to, err = s.people.Admins(ctx, wsID); err != nil {
			return err
		}
	}
	for _, uid := range to {
		if err := s.notify.Notify(ctx, tx, notify.Notice{WorkspaceID: wsID, UserID: uid, Key: "publish.notice.reconnect",
			Args: []any{"Account", handle, "Network", network}, Link: fmt.Sprintf("/channels/%d", accountID)}); err != nil {
			return err
		}
	}
	return nil
}

// watchArgs is the watchdog's periodic job.
type watchArgs struct{}

func (watchArgs) Kind() string { return "publish_watch" }

type watchWorker struct {
	river.WorkerDefaults[watchArgs]
	s *Service
}

func (w *watchWorker) Work(ctx context.Context, _ *river.Job[watchArgs]) error { return w.s.Watch(ctx) }

// Watch raises the alarm for every post that is overdue and was never attempted: the admins of
// its workspace are told once, and /readyz says so while it lasts. A periodic job runs it.
func (s *Service) Watch(ctx context.Context) error {
	rows, err := s.d.Query(ctx, `SELECT p.id, p.workspace_id, p.item_id FROM publications p
		WHERE p.state = ? AND p.attempts = 0 AND p.due_at < ? AND p.overdue_told_at IS NULL AND NOT `+heldByPause,
		string(Queued), now().Add(-s.opts.Overdue))
	if err != nil {
		return err
	}
	type late struct{ id, wsID, itemID int64 }
	var lates []late
	for rows.Next() {
		var l late
		if err := rows.Scan(&l.id, &l.wsID, &l.itemID); err != nil {
			rows.Close()
			return err
		}
		lates = append(lates, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range lates {
		s.log.Error("a post is overdue and was never attempted", "publication", l.id, "workspace", l.wsID)
		admins, err := s.people.Admins(ctx, l.wsID)
		if err != nil {
			return err
		}
		err = s.d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE publications SET overdue_told_at = ? WHERE id = ?`, now(), l.id); err != nil {
				return err
			}
			for _, uid := range admins {
				if err := s.notify.Notify(ctx, tx, notify.Notice{WorkspaceID: l.wsID, UserID: uid, Key: "publish.notice.overdue",
					Link: "/publishing?state=queued"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM channel_connects WHERE expires_at < ?`, now())
		return err
	})
}

// Overdue counts posts, in every workspace, that are more than the allowed minute past their
// time without an attempt; /readyz reports them.
func (s *Service) Overdue(ctx context.Context) (int, error) {
	var n int
	err := s.d.QueryRow(ctx, `SELECT COUNT(*) FROM publications p WHERE p.state = ? AND p.attempts = 0 AND p.due_at < ?
		AND NOT `+heldByPause,
		string(Queued), now().Add(-s.opts.Overdue)).Scan(&n)
	return n, err
}

// OverdueIn counts a workspace's overdue posts, for the alert on its pages; a paused
// workspace's are counted only where they should have gone out (a kept account, an item let through).
func (s *Service) OverdueIn(ctx context.Context, wsID int64) (int, error) {
	var n int
	err := s.d.QueryRow(ctx, `SELECT COUNT(*) FROM publications p WHERE p.workspace_id = ? AND p.state = ? AND p.attempts = 0 AND p.due_at < ?
		AND NOT `+heldByPause,
		wsID, string(Queued), now().Add(-s.opts.Overdue)).Scan(&n)
	return n, err
}

// metricsArgs is the periodic read-back of published posts' metrics.
type metricsArgs struct{}

func (metricsArgs) Kind() string { return "publish_metrics" }

type metricsWorker struct {
	river.WorkerDefaults[metricsArgs]
	s *Service
}

func (w *metricsWorker) Work(ctx context.Context, _ *river.Job[metricsArgs]) error {
	return w.s.ReadMetrics(ctx)
}

// ReadMetrics reads the counts of posts published in the last 30 days, each at most once an
// hour, where the network gives them. A periodic job runs it.
func (s *Service) ReadMetrics(ctx context.Context) error {
	t := now()
	rows, err := s.d.Query(ctx, `SELECT p.id, p.account_id, p.workspace_id, p.remote_id FROM publications p
		JOIN channel_accounts a ON a.id = p.account_id AND a.disconnected_at IS NULL AND a.health <> ?
		WHERE p.state = ? AND p.published_at > ? AND (p.metrics_at IS NULL OR p.metrics_at < ?) AND p.remote_id <> ''
		ORDER BY p.account_id LIMIT 2000`, Reconnect, string(Published), t.AddDate(0, 0, -30), t.Add(-time.Hour))
	if err != nil {
		return err
	}
	type ref struct{ id, wsID int64 }
	byAccount := map[int64]map[string]ref{}
	for rows.Next() {
		var id, acct, ws int64
		var remote string
		if err := rows.Scan(&id, &acct, &ws, &remote); err != nil {
			rows.Close()
			return err
		}
		if byAccount[acct] == nil {
			byAccount[acct] = map[string]ref{}
		}
		byAccount[acct][remote] = ref{id, ws}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for acctID, posts := range byAccount {
		var wsID int64
		var ids []string
		for remote, r := range posts {
			wsID = r.wsID
			ids = append(ids, remote)
		}
		acct, err := getAccount(ctx, s.d, wsID, acctID)
		if err != nil {
			continue
		}
		conn, ok := s.conns[acct.Network]
		if !ok {
			continue
		}
		ca, err := s.fresh(ctx, conn, acct)
		if err != nil {
			continue
		}
		before := ca.Secret
		got, err := conn.Metrics(ctx, ca, ids)
		s.keepRenewed(ctx, acctID, before, ca)
		if err != nil && !errors.Is(err, channel.ErrNotOffered) {
			s.log.Info("reading post metrics", "account", acctID, "err", err)
			continue // the counts read before stay
		}
		err = s.d.Tx(ctx, func(tx *db.Tx) error {
			for remote, r := range posts {
				m, ok := got[remote]
				if !ok {
					m = channel.Metrics{Likes: -1, Reposts: -1, Replies: -1, Views: -1}
				}
				if _, err := tx.Exec(ctx, `UPDATE publications SET likes = ?, reposts = ?, replies = ?, views = ?, metrics_at = ? WHERE id = ?`,
					m.Likes, m.Reposts, m.Replies, m.Views, t, r.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
