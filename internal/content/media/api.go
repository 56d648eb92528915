package media

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/media and its files.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "integer"}
	usage := web.Object(map[string]any{"entity": str, "entity_id": str, "label": str, "link": str})
	assetProps := map[string]any{"id": num, "filename": str, "content_type": str, "kind": map[string]any{"type": "string", "enum": Kinds},
		"size": num, "width": num, "height": num, "alt": str, "credit": str, "licence": str, "uploaded_by": num,
		"created_at": str, "updated_at": str, "missing_alt": map[string]any{"type": "boolean"}, "file_url": str, "thumbnail_url": str}
	asset := web.Object(assetProps)
	withUsage := map[string]any{"used_in": map[string]any{"type": "array", "items": usage}}
	for k, v := range assetProps {
		withUsage[k] = v
	}
	list := web.ListOf(asset)
	return []web.Route{
		{Method: "GET", Path: "/api/v1/media", Perm: access.ContentView, Handler: h.apiList, Response: list,
			Summary: "Media library, newest first; ?q= searches filename, alt text and credit, ?kind= is image, video or document, ?missing_alt=true lists images without alt text"},
		{Method: "POST", Path: "/api/v1/media", Perm: access.MediaWrite, Handler: h.apiUpload, Response: asset,
			Summary: "Upload one file as multipart/form-data in the field \"file\"; its type is read from its bytes (images up to 20 MB, documents 50 MB, video 512 MB)"},
		{Method: "GET", Path: "/api/v1/media/{id}", Perm: access.ContentView, Handler: h.apiGet, Response: web.Object(withUsage),
			Summary: "A file's details and where it is used"},
		{Method: "PATCH", Path: "/api/v1/media/{id}", Perm: access.MediaWrite, Handler: h.apiUpdate, Response: asset,
			Request: web.Object(map[string]any{"alt": str, "credit": str, "licence": str}),
			Summary: "Change alt text, credit or licence; fields left out stay as they are"},
		{Method: "DELETE", Path: "/api/v1/media/{id}", Perm: access.MediaWrite, Handler: h.apiDelete,
			Summary: "Delete a file; refused with 409 and the list used_in while it is used"},
		{Method: "GET", Path: "/api/v1/media/{id}/file", Perm: access.ContentView, Handler: h.file(false),
			Summary: "The file's bytes, with its content type"},
		{Method: "GET", Path: "/api/v1/media/{id}/thumbnail", Perm: access.ContentView, Handler: h.file(true),
			Summary: "An image's thumbnail, 400 pixels wide (404 for other files and very large images)"},
	}
}

type apiAsset struct {
	Asset
	MissingAlt   bool    `json:"missing_alt"`
	FileURL      string  `json:"file_url"`
	ThumbnailURL string  `json:"thumbnail_url,omitempty"`
	UsedIn       []Usage `json:"used_in,omitempty"`
}

func toAPI(a Asset) apiAsset {
	base := "/api/v1/media/" + strconv.FormatInt(a.ID, 10)
	out := apiAsset{Asset: a, MissingAlt: a.MissingAlt(), FileURL: base + "/file"}
	if a.HasThumb() {
		out.ThumbnailURL = base + "/thumbnail"
	}
	return out
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	f := filterOf(r.URL.Query())
	if k := r.URL.Query().Get("kind"); k != "" && f.Kind == "" {
		form := web.NewForm(nil)
		form.Fail("kind", "media.error.kind")
		return web.Invalid(form)
	}
	f.MissingAlt = r.URL.Query().Get("missing_alt") == "true"
	f.Before, f.Limit = after, limit+1
	assets, err := h.lib.Search(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	out := make([]apiAsset, 0, len(assets))
	for _, a := range assets {
		out = append(out, toAPI(a))
	}
	return web.JSON(w, http.StatusOK, web.NextPage(out, limit, func(a apiAsset) int64 { return a.ID }))
}

func (h *Handlers) apiUpload(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	var created *Asset
	err := h.eachFile(w, r, "file", h.lib.maxLimit(), func(name string, body io.Reader) error {
		if created != nil {
			return nil // one file per request; the rest is read past
		}
		a, err := h.lib.Upload(r.Context(), h.actor(r), p.WorkspaceID, name, body)
		if isTooLargeRequest(err) {
			return ErrRequestTooLarge
		}
		created = &a
		return err
	})
	if err != nil {
		return err
	}
	if created == nil {
		return ErrNoFile
	}
	return web.JSON(w, http.StatusCreated, toAPI(*created))
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	a, err := h.asset(r)
	if err != nil {
		return err
	}
	out := toAPI(a)
	if out.UsedIn, err = h.lib.Usage(r.Context(), web.PrincipalOf(r).WorkspaceID, a.ID); err != nil {
		return err
	}
	if out.UsedIn == nil {
		out.UsedIn = []Usage{}
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	a, err := h.asset(r)
	if err != nil {
		return err
	}
	var in struct {
		Alt     *string `json:"alt"`
		Credit  *string `json:"credit"`
		Licence *string `json:"licence"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Alt != nil {
		a.Alt = *in.Alt
	}
	if in.Credit != nil {
		a.Credit = *in.Credit
	}
	if in.Licence != nil {
		a.Licence = *in.Licence
	}
	a, err = h.lib.Update(r.Context(), h.actor(r), web.PrincipalOf(r).WorkspaceID, a.ID, a.Alt, a.Credit, a.Licence)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, toAPI(a))
}

func (h *Handlers) apiDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = h.lib.Delete(r.Context(), h.actor(r), web.PrincipalOf(r).WorkspaceID, id)
	var inUse *InUseError
	if errors.As(err, &inUse) {
		return web.JSON(w, http.StatusConflict, map[string]any{"error": map[string]any{
			"code": ErrInUse.Code, "message": web.LocaleOf(r).T(ErrInUse.Key), "used_in": inUse.Uses}})
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
