package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/tabular"
)

// Service holds the rules of imports.
type Service struct {
	d *db.DB
	q *jobs.Queue
	c Contacts
	// chunk is how many rows the check job checks per transaction (and progress step).
	chunk int
}

// NewService wires the service and registers the check job's worker on q (before q starts).
func NewService(d *db.DB, q *jobs.Queue, c Contacts) *Service {
	s := &Service{d: d, q: q, c: c, chunk: 500}
	jobs.Register(q, &checkWorker{s: s})
	return s
}

// Reading is how a person asks for a file to be read; zero values keep what is stored.
type Reading struct {
	Delimiter string // ",", ";", "\t" or "|"
	Encoding  string
	Header    *bool
	Sheet     string
}

// Create reads an uploaded file, detecting how it is written, and keeps it with a guessed mapping.
// A file that cannot be read at all returns a *tabular.Error.
func (s *Service) Create(ctx context.Context, a audit.Actor, wsID int64, filename string, data []byte) (*Import, error) {
	filename = cleanName(filename)
	t, err := tabular.Read(bytes.NewReader(data), filename, tabular.Options{})
	if err != nil {
		return nil, err
	}
	if len(t.Rows) == 0 {
		return nil, &tabular.Error{Key: tabular.KeyEmpty}
	}
	im := &Import{WorkspaceID: wsID, Filename: filename, Size: int64(len(data)), CreatedBy: a.UserID}
	im.setTable(t)
	im.Mapping = tabular.Guess(t.Header)
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		id, err := insert(ctx, tx, im, data)
		if err != nil {
			return err
		}
		im.ID = id
		return audit.Record(ctx, tx, a.Entry(wsID, "importer.created", "press_import", id, map[string]audit.Change{"file": {To: filename}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, wsID, im.ID)
}

func (im *Import) setTable(t *tabular.Table) {
	im.Format, im.Encoding, im.HasHeader, im.Sheet, im.Total = t.Format, t.Encoding, t.HasHeader, t.Sheet, len(t.Rows)
	im.Delimiter = ""
	if t.Format == "csv" {
		im.Delimiter = string(t.Delimiter)
	}
}

// cleanName keeps the base name of an upload, printable and not too long.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	if utf8.RuneCountInString(name) > 120 {
		name = string([]rune(name)[:120])
	}
	if name == "" || name == "." || name == "/" {
		name = "import.csv"
	}
	return name
}

// Get returns one import of the workspace.
func (s *Service) Get(ctx context.Context, wsID, id int64) (*Import, error) {
	return byID(ctx, s.d, wsID, id, false)
}

// List returns a workspace's imports.
func (s *Service) List(ctx context.Context, wsID int64, f Filter) ([]Import, error) {
	return list(ctx, s.d, wsID, f)
}

func options(im *Import) tabular.Options {
	o := tabular.Options{Encoding: im.Encoding, Header: &im.HasHeader, Sheet: im.Sheet}
	if r, _ := utf8.DecodeRuneInString(im.Delimiter); im.Delimiter != "" {
		o.Delimiter = r
	}
	return o
}

// Table reads the import's file as stored (how to read it, and which sheet); the file is gone once
// the import is applied (db.ErrNotFound).
func (s *Service) Table(ctx context.Context, im *Import) (*tabular.Table, error) {
	data, err := fileData(ctx, s.d, im.WorkspaceID, im.ID)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, db.ErrNotFound
	}
	return tabular.Read(bytes.NewReader(data), im.Filename, options(im))
}

// SetReading re-reads the file with other settings and saves them with the mapping (guessed anew
// when the columns changed; kept when mapping is nil). The import goes back to mapping, its check
// results dropped. A setting that makes the file unreadable returns a *tabular.Error and changes nothing.
func (s *Service) SetReading(ctx context.Context, a audit.Actor, wsID, id int64, rd Reading, mapping []string) (*Import, *tabular.Table, error) {
	im, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, nil, err
	}
	if err := editable(im); err != nil {
		return nil, nil, err
	}
	next := *im
	if rd.Delimiter != "" {
		next.Delimiter = rd.Delimiter
	}
	if rd.Encoding != "" {
		next.Encoding = rd.Encoding
	}
	if rd.Header != nil {
		next.HasHeader = *rd.Header
	}
	if rd.Sheet != "" {
		next.Sheet = rd.Sheet
	}
	data, err := fileData(ctx, s.d, wsID, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := tabular.Read(bytes.NewReader(data), im.Filename, options(&next))
	if err != nil {
		return nil, nil, err
	}
	sameColumns := slices.Equal(t.Header, s.header(ctx, im))
	next.setTable(t)
	switch {
	case !sameColumns:
		next.Mapping = tabular.Guess(t.Header)
	case mapping != nil:
		next.Mapping = cleanMapping(mapping, len(t.Header))
	default:
		next.Mapping = cleanMapping(im.Mapping, len(t.Header))
	}
	if err := s.d.Tx(ctx, func(tx *db.Tx) error { return saveReading(ctx, tx, &next) }); err != nil {
		return nil, nil, err
	}
	im, err = s.Get(ctx, wsID, id)
	return im, t, err
}

// header is the import's current column names, nil when the file cannot be read.
func (s *Service) header(ctx context.Context, im *Import) []string {
	t, err := s.Table(ctx, im)
	if err != nil {
		return nil
	}
	return t.Header
}

func editable(im *Import) error {
	switch im.State {
	case StateApplied:
		return ErrApplied
	case StateChecking:
		return ErrChecking
	}
	return nil
}

// StartCheck saves the mapping and starts checking every row in the background.
func (s *Service) StartCheck(ctx context.Context, a audit.Actor, wsID, id int64, mapping []string) (*Import, error) {
	im, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	if err := editable(im); err != nil {
		return nil, err
	}
	t, err := s.Table(ctx, im)
	if err != nil {
		return nil, err
	}
	if mapping != nil {
		im.Mapping = cleanMapping(mapping, len(t.Header))
	}
	if !hasName(im.Mapping) {
		return nil, ErrNoName
	}
	im.Total = len(t.Rows)
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		cur, err := byID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		if err := editable(cur); err != nil {
			return err
		}
		if err := saveReading(ctx, tx, im); err != nil {
			return err
		}
		run := cur.checkRun + 1
		if _, err := tx.Exec(ctx, `UPDATE press_imports SET state = ?, check_run = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
			StateChecking, run, now(), wsID, id); err != nil {
			return err
		}
		return s.q.InsertTx(ctx, tx, checkArgs{WorkspaceID: wsID, ImportID: id, Run: run}, nil)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, wsID, id)
}

// Source is the consent source written on imported contacts: "import: <file> (<date>)".
func Source(filename string, day time.Time) string {
	suffix := " (" + day.Format("2006-01-02") + ")"
	name := filename
	if max := 200 - len("import: ") - len(suffix); utf8.RuneCountInString(name) > max {
		name = string([]rune(name)[:max])
	}
	return "import: " + name + suffix
}

type checkArgs struct {
	WorkspaceID int64 `json:"workspace_id"`
	ImportID    int64 `json:"import_id"`
	Run         int   `json:"run"`
}

func (checkArgs) Kind() string { return "press_import_check" }

type checkWorker struct {
	river.WorkerDefaults[checkArgs]
	s *Service
}

func (w *checkWorker) Work(ctx context.Context, job *river.Job[checkArgs]) error {
	return w.s.check(ctx, job.Args)
}

func (w *checkWorker) Timeout(*river.Job[checkArgs]) time.Duration { return 15 * time.Minute }

// errStale stops a check that a newer check (or a change of mapping) has replaced.
var errStale = errors.New("a newer check replaced this one")

// check checks every row of an import, chunk by chunk, each chunk committed with the progress
// counter. It starts over when run again (River runs a job at least once).
func (s *Service) check(ctx context.Context, a checkArgs) error {
	im, err := s.Get(ctx, a.WorkspaceID, a.ImportID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if im.State != StateChecking || im.checkRun != a.Run {
		return nil
	}
	t, err := s.Table(ctx, im)
	if err != nil {
		var te *tabular.Error
		if errors.As(err, &te) {
			return s.fail(ctx, a, te.Key, te.Line)
		}
		return err
	}
	mapping := cleanMapping(im.Mapping, len(t.Header))
	source := Source(im.Filename, time.Now())
	err = s.progress(ctx, a, 0, len(t.Rows), func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM press_import_rows WHERE workspace_id = ? AND import_id = ?`, a.WorkspaceID, a.ImportID)
		return err
	})
	if err != nil {
		return err
	}
	seen := map[string]int{} // duplicate keys of the rows so far → their idx
	lines := map[int]int{}
	for start := 0; start < len(t.Rows); start += s.chunk {
		end := min(start+s.chunk, len(t.Rows))
		rows := make([]Row, 0, end-start)
		var inputs []press.ContactInput
		var valid []int
		for i := start; i < end; i++ {
			in, probs := toInput(t.Rows[i], mapping, t.Header, source, t.RowErrors[i])
			if probs == nil {
				probs = []Problem{}
			}
			r := Row{Idx: i, Line: t.Lines[i], Status: RowOK, Problems: probs, Input: in, DupOf: -1, Matches: []press.Match{}}
			lines[i] = r.Line
			if blocking(probs) {
				r.Status = RowError
			} else {
				for _, k := range dupKeys(&in) {
					if first, ok := seen[k]; ok && r.DupOf < 0 {
						r.Status, r.DupOf, r.DupLine, r.Decision = RowDuplicate, first, lines[first], DecideMerge
					}
				}
				for _, k := range dupKeys(&in) {
					if _, ok := seen[k]; !ok {
						seen[k] = i
					}
				}
				inputs = append(inputs, in)
				valid = append(valid, len(rows))
			}
			rows = append(rows, r)
		}
		if len(inputs) > 0 {
			matches, err := s.c.Matches(ctx, a.WorkspaceID, inputs)
			if err != nil {
				return err
			}
			for j, ms := range matches {
				r := &rows[valid[j]]
				if len(ms) == 0 {
					continue
				}
				r.Matches = ms
				if r.Status == RowOK {
					r.Status, r.Decision, r.MergeInto = RowDuplicate, DecideMerge, ms[0].ContactID
				}
			}
		}
		err := s.progress(ctx, a, end, len(t.Rows), func(tx *db.Tx) error {
			return insertRows(ctx, tx, a.WorkspaceID, a.ImportID, rows)
		})
		if errors.Is(err, errStale) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		n, err := countRows(ctx, tx, a.WorkspaceID, a.ImportID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE press_imports SET state = ?, error_rows = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND check_run = ? AND state = ?`,
			StateChecked, n.Errors, now(), a.WorkspaceID, a.ImportID, a.Run, StateChecking)
		return err
	})
	return err
}

// progress runs fn and moves the counter to checked in one transaction, if this check is still the
// current one.
func (s *Service) progress(ctx context.Context, a checkArgs, checked, total int, fn func(tx *db.Tx) error) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE press_imports SET checked_rows = ?, total_rows = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ? AND check_run = ? AND state = ?`, checked, total, now(), a.WorkspaceID, a.ImportID, a.Run, StateChecking)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errStale
		}
		return fn(tx)
	})
}

// fail ends a check that cannot read the file (it changed under a new setting): back to mapping,
// with the reason shown.
func (s *Service) fail(ctx context.Context, a checkArgs, key string, line int) error {
	_, err := s.d.Exec(ctx, `UPDATE press_imports SET state = ?, problem = ?, problem_line = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ? AND check_run = ? AND state = ?`, StateMapping, key, line, now(), a.WorkspaceID, a.ImportID, a.Run, StateChecking)
	return err
}

// dupKeys are what makes two rows of a file the same person: an address, a phone number, or the name
// with the primary outlet.
func dupKeys(in *press.ContactInput) []string {
	var keys []string
	for _, e := range in.Emails {
		keys = append(keys, "e:"+strings.ToLower(e))
	}
	for _, p := range in.Phones {
		keys = append(keys, "p:"+p)
	}
	if len(in.Outlets) > 0 {
		keys = append(keys, "n:"+norm(in.Name)+"|"+norm(in.Outlets[0].Outlet))
	}
	return keys
}

func norm(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// Counts sums up an import's checked rows.
func (s *Service) Counts(ctx context.Context, wsID, id int64) (Counts, error) {
	return countRows(ctx, s.d, wsID, id)
}

// Rows lists an import's checked rows.
func (s *Service) Rows(ctx context.Context, wsID, id int64, f RowFilter) ([]Row, error) {
	rows, err := listRows(ctx, s.d, wsID, id, f)
	if err != nil {
		return nil, err
	}
	lines := map[int]int{}
	var need []int
	for _, r := range rows {
		if r.DupOf >= 0 {
			need = append(need, r.DupOf)
		}
	}
	if len(need) > 0 {
		// The line of the row each one duplicates, for "same as line 12".
		q := `SELECT idx, line FROM press_import_rows WHERE workspace_id = ? AND import_id = ? AND idx IN (` +
			strings.TrimSuffix(strings.Repeat("?, ", len(need)), ", ") + `)`
		args := []any{wsID, id}
		for _, n := range need {
			args = append(args, n)
		}
		res, err := s.d.Query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer res.Close()
		for res.Next() {
			var idx, line int
			if err := res.Scan(&idx, &line); err != nil {
				return nil, err
			}
			lines[idx] = line
		}
		if err := res.Err(); err != nil {
			return nil, err
		}
		for i := range rows {
			if rows[i].DupOf >= 0 {
				rows[i].DupLine = lines[rows[i].DupOf]
			}
		}
	}
	return rows, nil
}

// Decision is a person's choice for one duplicate row: merge (into MergeInto, one of the row's
// matches, or into the earlier row of the file it repeats), create, or skip.
type Decision struct {
	Row       int    `json:"row"`
	Decision  string `json:"decision"`
	MergeInto int64  `json:"merge_into"`
}

// Decide saves choices for duplicate rows. Every choice is checked before any is saved.
func (s *Service) Decide(ctx context.Context, wsID, id int64, ds []Decision) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		im, err := byID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		switch im.State {
		case StateApplied:
			return ErrApplied
		case StateChecked:
		default:
			return ErrNotChecked
		}
		for _, d := range ds {
			rows, err := listRows(ctx, tx, wsID, id, RowFilter{Status: RowDuplicate, After: d.Row - 1, Limit: 1})
			if err != nil {
				return err
			}
			if len(rows) == 0 || rows[0].Idx != d.Row {
				return ErrDecision
			}
			r := rows[0]
			switch d.Decision {
			case DecideCreate, DecideSkip:
				d.MergeInto = 0
			case DecideMerge:
				if r.DupOf >= 0 && d.MergeInto == 0 {
					break
				}
				if d.MergeInto == 0 && len(r.Matches) > 0 {
					d.MergeInto = r.Matches[0].ContactID
				}
				if !slices.ContainsFunc(r.Matches, func(m press.Match) bool { return m.ContactID == d.MergeInto }) {
					return ErrDecision
				}
			default:
				return ErrDecision
			}
			if err := setDecision(ctx, tx, wsID, id, d.Row, d.Decision, d.MergeInto); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListChoice says where imported contacts go: an existing list (ListID), a new one (NewList), or none.
type ListChoice struct {
	ListID  int64
	NewList string
}

// Apply imports the checked rows in one transaction: a failure anywhere changes nothing, and an
// import is applied once.
func (s *Service) Apply(ctx context.Context, a audit.Actor, wsID, id int64, lc ListChoice, zone *time.Location) (*Import, error) {
	lc.NewList = strings.Join(strings.Fields(lc.NewList), " ")
	if utf8.RuneCountInString(lc.NewList) > 200 {
		return nil, ErrNoList
	}
	listName := lc.NewList
	if lc.ListID != 0 && lc.NewList == "" {
		choices, err := s.c.ListChoices(ctx, wsID)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(choices, func(c press.Choice) bool { return c.ID == lc.ListID })
		if i < 0 {
			return nil, ErrNoList
		}
		listName = choices[i].Name
	}
	if zone == nil {
		zone = time.UTC
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		im, err := byID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		switch im.State {
		case StateApplied:
			return ErrApplied
		case StateChecked:
		default:
			return ErrNotChecked
		}
		rows, err := listRows(ctx, tx, wsID, id, RowFilter{After: -1})
		if err != nil {
			return err
		}
		plan := planImport(rows)
		listID := lc.ListID
		if lc.NewList != "" {
			if listID, err = s.c.CreateList(ctx, tx, a, wsID, lc.NewList); err != nil {
				return err
			}
		}
		source := Source(im.Filename, time.Now().In(zone))
		for i := range plan.rows {
			plan.rows[i].Input.Consent.Source = source
		}
		res, err := s.c.ApplyImport(ctx, tx, a, wsID, plan.rows, listID, source)
		if err != nil {
			return fmt.Errorf("applying import %d: %w", id, err)
		}
		if listID == 0 {
			listName = ""
		}
		_, err = tx.Exec(ctx, `UPDATE press_imports SET state = ?, created = ?, merged = ?, skipped = ?, error_rows = ?, list_id = ?, list_name = ?,
			data = NULL, applied_by = ?, applied_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
			StateApplied, res.Created, res.Merged+plan.mergedInFile, plan.skipped, plan.errors, listID, listName,
			nullID(a.UserID), now(), now(), wsID, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "importer.applied", "press_import", id, map[string]audit.Change{
			"file": {To: im.Filename}, "created": {To: res.Created}, "merged": {To: res.Merged + plan.mergedInFile}, "list": {To: listName}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, wsID, id)
}

// plan is what applying a checked import does.
type plan struct {
	rows                          []press.ImportRow
	skipped, errors, mergedInFile int
}

// planImport turns checked rows and their decisions into import rows. A row that repeats an earlier
// row of the file and is to be merged joins that row (its empty fields filled, its addresses added);
// when that row is not imported, it stands on its own.
func planImport(rows []Row) plan {
	var p plan
	at := map[int]int{} // idx → position in p.rows
	for _, r := range rows {
		switch {
		case r.Status == RowError:
			p.errors++
			continue
		case r.Decision == DecideSkip:
			p.skipped++
			continue
		}
		if r.Status == RowDuplicate && r.Decision == DecideMerge && r.DupOf >= 0 && r.MergeInto == 0 {
			if j, ok := at[r.DupOf]; ok {
				mergeInput(&p.rows[j].Input, r.Input)
				at[r.Idx] = j
				p.mergedInFile++
				continue
			}
			if len(r.Matches) > 0 {
				r.MergeInto = r.Matches[0].ContactID
			}
		}
		into := int64(0)
		if r.Decision == DecideMerge {
			into = r.MergeInto
		}
		at[r.Idx] = len(p.rows)
		p.rows = append(p.rows, press.ImportRow{Input: r.Input, MergeInto: into})
	}
	return p
}

// mergeInput fills dst's empty fields from src and adds src's many-valued fields; it never overwrites.
func mergeInput(dst *press.ContactInput, src press.ContactInput) {
	fill := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	fill(&dst.Salutation, src.Salutation)
	fill(&dst.Province, src.Province)
	fill(&dst.City, src.City)
	fill(&dst.WhatsApp, src.WhatsApp)
	fill(&dst.Notes, src.Notes)
	if dst.Country == "" || dst.Country == "ID" && src.Country != "" {
		fill(&dst.Country, src.Country)
	}
	add := func(d *[]string, s []string) {
		for _, v := range s {
			if !slices.ContainsFunc(*d, func(x string) bool { return strings.EqualFold(x, v) }) {
				*d = append(*d, v)
			}
		}
	}
	add(&dst.Emails, src.Emails)
	add(&dst.Phones, src.Phones)
	add(&dst.Beats, src.Beats)
	add(&dst.Labels, src.Labels)
	add(&dst.Languages, src.Languages)
	for _, o := range src.Outlets {
		if !slices.ContainsFunc(dst.Outlets, func(x press.OutletRole) bool { return norm(x.Outlet) == norm(o.Outlet) }) {
			dst.Outlets = append(dst.Outlets, o)
		}
	}
	if dst.Socials == nil {
		dst.Socials = map[string]string{}
	}
	for k, v := range src.Socials {
		if dst.Socials[k] == "" {
			dst.Socials[k] = v
		}
	}
	if dst.Consent.Status == "unknown" && src.Consent.Status != "unknown" {
		dst.Consent.Status = src.Consent.Status
	}
}

// Delete removes an import that has not been applied, with its file. An applied import stays as the
// record of what was imported.
func (s *Service) Delete(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		im, err := byID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		if im.State == StateApplied {
			return ErrApplied
		}
		if _, err := tx.Exec(ctx, `DELETE FROM press_imports WHERE workspace_id = ? AND id = ?`, wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "importer.deleted", "press_import", id, map[string]audit.Change{"file": {From: im.Filename}}))
	})
}

// ListChoices are the lists an import can add its contacts to.
func (s *Service) ListChoices(ctx context.Context, wsID int64) ([]press.Choice, error) {
	return s.c.ListChoices(ctx, wsID)
}

// EraseContact removes a contact being erased from the rows of past imports, which keep what
// each row of a file said.
func (s *Service) EraseContact(ctx context.Context, tx *db.Tx, wsID, _ int64, emails []string) error {
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if _, err := tx.Exec(ctx, `DELETE FROM press_import_rows WHERE workspace_id = ? AND LOWER(input) LIKE ?`, wsID, "%"+e+"%"); err != nil {
			return err
		}
	}
	return nil
}
