package pitch

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// The SQL of the pitch tables. Every query names the workspace in its WHERE.

const columns = `id, workspace_id, title, angle, subject, body, COALESCE(release_id, 0), COALESCE(campaign_id, 0),
	COALESCE(owner_id, 0), status, version, COALESCE(created_by, 0), created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (*Pitch, error) {
	p := &Pitch{}
	err := row.Scan(&p.ID, &p.WorkspaceID, &p.Title, &p.Angle, &p.Subject, &p.Body, &p.ReleaseID, &p.CampaignID,
		&p.OwnerID, &p.Status, &p.Version, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, nil
}

// byID reads a pitch; inside a transaction lock it for the change that follows.
func byID(ctx context.Context, c db.Conn, wsID, id int64, lock bool) (*Pitch, error) {
	q := `SELECT ` + columns + ` FROM pitches WHERE workspace_id = ? AND id = ?`
	if lock {
		q += db.ForUpdate(c)
	}
	return scan(c.QueryRow(ctx, q, wsID, id))
}

var orders = map[string]string{
	"updated": `updated_at DESC, id DESC`,
	"title":   `LOWER(title), id`,
	"created": `created_at DESC, id DESC`,
	// Pitches without a pending follow-up go last.
	"follow_up": `(SELECT MIN(c.follow_up_at) FROM pitch_contacts c WHERE c.workspace_id = pitches.workspace_id AND c.pitch_id = pitches.id
		AND c.follow_up_at IS NOT NULL AND c.stage NOT IN ('covered', 'declined')) IS NULL,
		(SELECT MIN(c.follow_up_at) FROM pitch_contacts c WHERE c.workspace_id = pitches.workspace_id AND c.pitch_id = pitches.id
		AND c.follow_up_at IS NOT NULL AND c.stage NOT IN ('covered', 'declined')), id DESC`,
	"id": `id`,
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// list returns at most f.Limit pitches (all when 0), with their counts per stage.
func list(ctx context.Context, c db.Conn, wsID int64, f Filter) ([]Pitch, error) {
	q := `SELECT ` + columns + ` FROM pitches WHERE workspace_id = ?`
	args := []any{wsID}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(s)) + "%"
		q += ` AND (LOWER(title) LIKE ? ESCAPE '\' OR LOWER(angle) LIKE ? ESCAPE '\' OR LOWER(subject) LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	if f.After > 0 {
		q += ` AND id > ?`
		args = append(args, f.After)
	}
	order, ok := orders[f.Sort]
	if !ok {
		order = orders["updated"]
	}
	q += ` ORDER BY ` + order
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []Pitch
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, *p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := fillCounts(ctx, c, wsID, out); err != nil {
		return nil, err
	}
	return out, nil
}

// fillCounts sets each pitch's contacts per stage, every stage present.
func fillCounts(ctx context.Context, c db.Conn, wsID int64, ps []Pitch) error {
	if len(ps) == 0 {
		return nil
	}
	byID := map[int64]*Pitch{}
	marks := make([]string, len(ps))
	args := []any{wsID}
	for i := range ps {
		ps[i].Counts = map[string]int{}
		for _, s := range Stages {
			ps[i].Counts[s] = 0
		}
		byID[ps[i].ID] = &ps[i]
		marks[i] = "?"
		args = append(args, ps[i].ID)
	}
	rows, err := c.Query(ctx, `SELECT pitch_id, stage, COUNT(*) FROM pitch_contacts WHERE workspace_id = ? AND pitch_id IN (`+
		strings.Join(marks, ", ")+`) GROUP BY pitch_id, stage`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var stage string
		var n int
		if err := rows.Scan(&id, &stage, &n); err != nil {
			return err
		}
		byID[id].Counts[stage] = n
	}
	return rows.Err()
}

func insert(ctx context.Context, tx *db.Tx, wsID, by int64, in Input) (*Pitch, error) {
	t := now()
	return scan(tx.QueryRow(ctx, `INSERT INTO pitches (workspace_id, title, angle, subject, body, release_id, campaign_id, owner_id, status,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+columns,
		wsID, in.Title, in.Angle, in.Subject, in.Body, nullID(in.ReleaseID), nullID(in.CampaignID), nullID(in.OwnerID), in.Status,
		nullID(by), t, t))
}

// update saves in over version; false when someone else saved first.
func update(ctx context.Context, tx *db.Tx, wsID, id int64, version int, in Input) (bool, error) {
	res, err := tx.Exec(ctx, `UPDATE pitches SET title = ?, angle = ?, subject = ?, body = ?, release_id = ?, campaign_id = ?, owner_id = ?,
		status = ?, version = version + 1, updated_at = ? WHERE workspace_id = ? AND id = ? AND version = ?`,
		in.Title, in.Angle, in.Subject, in.Body, nullID(in.ReleaseID), nullID(in.CampaignID), nullID(in.OwnerID), in.Status,
		now(), wsID, id, version)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// touch marks a pitch changed when its pipeline changes, so the list's "recently updated" sees it.
func touch(ctx context.Context, tx *db.Tx, wsID, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE pitches SET updated_at = ? WHERE workspace_id = ? AND id = ?`, now(), wsID, id)
	return err
}

const cardColumns = `contact_id, stage, note, coverage_url, follow_up_at, reminded_at, added_at, stage_at`

func scanCard(row interface{ Scan(...any) error }) (*Card, error) {
	c := &Card{}
	var follow, reminded sql.NullTime
	err := row.Scan(&c.ContactID, &c.Stage, &c.Note, &c.CoverageURL, &follow, &reminded, &c.AddedAt, &c.StageAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoCard
	}
	if err != nil {
		return nil, err
	}
	c.FollowUp, c.RemindedAt = timePtr(follow), timePtr(reminded)
	c.AddedAt, c.StageAt = c.AddedAt.UTC(), c.StageAt.UTC()
	return c, nil
}

func cardOf(ctx context.Context, c db.Conn, wsID, pitchID, contactID int64) (*Card, error) {
	return scanCard(c.QueryRow(ctx, `SELECT `+cardColumns+` FROM pitch_contacts WHERE workspace_id = ? AND pitch_id = ? AND contact_id = ?`,
		wsID, pitchID, contactID))
}

// cards returns a pitch's pipeline, oldest stage change first within each stage.
func cards(ctx context.Context, c db.Conn, wsID, pitchID int64) ([]Card, error) {
	rows, err := c.Query(ctx, `SELECT `+cardColumns+` FROM pitch_contacts WHERE workspace_id = ? AND pitch_id = ? ORDER BY stage_at, contact_id`,
		wsID, pitchID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Card
	for rows.Next() {
		cd, err := scanCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *cd)
	}
	return out, rows.Err()
}

// addCard puts a contact in the pipeline at stage; false when it was there already (nothing changes).
func addCard(ctx context.Context, tx *db.Tx, wsID, pitchID, contactID int64, stage string, at time.Time) (bool, error) {
	res, err := tx.Exec(ctx, `INSERT INTO pitch_contacts (pitch_id, workspace_id, contact_id, stage, added_at, stage_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (pitch_id, contact_id) DO NOTHING`, pitchID, wsID, contactID, stage, at, at)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// saveCard writes a card's fields; a changed follow-up starts unreminded.
func saveCard(ctx context.Context, tx *db.Tx, wsID, pitchID int64, old *Card, in CardInput, by int64) error {
	stageAt := old.StageAt
	if in.Stage != old.Stage {
		stageAt = now()
	}
	reminded := old.RemindedAt
	if !sameTime(old.FollowUp, in.FollowUp) {
		reminded = nil
	}
	_, err := tx.Exec(ctx, `UPDATE pitch_contacts SET stage = ?, note = ?, coverage_url = ?, follow_up_at = ?, follow_up_by = ?, reminded_at = ?, stage_at = ?
		WHERE workspace_id = ? AND pitch_id = ? AND contact_id = ?`,
		in.Stage, in.Note, in.CoverageURL, nullTime(in.FollowUp), nullID(by), nullTime(reminded), stageAt, wsID, pitchID, old.ContactID)
	return err
}

func removeCard(ctx context.Context, tx *db.Tx, wsID, pitchID, contactID int64) (bool, error) {
	res, err := tx.Exec(ctx, `DELETE FROM pitch_contacts WHERE workspace_id = ? AND pitch_id = ? AND contact_id = ?`, wsID, pitchID, contactID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// due is a follow-up whose time has come and whose reminder has not gone.
type due struct {
	WorkspaceID, PitchID, ContactID int64
	Title                           string
	OwnerID, SetBy                  int64
	At                              time.Time
}

// dueFollowUps lists, across workspaces, the follow-ups due at now on open pitches for contacts
// still in play.
func dueFollowUps(ctx context.Context, c db.Conn, at time.Time, limit int) ([]due, error) {
	rows, err := c.Query(ctx, `SELECT c.workspace_id, c.pitch_id, c.contact_id, p.title, COALESCE(p.owner_id, 0), COALESCE(c.follow_up_by, 0), c.follow_up_at
		FROM pitch_contacts c JOIN pitches p ON p.workspace_id = c.workspace_id AND p.id = c.pitch_id
		WHERE c.follow_up_at <= ? AND c.reminded_at IS NULL AND c.stage NOT IN ('covered', 'declined') AND p.status = 'open'
		ORDER BY c.follow_up_at, c.pitch_id, c.contact_id LIMIT `+strconv.Itoa(limit), at)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.WorkspaceID, &d.PitchID, &d.ContactID, &d.Title, &d.OwnerID, &d.SetBy, &d.At); err != nil {
			return nil, err
		}
		d.At = d.At.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// markReminded claims a due follow-up for its reminder; false when another run already sent it or
// the date changed since it was read.
func markReminded(ctx context.Context, tx *db.Tx, d due) (bool, error) {
	res, err := tx.Exec(ctx, `UPDATE pitch_contacts SET reminded_at = ? WHERE workspace_id = ? AND pitch_id = ? AND contact_id = ?
		AND reminded_at IS NULL AND follow_up_at = ?`, now(), d.WorkspaceID, d.PitchID, d.ContactID, d.At)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
