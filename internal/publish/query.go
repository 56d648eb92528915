package publish

import (
	"context"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/db"
)

// Filter narrows the publish log.
type Filter struct {
	State     State
	AccountID int64
	ItemID    int64
	// BeforeID pages backwards through the log (newest first).
	BeforeID int64
	Limit    int
}

const publicationColumns = `p.id, p.workspace_id, p.item_id, COALESCE(i.title, ''), p.account_id, a.name, a.network, p.state, p.due_at,
	p.zone, p.attempts, p.remote_id, p.remote_url, p.published_at, p.incomplete, p.error_kind, p.error_key, p.error_reason, p.error_status,
	p.retry_at, p.likes, p.reposts, p.replies, p.views, p.metrics_at, p.updated_at`

func scanPublication(row interface{ Scan(...any) error }) (Publication, error) {
	var p Publication
	var kind, key, reason string
	var status int
	err := row.Scan(&p.ID, &p.WorkspaceID, &p.ItemID, &p.ItemTitle, &p.AccountID, &p.Account, &p.Network, &p.State, &p.DueAt,
		&p.Zone, &p.Attempts, &p.RemoteID, &p.RemoteURL, &p.PublishedAt, &p.Incomplete, &kind, &key, &reason, &status,
		&p.RetryAt, &p.Metrics.Likes, &p.Metrics.Reposts, &p.Metrics.Replies, &p.Metrics.Views, &p.MetricsAt, &p.UpdatedAt)
	p.Error = storedError(kind, key, reason, status, p.RetryAt)
	return p, err
}

// storedError rebuilds a recorded failure; nil when there was none.
func storedError(kind, key, reason string, status int, retryAt *time.Time) *channel.Error {
	if kind == "" && key == "" {
		return nil
	}
	e := &channel.Error{Key: key, Reason: reason, Status: status}
	for _, k := range []channel.Kind{channel.Temporary, channel.RateLimited, channel.Unauthorized, channel.Rejected, channel.Unknown} {
		if k.String() == kind {
			e.Kind = k
		}
	}
	if retryAt != nil {
		e.RetryAt = *retryAt
	}
	return e
}

// Publications lists a workspace's publications, newest first.
func (s *Service) Publications(ctx context.Context, wsID int64, f Filter) ([]Publication, error) {
	where := []string{"p.workspace_id = ?"}
	args := []any{wsID}
	if f.State != "" {
		where, args = append(where, "p.state = ?"), append(args, string(f.State))
	}
	if f.AccountID != 0 {
		where, args = append(where, "p.account_id = ?"), append(args, f.AccountID)
	}
	if f.ItemID != 0 {
		where, args = append(where, "p.item_id = ?"), append(args, f.ItemID)
	}
	if f.BeforeID != 0 {
		where, args = append(where, "p.id < ?"), append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	args = append(args, f.Limit)
	rows, err := s.d.Query(ctx, `SELECT `+publicationColumns+` FROM publications p
		JOIN channel_accounts a ON a.id = p.account_id LEFT JOIN content_items i ON i.id = p.item_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		p, err := scanPublication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Publication returns one publication of a workspace.
func (s *Service) Publication(ctx context.Context, wsID, id int64) (*Publication, error) {
	p, err := scanPublication(s.d.QueryRow(ctx, `SELECT `+publicationColumns+` FROM publications p
		JOIN channel_accounts a ON a.id = p.account_id LEFT JOIN content_items i ON i.id = p.item_id
		WHERE p.workspace_id = ? AND p.id = ?`, wsID, id))
	if isNoRows(err) {
		return nil, db.ErrNotFound
	}
	return &p, err
}

// Attempts is a publication's publish log, oldest first.
func (s *Service) Attempts(ctx context.Context, wsID, id int64) ([]Attempt, error) {
	rows, err := s.d.Query(ctx, `SELECT number, action, started_at, finished_at, outcome, error_key, error_reason, error_status, remote_url
		FROM publish_attempts WHERE workspace_id = ? AND publication_id = ? ORDER BY number`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attempt
	for rows.Next() {
		var a Attempt
		var key, reason string
		var status int
		if err := rows.Scan(&a.Number, &a.Action, &a.StartedAt, &a.FinishedAt, &a.Outcome, &key, &reason, &status, &a.RemoteURL); err != nil {
			return nil, err
		}
		if a.Outcome != "published" && a.Outcome != "found" {
			if key == "problem" {
				reason = "" // the broken rule is told in the reader's language above the log
			}
			a.Error = storedError(a.Outcome, key, reason, status, nil)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Counts tells how many publications of a workspace are in each state.
func (s *Service) Counts(ctx context.Context, wsID int64) (map[State]int, error) {
	rows, err := s.d.Query(ctx, `SELECT state, COUNT(*) FROM publications WHERE workspace_id = ? GROUP BY state`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[State]int{}
	for rows.Next() {
		var st State
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// NeedingAttention counts the publications that wait for a person, by state: failed, uncertain,
// held (for the home page).
func (s *Service) NeedingAttention(ctx context.Context, wsID int64) (map[string]int, error) {
	counts, err := s.Counts(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, st := range []State{Failed, Uncertain, Held} {
		if counts[st] > 0 {
			out[string(st)] = counts[st]
		}
	}
	return out, nil
}
