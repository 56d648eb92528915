package monitor

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/platform/db"
)

// Releases are the releases that were distributed, for finding their coverage.
type Releases interface {
	// SentReleases lists the workspace's releases with a distribution sent since the time given.
	SentReleases(ctx context.Context, wsID int64, since time.Time) ([]SentRelease, error)
}

// SentRelease is a distributed release as coverage needs it.
type SentRelease struct {
	ID           int64
	Headline     string
	Subheadline  string
	Lang         string
	CampaignID   int64
	CampaignName string
	SentAt       time.Time
}

// Press is media relations as coverage uses it: who received a release, and their timelines.
type Press interface {
	Recipients(ctx context.Context, wsID, releaseID int64) ([]Contact, error)
	// RecordCoverage puts a story on a journalist's timeline: link is a page in the workspace,
	// storyURL where the story is published.
	RecordCoverage(ctx context.Context, tx *db.Tx, wsID, contactID int64, title, link, storyURL string, at time.Time, by int64) error
}

// Contact is a journalist who received a release.
type Contact struct {
	ID     int64
	Name   string
	Outlet string
}

// Coverage states.
const (
	Suggested = "suggested"
	Confirmed = "confirmed"
	Dismissed = "dismissed"
)

// Coverage is an item that covers a release.
type Coverage struct {
	ID        int64
	ReleaseID int64
	State     string
	Score     float64
	ContactID int64
	Item      Item
	// Release is filled where the page needs its headline and campaign.
	Release *SentRelease
}

const (
	// coverageWindow is how long after sending an item may still be suggested as coverage.
	coverageWindow = 30 * 24 * time.Hour
	// coverageScore is the share of a release's words an item must carry to be suggested.
	coverageScore = 0.6
)

// releaseWords are the stems of a release's headline and subheadline that say what it is about:
// words of four letters or more that are not function words.
func releaseWords(r SentRelease) map[string]bool {
	out := map[string]bool{}
	for _, t := range query.Tokenize(r.Headline + " " + r.Subheadline) {
		if len(t.Text) < 4 || stopwords[t.Text] {
			continue
		}
		out[stem(t.Text, r.Lang)] = true
	}
	return out
}

func stem(w, lang string) string {
	if lang == "en" {
		return query.StemEnglish(w)
	}
	return query.StemIndonesian(w)
}

// stopwords are frequent words that say nothing of a story, in both languages.
var stopwords = map[string]bool{}

func init() {
	for _, w := range []string{"yang", "dengan", "untuk", "dalam", "pada", "kepada", "akan", "tidak", "dari", "oleh", "bagi", "atau",
		"juga", "para", "saat", "sejak", "hingga", "sampai", "lebih", "kini", "baru", "bisa", "dapat", "telah", "sudah", "masih",
		"this", "that", "with", "from", "their", "have", "will", "into", "more", "than", "about", "after", "over", "every", "what"} {
		stopwords[w] = true
	}
}

// coverageScoreOf is the share of a release's words the item's text carries.
func coverageScoreOf(words map[string]bool, lang string, text string) float64 {
	if len(words) == 0 {
		return 0
	}
	found := map[string]bool{}
	for _, t := range query.Tokenize(text) {
		if len(t.Text) < 4 {
			continue
		}
		if st := stem(t.Text, lang); words[st] {
			found[st] = true
		}
	}
	return float64(len(found)) / float64(len(words))
}

// SuggestCoverage looks at the items read since its last pass and suggests those that carry
// enough of a recently distributed release's words as its coverage.
func (s *Service) SuggestCoverage(ctx context.Context) error {
	if s.Releases == nil {
		return nil
	}
	rows, err := s.DB.Query(ctx, `SELECT w.id, COALESCE(c.item_id, 0) FROM workspaces w
		LEFT JOIN monitor_coverage_cursor c ON c.workspace_id = w.id ORDER BY w.id`)
	if err != nil {
		return err
	}
	// seen is how far a workspace's items have been looked at.
	type seen struct{ ws, at int64 }
	var work []seen
	for rows.Next() {
		var t seen
		if err := rows.Scan(&t.ws, &t.at); err != nil {
			rows.Close()
			return err
		}
		work = append(work, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var failed error
	for _, t := range work {
		var last int64
		// The (workspace_id, id) key answers this from the index, without reading the items.
		if err := s.DB.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM monitor_items WHERE workspace_id = ?`, t.ws).Scan(&last); err != nil {
			return err
		}
		if last <= t.at {
			continue
		}
		if err := s.suggestIn(ctx, t.ws, t.at, last); err != nil {
			if ctx.Err() != nil {
				return err
			}
			s.Log.Error("monitor: suggesting coverage", "workspace", t.ws, "err", err)
			failed = err
		}
	}
	return failed
}

func (s *Service) suggestIn(ctx context.Context, wsID, after, upto int64) error {
	now := s.now().UTC()
	releases, err := s.Releases.SentReleases(ctx, wsID, now.Add(-coverageWindow))
	if err != nil {
		return err
	}
	type cand struct {
		release int64
		item    int64
		score   float64
	}
	var found []cand
	if len(releases) > 0 {
		words := make([]map[string]bool, len(releases))
		for i, r := range releases {
			words[i] = releaseWords(r)
		}
		rows, err := s.DB.Query(ctx, `SELECT `+itemCols+` FROM monitor_items i WHERE i.workspace_id = ? AND i.id > ? AND i.id <= ?`, wsID, after, upto)
		if err != nil {
			return err
		}
		items, err := scanItems(rows)
		if err != nil {
			return err
		}
		for _, it := range items {
			text := it.Text()
			for i, r := range releases {
				if it.PublishedAt.Before(r.SentAt.Add(-24 * time.Hour)) {
					continue
				}
				if sc := coverageScoreOf(words[i], r.Lang, text); sc >= coverageScore {
					found = append(found, cand{r.ID, it.ID, sc})
				}
			}
		}
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		for _, c := range found {
			if _, err := tx.Exec(ctx, `INSERT INTO monitor_coverage (workspace_id, release_id, item_id, score, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (release_id, item_id) DO NOTHING`, wsID, c.release, c.item, c.score, now); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO monitor_coverage_cursor (workspace_id, item_id) VALUES (?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET item_id = excluded.item_id`, wsID, upto)
		return err
	})
}

const coverageCols = `c.id, c.release_id, c.state, c.score, c.contact_id, ` + itemCols

func (s *Service) coverageList(ctx context.Context, where string, args ...any) ([]Coverage, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+coverageCols+` FROM monitor_coverage c JOIN monitor_items i ON i.id = c.item_id WHERE `+where+`
		ORDER BY i.published_at DESC, c.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Coverage
	for rows.Next() {
		var c Coverage
		var contact sql.NullInt64
		var it Item
		if err := scanItemAfter(rows, &it, &c.ID, &c.ReleaseID, &c.State, &c.Score, &contact); err != nil {
			return nil, err
		}
		c.ContactID, c.Item = contact.Int64, it
		out = append(out, c)
	}
	return out, rows.Err()
}

// scanItemAfter scans columns that come before an item's.
func scanItemAfter(rows *sql.Rows, it *Item, before ...any) error {
	var source, outlet, asset, dup, by sql.NullInt64
	err := rows.Scan(append(before, &it.ID, &it.WorkspaceID, &source, &it.URL, &it.Canonical, &it.Title, &it.Author, &it.Summary, &it.Body,
		&it.Lang, &outlet, &it.OutletName, &it.OutletType, &it.Region, &it.Reach, &it.Medium, &it.Placement, &asset, &it.PublishedAt,
		&it.FetchedAt, &dup, &it.Sentiment, &it.SentimentAuto, &by)...)
	it.SourceID, it.OutletID, it.AssetID, it.DuplicateOf, it.SentimentBy = source.Int64, outlet.Int64, asset.Int64, dup.Int64, by.Int64
	return err
}

// CoverageOf lists a release's coverage, suggested and confirmed (dismissed ones too when all).
func (s *Service) CoverageOf(ctx context.Context, wsID, releaseID int64, all bool) ([]Coverage, error) {
	if all {
		return s.coverageList(ctx, `c.workspace_id = ? AND c.release_id = ?`, wsID, releaseID)
	}
	return s.coverageList(ctx, `c.workspace_id = ? AND c.release_id = ? AND c.state <> 'dismissed'`, wsID, releaseID)
}

// CoverageForItem lists the releases an item is suggested for or confirmed as covering.
func (s *Service) CoverageForItem(ctx context.Context, wsID, itemID int64) ([]Coverage, error) {
	return s.coverageList(ctx, `c.workspace_id = ? AND c.item_id = ? AND c.state <> 'dismissed'`, wsID, itemID)
}

// PendingCoverage lists the suggestions waiting for a decision.
func (s *Service) PendingCoverage(ctx context.Context, wsID int64) ([]Coverage, error) {
	return s.coverageList(ctx, `c.workspace_id = ? AND c.state = 'suggested'`, wsID)
}

// ConfirmedCoverage lists every confirmed piece of coverage.
func (s *Service) ConfirmedCoverage(ctx context.Context, wsID int64) ([]Coverage, error) {
	return s.coverageList(ctx, `c.workspace_id = ? AND c.state = 'confirmed'`, wsID)
}

// Errors of confirming coverage: the release was never distributed, or the journalist named did
// not receive it.
var (
	ErrNotSent      = errors.New("monitor: the release was not distributed")
	ErrNotRecipient = errors.New("monitor: the journalist did not receive the release")
)

// ConfirmCoverage records that an item covers a release (suggested or not): the item's mentions
// become relevant, and when a journalist is named the story goes on their contact timeline.
func (s *Service) ConfirmCoverage(ctx context.Context, a audit.Actor, wsID, releaseID, itemID, contactID int64) error {
	if s.Releases == nil {
		return ErrNotSent
	}
	releases, err := s.Releases.SentReleases(ctx, wsID, time.Time{})
	if err != nil {
		return err
	}
	var rel *SentRelease
	for i := range releases {
		if releases[i].ID == releaseID {
			rel = &releases[i]
		}
	}
	if rel == nil {
		return ErrNotSent
	}
	it, err := s.item(ctx, wsID, itemID)
	if err != nil {
		return err
	}
	if contactID != 0 && s.Press != nil {
		recipients, err := s.Press.Recipients(ctx, wsID, releaseID)
		if err != nil {
			return err
		}
		ok := false
		for _, c := range recipients {
			ok = ok || c.ID == contactID
		}
		if !ok {
			return ErrNotRecipient
		}
	}
	now := s.now().UTC()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO monitor_coverage (workspace_id, release_id, item_id, state, score, contact_id, decided_by, decided_at, created_at)
			VALUES (?, ?, ?, 'confirmed', 0, ?, ?, ?, ?)
			ON CONFLICT (release_id, item_id) DO UPDATE SET state = 'confirmed', contact_id = excluded.contact_id,
			decided_by = excluded.decided_by, decided_at = excluded.decided_at RETURNING id`,
			wsID, releaseID, itemID, nullID(contactID), nullID(a.UserID), now, now).Scan(&id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE monitor_mentions SET state = 'relevant', triaged_at = ?, triaged_by = ? WHERE item_id = ? AND state = 'new'`,
			now, nullID(a.UserID), itemID); err != nil {
			return err
		}
		if contactID != 0 && s.Press != nil {
			link := "/monitoring/coverage"
			var mention sql.NullInt64
			if err := tx.QueryRow(ctx, `SELECT MIN(id) FROM monitor_mentions WHERE item_id = ?`, itemID).Scan(&mention); err != nil {
				return err
			}
			if mention.Valid {
				link = "/monitoring/mentions/" + itoa(mention.Int64)
			}
			if err := s.Press.RecordCoverage(ctx, tx, wsID, contactID, it.Title, link, it.URL, it.PublishedAt, a.UserID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.coverage_confirmed", "monitor_coverage", id,
			map[string]audit.Change{"release": {To: rel.Headline}, "item": {To: it.URL}}))
	})
}

// DismissCoverage says a suggested item does not cover the release; it is not suggested again.
func (s *Service) DismissCoverage(ctx context.Context, a audit.Actor, wsID, coverageID int64) error {
	now := s.now().UTC()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE monitor_coverage SET state = 'dismissed', decided_by = ?, decided_at = ? WHERE workspace_id = ? AND id = ?`,
			nullID(a.UserID), now, wsID, coverageID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.coverage_dismissed", "monitor_coverage", coverageID, nil))
	})
}

// item returns one of the workspace's items.
func (s *Service) item(ctx context.Context, wsID, id int64) (*Item, error) {
	var it Item
	err := scanItem(s.DB.QueryRow(ctx, `SELECT `+itemCols+` FROM monitor_items i WHERE i.workspace_id = ? AND i.id = ?`, wsID, id), &it)
	if err == sql.ErrNoRows {
		return nil, db.ErrNotFound
	}
	return &it, err
}

// Percent is the share of the release's words the item carries, in whole percent.
func (c Coverage) Percent() int { return int(c.Score*100 + 0.5) }
