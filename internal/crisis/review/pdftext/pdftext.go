// Package pdftext reads the text back out of a PDF, page by page, so tests can check what a
// reader of a generated report would see.
//
// It parses the file with github.com/ledongthuc/pdf but decodes strings itself: that library's
// ToUnicode decoder only shifts the last byte of a bfrange, which garbles every character past
// U+00FF in the identity CMap that fpdf writes for UTF-8 fonts ("—" came back as "\x14").
package pdftext

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
)

// Text returns the text of every page in reading order of the content stream; each text
// object starts on a new line and pages are separated by a form feed ("\f"), as pdftotext does.
func Text(data []byte) (string, error) {
	pages, err := Pages(data)
	if err != nil {
		return "", err
	}
	return strings.Join(pages, "\f"), nil
}

// Pages returns the text of each page, first page first.
func Pages(data []byte) (pages []string, err error) {
	// The parser panics on malformed input; a test wants an error instead.
	defer func() {
		if r := recover(); r != nil {
			pages, err = nil, fmt.Errorf("pdftext: malformed PDF: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("pdftext: %w", err)
	}
	n := r.NumPage()
	for i := 1; i <= n; i++ {
		pages = append(pages, pageText(r.Page(i)))
	}
	return pages, nil
}

func pageText(p pdf.Page) string {
	contents := p.V.Key("Contents")
	if p.V.IsNull() || contents.IsNull() {
		return ""
	}
	fontRes := p.Resources().Key("Font")
	decoders := map[string]*cmap{}
	var cur *cmap
	var b strings.Builder
	show := func(s pdf.Value) {
		if s.Kind() == pdf.String {
			b.WriteString(cur.decode(s.RawString()))
		}
	}
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		switch op {
		case "BT", "T*":
			b.WriteByte('\n')
		case "Tf":
			stk.Pop()
			name := stk.Pop().Name()
			if _, ok := decoders[name]; !ok {
				decoders[name] = fontCmap(fontRes.Key(name))
			}
			cur = decoders[name]
		case "Tj":
			show(stk.Pop())
		case "'":
			b.WriteByte('\n')
			show(stk.Pop())
		case "\"":
			s := stk.Pop()
			b.WriteByte('\n')
			show(s)
		case "TJ":
			arr := stk.Pop()
			for i := 0; i < arr.Len(); i++ {
				v := arr.Index(i)
				switch v.Kind() {
				case pdf.String:
					show(v)
				case pdf.Integer, pdf.Real:
					// A large negative adjustment is how some writers put a space between words.
					if v.Float64() < -250 {
						b.WriteByte(' ')
					}
				}
			}
		}
		for stk.Len() > 0 {
			stk.Pop()
		}
	})
	return b.String()
}

// cmap maps a font's character codes to Unicode from its ToUnicode stream. A nil *cmap
// (no ToUnicode) reads one byte per character as Latin-1.
type cmap struct {
	width  int // bytes per character code
	chars  map[int]string
	ranges []cmapRange
}

type cmapRange struct {
	lo, hi int
	start  []byte   // UTF-16BE for lo, counting up to hi
	list   [][]byte // or one UTF-16BE string per code
}

// cmapToken is a hex string, "[", "]" or an operator; names, numbers and other operands are
// kept as words and ignored.
type cmapToken struct {
	hex  []byte
	word string
}

func fontCmap(font pdf.Value) *cmap {
	tu := font.Key("ToUnicode")
	if tu.Kind() != pdf.Stream {
		return nil
	}
	var src bytes.Buffer
	if _, err := src.ReadFrom(tu.Reader()); err != nil {
		return nil
	}
	m := &cmap{width: 1, chars: map[int]string{}}
	var args []cmapToken
	for _, t := range cmapTokens(src.Bytes()) {
		switch t.word {
		case "endcodespacerange":
			if len(args) > 0 && len(args[0].hex) > 0 {
				m.width = len(args[0].hex)
			}
		case "endbfchar":
			for i := 0; i+1 < len(args); i += 2 {
				m.chars[code(args[i].hex)] = utf16String(args[i+1].hex)
			}
		case "endbfrange":
			for i := 0; i+2 < len(args); i += 3 {
				r := cmapRange{lo: code(args[i].hex), hi: code(args[i+1].hex)}
				if args[i+2].word == "[" {
					j := i + 3
					for ; j < len(args) && args[j].word != "]"; j++ {
						r.list = append(r.list, args[j].hex)
					}
					args = append(args[:i+2], args[j:]...) // fold the array into one operand
				} else {
					r.start = args[i+2].hex
				}
				m.ranges = append(m.ranges, r)
			}
		default:
			if t.hex != nil || t.word == "[" || t.word == "]" {
				args = append(args, t)
				continue
			}
		}
		args = args[:0]
	}
	return m
}

func cmapTokens(b []byte) []cmapToken {
	var out []cmapToken
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0:
			i++
		case c == '%':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		case c == '<' && i+1 < len(b) && b[i+1] == '<', c == '>' && i+1 < len(b) && b[i+1] == '>':
			i += 2
		case c == '<':
			j := bytes.IndexByte(b[i:], '>')
			if j < 0 {
				return out
			}
			out = append(out, cmapToken{hex: unhex(b[i+1 : i+j])})
			i += j + 1
		case c == '[' || c == ']':
			out = append(out, cmapToken{word: string(c)})
			i++
		case c == '(':
			depth := 0
			for ; i < len(b); i++ {
				if b[i] == '\\' {
					i++
				} else if b[i] == '(' {
					depth++
				} else if b[i] == ')' {
					if depth--; depth == 0 {
						i++
						break
					}
				}
			}
			out = append(out, cmapToken{word: "()"})
		default:
			j := i + 1
			for j < len(b) && !strings.ContainsRune(" \n\r\t\f<>[]()/%", rune(b[j])) {
				j++
			}
			out = append(out, cmapToken{word: string(b[i:j])})
			i = j
		}
	}
	return out
}

func unhex(h []byte) []byte {
	var digits []byte
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c-'0')
		case c >= 'a' && c <= 'f':
			digits = append(digits, c-'a'+10)
		case c >= 'A' && c <= 'F':
			digits = append(digits, c-'A'+10)
		}
	}
	if len(digits)%2 == 1 {
		digits = append(digits, 0)
	}
	out := make([]byte, len(digits)/2)
	for i := range out {
		out[i] = digits[2*i]<<4 | digits[2*i+1]
	}
	return out
}

func (m *cmap) decode(raw string) string {
	if m == nil {
		r := make([]rune, len(raw))
		for i := 0; i < len(raw); i++ {
			r[i] = rune(raw[i])
		}
		return string(r)
	}
	var b strings.Builder
	for i := 0; i+m.width <= len(raw); i += m.width {
		b.WriteString(m.lookup(code([]byte(raw[i : i+m.width]))))
	}
	return b.String()
}

func (m *cmap) lookup(c int) string {
	if s, ok := m.chars[c]; ok {
		return s
	}
	for _, r := range m.ranges {
		if c < r.lo || c > r.hi {
			continue
		}
		if r.list != nil {
			if c-r.lo < len(r.list) {
				return utf16String(r.list[c-r.lo])
			}
			break
		}
		// Add the offset to the whole destination, not only its last byte, so a range
		// such as <0000> <FFFF> <0000> maps every code to itself.
		dst := append([]byte(nil), r.start...)
		carry := c - r.lo
		for j := len(dst) - 1; j >= 0 && carry > 0; j-- {
			sum := int(dst[j]) + carry
			dst[j] = byte(sum)
			carry = sum >> 8
		}
		return utf16String(dst)
	}
	return "\uFFFD"
}

func code(s []byte) int {
	c := 0
	for i := 0; i < len(s); i++ {
		c = c<<8 | int(s[i])
	}
	return c
}

func utf16String(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return string(utf16.Decode(u))
}
