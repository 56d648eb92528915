package tabular

import (
	"bytes"
	"io"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Unzipped size allowed for an XLSX: a 20 MB zip of repetitive XML may expand a lot, but not without bound.
const maxUnzipped = 400 << 20

func readXLSX(data []byte, opt Options) (*Table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:   true, // phone numbers stored as numbers must not come back as 6.28E+12
		UnzipSizeLimit: maxUnzipped,
	})
	if err != nil {
		return nil, &Error{Key: KeyBadXLSX, Err: err}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &Error{Key: KeyEmpty}
	}
	sheet := opt.Sheet
	if sheet == "" {
		sheet = sheets[0]
	} else if !contains(sheets, sheet) {
		return nil, &Error{Key: KeyNoSheet}
	}
	t := &Table{Format: "xlsx", Encoding: "utf-8", Sheet: sheet, Sheets: sheets}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, &Error{Key: KeyBadXLSX, Err: err}
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, &Error{Key: KeyBadXLSX, Line: n, Err: err}
		}
		if blank(cols) {
			continue
		}
		if len(t.Rows) > MaxRows {
			return nil, rowLimit(n)
		}
		for i, c := range cols {
			cols[i] = plainNumber(c)
		}
		t.Rows = append(t.Rows, cols)
		t.Lines = append(t.Lines, n)
	}
	if err := rows.Error(); err != nil && err != io.EOF {
		return nil, &Error{Key: KeyBadXLSX, Err: err}
	}
	t.finish(opt)
	if len(t.Rows) > MaxRows {
		return nil, rowLimit(t.Lines[MaxRows])
	}
	return t, nil
}

var floatInt = regexp.MustCompile(`^[0-9]+\.0+$`)

// plainNumber writes a whole number stored as "6281234567890.0" as the digits a person typed.
func plainNumber(s string) string {
	if floatInt.MatchString(s) {
		return s[:strings.IndexByte(s, '.')]
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
