package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"image"
	_ "image/gif" // decoders of the accepted image types
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

const (
	thumbWidth     = 400
	thumbMaxHeight = 1200
	// maxThumbPixels keeps a decompression bomb (a small file of huge dimensions) from being
	// decoded: such an image is still saved, shown with an icon instead of a thumbnail.
	maxThumbPixels = 40_000_000
)

type imageInfo struct {
	width, height int
	thumb         []byte
	thumbType     string
}

// readImage reads an image's dimensions as people see it (after the camera's EXIF rotation) and
// makes its thumbnail. open returns a new reader from the file's start each time. A header that
// cannot be read means the file is damaged; pixels that cannot be decoded (an animated WebP, a
// truncated JPEG) only mean no thumbnail.
func readImage(open func() io.Reader, contentType string) (imageInfo, error) {
	cfg, _, err := image.DecodeConfig(open())
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return imageInfo{}, ErrDamaged
	}
	orient := 1
	if contentType == "image/jpeg" {
		orient = jpegOrientation(open())
	}
	info := imageInfo{width: cfg.Width, height: cfg.Height}
	if orient >= 5 {
		info.width, info.height = cfg.Height, cfg.Width
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxThumbPixels {
		return info, nil
	}
	img, _, err := image.Decode(open())
	if err != nil {
		return info, nil
	}
	info.thumb, info.thumbType, err = thumbnail(img, orient)
	return info, err
}

// thumbnail scales img to at most thumbWidth wide, upright: a JPEG, or a PNG when it has
// transparency.
func thumbnail(img image.Image, orient int) ([]byte, string, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if orient >= 5 {
		w, h = h, w
	}
	tw, th := fit(w, h)
	sw, sh := tw, th
	if orient >= 5 {
		sw, sh = th, tw
	}
	scaled := image.NewRGBA(image.Rect(0, 0, sw, sh))
	draw.CatmullRom.Scale(scaled, scaled.Bounds(), img, b, draw.Src, nil)
	out := reorient(scaled, orient)
	var buf bytes.Buffer
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 82})
		return buf.Bytes(), "image/jpeg", err
	}
	err := png.Encode(&buf, out)
	return buf.Bytes(), "image/png", err
}

// fit gives the thumbnail size of a w×h image.
func fit(w, h int) (int, int) {
	if w > thumbWidth {
		h, w = max(1, h*thumbWidth/w), thumbWidth
	}
	if h > thumbMaxHeight {
		w, h = max(1, w*thumbMaxHeight/h), thumbMaxHeight
	}
	return w, h
}

// reorient turns an image stored as the camera held it into how it is meant to be seen, for the
// eight EXIF orientations.
func reorient(src *image.RGBA, o int) image.Image {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := x, y
			switch o {
			case 2: // mirrored
				sx = w - 1 - x
			case 3: // upside down
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored upside down
				sy = h - 1 - y
			case 5: // mirrored, turned left
				sx, sy = y, x
			case 6: // turned left: rotate clockwise
				sx, sy = y, h-1-x
			case 7: // mirrored, turned right
				sx, sy = w-1-y, h-1-x
			case 8: // turned right: rotate anticlockwise
				sx, sy = w-1-y, x
			}
			dst.SetRGBA(x, y, src.RGBAAt(sx, sy))
		}
	}
	return dst
}

// jpegOrientation reads the EXIF orientation (1–8) of a JPEG; 1 when it has none.
func jpegOrientation(r io.Reader) int {
	br := bufio.NewReader(r)
	var b [4]byte
	if _, err := io.ReadFull(br, b[:2]); err != nil || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	for range 32 { // EXIF sits among the first segments, before the image data
		if _, err := io.ReadFull(br, b[:4]); err != nil || b[0] != 0xFF {
			return 1
		}
		marker, n := b[1], int(binary.BigEndian.Uint16(b[2:]))-2
		if marker == 0xDA || marker == 0xD9 || n < 0 {
			return 1
		}
		if marker != 0xE1 {
			if _, err := br.Discard(n); err != nil {
				return 1
			}
			continue
		}
		seg := make([]byte, n)
		if _, err := io.ReadFull(br, seg); err != nil {
			return 1
		}
		if bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in the first directory of EXIF's TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int64(bo.Uint32(t[4:8]))
	if off+2 > int64(len(t)) {
		return 1
	}
	n := int64(bo.Uint16(t[off:]))
	for i := int64(0); i < n; i++ {
		e := off + 2 + i*12
		if e+12 > int64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}
