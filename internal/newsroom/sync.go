package newsroom

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"html"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/content"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/release"
)

// syncArgs is the periodic job that follows releases into the newsroom and emails newly
// public ones to the subscribers.
type syncArgs struct{}

func (syncArgs) Kind() string { return "newsroom_sync" }

type syncWorker struct {
	river.WorkerDefaults[syncArgs]
	s *Service
}

func (w *syncWorker) Work(ctx context.Context, _ *river.Job[syncArgs]) error {
	// Mailing does not wait for the copying: what is public already is mailed either way.
	return errors.Join(w.s.SyncChanged(ctx), w.s.MailLifted(ctx))
}

// SyncEvery is how often the newsroom looks for approved releases and for lifts to email. A
// release page does not wait for it: a copy waits in the newsroom for its lift.
const SyncEvery = 5 * time.Second

// RegisterJobs adds the sync job. Call it before the queue is first used.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register(q, &syncWorker{s: s})
	q.Periodic(SyncEvery, syncArgs{})
}

// syncOverlap is how long a change stays in view after it was stamped: one stamped before the
// cursor but committed after it (a slow transaction, another process) is still seen. Sync does
// nothing for a release whose copy is already of that version.
const syncOverlap = time.Minute

// SyncChanged copies every release changed since the last pass. A release that cannot be copied
// is logged and left for the next pass; it does not hold up the others.
func (s *Service) SyncChanged(ctx context.Context) error {
	var cursor time.Time
	err := s.d.QueryRow(ctx, `SELECT cursor FROM newsroom_sync WHERE id = 1`).Scan(&cursor)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// Changes of the last minute are looked at again (one committed late would be missed), but
	// once the cursor is older than that, nothing before it can still arrive.
	since := cursor
	if recent := s.now().UTC().Add(-syncOverlap); recent.Before(cursor) {
		since = recent
	}
	var after release.Change
	var failed error
	for {
		changes, err := s.releases.ChangedSince(ctx, since, after, 200)
		if err != nil {
			return err
		}
		for _, ch := range changes {
			if err := s.Sync(ctx, ch.WorkspaceID, ch.ID); err != nil {
				if ctx.Err() != nil {
					return err
				}
				s.log.Error("newsroom: a release could not be copied", "workspace", ch.WorkspaceID, "release", ch.ID, "err", err)
				failed = err
			}
			if ch.At.After(cursor) {
				cursor = ch.At
			}
		}
		if len(changes) < 200 {
			break
		}
		after = changes[len(changes)-1]
	}
	if _, err := s.d.Exec(ctx, `INSERT INTO newsroom_sync (id, cursor) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor`, cursor); err != nil {
		return err
	}
	return failed
}

// Sync brings one release's newsroom copy up to date: a release that is ready (approved where
// approval is required, submitted where it is not) is copied as it is now; one waiting for approval after an edit keeps its
// last approved copy, but never an earlier lift than its embargo now says; an archived or deleted
// release is withdrawn.
func (s *Service) Sync(ctx context.Context, wsID, releaseID int64) error {
	now := s.now().UTC()
	r, err := s.releases.Get(ctx, wsID, releaseID)
	if errors.Is(err, db.ErrNotFound) {
		return s.withdraw(ctx, wsID, releaseID, now)
	}
	if err != nil {
		return err
	}
	if r.Status == content.Archived {
		return s.withdraw(ctx, wsID, releaseID, now)
	}
	row, err := placementOf(ctx, s.d, releaseID)
	if err != nil {
		return err
	}
	group := releaseID
	for _, id := range r.Versions {
		group = min(group, id)
	}
	// Ready: approved where approval is required; submitted (no longer a draft) where it is not,
	// so a release being written never shows.
	if s.releases.SendableRelease(ctx, r) != nil || r.Status == content.Draft {
		// Not approved now: keep the last approved copy, but move its lift later when the
		// embargo moved later, so an edit that postponed the embargo is never broken by the copy.
		if row.copiedAt.Valid && row.liftAt.Valid && row.liftAt.Time.After(now) && r.Embargo != nil && r.Embargo.After(row.liftAt.Time) {
			return s.d.Tx(ctx, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, `UPDATE newsroom_releases SET lift_at = ? WHERE release_id = ?`, r.Embargo.UTC(), releaseID); err != nil {
					return err
				}
				return s.Touch(ctx, tx, wsID)
			})
		}
		if !row.exists {
			return s.d.Tx(ctx, func(tx *db.Tx) error { return insertPlacement(ctx, tx, wsID, releaseID, group, now) })
		}
		return nil
	}
	if row.copiedAt.Valid && row.copiedAt.Time.Equal(r.UpdatedAt) && !row.goneAt.Valid {
		return nil // this very version is copied already
	}
	c, err := s.copyOf(ctx, r)
	if err != nil {
		return err
	}
	// The lift: the embargo; without one, when the release was first copied (it went public then).
	lift := now
	if r.Embargo != nil {
		lift = r.Embargo.UTC()
	} else if row.liftAt.Valid && !row.liftAt.Time.After(now) {
		lift = row.liftAt.Time.UTC()
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if !row.exists {
			if err := insertPlacement(ctx, tx, wsID, releaseID, group, now); err != nil {
				return err
			}
		}
		contact, _ := json.Marshal(c.Contact)
		files, _ := json.Marshal(c.Files)
		if _, err := tx.Exec(ctx, `UPDATE newsroom_releases SET group_id = ?, copied_at = ?, lang = ?, number = ?, headline = ?, subheadline = ?,
			dateline = ?, body_html = ?, lead = ?, boilerplate_html = ?, contact = ?, files = ?, search = ?, lift_at = ?, gone_at = NULL, updated_at = ?
			WHERE release_id = ?`, group, r.UpdatedAt, c.Lang, c.Number, c.Headline, c.Subheadline, c.Dateline, c.BodyHTML, c.Lead,
			c.BoilerplateHTML, string(contact), string(files), fold(c.Headline+" "+c.Subheadline+" "+c.Lead+" "+r.Body), lift, now, releaseID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM newsroom_release_files WHERE release_id = ?`, releaseID); err != nil {
			return err
		}
		for _, f := range c.Files {
			if _, err := tx.Exec(ctx, `INSERT INTO newsroom_release_files (release_id, asset_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, releaseID, f.AssetID); err != nil {
				return err
			}
		}
		return s.Touch(ctx, tx, wsID)
	})
}

func insertPlacement(ctx context.Context, tx *db.Tx, wsID, releaseID, group int64, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO newsroom_releases (release_id, workspace_id, group_id, secret, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (release_id) DO NOTHING`, releaseID, wsID, group, newSecret(), now)
	return err
}

func (s *Service) withdraw(ctx context.Context, wsID, releaseID int64, now time.Time) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE newsroom_releases SET gone_at = ? WHERE workspace_id = ? AND release_id = ? AND gone_at IS NULL`, now, wsID, releaseID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.Touch(ctx, tx, wsID)
	})
}

// copyOf writes a release out as the newsroom shows it: Markdown rendered and sanitised, the
// files described from the media library.
func (s *Service) copyOf(ctx context.Context, r *release.Release) (*Story, error) {
	c := &Story{ReleaseID: r.ID, Lang: r.Lang, Number: r.Number, Headline: r.Headline, Subheadline: r.Subheadline,
		Dateline: s.releases.Dateline(r), BodyHTML: string(content.Render(r.Body)), Lead: lead(r.Body, 240),
		Contact: Contact{Name: r.ContactName, Role: r.ContactRole, Phone: r.ContactPhone}, Files: []File{}}
	if strings.TrimSpace(r.Boilerplate) != "" {
		c.BoilerplateHTML = string(content.Render(r.Boilerplate))
	}
	if email := strings.TrimSpace(r.ContactEmail); email != "" && web.ValidEmail(email) {
		c.Contact.Email = email
	}
	if s.media != nil && len(r.Attachments) > 0 {
		assets, err := s.media.GetMany(ctx, r.WorkspaceID, r.Attachments)
		if err != nil {
			return nil, err
		}
		for _, a := range assets {
			c.Files = append(c.Files, fileOf(a))
		}
	}
	return c, nil
}

func fileOf(a medialib.Asset) File {
	return File{AssetID: a.ID, Name: a.Filename, Kind: string(a.Kind), ContentType: a.ContentType, Size: a.Size,
		Width: a.Width, Height: a.Height, Alt: a.Alt, Credit: a.Credit, Licence: a.Licence}
}

// lead is the first words of the body as plain text, for lists, feeds and link previews.
func lead(md string, max int) string {
	text := htmlText(string(content.Render(md)))
	if len([]rune(text)) <= max {
		return text
	}
	cut := string([]rune(text)[:max])
	if i := strings.LastIndex(cut, " "); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// htmlText is the text of sanitised HTML, tags dropped and white space collapsed.
func htmlText(h string) string {
	var b strings.Builder
	in := false
	for _, r := range h {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// MailLifted emails each newly public release to the subscribers, once: the mailing row and the
// distribution are written in one transaction, and the row's key forbids a second. A release that
// went public more than a week ago is old news and is not mailed (this also keeps a newsroom
// switched on for the first time from mailing its whole past).
func (s *Service) MailLifted(ctx context.Context) error {
	if s.mailer == nil {
		return nil
	}
	now := s.now().UTC()
	rows, err := s.d.Query(ctx, `SELECT n.workspace_id, n.group_id, MIN(n.release_id) FROM newsroom_releases n
		JOIN newsroom_settings st ON st.workspace_id = n.workspace_id AND st.enabled
		WHERE n.visibility = 'public' AND n.copied_at IS NOT NULL AND n.gone_at IS NULL AND n.lift_at <= ? AND n.lift_at > ?
		AND NOT EXISTS (SELECT 1 FROM newsroom_mailings m WHERE m.workspace_id = n.workspace_id AND m.group_id = n.group_id)
		GROUP BY n.workspace_id, n.group_id LIMIT 100`, now, now.Add(-7*24*time.Hour))
	if err != nil {
		return err
	}
	type due struct{ ws, group, release int64 }
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.ws, &d.group, &d.release); err != nil {
			rows.Close()
			return err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range list {
		st, err := storyByID(ctx, s.d, d.ws, d.release)
		if err != nil {
			return err
		}
		err = s.d.Tx(ctx, func(tx *db.Tx) error {
			res, err := tx.Exec(ctx, `INSERT INTO newsroom_mailings (workspace_id, group_id, distribution_id, mailed_at) VALUES (?, ?, 0, ?)
				ON CONFLICT (workspace_id, group_id) DO NOTHING`, d.ws, d.group, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another process mailed it
			}
			id, err := s.mailer.SendToSubscribers(ctx, tx, d.ws, d.release, st.Headline, st.Topics)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE newsroom_mailings SET distribution_id = ? WHERE workspace_id = ? AND group_id = ?`, id, d.ws, d.group)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
