package media

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	mediastore "warta.dev/warta/internal/platform/media"
	"warta.dev/warta/internal/platform/web"
)

// Size limits per kind.
const (
	imageLimit    = 20 << 20
	documentLimit = 50 << 20
	videoLimit    = 512 << 20
)

// Lengths of the describing fields, in characters.
const (
	maxAlt     = 1000
	maxCredit  = 300
	maxLicence = 300
)

// Library holds the rules of the media library.
type Library struct {
	d      *db.DB
	store  mediastore.Store
	limits map[Kind]int64
	// tmpDir holds uploads while they are checked; "" is the system's temp folder.
	tmpDir string
}

// New returns the library over the database and the media store.
func New(d *db.DB, store mediastore.Store) *Library {
	return &Library{d: d, store: store, limits: map[Kind]int64{Image: imageLimit, Video: videoLimit, Document: documentLimit}}
}

var tooLarge = map[Kind]error{Image: ErrImageTooLarge, Video: ErrVideoTooLarge, Document: ErrDocTooLarge}

// Upload checks and keeps a file. Its type comes from its bytes (the name is only shown), its size
// must be within its kind's limit, and an image gets its dimensions and a thumbnail. The file is
// copied to a temporary file while it is checked, so a large video never sits in memory and
// nothing reaches the store before it passed. A refusal is one of the Err… values of this package.
func (l *Library) Upload(ctx context.Context, a Actor, wsID int64, filename string, r io.Reader) (Asset, error) {
	tmp, err := os.CreateTemp(l.tmpDir, "warta-upload-*")
	if err != nil {
		return Asset{}, fmt.Errorf("media: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	asset, img, err := l.check(tmp, filename, r)
	if err != nil {
		return Asset{}, err
	}
	asset.UploadedBy = a.UserID
	t := asset.CreatedAt
	base := fmt.Sprintf("ws/%d/%04d/%02d/%s", wsID, t.Year(), t.Month(), randomName())
	asset.key = base + "." + formats[baseType(asset.ContentType)].ext
	if err := l.store.Put(ctx, asset.key, io.NewSectionReader(tmp, 0, asset.Size), asset.Size, asset.ContentType); err != nil {
		return Asset{}, err
	}
	if img.thumb != nil {
		asset.thumbKey = base + "-thumb." + formats[img.thumbType].ext
		if err := l.store.Put(ctx, asset.thumbKey, bytes.NewReader(img.thumb), int64(len(img.thumb)), img.thumbType); err != nil {
			l.removeFiles(ctx, asset)
			return Asset{}, err
		}
	}
	var id int64
	err = l.d.Tx(ctx, func(tx *db.Tx) error {
		if id, err = insertAsset(ctx, tx, wsID, asset); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "media.uploaded", "media", id, map[string]audit.Change{
			"filename": {To: asset.Filename}, "kind": {To: asset.Kind}, "size": {To: asset.Size}}))
	})
	if err != nil {
		l.removeFiles(ctx, asset)
		return Asset{}, err
	}
	return l.Get(ctx, wsID, id)
}

// check copies r into tmp, at most its kind's limit, and finds out what it is: type, kind, size,
// and for an image its dimensions and thumbnail.
func (l *Library) check(tmp *os.File, filename string, r io.Reader) (Asset, imageInfo, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Asset{}, imageInfo{}, fmt.Errorf("media: reading the upload: %w", err)
	}
	if n == 0 {
		return Asset{}, imageInfo{}, ErrEmpty
	}
	head = head[:n]
	ct, err := sniffHead(head)
	if err != nil {
		return Asset{}, imageInfo{}, err
	}
	kind := formats[baseType(ct)].kind
	if baseType(ct) == typeZip {
		kind = Document
	}
	limit := l.limits[kind]
	if _, err := tmp.Write(head); err != nil {
		return Asset{}, imageInfo{}, fmt.Errorf("media: %w", err)
	}
	rest, err := io.Copy(tmp, io.LimitReader(r, limit-int64(n)+1))
	if err != nil {
		return Asset{}, imageInfo{}, fmt.Errorf("media: reading the upload: %w", err)
	}
	size := int64(n) + rest
	if size > limit {
		return Asset{}, imageInfo{}, tooLarge[kind]
	}
	if baseType(ct) == typeZip {
		if ct, err = sniffZip(tmp, size); err != nil {
			return Asset{}, imageInfo{}, err
		}
	}
	t := now()
	asset := Asset{Filename: cleanFilename(filename, formats[baseType(ct)].ext), ContentType: ct, Kind: kind, Size: size, CreatedAt: t, UpdatedAt: t}
	var img imageInfo
	if kind == Image {
		img, err = readImage(func() io.Reader { return bufio.NewReader(io.NewSectionReader(tmp, 0, size)) }, ct)
		if err != nil {
			return Asset{}, imageInfo{}, err
		}
		asset.Width, asset.Height = img.width, img.height
	}
	return asset, img, nil
}

// removeFiles deletes an asset's objects once nothing refers to them. A failure leaves a file
// nobody sees, which is logged rather than shown.
func (l *Library) removeFiles(ctx context.Context, a Asset) {
	ctx = context.WithoutCancel(ctx)
	for _, key := range []string{a.key, a.thumbKey} {
		if key == "" {
			continue
		}
		if err := l.store.Delete(ctx, key); err != nil {
			slog.Warn("media: a file stays in the store without its record", "key", key, "err", err)
		}
	}
}

// cleanFilename keeps the last part of a name as sent, without control characters, at most 200
// characters; a name that says nothing becomes "file.<ext>".
func cleanFilename(name, ext string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." || name == "/" {
		return "file." + ext
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

func randomName() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Get returns one asset of the workspace.
func (l *Library) Get(ctx context.Context, wsID, id int64) (Asset, error) {
	return assetByID(ctx, l.d, wsID, id, false)
}

// GetMany returns the workspace's assets with the given ids, in that order without repeats;
// db.ErrNotFound when any of them is not in the workspace.
func (l *Library) GetMany(ctx context.Context, wsID int64, ids []int64) ([]Asset, error) {
	ids = unique(ids)
	found, err := assetsByIDs(ctx, l.d, wsID, ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Asset{}
	for _, a := range found {
		byID[a.ID] = a
	}
	out := make([]Asset, 0, len(ids))
	for _, id := range ids {
		a, ok := byID[id]
		if !ok {
			return nil, db.ErrNotFound
		}
		out = append(out, a)
	}
	return out, nil
}

func unique(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Search lists the workspace's assets newest first. The query matches filename, alt text and
// credit, every word somewhere, whatever the case.
func (l *Library) Search(ctx context.Context, wsID int64, f Filter) ([]Asset, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return searchAssets(ctx, l.d, wsID, f)
}

// checkText validates alt text, credit and licence; the form carries each error beside its field.
func checkText(alt, credit, licence string) *web.Form {
	f := web.NewForm(nil)
	f.Values.Set("alt", alt)
	f.Values.Set("credit", credit)
	f.Values.Set("licence", licence)
	f.MaxLength("alt", maxAlt)
	f.MaxLength("credit", maxCredit)
	f.MaxLength("licence", maxLicence)
	return f
}

// Update sets an asset's alt text, credit and licence. Too long a value is refused with
// web.Invalid, its error beside its field.
func (l *Library) Update(ctx context.Context, a Actor, wsID, id int64, alt, credit, licence string) (Asset, error) {
	f := checkText(alt, credit, licence)
	if !f.Valid() {
		return Asset{}, web.Invalid(f)
	}
	alt, credit, licence = f.Get("alt"), f.Get("credit"), f.Get("licence")
	var out Asset
	err := l.d.Tx(ctx, func(tx *db.Tx) error {
		cur, err := assetByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		changes := map[string]audit.Change{}
		set := func(name string, field *string, v string) {
			if *field != v {
				changes[name] = audit.Change{From: *field, To: v}
				*field = v
			}
		}
		set("alt", &cur.Alt, alt)
		set("credit", &cur.Credit, credit)
		set("licence", &cur.Licence, licence)
		out = cur
		if len(changes) == 0 {
			return nil
		}
		out.UpdatedAt = now()
		if err := updateAssetText(ctx, tx, wsID, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "media.updated", "media", id, changes))
	})
	return out, err
}

// Delete removes an asset and its files. While the asset is used anywhere it is refused with an
// *InUseError listing where (errors.Is(err, ErrInUse)).
func (l *Library) Delete(ctx context.Context, a Actor, wsID, id int64) error {
	var gone Asset
	err := l.d.Tx(ctx, func(tx *db.Tx) error {
		cur, err := assetByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		uses, err := usageOf(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if len(uses) > 0 {
			return &InUseError{Uses: uses}
		}
		if err := deleteAsset(ctx, tx, wsID, id); err != nil {
			return err
		}
		gone = cur
		return audit.Record(ctx, tx, a.Entry(wsID, "media.deleted", "media", id, map[string]audit.Change{"filename": {From: cur.Filename}}))
	})
	if err != nil {
		return err
	}
	l.removeFiles(ctx, gone)
	return nil
}

// Usage lists where an asset is used.
func (l *Library) Usage(ctx context.Context, wsID, id int64) ([]Usage, error) {
	return usageOf(ctx, l.d, wsID, id)
}

// SetUsage records, in the caller's transaction, that entity entityID (shown as label, found at
// link) uses exactly assetIDs, replacing what it used before; no ids clears it. Every asset must
// be in the workspace, or it is db.ErrNotFound. The caller's audit entry covers the change.
func (l *Library) SetUsage(ctx context.Context, tx *db.Tx, wsID int64, entity, entityID, label, link string, assetIDs []int64) error {
	if entity == "" || entityID == "" {
		return errors.New("media: SetUsage needs an entity and its id")
	}
	ids := unique(assetIDs)
	if len(ids) > 0 {
		n, err := countAssets(ctx, tx, wsID, ids)
		if err != nil {
			return err
		}
		if n != len(ids) {
			return db.ErrNotFound
		}
	}
	return replaceUsage(ctx, tx, wsID, Usage{Entity: entity, EntityID: entityID, Label: label, Link: link}, ids)
}

// CheckPublishable refuses images without alt text with a *MissingAltError naming them
// (errors.Is(err, ErrMissingAlt)); db.ErrNotFound when an id is not in the workspace.
func (l *Library) CheckPublishable(ctx context.Context, wsID int64, ids []int64) error {
	assets, err := l.GetMany(ctx, wsID, ids)
	if err != nil {
		return err
	}
	var missing []string
	for _, a := range assets {
		if a.MissingAlt() {
			missing = append(missing, a.Filename)
		}
	}
	if len(missing) > 0 {
		return &MissingAltError{Files: missing}
	}
	return nil
}

// Open returns the content of an asset's file, or of its thumbnail; the caller closes it.
// A thumbnail that was never made is db.ErrNotFound.
func (l *Library) Open(ctx context.Context, wsID, id int64, thumb bool) (io.ReadCloser, Asset, error) {
	a, err := l.Get(ctx, wsID, id)
	if err != nil {
		return nil, Asset{}, err
	}
	key := a.key
	if thumb {
		if a.thumbKey == "" {
			return nil, Asset{}, db.ErrNotFound
		}
		key = a.thumbKey
	}
	rc, _, err := l.store.Open(ctx, key)
	if err != nil {
		return nil, Asset{}, err
	}
	return rc, a, nil
}

// thumbType is the content type of the asset's thumbnail.
func (a Asset) thumbType() string {
	if strings.HasSuffix(a.thumbKey, ".png") {
		return "image/png"
	}
	return "image/jpeg"
}
