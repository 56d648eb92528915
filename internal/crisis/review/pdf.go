package review

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	margin       = 15.0
	bottomMargin = 18.0
	contentW     = pageW - 2*margin
	cellPad      = 1.5 // horizontal inset of every text cell
	family       = "go"

	chartH   = 62.0 // chart image height on the page
	chartPxW = 1200 // about 170 dpi at contentW: sharp in print, small in the file
)

// PDF renders the document (A4 portrait), UTF-8 text (Indonesian and English, names with any
// Unicode letters, "·", "—", "…") laid out with wrapped table cells and page breaks that repeat
// the table header. Text is set in the Go fonts, embedded as subsets of the glyphs used, so it
// is searchable and copyable; letters outside their coverage (Latin, Greek, Cyrillic) still
// extract correctly but print as blanks.
func PDF(d Document) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", goregular.TTF)
	f.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, bottomMargin)
	f.SetCellMargin(cellPad)
	f.SetTitle(oneLine(d.Title), true)
	f.AliasNbPages("{nb}")

	w := &writer{f: f}
	f.SetHeaderFunc(w.banner(oneLine(d.Banner)))
	f.SetFooterFunc(w.footer(oneLine(d.Footer)))
	f.AddPage()
	w.title(d.Title, d.Subtitle)
	w.figures(d.Figures)
	for i, c := range d.Charts {
		if err := w.chart(i, c); err != nil {
			return nil, err
		}
	}
	for _, s := range d.Sections {
		w.section(s)
	}

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("review: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

type writer struct {
	f       *fpdf.Fpdf
	bodyTop float64 // where text starts below the banner
}

func (w *writer) font(style string, size float64, gray int) {
	w.f.SetFont(family, style, size)
	w.f.SetTextColor(gray, gray, gray)
}

// text writes one line of a block at (x, y) without moving to the next line.
func (w *writer) text(x, y, width, h float64, s, align string) {
	w.f.SetXY(x, y)
	w.f.CellFormat(width, h, s, "", 0, align, false, 0, "")
}

// ensure starts a new page unless h millimetres fit above the bottom margin.
func (w *writer) ensure(h float64) {
	if w.f.GetY()+h > pageH-bottomMargin {
		w.f.AddPage()
	}
}

// paragraph writes wrapped text line by line, breaking pages between lines.
func (w *writer) paragraph(x, width, lineH float64, s string) {
	for _, l := range w.f.SplitText(s, width) {
		w.ensure(lineH)
		y := w.f.GetY()
		w.text(x, y, width, lineH, l, "L")
		w.f.SetY(y + lineH)
	}
}

// banner is the page header: a red band across the top of every page, so a simulation can
// never be mistaken for a real crisis, whichever page is printed or forwarded.
func (w *writer) banner(text string) func() {
	return func() {
		w.bodyTop = margin
		if text == "" {
			return
		}
		f := w.f
		w.font("B", 10.5, 255)
		lines := f.SplitText(text, contentW-4)
		const lineH, top = 5.0, 8.0
		h := float64(len(lines))*lineH + 3
		f.SetFillColor(183, 28, 28)
		f.Rect(margin, top, contentW, h, "F")
		for i, l := range lines {
			w.text(margin, top+1.5+float64(i)*lineH, contentW, lineH, l, "C")
		}
		w.bodyTop = max(margin, top+h+5)
		f.SetY(w.bodyTop)
	}
}

func (w *writer) footer(text string) func() {
	return func() {
		f := w.f
		const y, numW = pageH - 12, 22.0
		f.SetDrawColor(210, 210, 210)
		f.SetLineWidth(0.2)
		f.Line(margin, y-1, pageW-margin, y-1)
		w.font("", 8, 110)
		// A long footer shrinks rather than run into the page number.
		for size := 8.0; size > 5.5 && f.GetStringWidth(text) > contentW-numW-2*cellPad; size -= 0.5 {
			f.SetFontSize(size)
		}
		w.text(margin, y, contentW-numW, 5, text, "L")
		f.SetFontSize(8)
		w.text(pageW-margin-numW, y, numW, 5, fmt.Sprintf("%d / {nb}", f.PageNo()), "R")
	}
}

func (w *writer) title(title, subtitle string) {
	w.font("B", 17, 20)
	w.paragraph(margin, contentW, 7.5, oneLine(title))
	if s := strings.TrimSpace(clean(subtitle)); s != "" {
		w.font("", 10, 95)
		w.f.SetY(w.f.GetY() + 1)
		w.paragraph(margin, contentW, 5, s)
	}
	w.f.SetY(w.f.GetY() + 5)
}

// figures prints the key figures as a grid of cards: the value large, its label below.
func (w *writer) figures(figs []Figure) {
	if len(figs) == 0 {
		return
	}
	f := w.f
	cols := 3
	if len(figs) <= 4 || len(figs)%4 == 0 {
		cols = min(len(figs), 4)
	}
	const gap, valueH, labelH = 4.0, 6.5, 4.0
	cardW := (contentW - gap*float64(cols-1)) / float64(cols)
	for start := 0; start < len(figs); start += cols {
		row := figs[start:min(start+cols, len(figs))]
		values := make([][]string, len(row))
		labels := make([][]string, len(row))
		h := 0.0
		for i, fig := range row {
			w.font("B", 15, 0)
			values[i] = f.SplitText(oneLine(fig.Value), cardW-2*cellPad)
			w.font("", 8.5, 0)
			labels[i] = f.SplitText(oneLine(fig.Label), cardW-2*cellPad)
			h = max(h, 3+float64(len(values[i]))*valueH+1+float64(len(labels[i]))*labelH+3)
		}
		w.ensure(h)
		y := f.GetY()
		for i := range row {
			x := margin + float64(i)*(cardW+gap)
			f.SetFillColor(242, 244, 247)
			f.Rect(x, y, cardW, h, "F")
			cy := y + 3
			w.font("B", 15, 20)
			for _, l := range values[i] {
				w.text(x+cellPad, cy, cardW-2*cellPad, valueH, l, "L")
				cy += valueH
			}
			cy++
			w.font("", 8.5, 90)
			for _, l := range labels[i] {
				w.text(x+cellPad, cy, cardW-2*cellPad, labelH, l, "L")
				cy += labelH
			}
		}
		f.SetY(y + h + gap)
	}
	f.SetY(f.GetY() + 2)
}

func (w *writer) chart(i int, c Chart) error {
	f := w.f
	title := oneLine(c.Title)
	body := chartH
	if !c.hasData() {
		body = 16
	}
	w.ensure(7 + body)
	if title != "" {
		w.font("B", 11, 20)
		w.paragraph(margin, contentW, 6, title)
	}
	y := f.GetY() + 1
	if !c.hasData() {
		f.SetDrawColor(210, 210, 210)
		f.SetLineWidth(0.2)
		f.Rect(margin, y, contentW, body, "D")
		w.font("", 10, 110)
		f.SetY(y + body/2 - 2.5)
		for _, l := range f.SplitText(oneLine(c.Empty), contentW-4) {
			w.text(margin, f.GetY(), contentW, 5, l, "C")
			f.SetY(f.GetY() + 5)
		}
		f.SetY(y + body + 6)
		return nil
	}
	pxH := float64(chartPxW) * chartH / contentW
	png, err := ChartPNG(c, chartPxW, int(pxH))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("chart-%d", i)
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader(name, opts, bytes.NewReader(png))
	f.ImageOptions(name, margin, y, contentW, chartH, false, opts, 0, "")
	f.SetY(y + chartH + 6)
	return f.Error()
}

func (w *writer) section(s Section) {
	f := w.f
	f.SetY(f.GetY() + 3)
	w.ensure(28) // keep the title with the start of what follows it
	w.font("B", 13, 20)
	w.paragraph(margin, contentW, 6.5, oneLine(s.Title))
	f.SetY(f.GetY() + 1.5)
	if intro := strings.TrimSpace(clean(s.Intro)); intro != "" {
		w.font("", 10, 40)
		w.paragraph(margin, contentW, 5, intro)
		f.SetY(f.GetY() + 2)
	}
	switch {
	case len(s.Rows) == 0:
		w.font("", 10, 110)
		w.paragraph(margin, contentW, 5, strings.TrimSpace(clean(s.Empty)))
	case len(s.Columns) == 0:
		w.bullets(s.Rows)
	default:
		w.table(s.Columns, s.Rows)
	}
	f.SetY(f.GetY() + 3)
}

func (w *writer) bullets(rows [][]string) {
	const indent, lineH = 5.0, 5.0
	for _, row := range rows {
		var parts []string
		for _, c := range row {
			if c = strings.TrimSpace(clean(c)); c != "" {
				parts = append(parts, c)
			}
		}
		w.font("", 10, 30)
		for i, l := range w.f.SplitText(strings.Join(parts, " · "), contentW-indent) {
			w.ensure(lineH)
			y := w.f.GetY()
			if i == 0 {
				w.text(margin, y, indent, lineH, "•", "L")
			}
			w.text(margin+indent, y, contentW-indent, lineH, l, "L")
			w.f.SetY(y + lineH)
		}
		w.f.SetY(w.f.GetY() + 1)
	}
}

// Table text metrics.
const (
	tableFont  = 9.0
	tableLineH = 4.4
	tablePadV  = 1.3
)

// table draws a table whose cells wrap; a row that does not fit moves to the next page under a
// repeated header, and a row taller than a whole page is split between pages.
func (w *writer) table(columns []string, rows [][]string) {
	f := w.f
	n := len(columns)
	widths := w.columnWidths(columns, rows)
	cells := func(style string, row []string) [][]string {
		w.font(style, tableFont, 0)
		out := make([][]string, n)
		for i := range out {
			if i < len(row) {
				out[i] = f.SplitText(strings.TrimSpace(clean(row[i])), widths[i])
			}
		}
		return out
	}
	header := cells("B", columns)
	headerLines := maxLines(header)
	headerH := float64(headerLines)*tableLineH + 2*tablePadV
	bottom := pageH - bottomMargin - 0.01
	freshRoom := int((bottom - w.bodyTop - headerH - 2*tablePadV) / tableLineH)

	// draw paints lines [from, to) of every cell at the current y, filled with fill if set.
	draw := func(c [][]string, from, to int, style string, gray int, fill []int) {
		y := f.GetY()
		h := float64(to-from)*tableLineH + 2*tablePadV
		if fill != nil {
			f.SetFillColor(fill[0], fill[1], fill[2])
			f.Rect(margin, y, contentW, h, "F")
		}
		w.font(style, tableFont, gray)
		x := margin
		for i, lines := range c {
			for k := from; k < to && k < len(lines); k++ {
				w.text(x, y+tablePadV+float64(k-from)*tableLineH, widths[i], tableLineH, lines[k], "L")
			}
			x += widths[i]
		}
		f.SetDrawColor(215, 215, 215)
		f.SetLineWidth(0.2)
		f.Line(margin, y+h, margin+contentW, y+h)
		f.SetY(y + h)
	}
	drawHeader := func() { draw(header, 0, headerLines, "B", 25, []int{228, 232, 238}) }
	newPage := func() {
		f.AddPage()
		drawHeader()
	}

	if f.GetY()+headerH+tableLineH+2*tablePadV > bottom {
		f.AddPage()
	}
	drawHeader()
	for r, row := range rows {
		c := cells("", row)
		total := max(maxLines(c), 1)
		var fill []int
		if r%2 == 1 {
			fill = []int{248, 249, 251}
		}
		for start := 0; start < total; {
			rest := total - start
			room := int((bottom - f.GetY() - 2*tablePadV) / tableLineH)
			fresh := f.GetY() <= w.bodyTop+headerH+0.01
			switch {
			case room >= rest:
				draw(c, start, total, "", 35, fill)
				start = total
			case !fresh && (room < 1 || start == 0 && rest <= freshRoom):
				newPage() // rows split only when taller than a page
			default:
				end := start + max(room, 1)
				draw(c, start, end, "", 35, fill)
				start = end
				newPage()
			}
		}
	}
}

func maxLines(c [][]string) int {
	n := 0
	for _, lines := range c {
		n = max(n, len(lines))
	}
	return n
}

// columnWidths gives each column its natural width when all fit; otherwise narrow columns keep
// theirs and the wide ones share what is left equally.
func (w *writer) columnWidths(columns []string, rows [][]string) []float64 {
	f := w.f
	n := len(columns)
	natural := make([]float64, n)
	measure := func(i int, s string) {
		for _, l := range strings.Split(clean(s), "\n") {
			natural[i] = max(natural[i], f.GetStringWidth(strings.TrimSpace(l)))
		}
	}
	w.font("B", tableFont, 0)
	for i, c := range columns {
		measure(i, c)
	}
	w.font("", tableFont, 0)
	for _, row := range rows {
		for i := 0; i < n && i < len(row); i++ {
			measure(i, row[i])
		}
	}
	sum := 0.0
	for i := range natural {
		natural[i] += 2*cellPad + 0.5
		sum += natural[i]
	}
	out := make([]float64, n)
	if sum <= contentW {
		for i := range out {
			out[i] = natural[i] * contentW / sum
		}
		return out
	}
	fixed := make([]bool, n)
	rest, open := contentW, n
	for changed := true; changed && open > 0; {
		changed = false
		share := rest / float64(open)
		for i := range natural {
			if !fixed[i] && natural[i] <= share {
				out[i], fixed[i] = natural[i], true
				rest -= natural[i]
				open--
				changed = true
			}
		}
	}
	for i := range out {
		if !fixed[i] {
			out[i] = rest / float64(open)
		}
	}
	return out
}
