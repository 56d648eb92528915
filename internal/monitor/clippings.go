package monitor

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/monitor/dedupe"
	"warta.dev/warta/internal/monitor/sentiment"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Clipping media: coverage no feed sees.
const (
	MediumPrint  = "print"
	MediumTV     = "tv"
	MediumRadio  = "radio"
	MediumPortal = "portal" // a closed or paid portal
)

// ClippingMedia in the order the form offers them.
var ClippingMedia = []string{MediumPrint, MediumTV, MediumRadio, MediumPortal}

// clippingOutletType is the outlet type a clipping's medium counts as in the analysis, the same
// values media relations gives outlets.
var clippingOutletType = map[string]string{MediumPrint: "print", MediumTV: "tv", MediumRadio: "radio", MediumPortal: "online"}

// MaxClippingFile is the largest file a clipping may carry (a scan, a photo, a short recording).
const MaxClippingFile = 100 << 20

// Limits of a clipping's fields, in characters.
const (
	maxOutlet    = 200
	maxTitle     = 1000
	maxAuthor    = 300
	maxPlacement = 100
	maxRegion    = 100
)

// ClippingInput is a clipping as a person enters it. Date (YYYY-MM-DD) and Time (HH:MM, optional)
// are in Zone. URL is required unless File is given; File is read to its end and kept in the media
// library under FileName. Reach below zero is refused (the form sets -1 for what is not a number).
type ClippingInput struct {
	Medium    string
	Outlet    string
	Title     string
	Author    string
	Text      string
	Placement string
	Region    string
	Reach     int64
	Date      string
	Time      string
	Zone      *time.Location
	URL       string
	File      io.Reader
	FileName  string
}

// Clipping is a hand-entered item with what it became: the mentions of the topics it matched.
type Clipping struct {
	Item Item
	// MentionID is its first mention, for a link to it; 0 when it matched no topic.
	MentionID  int64
	MentionIDs []int64
}

// ClippingFilter narrows the clipping list.
type ClippingFilter struct {
	Medium string
	Query  string
	Limit  int
	Offset int
	// After lists by id from after it, oldest first (the API's cursor), instead of by date.
	After int64
	ByID  bool
}

// parseClock reads a time of day as people write it: "19:30" or "19.30".
func parseClock(s string) (hour, minute int, ok bool) {
	t, err := time.Parse("15:04", strings.Replace(strings.TrimSpace(s), ".", ":", 1))
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// checkClipping validates a clipping and returns when it was published.
func (s *Service) checkClipping(in *ClippingInput) (time.Time, error) {
	f := web.NewForm(nil)
	in.Medium, in.Outlet, in.Title = strings.TrimSpace(in.Medium), strings.TrimSpace(in.Outlet), strings.TrimSpace(in.Title)
	in.Author, in.Placement, in.Region = strings.TrimSpace(in.Author), strings.TrimSpace(in.Placement), strings.TrimSpace(in.Region)
	in.Text, in.URL = strings.TrimSpace(in.Text), strings.TrimSpace(in.URL)
	if !slices.Contains(ClippingMedia, in.Medium) {
		f.Fail("medium", "monitor.clipping.error.medium")
	}
	for _, c := range []struct {
		name, v  string
		max      int
		required bool
	}{{"outlet", in.Outlet, maxOutlet, true}, {"title", in.Title, maxTitle, true}, {"author", in.Author, maxAuthor, false},
		{"placement", in.Placement, maxPlacement, false}, {"region", in.Region, maxRegion, false}, {"text", in.Text, maxBody, false}} {
		switch {
		case c.required && c.v == "":
			f.Fail(c.name, "form.required")
		case utf8.RuneCountInString(c.v) > c.max:
			f.Fail(c.name, "form.too_long")
		}
	}
	if in.Reach < 0 {
		f.Fail("reach", "monitor.clipping.error.reach")
	}
	zone := in.Zone
	if zone == nil {
		zone = time.UTC
	}
	var at time.Time
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.Date), zone)
	switch {
	case strings.TrimSpace(in.Date) == "":
		f.Fail("date", "form.required")
	case err != nil:
		f.Fail("date", "monitor.clipping.error.date")
	default:
		at = day
		if in.Time != "" {
			h, m, ok := parseClock(in.Time)
			if !ok {
				f.Fail("time", "monitor.clipping.error.time")
			}
			at = time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, zone)
		}
		switch {
		case day.After(s.now()):
			f.Fail("date", "monitor.clipping.error.future")
		case at.After(s.now()):
			f.Fail("time", "monitor.clipping.error.future")
		}
	}
	if in.URL != "" {
		u, err := url.Parse(in.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			f.Fail("url", "monitor.source.error.url")
		}
	} else if in.File == nil {
		f.Fail("url", "monitor.clipping.error.link_or_file")
	}
	if in.File != nil && s.Files == nil {
		f.Fail("file", "monitor.clipping.error.no_library")
	}
	if !f.Valid() {
		return time.Time{}, web.Invalid(f)
	}
	return at.UTC(), nil
}

// CreateClipping stores coverage entered by hand: its file goes to the media library, its
// sentiment is computed like a polled item's, and it becomes a mention of every topic whose query
// it matches, so it shows in the inbox and the analysis. It is never taken for a copy of another
// story: a print or broadcast appearance counts on its own. Without a link it gets an internal
// address ("clipping:…") that keeps it unique; its URL stays empty. A refused file comes back as
// a field error on "file" with the media library's message.
func (s *Service) CreateClipping(ctx context.Context, a audit.Actor, wsID int64, in ClippingInput) (*Clipping, error) {
	published, err := s.checkClipping(&in)
	if err != nil {
		return nil, err
	}
	canonical := "clipping:" + rand.Text()
	if in.URL != "" {
		canonical = dedupe.Canonical(in.URL)
		var n int
		if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM monitor_items WHERE workspace_id = ? AND canonical = ?`, wsID, canonical).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, clippingError("url", "monitor.clipping.error.exists")
		}
	}
	matcher, err := s.matcherFor(ctx, wsID)
	if err != nil {
		return nil, err
	}
	it := Item{WorkspaceID: wsID, URL: in.URL, Canonical: canonical, Title: in.Title, Author: in.Author, Body: in.Text,
		OutletName: in.Outlet, OutletType: clippingOutletType[in.Medium], Region: in.Region, Reach: in.Reach, Medium: in.Medium,
		Placement: in.Placement, PublishedAt: published}
	text := it.Text()
	it.Lang = sentiment.Detect(text)
	tone := sentiment.Analyze(text, it.Lang)
	matches := matcher.Match(text)
	if in.File != nil {
		// The file is kept first: a refused one (wrong type, too large) stops here with nothing saved.
		if it.AssetID, err = s.Files.Upload(ctx, a, wsID, in.FileName, &capped{r: in.File, left: MaxClippingFile}); err != nil {
			var we *web.Error
			switch {
			case errors.Is(err, ErrClippingFileTooLarge):
				return nil, clippingError("file", "monitor.clipping.error.file_too_large")
			case errors.As(err, &we) && we.Status < 500:
				return nil, clippingError("file", we.Key)
			}
			return nil, err
		}
	}
	now := s.now().UTC()
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := lockWorkspace(ctx, tx, wsID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO monitor_items (workspace_id, source_id, url, canonical, title, author, summary, body, lang,
			outlet_name, outlet_type, region, reach, medium, placement, asset_id, published_at, fetched_at, sentiment, sentiment_auto,
			sentiment_score, created_by) VALUES (?, NULL, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, canonical) DO NOTHING RETURNING id`,
			wsID, it.URL, it.Canonical, it.Title, it.Author, it.Body, it.Lang, it.OutletName, it.OutletType, it.Region, it.Reach, it.Medium,
			it.Placement, nullID(it.AssetID), it.PublishedAt, now, string(tone.Label), string(tone.Label), tone.Score, nullID(a.UserID)).Scan(&it.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return clippingError("url", "monitor.clipping.error.exists") // entered a moment ago by someone else
		}
		if err != nil {
			return err
		}
		for _, m := range matches {
			if _, err := tx.Exec(ctx, `INSERT INTO monitor_mentions (workspace_id, topic_id, item_id, created_at) VALUES (?, ?, ?, ?)`,
				wsID, m.Topic, it.ID, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.clipping_added", "monitor_item", it.ID, map[string]audit.Change{
			"outlet": {To: it.OutletName}, "title": {To: it.Title}, "medium": {To: it.Medium}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Clipping(ctx, wsID, it.ID)
}

// ErrClippingFileTooLarge is a clipping's file beyond MaxClippingFile.
var ErrClippingFileTooLarge = errors.New("monitor: the clipping's file is too large")

// capped reads at most left bytes and fails with ErrClippingFileTooLarge past them, so a file
// too large is refused rather than kept cut short.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, ErrClippingFileTooLarge
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, ErrClippingFileTooLarge
	}
	return n, err
}

func clippingError(field, key string) error {
	f := web.NewForm(nil)
	f.Fail(field, key)
	return web.Invalid(f)
}

// clippingWhere selects the workspace's clippings: items with a medium, which only people enter
// (an item whose source was deleted has no source either, but no medium).
func clippingWhere(wsID int64, f ClippingFilter) (string, []any) {
	where, args := []string{"i.workspace_id = ?", "i.medium <> ''"}, []any{wsID}
	if slices.Contains(ClippingMedia, f.Medium) {
		where, args = append(where, "i.medium = ?"), append(args, f.Medium)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.ToLower(q) + "%"
		where = append(where, "(LOWER(i.title) LIKE ? OR LOWER(i.outlet_name) LIKE ? OR LOWER(i.author) LIKE ?)")
		args = append(args, like, like, like)
	}
	return strings.Join(where, " AND "), args
}

// Clippings lists the workspace's clippings, newest first (or by id after f.After).
func (s *Service) Clippings(ctx context.Context, wsID int64, f ClippingFilter) ([]Clipping, error) {
	where, args := clippingWhere(wsID, f)
	order := "i.published_at DESC, i.id DESC"
	if f.ByID {
		where, args, order = where+" AND i.id > ?", append(args, f.After), "i.id"
	}
	rows, err := s.DB.Query(ctx, `SELECT `+itemCols+` FROM monitor_items i WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, max(f.Limit, 1), max(f.Offset, 0))...)
	if err != nil {
		return nil, err
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, err
	}
	out := make([]Clipping, len(items))
	for i := range items {
		out[i].Item = items[i]
	}
	return out, s.fillClippingMentions(ctx, out)
}

// CountClippings counts what Clippings would list without paging.
func (s *Service) CountClippings(ctx context.Context, wsID int64, f ClippingFilter) (int, error) {
	where, args := clippingWhere(wsID, f)
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM monitor_items i WHERE `+where, args...).Scan(&n)
	return n, err
}

// Clipping returns one clipping with its mentions.
func (s *Service) Clipping(ctx context.Context, wsID, itemID int64) (*Clipping, error) {
	var c Clipping
	err := scanItem(s.DB.QueryRow(ctx, `SELECT `+itemCols+` FROM monitor_items i WHERE i.workspace_id = ? AND i.id = ? AND i.medium <> ''`,
		wsID, itemID), &c.Item)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	list := []Clipping{c}
	if err := s.fillClippingMentions(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// fillClippingMentions adds the mentions (of live topics) each clipping became.
func (s *Service) fillClippingMentions(ctx context.Context, cs []Clipping) error {
	if len(cs) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := []any{cs[0].Item.WorkspaceID}
	for i, c := range cs {
		idx[c.Item.ID] = i
		args = append(args, c.Item.ID)
	}
	rows, err := s.DB.Query(ctx, `SELECT m.item_id, m.id FROM monitor_mentions m JOIN monitor_topics t ON t.id = m.topic_id
		WHERE m.workspace_id = ? AND t.archived_at IS NULL AND m.item_id IN (`+placeholders(len(cs))+`) ORDER BY m.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var item, id int64
		if err := rows.Scan(&item, &id); err != nil {
			return err
		}
		c := &cs[idx[item]]
		c.MentionIDs = append(c.MentionIDs, id)
		if c.MentionID == 0 {
			c.MentionID = id
		}
	}
	return rows.Err()
}
