// Package review prints the post-crisis review ("evaluasi pascakrisis") as a PDF, with its
// charts as PNG images. It knows no Warta domain: the caller fills a Document with text that is
// already in the reader's language, so the same layout serves every locale.
package review

// Document is a report ready to print: every string already in the reader's language.
type Document struct {
	Title    string   // e.g. "Evaluasi pascakrisis: Banjir Sukamaju"
	Subtitle string   // e.g. workspace name and dates
	Banner   string   // non-empty: printed prominently on every page (e.g. "SIMULASI — bukan krisis sungguhan")
	Footer   string   // printed at the bottom of each page with the page number
	Figures  []Figure // key figures shown as a grid near the top
	Charts   []Chart
	Sections []Section
}

// Figure is one key figure: a short label and its value as the reader should see it.
type Figure struct{ Label, Value string }

// Chart is a line chart over labelled points, with shaded ranges of the x axis.
type Chart struct {
	Title  string
	Labels []string // x axis labels, one per point (e.g. days "25 Nov")
	Series []Series // one or more lines over Labels
	Bands  []Band   // shaded ranges of the x axis: before / during / after the crisis
	Empty  string   // text shown instead of the chart when there is no data
	// YLabel formats a y axis value in the reader's locale; nil prints plain digits.
	YLabel func(float64) string
}

// Series is one line; Values[i] belongs to Labels[i] (extra values are ignored).
type Series struct {
	Name   string
	Values []float64
}

// Band shades Labels[From] to Labels[To], both inclusive.
type Band struct {
	From, To int
	Label    string
}

// Section is a titled block: a table when Columns is set, a bulleted list otherwise.
type Section struct {
	Title   string
	Intro   string     // optional paragraph
	Columns []string   // table header; empty → Rows are paragraphs/bullets of one column
	Rows    [][]string // cells may contain "\n" to break lines
	Empty   string     // shown when Rows is empty
}

// hasData reports whether the chart has at least one point to draw.
func (c Chart) hasData() bool {
	if len(c.Labels) == 0 {
		return false
	}
	for _, s := range c.Series {
		if len(s.Values) > 0 {
			return true
		}
	}
	return false
}
