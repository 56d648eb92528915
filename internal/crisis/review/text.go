package review

import (
	"strings"
	"unicode"
)

// clean makes caller text safe for the PDF writer and the chart renderer: fpdf indexes its width
// table by rune and only covers the Basic Multilingual Plane, so anything beyond (emoji) becomes
// U+FFFD; control characters other than newlines become spaces.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r > 0xFFFF:
			return '\uFFFD'
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
}

// oneLine is clean for places that hold a single line (titles, footer, banner lines).
func oneLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}
