// Package media is the media library of the content studio: images, video and documents uploaded
// once and attached to content. The type of a file comes from its bytes, never from its name;
// images get their dimensions read and a thumbnail made; alt text, credit and licence are kept
// beside the file, and the usage list says where each file is used. Files themselves go through
// the platform's media store (a local folder or S3).
package media

import (
	"embed"
	"net/http"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
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

// Migrations creates the media tables.
var Migrations = db.Migrations{Name: "media", FS: migrations}

// Catalog holds the media library's words.
var Catalog = i18n.Catalog{Name: "media", FS: i18n.Dir(catalogFiles, "i18n")}

// Kind is what sort of file an asset is.
type Kind string

const (
	Image    Kind = "image"
	Video    Kind = "video"
	Document Kind = "document"
)

// Kinds in the order the filters show them.
var Kinds = []Kind{Image, Video, Document}

// Asset is one uploaded file and what is known about it.
type Asset struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Kind        Kind      `json:"kind"`
	Size        int64     `json:"size"`
	Width       int       `json:"width,omitempty"`
	Height      int       `json:"height,omitempty"`
	Alt         string    `json:"alt"`
	Credit      string    `json:"credit"`
	Licence     string    `json:"licence"`
	UploadedBy  int64     `json:"uploaded_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// UploaderName is the uploader's name, empty once their account is gone.
	UploaderName string `json:"-"`

	key      string
	thumbKey string
}

// HasThumb reports whether a thumbnail was made (images only, and not for huge ones).
func (a Asset) HasThumb() bool { return a.thumbKey != "" }

// Previewable reports whether the page may show the image itself: not one so large that the
// browser would choke on it.
func (a Asset) Previewable() bool {
	return a.Kind == Image && int64(a.Width)*int64(a.Height) <= maxThumbPixels
}

// MissingAlt reports whether the asset is an image without alt text, so not yet publishable.
func (a Asset) MissingAlt() bool { return a.Kind == Image && a.Alt == "" }

// Label is a short name of the format for people: "JPEG", "PDF", "DOCX".
func (a Asset) Label() string { return formats[baseType(a.ContentType)].label }

// HumanSize is the size in the locale: "2,4 MB", "830 KB".
func (a Asset) HumanSize(l *i18n.Locale) string {
	switch {
	case a.Size >= 1<<20:
		return l.T("media.unit.mb", "N", l.Number(float64(a.Size*10/(1<<20))/10))
	case a.Size >= 1<<10:
		return l.T("media.unit.kb", "N", l.Number(float64(a.Size*10/(1<<10))/10))
	}
	return l.T("media.unit.bytes", "N", l.Number(a.Size))
}

// Usage is one place where an asset is used: a content item, a press release, a newsroom page.
type Usage struct {
	Entity   string `json:"entity"`
	EntityID string `json:"entity_id"`
	Label    string `json:"label"`
	Link     string `json:"link"`
}

// Filter narrows a listing. Before is a cursor: assets with a smaller id. Limit 0 means 50.
type Filter struct {
	Query      string
	Kind       Kind
	MissingAlt bool
	Before     int64
	Limit      int
}

// Actor is who makes a change, for the audit log.
type Actor = audit.Actor

// Errors a user can act on. Their keys are in the media catalog.
var (
	ErrWrongType       = &web.Error{Status: http.StatusUnsupportedMediaType, Code: "media_wrong_type", Key: "media.error.wrong_type"}
	ErrSVG             = &web.Error{Status: http.StatusUnsupportedMediaType, Code: "media_svg", Key: "media.error.svg"}
	ErrHEIC            = &web.Error{Status: http.StatusUnsupportedMediaType, Code: "media_heic", Key: "media.error.heic"}
	ErrMacros          = &web.Error{Status: http.StatusUnsupportedMediaType, Code: "media_macros", Key: "media.error.macros"}
	ErrDamaged         = &web.Error{Status: http.StatusUnprocessableEntity, Code: "media_damaged", Key: "media.error.damaged"}
	ErrEmpty           = &web.Error{Status: http.StatusUnprocessableEntity, Code: "media_empty", Key: "media.error.empty"}
	ErrImageTooLarge   = &web.Error{Status: http.StatusRequestEntityTooLarge, Code: "media_too_large", Key: "media.error.too_large_image"}
	ErrVideoTooLarge   = &web.Error{Status: http.StatusRequestEntityTooLarge, Code: "media_too_large", Key: "media.error.too_large_video"}
	ErrDocTooLarge     = &web.Error{Status: http.StatusRequestEntityTooLarge, Code: "media_too_large", Key: "media.error.too_large_document"}
	ErrRequestTooLarge = &web.Error{Status: http.StatusRequestEntityTooLarge, Code: "media_request_too_large", Key: "media.error.request_too_large"}
	ErrNoFile          = &web.Error{Status: http.StatusBadRequest, Code: "media_no_file", Key: "media.error.no_file"}
	// ErrInUse is what Delete refuses with (as an *InUseError carrying the list) while an asset is used.
	ErrInUse = &web.Error{Status: http.StatusConflict, Code: "media_in_use", Key: "media.error.in_use"}
	// ErrMissingAlt is what CheckPublishable refuses with (as a *MissingAltError naming the files).
	ErrMissingAlt = &web.Error{Status: http.StatusUnprocessableEntity, Code: "media_missing_alt", Key: "media.error.missing_alt"}
)

// InUseError refuses the deletion of an asset that is used; Uses says where.
type InUseError struct{ Uses []Usage }

func (e *InUseError) Error() string {
	var labels []string
	for _, u := range e.Uses {
		labels = append(labels, u.Label)
	}
	return "media: the file is used in " + strings.Join(labels, ", ")
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// As lets the web layer answer with ErrInUse's status and sentence.
func (e *InUseError) As(target any) bool { return asWebError(target, ErrInUse) }

// MissingAltError refuses to publish images without alt text; Files names them.
type MissingAltError struct{ Files []string }

func (e *MissingAltError) Error() string {
	return "media: images without alt text: " + strings.Join(e.Files, ", ")
}

// Is makes errors.Is(err, ErrMissingAlt) true.
func (e *MissingAltError) Is(target error) bool { return target == ErrMissingAlt }

// As lets the web layer answer with ErrMissingAlt's status and sentence.
func (e *MissingAltError) As(target any) bool { return asWebError(target, ErrMissingAlt) }

// Message is the sentence for people, naming the files: use it where the error is shown.
func (e *MissingAltError) Message(l *i18n.Locale) string {
	return l.T("media.error.missing_alt_files", "Files", strings.Join(e.Files, ", "))
}

func asWebError(target any, e *web.Error) bool {
	if p, ok := target.(**web.Error); ok {
		*p = e
		return true
	}
	return false
}
