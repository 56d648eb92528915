package pitch

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/pitches and its pipeline.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	id := map[string]any{"type": "integer"}
	link := map[string]any{"type": "integer", "description": "0 or absent: none"}
	status := map[string]any{"type": "string", "enum": Statuses}
	stage := map[string]any{"type": "string", "enum": Stages}
	instant := map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	counts := map[string]any{"type": "object", "description": "contacts per stage", "additionalProperties": id}
	pitchProps := func() map[string]any {
		return map[string]any{"id": id, "title": str, "angle": str, "subject": str, "body": map[string]any{"type": "string", "description": "Markdown; may hold {{name}}, {{first_name}}, {{salutation}}, {{outlet}}"},
			"release_id": link, "campaign_id": link, "owner_id": link, "status": status, "version": id, "created_by": id,
			"created_at": str, "updated_at": str, "counts": counts}
	}
	card := web.Object(map[string]any{"contact_id": id, "name": str, "stage": stage, "note": str, "coverage_url": str,
		"follow_up_at": instant, "reminded_at": instant, "added_at": str, "stage_at": str})
	pitch := web.Object(pitchProps())
	withCards := pitchProps()
	withCards["contacts"] = web.Array(card)
	fields := map[string]any{"title": str, "angle": str, "subject": str, "body": str, "release_id": link, "campaign_id": link,
		"owner_id": link, "status": status}
	patch := map[string]any{"version": map[string]any{"type": "integer", "description": "the version you read; a newer one on the server answers 409"}}
	for k, v := range fields {
		patch[k] = v
	}
	move := web.Object(map[string]any{"stage": stage, "note": str, "coverage_url": str,
		"follow_up_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time", "description": "RFC 3339; \"\" clears it"}})
	return []web.Route{
		{Method: "GET", Path: "/api/v1/pitches", Perm: access.PressView, Handler: h.apiList,
			Summary: "Pitches, searched with ?q= and narrowed with ?status=open|closed", Response: web.ListOf(pitch)},
		{Method: "POST", Path: "/api/v1/pitches", Perm: access.PressWrite, Handler: h.apiCreate,
			Summary: "Create a pitch", Request: web.Object(fields, "title"), Response: pitch},
		{Method: "GET", Path: "/api/v1/pitches/{id}", Perm: access.PressView, Handler: h.apiGet,
			Summary: "A pitch with its pipeline", Response: web.Object(withCards)},
		{Method: "PATCH", Path: "/api/v1/pitches/{id}", Perm: access.PressWrite, Handler: h.apiPatch,
			Summary: "Change a pitch; fields left out stay as they are", Request: web.Object(patch), Response: web.Object(withCards)},
		{Method: "POST", Path: "/api/v1/pitches/{id}/contacts", Perm: access.PressWrite, Handler: h.apiAddContact,
			Summary:  "Add a press contact to the pipeline at the pitched stage; one already there stays where it is",
			Request:  web.Object(map[string]any{"contact_id": id}, "contact_id"),
			Response: card},
		{Method: "PATCH", Path: "/api/v1/pitches/{id}/contacts/{contact}", Perm: access.PressWrite, Handler: h.apiMoveCard,
			Summary: "Move a contact to another stage, or change the note, coverage link or follow-up; fields left out stay as they are",
			Request: move, Response: card},
	}
}

type apiPitch struct {
	*Pitch
	Contacts []Card `json:"contacts"`
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" && status != Open && status != Closed {
		f := web.NewForm(nil)
		f.Fail("status", "pitch.error.status")
		return web.Invalid(f)
	}
	list, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, Filter{Query: q.Get("q"), Status: status, Sort: "id", After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(p Pitch) int64 { return p.ID }))
}

// apiFields are the pitch fields a POST or PATCH may carry; nil leaves a field as it is.
type apiFields struct {
	Title      *string `json:"title"`
	Angle      *string `json:"angle"`
	Subject    *string `json:"subject"`
	Body       *string `json:"body"`
	ReleaseID  *int64  `json:"release_id"`
	CampaignID *int64  `json:"campaign_id"`
	OwnerID    *int64  `json:"owner_id"`
	Status     *string `json:"status"`
}

// apply writes the given fields over in and reports whether any was given.
func (a apiFields) apply(in *Input) bool {
	given := false
	str := func(dst *string, v *string) {
		if v != nil {
			*dst, given = *v, true
		}
	}
	num := func(dst *int64, v *int64) {
		if v != nil {
			*dst, given = *v, true
		}
	}
	str(&in.Title, a.Title)
	str(&in.Angle, a.Angle)
	str(&in.Subject, a.Subject)
	str(&in.Body, a.Body)
	num(&in.ReleaseID, a.ReleaseID)
	num(&in.CampaignID, a.CampaignID)
	num(&in.OwnerID, a.OwnerID)
	str(&in.Status, a.Status)
	return given
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var body apiFields
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	var in Input
	body.apply(&in)
	p, err := h.s.Create(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, p)
}

func (h *Handlers) withCards(r *http.Request, p *Pitch) (apiPitch, error) {
	cs, err := h.s.Cards(r.Context(), p.WorkspaceID, p.ID)
	if cs == nil {
		cs = []Card{}
	}
	return apiPitch{Pitch: p, Contacts: cs}, err
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	p, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	out, err := h.withCards(r, p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiPatch(w http.ResponseWriter, r *http.Request) error {
	p, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	var body struct {
		apiFields
		Version int `json:"version"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	if body.Version != 0 && body.Version != p.Version {
		return ErrChanged
	}
	in := Input{Title: p.Title, Angle: p.Angle, Subject: p.Subject, Body: p.Body, ReleaseID: p.ReleaseID, CampaignID: p.CampaignID,
		OwnerID: p.OwnerID, Status: p.Status}
	if body.apply(&in) {
		if p, err = h.s.Update(r.Context(), web.ActorOf(r), p.WorkspaceID, p.ID, p.Version, in); err != nil {
			return err
		}
	}
	out, err := h.withCards(r, p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiAddContact(w http.ResponseWriter, r *http.Request) error {
	p, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	var body struct {
		ContactID int64 `json:"contact_id"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	added, err := h.s.AddContact(r.Context(), web.ActorOf(r), web.LocaleOf(r), p.WorkspaceID, p.ID, body.ContactID)
	if errors.Is(err, ErrNoContact) {
		f := web.NewForm(nil)
		f.Fail("contact_id", ErrNoContact.Key)
		return web.Invalid(f)
	}
	if err != nil {
		return err
	}
	c, err := h.s.Card(r.Context(), p.WorkspaceID, p.ID, body.ContactID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	return web.JSON(w, status, c)
}

func (h *Handlers) apiMoveCard(w http.ResponseWriter, r *http.Request) error {
	p, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	contactID, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	var body struct {
		Stage       *string `json:"stage"`
		Note        *string `json:"note"`
		CoverageURL *string `json:"coverage_url"`
		FollowUpAt  *string `json:"follow_up_at"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	old, err := h.s.Card(r.Context(), p.WorkspaceID, p.ID, contactID)
	if err != nil {
		return err
	}
	in := CardInput{Stage: old.Stage, Note: old.Note, CoverageURL: old.CoverageURL, FollowUp: old.FollowUp}
	if body.Stage != nil {
		in.Stage = *body.Stage
	}
	if body.Note != nil {
		in.Note = *body.Note
	}
	if body.CoverageURL != nil {
		in.CoverageURL = *body.CoverageURL
	}
	// null reads like an absent field, so "" is how to clear the follow-up.
	if body.FollowUpAt != nil {
		if *body.FollowUpAt == "" {
			in.FollowUp = nil
		} else {
			t, err := time.Parse(time.RFC3339, *body.FollowUpAt)
			if err != nil {
				f := web.NewForm(nil)
				f.Fail("follow_up_at", "pitch.error.instant")
				return web.Invalid(f)
			}
			in.FollowUp = &t
		}
	}
	c, err := h.s.UpdateCard(r.Context(), web.ActorOf(r), web.LocaleOf(r), p.WorkspaceID, p.ID, contactID, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}
