package subscribe

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// The SQL of the subscriber tables. Every query names the workspace, except the purge, which
// sweeps every workspace.

const columns = `id, workspace_id, email, name, lang, state, consent_text, requested_at, confirmed_at, unsubscribed_at,
	unsubscribe_source, created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (*Subscriber, error) {
	s := &Subscriber{}
	var confirmed, unsubscribed sql.NullTime
	err := row.Scan(&s.ID, &s.WorkspaceID, &s.Email, &s.Name, &s.Lang, &s.State, &s.Consent.Text, &s.Consent.RequestedAt,
		&confirmed, &unsubscribed, &s.Consent.UnsubscribeSource, &s.CreatedAt, &s.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	s.Consent.Lang = s.Lang
	s.Consent.RequestedAt, s.CreatedAt, s.UpdatedAt = s.Consent.RequestedAt.UTC(), s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	s.Consent.ConfirmedAt, s.Consent.UnsubscribedAt = timePtr(confirmed), timePtr(unsubscribed)
	s.Topics = []int64{}
	return s, nil
}

func scanAll(rows *sql.Rows) ([]Subscriber, error) {
	defer rows.Close()
	var out []Subscriber
	for rows.Next() {
		s, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

// byID reads a subscriber with their topics; inside a transaction it locks the row.
func byID(ctx context.Context, c db.Conn, wsID, id int64, lock bool) (*Subscriber, error) {
	q := `SELECT ` + columns + ` FROM newsroom_subscribers WHERE workspace_id = ? AND id = ?`
	if lock {
		q += db.ForUpdate(c)
	}
	s, err := scan(c.QueryRow(ctx, q, wsID, id))
	if err != nil {
		return nil, err
	}
	one := []Subscriber{*s}
	if err := fillTopics(ctx, c, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// byEmail reads and locks the subscriber of an address, for the change that follows.
func byEmail(ctx context.Context, tx *db.Tx, wsID int64, email string) (*Subscriber, error) {
	return scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM newsroom_subscribers WHERE workspace_id = ? AND email = ?`+db.ForUpdate(tx), wsID, email))
}

// fillTopics sets each subscriber's topics.
func fillTopics(ctx context.Context, c db.Conn, subs []Subscriber) error {
	if len(subs) == 0 {
		return nil
	}
	at := map[int64]int{}
	marks := make([]string, len(subs))
	args := make([]any, len(subs))
	for i := range subs {
		subs[i].Topics = []int64{}
		at[subs[i].ID] = i
		marks[i], args[i] = "?", subs[i].ID
	}
	rows, err := c.Query(ctx, `SELECT subscriber_id, topic_id FROM newsroom_subscriber_topics WHERE subscriber_id IN (`+
		strings.Join(marks, ", ")+`) ORDER BY subscriber_id, topic_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sub, topic int64
		if err := rows.Scan(&sub, &topic); err != nil {
			return err
		}
		i := at[sub]
		subs[i].Topics = append(subs[i].Topics, topic)
	}
	return rows.Err()
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// where is a filter's condition on the subscribers of a workspace, without paging.
func where(wsID int64, f Filter) (string, []any) {
	q := ` WHERE workspace_id = ?`
	args := []any{wsID}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, f.State)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(s)) + "%"
		q += ` AND (email LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	return q, args
}

// list returns the subscribers that pass f, with their topics.
func list(ctx context.Context, c db.Conn, wsID int64, f Filter) ([]Subscriber, error) {
	cond, args := where(wsID, f)
	q := `SELECT ` + columns + ` FROM newsroom_subscribers` + cond
	if f.Sort == "id" {
		q += ` AND id > ? ORDER BY id`
		args = append(args, f.After)
	} else {
		q += ` ORDER BY id DESC`
	}
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(rows)
	if err != nil {
		return nil, err
	}
	return out, fillTopics(ctx, c, out)
}

// counts is how many subscribers a workspace has in each state, every state present.
func counts(ctx context.Context, c db.Conn, wsID int64) (map[string]int, error) {
	out := map[string]int{}
	for _, s := range States {
		out[s] = 0
	}
	rows, err := c.Query(ctx, `SELECT state, COUNT(*) FROM newsroom_subscribers WHERE workspace_id = ? GROUP BY state`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		out[state] = n
	}
	return out, rows.Err()
}

// audience returns up to limit confirmed subscribers with ids above after who take one of topics
// (all of them when topics is empty), oldest first.
func audience(ctx context.Context, c db.Conn, wsID int64, topics []int64, after int64, limit int) ([]Subscriber, error) {
	q := `SELECT ` + columns + ` FROM newsroom_subscribers s WHERE workspace_id = ? AND state = 'confirmed' AND id > ?`
	args := []any{wsID, after}
	if len(topics) > 0 {
		marks := make([]string, len(topics))
		for i, t := range topics {
			marks[i] = "?"
			args = append(args, t)
		}
		// No topic chosen is every topic.
		q += ` AND (NOT EXISTS (SELECT 1 FROM newsroom_subscriber_topics t WHERE t.subscriber_id = s.id)
			OR EXISTS (SELECT 1 FROM newsroom_subscriber_topics t WHERE t.subscriber_id = s.id AND t.topic_id IN (` + strings.Join(marks, ", ") + `)))`
	}
	rows, err := c.Query(ctx, q+` ORDER BY id LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(rows)
	if err != nil {
		return nil, err
	}
	return out, fillTopics(ctx, c, out)
}

// ensure makes a pending subscriber for an address that has none; one already there stays.
func ensure(ctx context.Context, tx *db.Tx, wsID int64, email, lang string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO newsroom_subscribers (workspace_id, email, lang, state, requested_at, created_at, updated_at)
		VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (workspace_id, email) DO NOTHING`, wsID, email, lang, at, at, at)
	return err
}

// setTopics replaces a subscriber's topics.
func setTopics(ctx context.Context, tx *db.Tx, id int64, topics []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM newsroom_subscriber_topics WHERE subscriber_id = ?`, id); err != nil {
		return err
	}
	for _, t := range topics {
		if _, err := tx.Exec(ctx, `INSERT INTO newsroom_subscriber_topics (subscriber_id, topic_id) VALUES (?, ?)`, id, t); err != nil {
			return err
		}
	}
	return nil
}

// asked is what a request carries, as stored.
type asked struct {
	ID           int64
	WorkspaceID  int64
	SubscriberID int64
	Confirmation Confirmation
}

const requestColumns = `id, workspace_id, subscriber_id, name, lang, topics, consent_text, requested_at, mailed_at, expires_at`

func scanRequest(row interface{ Scan(...any) error }) (*asked, error) {
	a := &asked{}
	c := &a.Confirmation
	var topics string
	err := row.Scan(&a.ID, &a.WorkspaceID, &a.SubscriberID, &c.Name, &c.Lang, &topics, &c.ConsentText, &c.RequestedAt, &c.MailedAt, &c.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(topics), &c.Topics); err != nil {
		return nil, err
	}
	if c.Topics == nil {
		c.Topics = []int64{}
	}
	c.RequestedAt, c.MailedAt, c.ExpiresAt = c.RequestedAt.UTC(), c.MailedAt.UTC(), c.ExpiresAt.UTC()
	return a, nil
}

// requestByToken reads the request of a token's hash, unless it expired by at.
func requestByToken(ctx context.Context, c db.Conn, hash string, at time.Time) (*asked, error) {
	return scanRequest(c.QueryRow(ctx, `SELECT `+requestColumns+` FROM newsroom_subscribe_requests WHERE token_hash = ? AND expires_at > ?`, hash, at))
}

// lastRequest reads the subscriber's most recently mailed request, expired or not (the caller
// holds the subscriber's lock).
func lastRequest(ctx context.Context, tx *db.Tx, wsID, subscriberID int64) (*asked, error) {
	return scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+` FROM newsroom_subscribe_requests
		WHERE workspace_id = ? AND subscriber_id = ? ORDER BY mailed_at DESC, id DESC LIMIT 1`, wsID, subscriberID))
}

// requests lists a subscriber's unexpired requests, newest first.
func requests(ctx context.Context, c db.Conn, wsID, subscriberID int64, at time.Time) ([]Confirmation, error) {
	rows, err := c.Query(ctx, `SELECT `+requestColumns+` FROM newsroom_subscribe_requests WHERE workspace_id = ? AND subscriber_id = ?
		AND expires_at > ? ORDER BY mailed_at DESC, id DESC`, wsID, subscriberID, at)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Confirmation{}
	for rows.Next() {
		a, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a.Confirmation)
	}
	return out, rows.Err()
}

func topicsJSON(topics []int64) string {
	if topics == nil {
		topics = []int64{}
	}
	raw, _ := json.Marshal(topics) // a slice of numbers always marshals
	return string(raw)
}

func insertRequest(ctx context.Context, tx *db.Tx, wsID, subscriberID int64, hash string, c Confirmation) error {
	_, err := tx.Exec(ctx, `INSERT INTO newsroom_subscribe_requests (workspace_id, subscriber_id, token_hash, name, lang, topics, consent_text,
		requested_at, mailed_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		wsID, subscriberID, hash, c.Name, c.Lang, topicsJSON(c.Topics), c.ConsentText, c.RequestedAt, c.MailedAt, c.ExpiresAt)
	return err
}

// updateRequest changes what a request asks for, keeping its link and its expiry.
func updateRequest(ctx context.Context, tx *db.Tx, id int64, c Confirmation) error {
	_, err := tx.Exec(ctx, `UPDATE newsroom_subscribe_requests SET name = ?, lang = ?, topics = ?, consent_text = ?, requested_at = ? WHERE id = ?`,
		c.Name, c.Lang, topicsJSON(c.Topics), c.ConsentText, c.RequestedAt, id)
	return err
}

func deleteRequests(ctx context.Context, tx *db.Tx, wsID, subscriberID int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM newsroom_subscribe_requests WHERE workspace_id = ? AND subscriber_id = ?`, wsID, subscriberID)
	return err
}

// setPending writes a request's details on a subscriber who has not confirmed, so the staff see
// what was last asked.
func setPending(ctx context.Context, tx *db.Tx, s *Subscriber, c Confirmation) error {
	if _, err := tx.Exec(ctx, `UPDATE newsroom_subscribers SET name = ?, lang = ?, consent_text = ?, requested_at = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, c.Name, c.Lang, c.ConsentText, c.RequestedAt, now(), s.WorkspaceID, s.ID); err != nil {
		return err
	}
	return setTopics(ctx, tx, s.ID, c.Topics)
}

// confirm applies a request to its subscriber: confirmed, with the request's details as the
// consent record.
func confirm(ctx context.Context, tx *db.Tx, wsID, id int64, c Confirmation, at time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE newsroom_subscribers SET state = 'confirmed', name = ?, lang = ?, consent_text = ?, requested_at = ?,
		confirmed_at = ?, unsubscribed_at = NULL, unsubscribe_source = '', updated_at = ? WHERE workspace_id = ? AND id = ?`,
		c.Name, c.Lang, c.ConsentText, c.RequestedAt, at, at, wsID, id); err != nil {
		return err
	}
	return setTopics(ctx, tx, id, c.Topics)
}

// unsubscribe ends an address's subscription; one that ended already keeps its first end.
func unsubscribe(ctx context.Context, tx *db.Tx, wsID int64, email, source string, at time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE newsroom_subscribers SET state = 'unsubscribed', unsubscribed_at = ?, unsubscribe_source = ?, updated_at = ?
		WHERE workspace_id = ? AND email = ? AND state <> 'unsubscribed'`, at, source, at, wsID, email)
	return err
}

func erase(ctx context.Context, tx *db.Tx, wsID, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM newsroom_subscribers WHERE workspace_id = ? AND id = ?`, wsID, id)
	return err
}

// purge removes, in every workspace, the links that expired before at and the subscribers still
// pending whose last request is older than before. It returns how many subscribers it removed.
func purge(ctx context.Context, tx *db.Tx, at, before time.Time) (int, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM newsroom_subscribe_requests WHERE expires_at <= ?`, at); err != nil {
		return 0, err
	}
	res, err := tx.Exec(ctx, `DELETE FROM newsroom_subscribers WHERE state = 'pending' AND requested_at < ?`, before)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// cleanTopics sorts topics, drops duplicates and keeps only those known.
func cleanTopics(topics []int64, known map[int64]string) []int64 {
	out := []int64{}
	for _, t := range topics {
		if _, ok := known[t]; ok && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}
