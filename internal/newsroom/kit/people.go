package kit

import (
	"context"
	"strconv"
	"strings"

	"warta.dev/warta/internal/audit"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// The rules of spokespeople.

func (in *PersonInput) normalise() {
	for _, v := range []*string{&in.Name, &in.TitleID, &in.TitleEN, &in.Topics, &in.Email, &in.Phone} {
		*v = strings.TrimSpace(*v)
	}
	in.BioID = strings.TrimSpace(in.BioID)
	in.BioEN = strings.TrimSpace(in.BioEN)
}

// checkPerson fails each wrong field under its form name.
func checkPerson(in PersonInput) *web.Form {
	f := web.NewForm(nil)
	if in.Name == "" {
		f.Fail("name", "form.required")
	}
	tooLong(f, "name", in.Name, maxName)
	tooLong(f, "title_id", in.TitleID, maxPersonTitle)
	tooLong(f, "title_en", in.TitleEN, maxPersonTitle)
	tooLong(f, "topics", in.Topics, maxTopics)
	tooLong(f, "email", in.Email, maxEmail)
	if in.Email != "" && !web.ValidEmail(in.Email) {
		f.Fail("email", "form.email")
	}
	tooLong(f, "phone", in.Phone, maxPhone)
	tooLong(f, "bio_id", in.BioID, maxBio)
	tooLong(f, "bio_en", in.BioEN, maxBio)
	return f
}

// People returns every spokesperson of the workspace in their order, with their photos.
func (s *Service) People(ctx context.Context, wsID int64) ([]Spokesperson, error) {
	people, err := listPeople(ctx, s.d, wsID, false)
	if err != nil {
		return nil, err
	}
	return people, s.fillPhotos(ctx, wsID, people)
}

// Spokesperson returns one spokesperson of the workspace with their photo.
func (s *Service) Spokesperson(ctx context.Context, wsID, id int64) (*Spokesperson, error) {
	p, err := personByID(ctx, s.d, wsID, id, false)
	if err != nil {
		return nil, err
	}
	one := []Spokesperson{*p}
	if err := s.fillPhotos(ctx, wsID, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

func (s *Service) fillPhotos(ctx context.Context, wsID int64, people []Spokesperson) error {
	var ids []int64
	for _, p := range people {
		if p.photoID != 0 {
			ids = append(ids, p.photoID)
		}
	}
	assets, err := s.assets(ctx, wsID, ids)
	if err != nil {
		return err
	}
	for i := range people {
		if a, ok := assets[people[i].photoID]; ok {
			people[i].Photo = &a
		}
	}
	return nil
}

// photo uploads a spokesperson's photo (images only, within the kit's limit), described by their
// name for people who cannot see it.
func (s *Service) photo(ctx context.Context, a audit.Actor, wsID int64, name string, file Upload) (int64, error) {
	asset, err := s.upload(ctx, a, wsID, file, true)
	if err != nil {
		return 0, err
	}
	if asset, err = s.media.Update(ctx, a, wsID, asset.ID, name, asset.Credit, asset.Licence); err != nil {
		return 0, err
	}
	return asset.ID, nil
}

func photoIDs(id int64) []int64 {
	if id == 0 {
		return nil
	}
	return []int64{id}
}

// AddPerson adds a spokesperson at the end of the list, with a photo when one is given. The
// fields are checked before the photo is uploaded.
func (s *Service) AddPerson(ctx context.Context, a audit.Actor, wsID int64, in PersonInput, photo Upload) (*Spokesperson, error) {
	in.normalise()
	if f := checkPerson(in); !f.Valid() {
		return nil, web.Invalid(f)
	}
	var photoID int64
	if photo.Body != nil {
		var err error
		if photoID, err = s.photo(ctx, a, wsID, in.Name, photo); err != nil {
			return nil, err
		}
	}
	var id int64
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = insertPerson(ctx, tx, wsID, in, photoID); err != nil {
			return err
		}
		if err := s.media.SetUsage(ctx, tx, wsID, usagePerson, strconv.FormatInt(id, 10), in.Name, personLink(id), photoIDs(photoID)); err != nil {
			return err
		}
		if in.Public {
			if err := s.touch(ctx, tx, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "kit.person_added", "spokesperson", id, map[string]audit.Change{
			"name": {To: in.Name}, "public": {To: in.Public}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Spokesperson(ctx, wsID, id)
}

// UpdatePerson saves a spokesperson; a new photo replaces the old one, and RemovePhoto takes it
// off. A photo taken off stays in the media library.
func (s *Service) UpdatePerson(ctx context.Context, a audit.Actor, wsID, id int64, in PersonInput, photo Upload) (*Spokesperson, error) {
	in.normalise()
	if f := checkPerson(in); !f.Valid() {
		return nil, web.Invalid(f)
	}
	if _, err := personByID(ctx, s.d, wsID, id, false); err != nil {
		return nil, err // nothing is uploaded for someone not in this workspace
	}
	var newPhoto int64
	if photo.Body != nil {
		var err error
		if newPhoto, err = s.photo(ctx, a, wsID, in.Name, photo); err != nil {
			return nil, err
		}
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := personByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		photoID := old.photoID
		switch {
		case newPhoto != 0:
			photoID = newPhoto
		case in.RemovePhoto:
			photoID = 0
		}
		changes := map[string]audit.Change{}
		diff := func(field string, from, to any) {
			if from != to {
				changes[field] = audit.Change{From: from, To: to}
			}
		}
		diff("name", old.Name, in.Name)
		diff("title_id", old.TitleID, in.TitleID)
		diff("title_en", old.TitleEN, in.TitleEN)
		diff("topics", old.Topics, in.Topics)
		diff("email", old.Email, in.Email)
		diff("phone", old.Phone, in.Phone)
		diff("photo", old.photoID, photoID)
		diff("public", old.Public, in.Public)
		if old.BioID != in.BioID || old.BioEN != in.BioEN {
			changes["bio"] = audit.Change{To: "…"} // the text is on the profile; the log says it changed
		}
		if len(changes) == 0 {
			return nil
		}
		if err := updatePerson(ctx, tx, wsID, id, in, photoID); err != nil {
			return err
		}
		if err := s.media.SetUsage(ctx, tx, wsID, usagePerson, strconv.FormatInt(id, 10), in.Name, personLink(id), photoIDs(photoID)); err != nil {
			return err
		}
		if old.Public || in.Public {
			if err := s.touch(ctx, tx, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "kit.person_updated", "spokesperson", id, changes))
	})
	if err != nil {
		return nil, err
	}
	return s.Spokesperson(ctx, wsID, id)
}

// SetPersonPublic shows a spokesperson on the public newsroom, or hides them.
func (s *Service) SetPersonPublic(ctx context.Context, a audit.Actor, wsID, id int64, public bool) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := personByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		if old.Public == public {
			return nil
		}
		if err := setPersonPublic(ctx, tx, wsID, id, public); err != nil {
			return err
		}
		if err := s.touch(ctx, tx, wsID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "kit.person_updated", "spokesperson", id, map[string]audit.Change{
			"public": {From: old.Public, To: public}}))
	})
}

// MovePerson moves a spokesperson one place up (earlier) or down; at either end nothing changes.
func (s *Service) MovePerson(ctx context.Context, a audit.Actor, wsID, id int64, up bool) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		p, err := personByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		order, err := peopleOrder(ctx, tx, wsID)
		if err != nil {
			return err
		}
		from, to, ok := move(order, id, up)
		if !ok {
			return nil
		}
		if err := renumber(ctx, tx, "kit_people", wsID, order); err != nil {
			return err
		}
		if p.Public {
			if err := s.touch(ctx, tx, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "kit.person_moved", "spokesperson", id, map[string]audit.Change{"position": {From: from, To: to}}))
	})
}

// RemovePerson deletes a spokesperson's profile. Their photo stays in the media library.
func (s *Service) RemovePerson(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := personByID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		if err := deletePerson(ctx, tx, wsID, id); err != nil {
			return err
		}
		if err := s.media.SetUsage(ctx, tx, wsID, usagePerson, strconv.FormatInt(id, 10), "", "", nil); err != nil {
			return err
		}
		if old.Public {
			if err := s.touch(ctx, tx, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "kit.person_removed", "spokesperson", id, map[string]audit.Change{"name": {From: old.Name}}))
	})
}

// Title is the spokesperson's title in lang, else in the other language.
func (p Spokesperson) Title(lang string) string { return pick(lang, p.TitleID, p.TitleEN) }

// Bio is the spokesperson's profile in lang, else in the other language.
func (p Spokesperson) Bio(lang string) string { return pick(lang, p.BioID, p.BioEN) }

func pick(lang, id, en string) string {
	if lang == "en" && en != "" || id == "" {
		return en
	}
	return id
}

// photoFile is a spokesperson's photo as the public sees it.
func (p *Spokesperson) photoFile() *File {
	if p.Photo == nil {
		return nil
	}
	f := fileOf(p.Name, *p.Photo)
	return &f
}

// fileOf is an asset as the public sees it under title; a picture without alt text is described
// by its title.
func fileOf(title string, a medialib.Asset) File {
	alt := a.Alt
	if alt == "" {
		alt = title
	}
	return File{AssetID: a.ID, Kind: string(a.Kind), Title: title, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
		Width: a.Width, Height: a.Height, Alt: alt, Credit: a.Credit, Licence: a.Licence, thumb: a.HasThumb(), modified: a.CreatedAt}
}
