// Package importer brings contacts into media relations from the CSV and XLSX files people have:
// exports of Cision, Muck Rack and Prowly, or a spreadsheet kept by hand. A file is read (package
// tabular), its columns are mapped to contact fields, every row is checked in a background job
// (errors with their line, duplicates within the file and with existing contacts), a person decides
// what happens to each duplicate, and the import is applied in one transaction: it all happens, or
// nothing does. Contacts themselves belong to package press, reached through Contacts.
package importer

import (
	"context"
	"embed"
	"net/http"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations creates the import tables.
var Migrations = db.Migrations{Name: "importer", FS: migrations}

// Catalog holds the import screens' words, and those of package tabular's errors.
var Catalog = i18n.Catalog{Name: "importer", FS: i18n.Dir(catalogFiles, "i18n")}

// Contacts is what imports need from media relations (package press implements it).
type Contacts interface {
	Matches(ctx context.Context, wsID int64, in []press.ContactInput) ([][]press.Match, error)
	ApplyImport(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, rows []press.ImportRow, listID int64, source string) (press.ImportResult, error)
	CreateList(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, name string) (int64, error)
	ListChoices(ctx context.Context, wsID int64) ([]press.Choice, error)
}

// States of an import.
const (
	StateMapping  = "mapping"  // read; columns being mapped
	StateChecking = "checking" // the check job is running
	StateChecked  = "checked"  // rows checked; duplicates to decide, then apply
	StateApplied  = "applied"
)

// States lists them in order, for the list's filter.
var States = []string{StateMapping, StateChecking, StateChecked, StateApplied}

// Import is one file being imported, or imported.
type Import struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"-"`
	Filename    string     `json:"filename"`
	Size        int64      `json:"size"`
	Format      string     `json:"format"`
	Delimiter   string     `json:"delimiter"`
	Encoding    string     `json:"encoding"`
	HasHeader   bool       `json:"has_header"`
	Sheet       string     `json:"sheet"`
	Mapping     []string   `json:"mapping"`
	State       string     `json:"state"`
	Total       int        `json:"total_rows"`
	Checked     int        `json:"checked_rows"`
	Problem     string     `json:"-"` // catalog key: why the check could not run
	ProblemLine int        `json:"-"`
	Created     int        `json:"created"`
	Merged      int        `json:"merged"`
	Skipped     int        `json:"skipped"`
	ErrorRows   int        `json:"error_rows"`
	ListID      int64      `json:"list_id"`
	ListName    string     `json:"list_name"`
	CreatedBy   int64      `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	AppliedAt   *time.Time `json:"applied_at"`
	checkRun    int
}

// Percent is how far the check has gone, 0–100.
func (im *Import) Percent() int {
	if im.Total == 0 {
		if im.State == StateChecked || im.State == StateApplied {
			return 100
		}
		return 0
	}
	return im.Checked * 100 / im.Total
}

// Row statuses.
const (
	RowOK        = "ok"
	RowError     = "error"
	RowDuplicate = "duplicate"
)

// Decisions for a duplicate row.
const (
	DecideMerge  = "merge"
	DecideCreate = "create"
	DecideSkip   = "skip"
)

// Problem is something wrong with a row: Key is an importer catalog key taking {{.Value}}; a
// warning (Warn) does not stop the row from being imported, an error does.
type Problem struct {
	Field string `json:"field"`
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
	Warn  bool   `json:"warn,omitempty"`
}

// Row is one checked row.
type Row struct {
	Idx       int                `json:"row"`
	Line      int                `json:"line"`
	Status    string             `json:"status"`
	Problems  []Problem          `json:"problems"`
	Input     press.ContactInput `json:"input"`
	DupOf     int                `json:"duplicate_of_row"` // -1 when not a duplicate within the file
	DupLine   int                `json:"duplicate_of_line,omitempty"`
	Matches   []press.Match      `json:"matches"`
	Decision  string             `json:"decision"`
	MergeInto int64              `json:"merge_into"`
}

// Counts sum up a check.
type Counts struct {
	Ready      int `json:"ready"`
	Errors     int `json:"errors"`
	Duplicates int `json:"duplicates"`
	Warnings   int `json:"warnings"`
}

// Errors a person can act on; their keys are in the importer catalog.
var (
	ErrApplied    = &web.Error{Status: http.StatusConflict, Code: "already_applied", Key: "importer.error.applied"}
	ErrNotChecked = &web.Error{Status: http.StatusConflict, Code: "not_checked", Key: "importer.error.not_checked"}
	ErrChecking   = &web.Error{Status: http.StatusConflict, Code: "checking", Key: "importer.error.checking"}
	ErrNoName     = &web.Error{Status: http.StatusUnprocessableEntity, Code: "no_name_column", Key: "importer.error.no_name_column"}
	ErrDecision   = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_decision", Key: "importer.error.decision"}
	ErrNoList     = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_list", Key: "importer.error.list"}
)
