package content

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/contents and its sub-resources.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "integer"}
	variant := map[string]any{"type": "object", "properties": map[string]any{"network": str, "text": str, "first_comment": str, "thread": map[string]any{"type": "boolean", "description": "X: a text over the limit goes out as a numbered thread"},
		"media": map[string]any{"type": "array", "items": num}}}
	input := map[string]any{"type": "object", "required": []string{"title", "language"}, "properties": map[string]any{
		"title": str, "body": str, "language": map[string]any{"type": "string", "enum": []string{"id", "en"}}, "campaign_id": num,
		"labels": map[string]any{"type": "array", "items": str}, "attachments": map[string]any{"type": "array", "items": num},
		"variants": map[string]any{"type": "array", "items": variant}, "base_version": num}}
	item := map[string]any{"type": "object", "properties": map[string]any{"id": num, "title": str, "body": str, "language": str,
		"kind":   map[string]any{"type": "string", "enum": []string{string(KindPost), string(KindRelease), string(KindStatement)}, "description": "a release's other fields are at /api/v1/releases"},
		"status": str, "version": num, "scheduled_at": str, "variants": map[string]any{"type": "array", "items": variant}}}
	return []web.Route{
		{Method: "GET", Path: "/api/v1/contents", Perm: access.ContentView, Handler: h.apiList, Summary: "Content items, newest change first; ?q=&status=&network=&campaign=", Response: web.ListOf(item)},
		{Method: "POST", Path: "/api/v1/contents", Perm: access.ContentWrite, Handler: h.apiCreate, Summary: "Create a content item with its channel variants", Request: input, Response: item},
		{Method: "GET", Path: "/api/v1/contents/{id}", Perm: access.ContentView, Handler: h.apiGet, Summary: "One content item", Response: item},
		{Method: "PATCH", Path: "/api/v1/contents/{id}", Perm: access.ContentWrite, Handler: h.apiUpdate, Summary: "Save a new version; base_version must be the current version", Request: input, Response: item},
		{Method: "GET", Path: "/api/v1/contents/{id}/versions", Perm: access.ContentView, Handler: h.apiVersions, Summary: "Versions, newest first", Response: web.ListOf(map[string]any{"type": "object"})},
		{Method: "GET", Path: "/api/v1/contents/{id}/comments", Perm: access.ContentView, Handler: h.apiComments, Summary: "Comment threads", Response: web.ListOf(map[string]any{"type": "object"})},
		{Method: "POST", Path: "/api/v1/contents/{id}/comments", Perm: access.ContentView, Handler: h.apiComment, Summary: "Add a comment (parent_id for a reply)",
			Request: map[string]any{"type": "object", "required": []string{"body"}, "properties": map[string]any{"body": str, "parent_id": num}}},
		{Method: "POST", Path: "/api/v1/contents/{id}/submit", Perm: access.ContentWrite, Handler: h.apiAction(h.s.Submit), Summary: "Request approval of the current version"},
		{Method: "POST", Path: "/api/v1/contents/{id}/unschedule", Perm: access.ContentSchedule, Handler: h.apiAction(h.s.Unschedule), Summary: "Take the item off the schedule"},
		{Method: "POST", Path: "/api/v1/contents/{id}/translation", Perm: access.ContentWrite, Handler: h.apiTranslate, Summary: "Start the translation: a linked draft in the other language", Response: item},
		{Method: "POST", Path: "/api/v1/contents/{id}/schedule", Perm: access.ContentSchedule, Handler: h.apiSchedule, Summary: "Schedule at a time, or relative to the campaign's anchor",
			Request: map[string]any{"type": "object", "properties": map[string]any{"at": map[string]any{"type": "string", "format": "date-time"}, "offset": str,
				"accounts":       map[string]any{"type": "array", "items": num, "description": "channel account IDs; left out keeps the earlier choice, or every working account of the item's networks"},
				"confirm_paused": map[string]any{"type": "boolean", "description": "schedule although publishing is paused (the post is held at its time)"}}}},
	}
}

type apiInput struct {
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Language    string    `json:"language"`
	CampaignID  int64     `json:"campaign_id"`
	Labels      []string  `json:"labels"`
	Attachments []int64   `json:"attachments"`
	Variants    []Variant `json:"variants"`
	BaseVersion int       `json:"base_version"`
}

func (in apiInput) input() Input {
	return Input{Title: in.Title, Body: in.Body, Lang: in.Language, CampaignID: in.CampaignID, Labels: in.Labels,
		Attachments: in.Attachments, Variants: in.Variants, BaseVersion: in.BaseVersion}
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := Filter{Query: q.Get("q"), Status: Status(q.Get("status")), Network: channel.Network(q.Get("network")), Limit: limit + 1, Page: 1 + int(after)/limit}
	f.CampaignID, _ = strconv.ParseInt(q.Get("campaign"), 10, 64)
	items, _, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	// The cursor here is an offset: the list is ordered by last change, which moves.
	page := web.Page[Item]{Items: items}
	if page.Items == nil {
		page.Items = []Item{}
	}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = strconv.Itoa(int(after) + limit)
	}
	return web.JSON(w, http.StatusOK, page)
}

// apiSave answers a save: the item, or 422 with each problem, or 409 on a conflicting version.
func (h *Handlers) apiSave(w http.ResponseWriter, r *http.Request, id int64) error {
	var in apiInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if id == 0 && in.Language == "" {
		in.Language = web.PrincipalOf(r).WorkspaceLang
	}
	it, probs, err := h.s.Save(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id, in.input())
	if err != nil {
		return err
	}
	if !probs.OK() {
		return problemsError(r, probs.Fields, probs.Variants)
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	return web.JSON(w, status, it)
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error { return h.apiSave(w, r, 0) }

func (h *Handlers) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	return h.apiSave(w, r, id)
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	it, err := h.s.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, it)
}

func (h *Handlers) apiVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	vs, err := h.s.Versions(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []Version{}
	}
	return web.JSON(w, http.StatusOK, web.Page[Version]{Items: vs})
}

func (h *Handlers) apiComments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	cs, err := h.s.Comments(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []Comment{}
	}
	return web.JSON(w, http.StatusOK, web.Page[Comment]{Items: cs})
}

func (h *Handlers) apiComment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body     string `json:"body"`
		ParentID int64  `json:"parent_id"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	cid, err := h.s.AddComment(r.Context(), Commenter{UserID: p.UserID, Name: p.Name, Email: p.Email, IP: web.ClientIP(r)}, p.WorkspaceID, id, in.ParentID, in.Body)
	var fe *fieldError
	if errors.As(err, &fe) {
		f := web.NewForm(nil)
		f.Fail(fe.Field, fe.Key)
		return web.Invalid(f)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"id": cid})
}

func (h *Handlers) apiSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		At     *time.Time `json:"at"`
		Offset string     `json:"offset"`
		// Accounts to publish to; left out keeps the earlier choice, or every working account.
		Accounts      []int64 `json:"accounts"`
		ConfirmPaused bool    `json:"confirm_paused"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	when := When{At: in.At, Accounts: in.Accounts, ConfirmPaused: in.ConfirmPaused}
	if in.Offset != "" {
		o, err := campaign.ParseOffset(in.Offset)
		if err != nil {
			f := web.NewForm(nil)
			f.Fail("offset", "content.error.offset")
			return web.Invalid(f)
		}
		when.Offset = &o
	}
	at, err := h.s.Schedule(r.Context(), web.ActorOf(r), p.WorkspaceID, id, when, p.Zone)
	var ve *VariantError
	if errors.As(err, &ve) {
		return problemsError(r, nil, ve.Problems)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"id": id, "status": Scheduled, "scheduled_at": at.UTC()})
}

// problemsError is a 422 naming each field's problem and every variant's broken rule, in the
// caller's language.
func problemsError(r *http.Request, fields map[string]string, variants []channel.Problem) error {
	l := web.LocaleOf(r)
	out := map[string]string{}
	for field, key := range fields {
		out[field] = l.T(key)
	}
	var msgs []string
	for _, p := range variants {
		msgs = append(msgs, p.Message(l))
	}
	if len(msgs) > 0 {
		out["variants"] = strings.Join(msgs, " ")
	}
	return &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid", Fields: out, Raw: true}
}

// apiAction runs a status change and answers with the item as it is now.
func (h *Handlers) apiAction(do func(ctx context.Context, a audit.Actor, wsID, id int64) error) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		p := web.PrincipalOf(r)
		if err := do(r.Context(), web.ActorOf(r), p.WorkspaceID, id); err != nil {
			return err
		}
		it, err := h.s.Get(r.Context(), p.WorkspaceID, id)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, it)
	}
}

func (h *Handlers) apiTranslate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	tr, err := h.s.Translate(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, tr)
}
