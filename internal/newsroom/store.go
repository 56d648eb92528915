package newsroom

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

const settingsCols = `w.id, COALESCE(s.enabled, TRUE), COALESCE(s.slug, w.slug), COALESCE(s.domain, ''), COALESCE(s.title, ''),
	COALESCE(s.tagline_id, ''), COALESCE(s.tagline_en, ''), COALESCE(s.logo_asset_id, 0), COALESCE(s.color_primary, ''),
	COALESCE(s.color_accent, ''), COALESCE(s.font, ''), COALESCE(s.boilerplate_id, ''), COALESCE(s.boilerplate_en, ''),
	COALESCE(s.facts_id, ''), COALESCE(s.facts_en, ''), COALESCE(s.generation, 0), s.updated_at, w.name, w.lang, w.timezone`

func scanSettings(row interface{ Scan(...any) error }) (*Settings, error) {
	var s Settings
	var updated sql.NullTime
	err := row.Scan(&s.WorkspaceID, &s.Enabled, &s.Slug, &s.Domain, &s.Title, &s.TaglineID, &s.TaglineEN, &s.LogoAssetID,
		&s.ColorPrimary, &s.ColorAccent, &s.Font, &s.BoilerplateID, &s.BoilerplateEN, &s.FactsID, &s.FactsEN, &s.generation,
		&updated, &s.wsName, &s.wsLang, &s.wsZone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if updated.Valid {
		s.UpdatedAt = updated.Time.UTC()
	}
	return &s, err
}

func settingsOf(ctx context.Context, c db.Conn, wsID int64) (*Settings, error) {
	return scanSettings(c.QueryRow(ctx, `SELECT `+settingsCols+` FROM workspaces w LEFT JOIN newsroom_settings s ON s.workspace_id = w.id
		WHERE w.id = ?`, wsID))
}

// workspaceBySlug finds the newsroom served at slug: its own slug, or a workspace's slug while
// that workspace has not chosen another.
func workspaceBySlug(ctx context.Context, c db.Conn, slug string) (int64, error) {
	var id int64
	// A newsroom that chose the slug wins over a workspace that merely has it as its own.
	var rank int
	err := c.QueryRow(ctx, `SELECT workspace_id, 0 FROM newsroom_settings WHERE slug = ?
		UNION ALL SELECT w.id, 1 FROM workspaces w WHERE w.slug = ? AND NOT EXISTS (SELECT 1 FROM newsroom_settings s WHERE s.workspace_id = w.id)
		ORDER BY 2 LIMIT 1`, slug, slug).Scan(&id, &rank)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, db.ErrNotFound
	}
	return id, err
}

func workspaceByDomain(ctx context.Context, c db.Conn, host string) (int64, string, error) {
	var id int64
	var slug string
	err := c.QueryRow(ctx, `SELECT workspace_id, slug FROM newsroom_settings WHERE domain = ? AND enabled`, host).Scan(&id, &slug)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", db.ErrNotFound
	}
	return id, slug, err
}

// slugTaken reports whether another workspace's newsroom answers at slug.
func slugTaken(ctx context.Context, c db.Conn, wsID int64, slug string) (bool, error) {
	id, err := workspaceBySlug(ctx, c, slug)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	return err == nil && id != wsID, err
}

func domainTaken(ctx context.Context, c db.Conn, wsID int64, domain string) (bool, error) {
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM newsroom_settings WHERE domain = ? AND workspace_id <> ?`, domain, wsID).Scan(&n)
	return n > 0, err
}

func saveSettings(ctx context.Context, tx *db.Tx, s *Settings, now time.Time) error {
	var domain, logo any
	if s.Domain != "" {
		domain = s.Domain
	}
	if s.LogoAssetID != 0 {
		logo = s.LogoAssetID
	}
	_, err := tx.Exec(ctx, `INSERT INTO newsroom_settings (workspace_id, enabled, slug, domain, title, tagline_id, tagline_en, logo_asset_id,
		color_primary, color_accent, font, boilerplate_id, boilerplate_en, facts_id, facts_en, generation, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET enabled = excluded.enabled, slug = excluded.slug, domain = excluded.domain,
		title = excluded.title, tagline_id = excluded.tagline_id, tagline_en = excluded.tagline_en, logo_asset_id = excluded.logo_asset_id,
		color_primary = excluded.color_primary, color_accent = excluded.color_accent, font = excluded.font,
		boilerplate_id = excluded.boilerplate_id, boilerplate_en = excluded.boilerplate_en, facts_id = excluded.facts_id,
		facts_en = excluded.facts_en, generation = newsroom_settings.generation + 1, updated_at = excluded.updated_at`,
		s.WorkspaceID, s.Enabled, s.Slug, domain, s.Title, s.TaglineID, s.TaglineEN, logo, s.ColorPrimary, s.ColorAccent, s.Font,
		s.BoilerplateID, s.BoilerplateEN, s.FactsID, s.FactsEN, now)
	return err
}

// bump counts a change to what the newsroom shows, creating the settings row with the defaults
// when there is none.
func bump(ctx context.Context, tx *db.Tx, wsID int64, now time.Time) error {
	res, err := tx.Exec(ctx, `UPDATE newsroom_settings SET generation = generation + 1 WHERE workspace_id = ?`, wsID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	// No row yet: the defaults, at the workspace's slug unless another newsroom took it (then
	// the row is left out, and the newsroom stays at its defaults until someone picks a slug).
	_, err = tx.Exec(ctx, `INSERT INTO newsroom_settings (workspace_id, slug, generation, updated_at)
		SELECT id, slug, 1, ? FROM workspaces WHERE id = ? ON CONFLICT DO NOTHING`, now, wsID)
	return err
}

func generationOf(ctx context.Context, c db.Conn, wsID int64) (int64, error) {
	var g int64
	err := c.QueryRow(ctx, `SELECT generation FROM newsroom_settings WHERE workspace_id = ?`, wsID).Scan(&g)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return g, err
}

// nextLift is the next time a release of the workspace becomes visible, zero when none waits.
func nextLift(ctx context.Context, c db.Conn, wsID int64, now time.Time) (time.Time, error) {
	var t time.Time
	err := c.QueryRow(ctx, `SELECT lift_at FROM newsroom_releases WHERE workspace_id = ? AND lift_at > ?
		AND copied_at IS NOT NULL AND visibility <> 'hidden' ORDER BY lift_at LIMIT 1`, wsID, now).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return t.UTC(), err
}

// Topics.

func listTopics(ctx context.Context, c db.Conn, wsID int64) ([]Topic, error) {
	rows, err := c.Query(ctx, `SELECT id, slug, name_id, name_en FROM newsroom_topics WHERE workspace_id = ? ORDER BY position, id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Topic
	for rows.Next() {
		var t Topic
		if err := rows.Scan(&t.ID, &t.Slug, &t.NameID, &t.NameEN); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Placements and copies.

const storyCols = `n.release_id, n.group_id, n.lang, n.number, n.headline, n.subheadline, n.dateline, n.body_html, n.lead,
	n.boilerplate_html, n.contact, n.files, n.lift_at, n.updated_at,
	EXISTS (SELECT 1 FROM newsroom_releases f WHERE f.workspace_id = n.workspace_id AND f.group_id = n.group_id AND f.featured),
	n.visibility, n.secret, n.gone_at`

func scanStory(row interface{ Scan(...any) error }) (*Story, error) {
	var s Story
	var contact, files string
	var lift, gone sql.NullTime
	err := row.Scan(&s.ReleaseID, &s.GroupID, &s.Lang, &s.Number, &s.Headline, &s.Subheadline, &s.Dateline, &s.BodyHTML, &s.Lead,
		&s.BoilerplateHTML, &contact, &files, &lift, &s.UpdatedAt, &s.Featured, &s.Visibility, &s.Secret, &gone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	s.LiftAt, s.UpdatedAt, s.Gone = lift.Time.UTC(), s.UpdatedAt.UTC(), gone.Valid
	if err := json.Unmarshal([]byte(contact), &s.Contact); err != nil {
		return nil, err
	}
	return &s, json.Unmarshal([]byte(files), &s.Files)
}

// publicWhere limits newsroom_releases n to what anyone may see now.
const publicWhere = `n.workspace_id = ? AND n.visibility = 'public' AND n.copied_at IS NOT NULL AND n.gone_at IS NULL AND n.lift_at <= ?`

// storyByID returns a release's copy, whatever its state: the caller decides who may see it.
func storyByID(ctx context.Context, c db.Conn, wsID, releaseID int64) (*Story, error) {
	s, err := scanStory(c.QueryRow(ctx, `SELECT `+storyCols+` FROM newsroom_releases n
		WHERE n.workspace_id = ? AND n.release_id = ? AND n.copied_at IS NOT NULL`, wsID, releaseID))
	if err != nil {
		return nil, err
	}
	s.Topics, err = topicsOf(ctx, c, releaseID)
	return s, err
}

func topicsOf(ctx context.Context, c db.Conn, releaseID int64) ([]int64, error) {
	rows, err := c.Query(ctx, `SELECT topic_id FROM newsroom_release_topics WHERE release_id = ? ORDER BY topic_id`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PublicFilter narrows the public list.
type PublicFilter struct {
	Lang   string // one version per release: this language when it has one
	Topic  int64
	Year   int
	Query  string
	Offset int
	Limit  int
	// Exclude leaves one release group out (related releases).
	Exclude int64
	// Featured keeps only the featured release (any of its language versions).
	Featured bool
}

func publicStories(ctx context.Context, c db.Conn, wsID int64, f PublicFilter, now time.Time) ([]Story, int, error) {
	where := publicWhere + ` AND (n.lang = ? OR NOT EXISTS (SELECT 1 FROM newsroom_releases o WHERE o.workspace_id = n.workspace_id
		AND o.group_id = n.group_id AND o.lang = ? AND o.visibility = 'public' AND o.copied_at IS NOT NULL AND o.gone_at IS NULL AND o.lift_at <= ?))`
	args := []any{wsID, now, f.Lang, f.Lang, now}
	if f.Topic != 0 {
		where += ` AND n.release_id IN (SELECT release_id FROM newsroom_release_topics WHERE topic_id = ?)`
		args = append(args, f.Topic)
	}
	if f.Year != 0 {
		where += ` AND n.lift_at >= ? AND n.lift_at < ?`
		args = append(args, time.Date(f.Year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(f.Year+1, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	for _, w := range strings.Fields(fold(f.Query)) {
		where += ` AND n.search LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(w)+"%")
	}
	if f.Exclude != 0 {
		where += ` AND n.group_id <> ?`
		args = append(args, f.Exclude)
	}
	if f.Featured {
		where += ` AND EXISTS (SELECT 1 FROM newsroom_releases f WHERE f.workspace_id = n.workspace_id AND f.group_id = n.group_id AND f.featured)`
	}
	var total int
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM newsroom_releases n WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := c.Query(ctx, `SELECT `+storyCols+` FROM newsroom_releases n WHERE `+where+`
		ORDER BY n.lift_at DESC, n.release_id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Story
	for rows.Next() {
		s, err := scanStory(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, withTopics(ctx, c, out)
}

// withTopics fills the stories' topics in one query.
func withTopics(ctx context.Context, c db.Conn, stories []Story) error {
	if len(stories) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]string, len(stories))
	for i, s := range stories {
		at[s.ReleaseID] = i
		ids[i] = strconv.FormatInt(s.ReleaseID, 10)
	}
	rows, err := c.Query(ctx, `SELECT release_id, topic_id FROM newsroom_release_topics WHERE release_id IN (`+strings.Join(ids, ",")+`) ORDER BY topic_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r, t int64
		if err := rows.Scan(&r, &t); err != nil {
			return err
		}
		stories[at[r]].Topics = append(stories[at[r]].Topics, t)
	}
	return rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// publicYears are the years that have public releases, newest first.
func publicYears(ctx context.Context, c db.Conn, wsID int64, now time.Time) ([]int, error) {
	var first, last time.Time
	q := `SELECT n.lift_at FROM newsroom_releases n WHERE ` + publicWhere + ` ORDER BY n.lift_at `
	if err := c.QueryRow(ctx, q+`LIMIT 1`, wsID, now).Scan(&first); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if err := c.QueryRow(ctx, q+`DESC LIMIT 1`, wsID, now).Scan(&last); err != nil {
		return nil, err
	}
	var out []int
	for y := last.Year(); y >= first.Year(); y-- {
		out = append(out, y)
	}
	return out, nil
}

// siblings are the other language versions of a group that a visitor may open: public ones that
// have lifted, and unlisted ones when the visitor came with the group's secret link.
func siblings(ctx context.Context, c db.Conn, wsID, groupID, releaseID int64, now time.Time) ([]Story, error) {
	rows, err := c.Query(ctx, `SELECT `+storyCols+` FROM newsroom_releases n WHERE n.workspace_id = ? AND n.group_id = ? AND n.release_id <> ?
		AND n.copied_at IS NOT NULL AND n.gone_at IS NULL AND n.lift_at <= ? AND n.visibility <> 'hidden' ORDER BY n.release_id`, wsID, groupID, releaseID, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Story
	for rows.Next() {
		s, err := scanStory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

// fileIsPublic reports whether a public, lifted copy shows the asset, or an unlisted one whose
// secret key the visitor holds.
func fileIsPublic(ctx context.Context, c db.Conn, wsID, assetID int64, key string, now time.Time) (bool, error) {
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM newsroom_release_files f JOIN newsroom_releases n ON n.release_id = f.release_id
		WHERE f.asset_id = ? AND n.workspace_id = ? AND n.copied_at IS NOT NULL AND n.gone_at IS NULL AND n.lift_at <= ?
		AND (n.visibility = 'public' OR n.visibility = 'unlisted' AND ? <> '' AND n.secret = ?)`,
		assetID, wsID, now, key, key).Scan(&n)
	return n > 0, err
}

// placementRow is the newsroom's row for a release, as sync reads it.
type placementRow struct {
	exists   bool
	copiedAt sql.NullTime
	liftAt   sql.NullTime
	goneAt   sql.NullTime
}

func placementOf(ctx context.Context, c db.Conn, releaseID int64) (placementRow, error) {
	var p placementRow
	err := c.QueryRow(ctx, `SELECT copied_at, lift_at, gone_at FROM newsroom_releases WHERE release_id = ?`, releaseID).
		Scan(&p.copiedAt, &p.liftAt, &p.goneAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	p.exists = err == nil
	return p, err
}

// nullTime scans a nullable timestamp.
type nullTime struct{ sql.NullTime }

func (n nullTime) ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

// Notices.

const noticeCols = `n.id, n.kind, n.incident, n.incident_key, n.state, n.lang, n.title, n.body, n.contact_name, n.contact_phone,
	n.contact_email, n.published_at, n.withdrawn_at`

func scanNotice(row interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	var withdrawn nullTime
	err := row.Scan(&n.ID, &n.Kind, &n.Incident, &n.IncidentKey, &n.State, &n.Lang, &n.Title, &n.Body, &n.ContactName, &n.ContactPhone,
		&n.ContactEmail, &n.PublishedAt, &withdrawn)
	if errors.Is(err, sql.ErrNoRows) {
		return n, db.ErrNotFound
	}
	n.PublishedAt, n.WithdrawnAt = n.PublishedAt.UTC(), withdrawn.ptr()
	return n, err
}

func scanNotices(rows *sql.Rows, err error) ([]Notice, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func insertNotice(ctx context.Context, tx *db.Tx, wsID int64, n *Notice) error {
	return tx.QueryRow(ctx, `INSERT INTO newsroom_notices (workspace_id, kind, incident, incident_key, state, lang, title, body,
		contact_name, contact_phone, contact_email, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		wsID, string(n.Kind), n.Incident, n.IncidentKey, string(n.State), n.Lang, n.Title, n.Body, n.ContactName, n.ContactPhone,
		n.ContactEmail, n.PublishedAt).Scan(&n.ID)
}

func noticeByID(ctx context.Context, c db.Conn, wsID, id int64) (Notice, error) {
	return scanNotice(c.QueryRow(ctx, `SELECT `+noticeCols+` FROM newsroom_notices n WHERE n.workspace_id = ? AND n.id = ?`, wsID, id))
}

// listNotices returns the workspace's notices, withdrawn ones too, newest first; key "" is all.
func listNotices(ctx context.Context, c db.Conn, wsID int64, key string) ([]Notice, error) {
	where, args := `n.workspace_id = ?`, []any{wsID}
	if key != "" {
		where += ` AND n.incident_key = ?`
		args = append(args, key)
	}
	return scanNotices(c.Query(ctx, `SELECT `+noticeCols+` FROM newsroom_notices n WHERE `+where+` ORDER BY n.published_at DESC, n.id DESC`, args...))
}

// publicStatements are the statements on the public newsroom published after since, newest first.
func publicStatements(ctx context.Context, c db.Conn, wsID int64, since time.Time, limit int) ([]Notice, error) {
	return scanNotices(c.Query(ctx, `SELECT `+noticeCols+` FROM newsroom_notices n WHERE n.workspace_id = ? AND n.kind = 'statement'
		AND n.withdrawn_at IS NULL AND n.published_at > ? ORDER BY n.published_at DESC, n.id DESC LIMIT ?`, wsID, since, limit))
}

// latestUpdate limits newsroom_notices n to each incident's latest public status update, the one
// that says where the incident stands.
const latestUpdate = `n.workspace_id = ? AND n.kind = 'status' AND n.withdrawn_at IS NULL AND NOT EXISTS (SELECT 1 FROM newsroom_notices m
	WHERE m.workspace_id = n.workspace_id AND m.kind = 'status' AND m.incident_key = n.incident_key AND m.withdrawn_at IS NULL
	AND (m.published_at > n.published_at OR m.published_at = n.published_at AND m.id > n.id))`

// incidentsOf are the incidents the public sees: those not resolved, and those resolved after
// since; the ones not resolved first, then the latest updated. Their updates are not filled.
func incidentsOf(ctx context.Context, c db.Conn, wsID int64, since time.Time) ([]incident, error) {
	latest, err := scanNotices(c.Query(ctx, `SELECT `+noticeCols+` FROM newsroom_notices n WHERE `+latestUpdate+`
		AND (n.state <> 'resolved' OR n.published_at > ?) ORDER BY n.state = 'resolved', n.published_at DESC, n.id DESC LIMIT 100`, wsID, since))
	if err != nil {
		return nil, err
	}
	out := make([]incident, len(latest))
	for i, n := range latest {
		out[i] = incident{Key: n.IncidentKey, Name: n.Incident, Lang: n.Lang, State: n.State, Updated: n.PublishedAt}
	}
	return out, nil
}

// withUpdates fills the incidents' public updates, newest first.
func withUpdates(ctx context.Context, c db.Conn, wsID int64, incidents []incident) error {
	if len(incidents) == 0 {
		return nil
	}
	at := map[string]int{}
	args := []any{wsID}
	for i, in := range incidents {
		at[in.Key] = i
		args = append(args, in.Key)
	}
	list, err := scanNotices(c.Query(ctx, `SELECT `+noticeCols+` FROM newsroom_notices n WHERE n.workspace_id = ? AND n.kind = 'status'
		AND n.withdrawn_at IS NULL AND n.incident_key IN (?`+strings.Repeat(", ?", len(incidents)-1)+`) ORDER BY n.published_at DESC, n.id DESC`, args...))
	for _, n := range list {
		incidents[at[n.IncidentKey]].Updates = append(incidents[at[n.IncidentKey]].Updates, n)
	}
	return err
}

// nextNoticeChange is the next time a notice leaves a public list by its age alone (a statement
// the home page, a resolved incident the status page), zero when none will.
func nextNoticeChange(ctx context.Context, c db.Conn, wsID int64, now time.Time) (time.Time, error) {
	var next time.Time
	for _, q := range []struct {
		sql  string
		keep time.Duration
	}{
		{`SELECT n.published_at FROM newsroom_notices n WHERE n.workspace_id = ? AND n.kind = 'statement' AND n.withdrawn_at IS NULL
			AND n.published_at > ? ORDER BY n.published_at LIMIT 1`, statementsRecent},
		{`SELECT n.published_at FROM newsroom_notices n WHERE ` + latestUpdate + ` AND n.state = 'resolved' AND n.published_at > ?
			ORDER BY n.published_at LIMIT 1`, resolvedKept},
	} {
		var t time.Time
		err := c.QueryRow(ctx, q.sql, wsID, now.Add(-q.keep)).Scan(&t)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return time.Time{}, err
		}
		if at := t.UTC().Add(q.keep); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next, nil
}
