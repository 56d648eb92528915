package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The demo newsroom's pictures are drawn here rather than shipped as files: simple flat
// illustrations (a logo, street scenes, portraits) and a one-page PDF, so the repository holds no
// binaries and every installation gets the same pictures.

// canvas is a picture being drawn, in the city's flat illustration style.
type canvas struct{ img *image.RGBA }

func newCanvas(w, h int, bg color.RGBA) canvas {
	c := canvas{image.NewRGBA(image.Rect(0, 0, w, h))}
	if bg.A != 0 {
		c.rect(0, 0, w, h, bg)
	}
	return c
}

func rgb(hex string) color.RGBA {
	var r, g, b uint8
	_, _ = fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{R: r, G: g, B: b, A: 255}
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + .5) }
	return color.RGBA{R: l(a.R, b.R), G: l(a.G, b.G), B: l(a.B, b.B), A: l(a.A, b.A)}
}

// paint lays an opaque colour over the pixel with the given coverage (0–1), for smooth edges.
func (c canvas) paint(x, y int, col color.RGBA, cover float64) {
	if !image.Pt(x, y).In(c.img.Rect) || cover <= 0 {
		return
	}
	cover = min(cover, 1)
	p := c.img.Pix[c.img.PixOffset(x, y):]
	for i, v := range []uint8{col.R, col.G, col.B, 255} {
		p[i] = uint8(float64(v)*cover + float64(p[i])*(1-cover) + .5)
	}
}

func (c canvas) rect(x0, y0, x1, y1 int, col color.RGBA) {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			c.paint(x, y, col, 1)
		}
	}
}

// gradient fills a rectangle from top to bottom colour.
func (c canvas) gradient(x0, y0, x1, y1 int, top, bottom color.RGBA) {
	for y := y0; y < y1; y++ {
		col := mix(top, bottom, float64(y-y0)/float64(max(y1-y0-1, 1)))
		for x := x0; x < x1; x++ {
			c.paint(x, y, col, 1)
		}
	}
}

func (c canvas) ellipse(cx, cy, rx, ry float64, col color.RGBA) {
	for y := int(cy - ry - 1); y <= int(cy+ry+1); y++ {
		for x := int(cx - rx - 1); x <= int(cx+rx+1); x++ {
			dx, dy := (float64(x)+.5-cx)/rx, (float64(y)+.5-cy)/ry
			d := math.Sqrt(dx*dx + dy*dy)
			c.paint(x, y, col, (1-d)*min(rx, ry)+.5)
		}
	}
}

func (c canvas) circle(cx, cy, r float64, col color.RGBA) { c.ellipse(cx, cy, r, r, col) }

// poly fills a polygon given as x, y pairs.
func (c canvas) poly(col color.RGBA, xy ...float64) {
	minY, maxY := math.Inf(1), math.Inf(-1)
	for i := 1; i < len(xy); i += 2 {
		minY, maxY = min(minY, xy[i]), max(maxY, xy[i])
	}
	n := len(xy) / 2
	for y := int(minY); y <= int(maxY); y++ {
		fy := float64(y) + .5
		var xs []float64
		for i := range n {
			x0, y0, x1, y1 := xy[2*i], xy[2*i+1], xy[2*((i+1)%n)], xy[2*((i+1)%n)+1]
			if (y0 <= fy) != (y1 <= fy) {
				xs = append(xs, x0+(fy-y0)*(x1-x0)/(y1-y0))
			}
		}
		slices.Sort(xs)
		for i := 0; i+1 < len(xs); i += 2 {
			for x := int(math.Round(xs[i])); x < int(math.Round(xs[i+1])); x++ {
				c.paint(x, y, col, 1)
			}
		}
	}
}

// line draws a thick line with round ends.
func (c canvas) line(x0, y0, x1, y1, width float64, col color.RGBA) {
	steps := int(math.Hypot(x1-x0, y1-y0)/2) + 1
	for i := 0; i <= steps; i++ {
		t := float64(i) / float64(steps)
		c.circle(x0+(x1-x0)*t, y0+(y1-y0)*t, width/2, col)
	}
}

// text writes s in bold with its baseline at y, starting at x, or centred on x when centred.
func (c canvas) text(s string, size, x, y float64, col color.RGBA, centred bool) error {
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return err
	}
	defer face.Close()
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face}
	if centred {
		x -= float64(d.MeasureString(s)) / 64 / 2
	}
	d.Dot = fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(y * 64)}
	d.DrawString(s)
	return nil
}

func (c canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	err := png.Encode(&buf, c.img)
	return buf.Bytes(), err
}

// The city's colours, also the newsroom's.
const (
	cityBlue = "#0f4c81"
	cityGold = "#d4a017"
)

// emblem is the city's round emblem: a gold ring, the initials over three waves of the sea.
func (c canvas) emblem(cx, cy, r float64, field, ink color.RGBA) error {
	c.circle(cx, cy, r, rgb(cityGold))
	c.circle(cx, cy, r*.88, field)
	inner := r * .88
	for y := int(cy - inner); y <= int(cy+inner); y++ {
		for x := int(cx - inner); x <= int(cx+inner); x++ {
			dx, dy := float64(x)+.5-cx, float64(y)+.5-cy
			if math.Hypot(dx, dy) > inner-1.5 {
				continue
			}
			wave := math.Sin(dx / r * 3 * math.Pi)
			for i := range 3 {
				top := r*(.3+.19*float64(i)) + wave*r*.05
				if dy > top && dy < top+r*.09 {
					c.paint(x, y, ink, 1)
				}
			}
		}
	}
	return c.text("SK", r*.72, cx, cy+r*.12, ink, true)
}

// logoWide is the city's logo for light backgrounds: the emblem and the name, on transparency.
func logoWide() ([]byte, error) {
	c := newCanvas(1000, 260, color.RGBA{})
	blue := rgb(cityBlue)
	if err := c.emblem(130, 130, 115, blue, rgb("#ffffff")); err != nil {
		return nil, err
	}
	if err := c.text("PEMERINTAH KOTA", 44, 275, 100, rgb(cityGold), false); err != nil {
		return nil, err
	}
	if err := c.text("SUKAMAJU", 104, 270, 200, blue, false); err != nil {
		return nil, err
	}
	return c.png()
}

// logoSquare is the emblem alone on the city's blue, for social media profiles.
func logoSquare() ([]byte, error) {
	c := newCanvas(800, 800, rgb(cityBlue))
	if err := c.emblem(400, 400, 290, rgb("#ffffff"), rgb(cityBlue)); err != nil {
		return nil, err
	}
	return c.png()
}

// Scenes are 1200×900, the shape of a phone or camera photo in landscape.
const sceneW, sceneH = 1200, 900

func (c canvas) tree(x, ground, size float64) {
	c.rect(int(x-size*.12), int(ground-size*1.1), int(x+size*.12), int(ground), rgb("#6d4c2f"))
	c.circle(x-size*.35, ground-size*1.25, size*.5, rgb("#2f7d32"))
	c.circle(x+size*.35, ground-size*1.3, size*.5, rgb("#2f7d32"))
	c.circle(x, ground-size*1.65, size*.6, rgb("#388e3c"))
}

// scene draws one of the demo's photographs by name.
func scene(name string) ([]byte, error) {
	c := newCanvas(sceneW, sceneH, rgb("#ffffff"))
	var err error
	switch name {
	case "mall":
		err = c.mall()
	case "puskesmas":
		err = c.puskesmas()
	case "festival":
		c.coast(true)
	case "beach":
		c.coast(false)
	case "bridge":
		c.bridge()
	case "road":
		c.road()
	case "cityhall":
		c.cityHall()
	case "square":
		c.square()
	default:
		err = fmt.Errorf("demo: no scene %q", name)
	}
	if err != nil {
		return nil, err
	}
	return c.png()
}

// mall is the public service mall: a glass front under the city's blue band.
func (c canvas) mall() error {
	c.gradient(0, 0, sceneW, 640, rgb("#5fa8dc"), rgb("#d7ecf8"))
	for x := 0.0; x < sceneW; x += 90 {
		c.circle(x, 610, 60, rgb("#4c8c4a"))
	}
	c.rect(160, 250, 1040, 650, rgb("#e9ecef"))
	c.rect(160, 250, 1040, 310, rgb(cityBlue))
	for row := range 3 {
		for col := range 10 {
			x, y := 190+col*85, 335+row*62
			c.rect(x, y, x+70, y+46, rgb("#7fb2d6"))
			c.poly(rgb("#a9cde6"), float64(x), float64(y+46), float64(x+25), float64(y), float64(x+40), float64(y), float64(x+15), float64(y+46))
		}
	}
	c.rect(450, 520, 750, 548, rgb(cityGold))
	c.rect(500, 548, 700, 650, rgb("#35607f"))
	c.rect(598, 548, 602, 650, rgb("#e9ecef"))
	c.gradient(0, 650, sceneW, sceneH, rgb("#cfc8bc"), rgb("#b3ab9d"))
	for x := -400.0; x < sceneW; x += 120 {
		c.line(x, sceneH, x+300, 650, 3, rgb("#c2baad"))
	}
	c.tree(80, 700, 110)
	c.tree(1120, 700, 110)
	return c.text("MAL PELAYANAN PUBLIK", 34, 600, 293, rgb("#ffffff"), true)
}

// puskesmas is a community health centre with its green sign.
func (c canvas) puskesmas() error {
	c.gradient(0, 0, sceneW, 600, rgb("#7dbfe8"), rgb("#e3f2fb"))
	c.ellipse(200, 600, 420, 90, rgb("#8fb98a"))
	c.ellipse(1000, 600, 380, 70, rgb("#8fb98a"))
	c.gradient(0, 600, sceneW, sceneH, rgb("#74b05a"), rgb("#4f8a3c"))
	c.rect(220, 420, 980, 660, rgb("#f5f4ee"))
	c.poly(rgb("#c8553d"), 170, 425, 1030, 425, 930, 300, 270, 300)
	c.rect(400, 440, 800, 500, rgb("#1f8a4c"))
	for _, x := range []int{260, 360, 790, 890} {
		c.rect(x, 530, x+50, 600, rgb("#7fb2d6"))
	}
	c.rect(550, 540, 650, 660, rgb("#8d6e4f"))
	c.poly(rgb("#d8d2c4"), 560, 660, 640, 660, 760, sceneH, 440, sceneH)
	c.tree(110, 680, 100)
	c.tree(1090, 690, 90)
	return c.text("PUSKESMAS SUKAMAJU", 30, 600, 481, rgb("#ffffff"), true)
}

// coast is the sea at dusk: with the festival's tents and bunting, or a fishing boat.
func (c canvas) coast(festival bool) {
	c.gradient(0, 0, sceneW, 480, rgb("#4b3f7a"), rgb("#f6a25e"))
	c.circle(820, 470, 70, rgb("#ffd98a"))
	c.gradient(0, 480, sceneW, 650, rgb("#35658f"), rgb("#244a70"))
	for i := range 6 {
		w := 120 - i*15
		c.rect(820-w/2, 495+i*24, 820+w/2, 501+i*24, rgb("#f2c27a"))
	}
	c.gradient(0, 650, sceneW, sceneH, rgb("#ead3a2"), rgb("#d9bb83"))
	if !festival {
		c.poly(rgb("#1f5fa8"), 260, 600, 520, 600, 490, 630, 290, 630)
		c.rect(285, 600, 495, 608, rgb("#c0392b"))
		c.rect(386, 450, 392, 600, rgb("#5d4037"))
		c.poly(rgb("#f5f1e6"), 395, 455, 395, 590, 490, 590)
		c.line(1020, 900, 1060, 560, 22, rgb("#7b5a3a"))
		for i := range 7 {
			a := -.3 + float64(i)*(math.Pi+.6)/6
			c.poly(rgb("#2e7d32"), 1060, 560, 1060+200*math.Cos(a), 560-110*math.Sin(a), 1060+200*math.Cos(a+.15), 560-110*math.Sin(a+.15))
		}
		return
	}
	tents := []string{"#c0392b", "#f5f1e6", "#d4a017", "#1f5fa8", "#2e8b57"}
	for i, col := range tents {
		x := 110 + float64(i)*230
		c.rect(int(x), 640, int(x+180), 780, rgb(col))
		c.poly(mix(rgb(col), rgb("#000000"), .15), x-15, 645, x+195, 645, x+90, 560)
		c.rect(int(x+65), 700, int(x+115), 780, rgb("#3b2f2a"))
	}
	sag := func(x float64) float64 { return 380 + 60*math.Sin(math.Pi*x/sceneW) }
	for x := 0.0; x < sceneW; x += 6 {
		c.line(x, sag(x), x+6, sag(x+6), 3, rgb("#3b2f2a"))
	}
	flags := []string{"#c0392b", "#ffffff", "#d4a017", "#1f5fa8"}
	for i := range 29 {
		x := 4 + float64(i)*42
		c.poly(rgb(flags[i%len(flags)]), x, sag(x), x+34, sag(x+34), x+17, sag(x+17)+40)
	}
}

// bridge is the new arch bridge over the river.
func (c canvas) bridge() {
	c.gradient(0, 0, sceneW, 530, rgb("#6cb2e0"), rgb("#dcefff"))
	for i := range 14 {
		x := 40 + i*85
		h := 30 + (i*37)%50
		c.rect(x, 520-h, x+60, 530, rgb("#c9b79c"))
		c.rect(x+10, 510-h, x+50, 520-h, rgb("#b5523b"))
	}
	c.gradient(0, 530, sceneW, sceneH, rgb("#4f8fb0"), rgb("#2b6584"))
	for y := 640; y < sceneH; y += 45 {
		for x := (y * 7) % 160; x < sceneW; x += 160 {
			c.rect(x, y, x+70, y+3, rgb("#7fb3cd"))
		}
	}
	c.poly(rgb("#5d9b47"), 0, 560, 170, 560, 90, sceneH, 0, sceneH)
	c.poly(rgb("#5d9b47"), 1030, 560, sceneW, 560, sceneW, sceneH, 1110, sceneH)
	c.rect(170, 590, 200, 760, rgb("#9e9e9e"))
	c.rect(1000, 590, 1030, 760, rgb("#9e9e9e"))
	arch := func(x float64) float64 { return 560 - 260*(1-math.Pow((x-600)/400, 2)) }
	for x := 250.0; x <= 950; x += 50 {
		c.rect(int(x-2), int(arch(x)), int(x+2), 560, rgb("#cfcfcf"))
	}
	for x := 200.0; x < 1000; x += 4 {
		c.line(x, arch(x), x+4, arch(x+4), 20, rgb("#c0392b"))
	}
	c.rect(0, 555, sceneW, 590, rgb("#d9d9d9"))
	c.rect(0, 590, sceneW, 606, rgb("#8a8a8a"))
	c.rect(0, 545, sceneW, 549, rgb("#f0f0f0"))
}

// road is a freshly paved city road with new markings.
func (c canvas) road() {
	c.gradient(0, 0, sceneW, 420, rgb("#76b8e6"), rgb("#e4f3ff"))
	c.ellipse(250, 430, 380, 60, rgb("#7fa7a0"))
	c.ellipse(950, 430, 420, 70, rgb("#7fa7a0"))
	c.gradient(0, 420, sceneW, sceneH, rgb("#8bc34a"), rgb("#4e7d2a"))
	c.poly(rgb("#3e3e42"), 570, 420, 630, 420, 1120, sceneH, 80, sceneH)
	c.poly(rgb("#f2f2f2"), 570, 420, 574, 420, 112, sceneH, 90, sceneH)
	c.poly(rgb("#f2f2f2"), 626, 420, 630, 420, 1110, sceneH, 1088, sceneH)
	for t := 0.02; t < 1; t += .12 {
		y0, y1 := 420+480*t*t, 420+480*math.Pow(t+.06, 2)
		w0, w1 := 1+9*t, 1+9*(t+.06)
		c.poly(rgb("#f5d547"), 600-w0, y0, 600+w0, y0, 600+w1, y1, 600-w1, y1)
	}
	for _, t := range []float64{.15, .3, .5, .75, 1.0} {
		y := 420 + 480*t
		size := 20 + 130*t
		c.tree(600-60-500*t-size*.5, y, size)
		c.tree(600+60+500*t+size*.5, y, size)
	}
}

// cityHall is the white city hall with its columns and the national flag.
func (c canvas) cityHall() {
	c.gradient(0, 0, sceneW, 640, rgb("#5aa3d8"), rgb("#d6ecfa"))
	c.gradient(0, 640, sceneW, sceneH, rgb("#6aa84f"), rgb("#4b7f36"))
	c.rect(250, 360, 950, 640, rgb("#f3f0e8"))
	c.poly(rgb("#efeadd"), 230, 362, 970, 362, 600, 235)
	c.poly(rgb("#f8f6f0"), 300, 350, 900, 350, 600, 260)
	c.rect(228, 350, 972, 368, rgb("#b03a2e"))
	for i := range 8 {
		x := 285 + i*88
		c.rect(x, 395, x+30, 625, rgb("#ffffff"))
		c.rect(x+24, 395, x+30, 625, rgb("#dcd8cc"))
	}
	c.rect(540, 520, 660, 625, rgb("#6d4c2f"))
	for i := range 3 {
		c.rect(290-i*20, 625+i*12, 910+i*20, 637+i*12, rgb("#dedad0"))
	}
	c.poly(rgb("#d8d2c4"), 560, 661, 640, 661, 760, sceneH, 440, sceneH)
	c.rect(1040, 250, 1047, 700, rgb("#9e9e9e"))
	c.rect(1047, 262, 1167, 302, rgb("#ce1126"))
	c.rect(1047, 302, 1167, 342, rgb("#ffffff"))
	c.tree(120, 720, 120)
}

// square is the town square: two banyan trees before the great mosque.
func (c canvas) square() {
	c.gradient(0, 0, sceneW, 520, rgb("#69b0e2"), rgb("#e0f1fc"))
	c.ellipse(600, 390, 120, 110, rgb("#2e7d5b"))
	c.rect(596, 260, 604, 285, rgb(cityGold))
	c.rect(450, 390, 750, 520, rgb("#f7f5ef"))
	for _, x := range []int{380, 790} {
		c.rect(x, 250, x+30, 520, rgb("#f7f5ef"))
		c.ellipse(float64(x+15), 250, 22, 26, rgb("#2e7d5b"))
	}
	for i := range 5 {
		x := 480 + i*55
		c.rect(x, 430, x+30, 490, rgb("#7a9fb5"))
	}
	c.gradient(0, 520, sceneW, sceneH, rgb("#7cb342"), rgb("#4e7d2a"))
	c.poly(rgb("#d8d2c4"), 570, 520, 630, 520, 720, sceneH, 480, sceneH)
	for _, x := range []float64{230, 970} {
		c.rect(int(x-22), 440, int(x+22), 660, rgb("#5b4030"))
		for i, off := range [][2]float64{{-120, -40}, {120, -40}, {-60, -130}, {60, -130}, {0, -60}} {
			c.circle(x+off[0], 440+off[1], 110-float64(i)*6, rgb("#24622a"))
		}
	}
}

// portrait is a spokesperson's picture: a plain figure on a studio background, with a hijab or
// with short hair, in a uniform or a doctor's white coat.
func portrait(hijab, clothes string, whiteCoat bool) ([]byte, error) {
	c := newCanvas(600, 600, rgb("#ffffff"))
	c.gradient(0, 0, 600, 600, rgb("#dfe8ee"), rgb("#b9c8d3"))
	skin := rgb("#c68e5f")
	if hijab == "" {
		c.ellipse(300, 300, 112, 128, rgb("#2b1d14"))
	}
	outer := rgb(clothes)
	if whiteCoat {
		outer = rgb("#f7f7f7")
	}
	c.ellipse(300, 650, 250, 190, outer)
	if whiteCoat {
		c.poly(rgb(clothes), 240, 470, 360, 470, 300, 600)
	}
	if hijab != "" {
		c.ellipse(300, 480, 160, 95, rgb(hijab))
		c.ellipse(300, 300, 128, 145, rgb(hijab))
		c.ellipse(300, 312, 80, 98, skin)
		return c.png()
	}
	c.rect(265, 380, 335, 470, skin)
	c.ellipse(300, 300, 95, 115, skin)
	c.ellipse(300, 215, 96, 48, rgb("#2b1d14"))
	return c.png()
}

// factSheetPDF is a one-page A4 PDF: a title on the city's blue band and lines of text. The
// text must be ASCII: the page uses the standard Helvetica fonts, which need no embedding.
func factSheetPDF(title string, lines []string) []byte {
	esc := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	var page strings.Builder
	page.WriteString("0.059 0.298 0.506 rg 0 762 595 80 re f\n0.831 0.627 0.090 rg 0 756 595 6 re f\n")
	fmt.Fprintf(&page, "BT 1 1 1 rg /F2 22 Tf 50 792 Td (%s) Tj ET\n", esc.Replace(title))
	page.WriteString("BT 0.15 0.17 0.2 rg /F1 11 Tf 16 TL 50 720 Td\n")
	for _, l := range lines {
		font := "/F1 11 Tf"
		if strings.HasPrefix(l, "# ") {
			font, l = "/F2 13 Tf", strings.TrimPrefix(l, "# ")
		}
		fmt.Fprintf(&page, "%s (%s) Tj T*\n", font, esc.Replace(l))
	}
	page.WriteString("ET\n")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", page.Len(), page.String()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}
