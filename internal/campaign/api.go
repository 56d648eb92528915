package campaign

import (
	"errors"
	"net/http"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/campaigns and its sub-resources.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	id := map[string]any{"type": "integer"}
	day := map[string]any{"type": []string{"string", "null"}, "format": "date", "description": "YYYY-MM-DD; in a PATCH an empty string clears it"}
	instant := map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	colour := map[string]any{"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}
	utm := web.Object(map[string]any{"channel": map[string]any{"type": "string", "enum": Channels}, "source": str, "medium": str, "content": str}, "channel")
	utms := map[string]any{"type": "array", "items": utm}
	campaign := web.Object(map[string]any{"id": id, "name": str, "description": str, "colour": colour, "starts_on": day, "ends_on": day,
		"anchor": instant, "utm_campaign": str, "version": id, "created_by": id, "created_at": str, "updated_at": str, "archived_at": instant})
	withUTM := web.Object(map[string]any{"id": id, "name": str, "description": str, "colour": colour, "starts_on": day, "ends_on": day,
		"anchor": instant, "utm_campaign": str, "version": id, "created_by": id, "created_at": str, "updated_at": str, "archived_at": instant, "utm": utms})
	fields := map[string]any{"name": str, "description": str, "colour": colour, "starts_on": day, "ends_on": day, "utm_campaign": str}
	create := map[string]any{"anchor": instant}
	patch := map[string]any{"version": map[string]any{"type": "integer", "description": "the version you read; a newer one on the server answers 409"},
		"archived": map[string]any{"type": "boolean"}, "utm": utms}
	for k, v := range fields {
		create[k], patch[k] = v, v
	}
	return []web.Route{
		{Method: "GET", Path: "/api/v1/campaigns", Perm: access.ContentView, Handler: h.apiList,
			Summary:  "Campaigns, current or archived (?archived=true), searched with ?q=",
			Response: web.Object(map[string]any{"items": map[string]any{"type": "array", "items": campaign}, "next_cursor": str}, "items")},
		{Method: "POST", Path: "/api/v1/campaigns", Perm: access.CampaignWrite, Handler: h.apiCreate,
			Summary: "Create a campaign", Request: web.Object(create, "name"), Response: campaign},
		{Method: "GET", Path: "/api/v1/campaigns/{id}", Perm: access.ContentView, Handler: h.apiGet,
			Summary: "A campaign with its UTM tags per channel", Response: withUTM},
		{Method: "PATCH", Path: "/api/v1/campaigns/{id}", Perm: access.CampaignWrite, Handler: h.apiPatch,
			Summary: "Change a campaign's fields, UTM tags or archived state; fields left out stay as they are",
			Request: web.Object(patch), Response: withUTM},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/anchor", Perm: access.CampaignWrite, Handler: h.apiMoveAnchor,
			Summary:  "Move the anchor; every item scheduled relative to it moves too, and the answer says how many",
			Request:  web.Object(map[string]any{"anchor": map[string]any{"type": "string", "format": "date-time"}}, "anchor"),
			Response: web.Object(map[string]any{"anchor": str, "moved": id})},
	}
}

type apiCampaign struct {
	*Campaign
	UTM []ChannelUTM `json:"utm"`
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	archived := q.Get("archived") == "true" || q.Get("archived") == "1"
	list, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, Filter{Query: q.Get("q"), Archived: archived, Sort: "id", After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(c Campaign) int64 { return c.ID }))
}

// apiFields are the campaign fields a POST or PATCH may carry; nil leaves a field as it is.
type apiFields struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Colour      *string `json:"colour"`
	StartsOn    *string `json:"starts_on"`
	EndsOn      *string `json:"ends_on"`
	UTMCampaign *string `json:"utm_campaign"`
}

// apply writes the given fields over in and reports whether any was given.
func (a apiFields) apply(in *Input) bool {
	given := false
	set := func(dst *string, v *string) {
		if v != nil {
			*dst, given = *v, true
		}
	}
	set(&in.Name, a.Name)
	set(&in.Description, a.Description)
	set(&in.Colour, a.Colour)
	set((*string)(&in.StartsOn), a.StartsOn)
	set((*string)(&in.EndsOn), a.EndsOn)
	set(&in.UTMCampaign, a.UTMCampaign) // "" goes back to the slug of the name
	return given
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		apiFields
		Anchor *string `json:"anchor"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	var in Input
	body.apply(&in)
	f := web.NewForm(nil)
	in.check(f)
	var anchor *time.Time
	if body.Anchor != nil && *body.Anchor != "" {
		t, err := time.Parse(time.RFC3339, *body.Anchor)
		if err != nil {
			f.Fail("anchor", "campaign.error.anchor_format")
		}
		anchor = &t
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	p := web.PrincipalOf(r)
	c, err := h.s.Create(r.Context(), web.ActorOf(r), p.WorkspaceID, in, anchor)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

func (h *Handlers) withUTM(r *http.Request, c *Campaign) (apiCampaign, error) {
	u, err := h.s.UTMs(r.Context(), c.WorkspaceID, c.ID)
	return apiCampaign{Campaign: c, UTM: u}, err
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	out, err := h.withUTM(r, c)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiPatch(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	var body struct {
		apiFields
		Version  int          `json:"version"`
		Archived *bool        `json:"archived"`
		UTM      []ChannelUTM `json:"utm"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	in := Input{Name: c.Name, Description: c.Description, Colour: c.Colour, StartsOn: c.StartsOn, EndsOn: c.EndsOn, UTMCampaign: c.UTMCampaign}
	changed := body.apply(&in)
	// Everything is checked before anything is saved, so a bad field changes nothing.
	f := web.NewForm(nil)
	in.check(f)
	checkUTM(f, body.UTM)
	if body.Version != 0 && body.Version != c.Version {
		return ErrChanged
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	ctx, a := r.Context(), web.ActorOf(r)
	if changed {
		if c, err = h.s.Update(ctx, a, c.WorkspaceID, c.ID, c.Version, in); err != nil {
			return err
		}
	}
	if len(body.UTM) > 0 {
		if err := h.s.SetUTM(ctx, a, c.WorkspaceID, c.ID, body.UTM); err != nil {
			return err
		}
	}
	if body.Archived != nil {
		do := h.s.Restore
		if *body.Archived {
			do = h.s.Archive
		}
		if err := do(ctx, a, c.WorkspaceID, c.ID); err != nil {
			return err
		}
	}
	if c, err = h.s.Get(ctx, c.WorkspaceID, c.ID); err != nil {
		return err
	}
	out, err := h.withUTM(r, c)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiMoveAnchor(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	var body struct {
		Anchor string `json:"anchor"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	f := web.NewForm(nil)
	at, err := time.Parse(time.RFC3339, body.Anchor)
	if body.Anchor == "" {
		f.Fail("anchor", "form.required")
	} else if err != nil {
		f.Fail("anchor", "campaign.error.anchor_format")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	p := web.PrincipalOf(r)
	n, err := h.s.MoveAnchor(r.Context(), web.ActorOf(r), p.WorkspaceID, c.ID, at, p.Zone)
	var we *web.Error
	if errors.As(err, &we) && we.Fields == nil && we.Status == http.StatusUnprocessableEntity {
		f.Fail("anchor", we.Key)
		return web.Invalid(f)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"anchor": at.In(p.Zone).Format(time.RFC3339), "moved": n})
}
