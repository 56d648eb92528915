package kit

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Service holds the rules of the media kit.
type Service struct {
	d     *db.DB
	media Media
	touch func(ctx context.Context, tx *db.Tx, wsID int64) error
}

// NewService wires the service: m is the media library, touch tells the newsroom (in the same
// transaction) that what its public pages show has changed.
func NewService(d *db.DB, m Media, touch func(ctx context.Context, tx *db.Tx, wsID int64) error) *Service {
	return &Service{d: d, media: m, touch: touch}
}

// imageLimit is the largest image the kit takes: journalists download these over phones, and a
// print-quality JPEG fits well within it. Its sentence in the catalog (kit.error.too_large) names it.
const imageLimit = 20 << 20

// Field limits, in characters. Alt text, credit and licence are the media library's own limits,
// checked here before the upload so that a refused form leaves no file behind.
const (
	maxTitle       = 200
	maxAlt         = 1000
	maxCredit      = 300
	maxLicence     = 300
	maxName        = 200
	maxPersonTitle = 200
	maxTopics      = 300
	maxEmail       = 254
	maxPhone       = 50
	maxBio         = 4000
)

// How the kit's uses of assets are named in the media library.
const (
	usageItem   = "newsroom_kit"
	usagePerson = "newsroom_spokesperson"
)

// itemLink and personLink are the pages inside the workspace, as the media library links to them.
func itemLink(id int64) string   { return "/newsroom/kit/" + strconv.FormatInt(id, 10) }
func personLink(id int64) string { return "/newsroom/spokespeople/" + strconv.FormatInt(id, 10) }

func tooLong(f *web.Form, name, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		f.Fail(name, "form.too_long")
	}
}

func (in *ItemInput) normalise() {
	in.Title = strings.TrimSpace(in.Title)
	in.Alt = strings.TrimSpace(in.Alt)
	in.Credit = strings.TrimSpace(in.Credit)
	in.Licence = strings.TrimSpace(in.Licence)
}

// checkItem fails each wrong field under its form name. A new item needs a group and a file; a
// saved one needs its title (a new one without a title takes the file's name).
func checkItem(in ItemInput, adding bool, file Upload) *web.Form {
	f := web.NewForm(nil)
	if adding {
		if !in.Kind.Valid() {
			f.Fail("kind", "form.choose")
		}
		if file.Body == nil {
			f.Fail("file", "kit.error.no_file")
		}
	} else if in.Title == "" {
		f.Fail("title", "form.required")
	}
	tooLong(f, "title", in.Title, maxTitle)
	tooLong(f, "alt", in.Alt, maxAlt)
	tooLong(f, "credit", in.Credit, maxCredit)
	tooLong(f, "licence", in.Licence, maxLicence)
	return f
}

// Items returns every item of the kit, each group in its order (Kinds), with its asset.
func (s *Service) Items(ctx context.Context, wsID int64) ([]Item, error) {
	items, err := listItems(ctx, s.d, wsID, false)
	if err != nil {
		return nil, err
	}
	if err := s.fillItems(ctx, wsID, items); err != nil {
		return nil, err
	}
	var out []Item
	for _, k := range Kinds {
		for _, it := range items {
			if it.Kind == k {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

// Item returns one item of the workspace's kit with its asset.
func (s *Service) Item(ctx context.Context, wsID, id int64) (*Item, error) {
	it, err := itemByID(ctx, s.d, wsID, id, false)
	if err != nil {
		return nil, err
	}
	one := []Item{*it}
	if err := s.fillItems(ctx, wsID, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

func (s *Service) fillItems(ctx context.Context, wsID int64, items []Item) error {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.Asset.ID
	}
	assets, err := s.assets(ctx, wsID, ids)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].Asset = assets[items[i].Asset.ID]
	}
	return nil
}

func (s *Service) assets(ctx context.Context, wsID int64, ids []int64) (map[int64]medialib.Asset, error) {
	out := map[int64]medialib.Asset{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := s.media.GetMany(ctx, wsID, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		out[a.ID] = a
	}
	return out, nil
}

// Add uploads a file to the media library and puts it at the end of its group, with its alt
// text, credit and licence saved on the asset. The form's fields are checked before the upload;
// an image above 20 MB is ErrTooLarge, a photo that is no image ErrNotImage, a video ErrVideo, and
// the media library's own refusals come as they are.
func (s *Service) Add(ctx context.Context, a audit.Actor, wsID int64, in ItemInput, file Upload) (*Item, error) {
	in.normalise()
	if f := checkItem(in, true, file); !f.Valid() {
		return nil, web.Invalid(f)
	}
	asset, err := s.upload(ctx, a, wsID, file, in.Kind == Photo)
	if err != nil {
		return nil, err
	}
	if in.Title == "" {
		in.Title = strings.TrimSuffix(asset.Filename, path.Ext(asset.Filename))
	}
	if in.Alt != "" || in.Credit != "" || in.Licence != "" {
		if asset, err = s.media.Update(ctx, a, wsID, asset.ID, in.Alt, in.Credit, in.Licence); err != nil {
			return nil, err
		}
	}
	var id int64
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if id, err = insertItem(ctx, tx, wsID, in, asset.ID); err != nil {
			return err
		}
		if err := s.media.SetUsage(ctx, tx, wsID, usageItem, strconv.FormatInt(id, 10), in.Title, itemLink(id), []int64{asset.ID}); err != nil {
			return err
		}
		if in.Public {
			if err := s.touch(ctx, tx, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "kit.item_added", "kit_item", id, map[string]audit.Change{
			"kind": {To: in.Kind}, "title": {To: in.Title}, "file": {To: asset.Filename}, "public": {To: in.Public}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Item(ctx, wsID, id)
}

// sniffLen is how much of an upload is read to tell images and video from the rest.
const sniffLen = 512

// upload sends a file to the media library. Images are held to the kit's limit while they stream,
// so nothing reaches the store before the refusal; only images are taken when imageOnly.
func (s *Service) upload(ctx context.Context, a audit.Actor, wsID int64, file Upload, imageOnly bool) (medialib.Asset, error) {
	br := bufio.NewReaderSize(file.Body, sniffLen)
	head, _ := br.Peek(sniffLen) // a short or failed read shows again, and is reported, in the library
	var r io.Reader = br
	switch classify(head) {
	case "video":
		return medialib.Asset{}, ErrVideo
	case "image":
		r = &capped{r: br, left: imageLimit}
	default:
		if imageOnly {
			return medialib.Asset{}, ErrNotImage
		}
	}
	asset, err := s.media.Upload(ctx, a, wsID, file.Filename, r)
	if errors.Is(err, ErrTooLarge) {
		return medialib.Asset{}, ErrTooLarge
	}
	return asset, err
}

// classify tells images and video from other files by their first bytes. The media library
// decides what a file really is; this only picks the kit's rule. ISO media (MP4, MOV, and HEIC
// photos, which the library refuses) counts as video.
func classify(head []byte) string {
	ct := http.DetectContentType(head)
	switch {
	case strings.HasPrefix(ct, "image/"):
		return "image"
	case strings.HasPrefix(ct, "video/"), len(head) >= 12 && string(head[4:8]) == "ftyp":
		return "video"
	}
	return "other"
}

// capped fails with ErrTooLarge once more than left bytes were read.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, ErrTooLarge
	}
	return n, err
}

// UpdateItem saves an item's title and whether it is public, and its asset's alt text, credit and
// licence in the media library.
func (s *Service) UpdateItem(ctx context.Context, a audit.Actor, wsID, id int64, in ItemInput) (*Item, error) {
	in.normalise()
	if f := checkItem(in, false, Upload{}); !f.Valid() {
		return nil, web.Invalid(f)
	}
	cur, err := s.Item(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	described := cur.Asset.Alt != in.Alt || cur.Asset.Credit != in.Credit || cur.Asset.Licence != in.Licence
	if described {
		if _, err := s.media.Update(ctx, a, wsID, cur.Asset.ID, in.Alt, in.Credit, in.Licence); err != nil {
			return nil, err
		}
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := itemByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		return s.saveItem(ctx, a, tx, wsID, old, in.Title, in.Public, described)
	})
	if err != nil {
		return nil, err
	}
	return s.Item(ctx, wsID, id)
}

// SetItemPublic shows an item on the public newsroom, or hides it.
func (s *Service) SetItemPublic(ctx context.Context, a audit.Actor, wsID, id int64, public bool) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := itemByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		return s.saveItem(ctx, a, tx, wsID, old, old.Title, public, false)
	})
}

// saveItem writes an item's title and visibility in tx; the newsroom is told when it showed or
// shows the item and anything changed (described: its asset's words did).
func (s *Service) saveItem(ctx context.Context, a audit.Actor, tx *db.Tx, wsID int64, old *Item, title string, public, described bool) error {
	changes := map[string]audit.Change{}
	if old.Title != title {
		changes["title"] = audit.Change{From: old.Title, To: title}
	}
	if old.Public != public {
		changes["public"] = audit.Change{From: old.Public, To: public}
	}
	if len(changes) > 0 {
		if err := updateItem(ctx, tx, wsID, old.ID, title, public); err != nil {
			return err
		}
	}
	if old.Title != title {
		if err := s.media.SetUsage(ctx, tx, wsID, usageItem, strconv.FormatInt(old.ID, 10), title, itemLink(old.ID), []int64{old.Asset.ID}); err != nil {
			return err
		}
	}
	if (len(changes) > 0 || described) && (old.Public || public) {
		if err := s.touch(ctx, tx, wsID); err != nil {
			return err
		}
	}
	if len(changes) == 0 {
		return nil
	}
	return audit.Record(ctx, tx, a.Entry(wsID, "kit.item_updated", "kit_item", old.ID, changes))
}

// MoveItem moves an item one place up (earlier) or down within its group; at the end of the group
// nothing changes.
func (s *Service) MoveItem(ctx context.Context, a audit.Actor, wsID, id int64, up bool) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		it, err := itemByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		order, err := itemOrder(ctx, tx, wsID, it.Kind)
		if err != nil {
			return err
		}
		from, to, ok := move(order, id, up)
		if !ok {
			return nil
		}
		if err := renumber(ctx, tx, "kit_items", wsID, order); err != nil {
			return err
		}
		if it.Public {
			if err := s.touch(ctx, tx, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "kit.item_moved", "kit_item", id, map[string]audit.Change{"position": {From: from, To: to}}))
	})
}

// move swaps id with its neighbour in order and reports the positions (from 1) it went between;
// false when it is already first (up) or last.
func move(order []int64, id int64, up bool) (from, to int, ok bool) {
	i := -1
	for k, x := range order {
		if x == id {
			i = k
		}
	}
	j := i + 1
	if up {
		j = i - 1
	}
	if i < 0 || j < 0 || j >= len(order) {
		return 0, 0, false
	}
	order[i], order[j] = order[j], order[i]
	return i + 1, j + 1, true
}

// RemoveItem takes an item out of the kit. Its file stays in the media library.
func (s *Service) RemoveItem(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := itemByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		if err := deleteItem(ctx, tx, wsID, id); err != nil {
			return err
		}
		if err := s.media.SetUsage(ctx, tx, wsID, usageItem, strconv.FormatInt(id, 10), "", "", nil); err != nil {
			return err
		}
		if old.Public {
			if err := s.touch(ctx, tx, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "kit.item_removed", "kit_item", id, map[string]audit.Change{
			"kind": {From: old.Kind}, "title": {From: old.Title}}))
	})
}
