package crisis

import (
	"net/http"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/crisis/playbook"
	"warta.dev/warta/internal/platform/web"
)

// The API's request shapes; responses are the model's types.
type (
	apiDeclare struct {
		Name         string  `json:"name"`
		Description  string  `json:"description"`
		Type         string  `json:"type"`
		Severity     string  `json:"severity"`
		OwnerID      int64   `json:"owner_id"`
		Exercise     bool    `json:"exercise"`
		Pause        *bool   `json:"pause"`
		KeepAccounts []int64 `json:"keep_accounts"`
		TopicID      int64   `json:"topic_id"`
		AlertID      int64   `json:"alert_id"`
		PublicName   string  `json:"public_name"`
	}
	apiUpdate struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Severity    string `json:"severity"`
		OwnerID     int64  `json:"owner_id"`
		PublicName  string `json:"public_name"`
	}
	apiChoice struct {
		ID       int64     `json:"id"`
		Decision string    `json:"decision"`
		At       time.Time `json:"at"`
	}
	apiClose struct {
		Note          string      `json:"note"`
		Posts         []apiChoice `json:"posts"`
		Distributions []apiChoice `json:"distributions"`
	}
	apiNote struct {
		Text     string `json:"text"`
		Corrects int64  `json:"corrects"`
	}
	apiDecision struct {
		Decision  string `json:"decision"`
		DecidedBy string `json:"decided_by"`
		Reason    string `json:"reason"`
	}
	apiTask struct {
		Title   string     `json:"title"`
		OwnerID int64      `json:"owner_id"`
		DueAt   *time.Time `json:"due_at"`
	}
	apiMessage struct {
		Audience       string `json:"audience"`
		Message        string `json:"message"`
		Channel        string `json:"channel"`
		Status         string `json:"status"`
		OwnerID        int64  `json:"owner_id"`
		ItemID         int64  `json:"item_id"`
		DistributionID int64  `json:"distribution_id"`
	}
	apiStatusUpdate struct {
		State    string `json:"state"`
		Text     string `json:"text"`
		Language string `json:"language"`
	}
	apiReview struct {
		Crisis             *Crisis     `json:"crisis"`
		End                time.Time   `json:"end"`
		FirstAckSeconds    *float64    `json:"first_ack_seconds"`
		FirstStatementSecs *float64    `json:"first_statement_seconds"`
		Acknowledged       int         `json:"acknowledged"`
		Asked              int         `json:"asked"`
		Phases             []apiPhase  `json:"phases"`
		Statements         []Statement `json:"statements"`
		Decisions          []Decision  `json:"decisions"`
		OpenTasks          []Task      `json:"open_tasks"`
		Timeline           []Event     `json:"timeline"`
	}
	apiPhase struct {
		Phase    string `json:"phase"`
		Days     int    `json:"days"`
		Mentions int    `json:"mentions"`
		Negative int    `json:"negative"`
	}
)

// APIRoutes are /api/v1/crises.
func (h *Handlers) APIRoutes() []web.Route {
	v, wk, d := access.CrisisView, access.CrisisWork, access.CrisisDeclare
	str, id, boolean := map[string]any{"type": "string"}, map[string]any{"type": "integer"}, map[string]any{"type": "boolean"}
	instant := map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	crisis := web.Object(map[string]any{"id": id, "name": str, "description": str, "type": map[string]any{"type": "string", "enum": playbook.Types},
		"severity": map[string]any{"type": "string", "enum": Severities}, "owner_id": id, "owner_name": str, "exercise": boolean, "state": str,
		"paused": boolean, "keep_accounts": web.Array(id), "topic_id": id, "alert_id": id, "public_name": str, "declared_at": str,
		"closed_at": instant})
	declare := web.Object(map[string]any{"name": str, "description": str, "type": str, "severity": str, "owner_id": id, "exercise": boolean,
		"pause": boolean, "keep_accounts": web.Array(id), "topic_id": id, "alert_id": id, "public_name": str})
	update := web.Object(map[string]any{"name": str, "description": str, "severity": str, "owner_id": id, "public_name": str})
	choice := web.Object(map[string]any{"id": id, "decision": map[string]any{"type": "string", "enum": []string{Release, Reschedule, Cancel}}, "at": instant})
	closeIn := web.Object(map[string]any{"note": str, "posts": web.Array(choice), "distributions": web.Array(choice)})
	event := web.Object(map[string]any{"id": id, "at": str, "kind": str, "actor": str, "text": str, "args": map[string]any{"type": "object"},
		"ref_kind": str, "ref_id": id, "corrects": id})
	decision := web.Object(map[string]any{"id": id, "decision": str, "reason": str, "decided_by": str, "at": str})
	task := web.Object(map[string]any{"id": id, "title": str, "owner_id": id, "owner_name": str, "due_at": instant, "done_at": instant})
	message := web.Object(map[string]any{"id": id, "audience": str, "message": str, "channel": str, "owner_id": id, "status": map[string]any{"type": "string", "enum": MessageStatuses}, "item_id": id, "distribution_id": id})
	statusUpdate := web.Object(map[string]any{"id": id, "state": map[string]any{"type": "string", "enum": UpdateStates}, "text": str, "language": str,
		"url": str, "posted_at": str})
	p := "/api/v1/crises"
	return []web.Route{
		{Method: "GET", Path: p, Perm: v, Handler: h.apiList, Summary: "Crises, open ones first", Response: web.ListOf(crisis)},
		{Method: "POST", Path: p, Perm: d, Handler: h.apiDeclare, Request: declare, Response: crisis,
			Summary: "Declare a crisis: pauses publishing and scheduled distributions (pause defaults to true) and calls the crisis team"},
		{Method: "GET", Path: p + "/{id}", Perm: v, Handler: h.apiGet, Summary: "A crisis", Response: crisis},
		{Method: "PATCH", Path: p + "/{id}", Perm: d, Handler: h.apiUpdate, Request: update, Response: crisis, Summary: "Change an open crisis's details"},
		{Method: "POST", Path: p + "/{id}/close", Perm: d, Handler: h.apiClose, Request: closeIn,
			Summary: "Close a crisis; when it is the last one holding the pause, every held post and distribution needs a choice"},
		{Method: "GET", Path: p + "/{id}/timeline", Perm: v, Handler: h.apiTimeline, Summary: "The timeline, oldest first", Response: web.ListOf(event)},
		{Method: "POST", Path: p + "/{id}/timeline", Perm: wk, Handler: h.apiNote, Request: web.Object(map[string]any{"text": str, "corrects": id}),
			Summary: "Add a note, or a correction of an earlier entry"},
		{Method: "GET", Path: p + "/{id}/decisions", Perm: v, Handler: h.apiDecisions, Summary: "The decisions log", Response: web.ListOf(decision)},
		{Method: "POST", Path: p + "/{id}/decisions", Perm: wk, Handler: h.apiAddDecision, Request: web.Object(map[string]any{"decision": str,
			"decided_by": str, "reason": str}), Response: decision, Summary: "Record a decision"},
		{Method: "GET", Path: p + "/{id}/tasks", Perm: v, Handler: h.apiTasks, Summary: "Tasks", Response: web.ListOf(task)},
		{Method: "POST", Path: p + "/{id}/tasks", Perm: wk, Handler: h.apiAddTask, Request: web.Object(map[string]any{"title": str, "owner_id": id,
			"due_at": instant}), Response: task, Summary: "Add a task"},
		{Method: "POST", Path: p + "/{id}/tasks/{task}/done", Perm: wk, Handler: h.apiTaskDone, Summary: "Mark a task done"},
		{Method: "GET", Path: p + "/{id}/messages", Perm: v, Handler: h.apiMessages, Summary: "The stakeholder matrix", Response: web.ListOf(message)},
		{Method: "POST", Path: p + "/{id}/messages", Perm: wk, Handler: h.apiSaveMessage, Request: message, Response: message,
			Summary: "Add a row to the stakeholder matrix"},
		{Method: "PATCH", Path: p + "/{id}/messages/{msg}", Perm: wk, Handler: h.apiSaveMessage, Request: message, Response: message,
			Summary: "Change a row of the stakeholder matrix (all fields)"},
		{Method: "GET", Path: p + "/{id}/updates", Perm: v, Handler: h.apiUpdates, Summary: "Public status updates", Response: web.ListOf(statusUpdate)},
		{Method: "POST", Path: p + "/{id}/updates", Perm: d, Handler: h.apiPostUpdate, Request: web.Object(map[string]any{"state": str, "text": str,
			"language": str}), Response: statusUpdate, Summary: "Post a status update on the newsroom (kept in the room for an exercise)"},
		{Method: "GET", Path: p + "/{id}/review", Perm: v, Handler: h.apiReview, Summary: "The post-crisis review's figures and record"},
		{Method: "GET", Path: p + "/{id}/review.pdf", Perm: v, Handler: h.reviewPDF, Summary: "The post-crisis review as a PDF"},
	}
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.Page[*Crisis]{Items: list})
}

func (h *Handlers) apiDeclare(w http.ResponseWriter, r *http.Request) error {
	var in apiDeclare
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	pause := in.Pause == nil || *in.Pause
	c, err := h.s.Declare(r.Context(), member(r), web.PrincipalOf(r).WorkspaceID, DeclareInput{Name: in.Name, Description: in.Description,
		Type: playbook.Type(in.Type), Severity: in.Severity, OwnerID: in.OwnerID, Exercise: in.Exercise, Pause: pause, KeepAccounts: in.KeepAccounts,
		TopicID: in.TopicID, AlertID: in.AlertID, PublicName: in.PublicName})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	c, err := h.s.Get(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

func (h *Handlers) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	var in apiUpdate
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	wsID, id, _ := h.ids(r)
	c, err := h.s.Update(r.Context(), member(r), wsID, id, UpdateInput{Name: in.Name, Description: in.Description, Severity: in.Severity,
		OwnerID: in.OwnerID, PublicName: in.PublicName})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

func (h *Handlers) apiClose(w http.ResponseWriter, r *http.Request) error {
	var in apiClose
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	wsID, id, _ := h.ids(r)
	ci := CloseInput{Note: in.Note, Posts: map[int64]Choice{}, Distributions: map[int64]Choice{}}
	for _, c := range in.Posts {
		ci.Posts[c.ID] = Choice{Decision: c.Decision, At: c.At}
	}
	for _, c := range in.Distributions {
		ci.Distributions[c.ID] = Choice{Decision: c.Decision, At: c.At}
	}
	if err := h.s.Close(r.Context(), member(r), wsID, id, ci); err != nil {
		return err
	}
	c, err := h.s.Get(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

func (h *Handlers) apiTimeline(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	if _, err := h.s.Get(r.Context(), wsID, id); err != nil {
		return err
	}
	list, err := h.s.Timeline(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.Page[Event]{Items: list})
}

func (h *Handlers) apiNote(w http.ResponseWriter, r *http.Request) error {
	var in apiNote
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	wsID, id, _ := h.ids(r)
	if err := h.s.AddNote(r.Context(), member(r), wsID, id, in.Text, in.Corrects); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiDecisions(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	if _, err := h.s.Get(r.Context(), wsID, id); err != nil {
		return err
	}
	list, err := h.s.Decisions(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.Page[Decision]{Items: list})
}

func (h *Handlers) apiAddDecision(w http.ResponseWriter, r *http.Request) error {
	var in apiDecision
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	wsID, id, _ := h.ids(r)
	d, err := h.s.AddDecision(r.Context(), member(r), wsID, id, in.Decision, in.DecidedBy, in.Reason)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, d)
}

func (h *Handlers) apiTasks(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	if _, err := h.s.Get(r.Context(), wsID, id); err != nil {
		return err
	}
	list, err := h.s.Tasks(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.Page[Task]{Items: list})
}

func (h *Handlers) apiAddTask(w http.ResponseWriter, r *http.Request) error {
	var in apiTask
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	wsID, id, _ := h.ids(r)
	t, err := h.s.AddTask(r.Context(), member(r), wsID, id, TaskInput{Title: in.Title, OwnerID: in.OwnerID, DueAt: in.DueAt})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, t)
}

func (h *Handlers) apiTaskDone(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	task, err := pathInt(r, "task")
	if err != nil {
		return err
	}
	if _, err := h.s.Get(r.Context(), wsID, id); err != nil {
		return err
	}
	if err := h.s.CompleteTask(r.Context(), member(r), wsID, id, task); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiMessages(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	if _, err := h.s.Get(r.Context(), wsID, id); err != nil {
		return err
	}
	list, err := h.s.Messages(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.Page[Message]{Items: list})
}

func (h *Handlers) apiSaveMessage(w http.ResponseWriter, r *http.Request) error {
	var in apiMessage
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	wsID, id, _ := h.ids(r)
	var msgID int64
	if r.PathValue("msg") != "" {
		var err error
		if msgID, err = pathInt(r, "msg"); err != nil {
			return err
		}
	}
	m, err := h.s.SaveMessage(r.Context(), member(r), wsID, id, msgID, MessageInput{Audience: in.Audience, Message: in.Message,
		Channel: in.Channel, Status: in.Status, OwnerID: in.OwnerID, ItemID: in.ItemID, DistributionID: in.DistributionID})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if msgID == 0 {
		status = http.StatusCreated
	}
	return web.JSON(w, status, m)
}

func (h *Handlers) apiUpdates(w http.ResponseWriter, r *http.Request) error {
	wsID, id, _ := h.ids(r)
	if _, err := h.s.Get(r.Context(), wsID, id); err != nil {
		return err
	}
	list, err := h.s.Updates(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.Page[Update]{Items: list})
}

func (h *Handlers) apiPostUpdate(w http.ResponseWriter, r *http.Request) error {
	var in apiStatusUpdate
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	wsID, id, _ := h.ids(r)
	u, err := h.s.PostUpdate(r.Context(), member(r), wsID, id, in.State, in.Text, in.Language)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, u)
}

func seconds(d *time.Duration) *float64 {
	if d == nil {
		return nil
	}
	return new(d.Seconds())
}

func (h *Handlers) apiReview(w http.ResponseWriter, r *http.Request) error {
	rv, err := h.reviewOf(r)
	if err != nil {
		return err
	}
	out := apiReview{Crisis: rv.Room.Crisis, End: rv.End, FirstAckSeconds: seconds(rv.FirstAck), FirstStatementSecs: seconds(rv.FirstStatement),
		Acknowledged: rv.Acked, Asked: rv.Asked, Statements: rv.Room.Statements, Decisions: rv.Room.Decisions, OpenTasks: rv.OpenTasks,
		Timeline: rv.Room.Events}
	for _, p := range rv.Phases {
		out.Phases = append(out.Phases, apiPhase{Phase: p.Key, Days: p.Days, Mentions: p.Total, Negative: p.Negative})
	}
	return web.JSON(w, http.StatusOK, out)
}
