package distribute

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// recorder writes recipients' states in group commits: every change waiting when a transaction
// starts goes into it, in the order given. A claim (queued → sending) is committed before the
// SMTP transaction starts; an outcome is given to the recorder and not waited for, but since a
// connection's next claim comes after its last outcome in the same order, a crash leaves at most
// one recipient per connection in sending.
type recorder struct {
	d       *db.DB
	log     *slog.Logger
	changes chan *change
	now     func() time.Time
	stopped chan struct{} // closed when run has returned: nothing more is written
}

type change struct {
	id     int64
	claim  bool           // queued → sending, only while the distribution is sending
	to     RecipientState // the outcome, when not a claim
	reason string
	retry  bool // back to queued, to be tried again
	// bounce, when set, is told to the contacts in the same transaction.
	bounce *bounceNote
	done   chan error // closed after the commit (nil: nobody waits)
	ok     bool       // for a claim: whether the recipient was claimed
}

type bounceNote struct {
	wsID  int64
	email string
	hard  bool
}

func newRecorder(d *db.DB, log *slog.Logger, now func() time.Time) *recorder {
	return &recorder{d: d, log: log, changes: make(chan *change, 4096), now: now, stopped: make(chan struct{})}
}

// run commits changes until ctx ends. bounces are told to the audience in the same transaction.
func (r *recorder) run(ctx context.Context, bounce func(ctx context.Context, tx *db.Tx, n *bounceNote, reason string) error) {
	defer close(r.stopped)
	for {
		var batch []*change
		select {
		case <-ctx.Done():
			// On the way out, what senders already gave is still written.
			for {
				select {
				case c := <-r.changes:
					batch = append(batch, c)
				default:
					if len(batch) > 0 {
						r.done(batch, r.commit(ctx, batch, bounce))
					}
					return
				}
			}
		case c := <-r.changes:
			batch = append(batch, c)
		}
		// Gather what arrives within a moment: a commit's cost is mostly per commit, so a few
		// hundred microseconds of waiting buys much larger groups when many connections send.
		linger := time.NewTimer(gather)
	more:
		for len(batch) < 512 {
			select {
			case c := <-r.changes:
				batch = append(batch, c)
			case <-linger.C:
				break more
			}
		}
		linger.Stop()
		r.done(batch, r.commit(ctx, batch, bounce))
	}
}

func (r *recorder) done(batch []*change, err error) {
	if err != nil {
		r.log.Error("recording recipients", "err", err, "changes", len(batch))
	}
	for _, c := range batch {
		if c.done != nil {
			c.done <- err
		}
	}
}

// errStopped is a change given after the recorder stopped: it is not written.
// gather is how long a commit waits for more changes after the first.
var gather = 300 * time.Microsecond

var errStopped = errors.New("distribute: the recorder has stopped")

func (r *recorder) commit(ctx context.Context, batch []*change, bounce func(context.Context, *db.Tx, *bounceNote, string) error) error {
	// The recording outlives a cancelled send: what happened is written even on the way out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := r.now().UTC()
	return r.d.Tx(ctx, func(tx *db.Tx) error {
		var sent, claims []int64
		for _, c := range batch {
			c.ok = false
			switch {
			case c.done != nil && c.id == 0: // a flush
			case c.claim:
				claims = append(claims, c.id)
			case c.to == Sent && !c.retry:
				sent = append(sent, c.id)
			default:
				if err := r.finish(ctx, tx, c, now); err != nil {
					return err
				}
				if c.bounce != nil {
					if err := bounce(ctx, tx, c.bounce, c.reason); err != nil {
						return err
					}
				}
			}
		}
		// Outcomes before claims: a connection's last outcome is written with or before its next claim.
		if len(sent) > 0 {
			in, args := inIDs(tx.Dialect(), "id", sent)
			q := `UPDATE distribution_recipients SET state = 'sent', sent_at = ? WHERE state = 'sending' AND ` + in
			if _, err := tx.Exec(ctx, q, append([]any{now}, args...)...); err != nil {
				return fmt.Errorf("recording sent: %w", err)
			}
		}
		if len(claims) > 0 {
			// The distribution's state is checked row by row (EXISTS), so the plan stays on the
			// primary key whatever the size of the distribution.
			in, args := inIDs(tx.Dialect(), "id", claims)
			q := `UPDATE distribution_recipients SET state = 'sending', attempts = attempts + 1
				WHERE ` + in + ` AND state = 'queued'
				AND EXISTS (SELECT 1 FROM distributions d WHERE d.id = distribution_recipients.distribution_id AND d.state = 'sending'
				AND ` + notHeld + `) RETURNING id`
			rows, err := tx.Query(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("claiming recipients: %w", err)
			}
			got := map[int64]bool{}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				got[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, c := range batch {
				if c.claim {
					// Two claims of one recipient in one commit: only the first may send.
					c.ok = got[c.id]
					delete(got, c.id)
				}
			}
		}
		return nil
	})
}

// finish writes one recipient's outcome other than a plain success.
func (r *recorder) finish(ctx context.Context, tx *db.Tx, c *change, now time.Time) error {
	var err error
	switch {
	case c.retry:
		// A recipient who unsubscribed while their message was in flight is not tried again.
		_, err = tx.Exec(ctx, `UPDATE distribution_recipients SET state = CASE WHEN reason = 'unsubscribed' THEN 'skipped' ELSE 'queued' END,
			reason = CASE WHEN reason = 'unsubscribed' THEN reason ELSE ? END WHERE id = ? AND state = 'sending'`, c.reason, c.id)
	case c.to == Sent:
		_, err = tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'sent', sent_at = ?, reason = ? WHERE id = ? AND state = 'sending'`, now, c.reason, c.id)
	default:
		_, err = tx.Exec(ctx, `UPDATE distribution_recipients SET state = ?, reason = ? WHERE id = ? AND state = 'sending'`, string(c.to), c.reason, c.id)
	}
	return err
}

// claim marks a recipient as sending and reports whether it may be sent to now: not when it was
// skipped, cancelled or claimed by someone else meanwhile, or its distribution was paused or its
// workspace's distributions held.
func (r *recorder) claim(ctx context.Context, id int64) (bool, error) {
	c := &change{id: id, claim: true, done: make(chan error, 1)}
	if err := r.put(ctx, c); err != nil {
		return false, err
	}
	// Once given, the claim is waited for even when ctx ends: returning early could leave a
	// committed claim with nobody sending, which a later run would take for uncertain.
	select {
	case err := <-c.done:
		return c.ok && err == nil, err
	case <-r.stopped:
		select {
		case err := <-c.done:
			return c.ok && err == nil, err
		default:
			return false, errStopped
		}
	}
}

// record gives an outcome to be written soon.
func (r *recorder) record(ctx context.Context, c *change) { _ = r.put(ctx, c) }

// flush waits until everything given so far is written.
func (r *recorder) flush(ctx context.Context) error {
	c := &change{done: make(chan error, 1)}
	if err := r.put(ctx, c); err != nil {
		return err
	}
	select {
	case err := <-c.done:
		return err
	case <-r.stopped:
		select {
		case err := <-c.done:
			return err
		default:
			return errStopped
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *recorder) put(ctx context.Context, c *change) error {
	select {
	case r.changes <- c:
		return nil
	case <-r.stopped:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// inIDs is the condition "column is one of ids": one array parameter on PostgreSQL, so the
// statement's text, and the plan the driver prepares and caches for it, is the same whatever the
// number of IDs; a literal list on SQLite, where statements are not cached.
func inIDs(d db.Dialect, column string, ids []int64) (string, []any) {
	if d == db.Postgres {
		return column + " = ANY(?)", []any{ids}
	}
	return column + " IN (" + list(ids) + ")", nil
}

// list writes integer IDs for an IN clause; they are numbers, never user text.
func list(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}
