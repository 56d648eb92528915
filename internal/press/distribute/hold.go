package distribute

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
)

// Refusals of holding.
var (
	ErrHeld     = userError(http.StatusConflict, "held")
	ErrNotHeld  = userError(http.StatusConflict, "not_held")
	ErrNoReason = userError(http.StatusUnprocessableEntity, "reason_required")
	ErrDecision = userError(http.StatusUnprocessableEntity, "decision")
)

// What a person decides for a distribution a hold stopped or kept from starting.
const (
	// DecideSend starts it, or carries on with those not yet sent, now.
	DecideSend = "send"
	// DecideReschedule sends it (the rest of it) at a time in the future.
	DecideReschedule = "reschedule"
	// DecideCancel stops it for good: those not yet sent are not sent.
	DecideCancel = "cancel"
)

// Hold is a workspace's held distributions: why, since when and by whom.
type Hold struct {
	Reason string
	At     time.Time
	ByName string
}

// notHeld is true for a distribution d that may send: it goes through holds, or its workspace is
// not held.
const notHeld = `(d.through_hold OR NOT EXISTS (SELECT 1 FROM distribute_holds h WHERE h.workspace_id = d.workspace_id))`

// holdDue pauses what a hold keeps from sending: those sending, and those scheduled whose time
// has come. They wait, marked held, for a person to decide.
const holdDue = `UPDATE distributions SET state = 'paused', held_at = ?, updated_at = ? WHERE NOT through_hold
	AND (state = 'sending' OR (state = 'scheduled' AND scheduled_at <= ?))`

// Hold stops a workspace's distributions: from now, scheduled ones whose time comes do not start
// and those sending stop before their next recipient; nothing queued is lost. Only those created
// to go through holds are sent.
func (s *Service) Hold(ctx context.Context, a audit.Actor, wsID int64, reason string) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error { return s.HoldTx(ctx, tx, a, wsID, reason) })
}

// HoldTx is Hold in the caller's transaction (the crisis room declares and holds at once).
func (s *Service) HoldTx(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrNoReason
	}
	if held, err := heldTx(ctx, tx, wsID); err != nil {
		return err
	} else if held {
		return ErrHeld
	}
	now := s.now().UTC()
	if _, err := tx.Exec(ctx, `INSERT INTO distribute_holds (workspace_id, reason, held_by, held_by_name, held_at) VALUES (?, ?, ?, ?, ?)`,
		wsID, reason, nullID(a.UserID), a.Label, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, holdDue+` AND workspace_id = ?`, now, now, now, wsID); err != nil {
		return err
	}
	tx.AfterCommit(s.poke)
	return audit.Record(ctx, tx, a.Entry(wsID, "distribution.hold", "workspace", wsID, map[string]audit.Change{"reason": {To: reason}}))
}

// HeldTx reports, in the caller's transaction, whether a workspace's distributions are held.
func (s *Service) HeldTx(ctx context.Context, tx *db.Tx, wsID int64) (bool, error) {
	return heldTx(ctx, tx, wsID)
}

// Unhold lifts a workspace's hold. What it held does not start by itself: a person decides
// (DecideHeld); scheduled distributions whose time has not come go out at their time.
func (s *Service) Unhold(ctx context.Context, a audit.Actor, wsID int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error { return s.UnholdTx(ctx, tx, a, wsID) })
}

// UnholdTx is Unhold in the caller's transaction.
func (s *Service) UnholdTx(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64) error {
	res, err := tx.Exec(ctx, `DELETE FROM distribute_holds WHERE workspace_id = ?`, wsID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotHeld
	}
	return audit.Record(ctx, tx, a.Entry(wsID, "distribution.unhold", "workspace", wsID, nil))
}

// Holding returns a workspace's hold; nil when its distributions are not held.
func (s *Service) Holding(ctx context.Context, wsID int64) (*Hold, error) {
	var h Hold
	err := s.d.QueryRow(ctx, `SELECT reason, held_at, held_by_name FROM distribute_holds WHERE workspace_id = ?`, wsID).Scan(&h.Reason, &h.At, &h.ByName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	h.At = h.At.UTC()
	return &h, nil
}

// HeldDistributions lists the distributions a hold stopped or kept from starting, whether or not
// it still holds, that nobody has decided on yet.
func (s *Service) HeldDistributions(ctx context.Context, wsID int64) ([]Distribution, error) {
	return s.store.list(ctx, wsID, Filter{Held: true})
}

// DecideHeld applies a person's decision to held distributions (ids nil: all of them) and
// returns how many it applied to. Sending now, or rescheduling to now, waits until the hold is
// lifted.
func (s *Service) DecideHeld(ctx context.Context, a audit.Actor, wsID int64, ids []int64, decision string, at time.Time) (int, error) {
	now := s.now().UTC()
	switch decision {
	case DecideSend, DecideCancel:
	case DecideReschedule:
		if !at.After(now) {
			return 0, ErrPast
		}
		at = at.UTC()
	default:
		return 0, ErrDecision
	}
	n := 0
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		held, err := heldTx(ctx, tx, wsID)
		if err != nil {
			return err
		}
		if held && (decision == DecideSend || (decision == DecideReschedule && at.Before(now.Add(time.Second)))) {
			return ErrHeld
		}
		q := `SELECT id FROM distributions WHERE workspace_id = ? AND state = 'paused' AND held_at IS NOT NULL`
		if ids != nil {
			if len(ids) == 0 {
				return nil // none chosen
			}
			q += ` AND id IN (` + list(ids) + `)`
		}
		rows, err := tx.Query(ctx, q+` ORDER BY id`+db.ForUpdate(tx), wsID)
		if err != nil {
			return err
		}
		chosen, err := scanIDs(rows)
		if err != nil {
			return err
		}
		if len(chosen) == 0 && ids != nil {
			return ErrState // decided by someone else meanwhile
		}
		for _, id := range chosen {
			var err error
			switch decision {
			case DecideSend:
				if _, err = tx.Exec(ctx, `UPDATE distributions SET state = 'sending', held_at = NULL, updated_at = ? WHERE id = ?`, now, id); err == nil {
					if err = s.carryOn(ctx, tx, id); err == nil {
						err = audit.Record(ctx, tx, a.Entry(wsID, "distribution.resumed", "distribution", id, nil))
					}
				}
			case DecideReschedule:
				if _, err = tx.Exec(ctx, `UPDATE distributions SET state = 'scheduled', scheduled_at = ?, held_at = NULL, updated_at = ? WHERE id = ?`,
					at, now, id); err == nil {
					err = audit.Record(ctx, tx, a.Entry(wsID, "distribution.scheduled", "distribution", id, map[string]audit.Change{"at": {To: at}}))
				}
			case DecideCancel:
				err = s.cancelTx(ctx, tx, a, wsID, id)
			}
			if err != nil {
				return err
			}
		}
		n = len(chosen)
		return nil
	})
	if err == nil && n > 0 {
		s.poke()
	}
	return n, err
}

// holdDueEverywhere marks what the holds of every workspace keep from sending: the dispatcher's
// guard for distributions that began sending as a hold started, or were sent again since.
func (s *Service) holdDueEverywhere(ctx context.Context, now time.Time) error {
	var holds int
	if err := s.d.QueryRow(ctx, `SELECT COUNT(*) FROM distribute_holds`).Scan(&holds); err != nil || holds == 0 {
		return err
	}
	_, err := s.d.Exec(ctx, holdDue+` AND workspace_id IN (SELECT workspace_id FROM distribute_holds)`, now, now, now)
	return err
}

func heldTx(ctx context.Context, tx *db.Tx, wsID int64) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM distribute_holds WHERE workspace_id = ?`, wsID).Scan(&n)
	return n > 0, err
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
