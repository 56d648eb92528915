package fetch

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// toUTF8 returns an XML or JSON body as UTF-8 and without a byte order mark. The encoding is the
// one the byte order mark, else the XML declaration, else the Content-Type header declares, else
// UTF-8. A body converted from another encoding loses its declaration's encoding, so parsers
// do not convert it twice. Text said to be UTF-8 that is mostly not is read as Windows-1252 (a
// site's default header over an old feed); a few bad bytes become U+FFFD.
func toUTF8(body []byte, contentType string) ([]byte, *Error) {
	label := ""
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		body = body[3:]
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		label, body = "utf-16be", body[2:]
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		label, body = "utf-16le", body[2:]
	}
	if label == "" {
		label = declaredEncoding(body)
	}
	if label == "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			label = params["charset"]
		}
	}
	enc, name := charset.Lookup(label)
	if label != "" && enc == nil {
		return nil, newError(ErrCharset, "unknown charset "+label, map[string]any{"Charset": label})
	}
	if label == "" || name == "utf-8" {
		if utf8.Valid(body) {
			return body, nil
		}
		if !mostlyUTF8(body) {
			enc, name = charset.Lookup("windows-1252")
		} else {
			return bytes.ToValidUTF8(body, []byte("\uFFFD")), nil
		}
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, newError(ErrCharset, name+": "+err.Error(), map[string]any{"Charset": label})
	}
	return dropDeclaredEncoding(out), nil
}

// mostlyUTF8 says whether the body's bytes above ASCII mostly form valid UTF-8 sequences:
// Windows-1252 text almost never does, UTF-8 with a stray bad byte mostly does.
func mostlyUTF8(b []byte) bool {
	good, bad := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			good++
		}
		i += n
	}
	return good > bad
}

// xmlDecl is the XML declaration at the start of b ("<?xml ... ?>"), or nil.
func xmlDecl(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return nil
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 || end > 512 {
		return nil
	}
	return b[:end]
}

// declaredEncoding is the encoding an XML declaration names, lower case; "" when none.
func declaredEncoding(b []byte) string {
	decl := xmlDecl(b)
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	end := bytes.IndexByte(rest[1:], q)
	if end < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(string(rest[1 : 1+end])))
}

// dropDeclaredEncoding rewrites the XML declaration's encoding to utf-8, for a body already
// converted.
func dropDeclaredEncoding(b []byte) []byte {
	decl := xmlDecl(b)
	if decl == nil {
		return b
	}
	start := bytes.Index(b, decl)
	fixed := []byte(`<?xml version="1.0" encoding="utf-8"`)
	out := make([]byte, 0, len(b)-len(decl)+len(fixed))
	out = append(out, b[:start]...)
	out = append(out, fixed...)
	return append(out, b[start+len(decl):]...)
}
