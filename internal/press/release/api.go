package release

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/releases and its sub-resources.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	id := map[string]any{"type": "integer"}
	day := map[string]any{"type": "string", "format": "date", "description": "YYYY-MM-DD"}
	instant := map[string]any{"type": []string{"string", "null"}, "format": "date-time", "description": "null: for immediate release"}
	lang := map[string]any{"type": "string", "enum": i18n.Languages}
	ids := web.Array(id)
	statuses := make([]string, len(content.Statuses))
	for i, s := range content.Statuses {
		statuses[i] = string(s)
	}
	release := web.Object(map[string]any{"id": id, "item_id": id, "language": lang, "number": str, "headline": str, "subheadline": str,
		"dateline_city": str, "dateline_date": day, "body": str, "boilerplate": str, "contact_name": str, "contact_role": str,
		"contact_phone": str, "contact_email": str, "embargo": instant, "zone": map[string]any{"type": "string", "description": "IANA zone of the embargo"},
		"status": map[string]any{"type": "string", "enum": statuses}, "attachments": ids,
		"versions":   map[string]any{"type": "object", "additionalProperties": id, "description": "release id of each language version"},
		"version":    map[string]any{"type": "integer", "description": "the content item's version; send it back in a PATCH"},
		"created_at": str, "updated_at": str})
	fields := map[string]any{"number": map[string]any{"type": "string", "description": "empty on create: the next number of the workspace's pattern"},
		"headline": str, "subheadline": str, "dateline_city": str, "dateline_date": day, "body": map[string]any{"type": "string", "description": "Markdown"},
		"boilerplate": map[string]any{"type": "string", "description": "Markdown"}, "contact_name": str, "contact_role": str, "contact_phone": str,
		"contact_email": str, "embargo": instant, "zone": map[string]any{"type": "string", "description": "IANA zone; default the workspace's"},
		"attachments": ids}
	create := map[string]any{"language": lang}
	patch := map[string]any{"version": map[string]any{"type": "integer", "description": "the version you read; a newer one on the server answers 409"}}
	for k, v := range fields {
		create[k], patch[k] = v, v
	}
	rendered := web.Object(map[string]any{"release_id": id, "language": lang, "subject": str, "embargo": str, "html": str, "text": str, "lift": instant})
	return []web.Route{
		{Method: "GET", Path: "/api/v1/releases", Perm: access.PressView, Handler: h.apiList,
			Summary:  "Press releases, newest change first; ?q=, ?status=, ?language=, ?embargo=immediate|embargoed|lifted; next_cursor is the next page",
			Response: web.ListOf(release)},
		{Method: "POST", Path: "/api/v1/releases", Perm: access.ContentWrite, Handler: h.apiCreate,
			Summary: "Create a press release (a draft in the content studio)", Request: web.Object(create, "language", "headline"), Response: release},
		{Method: "GET", Path: "/api/v1/releases/{id}", Perm: access.PressView, Handler: h.apiGet,
			Summary: "A press release with its linked language versions", Response: release},
		{Method: "PATCH", Path: "/api/v1/releases/{id}", Perm: access.ContentWrite, Handler: h.apiPatch,
			Summary: "Change a release; fields left out stay as they are. A change after approval makes the approval stale",
			Request: web.Object(patch), Response: release},
		{Method: "POST", Path: "/api/v1/releases/{id}/submit", Perm: access.ContentWrite, Handler: h.apiSubmit,
			Summary: "Submit the release for approval", Response: release},
		{Method: "POST", Path: "/api/v1/releases/{id}/translations", Perm: access.ContentWrite, Handler: h.apiTranslate,
			Summary: "Add the other language version (id ↔ en), linked both ways, with this release's fields copied", Response: release},
		{Method: "GET", Path: "/api/v1/releases/{id}/rendered", Perm: access.PressView, Handler: h.apiRendered,
			Summary: "The release as a recipient reads it, in ?language= (falls back to the release's own)", Response: rendered},
	}
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return &web.Error{Status: http.StatusBadRequest, Code: "bad_limit", Key: "error.bad_limit"}
		}
		limit = n
	}
	page := 1
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return &web.Error{Status: http.StatusBadRequest, Code: "bad_cursor", Key: "error.bad_cursor"}
		}
		page = n
	}
	f := Filter{Query: q.Get("q"), Status: content.Status(q.Get("status")), Lang: q.Get("language"), Embargo: q.Get("embargo"), Page: page, Limit: limit}
	if f.Status != "" && !slices.Contains(content.Statuses, f.Status) {
		return &web.Error{Status: http.StatusBadRequest, Code: "bad_status", Key: "error.bad_request"}
	}
	list, total, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	out := web.Page[Release]{Items: list}
	if out.Items == nil {
		out.Items = []Release{}
	}
	if page*limit < total {
		out.NextCursor = strconv.Itoa(page + 1)
	}
	return web.JSON(w, http.StatusOK, out)
}

// apiFields are the release fields a POST or PATCH may carry; nil leaves a field as it is.
type apiFields struct {
	Number       *string  `json:"number"`
	Headline     *string  `json:"headline"`
	Subheadline  *string  `json:"subheadline"`
	DatelineCity *string  `json:"dateline_city"`
	DatelineDate *string  `json:"dateline_date"`
	Body         *string  `json:"body"`
	Boilerplate  *string  `json:"boilerplate"`
	ContactName  *string  `json:"contact_name"`
	ContactRole  *string  `json:"contact_role"`
	ContactPhone *string  `json:"contact_phone"`
	ContactEmail *string  `json:"contact_email"`
	Embargo      *string  `json:"embargo"` // RFC 3339; "" or null (with the key given) is immediate
	Zone         *string  `json:"zone"`
	Attachments  *[]int64 `json:"attachments"`
}

// apply writes the given fields over in; embargoGiven says whether the body named the embargo.
func (a apiFields) apply(f *web.Form, in *Input, embargoGiven bool) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Number, a.Number)
	set(&in.Headline, a.Headline)
	set(&in.Subheadline, a.Subheadline)
	set(&in.DatelineCity, a.DatelineCity)
	set(&in.DatelineDate, a.DatelineDate)
	set(&in.Body, a.Body)
	set(&in.Boilerplate, a.Boilerplate)
	set(&in.ContactName, a.ContactName)
	set(&in.ContactRole, a.ContactRole)
	set(&in.ContactPhone, a.ContactPhone)
	set(&in.ContactEmail, a.ContactEmail)
	set(&in.Zone, a.Zone)
	if a.Attachments != nil {
		in.Attachments = *a.Attachments
	}
	if embargoGiven {
		in.Embargo = nil
		if a.Embargo != nil && *a.Embargo != "" {
			t, err := time.Parse(time.RFC3339, *a.Embargo)
			if err != nil {
				f.Fail("embargo", "release.error.embargo_format")
			} else {
				in.Embargo = &t
			}
		}
	}
}

// decode reads a body of release fields, noting whether "embargo" was named (null clears it).
func decode(r *http.Request, v any) (bool, error) {
	var raw map[string]any
	body, err := readBody(r)
	if err != nil {
		return false, err
	}
	if err := unmarshalStrict(body, v); err != nil {
		return false, err
	}
	_ = unmarshalStrict(body, &raw)
	_, given := raw["embargo"]
	return given, nil
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		apiFields
		Language string `json:"language"`
	}
	embargoGiven, err := decode(r, &body)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	in := Input{Lang: body.Language, Zone: p.Zone.String()}
	f := web.NewForm(nil)
	body.apply(f, &in, embargoGiven)
	if !f.Valid() {
		return web.Invalid(f)
	}
	if in.DatelineDate == "" {
		in.DatelineDate = time.Now().In(p.Zone).Format(dayLayout)
	}
	rl, err := h.s.Create(r.Context(), web.ActorOf(r), p.WorkspaceID, in, p.Zone)
	if err != nil {
		return apiErr(err)
	}
	return web.JSON(w, http.StatusCreated, rl)
}

// apiErr turns the content studio's channel problems into a 422 (a release has no channels, so
// they come only from a post).
func apiErr(err error) error {
	var ve *content.VariantError
	if errors.As(err, &ve) {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid"}
	}
	return err
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rl)
}

func (h *Handlers) apiPatch(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	var body struct {
		apiFields
		Version int `json:"version"`
	}
	embargoGiven, err := decode(r, &body)
	if err != nil {
		return err
	}
	if body.Version != 0 && body.Version != rl.Version {
		return ErrChanged
	}
	in := inputOf(rl)
	f := web.NewForm(nil)
	body.apply(f, &in, embargoGiven)
	if in.Embargo != nil && in.Zone == "" {
		in.Zone = web.PrincipalOf(r).Zone.String()
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	rl, err = h.s.Update(r.Context(), web.ActorOf(r), rl.WorkspaceID, rl.ID, in)
	if errors.Is(err, content.ErrConflict) {
		return ErrChanged
	}
	if err != nil {
		return apiErr(err)
	}
	return web.JSON(w, http.StatusOK, rl)
}

func (h *Handlers) apiSubmit(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	if err := h.s.Submit(r.Context(), web.ActorOf(r), rl.WorkspaceID, rl.ID); err != nil {
		return err
	}
	rl, err = h.s.Get(r.Context(), rl.WorkspaceID, rl.ID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rl)
}

func (h *Handlers) apiTranslate(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	tr, err := h.s.Translate(r.Context(), web.ActorOf(r), rl.WorkspaceID, rl.ID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, tr)
}

type apiRendered struct {
	ReleaseID int64      `json:"release_id"`
	Lang      string     `json:"language"`
	Subject   string     `json:"subject"`
	Embargo   string     `json:"embargo"`
	HTML      string     `json:"html"`
	Text      string     `json:"text"`
	Lift      *time.Time `json:"lift"`
}

func (h *Handlers) apiRendered(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	out, err := h.s.Render(r.Context(), rl.WorkspaceID, rl.ID, r.URL.Query().Get("language"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, apiRendered{ReleaseID: out.ReleaseID, Lang: out.Lang, Subject: out.Subject, Embargo: out.Embargo,
		HTML: string(out.HTML), Text: out.Text, Lift: out.Lift})
}

var errBadJSON = &web.Error{Status: http.StatusBadRequest, Code: "bad_json", Key: "error.bad_json"}

// readBody reads a JSON request body of at most 1 MiB.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, errBadJSON
	}
	return b, nil
}

// unmarshalStrict decodes b into v, refusing fields v does not have, as web.DecodeJSON does.
func unmarshalStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadJSON
	}
	return nil
}
