package press

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// audienceSQL selects the contacts on the lists or matching the segments, with their primary
// address, and why each is not to be mailed, decided in SQL. Rows come sorted by address, the
// skipped ones first among equal addresses, so the first row of an address decides for it.
func (s *Service) audienceSQL(ctx context.Context, wsID int64, lists, segments []int64) (string, []any, error) {
	var parts []string
	var args []any
	if len(lists) > 0 {
		parts = append(parts, `SELECT contact_id AS id FROM press_list_members WHERE workspace_id = ? AND list_id IN (`+marks(len(lists))+`)`)
		args = append(append(args, wsID), anys(lists)...)
	}
	for _, id := range segments {
		sg, err := segmentByID(ctx, s.d, wsID, id)
		if err != nil {
			return "", nil, err
		}
		w, a := where(wsID, Filter{Conditions: sg.Conditions})
		parts = append(parts, `SELECT c.id FROM press_contacts c WHERE `+w)
		args = append(args, a...)
	}
	if len(parts) == 0 {
		return "", nil, nil
	}
	q := `WITH chosen AS (` + strings.Join(parts, " UNION ") + `)
	SELECT r.id, r.email, r.name, r.salutation, r.outlet, r.lang, r.skip FROM (
		SELECT c.id, COALESCE(e.email, '') AS email, c.name, c.salutation,
			COALESCE((SELECT o.name FROM press_contact_outlets co JOIN press_outlets o ON o.id = co.outlet_id
				WHERE co.contact_id = c.id ORDER BY co.position LIMIT 1), '') AS outlet,
			COALESCE((SELECT t.value_key FROM press_contact_tags t WHERE t.contact_id = c.id AND t.kind = 'lang' AND t.value_key IN ('id', 'en')
				ORDER BY t.position LIMIT 1), '') AS lang,
			CASE
				WHEN e.email IS NULL THEN 'no_email'
				WHEN sp.reason = 'unsubscribed' OR c.consent_status = 'withdrawn' THEN 'unsubscribed'
				WHEN sp.reason = 'bounced' THEN 'bounced'
				WHEN sp.id IS NOT NULL THEN 'suppressed'
				WHEN c.do_not_contact THEN 'do_not_contact'
				ELSE '' END AS skip
		FROM chosen JOIN press_contacts c ON c.id = chosen.id AND c.workspace_id = ?
		LEFT JOIN press_contact_emails e ON e.contact_id = c.id
			AND e.position = (SELECT MIN(e2.position) FROM press_contact_emails e2 WHERE e2.contact_id = c.id)
		LEFT JOIN press_suppressions sp ON sp.workspace_id = c.workspace_id AND sp.email_hash = e.email_hash
	) r ORDER BY r.email, r.skip = '', r.id`
	return q, append(args, wsID), nil
}

// Audience yields the recipients of the lists and segments: every contact once, every address at
// most once, with Skip saying why one is not to be mailed. Rows stream from the database.
func (s *Service) Audience(ctx context.Context, wsID int64, lists, segments []int64, fn func(Recipient) error) error {
	return s.audience(ctx, s.d, wsID, lists, segments, fn)
}

func (s *Service) audience(ctx context.Context, c db.Conn, wsID int64, lists, segments []int64, fn func(Recipient) error) error {
	q, args, err := s.audienceSQL(ctx, wsID, lists, segments)
	if err != nil || q == "" {
		return err
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	last := ""
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.ContactID, &r.Email, &r.Name, &r.Salutation, &r.Outlet, &r.Language, &r.Skip); err != nil {
			return err
		}
		if r.Email != "" {
			if r.Email == last {
				continue
			}
			last = r.Email
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AudienceCount counts the recipients to send to and those skipped.
func (s *Service) AudienceCount(ctx context.Context, wsID int64, lists, segments []int64) (send, skip int, err error) {
	err = s.Audience(ctx, wsID, lists, segments, func(r Recipient) error {
		if r.Skip == "" {
			send++
		} else {
			skip++
		}
		return nil
	})
	return send, skip, err
}

// ---- imports ----

// Matches finds, for each input, existing contacts that look like it: the same address, the
// same phone number, or the same name at the same outlet (ignoring case and spaces).
func (s *Service) Matches(ctx context.Context, wsID int64, in []ContactInput) ([][]Match, error) {
	norm := make([]ContactInput, len(in))
	emails, phones, names := map[string][]int{}, map[string][]int{}, map[string][]int{}
	for i := range in {
		norm[i] = in[i]
		norm[i].Outlets = append([]OutletRole(nil), in[i].Outlets...)
		CheckContact(&norm[i]) // normalises; a wrong field just finds nothing
		for _, e := range norm[i].Emails {
			emails[e] = append(emails[e], i)
		}
		for _, p := range norm[i].Phones {
			phones[p] = append(phones[p], i)
		}
		if k := key(norm[i].Name); k != "" && len(norm[i].Outlets) > 0 {
			names[k] = append(names[k], i)
		}
	}
	found := make([][]struct {
		id     int64
		reason string
	}, len(in))
	add := func(i int, id int64, reason string) {
		for _, f := range found[i] {
			if f.id == id {
				return
			}
		}
		found[i] = append(found[i], struct {
			id     int64
			reason string
		}{id, reason})
	}
	lookup := func(q string, vals map[string][]int, reason string, outletOf func(i int) []string) error {
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		return chunk(keys, inChunk, func(part []string) error {
			rows, err := s.d.Query(ctx, q+` IN (`+marks(len(part))+`)`, append([]any{wsID}, anys(part)...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var v, outlet string
				var id int64
				if outletOf == nil {
					err = rows.Scan(&v, &id)
				} else {
					err = rows.Scan(&v, &id, &outlet)
				}
				if err != nil {
					return err
				}
				for _, i := range vals[v] {
					if outletOf == nil || slices.Contains(outletOf(i), outlet) {
						add(i, id, reason)
					}
				}
			}
			return rows.Err()
		})
	}
	if err := lookup(`SELECT email, contact_id FROM press_contact_emails WHERE workspace_id = ? AND email`, emails, "email", nil); err != nil {
		return nil, err
	}
	if err := lookup(`SELECT phone, contact_id FROM press_contact_phones WHERE workspace_id = ? AND phone`, phones, "phone", nil); err != nil {
		return nil, err
	}
	if err := lookup(`SELECT c.name_key, c.id, o.name_key FROM press_contacts c JOIN press_contact_outlets co ON co.contact_id = c.id
		JOIN press_outlets o ON o.id = co.outlet_id WHERE c.workspace_id = ? AND c.name_key`, names, "name_outlet", func(i int) []string {
		var ks []string
		for _, o := range norm[i].Outlets {
			ks = append(ks, key(o.Outlet))
		}
		return ks
	}); err != nil {
		return nil, err
	}
	var ids []int64
	for _, fs := range found {
		for _, f := range fs {
			ids = append(ids, f.id)
		}
	}
	contacts, err := loadContacts(ctx, s.d, wsID, ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Contact{}
	for _, c := range contacts {
		byID[c.ID] = c
	}
	out := make([][]Match, len(in))
	for i, fs := range found {
		for _, f := range fs {
			c := byID[f.id]
			out[i] = append(out[i], Match{ContactID: f.id, Name: c.Name, Outlet: c.Outlet(), Email: c.Email(), Reason: f.reason})
		}
	}
	return out, nil
}

// ApplyImport creates and merges contacts in the caller's transaction, in batches. Inputs are
// normalised here too; an invalid row fails the import (the importer checks rows first with
// CheckContact). A suppressed address stays suppressed and a withdrawn consent stays withdrawn,
// whatever the file says; a merge fills empty fields and adds values, never overwriting.
func (s *Service) ApplyImport(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, rows []ImportRow, listID int64, source string) (ImportResult, error) {
	var res ImportResult
	members, err := s.Members(ctx, wsID)
	if err != nil {
		return res, err
	}
	member := map[int64]bool{}
	for _, m := range members {
		member[m.ID] = true
	}
	ins := make([]ContactInput, len(rows))
	for i, r := range rows {
		ins[i] = r.Input
		if errs := CheckContact(&ins[i]); errs != nil {
			return res, invalidRow(i, errs)
		}
		if !member[ins[i].OwnerID] {
			ins[i].OwnerID = 0 // an owner must be a member of the workspace
		}
		if ins[i].Consent.Status != "unknown" && ins[i].Consent.At.IsZero() {
			ins[i].Consent.At = now()
		}
		if ins[i].Consent.Source == "" && ins[i].Consent.Status != "unknown" {
			ins[i].Consent.Source = clip("import: "+source, 200)
		}
	}
	if listID != 0 {
		if _, err := listByID(ctx, tx, wsID, listID); err != nil {
			return res, err
		}
	}
	outlets, err := resolveOutlets(ctx, tx, wsID, ins)
	if err != nil {
		return res, err
	}
	var newIns, mergeIns []ContactInput
	var mergeIDs []int64
	for i, r := range rows {
		if r.MergeInto == 0 {
			newIns = append(newIns, ins[i])
		} else {
			mergeIns, mergeIDs = append(mergeIns, ins[i]), append(mergeIDs, r.MergeInto)
		}
	}
	newIDs, err := insertContacts(ctx, tx, wsID, newIns)
	if err != nil {
		return res, err
	}
	if err := writeChildren(ctx, tx, wsID, newIDs, newIns, 0, outlets); err != nil {
		return res, err
	}
	if err := mergeContacts(ctx, tx, wsID, mergeIDs, mergeIns); err != nil {
		return res, err
	}
	// Added values go after what the contact had, so its primary address and outlet stay.
	if err := writeChildren(ctx, tx, wsID, mergeIDs, mergeIns, 1000, outlets); err != nil {
		return res, err
	}
	all := append(append([]int64(nil), newIDs...), mergeIDs...)
	if err := withdrawnBySuppression(ctx, tx, wsID, all); err != nil {
		return res, err
	}
	t := now()
	var evs [][]any
	for _, id := range newIDs {
		evs = append(evs, []any{wsID, id, "imported", t, clip(source, 500), nullID(a.UserID)})
	}
	for _, id := range mergeIDs {
		evs = append(evs, []any{wsID, id, "merged", t, clip(source, 500), nullID(a.UserID)})
	}
	if err := insertRows(ctx, tx, "press_events", []string{"workspace_id", "contact_id", "kind", "at", "title", "by_id"}, evs, ""); err != nil {
		return res, err
	}
	if listID != 0 {
		if _, err := addMembers(ctx, tx, wsID, listID, all); err != nil {
			return res, err
		}
	}
	// ContactIDs follow the rows' order.
	ordered := make([]int64, 0, len(rows))
	ni, mi := 0, 0
	for _, r := range rows {
		if r.MergeInto == 0 {
			ordered, ni = append(ordered, newIDs[ni]), ni+1
		} else {
			ordered, mi = append(ordered, mergeIDs[mi]), mi+1
		}
	}
	res = ImportResult{Created: len(newIDs), Merged: len(mergeIDs), ContactIDs: ordered}
	return res, audit.Record(ctx, tx, a.Entry(wsID, "press.contacts_imported", "press_import", clip(source, 200), map[string]audit.Change{
		"created": {To: res.Created}, "merged": {To: res.Merged}}))
}

func invalidRow(i int, errs map[string]string) error {
	f := map[string]string{}
	for k, v := range errs {
		f["rows."+strconv.Itoa(i)+"."+k] = v
	}
	return &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid", Fields: f}
}

// mergeContacts fills the empty fields of existing contacts (ids[i] from ins[i]). A withdrawn
// consent is never replaced; do-not-contact, once on, stays on.
func mergeContacts(ctx context.Context, tx *db.Tx, wsID int64, ids []int64, ins []ContactInput) error {
	t := now()
	for i, id := range ids {
		in := ins[i]
		socials := "{}"
		if len(in.Socials) > 0 {
			raw, _ := json.Marshal(in.Socials)
			socials = string(raw)
		}
		res, err := tx.Exec(ctx, `UPDATE press_contacts SET
			salutation = CASE WHEN salutation = '' THEN ? ELSE salutation END,
			province = CASE WHEN province = '' THEN ? ELSE province END,
			city = CASE WHEN city = '' THEN ? ELSE city END,
			whatsapp = CASE WHEN whatsapp = '' THEN ? ELSE whatsapp END,
			socials = CASE WHEN socials = '{}' THEN ? ELSE socials END,
			notes = CASE WHEN notes = '' THEN ? ELSE notes END,
			consent_basis = CASE WHEN consent_status = 'unknown' AND ? <> 'unknown' THEN ? ELSE consent_basis END,
			consent_source = CASE WHEN consent_status = 'unknown' AND ? <> 'unknown' THEN ? ELSE consent_source END,
			consent_at = CASE WHEN consent_status = 'unknown' AND ? <> 'unknown' THEN ? ELSE consent_at END,
			consent_status = CASE WHEN consent_status = 'unknown' THEN ? ELSE consent_status END,
			do_not_contact = (do_not_contact OR ?),
			updated_at = ?
			WHERE workspace_id = ? AND id = ?`,
			in.Salutation, in.Province, in.City, in.WhatsApp, socials, in.Notes,
			in.Consent.Status, in.Consent.Basis, in.Consent.Status, in.Consent.Source, in.Consent.Status, nullTime(in.Consent.At), in.Consent.Status,
			in.DoNotContact, t, wsID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
	}
	return nil
}
