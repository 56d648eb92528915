package approval

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
)

// The SQL of the approval tables. Every query names the workspace, except the digest's scan of
// the workspaces that have something waiting.

func loadSettings(ctx context.Context, c db.Conn, wsID int64) (Settings, error) {
	s := Settings{Mode: DefaultMode}
	err := c.QueryRow(ctx, `SELECT mode FROM approval_settings WHERE workspace_id = ?`, wsID).Scan(&s.Mode)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s, err
	}
	rows, err := c.Query(ctx, `SELECT name, role, user_ids, rule FROM approval_steps WHERE workspace_id = ? ORDER BY position`, wsID)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		var users string
		if err := rows.Scan(&st.Name, &st.Role, &users, &st.Rule); err != nil {
			return s, err
		}
		st.Users = splitIDs(users)
		s.Steps = append(s.Steps, st)
	}
	return s, rows.Err()
}

func saveSettings(ctx context.Context, tx *db.Tx, wsID int64, s Settings) error {
	if _, err := tx.Exec(ctx, `INSERT INTO approval_settings (workspace_id, mode, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at`, wsID, string(s.Mode), now()); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM approval_steps WHERE workspace_id = ?`, wsID); err != nil {
		return err
	}
	for i, st := range s.Steps {
		if _, err := tx.Exec(ctx, `INSERT INTO approval_steps (workspace_id, position, name, role, user_ids, rule) VALUES (?, ?, ?, ?, ?, ?)`,
			wsID, i+1, st.Name, string(st.Role), joinIDs(st.Users), string(st.Rule)); err != nil {
			return err
		}
	}
	return nil
}

const requestColumns = `id, workspace_id, item_id, version, step, steps, status, COALESCE(submitted_by, 0), submitted_label,
	created_at, step_started_at, decided_at, approved_at`

func scanRequest(row interface{ Scan(...any) error }) (*Request, error) {
	r := &Request{}
	var steps string
	var decided, approved sql.NullTime
	err := row.Scan(&r.ID, &r.WorkspaceID, &r.ItemID, &r.Version, &r.Step, &steps, &r.Status, &r.SubmittedBy, &r.SubmittedLabel,
		&r.CreatedAt, &r.StepStartedAt, &decided, &approved)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(steps), &r.Steps); err != nil || len(r.Steps) == 0 {
		r.Steps = []Step{{Rule: Any}}
	}
	r.Step = min(max(r.Step, 1), len(r.Steps))
	if decided.Valid {
		r.DecidedAt = &decided.Time
	}
	if approved.Valid {
		r.ApprovedAt = &approved.Time
	}
	return r, nil
}

// pendingRequest is the request that waits on an item; inside a transaction it locks it.
func pendingRequest(ctx context.Context, c db.Conn, wsID, itemID int64) (*Request, error) {
	lock := ""
	if _, ok := c.(*db.Tx); ok {
		lock = db.ForUpdate(c)
	}
	return scanRequest(c.QueryRow(ctx, `SELECT `+requestColumns+` FROM approval_requests
		WHERE workspace_id = ? AND item_id = ? AND status = ?`+lock, wsID, itemID, string(Pending)))
}

func listRequests(ctx context.Context, c db.Conn, wsID int64, where string, args ...any) ([]Request, error) {
	rows, err := c.Query(ctx, `SELECT `+requestColumns+` FROM approval_requests WHERE workspace_id = ? AND `+where+
		` ORDER BY step_started_at, id LIMIT `+strconv.Itoa(queueLimit), append([]any{wsID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

func insertRequest(ctx context.Context, tx *db.Tx, r *Request) error {
	steps, err := json.Marshal(r.Steps)
	if err != nil {
		return err
	}
	t := now()
	r.Status, r.Step, r.CreatedAt, r.StepStartedAt = Pending, 1, t, t
	return tx.QueryRow(ctx, `INSERT INTO approval_requests (workspace_id, item_id, version, step, steps, status, submitted_by, submitted_label,
		created_at, step_started_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.WorkspaceID, r.ItemID, r.Version, string(steps), string(Pending), nullID(r.SubmittedBy), r.SubmittedLabel, t, t).Scan(&r.ID)
}

// lastApprovedVersion is the newest version of an item that was approved, 0 when none was.
func lastApprovedVersion(ctx context.Context, c db.Conn, wsID, itemID int64) (int, error) {
	var v sql.NullInt64
	err := c.QueryRow(ctx, `SELECT MAX(version) FROM approval_requests WHERE workspace_id = ? AND item_id = ? AND approved_at IS NOT NULL`,
		wsID, itemID).Scan(&v)
	return int(v.Int64), err
}

func insertDecision(ctx context.Context, tx *db.Tx, wsID int64, d *Decision) error {
	decision := "reject"
	if d.Approve {
		decision = "approve"
	}
	d.CreatedAt = now()
	return tx.QueryRow(ctx, `INSERT INTO approval_decisions (workspace_id, request_id, step, user_id, link_id, reviewer_name, reviewer_email,
		decision, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		wsID, d.RequestID, d.Step, nullID(d.UserID), nullID(d.LinkID), d.ReviewerName, d.ReviewerEmail, decision, d.Note, d.CreatedAt).Scan(&d.ID)
}

// decisions lists the decisions on an item's requests, oldest first; requestID 0 means all of them.
func decisions(ctx context.Context, c db.Conn, wsID, itemID, requestID int64) ([]Decision, error) {
	q := `SELECT d.id, d.request_id, r.version, d.step, COALESCE(d.user_id, 0), COALESCE(d.link_id, 0), d.reviewer_name, d.reviewer_email,
		d.decision, d.note, d.created_at FROM approval_decisions d JOIN approval_requests r ON r.id = d.request_id
		WHERE d.workspace_id = ? AND r.workspace_id = ? AND r.item_id = ?`
	args := []any{wsID, wsID, itemID}
	if requestID != 0 {
		q += ` AND d.request_id = ?`
		args = append(args, requestID)
	}
	rows, err := c.Query(ctx, q+` ORDER BY d.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		var decision string
		if err := rows.Scan(&d.ID, &d.RequestID, &d.Version, &d.Step, &d.UserID, &d.LinkID, &d.ReviewerName, &d.ReviewerEmail,
			&decision, &d.Note, &d.CreatedAt); err != nil {
			return nil, err
		}
		d.Approve = decision == "approve"
		out = append(out, d)
	}
	return out, rows.Err()
}

// decisionsOf lists the decisions on several requests of a workspace, by request.
func decisionsOf(ctx context.Context, c db.Conn, wsID int64, requestIDs []int64) (map[int64][]Decision, error) {
	out := map[int64][]Decision{}
	if len(requestIDs) == 0 {
		return out, nil
	}
	rows, err := c.Query(ctx, `SELECT request_id, step, COALESCE(user_id, 0), COALESCE(link_id, 0), reviewer_name, reviewer_email, decision
		FROM approval_decisions WHERE workspace_id = ? AND request_id IN (`+strings.Trim(joinIDs(requestIDs), ",")+`) ORDER BY id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d Decision
		var decision string
		if err := rows.Scan(&d.RequestID, &d.Step, &d.UserID, &d.LinkID, &d.ReviewerName, &d.ReviewerEmail, &decision); err != nil {
			return nil, err
		}
		d.Approve = decision == "approve"
		out[d.RequestID] = append(out[d.RequestID], d)
	}
	return out, rows.Err()
}

const linkColumns = `l.id, l.workspace_id, l.item_id, l.name, l.email, l.lang, COALESCE(l.created_by, 0), COALESCE(u.name, ''),
	l.expires_at, l.revoked_at, l.opened_at, l.created_at`

const linkFrom = ` FROM review_links l LEFT JOIN users u ON u.id = l.created_by`

func scanLink(row interface{ Scan(...any) error }) (*Link, error) {
	l := &Link{}
	var revoked, opened sql.NullTime
	err := row.Scan(&l.ID, &l.WorkspaceID, &l.ItemID, &l.Name, &l.Email, &l.Lang, &l.CreatedBy, &l.CreatorName, &l.ExpiresAt, &revoked, &opened, &l.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if revoked.Valid {
		l.RevokedAt = &revoked.Time
	}
	if opened.Valid {
		l.OpenedAt = &opened.Time
	}
	return l, nil
}

// linkByHash finds a link by its token's hash: the token is all a visitor has, so this is the one
// query that cannot name the workspace; the link names it for every query after.
func linkByHash(ctx context.Context, c db.Conn, hash string) (*Link, error) {
	return scanLink(c.QueryRow(ctx, `SELECT `+linkColumns+linkFrom+` WHERE l.token_hash = ?`, hash))
}

func linkByID(ctx context.Context, c db.Conn, wsID, id int64) (*Link, error) {
	return scanLink(c.QueryRow(ctx, `SELECT `+linkColumns+linkFrom+` WHERE l.workspace_id = ? AND l.id = ?`, wsID, id))
}

func listLinks(ctx context.Context, c db.Conn, wsID, itemID int64) ([]Link, error) {
	rows, err := c.Query(ctx, `SELECT `+linkColumns+linkFrom+` WHERE l.workspace_id = ? AND l.item_id = ? ORDER BY l.id DESC`, wsID, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *l)
	}
	return out, rows.Err()
}

func insertLink(ctx context.Context, tx *db.Tx, l *Link, hash string) error {
	return tx.QueryRow(ctx, `INSERT INTO review_links (workspace_id, item_id, token_hash, email, name, lang, created_by, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, l.WorkspaceID, l.ItemID, hash, l.Email, l.Name, l.Lang, nullID(l.CreatedBy),
		l.ExpiresAt, l.CreatedAt).Scan(&l.ID)
}

// digestWorkspace is a workspace with something waiting, as the digest needs it.
type digestWorkspace struct {
	ID                     int64
	Slug, Name, Lang, Zone string
}

// waitingWorkspaces lists the workspaces with a pending request: the digest's only query across
// workspaces.
func waitingWorkspaces(ctx context.Context, c db.Conn) ([]digestWorkspace, error) {
	rows, err := c.Query(ctx, `SELECT w.id, w.slug, w.name, w.lang, w.timezone FROM workspaces w
		WHERE EXISTS (SELECT 1 FROM approval_requests r WHERE r.workspace_id = w.id AND r.status = ?) ORDER BY w.id`, string(Pending))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []digestWorkspace
	for rows.Next() {
		var w digestWorkspace
		if err := rows.Scan(&w.ID, &w.Slug, &w.Name, &w.Lang, &w.Zone); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// memberLang is a member's own language, "" when they chose none.
func memberLang(ctx context.Context, c db.Conn, wsID, userID int64) (string, error) {
	var lang string
	err := c.QueryRow(ctx, `SELECT u.lang FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? AND m.user_id = ?`,
		wsID, userID).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return lang, err
}

// markDigest records today's digest of a member; false when it was already sent.
func markDigest(ctx context.Context, tx *db.Tx, wsID, userID int64, day string) (bool, error) {
	res, err := tx.Exec(ctx, `INSERT INTO digests_sent (workspace_id, user_id, day, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		wsID, userID, day, now())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func canApprove(r access.Role) bool { return r.Can(access.ContentApprove) }

func splitIDs(s string) []int64 {
	var out []int64
	for _, x := range strings.Split(strings.Trim(s, ","), ",") {
		if id, err := strconv.ParseInt(x, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// joinIDs stores ids as ",3,7," so one id is found exactly.
func joinIDs(ids []int64) string {
	if len(ids) == 0 {
		return ""
	}
	var xs []string
	for _, id := range ids {
		xs = append(xs, strconv.FormatInt(id, 10))
	}
	return "," + strings.Join(xs, ",") + ","
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
