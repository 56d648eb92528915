package content

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Media is what items need from the media library.
type Media interface {
	// SetUsage records which assets a thing uses, replacing what it used before.
	SetUsage(ctx context.Context, tx *db.Tx, wsID int64, entity, entityID, label, link string, assetIDs []int64) error
	// CheckPublishable fails, naming the files, when an image lacks alt text.
	CheckPublishable(ctx context.Context, wsID int64, ids []int64) error
	// Describe returns what the channel rules need to know of each asset, in the order given.
	Describe(ctx context.Context, wsID int64, ids []int64) ([]channel.Media, error)
	// Choices lists the assets given (those an item already uses) and then recent ones, for the
	// editor's picker.
	Choices(ctx context.Context, wsID int64, limit int, include []int64) ([]MediaChoice, error)
}

// MediaChoice is an asset as the editor's picker shows it.
type MediaChoice struct {
	ID     int64
	Name   string
	Thumb  string
	Kind   string
	HasAlt bool
}

// Campaigns is what items need from campaigns.
type Campaigns interface {
	// Anchor returns a campaign's anchor time, nil when it has none.
	Anchor(ctx context.Context, wsID, campaignID int64) (*time.Time, error)
	// Choices lists the workspace's current campaigns for the editor, and the one given (an
	// item's own, even when archived).
	Choices(ctx context.Context, wsID int64, include int64) ([]CampaignChoice, error)
}

// CampaignChoice is a campaign as the editor's select shows it.
type CampaignChoice struct {
	ID     int64
	Name   string
	Colour string
}

// Workflow is the approval process; nil means the workspace approves nothing.
type Workflow interface {
	// Required reports whether items must be approved before they are scheduled.
	Required(ctx context.Context, wsID int64) (bool, error)
	// Submitted starts the approval of a version and tells its approvers.
	Submitted(ctx context.Context, tx *db.Tx, wsID, itemID int64, version int, by audit.Actor) error
	// Edited tells the workflow an item changed after version; approvals of older versions go stale.
	Edited(ctx context.Context, tx *db.Tx, wsID, itemID int64, version int) error
}

// Notifier tells people about things that concern them (a mention, an approval).
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, n notify.Notice) error
}

// Publisher is told, in the transaction that changes it, when an item's schedule changes or ends,
// so that what is due to go out follows. accounts, when not nil, are the accounts chosen for it;
// zone, when known, is the zone the time was planned in.
type Publisher interface {
	Scheduled(ctx context.Context, tx *db.Tx, it *Item, zone *time.Location, accounts []int64) error
	// PausedIn reports whether the workspace's publishing is paused: scheduling then asks for
	// confirmation.
	PausedIn(ctx context.Context, wsID int64) (bool, error)
	// CountOptions are the limits of the workspace's connected accounts (a Mastodon instance's
	// own text limit), so the editor counts as publishing will.
	CountOptions(ctx context.Context, wsID int64) (channel.CountOptions, error)
}

// Members finds the people of a workspace, for @mentions.
type Members interface {
	Members(ctx context.Context, wsID int64) ([]Person, error)
}

// Person is a member as mentions see them.
type Person struct {
	UserID      int64
	Name, Email string
}

// Service holds the content rules.
type Service struct {
	d         *db.DB
	media     Media
	campaigns Campaigns
	workflow  Workflow
	notify    Notifier
	members   Members
	publisher Publisher
}

// NewService wires the content studio; workflow and notify may be set later with SetWorkflow.
func NewService(d *db.DB, m Media, c Campaigns, members Members, n Notifier) *Service {
	return &Service{d: d, media: m, campaigns: c, members: members, notify: n}
}

// SetWorkflow plugs in the approval process (which itself needs this service).
func (s *Service) SetWorkflow(w Workflow) { s.workflow = w }

// SetPublisher plugs in publishing (which itself needs this service).
func (s *Service) SetPublisher(p Publisher) { s.publisher = p }

// countOptions are what counts depend on in a workspace (its Mastodon instances' limit).
func (s *Service) countOptions(ctx context.Context, wsID int64) (channel.CountOptions, error) {
	if s.publisher == nil {
		return channel.CountOptions{}, nil
	}
	return s.publisher.CountOptions(ctx, wsID)
}

// published tells publishing about an item's schedule as it now stands in tx.
func (s *Service) published(ctx context.Context, tx *db.Tx, wsID, id int64, zone *time.Location, accounts []int64) error {
	if s.publisher == nil {
		return nil
	}
	it, err := getItem(ctx, tx, wsID, id)
	if err != nil {
		return err
	}
	return s.publisher.Scheduled(ctx, tx, it, zone, accounts)
}

// SetOutcome records where an item's publishing stands (publish.Service): scheduled while posts
// are pending, held, failed or published. An item edited since keeps its new status.
func (s *Service) SetOutcome(ctx context.Context, tx *db.Tx, wsID, id int64, st Status, publishedAt *time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE content_items SET status = ?, published_at = COALESCE(?, published_at), updated_at = ?
		WHERE workspace_id = ? AND id = ? AND status IN (?, ?, ?, ?)`, string(st), publishedAt, now(), wsID, id,
		string(Scheduled), string(Held), string(Failed), string(Published))
	return err
}

// Errors a user can act on.
var (
	ErrConflict    = &web.Error{Status: http.StatusConflict, Code: "edit_conflict", Key: "content.error.conflict"}
	ErrNotApproved = &web.Error{Status: http.StatusConflict, Code: "not_approved", Key: "content.error.not_approved"}
	ErrNoTime      = &web.Error{Status: http.StatusUnprocessableEntity, Code: "no_time", Key: "content.error.no_time"}
	ErrPast        = &web.Error{Status: http.StatusUnprocessableEntity, Code: "time_past", Key: "content.error.time_past"}
	ErrNoAnchor    = &web.Error{Status: http.StatusUnprocessableEntity, Code: "no_anchor", Key: "content.error.no_anchor"}
	ErrNoVariants  = &web.Error{Status: http.StatusUnprocessableEntity, Code: "no_variants", Key: "content.error.no_variants"}
	// ErrStatementFromRoom: a crisis statement is published from its crisis room, not scheduled here.
	ErrStatementFromRoom = &web.Error{Status: http.StatusConflict, Code: "statement_from_room", Key: "content.error.statement_from_room"}
	ErrBadTransition     = &web.Error{Status: http.StatusConflict, Code: "bad_status", Key: "content.error.bad_status"}
	ErrAnchorPast        = &web.Error{Status: http.StatusUnprocessableEntity, Code: "anchor_past", Key: "content.error.anchor_past"}
	ErrPausedConfirm     = &web.Error{Status: http.StatusConflict, Code: "publishing_paused", Key: "content.error.paused_confirm"}
	ErrVariantsBroken    = &web.Error{Status: http.StatusUnprocessableEntity, Code: "variants_invalid", Key: "content.error.variants"}
)

// Input is what the editor sends.
type Input struct {
	Title, Body, Lang string
	TranslationOf     int64
	CampaignID        int64
	Labels            []string
	Attachments       []int64
	Variants          []Variant
	// BaseVersion is the version the editor started from; a save over a newer one is refused.
	BaseVersion int
	// Kind is set when the item is created (a post when empty) and kept by later saves.
	Kind Kind
	// Also runs inside the save's transaction, after the item is written: a package that keeps
	// more of the item in its own table (a release) saves it with the item or not at all.
	Also Hook
	// Touched says fields kept elsewhere (by Also) changed: approvals go stale as for a text edit.
	Touched bool
}

// Hook is work another package does in the transaction that saves an item.
type Hook func(ctx context.Context, tx *db.Tx, it *Item) error

// Problems are what is wrong with an input, per field; variant problems carry their network.
type Problems struct {
	Fields   map[string]string
	Variants []channel.Problem
}

// OK reports whether nothing is wrong.
func (p Problems) OK() bool { return len(p.Fields) == 0 && len(p.Variants) == 0 }

// Check validates an input without saving it: the editor's live check uses it too.
func (s *Service) Check(ctx context.Context, wsID int64, in Input) (Problems, error) {
	p := Problems{Fields: map[string]string{}}
	if strings.TrimSpace(in.Title) == "" {
		p.Fields["title"] = "form.required"
	} else if len([]rune(in.Title)) > 200 {
		p.Fields["title"] = "form.too_long"
	}
	if in.Lang != "id" && in.Lang != "en" {
		p.Fields["lang"] = "form.choose"
	}
	if in.CampaignID != 0 && s.campaigns != nil {
		if _, err := s.campaigns.Anchor(ctx, wsID, in.CampaignID); errors.Is(err, db.ErrNotFound) {
			p.Fields["campaign"] = "content.error.no_campaign"
		} else if err != nil {
			return p, err
		}
	}
	if in.TranslationOf != 0 {
		if _, err := getItem(ctx, s.d, wsID, in.TranslationOf); errors.Is(err, db.ErrNotFound) {
			p.Fields["translation_of"] = "content.error.no_translation"
		} else if err != nil {
			return p, err
		}
	}
	for _, v := range in.Variants {
		if _, ok := channel.Lookup(v.Network); !ok {
			p.Fields["variants"] = "content.error.unknown_network"
			continue
		}
		cv, err := s.channelVariant(ctx, wsID, v)
		if err != nil {
			return p, err
		}
		opts, err := s.countOptions(ctx, wsID)
		if err != nil {
			return p, err
		}
		for _, pr := range channel.Check(cv, opts) {
			// Missing alt text is a rule for publishing, not for saving a draft.
			if pr.Key == channel.ProblemAltMissing {
				continue
			}
			p.Variants = append(p.Variants, pr)
		}
	}
	return p, nil
}

func (s *Service) channelVariant(ctx context.Context, wsID int64, v Variant) (channel.Variant, error) {
	cv := channel.Variant{Network: v.Network, Text: v.Text, FirstComment: v.FirstComment, Thread: v.Thread}
	if len(v.Media) > 0 && s.media != nil {
		m, err := s.media.Describe(ctx, wsID, v.Media)
		if err != nil {
			return cv, err
		}
		cv.Media = m
	}
	return cv, nil
}

// Save creates (id 0) or updates an item, keeping a version. Over-limit variants are refused with
// their problems; a save on top of someone else's newer save is refused with ErrConflict.
func (s *Service) Save(ctx context.Context, a audit.Actor, wsID, id int64, in Input) (*Item, Problems, error) {
	in.Title = strings.TrimSpace(in.Title)
	in.Labels = cleanLabels(in.Labels)
	slices.SortFunc(in.Variants, func(x, y Variant) int { return strings.Compare(string(x.Network), string(y.Network)) })
	probs, err := s.Check(ctx, wsID, in)
	if err != nil || !probs.OK() {
		return nil, probs, err
	}
	var it *Item
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		t := now()
		var old *Item
		if id == 0 {
			it = &Item{WorkspaceID: wsID, OwnerID: a.UserID, Kind: in.Kind, Status: Draft, CreatedAt: t, Version: 1}
		} else {
			var err error
			if old, err = getItem(ctx, tx, wsID, id); err != nil {
				return err
			}
			if old.Version != in.BaseVersion {
				return ErrConflict
			}
			if in.TranslationOf == 0 {
				in.TranslationOf = old.TranslationOf // the editor does not send the link; a save keeps it
			}
			next := *old
			it = &next
			it.Version = old.Version + 1
		}
		it.Title, it.Body, it.Lang, it.TranslationOf, it.CampaignID = in.Title, in.Body, in.Lang, in.TranslationOf, in.CampaignID
		it.Labels, it.Attachments, it.Variants, it.UpdatedAt = in.Labels, in.Attachments, in.Variants, t
		if old != nil && old.CampaignID != in.CampaignID {
			it.Offset = nil // a relative time means nothing in another campaign
		}
		if old != nil && (changed(old, it) || in.Touched) {
			if err := s.reopen(ctx, tx, it); err != nil {
				return err
			}
		}
		if id == 0 {
			if err := insertItem(ctx, tx, it); err != nil {
				return err
			}
		} else {
			ok, err := updateItem(ctx, tx, it, old.Version)
			if err != nil {
				return err
			}
			if !ok {
				return ErrConflict
			}
			if old.CampaignID != in.CampaignID && old.Offset != nil {
				if err := setStatus(ctx, tx, wsID, it.ID, it.Status, it.ScheduledAt, nil); err != nil {
					return err
				}
			}
		}
		if err := replaceVariants(ctx, tx, wsID, it.ID, it.Variants); err != nil {
			return err
		}
		if err := insertVersion(ctx, tx, it, it.Version, a.UserID, a.Label); err != nil {
			return err
		}
		if old != nil && (old.Status == Scheduled || old.Status != it.Status) {
			if err := s.published(ctx, tx, wsID, it.ID, nil, nil); err != nil {
				return err
			}
		}
		if s.media != nil {
			if err := s.media.SetUsage(ctx, tx, wsID, "content", fmt.Sprint(it.ID), it.Title, itemLink(it), it.mediaIDs()); err != nil {
				return err
			}
		}
		if in.Also != nil {
			if err := in.Also(ctx, tx, it); err != nil {
				return err
			}
		}
		action := "content.created"
		changes := map[string]audit.Change{"title": {To: it.Title}, "version": {To: it.Version}}
		if old != nil {
			action = "content.updated"
			changes = diffFields(old, it)
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "content", it.ID, changes))
	})
	if err != nil {
		return nil, probs, err
	}
	return it, probs, nil
}

// reopen handles an edit of an item that was in review, approved or scheduled: where approval is
// required it goes back to review and its approvals go stale; a scheduled item stops being due.
func (s *Service) reopen(ctx context.Context, tx *db.Tx, it *Item) error {
	switch it.Status {
	case InReview, Approved, Scheduled:
	default:
		return nil
	}
	if s.workflow == nil {
		return nil
	}
	required, err := s.workflow.Required(ctx, it.WorkspaceID)
	if err != nil {
		return err
	}
	if err := s.workflow.Edited(ctx, tx, it.WorkspaceID, it.ID, it.Version); err != nil {
		return err
	}
	switch {
	case required:
		it.Status = InReview
	case it.Status == Approved:
		it.Status = Draft // the approval went stale, and asking again is optional
	}
	return nil
}

func changed(a, b *Item) bool {
	if a.Title != b.Title || a.Body != b.Body || a.Lang != b.Lang || !slices.Equal(a.Attachments, b.Attachments) || len(a.Variants) != len(b.Variants) {
		return true
	}
	for i := range a.Variants {
		x, y := a.Variants[i], b.Variants[i]
		if x.Network != y.Network || x.Text != y.Text || x.FirstComment != y.FirstComment || x.Thread != y.Thread || !slices.Equal(x.Media, y.Media) {
			return true
		}
	}
	return false
}

func diffFields(a, b *Item) map[string]audit.Change {
	ch := map[string]audit.Change{"version": {From: a.Version, To: b.Version}}
	if a.Title != b.Title {
		ch["title"] = audit.Change{From: a.Title, To: b.Title}
	}
	if a.Body != b.Body {
		ch["body"] = audit.Change{To: fmt.Sprintf("%d → %d", len([]rune(a.Body)), len([]rune(b.Body)))}
	}
	if a.Lang != b.Lang {
		ch["language"] = audit.Change{From: a.Lang, To: b.Lang}
	}
	if a.CampaignID != b.CampaignID {
		ch["campaign"] = audit.Change{From: a.CampaignID, To: b.CampaignID}
	}
	if a.Status != b.Status {
		ch["status"] = audit.Change{From: a.Status, To: b.Status}
	}
	var before, after []string
	for _, v := range a.Variants {
		before = append(before, string(v.Network))
	}
	for _, v := range b.Variants {
		after = append(after, string(v.Network))
	}
	if !slices.Equal(before, after) {
		ch["channels"] = audit.Change{From: strings.Join(before, ", "), To: strings.Join(after, ", ")}
	}
	return ch
}

func (it *Item) mediaIDs() []int64 {
	ids := slices.Clone(it.Attachments)
	for _, v := range it.Variants {
		ids = append(ids, v.Media...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func itemLink(it *Item) string { return it.Link() }

// Link is the item's page inside its workspace: the editor, or a release's own editor.
func (it Item) Link() string {
	if it.Kind == KindRelease {
		return ReleaseLink(it.ID)
	}
	return fmt.Sprintf("/content/%d", it.ID)
}

// ReleaseLink is the page of the release an item holds (package press/release serves it).
func ReleaseLink(itemID int64) string { return fmt.Sprintf("/press/release-items/%d", itemID) }

func cleanLabels(in []string) []string {
	var out []string
	for _, l := range in {
		l = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(l, ",", " ")))
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// Get returns an item of the workspace.
func (s *Service) Get(ctx context.Context, wsID, id int64) (*Item, error) {
	return getItem(ctx, s.d, wsID, id)
}

// List returns a page of items and how many match in all.
func (s *Service) List(ctx context.Context, wsID int64, f Filter) ([]Item, int, error) {
	return listItems(ctx, s.d, wsID, f)
}

// Versions lists an item's versions, newest first.
func (s *Service) Versions(ctx context.Context, wsID, id int64) ([]Version, error) {
	if _, err := getItem(ctx, s.d, wsID, id); err != nil {
		return nil, err
	}
	return listVersions(ctx, s.d, wsID, id)
}

// Restore saves an old version's text as the newest version.
func (s *Service) Restore(ctx context.Context, a audit.Actor, wsID, id int64, version int) (*Item, Problems, error) {
	it, err := getItem(ctx, s.d, wsID, id)
	if err != nil {
		return nil, Problems{}, err
	}
	versions, err := listVersions(ctx, s.d, wsID, id)
	if err != nil {
		return nil, Problems{}, err
	}
	for _, v := range versions {
		if v.Version == version {
			return s.Save(ctx, a, wsID, id, Input{Title: v.Title, Body: v.Body, Lang: it.Lang, TranslationOf: it.TranslationOf,
				CampaignID: it.CampaignID, Labels: it.Labels, Attachments: it.Attachments, Variants: v.Variants, BaseVersion: it.Version})
		}
	}
	return nil, Problems{}, db.ErrNotFound
}

// Submit asks for approval of the current version.
func (s *Service) Submit(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		it, err := getItem(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if it.Status != Draft && it.Status != InReview {
			return ErrBadTransition
		}
		if len(it.Variants) == 0 && it.Kind == KindPost {
			return ErrNoVariants // releases and statements go out by email and the newsroom, not only on channels
		}
		if err := setStatus(ctx, tx, wsID, id, InReview, it.ScheduledAt, it.Offset); err != nil {
			return err
		}
		if s.workflow != nil {
			if err := s.workflow.Submitted(ctx, tx, wsID, id, it.Version, a); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "content.submitted", "content", id, map[string]audit.Change{"version": {To: it.Version}}))
	})
}

// MarkApproved is called by the workflow when a version is approved; a later edit already made
// it stale, so only the current version counts.
func (s *Service) MarkApproved(ctx context.Context, tx *db.Tx, wsID, id int64, version int) error {
	_, err := tx.Exec(ctx, `UPDATE content_items SET status = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND version = ? AND status = ?`,
		string(Approved), now(), wsID, id, version, string(InReview))
	return err
}

// MarkRejected sends an item in review back to draft.
func (s *Service) MarkRejected(ctx context.Context, tx *db.Tx, wsID, id int64, version int) error {
	_, err := tx.Exec(ctx, `UPDATE content_items SET status = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND version = ? AND status = ?`,
		string(Draft), now(), wsID, id, version, string(InReview))
	return err
}

// When is a scheduling request: an absolute time, or an offset from the campaign's anchor.
type When struct {
	At     *time.Time
	Offset *campaign.Offset
	// KeepRelative turns At into an offset when the item is scheduled relative to its campaign's
	// anchor, so an item moved on the calendar still follows the anchor.
	KeepRelative bool
	// Accounts are the accounts to publish to; nil keeps the choice made before (or, the first
	// time, every working account of the item's networks).
	Accounts []int64
	// ConfirmPaused schedules although publishing is paused (the post is held at its time).
	ConfirmPaused bool
	// Statement is set by the crisis room, the only place a crisis statement is published from
	// (so an exercise's statement never goes out from the studio).
	Statement bool
}

// Schedule sets an item to be published at a time. Where approval is required only an approved
// item can be scheduled; every variant must pass its channel's rules, alt text included.
func (s *Service) Schedule(ctx context.Context, a audit.Actor, wsID, id int64, w When, zone *time.Location) (time.Time, error) {
	it, err := getItem(ctx, s.d, wsID, id)
	if err != nil {
		return time.Time{}, err
	}
	if it.Kind == KindStatement && !w.Statement {
		return time.Time{}, ErrStatementFromRoom
	}
	if w.KeepRelative && w.At != nil && it.Offset != nil {
		if o, ok, err := s.relativeTo(ctx, it, *w.At, zone); err != nil {
			return time.Time{}, err
		} else if ok {
			w.Offset = &o
		}
	}
	at, err := s.resolve(ctx, it, w, zone)
	if err != nil {
		return time.Time{}, err
	}
	if !at.After(time.Now()) {
		return time.Time{}, ErrPast
	}
	if s.publisher != nil && !w.ConfirmPaused {
		if paused, err := s.publisher.PausedIn(ctx, wsID); err != nil {
			return time.Time{}, err
		} else if paused {
			return time.Time{}, ErrPausedConfirm
		}
	}
	switch it.Status {
	case Approved, Scheduled, Failed, Held:
	case Draft, InReview:
		if s.workflow != nil {
			required, err := s.workflow.Required(ctx, wsID)
			if err != nil {
				return time.Time{}, err
			}
			if required {
				return time.Time{}, ErrNotApproved
			}
		}
	default:
		return time.Time{}, ErrBadTransition
	}
	if err := s.publishable(ctx, it); err != nil {
		return time.Time{}, err
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		// The checks above read the item outside this transaction: it must not have changed since.
		cur, err := getItem(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if cur.Version != it.Version || cur.Status != it.Status {
			return ErrConflict
		}
		if err := setStatus(ctx, tx, wsID, id, Scheduled, &at, w.Offset); err != nil {
			return err
		}
		if err := s.published(ctx, tx, wsID, id, zone, w.Accounts); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "content.scheduled", "content", id, map[string]audit.Change{
			"scheduled_at": {From: timeOrEmpty(it.ScheduledAt), To: at.UTC().Format(time.RFC3339)}}))
	})
	return at, err
}

func (s *Service) resolve(ctx context.Context, it *Item, w When, zone *time.Location) (time.Time, error) {
	if w.Offset != nil {
		if it.CampaignID == 0 || s.campaigns == nil {
			return time.Time{}, ErrNoAnchor
		}
		anchor, err := s.campaigns.Anchor(ctx, it.WorkspaceID, it.CampaignID)
		if err != nil {
			return time.Time{}, err
		}
		if anchor == nil {
			return time.Time{}, ErrNoAnchor
		}
		return w.Offset.From(*anchor, zone), nil
	}
	if w.At == nil {
		return time.Time{}, ErrNoTime
	}
	return *w.At, nil
}

// relativeTo expresses a time as an offset from the item's campaign anchor, in whole days and a
// wall-clock time in zone; false when the campaign has no anchor.
func (s *Service) relativeTo(ctx context.Context, it *Item, at time.Time, zone *time.Location) (campaign.Offset, bool, error) {
	if it.CampaignID == 0 || s.campaigns == nil {
		return campaign.Offset{}, false, nil
	}
	anchor, err := s.campaigns.Anchor(ctx, it.WorkspaceID, it.CampaignID)
	if err != nil || anchor == nil {
		return campaign.Offset{}, false, err
	}
	a, t := anchor.In(zone), at.In(zone)
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC) }
	days := int(day(t).Sub(day(a)).Hours() / 24)
	return campaign.Offset{Days: days, Clock: t.Format("15:04")}, true, nil
}

// publishable checks what publishing needs: variants that pass every rule, alt text included.
func (s *Service) publishable(ctx context.Context, it *Item) error {
	if len(it.Variants) == 0 {
		return ErrNoVariants
	}
	opts, err := s.countOptions(ctx, it.WorkspaceID)
	if err != nil {
		return err
	}
	for _, v := range it.Variants {
		cv, err := s.channelVariant(ctx, it.WorkspaceID, v)
		if err != nil {
			return err
		}
		if probs := channel.Check(cv, opts); len(probs) > 0 {
			return &VariantError{Problems: probs}
		}
	}
	if s.media != nil {
		return s.media.CheckPublishable(ctx, it.WorkspaceID, it.mediaIDs())
	}
	return nil
}

// VariantError lists the rules the variants break, for the page to show each.
type VariantError struct{ Problems []channel.Problem }

func (e *VariantError) Error() string { return "variants break their channel's rules" }

// Unschedule takes an item off the schedule, back to approved (or draft without approvals).
func (s *Service) Unschedule(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		it, err := getItem(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if it.Status != Scheduled {
			return ErrBadTransition
		}
		back := Draft
		if s.workflow != nil {
			if required, err := s.workflow.Required(ctx, wsID); err != nil {
				return err
			} else if required {
				back = Approved
			}
		}
		if err := setStatus(ctx, tx, wsID, id, back, nil, nil); err != nil {
			return err
		}
		if err := s.published(ctx, tx, wsID, id, nil, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "content.unscheduled", "content", id, map[string]audit.Change{"scheduled_at": {From: timeOrEmpty(it.ScheduledAt)}}))
	})
}

// Archive puts an item away; Unarchive brings it back as a draft.
func (s *Service) Archive(ctx context.Context, a audit.Actor, wsID, id int64, archive bool) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		it, err := getItem(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		st, action := Archived, "content.archived"
		if !archive {
			st, action = Draft, "content.unarchived"
		}
		if (archive && it.Status == Archived) || (!archive && it.Status != Archived) {
			return ErrBadTransition
		}
		if err := setStatus(ctx, tx, wsID, id, st, nil, nil); err != nil {
			return err
		}
		if err := s.published(ctx, tx, wsID, id, nil, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "content", id, map[string]audit.Change{"status": {From: it.Status, To: st}}))
	})
}

// MoveAnchor reschedules a campaign's relative items for a new anchor (campaign.Scheduled).
func (s *Service) MoveAnchor(ctx context.Context, tx *db.Tx, wsID, campaignID int64, anchor time.Time, zone *time.Location) (int, error) {
	rows, err := tx.Query(ctx, `SELECT id, offset_days, offset_clock FROM content_items
		WHERE workspace_id = ? AND campaign_id = ? AND offset_days IS NOT NULL AND status IN (?, ?, ?, ?)`,
		wsID, campaignID, string(Draft), string(InReview), string(Approved), string(Scheduled))
	if err != nil {
		return 0, err
	}
	type move struct {
		id int64
		at time.Time
	}
	var moves []move
	for rows.Next() {
		var id int64
		var o campaign.Offset
		if err := rows.Scan(&id, &o.Days, &o.Clock); err != nil {
			rows.Close()
			return 0, err
		}
		moves = append(moves, move{id, o.From(anchor, zone)})
	}
	rows.Close()
	for _, m := range moves {
		if !m.at.After(time.Now()) {
			return 0, ErrAnchorPast
		}
	}
	for _, m := range moves {
		if _, err := tx.Exec(ctx, `UPDATE content_items SET scheduled_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`, m.at.UTC(), now(), wsID, m.id); err != nil {
			return 0, err
		}
		if err := s.published(ctx, tx, wsID, m.id, zone, nil); err != nil {
			return 0, err
		}
	}
	return len(moves), rows.Err()
}

// RelativeItems lists a campaign's items scheduled relative to its anchor (campaign.Scheduled).
func (s *Service) RelativeItems(ctx context.Context, wsID, campaignID int64) ([]campaign.RelativeItem, error) {
	items, _, err := listItems(ctx, s.d, wsID, Filter{CampaignID: campaignID, Sort: "scheduled", Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []campaign.RelativeItem
	for _, it := range items {
		if it.Offset == nil {
			continue
		}
		ri := campaign.RelativeItem{ID: it.ID, Title: it.Title, Link: itemLink(&it), Offset: *it.Offset}
		if it.ScheduledAt != nil {
			ri.At = *it.ScheduledAt
		}
		out = append(out, ri)
	}
	return out, nil
}

func timeOrEmpty(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Translation is an item in the other language linked to this one.
type Translation struct {
	ID    int64
	Title string
	Lang  string
}

// Translations lists the items linked to an item as its translations, either way round.
func (s *Service) Translations(ctx context.Context, wsID int64, it *Item) ([]Translation, error) {
	// Two lookups by index (a UNION, not an OR the planner would answer by reading the workspace).
	rows, err := s.d.Query(ctx, `SELECT id, title, lang FROM content_items WHERE translation_of = ? AND workspace_id = ? AND id <> ?
		UNION SELECT id, title, lang FROM content_items WHERE id = ? AND workspace_id = ? AND id <> ?
		ORDER BY id`, it.ID, wsID, it.ID, it.TranslationOf, wsID, it.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Translation
	for rows.Next() {
		var t Translation
		if err := rows.Scan(&t.ID, &t.Title, &t.Lang); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Translate starts the item's translation: a draft in the other language, linked to it, with the
// text copied for the translator to replace.
func (s *Service) Translate(ctx context.Context, a audit.Actor, wsID, id int64) (*Item, error) {
	return s.TranslateAlso(ctx, a, wsID, id, nil)
}

// TranslateAlso is Translate with work done in the same transaction (a release copies its row).
func (s *Service) TranslateAlso(ctx context.Context, a audit.Actor, wsID, id int64, also Hook) (*Item, error) {
	it, err := getItem(ctx, s.d, wsID, id)
	if err != nil {
		return nil, err
	}
	lang := "en"
	if it.Lang == "en" {
		lang = "id"
	}
	origin := it.ID
	if it.TranslationOf != 0 {
		origin = it.TranslationOf // translations hang off the original, not off each other
	}
	tr, probs, err := s.Save(ctx, a, wsID, 0, Input{Title: it.Title, Body: it.Body, Lang: lang, TranslationOf: origin,
		CampaignID: it.CampaignID, Labels: it.Labels, Attachments: it.Attachments, Variants: it.Variants, Kind: it.Kind, Also: also})
	if err == nil && !probs.OK() {
		return nil, ErrVariantsBroken
	}
	return tr, err
}
