package distribute

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

type store struct{ d *db.DB }

const columns = `id, workspace_id, kind, COALESCE(release_id, 0), COALESCE(pitch_id, 0), title, lists, segments, audience, topics, state, scheduled_at, zone,
	started_at, finished_at, from_address, track_opens, track_clicks, problem, through_hold, held_at, COALESCE(created_by, 0), created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (*Distribution, string, error) {
	d := &Distribution{}
	var lists, segments, topics, problem string
	var scheduled, started, finished, held sql.NullTime
	err := row.Scan(&d.ID, &d.WorkspaceID, &d.Kind, &d.ReleaseID, &d.PitchID, &d.Title, &lists, &segments, &d.Audience, &topics, &d.State, &scheduled, &d.Zone,
		&started, &finished, &d.FromAddress, &d.TrackOpens, &d.TrackClicks, &problem, &d.ThroughHold, &held, &d.CreatedBy, &d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", db.ErrNotFound
	}
	if err != nil {
		return nil, "", err
	}
	_ = json.Unmarshal([]byte(lists), &d.Lists)
	_ = json.Unmarshal([]byte(segments), &d.Segments)
	_ = json.Unmarshal([]byte(topics), &d.Topics)
	d.ScheduledAt, d.StartedAt, d.FinishedAt, d.HeldAt = utcPtr(scheduled), utcPtr(started), utcPtr(finished), utcPtr(held)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, problem, nil
}

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// get reads a distribution; wsID 0 is the engine's own read, which knows the ID is genuine.
func (s store) get(ctx context.Context, wsID, id int64) (*Distribution, error) {
	d, _, err := s.getWithProblem(ctx, wsID, id)
	return d, err
}

func (s store) getWithProblem(ctx context.Context, wsID, id int64) (*Distribution, string, error) {
	q := `SELECT ` + columns + ` FROM distributions WHERE id = ?`
	args := []any{id}
	if wsID != 0 {
		q += ` AND workspace_id = ?`
		args = append(args, wsID)
	}
	return scan(s.d.QueryRow(ctx, q, args...))
}

// Filter narrows the distribution list.
type Filter struct {
	Query  string
	State  State
	Held   bool  // only those a hold stopped or kept from starting that nobody has decided on
	After  int64 // API cursor: IDs below this one (newest first)
	Limit  int
	Offset int
}

func (s store) list(ctx context.Context, wsID int64, f Filter) ([]Distribution, error) {
	q := `SELECT ` + columns + ` FROM distributions WHERE workspace_id = ?`
	args := []any{wsID}
	if f.Query != "" {
		q += ` AND LOWER(title) LIKE ?`
		args = append(args, "%"+strings.ToLower(f.Query)+"%")
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, string(f.State))
	}
	if f.Held {
		q += ` AND state = 'paused' AND held_at IS NOT NULL`
	}
	if f.After > 0 {
		q += ` AND id < ?`
		args = append(args, f.After)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.d.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Distribution
	for rows.Next() {
		d, _, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	counts, err := s.countsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Counts = counts[out[i].ID]
	}
	return out, nil
}

// counts tallies a distribution's recipients.
func (s store) counts(ctx context.Context, id int64) (Counts, error) {
	all, err := s.countsOf(ctx, []int64{id})
	return all[id], err
}

// countsOf tallies the recipients of several distributions in one query (a list page).
func (s store) countsOf(ctx context.Context, ids []int64) (map[int64]Counts, error) {
	out := make(map[int64]Counts, len(ids))
	for _, id := range ids {
		out[id] = Counts{Skips: map[string]int{}}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.d.Query(ctx, `SELECT distribution_id, state, reason, COUNT(*), COUNT(opened_at), COUNT(clicked_at), COUNT(replied_at), COUNT(unsubscribed_at)
		FROM distribution_recipients WHERE distribution_id IN (`+list(ids)+`) GROUP BY distribution_id, state, reason`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var state, reason string
		var n, opened, clicked, replied, unsub int
		if err := rows.Scan(&id, &state, &reason, &n, &opened, &clicked, &replied, &unsub); err != nil {
			return nil, err
		}
		c := out[id]
		c.Total += n
		c.Opened += opened
		c.Clicked += clicked
		c.Replied += replied
		c.Unsubscribed += unsub
		switch RecipientState(state) {
		case Queued:
			c.Queued += n
		case InFlight:
			c.Sending += n
		case Sent:
			c.Sent += n
		case Skipped:
			c.Skipped += n
			c.Skips[reason] += n
		case Bounced:
			c.Bounced += n
		case Failed:
			c.Failed += n
		case Uncertain:
			c.Uncertain += n
		case Withdrawn:
			c.Cancelled += n
		}
		out[id] = c
	}
	return out, rows.Err()
}

// queuedRecipient is what a sender needs of a recipient.
type queuedRecipient struct {
	id                                    int64
	email, name, salutation, outlet, lang string
	attempts                              int
}

func (s store) queued(ctx context.Context, id int64, batch int) ([]queuedRecipient, error) {
	rows, err := s.d.Query(ctx, `SELECT id, email, name, salutation, outlet, lang, attempts FROM distribution_recipients
		WHERE distribution_id = ? AND batch = ? AND state = 'queued' ORDER BY id`, id, batch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []queuedRecipient
	for rows.Next() {
		var r queuedRecipient
		if err := rows.Scan(&r.id, &r.email, &r.name, &r.salutation, &r.outlet, &r.lang, &r.attempts); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s store) messages(ctx context.Context, id int64) (map[string]*storedMessage, error) {
	rows, err := s.d.Query(ctx, `SELECT lang, subject, html, text, greet_with, greet_without, greet_nameless FROM distribution_messages WHERE distribution_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*storedMessage{}
	for rows.Next() {
		var lang string
		m := &storedMessage{}
		if err := rows.Scan(&lang, &m.subject, &m.html, &m.text, &m.greetWith, &m.greetWithout, &m.greetNameless); err != nil {
			return nil, err
		}
		out[lang] = m
	}
	return out, rows.Err()
}

func (s store) dueScheduled(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.d.Query(ctx, `SELECT id FROM distributions WHERE state = 'scheduled' AND scheduled_at <= ? ORDER BY scheduled_at LIMIT 100`, now)
	if err != nil {
		return nil, err
	}
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

// readyBatches are the batches to queue now: per sending distribution, pending batches that no
// process holds, that were not queued within a lease and wait for no retry, as many as keep
// batchesAhead of them on their way.
func (s store) readyBatches(ctx context.Context, now time.Time, lease time.Duration) ([]batchArgs, error) {
	rows, err := s.d.Query(ctx, `SELECT b.distribution_id, b.n, b.lease_until, b.enqueued_at, b.retry_at FROM distribution_batches b
		JOIN distributions d ON d.id = b.distribution_id
		WHERE b.state = 'pending' AND d.state = 'sending' AND d.started_at IS NOT NULL ORDER BY b.distribution_id, b.n`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	active := map[int64]int{}
	var candidates []batchArgs
	for rows.Next() {
		var b batchArgs
		var leased, enqueued, retry sql.NullTime
		if err := rows.Scan(&b.DistributionID, &b.Batch, &leased, &enqueued, &retry); err != nil {
			return nil, err
		}
		switch {
		case leased.Valid && leased.Time.After(now), enqueued.Valid && enqueued.Time.After(now.Add(-lease)):
			active[b.DistributionID]++
		case retry.Valid && retry.Time.After(now):
		default:
			candidates = append(candidates, b)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []batchArgs
	for _, b := range candidates {
		if active[b.DistributionID] < batchesAhead {
			active[b.DistributionID]++
			out = append(out, b)
		}
	}
	return out, nil
}

// RecipientFilter narrows a distribution's recipient list.
type RecipientFilter struct {
	State RecipientState
	Query string
	Limit int
	After int64
}

func (s store) recipients(ctx context.Context, id int64, f RecipientFilter) ([]Recipient, error) {
	q := `SELECT id, COALESCE(contact_id, 0), email, name, salutation, outlet, lang, state, reason, attempts, sent_at, opened_at, clicked_at, replied_at, unsubscribed_at
		FROM distribution_recipients WHERE distribution_id = ?`
	args := []any{id}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, string(f.State))
	}
	if f.Query != "" {
		q += ` AND (LOWER(name) LIKE ? OR email LIKE ? OR LOWER(outlet) LIKE ?)`
		like := "%" + strings.ToLower(f.Query) + "%"
		args = append(args, like, like, like)
	}
	if f.After > 0 {
		q += ` AND id > ?`
		args = append(args, f.After)
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.d.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		var sent, opened, clicked, replied, unsub sql.NullTime
		if err := rows.Scan(&r.ID, &r.ContactID, &r.Email, &r.Name, &r.Salutation, &r.Outlet, &r.Lang, &r.State, &r.Reason, &r.Attempts,
			&sent, &opened, &clicked, &replied, &unsub); err != nil {
			return nil, err
		}
		r.SentAt, r.OpenedAt, r.ClickedAt, r.RepliedAt, r.Unsubscribed = utcPtr(sent), utcPtr(opened), utcPtr(clicked), utcPtr(replied), utcPtr(unsub)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecipientRef is a recipient with the distribution and workspace it belongs to.
type RecipientRef struct {
	ID, DistributionID, WorkspaceID, ContactID int64
	Email, Name, Lang, Title, From             string
	State                                      RecipientState
	// Audience is the distribution's: AudienceSubscribers for a newsroom subscriber.
	Audience string
}

func (s store) recipient(ctx context.Context, c db.Conn, id int64) (*RecipientRef, error) {
	r := &RecipientRef{}
	err := c.QueryRow(ctx, `SELECT r.id, r.distribution_id, r.workspace_id, COALESCE(r.contact_id, 0), r.email, r.name, r.lang, d.title, d.from_address, r.state, d.audience
		FROM distribution_recipients r JOIN distributions d ON d.id = r.distribution_id WHERE r.id = ?`, id).
		Scan(&r.ID, &r.DistributionID, &r.WorkspaceID, &r.ContactID, &r.Email, &r.Name, &r.Lang, &r.Title, &r.From, &r.State, &r.Audience)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return r, err
}

// stalePrepares are distributions whose snapshot's lease ran out before it was taken.
func (s store) stalePrepares(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.d.Query(ctx, `SELECT id FROM distributions WHERE state = 'sending' AND started_at IS NULL AND prepare_until < ? LIMIT 100`, now)
	if err != nil {
		return nil, err
	}
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
