package approval

import (
	"net/http"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/approvals: what waits for the token's user, and their decision on an item.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "integer"}
	waiting := map[string]any{"type": "object", "properties": map[string]any{"item_id": num, "title": str, "version": num, "step": num,
		"steps": num, "step_name": str, "channels": map[string]any{"type": "array", "items": str}, "submitted_by": str,
		"since": map[string]any{"type": "string", "format": "date-time"}, "link": str}}
	return []web.Route{
		{Method: "GET", Path: "/api/v1/approvals", Perm: access.ContentApprove, Handler: h.apiList,
			Summary:  "Items waiting for the token user's approval, longest waiting first",
			Response: web.Object(map[string]any{"items": web.Array(waiting)})},
		{Method: "POST", Path: "/api/v1/approvals/{id}/decision", Perm: access.ContentApprove, Handler: h.apiDecide,
			Summary: "Approve or reject the version of an item that waits; a rejection needs a note. version, when given, must be the version waiting",
			Request: map[string]any{"type": "object", "required": []string{"decision"}, "properties": map[string]any{
				"decision": map[string]any{"type": "string", "enum": []string{"approve", "reject"}}, "note": str, "version": num}},
			Response: map[string]any{"type": "object", "properties": map[string]any{"item_id": num, "outcome": map[string]any{"type": "string",
				"enum": []Outcome{OutcomeApproved, OutcomeNextStep, OutcomeRecorded, OutcomeRejected}}}}},
	}
}

type apiWaiting struct {
	ItemID      int64             `json:"item_id"`
	Title       string            `json:"title"`
	Version     int               `json:"version"`
	Step        int               `json:"step"`
	Steps       int               `json:"steps"`
	StepName    string            `json:"step_name"`
	Channels    []channel.Network `json:"channels"`
	SubmittedBy string            `json:"submitted_by"`
	Since       time.Time         `json:"since"`
	Link        string            `json:"link"`
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	mine, _, err := h.s.Queue(r.Context(), p.WorkspaceID, p.UserID)
	if err != nil {
		return err
	}
	out := web.Page[apiWaiting]{Items: []apiWaiting{}}
	for _, wt := range mine {
		a := apiWaiting{ItemID: wt.Item.ID, Title: wt.Item.Title, Version: wt.Request.Version, Step: wt.Request.Step, Steps: len(wt.Request.Steps),
			StepName: wt.StepName, Channels: []channel.Network{}, SubmittedBy: wt.SubmittedBy, Since: wt.Request.StepStartedAt,
			Link: h.s.baseURL + web.WorkspacePath(r, approvalLink(wt.Item.ID))}
		for _, v := range wt.Item.Variants {
			a.Channels = append(a.Channels, v.Network)
		}
		out.Items = append(out.Items, a)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Decision string `json:"decision"`
		Note     string `json:"note"`
		Version  int    `json:"version"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	f := web.NewForm(nil)
	f.Values.Set("decision", strings.TrimSpace(in.Decision))
	approve, _, ok := decision(f)
	if !ok {
		return web.Invalid(f)
	}
	p := web.PrincipalOf(r)
	out, err := h.s.Decide(r.Context(), web.ActorOf(r), Reviewer{UserID: p.UserID, Name: p.Name, Email: p.Email}, p.WorkspaceID, id, in.Version, approve, in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"item_id": id, "outcome": out})
}
