package publish

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/channels, /api/v1/publications and /api/v1/workspace/pause.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "integer"}
	instant := map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	account := web.Object(map[string]any{"id": num, "network": str, "kind": str, "server": str, "handle": str, "name": str, "url": str,
		"health": map[string]any{"type": "string", "enum": []string{Working, Reconnect, RateLimited}}, "health_reason": str,
		"limited_until": instant, "max_text": num, "connected_at": str})
	problem := web.Object(map[string]any{"kind": str, "message": str, "reason": str})
	publication := web.Object(map[string]any{"id": num, "item_id": num, "account_id": num, "network": str, "state": map[string]any{"type": "string", "enum": States},
		"due_at": str, "zone": str, "attempts": num, "remote_id": str, "remote_url": str, "published_at": instant, "retry_at": instant,
		"error": problem, "metrics": web.Object(map[string]any{"likes": num, "reposts": num, "replies": num, "views": num})})
	attempt := web.Object(map[string]any{"number": num, "action": str, "started_at": str, "finished_at": instant, "outcome": str, "reason": str, "remote_url": str})
	pause := web.Object(map[string]any{"paused": map[string]any{"type": "boolean"}, "reason": str, "paused_by": str, "paused_at": instant,
		"keep": web.Array(num), "held": web.Array(publication), "uncertain": web.Array(publication)})
	return []web.Route{
		{Method: "GET", Path: "/api/v1/channels", Perm: access.ContentView, Handler: h.apiAccounts,
			Summary: "Connected channel accounts with their health", Response: web.ListOf(account)},
		{Method: "POST", Path: "/api/v1/channels", Perm: access.ChannelsManage, Handler: h.apiConnect,
			Summary: "Connect an account: networks connected by a form (Bluesky, Telegram, webhooks) answer the accounts; OAuth networks answer auth_url, to open in a browser signed in to Warta",
			Request: web.Object(map[string]any{"network": str, "values": map[string]any{"type": "object", "additionalProperties": str,
				"description": "the connect form's fields by name (see the network's page in the app)"}}, "network"),
			Response: web.Object(map[string]any{"accounts": web.Array(account), "auth_url": str})},
		{Method: "GET", Path: "/api/v1/channels/{id}", Perm: access.ContentView, Handler: h.apiAccount, Summary: "One account", Response: account},
		{Method: "DELETE", Path: "/api/v1/channels/{id}", Perm: access.ChannelsManage, Handler: h.apiDisconnect,
			Summary: "Disconnect an account; what is queued for it is cancelled"},
		{Method: "GET", Path: "/api/v1/publications", Perm: access.ContentView, Handler: h.apiPublications,
			Summary: "Publications (one content item to one account), newest first; filter with ?item=, ?account=, ?state=", Response: web.ListOf(publication)},
		{Method: "GET", Path: "/api/v1/publications/{id}", Perm: access.ContentView, Handler: h.apiPublication,
			Summary:  "A publication with its attempts (the publish log)",
			Response: web.Object(map[string]any{"publication": publication, "attempts": web.Array(attempt)})},
		{Method: "POST", Path: "/api/v1/publications/decide", Perm: access.ContentSchedule, Handler: h.apiDecide,
			Summary: "Decide for held or uncertain publications: publish now, reschedule (with at), cancel, or mark_published (uncertain ones, with url); without ids, all held ones",
			Request: web.Object(map[string]any{"ids": web.Array(num), "decision": map[string]any{"type": "string", "enum": []Decision{PublishNow, Reschedule, Cancel, MarkPublished}},
				"at": map[string]any{"type": "string", "format": "date-time"}, "url": str}, "decision"),
			Response: web.Object(map[string]any{"decided": num})},
		{Method: "GET", Path: "/api/v1/workspace/pause", Perm: access.ContentView, Handler: h.apiPause,
			Summary: "Whether publishing is paused, why, and the held and uncertain publications", Response: pause},
		{Method: "POST", Path: "/api/v1/workspace/pause", Perm: access.PublishPause, Handler: h.apiPauseSet,
			Summary: "Pause publishing; a reason is required", Request: web.Object(map[string]any{"reason": str}, "reason"), Response: pause},
		{Method: "DELETE", Path: "/api/v1/workspace/pause", Perm: access.PublishPause, Handler: h.apiResume,
			Summary: "Resume publishing; held publications stay held until decided", Response: pause},
	}
}

type apiAccount struct {
	ID           int64           `json:"id"`
	Network      channel.Network `json:"network"`
	Kind         string          `json:"kind"`
	Server       string          `json:"server"`
	Handle       string          `json:"handle"`
	Name         string          `json:"name"`
	URL          string          `json:"url"`
	Health       string          `json:"health"`
	HealthReason string          `json:"health_reason"`
	LimitedUntil *time.Time      `json:"limited_until"`
	MaxText      int             `json:"max_text"`
	ConnectedAt  time.Time       `json:"connected_at"`
}

func toAPIAccount(a Account) apiAccount {
	return apiAccount{ID: a.ID, Network: a.Network, Kind: a.Kind, Server: a.Server, Handle: a.Handle, Name: a.Name, URL: a.URL,
		Health: a.HealthNow(time.Now()), HealthReason: a.HealthReason, LimitedUntil: a.LimitedUntil, MaxText: a.MaxText, ConnectedAt: a.ConnectedAt}
}

func (h *Handlers) apiAccounts(w http.ResponseWriter, r *http.Request) error {
	accts, err := h.s.Accounts(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	out := make([]apiAccount, 0, len(accts))
	for _, a := range accts {
		out = append(out, toAPIAccount(a))
	}
	return web.JSON(w, http.StatusOK, map[string]any{"items": out})
}

func (h *Handlers) apiAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := h.accountFromPath(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, toAPIAccount(*a))
}

func (h *Handlers) apiConnect(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Network channel.Network   `json:"network"`
		Values  map[string]string `json:"values"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := h.s.StartConnect(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, in.Network, in.Values, web.WorkspacePath(r, "/channels"))
	var ce *channel.Error
	if errors.As(err, &ce) {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: "connect_refused", Key: "publish.error.connect_refused",
			Fields: map[string]string{"values": connectMessage(web.LocaleOf(r), in.Network, ce)}, Raw: true}
	}
	if err != nil {
		return err
	}
	if res.AuthURL != "" {
		return web.JSON(w, http.StatusOK, map[string]any{"auth_url": res.AuthURL})
	}
	out := make([]apiAccount, 0, len(res.Accounts))
	for _, a := range res.Accounts {
		out = append(out, toAPIAccount(a))
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"accounts": out})
}

func (h *Handlers) apiDisconnect(w http.ResponseWriter, r *http.Request) error {
	a, err := h.accountFromPath(r)
	if err != nil {
		return err
	}
	if err := h.s.Disconnect(r.Context(), web.ActorOf(r), a.WorkspaceID, a.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type apiProblem struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Reason  string `json:"reason"`
}

type apiPublication struct {
	ID          int64           `json:"id"`
	ItemID      int64           `json:"item_id"`
	AccountID   int64           `json:"account_id"`
	Network     channel.Network `json:"network"`
	State       State           `json:"state"`
	DueAt       time.Time       `json:"due_at"`
	Zone        string          `json:"zone"`
	Attempts    int             `json:"attempts"`
	RemoteID    string          `json:"remote_id"`
	RemoteURL   string          `json:"remote_url"`
	PublishedAt *time.Time      `json:"published_at"`
	RetryAt     *time.Time      `json:"retry_at"`
	Error       *apiProblem     `json:"error"`
	Metrics     channel.Metrics `json:"metrics"`
}

func (h *Handlers) toAPIPublication(r *http.Request, p Publication) apiPublication {
	out := apiPublication{ID: p.ID, ItemID: p.ItemID, AccountID: p.AccountID, Network: p.Network, State: p.State, DueAt: p.DueAt,
		Zone: p.Zone, Attempts: p.Attempts, RemoteID: p.RemoteID, RemoteURL: p.RemoteURL, PublishedAt: p.PublishedAt, RetryAt: p.RetryAt, Metrics: p.Metrics}
	if p.Error != nil || p.State == Uncertain {
		out.Error = &apiProblem{Message: Explain(web.LocaleOf(r), &p)}
		if p.Error != nil {
			out.Error.Kind = p.Error.Kind.String()
			if p.Error.Key != "problem" {
				out.Error.Reason = p.Error.Reason
			}
		}
	}
	return out
}

func (h *Handlers) apiPublications(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := Filter{State: State(q.Get("state")), BeforeID: after, Limit: limit + 1}
	f.ItemID, _ = strconv.ParseInt(q.Get("item"), 10, 64)
	f.AccountID, _ = strconv.ParseInt(q.Get("account"), 10, 64)
	pubs, err := h.s.Publications(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	page := web.NextPage(pubs, limit, func(p Publication) int64 { return p.ID })
	out := make([]apiPublication, 0, len(page.Items))
	for _, p := range page.Items {
		out = append(out, h.toAPIPublication(r, p))
	}
	return web.JSON(w, http.StatusOK, map[string]any{"items": out, "next_cursor": page.NextCursor})
}

func (h *Handlers) apiPublication(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	wsID := web.PrincipalOf(r).WorkspaceID
	p, err := h.s.Publication(r.Context(), wsID, id)
	if errors.Is(err, db.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	att, err := h.s.Attempts(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	type apiAttempt struct {
		Number     int        `json:"number"`
		Action     string     `json:"action"`
		StartedAt  time.Time  `json:"started_at"`
		FinishedAt *time.Time `json:"finished_at"`
		Outcome    string     `json:"outcome"`
		Reason     string     `json:"reason"`
		RemoteURL  string     `json:"remote_url"`
	}
	list := make([]apiAttempt, 0, len(att))
	for _, a := range att {
		x := apiAttempt{Number: a.Number, Action: a.Action, StartedAt: a.StartedAt, FinishedAt: a.FinishedAt, Outcome: a.Outcome, RemoteURL: a.RemoteURL}
		if a.Error != nil {
			x.Reason = a.Error.Reason
		}
		list = append(list, x)
	}
	return web.JSON(w, http.StatusOK, map[string]any{"publication": h.toAPIPublication(r, *p), "attempts": list})
}

func (h *Handlers) apiDecide(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IDs      []int64   `json:"ids"`
		Decision Decision  `json:"decision"`
		At       time.Time `json:"at"`
		URL      string    `json:"url"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := h.s.Decide(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, in.IDs, in.Decision, in.At, in.URL)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"decided": n})
}

func (h *Handlers) apiPause(w http.ResponseWriter, r *http.Request) error {
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	p, err := h.s.Paused(ctx, wsID)
	if err != nil {
		return err
	}
	out := map[string]any{"paused": p != nil}
	if p != nil {
		out["reason"], out["paused_by"], out["paused_at"] = p.Reason, p.ByName, p.At
		out["keep"] = append([]int64{}, p.Keep...)
	}
	for key, st := range map[string]State{"held": Held, "uncertain": Uncertain} {
		pubs, err := h.s.Publications(ctx, wsID, Filter{State: st, Limit: 200})
		if err != nil {
			return err
		}
		list := make([]apiPublication, 0, len(pubs))
		for _, pb := range pubs {
			list = append(list, h.toAPIPublication(r, pb))
		}
		out[key] = list
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiPauseSet(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.s.PauseWorkspace(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, in.Reason); err != nil {
		return err
	}
	return h.apiPause(w, r)
}

func (h *Handlers) apiResume(w http.ResponseWriter, r *http.Request) error {
	if err := h.s.ResumeWorkspace(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID); err != nil {
		return err
	}
	return h.apiPause(w, r)
}
