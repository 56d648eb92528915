package kit

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"

	medialib "warta.dev/warta/internal/content/media"
)

// What the public newsroom gets from the kit.

// Public returns what the newsroom shows: public items only, each group in its order, and the
// public spokespeople in theirs, with Title and Bio in lang (else in the other language).
func (s *Service) Public(ctx context.Context, wsID int64, lang string) (*Kit, error) {
	items, err := listItems(ctx, s.d, wsID, true)
	if err != nil {
		return nil, err
	}
	if err := s.fillItems(ctx, wsID, items); err != nil {
		return nil, err
	}
	people, err := listPeople(ctx, s.d, wsID, true)
	if err != nil {
		return nil, err
	}
	if err := s.fillPhotos(ctx, wsID, people); err != nil {
		return nil, err
	}
	k := &Kit{}
	for _, it := range items {
		f := fileOf(it.Title, it.Asset)
		switch it.Kind {
		case Logo:
			k.Logos = append(k.Logos, f)
		case Photo:
			k.Photos = append(k.Photos, f)
		case Document:
			k.Documents = append(k.Documents, f)
		}
	}
	for _, p := range people {
		k.Spokespeople = append(k.Spokespeople, Person{ID: p.ID, Name: p.Name, Title: p.Title(lang), Topics: p.Topics, Email: p.Email,
			Phone: p.Phone, Bio: p.Bio(lang), Photo: p.photoFile()})
	}
	return k, nil
}

// IsPublic reports whether an asset may be served to anyone: a public kit file, or the photo of a
// public spokesperson.
func (s *Service) IsPublic(ctx context.Context, wsID, assetID int64) (bool, error) {
	return isPublic(ctx, s.d, wsID, assetID)
}

// WriteZip writes every public file of the kit (logos, photos, documents, then the spokespeople's
// photos) and the extra texts into one zip, each under a unique, safe name made from its title.
// Pictures are stored as they are (they are compressed already), the rest deflated. It streams:
// an error after the first bytes leaves w holding a cut zip, so a caller that must answer with
// an error page writes to a buffer first.
func (s *Service) WriteZip(ctx context.Context, w io.Writer, wsID int64, lang string, extra []ZipText) error {
	k, err := s.Public(ctx, wsID, lang)
	if err != nil {
		return err
	}
	files := append(append(append([]File{}, k.Logos...), k.Photos...), k.Documents...)
	for _, p := range k.Spokespeople {
		if p.Photo != nil {
			files = append(files, *p.Photo)
		}
	}
	zw := zip.NewWriter(w)
	names := zipNames{}
	for _, f := range files {
		method := zip.Deflate
		if f.Kind == string(medialib.Image) {
			method = zip.Store
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: names.add(f.Title, path.Ext(f.Filename)), Method: method, Modified: f.modified})
		if err != nil {
			return err
		}
		if err := s.copyFile(ctx, fw, wsID, f.AssetID); err != nil {
			return err
		}
	}
	at := time.Now().UTC()
	for _, x := range extra {
		ext := path.Ext(x.Name)
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: names.add(strings.TrimSuffix(x.Name, ext), ext), Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, x.Body); err != nil {
			return err
		}
	}
	return zw.Close()
}

func (s *Service) copyFile(ctx context.Context, w io.Writer, wsID, assetID int64) error {
	rc, _, err := s.media.Open(ctx, wsID, assetID, false)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

// zipNames hands out the names of a zip's entries: lower-case letters and digits joined by
// hyphens, no folders, at most 80 characters before the extension, never the same twice.
type zipNames map[string]bool

// reserved are names Windows will not create a file under.
var reserved = map[string]bool{"con": true, "prn": true, "aux": true, "nul": true,
	"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true}

func (n zipNames) add(title, ext string) string {
	base := safe(title, 80)
	if base == "" {
		base = "file"
	}
	if reserved[base] {
		base += "-file"
	}
	if ext = safe(ext, 10); ext != "" {
		ext = "." + ext
	}
	name := base + ext
	for i := 2; n[name]; i++ {
		name = fmt.Sprintf("%s-%d%s", base, i, ext)
	}
	n[name] = true
	return name
}

// safe keeps the letters and digits of s in lower case, every other run of characters becoming
// one hyphen, at most max runes.
func safe(s string, max int) string {
	var out []rune
	gap := false
	for _, r := range strings.ToLower(s) {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			gap = len(out) > 0
			continue
		}
		if gap {
			if len(out)+2 > max {
				break
			}
			out = append(out, '-')
			gap = false
		}
		if len(out)+1 > max {
			break
		}
		out = append(out, r)
	}
	return string(out)
}
