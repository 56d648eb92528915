package media

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// format is an accepted file type: its kind, the extension of its stored key, and its short name.
type format struct {
	kind  Kind
	ext   string
	label string
}

const (
	typeZip  = "application/zip"
	typeText = "text/plain"
)

// formats are the accepted types, by content type. Anything else is refused: SVG because it can
// carry script, HTML for the same reason, a bare zip because nobody can preview it.
var formats = map[string]format{
	"image/jpeg":      {Image, "jpg", "JPEG"},
	"image/png":       {Image, "png", "PNG"},
	"image/gif":       {Image, "gif", "GIF"},
	"image/webp":      {Image, "webp", "WebP"},
	"video/mp4":       {Video, "mp4", "MP4"},
	"video/quicktime": {Video, "mov", "MOV"},
	"video/webm":      {Video, "webm", "WebM"},
	"application/pdf": {Document, "pdf", "PDF"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   {Document, "docx", "DOCX"},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {Document, "xlsx", "XLSX"},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {Document, "pptx", "PPTX"},
	"application/vnd.oasis.opendocument.text":                                   {Document, "odt", "ODT"},
	"application/vnd.oasis.opendocument.spreadsheet":                            {Document, "ods", "ODS"},
	"application/vnd.oasis.opendocument.presentation":                           {Document, "odp", "ODP"},
	typeText: {Document, "txt", "TXT"},
}

// baseType is a content type without its parameters: "text/plain; charset=utf-8" → "text/plain".
func baseType(ct string) string {
	t, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return t
}

// sniffHead tells a file's type from its first bytes (up to 512). A zip comes back as typeZip:
// which document it is, if any, needs the whole file (sniffZip).
func sniffHead(head []byte) (string, error) {
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return sniffFtyp(head)
	}
	ct := http.DetectContentType(head)
	base := baseType(ct)
	lower := bytes.ToLower(head)
	if bytes.Contains(lower, []byte("<svg")) {
		return "", ErrSVG
	}
	switch base {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", typeZip:
		return base, nil
	case "video/webm":
		// Matroska starts like WebM; only WebM plays in browsers, and it says so early on.
		if bytes.Contains(head[:min(len(head), 64)], []byte("webm")) {
			return base, nil
		}
	case typeText:
		// Markup that the sniffer took for text (after a byte-order mark, say) is still markup.
		for _, tag := range []string{"<html", "<script", "<!doctype html", "<body", "<iframe"} {
			if bytes.Contains(lower, []byte(tag)) {
				return "", ErrWrongType
			}
		}
		return ct, nil
	}
	return "", ErrWrongType
}

var (
	// heifBrands are HEIC and AVIF photos: phones take them, but browsers and Go cannot all show them.
	heifBrands = []string{"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis"}
	mp4Brands  = []string{"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash", "M4V ", "mmp4", "MSNV"}
)

// sniffFtyp reads an ISO media file's brands: MP4 and QuickTime video are accepted.
func sniffFtyp(head []byte) (string, error) {
	end := int(binary.BigEndian.Uint32(head))
	if end < 16 || end > len(head) {
		end = len(head)
	}
	major := string(head[8:12])
	brands := []string{major}
	for i := 16; i+4 <= end; i += 4 {
		brands = append(brands, string(head[i:i+4]))
	}
	switch {
	case slices.Contains(heifBrands, major):
		return "", ErrHEIC
	case major == "qt  ":
		return "video/quicktime", nil
	case strings.HasPrefix(major, "M4A") || major == "M4B " || major == "M4P ": // audio
		return "", ErrWrongType
	}
	for _, b := range brands {
		if slices.Contains(mp4Brands, b) {
			return "video/mp4", nil
		}
	}
	for _, b := range brands {
		if slices.Contains(heifBrands, b) {
			return "", ErrHEIC
		}
	}
	return "", ErrWrongType
}

// sniffZip tells which office document a zip is: OOXML (Word, Excel, PowerPoint) by its parts,
// OpenDocument by its mimetype entry. Only the directory is read, so a zip bomb does no harm.
func sniffZip(ra io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return "", ErrWrongType
	}
	if len(zr.File) > 0 && zr.File[0].Name == "mimetype" {
		rc, err := zr.File[0].Open()
		if err != nil {
			return "", ErrWrongType
		}
		defer rc.Close()
		raw, _ := io.ReadAll(io.LimitReader(rc, 100))
		switch t := string(raw); t {
		case "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.presentation":
			return t, nil
		}
		return "", ErrWrongType
	}
	parts := map[string]bool{}
	for _, f := range zr.File {
		parts[f.Name] = true
	}
	if !parts["[Content_Types].xml"] {
		return "", ErrWrongType
	}
	for _, macros := range []string{"word/vbaProject.bin", "xl/vbaProject.bin", "ppt/vbaProject.bin"} {
		if parts[macros] {
			return "", ErrMacros
		}
	}
	switch {
	case parts["word/document.xml"]:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil
	case parts["xl/workbook.xml"]:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
	case parts["ppt/presentation.xml"]:
		return "application/vnd.openxmlformats-officedocument.presentationml.presentation", nil
	}
	return "", ErrWrongType
}
