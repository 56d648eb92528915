package tabular

import (
	"bufio"
	"encoding/csv"
	"io"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteCSV writes UTF-8 with a BOM (so Excel shows "Küçük" and not "KÃ¼Ã§Ã¼k") and CRLF line ends. A cell a
// spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection advice), except plain
// numbers and phone numbers, which stay as they are.
func WriteCSV(w io.Writer, header []string, rows func(yield func([]string) bool)) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	buf := make([]string, 0, len(header))
	write := func(rec []string) error {
		buf = buf[:0]
		for _, c := range rec {
			buf = append(buf, Neutralise(c))
		}
		return cw.Write(buf)
	}
	if err := write(header); err != nil {
		return err
	}
	var err error
	if rows != nil {
		rows(func(rec []string) bool {
			err = write(rec)
			return err == nil
		})
	}
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

var (
	plainNum  = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)*$`)
	phoneLike = regexp.MustCompile(`^\+?[0-9][0-9 ().\-/]*[0-9]$`)
)

// Neutralise returns the cell as a CSV export should hold it: a leading ' before = + - @ tab or CR, unless
// the cell is a number or a phone number, which no spreadsheet runs as anything harmful.
func Neutralise(c string) string {
	if c == "" {
		return c
	}
	switch c[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if plainNum.MatchString(c) || phoneLike.MatchString(c) && digits(c) >= 6 {
			return c
		}
		return "'" + c
	}
	return c
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// WriteXLSX writes one sheet through excelize's StreamWriter, so memory stays flat however many rows come.
// Every cell is an inline string in a text-formatted column: nothing in it is ever a formula.
func WriteXLSX(w io.Writer, sheet string, header []string, rows func(yield func([]string) bool)) error {
	f := excelize.NewFile()
	defer f.Close()
	name := sheetName(sheet)
	if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	n := 1
	write := func(rec []string, style int) error {
		cells := make([]any, len(rec))
		for i, c := range rec {
			cells[i] = excelize.Cell{StyleID: style, Value: c}
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		n++
		return sw.SetRow(cell, cells)
	}
	if err := write(header, bold); err != nil {
		return err
	}
	if rows != nil {
		rows(func(rec []string) bool {
			err = write(rec, text)
			return err == nil
		})
	}
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// sheetName makes a name Excel accepts: at most 31 characters, none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.Trim(s, "'")
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}
