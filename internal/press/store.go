package press

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// The SQL of the media-relations tables. Every query names the workspace in its WHERE.

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// marks is "?, ?, ?" for n values.
func marks(n int) string {
	if n <= 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// chunk calls fn with successive parts of at most size items, so one statement never carries more
// parameters than either engine takes.
func chunk[T any](vs []T, size int, fn func([]T) error) error {
	for len(vs) > 0 {
		n := min(size, len(vs))
		if err := fn(vs[:n]); err != nil {
			return err
		}
		vs = vs[n:]
	}
	return nil
}

// inChunk is how many values an IN list or a multi-row insert carries at most.
const inChunk = 500

// insertRows writes rows into table in multi-row INSERTs; suffix follows each (ON CONFLICT …).
func insertRows(ctx context.Context, tx *db.Tx, table string, cols []string, rows [][]any, suffix string) error {
	_, err := insertMany(ctx, tx, table, cols, rows, suffix, false)
	return err
}

// insertMany writes rows in batches and, with returning, gives back the new ids in row order:
// identity values are handed out in the order rows are inserted within a statement on both
// engines, so the returned ids sorted ascending line up with the rows.
func insertMany(ctx context.Context, tx *db.Tx, table string, cols []string, rows [][]any, suffix string, returning bool) ([]int64, error) {
	if returning {
		suffix += " RETURNING id"
	}
	var ids []int64
	collect := func(q string, args []any) error {
		if !returning {
			_, err := tx.Exec(ctx, q, args...)
			return err
		}
		r, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer r.Close()
		var got []int64
		for r.Next() {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			got = append(got, id)
		}
		slices.Sort(got)
		ids = append(ids, got...)
		return r.Err()
	}
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") "
	if tx.Dialect() == db.Postgres {
		// One array parameter per column: PostgreSQL plans a statement with thousands of
		// parameters slowly, and unnest keeps the rows' order.
		return ids, chunk(rows, 5000, func(part [][]any) error {
			q, args := unnestArgs(cols, part)
			return collect(head+q+" "+suffix, args)
		})
	}
	per := max(1, 2000/len(cols))
	one := "(" + marks(len(cols)) + ")"
	return ids, chunk(rows, per, func(part [][]any) error {
		var b strings.Builder
		b.WriteString(head + "VALUES ")
		args := make([]any, 0, len(part)*len(cols))
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		return collect(b.String()+" "+suffix, args)
	})
}

// unnestArgs turns rows into one typed array per column for PostgreSQL's unnest. A column's type
// comes from its first non-NULL value; a column of NULLs only is a time when named *_at, else an id.
func unnestArgs(cols []string, rows [][]any) (string, []any) {
	casts := make([]string, len(cols))
	args := make([]any, len(cols))
	for j := range cols {
		kind := "bigint"
		if strings.HasSuffix(cols[j], "_at") {
			kind = "timestamptz"
		}
	rows:
		for _, r := range rows {
			switch r[j].(type) {
			case nil:
				continue
			case string:
				kind = "text"
			case bool:
				kind = "boolean"
			case time.Time:
				kind = "timestamptz"
			default:
				kind = "bigint"
			}
			break rows
		}
		switch kind {
		case "text":
			a := make([]*string, len(rows))
			for i, r := range rows {
				if v, ok := r[j].(string); ok {
					a[i] = &v
				}
			}
			args[j] = a
		case "boolean":
			a := make([]bool, len(rows))
			for i, r := range rows {
				a[i], _ = r[j].(bool)
			}
			args[j] = a
		case "timestamptz":
			a := make([]*time.Time, len(rows))
			for i, r := range rows {
				if v, ok := r[j].(time.Time); ok {
					a[i] = &v
				}
			}
			args[j] = a
		default:
			a := make([]*int64, len(rows))
			for i, r := range rows {
				switch v := r[j].(type) {
				case int64:
					a[i] = &v
				case int:
					n := int64(v)
					a[i] = &n
				}
			}
			args[j] = a
		}
		casts[j] = "?::" + kind + "[]"
	}
	return "SELECT * FROM unnest(" + strings.Join(casts, ", ") + ")", args
}

// ---- contacts ----

const contactColumns = `c.id, c.workspace_id, c.name, c.salutation, c.province, c.city, c.country, c.whatsapp, c.socials, c.notes,
	COALESCE(c.owner_id, 0), c.consent_status, c.consent_basis, c.consent_source, c.consent_at, c.do_not_contact, c.last_contacted_at,
	c.created_at, c.updated_at`

func scanContact(row interface{ Scan(...any) error }) (*Contact, error) {
	c := &Contact{}
	var socials string
	var consentAt, contacted sql.NullTime
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Salutation, &c.Province, &c.City, &c.Country, &c.WhatsApp, &socials, &c.Notes,
		&c.OwnerID, &c.Consent.Status, &c.Consent.Basis, &c.Consent.Source, &consentAt, &c.DoNotContact, &contacted, &c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(socials), &c.Socials)
	if c.Socials == nil {
		c.Socials = map[string]string{}
	}
	if consentAt.Valid {
		c.Consent.At = consentAt.Time.UTC()
	}
	if contacted.Valid {
		t := contacted.Time.UTC()
		c.LastContacted = &t
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

// loadContacts reads the contacts with these ids, in that order, with every many-valued field.
func loadContacts(ctx context.Context, c db.Conn, wsID int64, ids []int64) ([]Contact, error) {
	byID := map[int64]*Contact{}
	err := chunk(ids, inChunk, func(part []int64) error {
		args := append([]any{wsID}, anys(part)...)
		in := ` IN (` + marks(len(part)) + `)`
		rows, err := c.Query(ctx, `SELECT `+contactColumns+` FROM press_contacts c WHERE c.workspace_id = ? AND c.id`+in, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			ct, err := scanContact(rows)
			if err != nil {
				rows.Close()
				return err
			}
			ct.Outlets, ct.Beats, ct.Languages, ct.Emails, ct.Phones, ct.Labels = []ContactOutlet{}, []string{}, []string{}, []string{}, []string{}, []string{}
			byID[ct.ID] = ct
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		each := func(q string, fn func(*sql.Rows) error) error {
			rows, err := c.Query(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if err := fn(rows); err != nil {
					return err
				}
			}
			return rows.Err()
		}
		if err := each(`SELECT co.contact_id, o.id, o.name, o.type, co.role FROM press_contact_outlets co JOIN press_outlets o ON o.id = co.outlet_id
			WHERE co.workspace_id = ? AND co.contact_id`+in+` ORDER BY co.position, o.name_key`, func(r *sql.Rows) error {
			var id int64
			var o ContactOutlet
			if err := r.Scan(&id, &o.ID, &o.Name, &o.Type, &o.Role); err != nil {
				return err
			}
			if ct := byID[id]; ct != nil {
				ct.Outlets = append(ct.Outlets, o)
			}
			return nil
		}); err != nil {
			return err
		}
		if err := each(`SELECT contact_id, email FROM press_contact_emails WHERE workspace_id = ? AND contact_id`+in+` ORDER BY position, email`,
			func(r *sql.Rows) error {
				var id int64
				var v string
				if err := r.Scan(&id, &v); err != nil {
					return err
				}
				if ct := byID[id]; ct != nil {
					ct.Emails = append(ct.Emails, v)
				}
				return nil
			}); err != nil {
			return err
		}
		if err := each(`SELECT contact_id, phone FROM press_contact_phones WHERE workspace_id = ? AND contact_id`+in+` ORDER BY position, phone`,
			func(r *sql.Rows) error {
				var id int64
				var v string
				if err := r.Scan(&id, &v); err != nil {
					return err
				}
				if ct := byID[id]; ct != nil {
					ct.Phones = append(ct.Phones, v)
				}
				return nil
			}); err != nil {
			return err
		}
		return each(`SELECT contact_id, kind, value FROM press_contact_tags WHERE workspace_id = ? AND contact_id`+in+` ORDER BY position, value_key`,
			func(r *sql.Rows) error {
				var id int64
				var kind, v string
				if err := r.Scan(&id, &kind, &v); err != nil {
					return err
				}
				ct := byID[id]
				if ct == nil {
					return nil
				}
				switch kind {
				case "beat":
					ct.Beats = append(ct.Beats, v)
				case "lang":
					ct.Languages = append(ct.Languages, v)
				case "label":
					ct.Labels = append(ct.Labels, v)
				}
				return nil
			})
	})
	if err != nil {
		return nil, err
	}
	out := make([]Contact, 0, len(ids))
	for _, id := range ids {
		if ct := byID[id]; ct != nil {
			out = append(out, *ct)
		}
	}
	return out, nil
}

func contactByID(ctx context.Context, c db.Conn, wsID, id int64) (*Contact, error) {
	list, err := loadContacts(ctx, c, wsID, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, db.ErrNotFound
	}
	return &list[0], nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// condSQL is one segment condition on the contact c, as SQL and its arguments.
func condSQL(cd Condition) (string, []any) {
	lower := make([]string, len(cd.Values))
	for i, v := range cd.Values {
		lower[i] = strings.ToLower(v)
	}
	vals := anys(lower)
	in := ` IN (` + marks(len(vals)) + `)`
	tag := func(kind string) (string, []any) {
		return `EXISTS (SELECT 1 FROM press_contact_tags t WHERE t.contact_id = c.id AND t.kind = ? AND t.value_key` + in + `)`,
			append([]any{kind}, vals...)
	}
	outlet := func(col string) (string, []any) {
		return `EXISTS (SELECT 1 FROM press_contact_outlets co JOIN press_outlets o ON o.id = co.outlet_id WHERE co.contact_id = c.id AND ` + col + in + `)`, vals
	}
	switch cd.Field {
	case "beat":
		return tag("beat")
	case "language":
		return tag("lang")
	case "label":
		return tag("label")
	case "province":
		return `LOWER(c.province)` + in, vals
	case "city":
		return `LOWER(c.city)` + in, vals
	case "country":
		return `LOWER(c.country)` + in, vals
	case "consent":
		return `c.consent_status` + in, vals
	case "outlet_type":
		return outlet("o.type")
	case "dewan_pers":
		return outlet("o.dewan_pers")
	case "outlet":
		ids := make([]any, 0, len(cd.Values))
		for _, v := range cd.Values {
			n, _ := strconv.ParseInt(v, 10, 64)
			ids = append(ids, n)
		}
		return `EXISTS (SELECT 1 FROM press_contact_outlets co WHERE co.contact_id = c.id AND co.outlet_id` + in + `)`, ids
	}
	return `1 = 0`, nil // checkConditions lets no other field through
}

// where is the filter's WHERE clause on press_contacts c (without the word WHERE).
func where(wsID int64, f Filter) (string, []any) {
	parts := []string{`c.workspace_id = ?`}
	args := []any{wsID}
	for _, cd := range f.Conditions {
		q, a := condSQL(cd)
		parts = append(parts, q)
		args = append(args, a...)
	}
	if f.List != 0 {
		parts = append(parts, `EXISTS (SELECT 1 FROM press_list_members m WHERE m.contact_id = c.id AND m.list_id = ?)`)
		args = append(args, f.List)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + likeEscaper.Replace(key(s)) + "%"
		parts = append(parts, `(c.name_key LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM press_contact_emails e WHERE e.contact_id = c.id AND e.email LIKE ? ESCAPE '\')
			OR EXISTS (SELECT 1 FROM press_contact_outlets co JOIN press_outlets o ON o.id = co.outlet_id WHERE co.contact_id = c.id AND o.name_key LIKE ? ESCAPE '\'))`)
		args = append(args, like, like, like)
	}
	if f.After > 0 {
		parts = append(parts, `c.id > ?`)
		args = append(args, f.After)
	}
	return strings.Join(parts, " AND "), args
}

var contactOrders = map[string]string{
	"name": `c.name_key, c.id`,
	"outlet": `COALESCE((SELECT o.name_key FROM press_contact_outlets co JOIN press_outlets o ON o.id = co.outlet_id
		WHERE co.contact_id = c.id ORDER BY co.position LIMIT 1), '~'), c.name_key, c.id`,
	"created":   `c.created_at DESC, c.id DESC`,
	"contacted": `c.last_contacted_at IS NULL, c.last_contacted_at DESC, c.id`,
	"id":        `c.id`,
}

func contactIDs(ctx context.Context, c db.Conn, wsID int64, f Filter) ([]int64, error) {
	w, args := where(wsID, f)
	order, ok := contactOrders[f.Sort]
	if !ok {
		order = contactOrders["name"]
	}
	q := `SELECT c.id FROM press_contacts c WHERE ` + w + ` ORDER BY ` + order
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func countContacts(ctx context.Context, c db.Conn, wsID int64, f Filter) (int, error) {
	w, args := where(wsID, f)
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM press_contacts c WHERE `+w, args...).Scan(&n)
	return n, err
}

// insertContacts creates contacts from checked inputs and returns their ids in input order.
func insertContacts(ctx context.Context, tx *db.Tx, wsID int64, ins []ContactInput) ([]int64, error) {
	cols := []string{"workspace_id", "name", "name_key", "salutation", "province", "city", "country", "whatsapp", "socials", "notes",
		"owner_id", "consent_status", "consent_basis", "consent_source", "consent_at", "do_not_contact", "created_at", "updated_at"}
	t := now()
	rows := make([][]any, 0, len(ins))
	for _, in := range ins {
		socials, _ := json.Marshal(in.Socials)
		rows = append(rows, []any{wsID, in.Name, key(in.Name), in.Salutation, in.Province, in.City, in.Country, in.WhatsApp, string(socials), in.Notes,
			nullID(in.OwnerID), in.Consent.Status, in.Consent.Basis, in.Consent.Source, nullTime(in.Consent.At), in.DoNotContact, t, t})
	}
	return insertMany(ctx, tx, "press_contacts", cols, rows, "", true)
}

func updateContactRow(ctx context.Context, tx *db.Tx, wsID, id int64, in ContactInput) error {
	socials, _ := json.Marshal(in.Socials)
	res, err := tx.Exec(ctx, `UPDATE press_contacts SET name = ?, name_key = ?, salutation = ?, province = ?, city = ?, country = ?, whatsapp = ?,
		socials = ?, notes = ?, owner_id = ?, consent_status = ?, consent_basis = ?, consent_source = ?, consent_at = ?, do_not_contact = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		in.Name, key(in.Name), in.Salutation, in.Province, in.City, in.Country, in.WhatsApp, string(socials), in.Notes, nullID(in.OwnerID),
		in.Consent.Status, in.Consent.Basis, in.Consent.Source, nullTime(in.Consent.At), in.DoNotContact, now(), wsID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// clearChildren removes a contact's many-valued fields before they are written anew.
func clearChildren(ctx context.Context, tx *db.Tx, wsID, id int64) error {
	for _, t := range []string{"press_contact_outlets", "press_contact_emails", "press_contact_phones", "press_contact_tags"} {
		if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE workspace_id = ? AND contact_id = ?`, wsID, id); err != nil {
			return err
		}
	}
	return nil
}

// writeChildren adds the many-valued fields of contacts ids[i] from ins[i], positions starting at
// base (0 for a new or rewritten contact; high for a merge, so what was there stays first). What
// a contact already has is left alone. outlets maps each outlet name key to its id.
func writeChildren(ctx context.Context, tx *db.Tx, wsID int64, ids []int64, ins []ContactInput, base int, outlets map[string]int64) error {
	var co, em, ph, tg [][]any
	for i, in := range ins {
		id := ids[i]
		for j, o := range in.Outlets {
			oid := o.OutletID
			if oid == 0 {
				oid = outlets[key(o.Outlet)]
			}
			if oid != 0 {
				co = append(co, []any{id, wsID, oid, o.Role, base + j})
			}
		}
		for j, e := range in.Emails {
			em = append(em, []any{id, wsID, e, HashEmail(e), base + j})
		}
		for j, p := range in.Phones {
			ph = append(ph, []any{id, wsID, p, base + j})
		}
		for kind, vs := range map[string][]string{"beat": in.Beats, "lang": in.Languages, "label": in.Labels} {
			for j, v := range vs {
				tg = append(tg, []any{id, wsID, kind, v, strings.ToLower(v), base + j})
			}
		}
	}
	const skip = "ON CONFLICT DO NOTHING"
	if err := insertRows(ctx, tx, "press_contact_outlets", []string{"contact_id", "workspace_id", "outlet_id", "role", "position"}, co, skip); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "press_contact_emails", []string{"contact_id", "workspace_id", "email", "email_hash", "position"}, em, skip); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "press_contact_phones", []string{"contact_id", "workspace_id", "phone", "position"}, ph, skip); err != nil {
		return err
	}
	return insertRows(ctx, tx, "press_contact_tags", []string{"contact_id", "workspace_id", "kind", "value", "value_key", "position"}, tg, skip)
}

// resolveOutlets finds the outlets the inputs name, creating those that do not exist yet, and
// checks that outlets given by id belong to the workspace. It returns name keys to ids.
func resolveOutlets(ctx context.Context, tx *db.Tx, wsID int64, ins []ContactInput) (map[string]int64, error) {
	names := map[string]string{}
	var ids []int64
	for _, in := range ins {
		for _, o := range in.Outlets {
			if o.OutletID != 0 {
				ids = append(ids, o.OutletID)
			} else if k := key(o.Outlet); k != "" {
				if _, ok := names[k]; !ok {
					names[k] = o.Outlet
				}
			}
		}
	}
	if len(ids) > 0 {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		found := 0
		err := chunk(ids, inChunk, func(part []int64) error {
			var n int
			err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM press_outlets WHERE workspace_id = ? AND id IN (`+marks(len(part))+`)`,
				append([]any{wsID}, anys(part)...)...).Scan(&n)
			found += n
			return err
		})
		if err != nil {
			return nil, err
		}
		if found != len(ids) {
			return nil, errUnknownOutlet
		}
	}
	out := map[string]int64{}
	if len(names) == 0 {
		return out, nil
	}
	t := now()
	var rows [][]any
	keys := make([]string, 0, len(names))
	for k, n := range names {
		keys = append(keys, k)
		rows = append(rows, []any{wsID, n, k, t, t})
	}
	if err := insertRows(ctx, tx, "press_outlets", []string{"workspace_id", "name", "name_key", "created_at", "updated_at"}, rows,
		"ON CONFLICT (workspace_id, name_key) DO NOTHING"); err != nil {
		return nil, err
	}
	err := chunk(keys, inChunk, func(part []string) error {
		r, err := tx.Query(ctx, `SELECT id, name_key FROM press_outlets WHERE workspace_id = ? AND name_key IN (`+marks(len(part))+`)`,
			append([]any{wsID}, anys(part)...)...)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var id int64
			var k string
			if err := r.Scan(&id, &k); err != nil {
				return err
			}
			out[k] = id
		}
		return r.Err()
	})
	return out, err
}

// ---- outlets ----

const outletColumns = `o.id, o.workspace_id, o.name, o.type, o.reach, o.reach_source, o.reach_date, o.province, o.city, o.country, o.language,
	o.website, o.rss_url, o.dewan_pers, o.dewan_pers_checked, o.created_at, o.updated_at,
	(SELECT COUNT(*) FROM press_contact_outlets co WHERE co.outlet_id = o.id)`

func scanOutlet(row interface{ Scan(...any) error }) (*Outlet, error) {
	o := &Outlet{}
	err := row.Scan(&o.ID, &o.WorkspaceID, &o.Name, &o.Type, &o.Reach, &o.ReachSource, &o.ReachDate, &o.Province, &o.City, &o.Country, &o.Language,
		&o.Website, &o.RSS, &o.DewanPers, &o.DewanPersChecked, &o.CreatedAt, &o.UpdatedAt, &o.Contacts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

// OutletFilter narrows the outlet list.
type OutletFilter struct {
	Query     string
	Type      string
	DewanPers string
	Sort      string // name (default), reach, contacts, id
	After     int64
	Limit     int
	Offset    int
}

// OutletSorts are the outlet list's orders.
var OutletSorts = []string{"name", "reach", "contacts"}

var outletOrders = map[string]string{
	"name":     `o.name_key, o.id`,
	"reach":    `o.reach DESC, o.name_key, o.id`,
	"contacts": `18 DESC, o.name_key, o.id`,
	"id":       `o.id`,
}

func listOutlets(ctx context.Context, c db.Conn, wsID int64, f OutletFilter) ([]Outlet, error) {
	q := `SELECT ` + outletColumns + ` FROM press_outlets o WHERE o.workspace_id = ?`
	args := []any{wsID}
	if s := key(f.Query); s != "" {
		q += ` AND (o.name_key LIKE ? ESCAPE '\' OR LOWER(o.city) LIKE ? ESCAPE '\' OR LOWER(o.website) LIKE ? ESCAPE '\')`
		like := "%" + likeEscaper.Replace(s) + "%"
		args = append(args, like, like, like)
	}
	if f.Type != "" {
		q += ` AND o.type = ?`
		args = append(args, f.Type)
	}
	if f.DewanPers != "" {
		q += ` AND o.dewan_pers = ?`
		args = append(args, f.DewanPers)
	}
	if f.After > 0 {
		q += ` AND o.id > ?`
		args = append(args, f.After)
	}
	order, ok := outletOrders[f.Sort]
	if !ok {
		order = outletOrders["name"]
	}
	q += ` ORDER BY ` + order
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Outlet
	for rows.Next() {
		o, err := scanOutlet(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

func outletByID(ctx context.Context, c db.Conn, wsID, id int64) (*Outlet, error) {
	return scanOutlet(c.QueryRow(ctx, `SELECT `+outletColumns+` FROM press_outlets o WHERE o.workspace_id = ? AND o.id = ?`, wsID, id))
}

// ---- lists and segments ----

func listLists(ctx context.Context, c db.Conn, wsID int64, q string) ([]List, error) {
	sqlq := `SELECT l.id, l.name, l.description, l.created_at, l.updated_at,
		(SELECT COUNT(*) FROM press_list_members m WHERE m.list_id = l.id) FROM press_lists l WHERE l.workspace_id = ?`
	args := []any{wsID}
	if s := key(q); s != "" {
		sqlq += ` AND LOWER(l.name) LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(s)+"%")
	}
	rows, err := c.Query(ctx, sqlq+` ORDER BY LOWER(l.name), l.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []List
	for rows.Next() {
		var l List
		if err := rows.Scan(&l.ID, &l.Name, &l.Description, &l.CreatedAt, &l.UpdatedAt, &l.Count); err != nil {
			return nil, err
		}
		l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

func listByID(ctx context.Context, c db.Conn, wsID, id int64) (*List, error) {
	var l List
	err := c.QueryRow(ctx, `SELECT l.id, l.name, l.description, l.created_at, l.updated_at,
		(SELECT COUNT(*) FROM press_list_members m WHERE m.list_id = l.id) FROM press_lists l WHERE l.workspace_id = ? AND l.id = ?`, wsID, id).
		Scan(&l.ID, &l.Name, &l.Description, &l.CreatedAt, &l.UpdatedAt, &l.Count)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return &l, err
}

// addMembers puts contacts of the workspace on a list; ids of other workspaces are ignored.
func addMembers(ctx context.Context, tx *db.Tx, wsID, listID int64, ids []int64) (int, error) {
	t := now()
	added := 0
	err := chunk(ids, inChunk, func(part []int64) error {
		res, err := tx.Exec(ctx, `INSERT INTO press_list_members (list_id, workspace_id, contact_id, added_at)
			SELECT ?, ?, c.id, ? FROM press_contacts c WHERE c.workspace_id = ? AND c.id IN (`+marks(len(part))+`)
			ON CONFLICT DO NOTHING`, append([]any{listID, wsID, t, wsID}, anys(part)...)...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		added += int(n)
		return nil
	})
	return added, err
}

func scanSegment(row interface{ Scan(...any) error }) (*Segment, error) {
	var sg Segment
	var conds string
	err := row.Scan(&sg.ID, &sg.Name, &conds, &sg.CreatedAt, &sg.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(conds), &sg.Conditions)
	if sg.Conditions == nil {
		sg.Conditions = []Condition{}
	}
	sg.CreatedAt, sg.UpdatedAt = sg.CreatedAt.UTC(), sg.UpdatedAt.UTC()
	return &sg, nil
}

func listSegments(ctx context.Context, c db.Conn, wsID int64) ([]Segment, error) {
	rows, err := c.Query(ctx, `SELECT id, name, conditions, created_at, updated_at FROM press_segments WHERE workspace_id = ? ORDER BY LOWER(name), id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Segment
	for rows.Next() {
		sg, err := scanSegment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *sg)
	}
	return out, rows.Err()
}

func segmentByID(ctx context.Context, c db.Conn, wsID, id int64) (*Segment, error) {
	return scanSegment(c.QueryRow(ctx, `SELECT id, name, conditions, created_at, updated_at FROM press_segments WHERE workspace_id = ? AND id = ?`, wsID, id))
}

// ---- suppressions ----

func scanSuppression(row interface{ Scan(...any) error }) (*Suppression, error) {
	var s Suppression
	var email sql.NullString
	err := row.Scan(&s.ID, &email, &s.Hash, &s.Reason, &s.Detail, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	s.Email, s.CreatedAt = email.String, s.CreatedAt.UTC()
	return &s, err
}

// suppress puts an address on the list. An entry already there keeps its reason unless the new
// one is "unsubscribed", the person's own word, which wins. It reports whether anything changed.
func suppress(ctx context.Context, tx *db.Tx, wsID int64, email, reason, detail string, by int64) (bool, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	res, err := tx.Exec(ctx, `INSERT INTO press_suppressions (workspace_id, email, email_hash, reason, detail, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, email_hash) DO UPDATE SET reason = excluded.reason, detail = excluded.detail
		WHERE press_suppressions.reason <> 'unsubscribed' AND excluded.reason = 'unsubscribed'`,
		wsID, email, HashEmail(email), reason, detail, nullID(by), now())
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
