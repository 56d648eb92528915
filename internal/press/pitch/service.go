package pitch

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
)

// Service holds the rules of pitches.
type Service struct {
	d        *db.DB
	contacts Contacts
	members  Members
	notify   Notifier
}

// NewService wires the service: contacts is package press, members names the workspace's people
// (a pitch's owner must be one), n tells owners their follow-ups are due.
func NewService(d *db.DB, contacts Contacts, members Members, n Notifier) *Service {
	return &Service{d: d, contacts: contacts, members: members, notify: n}
}

// Field limits.
const (
	maxTitle    = 200
	maxAngle    = 4000
	maxSubject  = 250
	maxBody     = 100000
	maxNote     = 2000
	maxCoverage = 2000
)

var mergeRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// unknownMerge reports whether s holds a merge field the sender would not fill.
func unknownMerge(s string) bool {
	for _, m := range mergeRE.FindAllStringSubmatch(s, -1) {
		known := false
		for _, f := range MergeFields {
			if m[1] == f {
				known = true
			}
		}
		if !known {
			return true
		}
	}
	return false
}

// Check normalises in and fails each field that is wrong in f, under its form and API name, without
// saving (the pages use it to keep the typing and show every error).
func (s *Service) Check(ctx context.Context, f *web.Form, wsID int64, in *Input) error {
	in.Title = strings.TrimSpace(in.Title)
	in.Angle = strings.TrimSpace(in.Angle)
	in.Subject = strings.TrimSpace(in.Subject)
	in.Body = strings.TrimRight(in.Body, " \t\r\n")
	in.Status = strings.TrimSpace(in.Status)
	if in.Title == "" {
		f.Fail("title", "form.required")
	} else if utf8.RuneCountInString(in.Title) > maxTitle {
		f.Fail("title", "form.too_long")
	}
	if utf8.RuneCountInString(in.Angle) > maxAngle {
		f.Fail("angle", "form.too_long")
	}
	if utf8.RuneCountInString(in.Subject) > maxSubject {
		f.Fail("subject", "form.too_long")
	} else if unknownMerge(in.Subject) {
		f.Fail("subject", "pitch.error.merge_field")
	}
	if utf8.RuneCountInString(in.Body) > maxBody {
		f.Fail("body", "form.too_long")
	} else if unknownMerge(in.Body) {
		f.Fail("body", "pitch.error.merge_field")
	}
	if in.ReleaseID < 0 {
		f.Fail("release_id", "pitch.error.id")
	}
	if in.CampaignID < 0 {
		f.Fail("campaign_id", "pitch.error.id")
	}
	switch in.Status {
	case "":
		in.Status = Open
	case Open, Closed:
	default:
		f.Fail("status", "pitch.error.status")
	}
	if in.OwnerID < 0 {
		f.Fail("owner_id", "pitch.error.owner")
	} else if in.OwnerID > 0 && s.members != nil {
		ms, err := s.members.WorkspaceMembers(ctx, wsID)
		if err != nil {
			return err
		}
		found := false
		for _, m := range ms {
			found = found || m.ID == in.OwnerID
		}
		if !found {
			f.Fail("owner_id", "pitch.error.owner")
		}
	}
	return nil
}

func (s *Service) invalid(ctx context.Context, wsID int64, in *Input) error {
	f := web.NewForm(nil)
	if err := s.Check(ctx, f, wsID, in); err != nil {
		return err
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	return nil
}

// Members lists the people who may own a pitch (for the owner picker).
func (s *Service) Members(ctx context.Context, wsID int64) ([]press.Member, error) {
	if s.members == nil {
		return nil, nil
	}
	return s.members.WorkspaceMembers(ctx, wsID)
}

// List returns a workspace's pitches with their counts per stage.
func (s *Service) List(ctx context.Context, wsID int64, f Filter) ([]Pitch, error) {
	return list(ctx, s.d, wsID, f)
}

// Get returns one pitch of the workspace, with its counts per stage.
func (s *Service) Get(ctx context.Context, wsID, id int64) (*Pitch, error) {
	p, err := byID(ctx, s.d, wsID, id, false)
	if err != nil {
		return nil, err
	}
	one := []Pitch{*p}
	if err := fillCounts(ctx, s.d, wsID, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// Create adds a pitch.
func (s *Service) Create(ctx context.Context, a audit.Actor, wsID int64, in Input) (*Pitch, error) {
	if err := s.invalid(ctx, wsID, &in); err != nil {
		return nil, err
	}
	var p *Pitch
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if p, err = insert(ctx, tx, wsID, a.UserID, in); err != nil {
			return err
		}
		changes := map[string]audit.Change{"title": {To: p.Title}, "status": {To: p.Status}}
		if p.OwnerID != 0 {
			changes["owner_id"] = audit.Change{To: p.OwnerID}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "pitch.created", "pitch", p.ID, changes))
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, wsID, p.ID)
}

// Update saves a pitch over the version the person saw; ErrChanged when someone else saved in
// between (nothing is overwritten). version 0 skips that check.
func (s *Service) Update(ctx context.Context, a audit.Actor, wsID, id int64, version int, in Input) (*Pitch, error) {
	if err := s.invalid(ctx, wsID, &in); err != nil {
		return nil, err
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := byID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		if version == 0 {
			version = old.Version
		}
		if ok, err := update(ctx, tx, wsID, id, version, in); err != nil {
			return err
		} else if !ok {
			return ErrChanged
		}
		changes := map[string]audit.Change{}
		diff := func(field string, from, to any) {
			if from != to {
				changes[field] = audit.Change{From: from, To: to}
			}
		}
		diff("title", old.Title, in.Title)
		diff("angle", old.Angle, in.Angle)
		diff("subject", old.Subject, in.Subject)
		if old.Body != in.Body {
			changes["body"] = audit.Change{To: "…"} // the text itself is in the pitch; the log says it changed
		}
		diff("release_id", old.ReleaseID, in.ReleaseID)
		diff("campaign_id", old.CampaignID, in.CampaignID)
		diff("owner_id", old.OwnerID, in.OwnerID)
		diff("status", old.Status, in.Status)
		if len(changes) == 0 {
			return nil
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "pitch.updated", "pitch", id, changes))
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, wsID, id)
}

// Cards returns a pitch's pipeline with the contacts' names.
func (s *Service) Cards(ctx context.Context, wsID, pitchID int64) ([]Card, error) {
	if _, err := byID(ctx, s.d, wsID, pitchID, false); err != nil {
		return nil, err
	}
	cs, err := cards(ctx, s.d, wsID, pitchID)
	if err != nil || len(cs) == 0 {
		return cs, err
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ContactID
	}
	names, err := s.contacts.ContactNames(ctx, wsID, ids)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i].Name = names[cs[i].ContactID]
	}
	return cs, nil
}

// Card returns one contact's card in a pitch.
func (s *Service) Card(ctx context.Context, wsID, pitchID, contactID int64) (*Card, error) {
	c, err := cardOf(ctx, s.d, wsID, pitchID, contactID)
	if err != nil {
		return nil, err
	}
	names, err := s.contacts.ContactNames(ctx, wsID, []int64{contactID})
	if err != nil {
		return nil, err
	}
	c.Name = names[contactID]
	return c, nil
}

// SearchContacts finds the workspace's contacts for the add-a-contact box.
func (s *Service) SearchContacts(ctx context.Context, wsID int64, q string, limit int) ([]press.Choice, error) {
	if strings.TrimSpace(q) == "" {
		return nil, nil
	}
	return s.contacts.SearchContacts(ctx, wsID, strings.TrimSpace(q), limit)
}

// link is the pitch's page inside the workspace.
func link(id int64) string { return "/press/pitches/" + strconv.FormatInt(id, 10) }

// AddContact puts a contact of the workspace in the pipeline at "pitched" and says so on their
// timeline, in l's words. A contact already there stays as it is; it reports whether it was added.
func (s *Service) AddContact(ctx context.Context, a audit.Actor, l *i18n.Locale, wsID, pitchID, contactID int64) (bool, error) {
	names, err := s.contacts.ContactNames(ctx, wsID, []int64{contactID})
	if err != nil {
		return false, err
	}
	name, ok := names[contactID]
	if !ok {
		return false, ErrNoContact
	}
	added := false
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		p, err := byID(ctx, tx, wsID, pitchID, true)
		if err != nil {
			return err
		}
		at := now()
		if added, err = addCard(ctx, tx, wsID, pitchID, contactID, Pitched, at); err != nil || !added {
			return err
		}
		if err := touch(ctx, tx, wsID, pitchID); err != nil {
			return err
		}
		if err := s.contacts.RecordEvent(ctx, tx, wsID, contactID, press.Event{Kind: "pitch_stage", At: at, Title: p.Title, Link: link(pitchID),
			Detail: l.T("pitch.event.stage", "Stage", l.T(stageKey(Pitched))), By: a.UserID}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "pitch.contact_added", "pitch", pitchID, map[string]audit.Change{
			"contact": {To: name}, "stage": {To: Pitched}}))
	})
	return added, err
}

// checkCard normalises a card's change and fails each wrong field: stage, note, coverage_url.
func checkCard(f *web.Form, in *CardInput) {
	in.Stage = strings.TrimSpace(in.Stage)
	in.Note = strings.TrimSpace(in.Note)
	in.CoverageURL = strings.TrimSpace(in.CoverageURL)
	if !KnownStage(in.Stage) {
		f.Fail("stage", "pitch.error.stage")
	}
	if utf8.RuneCountInString(in.Note) > maxNote {
		f.Fail("note", "form.too_long")
	}
	if in.CoverageURL != "" {
		u, err := url.Parse(in.CoverageURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(in.CoverageURL) > maxCoverage {
			f.Fail("coverage_url", "pitch.error.url")
		}
	}
	if in.FollowUp != nil {
		t := in.FollowUp.UTC().Truncate(time.Second)
		in.FollowUp = &t
	}
}

// UpdateCard moves a card to a stage and sets its note, coverage link and follow-up. A change of
// stage goes on the contact's timeline as "pitch_stage" (in l's words); reaching "covered", or a
// new coverage link while covered, also records "coverage" with the link.
func (s *Service) UpdateCard(ctx context.Context, a audit.Actor, l *i18n.Locale, wsID, pitchID, contactID int64, in CardInput) (*Card, error) {
	f := web.NewForm(nil)
	checkCard(f, &in)
	if !f.Valid() {
		return nil, web.Invalid(f)
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		p, err := byID(ctx, tx, wsID, pitchID, true)
		if err != nil {
			return err
		}
		old, err := cardOf(ctx, tx, wsID, pitchID, contactID)
		if err != nil {
			return err
		}
		if old.Stage == in.Stage && old.Note == in.Note && old.CoverageURL == in.CoverageURL && sameTime(old.FollowUp, in.FollowUp) {
			return nil
		}
		if err := saveCard(ctx, tx, wsID, pitchID, old, in, a.UserID); err != nil {
			return err
		}
		if err := touch(ctx, tx, wsID, pitchID); err != nil {
			return err
		}
		at := now()
		changes := map[string]audit.Change{"contact_id": {To: contactID}}
		if old.Stage != in.Stage {
			changes["stage"] = audit.Change{From: old.Stage, To: in.Stage}
			detail := l.T("pitch.event.stage", "Stage", l.T(stageKey(in.Stage)))
			if in.Note != "" {
				detail += " — " + in.Note
			}
			if err := s.contacts.RecordEvent(ctx, tx, wsID, contactID, press.Event{Kind: "pitch_stage", At: at, Title: p.Title,
				Link: link(pitchID), Detail: detail, By: a.UserID}); err != nil {
				return err
			}
		}
		if in.Stage == Covered && (old.Stage != Covered || old.CoverageURL != in.CoverageURL) {
			if err := s.contacts.RecordEvent(ctx, tx, wsID, contactID, press.Event{Kind: "coverage", At: at, Title: p.Title,
				Link: link(pitchID), Detail: in.CoverageURL, By: a.UserID}); err != nil {
				return err
			}
		}
		if old.Note != in.Note {
			changes["note"] = audit.Change{From: old.Note, To: in.Note}
		}
		if old.CoverageURL != in.CoverageURL {
			changes["coverage_url"] = audit.Change{From: old.CoverageURL, To: in.CoverageURL}
		}
		if !sameTime(old.FollowUp, in.FollowUp) {
			changes["follow_up_at"] = audit.Change{From: stamp(old.FollowUp), To: stamp(in.FollowUp)}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "pitch.contact_changed", "pitch", pitchID, changes))
	})
	if err != nil {
		return nil, err
	}
	return s.Card(ctx, wsID, pitchID, contactID)
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// RemoveContact takes a contact out of a pitch's pipeline (added by mistake); their timeline keeps
// what happened.
func (s *Service) RemoveContact(ctx context.Context, a audit.Actor, wsID, pitchID, contactID int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := byID(ctx, tx, wsID, pitchID, true); err != nil {
			return err
		}
		old, err := cardOf(ctx, tx, wsID, pitchID, contactID)
		if err != nil {
			return err
		}
		if _, err := removeCard(ctx, tx, wsID, pitchID, contactID); err != nil {
			return err
		}
		if err := touch(ctx, tx, wsID, pitchID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "pitch.contact_removed", "pitch", pitchID, map[string]audit.Change{
			"contact_id": {From: contactID}, "stage": {From: old.Stage}}))
	})
}

// Pitched puts a contact in a pitch's pipeline at "pitched" (or leaves a later stage as it is), in
// the sender's tx. The sender records what was sent on the contact's timeline.
func (s *Service) Pitched(ctx context.Context, tx *db.Tx, wsID, pitchID, contactID int64, at time.Time) error {
	if _, err := byID(ctx, tx, wsID, pitchID, false); err != nil {
		return err
	}
	added, err := addCard(ctx, tx, wsID, pitchID, contactID, Pitched, at.UTC().Truncate(time.Microsecond))
	if err != nil || !added {
		return err
	}
	return touch(ctx, tx, wsID, pitchID)
}

// Choices are the workspace's open pitches, most recently changed first, for a distribution to send.
func (s *Service) Choices(ctx context.Context, wsID int64) ([]Choice, error) {
	ps, err := list(ctx, s.d, wsID, Filter{Status: Open, Sort: "updated"})
	if err != nil {
		return nil, err
	}
	out := make([]Choice, 0, len(ps))
	for _, p := range ps {
		out = append(out, Choice{ID: p.ID, Label: p.Title})
	}
	return out, nil
}

// Email is the pitch's message: subject and Markdown body, which may hold merge fields. A pitch
// without a subject is offered under its title.
func (s *Service) Email(ctx context.Context, wsID, id int64) (subject, body string, err error) {
	p, err := byID(ctx, s.d, wsID, id, false)
	if err != nil {
		return "", "", err
	}
	subject = p.Subject
	if subject == "" {
		subject = p.Title
	}
	return subject, p.Body, nil
}

// stageKey is the catalog key of a stage's name.
func stageKey(stage string) string { return "pitch.stage." + stage }
