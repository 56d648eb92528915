// Package tabular reads contact spreadsheets (CSV in the encodings and delimiters people actually send, and
// XLSX) and writes exports that a spreadsheet opens safely. It knows no database; its error keys live in the
// "importer" catalog, which owns the words.
package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Limits of what Read accepts.
const (
	MaxBytes = 20 << 20
	MaxRows  = 100_000
)

// Options override what Read would detect.
type Options struct {
	Delimiter rune   // 0: detect among , ; \t |
	Encoding  string // "": detect; "utf-8", "windows-1252", "mixed" (UTF-8 lines, the rest Windows-1252), "utf-16le" or "utf-16be"
	Header    *bool  // nil: detect
	Sheet     string // XLSX: "" the first sheet
}

// Table is a file read into rows of text.
type Table struct {
	Format    string // "csv" or "xlsx"
	Delimiter rune
	Encoding  string
	HasHeader bool
	Sheet     string
	Sheets    []string
	Header    []string // column names (from the header row, or "Column 1"… when there is none)
	Rows      [][]string
	Lines     []int // where each row starts in the file (line for CSV, row for XLSX), for error messages
	// RowErrors holds, by index into Rows, the catalog key of why a row could not be read cleanly (an
	// unclosed quote); such a row holds the line split as plain text.
	RowErrors map[int]string
}

// Error is a reason a file cannot be read at all. Key is an "importer" catalog key; Line is 0 when the
// problem is not at one place.
type Error struct {
	Key  string
	Line int
	Err  error
}

func (e *Error) Error() string {
	s := e.Key
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Catalog keys of the errors Read returns.
const (
	KeyTooLarge      = "importer.error.too_large"
	KeyTooManyRows   = "importer.error.too_many_rows"
	KeyEmpty         = "importer.error.empty"
	KeyXLS           = "importer.error.xls"
	KeyBadXLSX       = "importer.error.bad_xlsx"
	KeyNoSheet       = "importer.error.no_sheet"
	KeyBadEncoding   = "importer.error.bad_encoding"
	KeyBadDelimiter  = "importer.error.bad_delimiter"
	KeyUnclosedQuote = "importer.error.unclosed_quote"
	KeyRead          = "importer.error.read"
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // legacy .xls
)

// Read reads a CSV or XLSX file. The format is told by the content (an XLSX is a zip), not only by the name.
func Read(r io.Reader, filename string, opt Options) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, &Error{Key: KeyRead, Err: err}
	}
	if len(data) > MaxBytes {
		return nil, &Error{Key: KeyTooLarge}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Key: KeyEmpty}
	}
	var t *Table
	switch {
	case bytes.HasPrefix(data, zipMagic):
		t, err = readXLSX(data, opt)
	case bytes.HasPrefix(data, oleMagic):
		return nil, &Error{Key: KeyXLS}
	case strings.EqualFold(filepath.Ext(filename), ".xlsx"):
		return nil, &Error{Key: KeyBadXLSX}
	default:
		t, err = readCSV(data, opt)
	}
	if err != nil {
		return nil, err
	}
	if len(t.Rows) == 0 && len(t.Header) == 0 {
		return nil, &Error{Key: KeyEmpty}
	}
	return t, nil
}

// finish decides on the header row and names the columns once all rows are read.
func (t *Table) finish(opt Options) {
	switch {
	case opt.Header != nil:
		t.HasHeader = *opt.Header
	case len(t.Rows) > 0:
		var next []string
		if len(t.Rows) > 1 {
			next = t.Rows[1]
		}
		t.HasHeader = looksLikeHeader(t.Rows[0], next)
	}
	width := 0
	for _, row := range t.Rows {
		width = max(width, len(row))
	}
	if t.HasHeader && len(t.Rows) > 0 {
		t.Header = t.Rows[0]
		t.Rows, t.Lines = t.Rows[1:], t.Lines[1:]
		if len(t.RowErrors) > 0 {
			shifted := map[int]string{}
			for i, k := range t.RowErrors {
				if i > 0 {
					shifted[i-1] = k
				}
			}
			t.RowErrors = shifted
		}
	}
	for i, h := range t.Header {
		t.Header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	for len(t.Header) < width {
		t.Header = append(t.Header, fmt.Sprintf("Column %d", len(t.Header)+1))
	}
	for i, h := range t.Header {
		if h == "" {
			t.Header[i] = fmt.Sprintf("Column %d", i+1)
		}
	}
}

// rowLimit is the error for a file with more rows than MaxRows (a header row does not count).
func rowLimit(line int) error {
	return &Error{Key: KeyTooManyRows, Line: line, Err: errors.New("too many rows")}
}
