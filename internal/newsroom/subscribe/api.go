package subscribe

import (
	"net/http"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/newsroom/subscribers.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	id := map[string]any{"type": "integer"}
	instant := map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	lang := map[string]any{"type": "string", "enum": []string{"id", "en"}}
	topics := map[string]any{"type": "array", "items": id, "description": "newsroom topic ids; empty means every topic"}
	consent := web.Object(map[string]any{"text": map[string]any{"type": "string", "description": "the words the person agreed to, as they read them"},
		"language": lang, "requested_at": str, "confirmed_at": instant, "unsubscribed_at": instant, "unsubscribe_source": str})
	subscriber := web.Object(map[string]any{"id": id, "email": str, "name": str, "language": lang, "topics": topics,
		"state": map[string]any{"type": "string", "enum": States}, "consent": consent, "created_at": str, "updated_at": str})
	confirmation := web.Object(map[string]any{"name": str, "language": lang, "topics": topics, "consent_text": str,
		"requested_at": str, "mailed_at": str, "expires_at": str})
	export := web.Object(map[string]any{"exported_at": str, "subscriber": subscriber,
		"topic_names": web.Array(web.Object(map[string]any{"id": id, "name": str})), "pending_confirmations": web.Array(confirmation)})
	return []web.Route{
		{Method: "GET", Path: "/api/v1/newsroom/subscribers", Perm: access.PressView, Handler: h.apiList,
			Summary:  "Newsroom subscribers, oldest first; ?q= searches the email and name, ?state=confirmed|pending|unsubscribed narrows",
			Response: web.ListOf(subscriber)},
		{Method: "GET", Path: "/api/v1/newsroom/subscribers/{id}", Perm: access.PressView, Handler: h.apiGet,
			Summary: "A newsroom subscriber with their consent record", Response: subscriber},
		{Method: "DELETE", Path: "/api/v1/newsroom/subscribers/{id}", Perm: access.NewsroomManage, Handler: h.apiErase,
			Summary: "Erase a newsroom subscriber: address, name, topics, consent record and confirmation links are removed; the audit log keeps the id"},
		{Method: "GET", Path: "/api/v1/newsroom/subscribers/{id}/export", Perm: access.NewsroomManage, Handler: h.apiExport,
			Summary: "Everything held on a newsroom subscriber, for their data request (recorded in the audit log)", Response: export},
	}
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, Filter{Query: q.Get("q"), State: q.Get("state"), Sort: "id",
		After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(s Subscriber) int64 { return s.ID }))
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.subscriberOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sub)
}

func (h *Handlers) apiErase(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.subscriberOf(r)
	if err != nil {
		return err
	}
	if err := h.s.Erase(r.Context(), web.ActorOf(r), sub.WorkspaceID, sub.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiExport(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.subscriberOf(r)
	if err != nil {
		return err
	}
	x, err := h.s.Export(r.Context(), web.ActorOf(r), sub.WorkspaceID, sub.ID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}
