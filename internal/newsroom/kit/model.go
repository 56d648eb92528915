// Package kit is the newsroom's media kit: logos in several formats, photos and documents such as
// the fact sheet, and the profiles of the spokespeople journalists may quote. The files live in the
// media library; their credit, licence and alt text are the asset's own fields, so the kit keeps
// only a title, a group, an order and whether the public newsroom shows them. The newsroom core
// renders the public pages from Public, serves files only when IsPublic, and offers WriteZip.
package kit

import (
	"context"
	"embed"
	"io"
	"net/http"
	"time"

	"warta.dev/warta/internal/audit"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations create the media kit tables.
var Migrations = db.Migrations{Name: "kit", FS: migrations}

// Catalog holds the media kit's words.
var Catalog = i18n.Catalog{Name: "kit", FS: i18n.Dir(catalogFiles, "i18n")}

// Media is what the kit needs from the media library (*medialib.Library has it).
type Media interface {
	Upload(ctx context.Context, a audit.Actor, wsID int64, filename string, r io.Reader) (medialib.Asset, error)
	GetMany(ctx context.Context, wsID int64, ids []int64) ([]medialib.Asset, error)
	Update(ctx context.Context, a audit.Actor, wsID, id int64, alt, credit, licence string) (medialib.Asset, error)
	SetUsage(ctx context.Context, tx *db.Tx, wsID int64, entity, entityID, label, link string, ids []int64) error
	Open(ctx context.Context, wsID, id int64, thumb bool) (io.ReadCloser, medialib.Asset, error)
}

// Kind is the group a kit item is shown in.
type Kind string

// The groups of the kit.
const (
	Logo     Kind = "logo"
	Photo    Kind = "photo"
	Document Kind = "document"
)

// Kinds in the order the kit shows its groups.
var Kinds = []Kind{Logo, Photo, Document}

// kindKeys are the catalog keys of each group: its name, its heading, what an empty group says,
// and the link that adds to it.
var kindKeys = map[Kind]struct{ name, heading, empty, add string }{
	Logo:     {"kit.kind.logo", "kit.group.logo", "kit.group.logo_empty", "kit.add.logo"},
	Photo:    {"kit.kind.photo", "kit.group.photo", "kit.group.photo_empty", "kit.add.photo"},
	Document: {"kit.kind.document", "kit.group.document", "kit.group.document_empty", "kit.add.document"},
}

// NameKey is the catalog key of the group's name in the singular ("Logo").
func (k Kind) NameKey() string { return kindKeys[k].name }

// HeadingKey is the catalog key of the group's heading ("Logos").
func (k Kind) HeadingKey() string { return kindKeys[k].heading }

// EmptyKey is the catalog key of what an empty group says.
func (k Kind) EmptyKey() string { return kindKeys[k].empty }

// AddKey is the catalog key of the link that adds a file to the group.
func (k Kind) AddKey() string { return kindKeys[k].add }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { _, ok := kindKeys[k]; return ok }

// File is a kit file as the public newsroom shows it. Kind is the media library's kind (image,
// document); Alt falls back to the title, so no public picture goes without one.
type File struct {
	AssetID     int64
	Kind        string
	Title       string
	Filename    string
	ContentType string
	Size        int64
	Width       int
	Height      int
	Alt         string
	Credit      string
	Licence     string

	thumb    bool
	modified time.Time
}

// HasThumb reports whether the library made a thumbnail (Media.Open with thumb) for the file.
func (f File) HasThumb() bool { return f.thumb }

// Person is a spokesperson as the public newsroom shows them: Title and Bio in the language asked
// for, else in the other.
type Person struct {
	ID     int64
	Name   string
	Title  string
	Topics string
	Email  string
	Phone  string
	Bio    string
	Photo  *File
}

// Kit is what the public newsroom shows: public items only, each group in its order.
type Kit struct {
	Logos        []File
	Photos       []File
	Documents    []File
	Spokespeople []Person
}

// ZipText is a text file the newsroom adds to the kit's zip (the boilerplate, the fact sheet).
type ZipText struct{ Name, Body string }

// Item is one file of the kit as the app manages it, with its asset from the media library.
type Item struct {
	ID        int64
	Kind      Kind
	Title     string
	Public    bool
	Asset     medialib.Asset
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ItemInput is what a person gives for a kit item. Kind counts only when the item is added; Alt,
// Credit and Licence are saved on the asset in the media library.
type ItemInput struct {
	Kind    Kind
	Title   string
	Alt     string
	Credit  string
	Licence string
	Public  bool
}

// Spokesperson is one spokesperson as the app manages them, in both languages.
type Spokesperson struct {
	ID      int64
	Name    string
	TitleID string
	TitleEN string
	Topics  string
	Email   string
	Phone   string
	BioID   string
	BioEN   string
	Public  bool
	// Photo is nil when the spokesperson has none.
	Photo     *medialib.Asset
	CreatedAt time.Time
	UpdatedAt time.Time

	photoID int64
}

// PersonInput is what a person gives for a spokesperson. RemovePhoto takes the photo off (it stays
// in the media library).
type PersonInput struct {
	Name        string
	TitleID     string
	TitleEN     string
	Topics      string
	Email       string
	Phone       string
	BioID       string
	BioEN       string
	Public      bool
	RemovePhoto bool
}

// Upload is a file as it arrives; a nil Body means none was chosen.
type Upload struct {
	Filename string
	Body     io.Reader
}

// Errors a user can act on. Their keys are in the kit catalog.
var (
	// ErrTooLarge refuses an image above the kit's limit; its sentence names the limit.
	ErrTooLarge = &web.Error{Status: http.StatusRequestEntityTooLarge, Code: "kit_too_large", Key: "kit.error.too_large"}
	ErrNotImage = &web.Error{Status: http.StatusUnsupportedMediaType, Code: "kit_not_image", Key: "kit.error.not_image"}
	ErrVideo    = &web.Error{Status: http.StatusUnsupportedMediaType, Code: "kit_video", Key: "kit.error.video"}
)
