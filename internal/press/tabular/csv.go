package tabular

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var delimiters = []rune{',', ';', '\t', '|'}

func readCSV(data []byte, opt Options) (*Table, error) {
	text, enc, err := decode(data, opt.Encoding)
	if err != nil {
		return nil, err
	}
	delim := opt.Delimiter
	if delim == 0 {
		delim = detectDelimiter(text)
	} else if !isDelimiter(delim) {
		return nil, &Error{Key: KeyBadDelimiter}
	}
	t := &Table{Format: "csv", Delimiter: delim, Encoding: enc}
	p := parser{text: text, delim: delim}
	for {
		rec, line, bad, ok := p.next()
		if !ok {
			break
		}
		if blank(rec) {
			continue
		}
		if len(t.Rows) > MaxRows { // one more than MaxRows may be the header
			return nil, rowLimit(line)
		}
		if bad != "" {
			if t.RowErrors == nil {
				t.RowErrors = map[int]string{}
			}
			t.RowErrors[len(t.Rows)] = bad
		}
		t.Rows = append(t.Rows, rec)
		t.Lines = append(t.Lines, line)
	}
	t.finish(opt)
	if len(t.Rows) > MaxRows {
		return nil, rowLimit(t.Lines[MaxRows])
	}
	return t, nil
}

func isDelimiter(r rune) bool {
	for _, d := range delimiters {
		if d == r {
			return true
		}
	}
	return false
}

// decode turns the file into text. Detection: a BOM decides; otherwise valid UTF-8 is UTF-8 and anything else
// is taken as Windows-1252, what Excel on Indonesian and Western Windows writes for "CSV".
func decode(data []byte, want string) (string, string, error) {
	bomEnc := ""
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		bomEnc, data = "utf-8", data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		bomEnc = "utf-16le"
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		bomEnc = "utf-16be"
	}
	enc := want
	if enc == "" {
		enc = bomEnc
	}
	if enc == "" {
		switch {
		case utf8.Valid(data):
			enc = "utf-8"
		case hasUTF8Line(data):
			enc = "mixed"
		default:
			enc = "windows-1252"
		}
	}
	var dec *encoding.Decoder
	switch enc {
	case "utf-8":
		return strings.ToValidUTF8(string(data), "\uFFFD"), enc, nil
	case "mixed":
		return decodeMixed(data), enc, nil
	case "windows-1252":
		dec = charmap.Windows1252.NewDecoder()
	case "utf-16le":
		dec = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
	case "utf-16be":
		dec = unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()
	default:
		return "", "", &Error{Key: KeyBadEncoding}
	}
	out, err := dec.Bytes(data)
	if err != nil {
		return "", "", &Error{Key: KeyBadEncoding, Err: err}
	}
	return strings.TrimPrefix(string(out), "\ufeff"), enc, nil
}

// hasUTF8Line reports whether some line holds non-ASCII text that is valid UTF-8: a file pasted
// together from a UTF-8 export and an old Excel one.
func hasUTF8Line(data []byte) bool {
	for line := range bytes.Lines(data) {
		if utf8.Valid(line) && bytes.ContainsFunc(line, func(r rune) bool { return r >= 0x80 }) {
			return true
		}
	}
	return false
}

// decodeMixed reads each line as UTF-8 when it is valid UTF-8, and as Windows-1252 otherwise.
func decodeMixed(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	dec := charmap.Windows1252.NewDecoder()
	for line := range bytes.Lines(data) {
		if utf8.Valid(line) {
			b.Write(line)
			continue
		}
		out, err := dec.Bytes(line)
		if err != nil {
			out = []byte(strings.ToValidUTF8(string(line), "\uFFFD"))
		}
		b.Write(out)
	}
	return b.String()
}

// detectDelimiter picks the delimiter that splits the first lines into the same number (more than one) of
// fields most often; ties go to the one giving more fields, then to the order of delimiters.
func detectDelimiter(text string) rune {
	const sample = 30
	best, bestScore, bestWidth := ',', 0, 0
	for _, d := range delimiters {
		p := parser{text: text, delim: d}
		counts := map[int]int{}
		for n := 0; n < sample; {
			rec, _, bad, ok := p.next()
			if !ok {
				break
			}
			if blank(rec) {
				continue
			}
			n++
			if bad == "" {
				counts[len(rec)]++
			}
		}
		width, score := 0, 0
		for w, c := range counts {
			if w > 1 && (c > score || c == score && w > width) {
				width, score = w, c
			}
		}
		if score > bestScore || score == bestScore && score > 0 && width > bestWidth {
			best, bestScore, bestWidth = d, score, width
		}
	}
	return best
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// parser is an RFC 4180 reader that forgives what spreadsheets and people produce: quotes inside unquoted
// fields are text, and a quote that never closes spoils only its own line, not the rest of the file.
type parser struct {
	text  string
	delim rune
	pos   int
	line  int // line number (1-based) of pos, 0 before the start
}

// next returns the next record, the line it starts on, and a catalog key when the line could not be read
// cleanly. ok is false at the end.
func (p *parser) next() (rec []string, line int, bad string, ok bool) {
	if p.line == 0 {
		p.line = 1
	}
	if p.pos >= len(p.text) {
		return nil, 0, "", false
	}
	start, startLine := p.pos, p.line
	rec, ok = p.record()
	if ok {
		return rec, startLine, "", true
	}
	// Unclosed or malformed quote: take the first physical line as plain text and go on after it.
	end := strings.IndexByte(p.text[start:], '\n')
	raw := p.text[start:]
	p.pos = len(p.text)
	if end >= 0 {
		raw = p.text[start : start+end]
		p.pos = start + end + 1
	}
	p.line = startLine + 1
	raw = strings.TrimSuffix(raw, "\r")
	fields := strings.Split(raw, string(p.delim))
	for i, f := range fields {
		fields[i] = strings.ReplaceAll(strings.TrimSpace(f), `"`, "")
	}
	return fields, startLine, KeyUnclosedQuote, true
}

// record parses one record from p.pos; false means a quoted field was malformed.
func (p *parser) record() ([]string, bool) {
	var rec []string
	var field strings.Builder
	d := byte(p.delim)
	for {
		field.Reset()
		if p.pos < len(p.text) && p.text[p.pos] == '"' {
			// Quoted field: runs to a quote followed by the delimiter, a line end or the end of the file.
			i := p.pos + 1
			lines := 0
			for {
				j := strings.IndexByte(p.text[i:], '"')
				if j < 0 {
					return nil, false
				}
				seg := p.text[i : i+j]
				lines += strings.Count(seg, "\n")
				field.WriteString(seg)
				i += j + 1
				if i < len(p.text) && p.text[i] == '"' {
					field.WriteByte('"')
					i++
					continue
				}
				break
			}
			// Tolerate spaces after the closing quote.
			for i < len(p.text) && p.text[i] == ' ' {
				i++
			}
			if i < len(p.text) && p.text[i] != d && p.text[i] != '\n' && p.text[i] != '\r' {
				return nil, false
			}
			p.pos = i
			p.line += lines
			rec = append(rec, field.String())
		} else {
			end := p.pos
			for end < len(p.text) && p.text[end] != d && p.text[end] != '\n' {
				end++
			}
			rec = append(rec, strings.TrimSuffix(p.text[p.pos:end], "\r"))
			p.pos = end
		}
		if p.pos >= len(p.text) {
			return rec, true
		}
		switch p.text[p.pos] {
		case d:
			p.pos++
			if p.pos >= len(p.text) {
				return append(rec, ""), true
			}
		case '\r':
			p.pos++
			if p.pos < len(p.text) && p.text[p.pos] == '\n' {
				p.pos++
			}
			p.line++
			return rec, true
		case '\n':
			p.pos++
			p.line++
			return rec, true
		}
	}
}
