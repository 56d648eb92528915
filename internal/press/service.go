package press

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Service holds the rules of media relations.
type Service struct {
	d       *db.DB
	members Members
	erasers []Eraser
}

// NewService wires the service. members lists who can own a relationship; nil lets no owner be set.
func NewService(d *db.DB, members Members) *Service {
	return &Service{d: d, members: members}
}

var errUnknownOutlet = &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid",
	Fields: map[string]string{"outlets": "press.error.outlet"}}

// checkOwner fails an owner who is not a member of the workspace.
func (s *Service) checkOwner(ctx context.Context, wsID int64, f *web.Form, id int64) error {
	if id == 0 {
		return nil
	}
	ms, err := s.Members(ctx, wsID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ms, func(m Member) bool { return m.ID == id }) {
		f.Fail("owner_id", "press.error.owner")
	}
	return nil
}

// AddEraser lets another package remove what it holds on a contact when the contact is erased.
// Call it while wiring, before serving.
func (s *Service) AddEraser(e Eraser) { s.erasers = append(s.erasers, e) }

// Members lists who can own a contact relationship.
func (s *Service) Members(ctx context.Context, wsID int64) ([]Member, error) {
	if s.members == nil {
		return nil, nil
	}
	return s.members.WorkspaceMembers(ctx, wsID)
}

// validContact checks in (normalising it) and its owner.
func (s *Service) validContact(ctx context.Context, wsID int64, in *ContactInput) error {
	f := web.NewForm(nil)
	in.check(f)
	if err := s.checkOwner(ctx, wsID, f, in.OwnerID); err != nil {
		return err
	}
	if in.Consent.Status == "granted" {
		// Only the person can undo their unsubscribe (Resubscribe), not an edit.
		for _, e := range in.Emails {
			reason, err := s.Suppressed(ctx, wsID, e)
			if err != nil {
				return err
			}
			if reason == "unsubscribed" {
				f.Fail("consent_status", "press.error.consent_unsubscribed")
				break
			}
		}
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	return nil
}

// withdrawnBySuppression sets consent to withdrawn for those contacts one of whose addresses the
// person unsubscribed: no import or edit brings an unsubscribed address back.
func withdrawnBySuppression(ctx context.Context, tx *db.Tx, wsID int64, ids []int64) error {
	t := now()
	return chunk(ids, inChunk, func(part []int64) error {
		_, err := tx.Exec(ctx, `UPDATE press_contacts SET consent_status = 'withdrawn', consent_at = COALESCE(consent_at, ?)
			WHERE workspace_id = ? AND consent_status <> 'withdrawn' AND id IN (`+marks(len(part))+`)
			AND EXISTS (SELECT 1 FROM press_contact_emails e JOIN press_suppressions s ON s.workspace_id = e.workspace_id AND s.email_hash = e.email_hash
				WHERE e.contact_id = press_contacts.id AND s.reason = 'unsubscribed')`, append([]any{t, wsID}, anys(part)...)...)
		return err
	})
}

// AddContact creates a contact from a form or the API.
func (s *Service) AddContact(ctx context.Context, a audit.Actor, wsID int64, in ContactInput) (int64, error) {
	if err := s.validContact(ctx, wsID, &in); err != nil {
		return 0, err
	}
	if in.Consent.Status != "unknown" && in.Consent.At.IsZero() {
		in.Consent.At = now()
	}
	var id int64
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		outlets, err := resolveOutlets(ctx, tx, wsID, []ContactInput{in})
		if err != nil {
			return err
		}
		ids, err := insertContacts(ctx, tx, wsID, []ContactInput{in})
		if err != nil {
			return err
		}
		id = ids[0]
		if err := writeChildren(ctx, tx, wsID, ids, []ContactInput{in}, 0, outlets); err != nil {
			return err
		}
		if err := withdrawnBySuppression(ctx, tx, wsID, ids); err != nil {
			return err
		}
		// The log names the contact by id only: an erased contact must leave no name behind.
		return audit.Record(ctx, tx, a.Entry(wsID, "press.contact_created", "press_contact", id, nil))
	})
	return id, err
}

// UpdateContact replaces a contact's fields with in.
func (s *Service) UpdateContact(ctx context.Context, a audit.Actor, wsID, id int64, in ContactInput) error {
	if err := s.validContact(ctx, wsID, &in); err != nil {
		return err
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := contactByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if in.Consent.Status != old.Consent.Status || in.Consent.Basis != old.Consent.Basis {
			if in.Consent.At.IsZero() || in.Consent.At.Equal(old.Consent.At) {
				in.Consent.At = now()
			}
		}
		outlets, err := resolveOutlets(ctx, tx, wsID, []ContactInput{in})
		if err != nil {
			return err
		}
		if err := updateContactRow(ctx, tx, wsID, id, in); err != nil {
			return err
		}
		if err := clearChildren(ctx, tx, wsID, id); err != nil {
			return err
		}
		if err := writeChildren(ctx, tx, wsID, []int64{id}, []ContactInput{in}, 0, outlets); err != nil {
			return err
		}
		if err := withdrawnBySuppression(ctx, tx, wsID, []int64{id}); err != nil {
			return err
		}
		changed := changedFields(old.Input(), in)
		if old.Consent.Status != in.Consent.Status {
			if err := recordEvent(ctx, tx, wsID, id, Event{Kind: "consent", At: now(), Title: in.Consent.Status, Detail: in.Consent.Source, By: a.UserID}); err != nil {
				return err
			}
		}
		if len(changed) == 0 {
			return nil
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.contact_updated", "press_contact", id,
			map[string]audit.Change{"fields": {To: strings.Join(changed, ", ")}}))
	})
}

// changedFields names the fields that differ, never their values (they are personal data).
func changedFields(a, b ContactInput) []string {
	var out []string
	eq := func(name string, x, y any) {
		jx, _ := json.Marshal(x)
		jy, _ := json.Marshal(y)
		if string(jx) != string(jy) {
			out = append(out, name)
		}
	}
	norm := func(v []string) []string {
		if len(v) == 0 {
			return nil
		}
		return v
	}
	var ao, bo []string
	for _, o := range a.Outlets {
		ao = append(ao, key(o.Outlet)+"|"+o.Role)
	}
	for _, o := range b.Outlets {
		bo = append(bo, key(o.Outlet)+"|"+o.Role)
	}
	eq("name", a.Name, b.Name)
	eq("salutation", a.Salutation, b.Salutation)
	eq("outlets", ao, bo)
	eq("beats", norm(a.Beats), norm(b.Beats))
	eq("region", []string{a.Province, a.City, a.Country}, []string{b.Province, b.City, b.Country})
	eq("languages", norm(a.Languages), norm(b.Languages))
	eq("emails", norm(a.Emails), norm(b.Emails))
	eq("phones", norm(a.Phones), norm(b.Phones))
	eq("whatsapp", a.WhatsApp, b.WhatsApp)
	eq("socials", len(a.Socials) > 0 && true, len(b.Socials) > 0 && true)
	eq("notes", a.Notes, b.Notes)
	eq("labels", norm(a.Labels), norm(b.Labels))
	eq("owner", a.OwnerID, b.OwnerID)
	eq("consent", []string{a.Consent.Status, a.Consent.Basis, a.Consent.Source}, []string{b.Consent.Status, b.Consent.Basis, b.Consent.Source})
	eq("do_not_contact", a.DoNotContact, b.DoNotContact)
	return out
}

// Contact returns one contact of the workspace.
func (s *Service) Contact(ctx context.Context, wsID, id int64) (*Contact, error) {
	return contactByID(ctx, s.d, wsID, id)
}

// resolve turns a filter's segment into its conditions.
func (s *Service) resolve(ctx context.Context, wsID int64, f Filter) (Filter, error) {
	conds, err := checkConditions(f.Conditions)
	if err != nil {
		return f, err
	}
	f.Conditions = conds
	if f.Segment != 0 {
		sg, err := segmentByID(ctx, s.d, wsID, f.Segment)
		if err != nil {
			return f, err
		}
		f.Conditions = append(f.Conditions, sg.Conditions...)
	}
	return f, nil
}

// Contacts lists the workspace's contacts that pass the filter.
func (s *Service) Contacts(ctx context.Context, wsID int64, f Filter) ([]Contact, error) {
	f, err := s.resolve(ctx, wsID, f)
	if err != nil {
		return nil, err
	}
	ids, err := contactIDs(ctx, s.d, wsID, f)
	if err != nil {
		return nil, err
	}
	return loadContacts(ctx, s.d, wsID, ids)
}

// EachContact streams the contacts that pass the filter in pages, for exports: memory stays flat.
func (s *Service) EachContact(ctx context.Context, wsID int64, f Filter, fn func(Contact) error) error {
	f, err := s.resolve(ctx, wsID, f)
	if err != nil {
		return err
	}
	f.Sort, f.Limit, f.Offset = "id", 500, 0
	for {
		ids, err := contactIDs(ctx, s.d, wsID, f)
		if err != nil || len(ids) == 0 {
			return err
		}
		list, err := loadContacts(ctx, s.d, wsID, ids)
		if err != nil {
			return err
		}
		for _, c := range list {
			if err := fn(c); err != nil {
				return err
			}
		}
		f.After = ids[len(ids)-1]
	}
}

// CountContacts counts the contacts that pass the filter.
func (s *Service) CountContacts(ctx context.Context, wsID int64, f Filter) (int, error) {
	f, err := s.resolve(ctx, wsID, f)
	if err != nil {
		return 0, err
	}
	return countContacts(ctx, s.d, wsID, f)
}

// SetDoNotContact turns do-not-contact on or off.
func (s *Service) SetDoNotContact(ctx context.Context, a audit.Actor, wsID, id int64, on bool) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE press_contacts SET do_not_contact = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND do_not_contact <> ?`,
			on, now(), wsID, id, on)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err := contactByID(ctx, tx, wsID, id)
			return err // not found, or already so
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.contact_updated", "press_contact", id,
			map[string]audit.Change{"do_not_contact": {From: !on, To: on}}))
	})
}

// ---- timeline ----

// RecordEvent adds an event to a contact's timeline in the caller's transaction. Sending a
// release or a pitch, a call and a meeting also move the contact's "last contacted".
func (s *Service) RecordEvent(ctx context.Context, tx *db.Tx, wsID, contactID int64, e Event) error {
	return recordEvent(ctx, tx, wsID, contactID, e)
}

func recordEvent(ctx context.Context, tx *db.Tx, wsID, contactID int64, e Event) error {
	if !slices.Contains(EventKinds, e.Kind) {
		return web.ErrBadRequest
	}
	if e.At.IsZero() {
		e.At = now()
	}
	e.At = e.At.UTC()
	res, err := tx.Exec(ctx, `INSERT INTO press_events (workspace_id, contact_id, kind, at, title, link, detail, by_id)
		SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM press_contacts WHERE workspace_id = ? AND id = ?)`,
		wsID, contactID, e.Kind, e.At, clip(e.Title, 500), clip(e.Link, 1000), clip(e.Detail, 4000), nullID(e.By), wsID, contactID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	switch e.Kind {
	case "release_sent", "pitch_sent", "call", "meeting":
		_, err = tx.Exec(ctx, `UPDATE press_contacts SET last_contacted_at = ? WHERE workspace_id = ? AND id = ?
			AND (last_contacted_at IS NULL OR last_contacted_at < ?)`, e.At, wsID, contactID, e.At)
	}
	return err
}

// RecordEvents records the same event on many contacts at once (a distribution's batch): one
// statement each for the timeline and for last contacted, whatever the number of contacts.
// Contacts not in the workspace (erased meanwhile) are left out.
func (s *Service) RecordEvents(ctx context.Context, tx *db.Tx, wsID int64, contactIDs []int64, e Event) error {
	if !slices.Contains(EventKinds, e.Kind) {
		return web.ErrBadRequest
	}
	if len(contactIDs) == 0 {
		return nil
	}
	if e.At.IsZero() {
		e.At = now()
	}
	e.At = e.At.UTC()
	ids := make([]string, len(contactIDs))
	for i, id := range contactIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	in := strings.Join(ids, ",")
	if _, err := tx.Exec(ctx, `INSERT INTO press_events (workspace_id, contact_id, kind, at, title, link, detail, by_id)
		SELECT ?, id, ?, ?, ?, ?, ?, ? FROM press_contacts WHERE workspace_id = ? AND id IN (`+in+`)`,
		wsID, e.Kind, e.At, clip(e.Title, 500), clip(e.Link, 1000), clip(e.Detail, 4000), nullID(e.By), wsID); err != nil {
		return err
	}
	switch e.Kind {
	case "release_sent", "pitch_sent", "call", "meeting":
		_, err := tx.Exec(ctx, `UPDATE press_contacts SET last_contacted_at = ? WHERE workspace_id = ? AND id IN (`+in+`)
			AND (last_contacted_at IS NULL OR last_contacted_at < ?)`, e.At, wsID, e.At)
		return err
	}
	return nil
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// LogEvent records a call, meeting or note typed by a person on the contact page.
func (s *Service) LogEvent(ctx context.Context, a audit.Actor, wsID, contactID int64, e Event) error {
	f := web.NewForm(nil)
	if !slices.Contains(HandKinds, e.Kind) {
		f.Fail("kind", "press.error.event_kind")
	}
	if strings.TrimSpace(e.Title) == "" {
		f.Fail("title", "form.required")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	e.By = a.UserID
	return s.d.Tx(ctx, func(tx *db.Tx) error { return recordEvent(ctx, tx, wsID, contactID, e) })
}

// Timeline is a contact's events, newest first.
func (s *Service) Timeline(ctx context.Context, wsID, contactID int64, limit int) ([]TimelineEntry, error) {
	return timeline(ctx, s.d, wsID, contactID, limit)
}

func timeline(ctx context.Context, c db.Conn, wsID, contactID int64, limit int) ([]TimelineEntry, error) {
	q := `SELECT id, kind, at, title, link, detail, COALESCE(by_id, 0) FROM press_events WHERE workspace_id = ? AND contact_id = ? ORDER BY at DESC, id DESC`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	rows, err := c.Query(ctx, q, wsID, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TimelineEntry
	for rows.Next() {
		var e TimelineEntry
		if err := rows.Scan(&e.ID, &e.Kind, &e.At, &e.Title, &e.Link, &e.Detail, &e.By); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ---- consent and suppression ----

// Unsubscribe records that the person withdrew consent: the address goes on the suppression list
// (no import can undo it), consent becomes withdrawn and the timeline says so. Idempotent.
// contactID 0 withdraws every contact with that address.
func (s *Service) Unsubscribe(ctx context.Context, tx *db.Tx, wsID, contactID int64, email, source string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	ids := []int64{contactID}
	if contactID == 0 {
		var err error
		if ids, err = contactsByEmail(ctx, tx, wsID, email); err != nil {
			return err
		}
	} else if email == "" {
		c, err := contactByID(ctx, tx, wsID, contactID)
		if err != nil {
			return err
		}
		email = c.Email()
	}
	if email != "" {
		if _, err := suppress(ctx, tx, wsID, email, "unsubscribed", clip(source, 200), 0); err != nil {
			return err
		}
	}
	t := now()
	for _, id := range ids {
		res, err := tx.Exec(ctx, `UPDATE press_contacts SET consent_status = 'withdrawn', consent_source = ?, consent_at = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ? AND consent_status <> 'withdrawn'`, clip(source, 200), t, t, wsID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // already withdrawn: said once on the timeline
		}
		if err := recordEvent(ctx, tx, wsID, id, Event{Kind: "unsubscribed", At: t, Detail: source}); err != nil {
			return err
		}
	}
	return nil
}

// Resubscribe is the person's own renewed consent (a confirmation link they followed): the
// address comes off the suppression list and every contact with it has consent granted again,
// with source saying how. Nothing else may undo an unsubscribe.
func (s *Service) Resubscribe(ctx context.Context, tx *db.Tx, wsID int64, email, source string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if _, err := tx.Exec(ctx, `DELETE FROM press_suppressions WHERE workspace_id = ? AND email_hash = ? AND reason = 'unsubscribed'`,
		wsID, HashEmail(email)); err != nil {
		return err
	}
	ids, err := contactsByEmail(ctx, tx, wsID, email)
	if err != nil {
		return err
	}
	t := now()
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE press_contacts SET consent_status = 'granted', consent_basis = 'consent', consent_source = ?, consent_at = ?,
			updated_at = ? WHERE workspace_id = ? AND id = ?`, clip(source, 200), t, t, wsID, id); err != nil {
			return err
		}
		if err := recordEvent(ctx, tx, wsID, id, Event{Kind: "consent", At: t, Title: "granted", Detail: source}); err != nil {
			return err
		}
	}
	return nil
}

// Bounce records a bounce for every contact with this address; a hard one also suppresses it.
func (s *Service) Bounce(ctx context.Context, tx *db.Tx, wsID int64, email string, hard bool, detail string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil
	}
	if hard {
		if _, err := suppress(ctx, tx, wsID, email, "bounced", clip(detail, 500), 0); err != nil {
			return err
		}
	}
	ids, err := contactsByEmail(ctx, tx, wsID, email)
	if err != nil {
		return err
	}
	title := "soft"
	if hard {
		title = "hard"
	}
	for _, id := range ids {
		if err := recordEvent(ctx, tx, wsID, id, Event{Kind: "bounced", Title: title, Detail: detail}); err != nil {
			return err
		}
	}
	return nil
}

func contactsByEmail(ctx context.Context, c db.Conn, wsID int64, email string) ([]int64, error) {
	rows, err := c.Query(ctx, `SELECT DISTINCT contact_id FROM press_contact_emails WHERE workspace_id = ? AND email = ? ORDER BY contact_id`,
		wsID, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ContactsByEmail returns the contacts with this address (to match a reply to a contact).
func (s *Service) ContactsByEmail(ctx context.Context, wsID int64, email string) ([]int64, error) {
	return contactsByEmail(ctx, s.d, wsID, email)
}

// SuppressionFilter narrows the suppression list.
type SuppressionFilter struct {
	Query  string
	Reason string
	ByID   bool // oldest first by id, after After (the API's cursor)
	After  int64
	Limit  int
	Offset int
}

// Suppressions lists the suppression list, newest first.
func (s *Service) Suppressions(ctx context.Context, wsID int64, f SuppressionFilter) ([]Suppression, error) {
	q := `SELECT id, email, email_hash, reason, detail, created_at FROM press_suppressions WHERE workspace_id = ?`
	args := []any{wsID}
	if v := strings.ToLower(strings.TrimSpace(f.Query)); v != "" {
		// An erased address is found by its exact value only, through its hash.
		q += ` AND (email LIKE ? ESCAPE '\' OR email_hash = ?)`
		args = append(args, "%"+likeEscaper.Replace(v)+"%", HashEmail(v))
	}
	if f.Reason != "" {
		q += ` AND reason = ?`
		args = append(args, f.Reason)
	}
	order := ` ORDER BY created_at DESC, id DESC`
	if f.ByID {
		q += ` AND id > ?`
		args = append(args, f.After)
		order = ` ORDER BY id`
	}
	q += order
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	}
	rows, err := s.d.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Suppression
	for rows.Next() {
		sp, err := scanSuppression(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *sp)
	}
	return out, rows.Err()
}

// Suppressed reports whether an address is on the suppression list, and why ("" when not).
func (s *Service) Suppressed(ctx context.Context, wsID int64, email string) (string, error) {
	sp, err := scanSuppression(s.d.QueryRow(ctx, `SELECT id, email, email_hash, reason, detail, created_at FROM press_suppressions
		WHERE workspace_id = ? AND email_hash = ?`, wsID, HashEmail(email)))
	if err == db.ErrNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return sp.Reason, nil
}

// AddSuppression puts an address on the suppression list by hand.
func (s *Service) AddSuppression(ctx context.Context, a audit.Actor, wsID int64, email, detail string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	f := web.NewForm(nil)
	if email == "" {
		f.Fail("email", "form.required")
	} else if !web.ValidEmail(email) {
		f.Fail("email", "form.email")
	}
	if utf8.RuneCountInString(detail) > maxShort {
		f.Fail("detail", "form.too_long")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		added, err := suppress(ctx, tx, wsID, email, "manual", strings.TrimSpace(detail), a.UserID)
		if err != nil || !added {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.suppression_added", "press_suppression", HashEmail(email)[:12],
			map[string]audit.Change{"reason": {To: "manual"}}))
	})
}

// RemoveSuppression takes an address off the list. An unsubscribed address stays: only the
// person can consent again (ErrUnsubscribedStays).
func (s *Service) RemoveSuppression(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		sp, err := scanSuppression(tx.QueryRow(ctx, `SELECT id, email, email_hash, reason, detail, created_at FROM press_suppressions
			WHERE workspace_id = ? AND id = ?`, wsID, id))
		if err != nil {
			return err
		}
		if sp.Reason == "unsubscribed" {
			return ErrUnsubscribedStays
		}
		if _, err := tx.Exec(ctx, `DELETE FROM press_suppressions WHERE workspace_id = ? AND id = ?`, wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.suppression_removed", "press_suppression", sp.Hash[:12],
			map[string]audit.Change{"reason": {From: sp.Reason}}))
	})
}

// ---- export and erasure ----

// ContactExport is everything held on a contact, for the person who asks (UU PDP art. 7, GDPR art. 15).
type ContactExport struct {
	ExportedAt   time.Time       `json:"exported_at"`
	Contact      *Contact        `json:"contact"`
	Outlets      []Outlet        `json:"outlets"`
	Lists        []List          `json:"lists"`
	Events       []TimelineEntry `json:"events"`
	Consent      Consent         `json:"consent"`
	Suppressions []Suppression   `json:"suppressions"`
}

// ExportContact gathers everything held on a contact and records the export in the audit log.
func (s *Service) ExportContact(ctx context.Context, a audit.Actor, wsID, id int64) (*ContactExport, error) {
	c, err := contactByID(ctx, s.d, wsID, id)
	if err != nil {
		return nil, err
	}
	x := &ContactExport{ExportedAt: now(), Contact: c, Consent: c.Consent, Outlets: []Outlet{}, Suppressions: []Suppression{}}
	for _, o := range c.Outlets {
		ol, err := outletByID(ctx, s.d, wsID, o.ID)
		if err != nil {
			return nil, err
		}
		x.Outlets = append(x.Outlets, *ol)
	}
	if x.Lists, err = s.ContactLists(ctx, wsID, id); err != nil {
		return nil, err
	}
	if x.Events, err = timeline(ctx, s.d, wsID, id, 0); err != nil {
		return nil, err
	}
	for _, e := range c.Emails {
		sp, err := scanSuppression(s.d.QueryRow(ctx, `SELECT id, email, email_hash, reason, detail, created_at FROM press_suppressions
			WHERE workspace_id = ? AND email_hash = ?`, wsID, HashEmail(e)))
		if err == db.ErrNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		x.Suppressions = append(x.Suppressions, *sp)
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, a.Entry(wsID, "press.contact_exported", "press_contact", id, nil))
	})
	return x, err
}

// Erase removes a contact's personal data: the contact and everything hanging on it go; its
// events stay as anonymous counts (kind, time, link; no contact, no words); each of its addresses
// stays suppressed as a hash only, so no import can bring it back. The audit log records it.
func (s *Service) Erase(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		c, err := contactByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		t := now()
		for _, e := range c.Emails {
			h := HashEmail(e)
			if _, err := tx.Exec(ctx, `INSERT INTO press_suppressions (workspace_id, email, email_hash, reason, detail, created_by, created_at)
				VALUES (?, NULL, ?, 'erased', '', ?, ?) ON CONFLICT (workspace_id, email_hash) DO UPDATE SET email = NULL, detail = ''`,
				wsID, h, nullID(a.UserID), t); err != nil {
				return err
			}
		}
		for _, er := range s.erasers {
			if err := er.EraseContact(ctx, tx, wsID, id, c.Emails); err != nil {
				return err
			}
		}
		res, err := tx.Exec(ctx, `UPDATE press_events SET contact_id = NULL, title = '', detail = '' WHERE workspace_id = ? AND contact_id = ?`, wsID, id)
		if err != nil {
			return err
		}
		kept, _ := res.RowsAffected()
		if _, err := tx.Exec(ctx, `DELETE FROM press_contacts WHERE workspace_id = ? AND id = ?`, wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.contact_erased", "press_contact", id, map[string]audit.Change{
			"events_kept_anonymous": {To: kept}, "addresses_suppressed": {To: len(c.Emails)}}))
	})
}

// ---- outlets ----

// Outlets lists the workspace's outlets with how many contacts each has.
func (s *Service) Outlets(ctx context.Context, wsID int64, f OutletFilter) ([]Outlet, error) {
	return listOutlets(ctx, s.d, wsID, f)
}

// Outlet returns one outlet.
func (s *Service) Outlet(ctx context.Context, wsID, id int64) (*Outlet, error) {
	return outletByID(ctx, s.d, wsID, id)
}

var errOutletExists = &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid",
	Fields: map[string]string{"name": "press.error.outlet_exists"}}

func validOutlet(in *OutletInput) error {
	f := web.NewForm(nil)
	in.check(f)
	if !f.Valid() {
		return web.Invalid(f)
	}
	return nil
}

// CreateOutlet adds an outlet; its name is unique in the workspace.
func (s *Service) CreateOutlet(ctx context.Context, a audit.Actor, wsID int64, in OutletInput) (int64, error) {
	if err := validOutlet(&in); err != nil {
		return 0, err
	}
	var id int64
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = insertOutlet(ctx, tx, a, wsID, in)
		if db.IsUniqueViolation(err) {
			return errOutletExists
		}
		return err
	})
	return id, err
}

// insertOutlet adds a checked outlet and records it in the audit log.
func insertOutlet(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, in OutletInput) (int64, error) {
	var id int64
	t := now()
	if err := tx.QueryRow(ctx, `INSERT INTO press_outlets (workspace_id, name, name_key, type, reach, reach_source, reach_date, province, city, country,
		language, website, rss_url, dewan_pers, dewan_pers_checked, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`, wsID, in.Name, key(in.Name), in.Type, in.Reach, in.ReachSource, in.ReachDate, in.Province, in.City, in.Country,
		in.Language, in.Website, in.RSS, in.DewanPers, in.DewanPersChecked, t, t).Scan(&id); err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, tx, a.Entry(wsID, "press.outlet_created", "press_outlet", id, map[string]audit.Change{"name": {To: in.Name}}))
}

// EnsureOutletTx returns the outlet of that name in the workspace, creating it in tx when there is
// none (monitoring's starter catalogue adds outlets this way).
func (s *Service) EnsureOutletTx(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, in OutletInput) (int64, error) {
	if err := validOutlet(&in); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM press_outlets WHERE workspace_id = ? AND name_key = ?`, wsID, key(in.Name)).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	return insertOutlet(ctx, tx, a, wsID, in)
}

// UpdateOutlet replaces an outlet's fields.
func (s *Service) UpdateOutlet(ctx context.Context, a audit.Actor, wsID, id int64, in OutletInput) error {
	if err := validOutlet(&in); err != nil {
		return err
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := outletByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE press_outlets SET name = ?, name_key = ?, type = ?, reach = ?, reach_source = ?, reach_date = ?, province = ?,
			city = ?, country = ?, language = ?, website = ?, rss_url = ?, dewan_pers = ?, dewan_pers_checked = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ?`, in.Name, key(in.Name), in.Type, in.Reach, in.ReachSource, in.ReachDate, in.Province, in.City,
			in.Country, in.Language, in.Website, in.RSS, in.DewanPers, in.DewanPersChecked, now(), wsID, id)
		if db.IsUniqueViolation(err) {
			return errOutletExists
		}
		if err != nil {
			return err
		}
		changes := map[string]audit.Change{}
		if old.Name != in.Name {
			changes["name"] = audit.Change{From: old.Name, To: in.Name}
		}
		if old.DewanPers != in.DewanPers {
			changes["dewan_pers"] = audit.Change{From: old.DewanPers, To: in.DewanPers}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.outlet_updated", "press_outlet", id, changes))
	})
}

// DeleteOutlet removes an outlet; its contacts stay, without it.
func (s *Service) DeleteOutlet(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := outletByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM press_outlets WHERE workspace_id = ? AND id = ?`, wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.outlet_deleted", "press_outlet", id, map[string]audit.Change{"name": {From: old.Name}}))
	})
}

// ---- lists ----

func checkName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	f := web.NewForm(nil)
	if name == "" {
		f.Fail("name", "form.required")
	} else if utf8.RuneCountInString(name) > maxName {
		f.Fail("name", "form.too_long")
	}
	if !f.Valid() {
		return "", web.Invalid(f)
	}
	return name, nil
}

// CreateList makes a static list in the caller's transaction.
func (s *Service) CreateList(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, name string) (int64, error) {
	name, err := checkName(name)
	if err != nil {
		return 0, err
	}
	var id int64
	t := now()
	if err := tx.QueryRow(ctx, `INSERT INTO press_lists (workspace_id, name, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		wsID, name, nullID(a.UserID), t, t).Scan(&id); err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, tx, a.Entry(wsID, "press.list_created", "press_list", id, map[string]audit.Change{"name": {To: name}}))
}

// NewList makes a static list in a transaction of its own.
func (s *Service) NewList(ctx context.Context, a audit.Actor, wsID int64, name, description string) (int64, error) {
	var id int64
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = s.CreateList(ctx, tx, a, wsID, name); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE press_lists SET description = ? WHERE workspace_id = ? AND id = ?`, clip(description, 2000), wsID, id)
		return err
	})
	return id, err
}

// Lists are the workspace's lists with their sizes.
func (s *Service) Lists(ctx context.Context, wsID int64, q string) ([]List, error) {
	return listLists(ctx, s.d, wsID, q)
}

// List returns one list.
func (s *Service) List(ctx context.Context, wsID, id int64) (*List, error) {
	return listByID(ctx, s.d, wsID, id)
}

// UpdateList renames a list and changes its description.
func (s *Service) UpdateList(ctx context.Context, a audit.Actor, wsID, id int64, name, description string) error {
	name, err := checkName(name)
	if err != nil {
		return err
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := listByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE press_lists SET name = ?, description = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
			name, clip(description, 2000), now(), wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.list_updated", "press_list", id, map[string]audit.Change{"name": {From: old.Name, To: name}}))
	})
}

// DeleteList removes a list; its contacts stay.
func (s *Service) DeleteList(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := listByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM press_lists WHERE workspace_id = ? AND id = ?`, wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.list_deleted", "press_list", id, map[string]audit.Change{"name": {From: old.Name}}))
	})
}

// AddToList puts contacts on a list and says how many were not on it yet.
func (s *Service) AddToList(ctx context.Context, a audit.Actor, wsID, listID int64, contactIDs []int64) (int, error) {
	var n int
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := listByID(ctx, tx, wsID, listID); err != nil {
			return err
		}
		var err error
		if n, err = addMembers(ctx, tx, wsID, listID, contactIDs); err != nil || n == 0 {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.list_members_added", "press_list", listID, map[string]audit.Change{"contacts": {To: n}}))
	})
	return n, err
}

// RemoveFromList takes contacts off a list.
func (s *Service) RemoveFromList(ctx context.Context, a audit.Actor, wsID, listID int64, contactIDs []int64) (int, error) {
	var n int
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := listByID(ctx, tx, wsID, listID); err != nil {
			return err
		}
		err := chunk(contactIDs, inChunk, func(part []int64) error {
			res, err := tx.Exec(ctx, `DELETE FROM press_list_members WHERE workspace_id = ? AND list_id = ? AND contact_id IN (`+marks(len(part))+`)`,
				append([]any{wsID, listID}, anys(part)...)...)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
			return nil
		})
		if err != nil || n == 0 {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.list_members_removed", "press_list", listID, map[string]audit.Change{"contacts": {To: n}}))
	})
	return n, err
}

// ContactLists are the lists a contact is on.
func (s *Service) ContactLists(ctx context.Context, wsID, contactID int64) ([]List, error) {
	rows, err := s.d.Query(ctx, `SELECT l.id, l.name, l.description, l.created_at, l.updated_at FROM press_lists l
		JOIN press_list_members m ON m.list_id = l.id WHERE l.workspace_id = ? AND m.contact_id = ? ORDER BY LOWER(l.name), l.id`, wsID, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []List{}
	for rows.Next() {
		var l List
		if err := rows.Scan(&l.ID, &l.Name, &l.Description, &l.CreatedAt, &l.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ListChoices are the lists with their sizes, for a distribution's picker.
func (s *Service) ListChoices(ctx context.Context, wsID int64) ([]Choice, error) {
	ls, err := s.Lists(ctx, wsID, "")
	if err != nil {
		return nil, err
	}
	out := make([]Choice, 0, len(ls))
	for _, l := range ls {
		out = append(out, Choice{ID: l.ID, Name: l.Name, Count: l.Count})
	}
	return out, nil
}

// ---- segments ----

// Segments are the saved segments with how many contacts each matches now.
func (s *Service) Segments(ctx context.Context, wsID int64) ([]Segment, error) {
	list, err := listSegments(ctx, s.d, wsID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Count, err = countContacts(ctx, s.d, wsID, Filter{Conditions: list[i].Conditions}); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// Segment returns one segment with its live count.
func (s *Service) Segment(ctx context.Context, wsID, id int64) (*Segment, error) {
	sg, err := segmentByID(ctx, s.d, wsID, id)
	if err != nil {
		return nil, err
	}
	sg.Count, err = countContacts(ctx, s.d, wsID, Filter{Conditions: sg.Conditions})
	return sg, err
}

// SegmentChoices are the segments with their live counts, for a distribution's picker.
func (s *Service) SegmentChoices(ctx context.Context, wsID int64) ([]Choice, error) {
	list, err := s.Segments(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]Choice, 0, len(list))
	for _, sg := range list {
		out = append(out, Choice{ID: sg.ID, Name: sg.Name, Count: sg.Count})
	}
	return out, nil
}

// SaveSegment creates (id 0) or changes a segment.
func (s *Service) SaveSegment(ctx context.Context, a audit.Actor, wsID, id int64, name string, conds []Condition) (int64, error) {
	name, err := checkName(name)
	if err != nil {
		return 0, err
	}
	if conds, err = checkConditions(conds); err != nil {
		return 0, err
	}
	if conds == nil {
		conds = []Condition{}
	}
	raw, _ := json.Marshal(conds)
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		t := now()
		action := "press.segment_updated"
		if id == 0 {
			action = "press.segment_created"
			if err := tx.QueryRow(ctx, `INSERT INTO press_segments (workspace_id, name, conditions, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, wsID, name, string(raw), nullID(a.UserID), t, t).Scan(&id); err != nil {
				return err
			}
		} else {
			res, err := tx.Exec(ctx, `UPDATE press_segments SET name = ?, conditions = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
				name, string(raw), t, wsID, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return db.ErrNotFound
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "press_segment", id, map[string]audit.Change{"name": {To: name}, "conditions": {To: string(raw)}}))
	})
	return id, err
}

// DeleteSegment removes a segment; no contact changes.
func (s *Service) DeleteSegment(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := segmentByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM press_segments WHERE workspace_id = ? AND id = ?`, wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "press.segment_deleted", "press_segment", id, map[string]audit.Change{"name": {From: old.Name}}))
	})
}

// ---- pickers ----

// ContactNames returns the names of these contacts; missing ids are left out.
func (s *Service) ContactNames(ctx context.Context, wsID int64, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	err := chunk(ids, inChunk, func(part []int64) error {
		rows, err := s.d.Query(ctx, `SELECT id, name FROM press_contacts WHERE workspace_id = ? AND id IN (`+marks(len(part))+`)`,
			append([]any{wsID}, anys(part)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n string
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
		}
		return rows.Err()
	})
	return out, err
}

// SearchContacts finds contacts by name, email or outlet for pickers. Count is 0.
func (s *Service) SearchContacts(ctx context.Context, wsID int64, q string, limit int) ([]Choice, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	list, err := s.Contacts(ctx, wsID, Filter{Query: q, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Choice, 0, len(list))
	for _, c := range list {
		name := c.Name
		if o := c.Outlet(); o != "" {
			name += " (" + o + ")"
		}
		out = append(out, Choice{ID: c.ID, Name: name})
	}
	return out, nil
}
