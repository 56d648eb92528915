package review

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"strconv"
	"sync"

	"github.com/golang/freetype/truetype"
	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
)

// The same Go font as the PDF, so chart labels cover the same characters as the text around them.
var chartFont = sync.OnceValues(func() (*truetype.Font, error) { return truetype.Parse(goregular.TTF) })

var (
	seriesColors = []drawing.Color{
		{R: 0x1f, G: 0x5f, B: 0xbf, A: 255},
		{R: 0xe0, G: 0x6c, B: 0x00, A: 255},
		{R: 0x2e, G: 0x7d, B: 0x32, A: 255},
		{R: 0x8e, G: 0x24, B: 0xaa, A: 255},
		{R: 0x54, G: 0x6e, B: 0x7a, A: 255},
	}
	// Bands come before, during and after the crisis: neutral, alarm, recovery.
	bandColors = []drawing.Color{
		{R: 0x90, G: 0x90, B: 0x90, A: 0x30},
		{R: 0xd3, G: 0x2f, B: 0x2f, A: 0x30},
		{R: 0x38, G: 0x8e, B: 0x3c, A: 0x30},
	}
	textColor = drawing.Color{R: 0x33, G: 0x33, B: 0x33, A: 255}
	gridColor = drawing.Color{R: 0xe0, G: 0xe0, B: 0xe0, A: 255}
)

// ChartPNG renders one chart as a PNG (for the report and for the app page). Text scales with
// the width, so a 900 px wide image reads like a screen chart and a wider one like print.
// A chart without data becomes an image of its Empty text.
func ChartPNG(c Chart, width, height int) ([]byte, error) {
	if width < 200 || height < 100 {
		return nil, fmt.Errorf("review: chart size %dx%d is below 200x100", width, height)
	}
	f, err := chartFont()
	if err != nil {
		return nil, fmt.Errorf("review: chart font: %w", err)
	}
	scale := min(max(float64(width)/900, 0.8), 4)
	if !c.hasData() {
		return emptyPNG(oneLine(c.Empty), width, height, f, scale)
	}

	n := len(c.Labels)
	labels := make([]string, n)
	for i, l := range c.Labels {
		labels[i] = oneLine(l)
	}
	lo, hi, step := yScale(c.Series, n)
	yticks := []chart.Tick{}
	for i := 0; lo+float64(i)*step <= hi+step/2; i++ {
		v := lo + float64(i)*step
		yticks = append(yticks, chart.Tick{Value: v, Label: yLabel(c.YLabel, v, step)})
	}

	const fontPt = 9.0
	dpi := 96 * scale
	face := truetype.NewFace(f, &truetype.Options{Size: fontPt, DPI: dpi})
	defer face.Close()
	px := func(v float64) int { return int(math.Round(v * scale)) }

	// Thin the x labels so they never overlap.
	widest := 0
	for _, l := range labels {
		widest = max(widest, font.MeasureString(face, l).Ceil())
	}
	plotWidth := width - px(90)
	every := max(1, int(math.Ceil(float64(n*(widest+px(12)))/float64(plotWidth))))
	// go-chart sets the x range to the outermost ticks, so blank ticks hold the half-slot margins.
	xticks := []chart.Tick{{Value: -0.5}}
	for i := 0; i < n; i += every {
		xticks = append(xticks, chart.Tick{Value: float64(i), Label: labels[i]})
	}
	xticks = append(xticks, chart.Tick{Value: float64(n) - 0.5})

	legend := layoutLegend(c, face, width-2*px(12), scale)
	lineH := px(fontPt * 1.9)

	xr := &chart.ContinuousRange{Min: -0.5, Max: float64(n) - 0.5}
	yr := &chart.ContinuousRange{Min: lo, Max: hi}
	axisText := chart.Style{FontSize: fontPt, FontColor: textColor, StrokeColor: drawing.ColorFromHex("999999"), StrokeWidth: scale}
	grid := chart.Style{StrokeColor: gridColor, StrokeWidth: scale}

	g := chart.Chart{
		Width:  width,
		Height: height,
		DPI:    dpi,
		Font:   f,
		Background: chart.Style{Padding: chart.Box{
			Top: px(14) + len(legend.rows)*lineH, Left: px(12), Right: px(20), Bottom: px(12),
		}},
		XAxis: chart.XAxis{Range: xr, Ticks: xticks, Style: axisText, GridMajorStyle: chart.Hidden()},
		// go-chart puts the primary y axis on the right; readers expect it on the left. The
		// hidden primary axis carries the ticks too: go-chart reads the secondary range from them.
		YAxis:          chart.YAxis{Range: yr, Ticks: yticks, Style: chart.Hidden(), GridMajorStyle: chart.Hidden()},
		YAxisSecondary: chart.YAxis{Range: yr, Ticks: yticks, Style: axisText, GridMajorStyle: grid},
	}
	g.Series = append(g.Series, bandSeries{bands: c.Bands, n: n})
	for i, s := range c.Series {
		vals := finite(s.Values[:min(len(s.Values), n)])
		if len(vals) == 0 {
			continue
		}
		xs := make([]float64, len(vals))
		for j := range xs {
			xs[j] = float64(j)
		}
		col := seriesColors[i%len(seriesColors)]
		g.Series = append(g.Series, chart.ContinuousSeries{
			Name:    s.Name,
			YAxis:   chart.YAxisSecondary,
			XValues: xs,
			YValues: vals,
			Style:   chart.Style{StrokeColor: col, StrokeWidth: 2.2 * scale, DotColor: col, DotWidth: 2.4 * scale},
		})
	}
	g.Elements = []chart.Renderable{func(r chart.Renderer, cb chart.Box, _ chart.Style) {
		r.SetFont(f)
		r.SetFontSize(fontPt)
		r.SetFontColor(textColor)
		legend.draw(r, px(12), px(6), lineH, scale)
		bandLabels(r, c.Bands, n, labelsAt(cb, n), face, cb.Top+lineH, scale)
	}}

	var iw chart.ImageWriter
	if err := g.Render(chart.PNG, &iw); err != nil {
		return nil, fmt.Errorf("review: render chart %q: %w", c.Title, err)
	}
	return encodePNG(&iw)
}

// encodePNG compresses fast: half of a report's render time went into the default level,
// which makes the file only 5% smaller.
func encodePNG(iw *chart.ImageWriter) ([]byte, error) {
	img, err := iw.Image()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// yScale picks a y range from zero (or the lowest value) to a round number above the highest,
// and a round step that gives about five grid lines.
func yScale(series []Series, n int) (lo, hi, step float64) {
	ints := true
	for _, s := range series {
		for _, v := range finite(s.Values[:min(len(s.Values), n)]) {
			lo, hi = min(lo, v), max(hi, v)
			ints = ints && v == math.Trunc(v)
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch {
	case raw/mag <= 1:
		step = mag
	case raw/mag <= 2:
		step = 2 * mag
	case raw/mag <= 5:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	if ints && step < 1 {
		step = 1
	}
	return math.Floor(lo/step) * step, math.Ceil(hi/step) * step, step
}

// finite draws a missing (NaN or infinite) value as zero rather than breaking the line.
func finite(vals []float64) []float64 {
	out := make([]float64, len(vals))
	for i, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[i] = v
		}
	}
	return out
}

func yLabel(format func(float64) string, v, step float64) string {
	if format != nil {
		return format(v)
	}
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// bandSeries shades whole columns of the plot; it draws below the lines because it is the
// first series, and it has no values so it does not stretch the axes.
type bandSeries struct {
	bands []Band
	n     int
}

func (bandSeries) GetName() string           { return "" }
func (bandSeries) GetYAxis() chart.YAxisType { return chart.YAxisSecondary }
func (bandSeries) GetStyle() chart.Style     { return chart.Style{} }
func (bandSeries) Validate() error           { return nil }
func (b bandSeries) Render(r chart.Renderer, cb chart.Box, _, _ chart.Range, _ chart.Style) {
	at := labelsAt(cb, b.n)
	for i, band := range b.bands {
		from, to, ok := clampBand(band, b.n)
		if !ok {
			continue
		}
		x0, x1 := at(float64(from)-0.5), at(float64(to)+0.5)
		r.SetFillColor(bandColors[i%len(bandColors)])
		r.MoveTo(x0, cb.Top)
		r.LineTo(x1, cb.Top)
		r.LineTo(x1, cb.Bottom)
		r.LineTo(x0, cb.Bottom)
		r.Close()
		r.Fill()
	}
}

func clampBand(b Band, n int) (from, to int, ok bool) {
	from, to = max(b.From, 0), min(b.To, n-1)
	return from, to, from <= to
}

// labelsAt maps an x value (a label index) to a pixel column, as the chart's x range does.
func labelsAt(cb chart.Box, n int) func(float64) int {
	return func(x float64) int {
		return cb.Left + int(math.Round((x+0.5)/float64(n)*float64(cb.Width())))
	}
}

// bandLabels writes each band's label at the top of its shading, where it fits.
func bandLabels(r chart.Renderer, bands []Band, n int, at func(float64) int, face font.Face, y int, scale float64) {
	for _, b := range bands {
		from, to, ok := clampBand(b, n)
		label := oneLine(b.Label)
		if !ok || label == "" {
			continue
		}
		x0, x1 := at(float64(from)-0.5), at(float64(to)+0.5)
		w := font.MeasureString(face, label).Ceil()
		if w > x1-x0-int(6*scale) {
			continue // the legend still names it
		}
		r.Text(label, (x0+x1-w)/2, y)
	}
}

type legendItem struct {
	label string
	color drawing.Color
	band  bool
	x, w  int
}

type legendLayout struct{ rows [][]legendItem }

// layoutLegend names the bands and the series, wrapping onto more rows when they do not fit.
func layoutLegend(c Chart, face font.Face, width int, scale float64) legendLayout {
	var items []legendItem
	for i, b := range c.Bands {
		if l := oneLine(b.Label); l != "" {
			items = append(items, legendItem{label: l, color: bandColors[i%len(bandColors)], band: true})
		}
	}
	for i, s := range c.Series {
		if l := oneLine(s.Name); l != "" {
			items = append(items, legendItem{label: l, color: seriesColors[i%len(seriesColors)]})
		}
	}
	var out legendLayout
	x := 0
	for _, it := range items {
		it.w = int(28*scale) + font.MeasureString(face, it.label).Ceil()
		if len(out.rows) == 0 || (x > 0 && x+it.w > width) {
			out.rows = append(out.rows, nil)
			x = 0
		}
		it.x = x
		out.rows[len(out.rows)-1] = append(out.rows[len(out.rows)-1], it)
		x += it.w + int(16*scale)
	}
	return out
}

func (l legendLayout) draw(r chart.Renderer, left, top, lineH int, scale float64) {
	sw := int(18 * scale)
	for i, row := range l.rows {
		mid := top + i*lineH + lineH/2
		for _, it := range row {
			x := left + it.x
			if it.band {
				// Paint the translucent band colour over white, as it looks in the plot.
				half := int(6 * scale)
				for _, col := range []drawing.Color{drawing.ColorWhite, it.color} {
					r.SetFillColor(col)
					r.MoveTo(x, mid-half)
					r.LineTo(x+sw, mid-half)
					r.LineTo(x+sw, mid+half)
					r.LineTo(x, mid+half)
					r.Close()
					r.Fill()
				}
			} else {
				r.SetStrokeColor(it.color)
				r.SetStrokeWidth(2.2 * scale)
				r.MoveTo(x, mid)
				r.LineTo(x+sw, mid)
				r.Stroke()
			}
			r.Text(it.label, x+sw+int(8*scale), mid+int(4*scale))
		}
	}
}

// emptyPNG is a blank chart area with the Empty text in the middle, shrunk until it fits.
func emptyPNG(text string, width, height int, f *truetype.Font, scale float64) ([]byte, error) {
	r, err := chart.PNG(width, height)
	if err != nil {
		return nil, err
	}
	dpi := 96 * scale
	r.SetDPI(dpi)
	r.SetFillColor(drawing.ColorWhite)
	r.MoveTo(0, 0)
	r.LineTo(width, 0)
	r.LineTo(width, height)
	r.LineTo(0, height)
	r.Close()
	r.Fill()
	if text != "" {
		size := 11.0
		var w int
		for ; size > 5; size-- {
			face := truetype.NewFace(f, &truetype.Options{Size: size, DPI: dpi})
			w = font.MeasureString(face, text).Ceil()
			face.Close()
			if w <= width-int(24*scale) {
				break
			}
		}
		r.SetFont(f)
		r.SetFontSize(size)
		r.SetFontColor(drawing.Color{R: 0x75, G: 0x75, B: 0x75, A: 255})
		r.Text(text, (width-w)/2, height/2+int(size*dpi/72/3))
	}
	var iw chart.ImageWriter
	if err := r.Save(&iw); err != nil {
		return nil, err
	}
	return encodePNG(&iw)
}
