package newsroom

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"warta.dev/warta/internal/audit"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Service is the newsroom of every workspace.
type Service struct {
	d           *db.DB
	releases    Releases
	media       Media
	kit         Kit
	subscribers Subscribers
	mailer      Mailer
	bundle      *i18n.Bundle
	log         *slog.Logger
	baseURL     string
	cache       *pageCache
	site        *site
	now         func() time.Time

	visitsMu sync.Mutex
	visits   map[int64]int64 // release → views not yet written
}

// Deps are what the newsroom is built from; Kit, Subscribers and Mailer may be nil in tests
// that do not need them.
type Deps struct {
	DB          *db.DB
	Releases    Releases
	Media       Media
	Kit         Kit
	Subscribers Subscribers
	Mailer      Mailer
	Bundle      *i18n.Bundle
	Log         *slog.Logger
	// BaseURL is the installation's public address; newsroom links start with it unless the
	// newsroom has a domain of its own.
	BaseURL string
}

// New builds the newsroom service.
func New(d Deps) (*Service, error) {
	s := &Service{d: d.DB, releases: d.Releases, media: d.Media, kit: d.Kit, subscribers: d.Subscribers, mailer: d.Mailer,
		bundle: d.Bundle, log: d.Log, baseURL: strings.TrimRight(d.BaseURL, "/"), now: time.Now, visits: map[int64]int64{}}
	s.cache = newPageCache(s, 4096)
	var err error
	s.site, err = newSite(s)
	return s, err
}

// Touch counts a change to what the newsroom shows, in the caller's transaction: every cached
// page of the workspace is rendered again (at once in this process, within a second in others).
// The media kit calls it.
func (s *Service) Touch(ctx context.Context, tx *db.Tx, wsID int64) error {
	tx.AfterCommit(func() { s.cache.stale(wsID) })
	return bump(ctx, tx, wsID, s.now().UTC())
}

// Settings returns the workspace's newsroom settings (the defaults when it never changed them).
func (s *Service) Settings(ctx context.Context, wsID int64) (*Settings, error) {
	return settingsOf(ctx, s.d, wsID)
}

// URL is the newsroom's public address, without a trailing slash: its own domain when it has one.
func (s *Service) URL(st *Settings) string {
	if st.Domain != "" {
		return "https://" + st.Domain
	}
	return s.baseURL + "/newsroom/" + st.Slug
}

// ReleaseURL is where the newsroom serves a release of the workspace.
func (s *Service) ReleaseURL(ctx context.Context, wsID, releaseID int64) (string, error) {
	st, err := s.Settings(ctx, wsID)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/releases/%d", s.URL(st), releaseID), nil
}

var (
	slugPattern  = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$`)
	colorPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)
	// hostPattern is a DNS name of at least two labels.
	hostPattern = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// SaveSettings checks and stores the settings. A slug or domain another newsroom uses is refused
// with the field named; nothing is stored then.
func (s *Service) SaveSettings(ctx context.Context, a audit.Actor, in *Settings) error {
	f := web.NewForm(nil)
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	in.Domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(in.Domain)), ".")
	in.Domain = strings.TrimPrefix(strings.TrimPrefix(in.Domain, "https://"), "http://")
	in.ColorPrimary = strings.ToLower(strings.TrimSpace(in.ColorPrimary))
	in.ColorAccent = strings.ToLower(strings.TrimSpace(in.ColorAccent))
	if !slugPattern.MatchString(in.Slug) {
		f.Fail("slug", "newsroom.error.slug")
	}
	if in.Domain != "" && (!hostPattern.MatchString(in.Domain) || net.ParseIP(in.Domain) != nil || in.Domain == s.ownHost()) {
		f.Fail("domain", "newsroom.error.domain")
	}
	for field, c := range map[string]string{"color_primary": in.ColorPrimary, "color_accent": in.ColorAccent} {
		if c != "" && !colorPattern.MatchString(c) {
			f.Fail(field, "newsroom.error.color")
		}
	}
	if _, ok := Fonts[in.Font]; !ok {
		f.Fail("font", "form.choose")
	}
	for field, v := range map[string]string{"title": in.Title, "tagline_id": in.TaglineID, "tagline_en": in.TaglineEN} {
		if utf8.RuneCountInString(v) > 200 {
			f.Fail(field, "form.too_long")
		}
	}
	for field, v := range map[string]string{"boilerplate_id": in.BoilerplateID, "boilerplate_en": in.BoilerplateEN, "facts_id": in.FactsID, "facts_en": in.FactsEN} {
		if utf8.RuneCountInString(v) > 20000 {
			f.Fail(field, "form.too_long")
		}
	}
	// The logo is served to anyone: it must be a picture of this workspace's library.
	if in.LogoAssetID != 0 && s.media != nil {
		assets, err := s.media.GetMany(ctx, in.WorkspaceID, []int64{in.LogoAssetID})
		if err != nil {
			return err
		}
		if len(assets) != 1 || assets[0].Kind != medialib.Image {
			f.Fail("logo", "newsroom.error.logo_image")
		}
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	if taken, err := slugTaken(ctx, s.d, in.WorkspaceID, in.Slug); err != nil {
		return err
	} else if taken {
		return withField(ErrSlugTaken, "slug")
	}
	if in.Domain != "" {
		if taken, err := domainTaken(ctx, s.d, in.WorkspaceID, in.Domain); err != nil {
			return err
		} else if taken {
			return withField(ErrDomainTaken, "domain")
		}
	}
	old, err := s.Settings(ctx, in.WorkspaceID)
	if err != nil {
		return err
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := saveSettings(ctx, tx, in, s.now().UTC()); err != nil {
			return err
		}
		if s.media != nil {
			var logo []int64
			if in.LogoAssetID != 0 {
				logo = []int64{in.LogoAssetID}
			}
			if err := s.media.SetUsage(ctx, tx, in.WorkspaceID, "newsroom", "logo", "Newsroom", "/newsroom/settings", logo); err != nil {
				return err
			}
		}
		tx.AfterCommit(func() { s.cache.forget(old.Slug, old.Domain); s.cache.stale(in.WorkspaceID) })
		return audit.Record(ctx, tx, a.Entry(in.WorkspaceID, "newsroom.settings", "newsroom", in.WorkspaceID, settingsChanges(old, in)))
	})
	if db.IsUniqueViolation(err) { // two saves raced for the same slug or domain
		return withField(ErrSlugTaken, "slug")
	}
	return err
}

func withField(e *web.Error, field string) *web.Error {
	c := *e
	c.Fields = map[string]string{field: e.Key}
	return &c
}

func settingsChanges(a, b *Settings) map[string]audit.Change {
	out := map[string]audit.Change{}
	add := func(k string, x, y any) {
		if x != y {
			out[k] = audit.Change{From: x, To: y}
		}
	}
	add("enabled", a.Enabled, b.Enabled)
	add("slug", a.Slug, b.Slug)
	add("domain", a.Domain, b.Domain)
	add("title", a.Title, b.Title)
	add("logo", a.LogoAssetID, b.LogoAssetID)
	add("color_primary", a.ColorPrimary, b.ColorPrimary)
	add("color_accent", a.ColorAccent, b.ColorAccent)
	add("font", a.Font, b.Font)
	return out
}

func (s *Service) ownHost() string {
	h := strings.TrimPrefix(strings.TrimPrefix(s.baseURL, "https://"), "http://")
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// Topics lists the workspace's newsroom topics in their order.
func (s *Service) Topics(ctx context.Context, wsID int64) ([]Topic, error) {
	return listTopics(ctx, s.d, wsID)
}

// TopicNames names the topics in lang, for the subscribers' pages.
func (s *Service) TopicNames(ctx context.Context, wsID int64, lang string) (map[int64]string, error) {
	list, err := s.Topics(ctx, wsID)
	out := make(map[int64]string, len(list))
	for _, t := range list {
		out[t.ID] = t.Name(lang)
	}
	return out, err
}

// SaveTopic adds a topic (id 0) or renames one. Its slug, for feed addresses, comes from the
// Indonesian name.
func (s *Service) SaveTopic(ctx context.Context, a audit.Actor, wsID int64, t Topic) (*Topic, error) {
	t.NameID, t.NameEN = strings.TrimSpace(t.NameID), strings.TrimSpace(t.NameEN)
	f := web.NewForm(nil)
	if t.NameID == "" {
		f.Fail("name_id", "form.required")
	}
	if t.NameEN == "" {
		t.NameEN = t.NameID
	}
	if utf8.RuneCountInString(t.NameID) > 80 || utf8.RuneCountInString(t.NameEN) > 80 {
		f.Fail("name_id", "form.too_long")
	}
	if !f.Valid() {
		return nil, web.Invalid(f)
	}
	if t.Slug == "" || t.ID == 0 {
		t.Slug = slugify(t.NameID)
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if t.ID == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO newsroom_topics (workspace_id, slug, name_id, name_en, position)
				VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM newsroom_topics WHERE workspace_id = ?)) RETURNING id`,
				wsID, t.Slug, t.NameID, t.NameEN, wsID).Scan(&t.ID)
		} else {
			var res interface{ RowsAffected() (int64, error) }
			res, err = tx.Exec(ctx, `UPDATE newsroom_topics SET name_id = ?, name_en = ? WHERE workspace_id = ? AND id = ?`, t.NameID, t.NameEN, wsID, t.ID)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return db.ErrNotFound
				}
			}
		}
		if db.IsUniqueViolation(err) {
			f.Fail("name_id", "newsroom.error.topic_taken")
			return web.Invalid(f)
		}
		if err != nil {
			return err
		}
		if err := s.Touch(ctx, tx, wsID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "newsroom.topic_saved", "newsroom_topic", t.ID, map[string]audit.Change{"name": {To: t.NameID}}))
	})
	return &t, err
}

// DeleteTopic removes a topic; releases filed under it keep their other topics.
func (s *Service) DeleteTopic(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM newsroom_topics WHERE workspace_id = ? AND id = ?`, wsID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		if err := s.Touch(ctx, tx, wsID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "newsroom.topic_deleted", "newsroom_topic", id, nil))
	})
}

// slugify makes a topic's address part: lower case ASCII letters, digits and hyphens.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range fold(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 60 {
		out = strings.Trim(out[:60], "-")
	}
	if out == "" {
		out = "topik"
	}
	return out
}

// fold lowers case and drops diacritics, so "Pelayanan Publik" and "pelayanan publik" match,
// and "café" matches "cafe".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

func newSecret() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Placement returns how a release is shown on the newsroom; a release the newsroom has not met
// yet gets the defaults (public, not featured, no topics).
func (s *Service) Placement(ctx context.Context, wsID, releaseID int64) (*Placement, error) {
	if _, err := s.releases.Get(ctx, wsID, releaseID); err != nil {
		return nil, err
	}
	if err := s.Sync(ctx, wsID, releaseID); err != nil {
		return nil, err
	}
	list, _, err := s.Placements(ctx, wsID, PlacementFilter{Release: releaseID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, db.ErrNotFound
	}
	return &list[0], nil
}

// SetPlacement changes how a release is shown. Featuring a release unfeatures the others.
func (s *Service) SetPlacement(ctx context.Context, a audit.Actor, wsID, releaseID int64, vis Visibility, featured bool, topics []int64) error {
	if !slices.Contains(Visibilities, vis) {
		f := web.NewForm(nil)
		f.Fail("visibility", "form.choose")
		return web.Invalid(f)
	}
	old, err := s.Placement(ctx, wsID, releaseID)
	if err != nil {
		return err
	}
	known, err := s.Topics(ctx, wsID)
	if err != nil {
		return err
	}
	var keep []int64
	for _, t := range known {
		if slices.Contains(topics, t.ID) {
			keep = append(keep, t.ID)
		}
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if featured {
			if _, err := tx.Exec(ctx, `UPDATE newsroom_releases SET featured = FALSE WHERE workspace_id = ? AND featured`, wsID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE newsroom_releases SET visibility = ?, featured = ? WHERE workspace_id = ? AND release_id = ?`,
			string(vis), featured, wsID, releaseID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM newsroom_release_topics WHERE release_id = ?`, releaseID); err != nil {
			return err
		}
		for _, t := range keep {
			if _, err := tx.Exec(ctx, `INSERT INTO newsroom_release_topics (release_id, topic_id) VALUES (?, ?)`, releaseID, t); err != nil {
				return err
			}
		}
		if err := s.Touch(ctx, tx, wsID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "newsroom.placement", "release", releaseID, map[string]audit.Change{
			"visibility": {From: old.Visibility, To: vis}, "featured": {From: old.Featured, To: featured}, "topics": {From: old.Topics, To: keep}}))
	})
}

// PlacementFilter narrows the app's list of releases on the newsroom.
type PlacementFilter struct {
	Query      string
	Visibility Visibility
	Release    int64
	Offset     int
	Limit      int
}

// Placements lists the releases the newsroom knows, newest lift first, with their views.
func (s *Service) Placements(ctx context.Context, wsID int64, f PlacementFilter) ([]Placement, int, error) {
	where := `n.workspace_id = ?`
	args := []any{wsID}
	if f.Visibility != "" {
		where += ` AND n.visibility = ?`
		args = append(args, string(f.Visibility))
	}
	if f.Release != 0 {
		where += ` AND n.release_id = ?`
		args = append(args, f.Release)
	}
	for _, w := range strings.Fields(fold(f.Query)) {
		where += ` AND n.search LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(w)+"%")
	}
	var total int
	if err := s.d.QueryRow(ctx, `SELECT COUNT(*) FROM newsroom_releases n WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.d.Query(ctx, `SELECT n.release_id, n.visibility, n.featured, n.secret, n.headline, n.lang, n.lift_at, n.gone_at,
		COALESCE((SELECT SUM(v.views) FROM newsroom_visits v WHERE v.release_id = n.release_id), 0),
		m.mailed_at, COALESCE(m.distribution_id, 0)
		FROM newsroom_releases n LEFT JOIN newsroom_mailings m ON m.workspace_id = n.workspace_id AND m.group_id = n.group_id
		WHERE `+where+` ORDER BY n.lift_at IS NULL, n.lift_at DESC, n.release_id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Placement
	for rows.Next() {
		var p Placement
		var lift, gone, mailed nullTime
		if err := rows.Scan(&p.ReleaseID, &p.Visibility, &p.Featured, &p.Secret, &p.Headline, &p.Lang, &lift, &gone, &p.Views, &mailed, &p.DistributionID); err != nil {
			return nil, 0, err
		}
		p.LiftAt, p.GoneAt, p.Mailed = lift.ptr(), gone.ptr(), mailed.ptr()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if out[i].Topics, err = topicsOf(ctx, s.d, out[i].ReleaseID); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// Count is what the app's overview shows: releases public now, and waiting for their lift.
func (s *Service) Count(ctx context.Context, wsID int64) (public, waiting int, err error) {
	now := s.now().UTC()
	err = s.d.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM newsroom_releases n WHERE `+publicWhere+`),
		(SELECT COUNT(*) FROM newsroom_releases n WHERE n.workspace_id = ? AND n.visibility <> 'hidden' AND n.copied_at IS NOT NULL AND n.gone_at IS NULL AND n.lift_at > ?)`,
		wsID, now, wsID, now).Scan(&public, &waiting)
	return public, waiting, err
}

// countVisit counts a view of a release page, in memory until the next flush: a page served from
// the cache costs no write.
func (s *Service) countVisit(releaseID int64) {
	s.visitsMu.Lock()
	s.visits[releaseID]++
	s.visitsMu.Unlock()
}

// FlushVisits writes the views counted since the last flush.
func (s *Service) FlushVisits(ctx context.Context) error {
	s.visitsMu.Lock()
	pending := s.visits
	s.visits = map[int64]int64{}
	s.visitsMu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	day := s.now().UTC().Format(time.DateOnly)
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		for id, n := range pending {
			if _, err := tx.Exec(ctx, `INSERT INTO newsroom_visits (release_id, day, views) SELECT release_id, ?, ? FROM newsroom_releases WHERE release_id = ?
				ON CONFLICT (release_id, day) DO UPDATE SET views = newsroom_visits.views + excluded.views`, day, n, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil { // keep the counts for the next try
		s.visitsMu.Lock()
		for id, n := range pending {
			s.visits[id] += n
		}
		s.visitsMu.Unlock()
	}
	return err
}

// Run writes the visit counts every half minute until ctx ends, and once more then.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			flush, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := s.FlushVisits(flush); err != nil {
				s.log.Warn("newsroom visits not written", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if err := s.FlushVisits(ctx); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Warn("newsroom visits not written", "err", err)
			}
		}
	}
}

// SetKit gives the public pages the media kit, which is built after the newsroom (it calls Touch).
func (s *Service) SetKit(k Kit) { s.kit = k }

// SetClock makes the newsroom read the time from now: tests and the benchmark move it past a
// lift instead of waiting for it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }
