package tabular

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// readFile writes data to a real file and reads it back through Read, as an upload would arrive.
func readFile(t *testing.T, name string, data []byte, opt Options) (*Table, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Read(f, name, opt)
}

func mustRead(t *testing.T, name string, data []byte, opt Options) *Table {
	t.Helper()
	tab, err := readFile(t, name, data, opt)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return tab
}

func TestWindows1252(t *testing.T) {
	src := "Nama;Email;Media\r\nJosé Ramírez;jose@example.com;Tempo\r\nAyşe Küçük;ayse@example.com;Kompas\r\n"
	data, err := charmap.Windows1252.NewEncoder().Bytes([]byte(strings.ReplaceAll(src, "ş", "s")))
	if err != nil {
		t.Fatal(err)
	}
	tab := mustRead(t, "kontak.csv", data, Options{})
	if tab.Encoding != "windows-1252" || tab.Delimiter != ';' || !tab.HasHeader {
		t.Fatalf("detected %q %q header=%v", tab.Encoding, tab.Delimiter, tab.HasHeader)
	}
	if got := tab.Rows[0][0]; got != "José Ramírez" {
		t.Errorf("name = %q", got)
	}
	if got := tab.Rows[1][0]; got != "Ayse Küçük" {
		t.Errorf("name = %q", got)
	}
	if !reflect.DeepEqual(tab.Lines, []int{2, 3}) {
		t.Errorf("lines %v", tab.Lines)
	}
	// Read as UTF-8 by choice, the same bytes show replacement characters rather than failing.
	tab = mustRead(t, "kontak.csv", data, Options{Encoding: "utf-8"})
	if !strings.Contains(tab.Rows[0][0], "\uFFFD") {
		t.Errorf("forced utf-8: %q", tab.Rows[0][0])
	}
}

// A file pasted together from a UTF-8 export and an old Excel one: each line keeps its own letters.
func TestMixedEncodings(t *testing.T) {
	latin, err := charmap.Windows1252.NewEncoder().Bytes([]byte("Özlem Küçük,ozlem@example.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	data := append([]byte("Nama,Email\nJosé Ramírez,jose@example.com\n"), latin...)
	tab := mustRead(t, "campur.csv", data, Options{})
	if tab.Encoding != "mixed" || tab.Rows[0][0] != "José Ramírez" || tab.Rows[1][0] != "Özlem Küçük" {
		t.Fatalf("%q %q", tab.Encoding, tab.Rows)
	}
}

func TestBOMAndUTF16(t *testing.T) {
	src := "Name,E-mail,Outlet\nDewi Lestari,dewi@example.com,\"Kompas, Jakarta\"\n"
	tab := mustRead(t, "bom.csv", append([]byte("\xEF\xBB\xBF"), src...), Options{})
	if tab.Encoding != "utf-8" || tab.Header[0] != "Name" || tab.Rows[0][2] != "Kompas, Jakarta" {
		t.Fatalf("%q %q %q", tab.Encoding, tab.Header, tab.Rows)
	}
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("Nama\tSurel\nBudi Ñandú\tbudi@example.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	tab = mustRead(t, "u16.csv", u16, Options{})
	if tab.Encoding != "utf-16le" || tab.Delimiter != '\t' || tab.Rows[0][0] != "Budi Ñandú" {
		t.Fatalf("%q %q %q", tab.Encoding, tab.Delimiter, tab.Rows)
	}
}

func TestDelimitersAndHeader(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		delim rune
		head  bool
	}{
		{"semicolon", "Nama Lengkap;No. HP;Media\nBudi;0812-1111-2222;Tempo\nSari;0813 2222 3333;Kompas\n", ';', true},
		{"comma with semicolons inside", "Name,Notes\nBudi,\"likes; semicolons; a lot\"\nSari,x;y\n", ',', true},
		{"pipe", "Nama|Email\nBudi|budi@example.com\n", '|', true},
		{"no header", "Budi Santoso,budi@example.com,Tempo\nSari Dewi,sari@example.com,Kompas\n", ',', false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := mustRead(t, "f.csv", []byte(tc.src), Options{})
			if tab.Delimiter != tc.delim || tab.HasHeader != tc.head {
				t.Fatalf("delimiter %q header %v", tab.Delimiter, tab.HasHeader)
			}
			if !tc.head && (tab.Header[0] != "Column 1" || len(tab.Rows) != 2) {
				t.Fatalf("header %q rows %d", tab.Header, len(tab.Rows))
			}
		})
	}
	// The person overrides what was detected.
	no := false
	tab := mustRead(t, "f.csv", []byte("Nama;Email\nBudi;budi@example.com\n"), Options{Delimiter: ',', Header: &no})
	if len(tab.Rows) != 2 || tab.Rows[0][0] != "Nama;Email" {
		t.Fatalf("override: %q", tab.Rows)
	}
}

func TestBrokenQuoteAndRaggedRows(t *testing.T) {
	src := "Nama,Email,Media\n" +
		"Budi,budi@example.com,\"Tempo\n" + // unclosed quote on line 2
		"\"Sari, Dewi\",sari@example.com,Kompas\n" +
		"Andi,andi@example.com\n" + // one field short
		"\"Rina\",rina@example.com,\"Detik\nbiro Surabaya\"\n" + // quoted newline: one record, lines 5-6
		"Tono,tono@example.com,Antara\n"
	tab := mustRead(t, "broken.csv", []byte(src), Options{})
	if len(tab.Rows) != 5 {
		t.Fatalf("rows %d: %q", len(tab.Rows), tab.Rows)
	}
	if !reflect.DeepEqual(tab.Lines, []int{2, 3, 4, 5, 7}) {
		t.Errorf("lines %v", tab.Lines)
	}
	if tab.RowErrors[0] != KeyUnclosedQuote || len(tab.RowErrors) != 1 {
		t.Errorf("row errors %v", tab.RowErrors)
	}
	if tab.Rows[0][0] != "Budi" {
		t.Errorf("broken row read as %q", tab.Rows[0])
	}
	if tab.Rows[1][0] != "Sari, Dewi" || len(tab.Rows[2]) != 2 || tab.Rows[3][2] != "Detik\nbiro Surabaya" {
		t.Errorf("rows %q", tab.Rows)
	}
}

func TestLimits(t *testing.T) {
	big := bytes.Repeat([]byte("a,b\n"), MaxBytes/4+1)
	_, err := readFile(t, "big.csv", big, Options{})
	var e *Error
	if !errors.As(err, &e) || e.Key != KeyTooLarge {
		t.Fatalf("too large: %v", err)
	}
	var b strings.Builder
	b.WriteString("Name,Email\n")
	for range MaxRows + 1 {
		b.WriteString("x,y@z.id\n")
	}
	_, err = readFile(t, "many.csv", []byte(b.String()), Options{})
	if !errors.As(err, &e) || e.Key != KeyTooManyRows || e.Line != MaxRows+2 {
		t.Fatalf("too many rows: %v", err)
	}
	_, err = readFile(t, "empty.csv", []byte("\n\n  \n"), Options{})
	if !errors.As(err, &e) || e.Key != KeyEmpty {
		t.Fatalf("empty: %v", err)
	}
	_, err = readFile(t, "fake.xlsx", []byte("Name,Email\n"), Options{})
	if !errors.As(err, &e) || e.Key != KeyBadXLSX {
		t.Fatalf("fake xlsx: %v", err)
	}
}

func TestXLSX(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Wartawan")
	f.NewSheet("Lain")
	rows := [][]any{
		{"Nama", "Email", "No. HP", "Media"},
		{"José Küçük", "jose@example.com", 6281234567890, "Tempo"},
		nil, // an empty row is skipped, but line numbers stay the sheet's
		{"Sari", "sari@example.com", "0813-2222-3333", "Kompas"},
	}
	for i, r := range rows {
		if r != nil {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Wartawan", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.SetCellValue("Lain", "A1", "Nama")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	// Named .csv by mistake: the content decides.
	tab := mustRead(t, "export.csv", buf.Bytes(), Options{})
	if tab.Format != "xlsx" || tab.Sheet != "Wartawan" || !slices.Equal(tab.Sheets, []string{"Wartawan", "Lain"}) {
		t.Fatalf("%q %q %q", tab.Format, tab.Sheet, tab.Sheets)
	}
	if !tab.HasHeader || tab.Rows[0][0] != "José Küçük" || tab.Rows[0][2] != "6281234567890" {
		t.Fatalf("rows %q", tab.Rows)
	}
	if !reflect.DeepEqual(tab.Lines, []int{2, 4}) {
		t.Errorf("lines %v", tab.Lines)
	}
	tab = mustRead(t, "export.xlsx", buf.Bytes(), Options{Sheet: "Lain"})
	if tab.Sheet != "Lain" || len(tab.Header) != 1 {
		t.Fatalf("sheet %q header %q rows %q", tab.Sheet, tab.Header, tab.Rows)
	}
	_, err := readFile(t, "export.xlsx", buf.Bytes(), Options{Sheet: "Nope"})
	var e *Error
	if !errors.As(err, &e) || e.Key != KeyNoSheet {
		t.Fatalf("missing sheet: %v", err)
	}
}

func seq(rows [][]string) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for _, r := range rows {
			if !yield(r) {
				return
			}
		}
	}
}

var hostile = [][]string{
	{"=HYPERLINK(\"http://evil.example\",\"klik\")", "+62 812-3456-7890", "José Küçük"},
	{"@SUM(A1:A2)", "-5", "+cmd|' /C calc'!A0"},
	{"\t=1+1", "-2,5", "=1+2"},
}

func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []string{"Nama", "Telepon", "Catatan"}, seq(hostile)); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Fatal("no BOM")
	}
	tab := mustRead(t, "out.csv", buf.Bytes(), Options{})
	want := [][]string{
		{"'=HYPERLINK(\"http://evil.example\",\"klik\")", "+62 812-3456-7890", "José Küçük"},
		{"'@SUM(A1:A2)", "-5", "'+cmd|' /C calc'!A0"},
		{"'\t=1+1", "-2,5", "'=1+2"},
	}
	if !tab.HasHeader || !reflect.DeepEqual(tab.Rows, want) {
		t.Fatalf("read back %q", tab.Rows)
	}
}

func TestWriteXLSXKeepsText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "Kontak: Jawa/Timur", []string{"Nama", "Telepon", "Catatan"}, seq(hostile)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	if sheet != "Kontak- Jawa-Timur" {
		t.Errorf("sheet %q", sheet)
	}
	for r, row := range hostile {
		for c, want := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			formula, _ := f.GetCellFormula(sheet, cell)
			typ, _ := f.GetCellType(sheet, cell)
			got, _ := f.GetCellValue(sheet, cell)
			if formula != "" || got != want || typ == excelize.CellTypeFormula {
				t.Errorf("%s: formula %q type %v value %q, want text %q", cell, formula, typ, got, want)
			}
		}
	}
	tab := mustRead(t, "out.xlsx", buf.Bytes(), Options{})
	if !reflect.DeepEqual(tab.Rows, hostile) {
		t.Fatalf("read back %q", tab.Rows)
	}
}

func TestGuess(t *testing.T) {
	got := Guess([]string{"Nama Lengkap", "E-mail", "Email Address", "No. HP", "Telepon", "WhatsApp", "Media Outlet",
		"Jabatan", "Desk", "Provinsi", "Kabupaten/Kota", "Negara", "Bahasa", "X handle", "LinkedIn", "Instagram",
		"Catatan", "Tags", "Kolom aneh"})
	want := []string{"name", "email", "email2", "mobile", "phone", "whatsapp", "outlet", "role", "beats",
		"province", "city", "country", "languages", "x", "linkedin", "instagram", "notes", "labels", ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("indonesian:\n got %q\nwant %q", got, want)
	}
	// A Cision-style export.
	got = Guess([]string{"Salutation", "First Name", "Last Name", "Job Title", "Outlet Name", "Email", "Phone",
		"Twitter Handle", "City", "State", "Country", "Subjects"})
	want = []string{"salutation", "first_name", "last_name", "role", "outlet", "email", "phone", "x", "city",
		"province", "country", "beats"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cision:\n got %q\nwant %q", got, want)
	}
	for _, h := range []string{"Surel", "Publication", "Title", "Beat", "Topics", "Kota", "Label", "Outlet(s)"} {
		if Guess([]string{h})[0] == "" {
			t.Errorf("%q not guessed", h)
		}
	}
}
