package campaign

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Service holds the rules of campaigns.
type Service struct {
	d     *db.DB
	items Scheduled
}

// NewService wires the service. items is the content studio; nil means no content exists yet,
// so no item is scheduled relative to any anchor.
func NewService(d *db.DB, items Scheduled) *Service {
	return &Service{d: d, items: items}
}

// SetScheduled plugs in the content studio after both are built (it needs this service too).
// Call it while wiring, before serving.
func (s *Service) SetScheduled(items Scheduled) { s.items = items }

// Field limits.
const (
	maxName        = 120
	maxDescription = 2000
	maxUTM         = 100
)

var colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// check normalises in and fails each field that is wrong, under its form and API name.
func (in *Input) check(f *web.Form) {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Colour = strings.ToLower(strings.TrimSpace(in.Colour))
	in.UTMCampaign = strings.TrimSpace(in.UTMCampaign)
	in.StartsOn, in.EndsOn = Date(strings.TrimSpace(string(in.StartsOn))), Date(strings.TrimSpace(string(in.EndsOn)))
	if in.Name == "" {
		f.Fail("name", "form.required")
	} else if utf8.RuneCountInString(in.Name) > maxName {
		f.Fail("name", "form.too_long")
	}
	if utf8.RuneCountInString(in.Description) > maxDescription {
		f.Fail("description", "form.too_long")
	}
	if in.Colour == "" {
		in.Colour = DefaultColour
	} else if !colourRE.MatchString(in.Colour) {
		f.Fail("colour", "campaign.error.colour")
	}
	okStart, okEnd := checkDate(f, "starts_on", in.StartsOn), checkDate(f, "ends_on", in.EndsOn)
	if okStart && okEnd && in.StartsOn != "" && in.EndsOn != "" && in.EndsOn < in.StartsOn {
		f.Fail("ends_on", "campaign.error.ends_before_start")
	}
	if in.UTMCampaign == "" {
		in.UTMCampaign = utmName(in.Name)
	} else if utf8.RuneCountInString(in.UTMCampaign) > maxUTM {
		f.Fail("utm_campaign", "form.too_long")
	}
}

func checkDate(f *web.Form, field string, d Date) bool {
	if d == "" {
		return true
	}
	if _, err := time.Parse(dateLayout, string(d)); err != nil {
		f.Fail(field, "campaign.error.date")
		return false
	}
	return true
}

// utmName is the default utm_campaign: the name as a slug, "Ramadan 2026" → "ramadan-2026".
func utmName(name string) string {
	if !strings.ContainsFunc(name, func(r rune) bool {
		return r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		return "campaign" // a name in another script has no Latin slug
	}
	return auth.Slugify(name)
}

func invalid(in *Input) error {
	f := web.NewForm(nil)
	in.check(f)
	if !f.Valid() {
		return web.Invalid(f)
	}
	return nil
}

// List returns a workspace's campaigns.
func (s *Service) List(ctx context.Context, wsID int64, f Filter) ([]Campaign, error) {
	return list(ctx, s.d, wsID, f)
}

// Get returns one campaign of the workspace.
func (s *Service) Get(ctx context.Context, wsID, id int64) (*Campaign, error) {
	return byID(ctx, s.d, wsID, id, false)
}

// Anchor returns a campaign's anchor, nil when it has none; for the content studio.
func (s *Service) Anchor(ctx context.Context, wsID, id int64) (*time.Time, error) {
	c, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	return c.Anchor, nil
}

// Create adds a campaign. anchor may be nil; once items hang on it, it changes with MoveAnchor.
func (s *Service) Create(ctx context.Context, a audit.Actor, wsID int64, in Input, anchor *time.Time) (*Campaign, error) {
	if err := invalid(&in); err != nil {
		return nil, err
	}
	var c *Campaign
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if c, err = insert(ctx, tx, wsID, a.UserID, in, anchor); err != nil {
			return err
		}
		changes := map[string]audit.Change{"name": {To: c.Name}, "colour": {To: c.Colour}, "utm_campaign": {To: c.UTMCampaign}}
		if c.StartsOn != "" {
			changes["starts_on"] = audit.Change{To: c.StartsOn}
		}
		if c.EndsOn != "" {
			changes["ends_on"] = audit.Change{To: c.EndsOn}
		}
		if c.Anchor != nil {
			changes["anchor"] = audit.Change{To: c.Anchor.Format(time.RFC3339)}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "campaign.created", "campaign", c.ID, changes))
	})
	return c, err
}

// Update saves a campaign over the version the person saw; ErrChanged when someone else saved
// in between (nothing is overwritten). version 0 skips that check (the API without one).
func (s *Service) Update(ctx context.Context, a audit.Actor, wsID, id int64, version int, in Input) (*Campaign, error) {
	if err := invalid(&in); err != nil {
		return nil, err
	}
	var c *Campaign
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
		diff("name", old.Name, in.Name)
		diff("description", old.Description, in.Description)
		diff("colour", old.Colour, in.Colour)
		diff("starts_on", old.StartsOn, in.StartsOn)
		diff("ends_on", old.EndsOn, in.EndsOn)
		diff("utm_campaign", old.UTMCampaign, in.UTMCampaign)
		if len(changes) > 0 {
			if err := audit.Record(ctx, tx, a.Entry(wsID, "campaign.updated", "campaign", id, changes)); err != nil {
				return err
			}
		}
		c, err = byID(ctx, tx, wsID, id, false)
		return err
	})
	return c, err
}

// Archive puts a campaign away, out of the list of current ones; Restore brings it back.
func (s *Service) Archive(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.setArchived(ctx, a, wsID, id, true)
}

// Restore brings an archived campaign back.
func (s *Service) Restore(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.setArchived(ctx, a, wsID, id, false)
}

func (s *Service) setArchived(ctx context.Context, a audit.Actor, wsID, id int64, archive bool) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		c, err := byID(ctx, tx, wsID, id, true)
		if err != nil || (c.ArchivedAt != nil) == archive {
			return err // already so: nothing changes
		}
		var at *time.Time
		action := "campaign.restored"
		if archive {
			t := now()
			at, action = &t, "campaign.archived"
		}
		if err := setArchived(ctx, tx, wsID, id, at); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "campaign", id, map[string]audit.Change{"name": {To: c.Name}}))
	})
}

// RelativeItems lists the items scheduled relative to the campaign's anchor.
func (s *Service) RelativeItems(ctx context.Context, wsID, id int64) ([]RelativeItem, error) {
	if _, err := s.Get(ctx, wsID, id); err != nil {
		return nil, err
	}
	if s.items == nil {
		return nil, nil
	}
	return s.items.RelativeItems(ctx, wsID, id)
}

// PreviewAnchor shows where moving the anchor would take each relative item, without saving.
func (s *Service) PreviewAnchor(ctx context.Context, wsID, id int64, anchor time.Time, zone *time.Location) ([]Shift, error) {
	items, err := s.RelativeItems(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	out := make([]Shift, 0, len(items))
	for _, it := range items {
		out = append(out, Shift{Item: it, From: it.At, To: it.Offset.From(anchor, zone)})
	}
	return out, nil
}

// MoveAnchor sets a campaign's anchor and reschedules every item relative to it, in one
// transaction: if the content studio fails, the anchor stays where it was. It returns how many
// items moved.
func (s *Service) MoveAnchor(ctx context.Context, a audit.Actor, wsID, id int64, anchor time.Time, zone *time.Location) (int, error) {
	if anchor.IsZero() {
		return 0, ErrNoAnchor
	}
	if zone == nil {
		zone = time.UTC
	}
	anchor = anchor.UTC().Truncate(time.Second)
	moved := 0
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		c, err := byID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		if c.Anchor != nil && c.Anchor.Equal(anchor) {
			return nil
		}
		if err := setAnchor(ctx, tx, wsID, id, anchor); err != nil {
			return err
		}
		if s.items != nil {
			if moved, err = s.items.MoveAnchor(ctx, tx, wsID, id, anchor, zone); err != nil {
				return err
			}
		}
		from := ""
		if c.Anchor != nil {
			from = c.Anchor.In(zone).Format(time.RFC3339)
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "campaign.anchor_moved", "campaign", id, map[string]audit.Change{
			"anchor": {From: from, To: anchor.In(zone).Format(time.RFC3339)}, "items_moved": {To: moved}}))
	})
	if err != nil {
		return 0, err
	}
	return moved, nil
}

// UTMs returns the campaign's UTM table: one row per channel, defaults where none was set.
func (s *Service) UTMs(ctx context.Context, wsID, id int64) ([]ChannelUTM, error) {
	if _, err := s.Get(ctx, wsID, id); err != nil {
		return nil, err
	}
	stored, err := utmRows(ctx, s.d, wsID, id)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelUTM, 0, len(Channels))
	for _, ch := range Channels {
		if u, ok := stored[ch]; ok {
			out = append(out, u)
		} else {
			out = append(out, defaultUTM(ch))
		}
	}
	return out, nil
}

// UTMFor is the tags of a campaign's links on one channel.
func (s *Service) UTMFor(ctx context.Context, wsID, campaignID int64, channel string) (UTM, error) {
	if !KnownChannel(channel) {
		return UTM{}, ErrBadChannel
	}
	c, err := s.Get(ctx, wsID, campaignID)
	if err != nil {
		return UTM{}, err
	}
	stored, err := utmRows(ctx, s.d, wsID, campaignID)
	if err != nil {
		return UTM{}, err
	}
	u, ok := stored[channel]
	if !ok {
		u = defaultUTM(channel)
	}
	return UTM{Source: u.Source, Medium: u.Medium, Campaign: c.UTMCampaign, Content: u.Content}, nil
}

// checkUTM normalises rows and fails each wrong cell as "source_x", "medium_x", "content_x".
// An empty source or medium means the channel's default.
func checkUTM(f *web.Form, rows []ChannelUTM) {
	for i := range rows {
		u := &rows[i]
		if !KnownChannel(u.Channel) {
			f.Fail("channel", ErrBadChannel.Key)
			continue
		}
		def := defaultUTM(u.Channel)
		u.Source, u.Medium, u.Content = strings.TrimSpace(u.Source), strings.TrimSpace(u.Medium), strings.TrimSpace(u.Content)
		if u.Source == "" {
			u.Source = def.Source
		}
		if u.Medium == "" {
			u.Medium = def.Medium
		}
		for field, v := range map[string]string{"source": u.Source, "medium": u.Medium, "content": u.Content} {
			if utf8.RuneCountInString(v) > maxUTM {
				f.Fail(field+"_"+u.Channel, "form.too_long")
			}
		}
	}
}

// SetUTM saves the UTM rows of some channels; rows equal to what is stored change nothing.
func (s *Service) SetUTM(ctx context.Context, a audit.Actor, wsID, id int64, rows []ChannelUTM) error {
	f := web.NewForm(nil)
	checkUTM(f, rows)
	if !f.Valid() {
		return web.Invalid(f)
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := byID(ctx, tx, wsID, id, true); err != nil {
			return err
		}
		stored, err := utmRows(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		changes := map[string]audit.Change{}
		for _, u := range rows {
			old, ok := stored[u.Channel]
			if !ok {
				old = defaultUTM(u.Channel)
			}
			if old == u {
				continue
			}
			if err := saveUTM(ctx, tx, wsID, id, u); err != nil {
				return err
			}
			changes[u.Channel] = audit.Change{From: old.Source + " / " + old.Medium + " / " + old.Content, To: u.Source + " / " + u.Medium + " / " + u.Content}
		}
		if len(changes) == 0 {
			return nil
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "campaign.utm_changed", "campaign", id, changes))
	})
}
