package release

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Service holds the rules of press releases.
type Service struct {
	d         *db.DB
	items     Content
	approvals Approvals
	media     Media
	bundle    *i18n.Bundle
	baseURL   string
}

// NewService wires releases. items is the content studio; approvals the approval process (nil:
// the workspace approves nothing); media the media library (nil: attachments are kept by id and
// listed without links); baseURL the installation's public address, for newsroom links.
func NewService(d *db.DB, items Content, approvals Approvals, media Media, b *i18n.Bundle, baseURL string) *Service {
	return &Service{d: d, items: items, approvals: approvals, media: media, bundle: b, baseURL: strings.TrimRight(baseURL, "/")}
}

// Field limits.
const (
	maxHeadline    = 200
	maxShort       = 300
	maxNumber      = 60
	maxName        = 120
	maxBoilerplate = 5000
	maxBody        = 100000
)

// check normalises in and fails each field that is wrong, under its form and API name.
func (in *Input) check(f *web.Form, creating bool) {
	for _, p := range []*string{&in.Lang, &in.Number, &in.Headline, &in.Subheadline, &in.DatelineCity, &in.DatelineDate,
		&in.ContactName, &in.ContactRole, &in.ContactPhone, &in.ContactEmail, &in.Zone} {
		*p = strings.TrimSpace(*p)
	}
	in.ContactEmail = strings.ToLower(in.ContactEmail)
	long := func(field, v string, n int) {
		if utf8.RuneCountInString(v) > n {
			f.Fail(field, "form.too_long")
		}
	}
	if creating && in.Lang != "id" && in.Lang != "en" {
		f.Fail("lang", "form.choose")
	}
	if in.Headline == "" {
		f.Fail("headline", "form.required")
	}
	long("headline", in.Headline, maxHeadline)
	long("number", in.Number, maxNumber)
	long("subheadline", in.Subheadline, maxShort)
	long("dateline_city", in.DatelineCity, maxName)
	long("body", in.Body, maxBody)
	long("boilerplate", in.Boilerplate, maxBoilerplate)
	long("contact_name", in.ContactName, maxName)
	long("contact_role", in.ContactRole, maxName)
	long("contact_phone", in.ContactPhone, 40)
	long("contact_email", in.ContactEmail, maxName)
	if in.DatelineDate != "" {
		if _, err := time.Parse(dayLayout, in.DatelineDate); err != nil {
			f.Fail("dateline_date", "release.error.date")
		}
	}
	if in.ContactEmail != "" && !web.ValidEmail(in.ContactEmail) {
		f.Fail("contact_email", "form.email")
	}
	if in.Embargo != nil {
		if _, err := i18n.LoadZone(in.Zone); err != nil {
			f.Fail("zone", "release.error.zone")
		}
		t := in.Embargo.UTC().Truncate(time.Minute)
		in.Embargo = &t
	}
	slices.Sort(in.Attachments)
	in.Attachments = slices.Compact(in.Attachments)
}

// fieldOf names the release field of a content field.
var fieldOf = map[string]string{"title": "headline", "lang": "lang", "body": "body", "translation_of": "lang"}

// invalid turns the content studio's problems into the release form's field errors.
func invalid(p content.Problems) error {
	f := web.NewForm(nil)
	for k, v := range p.Fields {
		if name, ok := fieldOf[k]; ok {
			f.Fail(name, v)
		} else {
			f.Fail("headline", v)
		}
	}
	if len(p.Variants) > 0 {
		return &content.VariantError{Problems: p.Variants}
	}
	return web.Invalid(f)
}

// Defaults are a new release's fields: boilerplate, narahubung and dateline city from the
// workspace's last release (in lang when there is one), today's date in zone, the zone, and the
// number the release will get.
func (s *Service) Defaults(ctx context.Context, wsID int64, lang string, zone *time.Location) (Input, error) {
	in := Input{Lang: lang, Zone: zone.String(), DatelineDate: time.Now().In(zone).Format(dayLayout)}
	last, err := s.last(ctx, wsID, lang)
	if err != nil {
		return in, err
	}
	if last != nil {
		in.Boilerplate, in.DatelineCity = last.Boilerplate, last.DatelineCity
		in.ContactName, in.ContactRole, in.ContactPhone, in.ContactEmail = last.ContactName, last.ContactRole, last.ContactPhone, last.ContactEmail
	}
	in.Number, err = s.NextNumber(ctx, wsID, time.Now().In(zone))
	return in, err
}

// last is the newest release in lang, or the newest of any language; nil when there is none.
func (s *Service) last(ctx context.Context, wsID int64, lang string) (*Release, error) {
	rows, err := recentRows(ctx, s.d, wsID, 20)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ItemID
	}
	items, _, err := s.items.List(ctx, wsID, content.Filter{Kind: content.KindRelease, IDs: ids, Status: "", Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	langOf := map[int64]string{}
	for _, it := range items {
		langOf[it.ID] = it.Lang
	}
	for _, r := range rows {
		if langOf[r.ItemID] == lang {
			return r, nil
		}
	}
	return rows[0], nil
}

// NextNumber is the number the workspace's next release of day's year would get (not taken yet).
func (s *Service) NextNumber(ctx context.Context, wsID int64, day time.Time) (string, error) {
	p, err := pattern(ctx, s.d, wsID)
	if err != nil {
		return "", err
	}
	var last int
	err = s.d.QueryRow(ctx, `SELECT COALESCE(MAX(last), 0) FROM press_release_counters WHERE workspace_id = ? AND year = ?`, wsID, day.Year()).Scan(&last)
	if err != nil {
		return "", err
	}
	return FormatNumber(p, last+1, day), nil
}

// Pattern is the workspace's numbering pattern.
func (s *Service) Pattern(ctx context.Context, wsID int64) (string, error) {
	return pattern(ctx, s.d, wsID)
}

// SetPattern changes the workspace's numbering pattern; it must hold {n}.
func (s *Service) SetPattern(ctx context.Context, a audit.Actor, wsID int64, p string) error {
	p = strings.TrimSpace(p)
	f := web.NewForm(nil)
	switch {
	case p == "":
		f.Fail("pattern", "form.required")
	case !strings.Contains(p, "{n}"):
		f.Fail("pattern", "release.error.pattern")
	case utf8.RuneCountInString(p) > maxNumber:
		f.Fail("pattern", "form.too_long")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := pattern(ctx, tx, wsID)
		if err != nil || old == p {
			return err
		}
		if err := savePattern(ctx, tx, wsID, p); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "release.numbering_changed", "workspace", wsID, map[string]audit.Change{"pattern": {From: old, To: p}}))
	})
}

// numberDay is the day a release is numbered for: its dateline, else today in zone.
func numberDay(in Input, zone *time.Location) time.Time {
	if t, err := time.Parse(dayLayout, in.DatelineDate); err == nil {
		return t
	}
	return time.Now().In(zone)
}

// Create adds a release: a content item of kind release and its row, in one transaction. An empty
// number takes the next one of the workspace's pattern. zone is the workspace's, for the number's
// day when there is no dateline.
func (s *Service) Create(ctx context.Context, a audit.Actor, wsID int64, in Input, zone *time.Location) (*Release, error) {
	f := web.NewForm(nil)
	in.check(f, true)
	if !f.Valid() {
		return nil, web.Invalid(f)
	}
	r := rowOf(wsID, in)
	it, probs, err := s.items.Save(ctx, a, wsID, 0, content.Input{Title: in.Headline, Body: in.Body, Lang: in.Lang, Attachments: in.Attachments,
		Kind: content.KindRelease, Also: func(ctx context.Context, tx *db.Tx, it *content.Item) error {
			if r.Number == "" {
				day := numberDay(in, zone)
				n, err := nextNumber(ctx, tx, wsID, day.Year())
				if err != nil {
					return err
				}
				p, err := pattern(ctx, tx, wsID)
				if err != nil {
					return err
				}
				r.Number = FormatNumber(p, n, day)
			}
			r.ItemID = it.ID
			if err := insertRow(ctx, tx, r, a.UserID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, a.Entry(wsID, "release.created", "release", r.ID, map[string]audit.Change{
				"number": {To: r.Number}, "headline": {To: in.Headline}, "embargo": {To: embargoText(r)}}))
		}})
	if err != nil {
		return nil, err
	}
	if !probs.OK() {
		return nil, invalid(probs)
	}
	return s.GetByItem(ctx, wsID, it.ID)
}

func rowOf(wsID int64, in Input) *Release {
	r := &Release{WorkspaceID: wsID, Number: in.Number, Subheadline: in.Subheadline, DatelineCity: in.DatelineCity, DatelineDate: in.DatelineDate,
		Boilerplate: in.Boilerplate, ContactName: in.ContactName, ContactRole: in.ContactRole, ContactPhone: in.ContactPhone,
		ContactEmail: in.ContactEmail, Embargo: in.Embargo}
	if in.Embargo != nil {
		r.Zone = in.Zone
	}
	return r
}

func embargoText(r *Release) string {
	if r.Embargo == nil {
		return "immediate"
	}
	return r.Embargo.In(r.Location()).Format(time.RFC3339) + " " + r.Zone
}

// Update saves a release over the version the person saw: content.ErrConflict when someone else
// saved in between. A change to any field, the release's own included, makes approvals stale as
// the content studio's rules say.
func (s *Service) Update(ctx context.Context, a audit.Actor, wsID, id int64, in Input) (*Release, error) {
	old, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	item, err := s.items.Get(ctx, wsID, old.ItemID)
	if err != nil {
		return nil, err
	}
	f := web.NewForm(nil)
	in.check(f, false)
	if !f.Valid() {
		return nil, web.Invalid(f)
	}
	if in.Number == "" {
		in.Number = old.Number
	}
	if in.BaseVersion == 0 {
		in.BaseVersion = item.Version
	}
	r := rowOf(wsID, in)
	r.ID, r.ItemID = old.ID, old.ItemID
	changes := rowChanges(old, r)
	_, probs, err := s.items.Save(ctx, a, wsID, old.ItemID, content.Input{Title: in.Headline, Body: in.Body, Lang: item.Lang,
		TranslationOf: item.TranslationOf, CampaignID: item.CampaignID, Labels: item.Labels, Attachments: in.Attachments,
		Variants: item.Variants, BaseVersion: in.BaseVersion, Touched: len(changes) > 0,
		Also: func(ctx context.Context, tx *db.Tx, _ *content.Item) error {
			if len(changes) == 0 {
				return nil
			}
			if err := updateRow(ctx, tx, r); err != nil {
				return err
			}
			return audit.Record(ctx, tx, a.Entry(wsID, "release.updated", "release", r.ID, changes))
		}})
	if err != nil {
		return nil, err
	}
	if !probs.OK() {
		return nil, invalid(probs)
	}
	return s.Get(ctx, wsID, id)
}

// rowChanges are the release's own fields that differ, for the audit log.
func rowChanges(a, b *Release) map[string]audit.Change {
	ch := map[string]audit.Change{}
	diff := func(field, from, to string, show bool) {
		if from == to {
			return
		}
		if show {
			ch[field] = audit.Change{From: from, To: to}
		} else {
			ch[field] = audit.Change{To: fmt.Sprintf("%d → %d", utf8.RuneCountInString(from), utf8.RuneCountInString(to))}
		}
	}
	diff("number", a.Number, b.Number, true)
	diff("subheadline", a.Subheadline, b.Subheadline, true)
	diff("dateline_city", a.DatelineCity, b.DatelineCity, true)
	diff("dateline_date", a.DatelineDate, b.DatelineDate, true)
	diff("boilerplate", a.Boilerplate, b.Boilerplate, false)
	diff("contact_name", a.ContactName, b.ContactName, true)
	diff("contact_role", a.ContactRole, b.ContactRole, true)
	diff("contact_phone", a.ContactPhone, b.ContactPhone, true)
	diff("contact_email", a.ContactEmail, b.ContactEmail, true)
	diff("embargo", embargoText(a), embargoText(b), true)
	return ch
}

// Get returns one release of the workspace with its content and linked versions.
func (s *Service) Get(ctx context.Context, wsID, id int64) (*Release, error) {
	r, err := rowByID(ctx, s.d, wsID, id)
	if err != nil {
		return nil, err
	}
	return s.complete(ctx, r)
}

// GetByItem returns the release a content item holds.
func (s *Service) GetByItem(ctx context.Context, wsID, itemID int64) (*Release, error) {
	r, err := rowByItem(ctx, s.d, wsID, itemID)
	if err != nil {
		return nil, err
	}
	return s.complete(ctx, r)
}

func (s *Service) complete(ctx context.Context, r *Release) (*Release, error) {
	it, err := s.items.Get(ctx, r.WorkspaceID, r.ItemID)
	if err != nil {
		return nil, err
	}
	fill(r, it)
	trs, err := s.items.Translations(ctx, r.WorkspaceID, it)
	if err != nil {
		return nil, err
	}
	r.Versions = map[string]int64{r.Lang: r.ID}
	ids := make([]int64, 0, len(trs))
	langOf := map[int64]string{}
	for _, t := range trs {
		ids = append(ids, t.ID)
		langOf[t.ID] = t.Lang
	}
	rows, err := rowsByItems(ctx, s.d, r.WorkspaceID, ids)
	if err != nil {
		return nil, err
	}
	for _, itemID := range ids { // in item order: the first version of a language counts
		if o, ok := rows[itemID]; ok {
			if _, seen := r.Versions[langOf[itemID]]; !seen {
				r.Versions[langOf[itemID]] = o.ID
			}
		}
	}
	return r, nil
}

func fill(r *Release, it *content.Item) {
	r.Lang, r.Headline, r.Body, r.Status, r.Version = it.Lang, it.Title, it.Body, it.Status, it.Version
	r.Attachments = it.Attachments
	if it.UpdatedAt.After(r.UpdatedAt) {
		r.UpdatedAt = it.UpdatedAt.UTC()
	}
	if r.Attachments == nil {
		r.Attachments = []int64{}
	}
}

// List returns a page of the workspace's releases and how many match in all.
func (s *Service) List(ctx context.Context, wsID int64, f Filter) ([]Release, int, error) {
	cf := content.Filter{Query: strings.TrimSpace(f.Query), Status: f.Status, Lang: f.Lang, Kind: content.KindRelease,
		Sort: f.Sort, Page: f.Page, Limit: f.Limit}
	if cf.Sort != "title" {
		cf.Sort = ""
	}
	if f.Embargo != "" && slices.Contains(EmbargoFilters, f.Embargo) {
		ids, err := itemIDsByEmbargo(ctx, s.d, wsID, f.Embargo, time.Now())
		if err != nil {
			return nil, 0, err
		}
		cf.IDs = ids
	}
	items, total, err := s.items.List(ctx, wsID, cf)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	rows, err := rowsByItems(ctx, s.d, wsID, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Release, 0, len(items))
	for i := range items {
		if r, ok := rows[items[i].ID]; ok {
			fill(r, &items[i])
			out = append(out, *r)
		}
	}
	return out, total, nil
}

// Translate adds the release's other language version (id ↔ en): a content item linked to this
// one and a copy of the release's own fields, in one transaction.
func (s *Service) Translate(ctx context.Context, a audit.Actor, wsID, id int64) (*Release, error) {
	r, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	target := "en"
	if r.Lang == "en" {
		target = "id"
	}
	if _, ok := r.Versions[target]; ok {
		return nil, ErrHasVersion
	}
	tr, err := s.items.TranslateAlso(ctx, a, wsID, r.ItemID, func(ctx context.Context, tx *db.Tx, it *content.Item) error {
		c := *r
		c.ItemID = it.ID
		if err := insertRow(ctx, tx, &c, a.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "release.translated", "release", c.ID, map[string]audit.Change{
			"language": {From: r.Lang, To: target}, "number": {To: c.Number}}))
	})
	if err != nil {
		return nil, err
	}
	return s.GetByItem(ctx, wsID, tr.ID)
}

// Submit asks for approval of the release's current version, through the content studio.
func (s *Service) Submit(ctx context.Context, a audit.Actor, wsID, id int64) error {
	r, err := rowByID(ctx, s.d, wsID, id)
	if err != nil {
		return err
	}
	return s.items.Submit(ctx, a, wsID, r.ItemID)
}

// required reports whether the workspace requires approval.
func (s *Service) required(ctx context.Context, wsID int64) (bool, error) {
	if s.approvals == nil {
		return false, nil
	}
	return s.approvals.Required(ctx, wsID)
}

// sendable is the rule of Sendable for a status.
func sendable(st content.Status, required bool) error {
	switch {
	case st == content.Archived:
		return ErrArchived
	case required && st != content.Approved && st != content.Scheduled && st != content.Published:
		return ErrNotApproved
	}
	return nil
}

// Sendable is nil when the release may be distributed: approved when the workspace requires
// approval, not archived.
func (s *Service) Sendable(ctx context.Context, wsID, id int64) error {
	r, err := s.Get(ctx, wsID, id)
	if err != nil {
		return err
	}
	return s.SendableRelease(ctx, r)
}

// SendableRelease is Sendable for a release already read.
func (s *Service) SendableRelease(ctx context.Context, r *Release) error {
	req, err := s.required(ctx, r.WorkspaceID)
	if err != nil {
		return err
	}
	return sendable(r.Status, req)
}

// Choices are the releases that can be sent, newest first, labelled "number — headline".
func (s *Service) Choices(ctx context.Context, wsID int64) ([]Choice, error) {
	req, err := s.required(ctx, wsID)
	if err != nil {
		return nil, err
	}
	list, _, err := s.List(ctx, wsID, Filter{Limit: 200})
	if err != nil {
		return nil, err
	}
	var out []Choice
	for _, r := range list {
		if sendable(r.Status, req) != nil {
			continue
		}
		label := r.Headline
		if r.Number != "" {
			label = r.Number + " — " + r.Headline
		}
		out = append(out, Choice{ID: r.ID, Label: label, Lang: r.Lang})
	}
	return out, nil
}

// Share records that someone shared a release by hand in a group (WhatsApp has no API for groups).
func (s *Service) Share(ctx context.Context, a audit.Actor, wsID, id int64, channelName, group, note string) (*Share, error) {
	group, note, channelName = strings.TrimSpace(group), strings.TrimSpace(note), strings.TrimSpace(channelName)
	if channelName == "" {
		channelName = "whatsapp"
	}
	f := web.NewForm(nil)
	if group == "" {
		f.Fail("group", "form.required")
	} else if utf8.RuneCountInString(group) > maxName {
		f.Fail("group", "form.too_long")
	}
	if utf8.RuneCountInString(note) > maxShort {
		f.Fail("note", "form.too_long")
	}
	if !f.Valid() {
		return nil, web.Invalid(f)
	}
	sh := &Share{ReleaseID: id, Channel: channelName, Group: group, Note: note, By: a.Label, SharedAt: now()}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := rowByID(ctx, tx, wsID, id); err != nil {
			return err
		}
		if err := insertShare(ctx, tx, wsID, sh, a.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "release.shared", "release", id, map[string]audit.Change{
			"channel": {To: channelName}, "group": {To: group}}))
	})
	return sh, err
}

// Shares lists where a release and its other language versions were shared by hand, newest first.
func (s *Service) Shares(ctx context.Context, wsID int64, r *Release) ([]Share, error) {
	ids := make([]int64, 0, len(r.Versions))
	for _, id := range r.Versions {
		ids = append(ids, id)
	}
	return listShares(ctx, s.d, wsID, ids)
}

// PostResult is what planning a social post did: the post exists as a content item; Scheduled
// says whether it is on the schedule, and Reason (a catalog key) why not.
type PostResult struct {
	ItemID    int64
	Due       time.Time
	Scheduled bool
	Reason    string
}

// PlanPost creates a social post for the embargo lift plus offset minutes (one of PostOffsets)
// on network, and schedules it there when the content studio's rules allow (approval, alt text,
// publishing paused); otherwise it stays a draft, linked to the release, and Reason says why.
func (s *Service) PlanPost(ctx context.Context, a audit.Actor, wsID, id int64, offset int, network channel.Network, text string, zone *time.Location) (PostResult, error) {
	r, err := s.Get(ctx, wsID, id)
	if err != nil {
		return PostResult{}, err
	}
	if r.Embargo == nil {
		return PostResult{}, ErrNoEmbargo
	}
	f := web.NewForm(nil)
	if !slices.Contains(PostOffsets, offset) {
		f.Fail("offset", "form.choose")
	}
	if _, ok := channel.Lookup(network); !ok {
		f.Fail("network", "form.choose")
	}
	if strings.TrimSpace(text) == "" {
		f.Fail("text", "form.required")
	}
	due := r.Embargo.Add(time.Duration(offset) * time.Minute)
	if f.Valid() && !due.After(time.Now()) {
		f.Fail("offset", "release.error.lift_past")
	}
	if !f.Valid() {
		return PostResult{}, web.Invalid(f)
	}
	it, probs, err := s.items.Save(ctx, a, wsID, 0, content.Input{Title: r.Headline, Lang: r.Lang, Kind: content.KindPost,
		Variants: []content.Variant{{Network: network, Text: strings.TrimSpace(text)}},
		Also: func(ctx context.Context, tx *db.Tx, it *content.Item) error {
			if err := insertPost(ctx, tx, wsID, r.ID, it.ID, offset); err != nil {
				return err
			}
			return audit.Record(ctx, tx, a.Entry(wsID, "release.post_planned", "release", r.ID, map[string]audit.Change{
				"item": {To: it.ID}, "network": {To: string(network)}, "offset_minutes": {To: offset}}))
		}})
	if err != nil {
		return PostResult{}, err
	}
	if !probs.OK() {
		if len(probs.Variants) > 0 {
			return PostResult{}, &content.VariantError{Problems: probs.Variants}
		}
		return PostResult{}, invalid(probs)
	}
	res := PostResult{ItemID: it.ID, Due: due}
	res.Scheduled, res.Reason, err = s.schedule(ctx, a, wsID, it.ID, due, zone)
	return res, err
}

// schedule puts a post at due; a rule of the content studio that stops it is a reason, not a failure.
func (s *Service) schedule(ctx context.Context, a audit.Actor, wsID, itemID int64, due time.Time, zone *time.Location) (bool, string, error) {
	_, err := s.items.Schedule(ctx, a, wsID, itemID, content.When{At: &due}, zone)
	var we *web.Error
	var ve *content.VariantError
	switch {
	case err == nil:
		return true, "", nil
	case errors.As(err, &ve):
		return false, "content.error.variants", nil
	case errors.As(err, &we) && we.Fields == nil:
		return false, we.Key, nil
	}
	return false, "", err
}

// Posts lists the social posts planned for a release's lift, with where they are and belong.
func (s *Service) Posts(ctx context.Context, wsID int64, r *Release) ([]Post, error) {
	rows, err := listPosts(ctx, s.d, wsID, r.ID)
	if err != nil {
		return nil, err
	}
	var out []Post
	for _, p := range rows {
		it, err := s.items.Get(ctx, wsID, p.itemID)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		post := Post{ItemID: it.ID, Title: it.Title, Status: it.Status, At: it.ScheduledAt, Offset: time.Duration(p.minutes) * time.Minute}
		if r.Embargo != nil {
			due := r.Embargo.Add(post.Offset)
			post.Due = &due
		}
		out = append(out, post)
	}
	return out, nil
}

// ReschedulePost puts a planned post back at lift + its offset (after the embargo moved, or once
// it is approved).
func (s *Service) ReschedulePost(ctx context.Context, a audit.Actor, wsID, id, itemID int64, zone *time.Location) (PostResult, error) {
	r, err := s.Get(ctx, wsID, id)
	if err != nil {
		return PostResult{}, err
	}
	if r.Embargo == nil {
		return PostResult{}, ErrNoEmbargo
	}
	posts, err := listPosts(ctx, s.d, wsID, r.ID)
	if err != nil {
		return PostResult{}, err
	}
	for _, p := range posts {
		if p.itemID != itemID {
			continue
		}
		res := PostResult{ItemID: itemID, Due: r.Embargo.Add(time.Duration(p.minutes) * time.Minute)}
		res.Scheduled, res.Reason, err = s.schedule(ctx, a, wsID, itemID, res.Due, zone)
		return res, err
	}
	return PostResult{}, db.ErrNotFound
}

// NewsroomURL is where the newsroom serves a release (issue 6).
func (s *Service) NewsroomURL(wsSlug string, id int64) string {
	return s.baseURL + "/newsroom/" + wsSlug + "/releases/" + strconv.FormatInt(id, 10)
}

// Change says that a release (its own row or its content item) changed at At.
type Change struct {
	WorkspaceID int64
	ID          int64
	At          time.Time
}

// ChangedSince lists releases of every workspace changed at or after since, oldest change
// first, for those who keep a copy of releases (the newsroom); a page starts after the change
// after (its At and ID), zero for the first.
func (s *Service) ChangedSince(ctx context.Context, since time.Time, after Change, limit int) ([]Change, error) {
	return changedSince(ctx, s.d, since, after, limit)
}

// Dateline is the release's dateline as it is printed: "SUKAMAJU, 3 Desember 2026".
func (s *Service) Dateline(r *Release) string {
	return dateline(s.bundle.Locale(r.Lang, r.Location()), r)
}
