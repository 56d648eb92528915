package newsroom

import (
	"net/http"
	"strconv"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are the newsroom's settings, topics, release placements and notices in the JSON API.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	id := map[string]any{"type": "integer"}
	boolean := map[string]any{"type": "boolean"}
	vis := map[string]any{"type": "string", "enum": Visibilities}
	settings := map[string]any{"enabled": boolean, "slug": str, "domain": map[string]any{"type": "string", "description": "host name the newsroom answers on; empty for none"},
		"title": str, "tagline_id": str, "tagline_en": str, "logo_asset_id": id, "color_primary": map[string]any{"type": "string", "description": "#rrggbb"},
		"color_accent": map[string]any{"type": "string", "description": "#rrggbb"}, "font": map[string]any{"type": "string", "enum": FontNames},
		"boilerplate_id": str, "boilerplate_en": str, "facts_id": str, "facts_en": str}
	withURL := map[string]any{"url": str, "updated_at": str}
	for k, v := range settings {
		withURL[k] = v
	}
	topic := web.Object(map[string]any{"id": id, "slug": str, "name_id": str, "name_en": str})
	placement := web.Object(map[string]any{"release_id": id, "visibility": vis, "featured": boolean, "topics": web.Array(id),
		"headline": str, "language": str, "lift_at": str, "gone_at": str, "views": id, "mailed_at": str, "distribution_id": id,
		"secret_url": map[string]any{"type": "string", "description": "opens an unlisted release"}})
	notice := web.Object(map[string]any{"id": id, "kind": map[string]any{"type": "string", "enum": []NoticeKind{Statement, StatusUpdate}},
		"incident": str, "incident_key": str, "state": map[string]any{"type": "string", "enum": NoticeStates, "description": "status updates only"},
		"language": str, "title": str, "body": map[string]any{"type": "string", "description": "plain text; blank lines split paragraphs"},
		"contact_name": str, "contact_phone": str, "contact_email": str, "published_at": str,
		"withdrawn_at": map[string]any{"type": "string", "description": "set once it is off the public newsroom"},
		"url":          map[string]any{"type": "string", "description": "where the public reads it"}})
	return []web.Route{
		{Method: "GET", Path: "/api/v1/newsroom", Perm: access.PressView, Handler: h.apiSettings,
			Summary: "The newsroom's settings and public address", Response: web.Object(withURL)},
		{Method: "PATCH", Path: "/api/v1/newsroom", Perm: access.NewsroomManage, Handler: h.apiPatchSettings,
			Summary: "Change the newsroom's settings; fields left out stay as they are", Request: web.Object(settings), Response: web.Object(withURL)},
		{Method: "GET", Path: "/api/v1/newsroom/topics", Perm: access.PressView, Handler: h.apiTopics,
			Summary: "The newsroom's topics", Response: web.Object(map[string]any{"items": web.Array(topic)})},
		{Method: "POST", Path: "/api/v1/newsroom/topics", Perm: access.NewsroomEdit, Handler: h.apiAddTopic,
			Summary: "Add a topic", Request: web.Object(map[string]any{"name_id": str, "name_en": str}, "name_id"), Response: topic},
		{Method: "GET", Path: "/api/v1/newsroom/releases", Perm: access.PressView, Handler: h.apiPlacements,
			Summary:  "Releases on the newsroom, newest lift first, with views; ?visibility=, ?q=, ?page=",
			Response: web.Object(map[string]any{"items": web.Array(placement), "total": id})},
		{Method: "PATCH", Path: "/api/v1/newsroom/releases/{id}", Perm: access.NewsroomEdit, Handler: h.apiPatchPlacement,
			Summary: "How a release shows on the newsroom", Request: web.Object(map[string]any{"visibility": vis, "featured": boolean, "topics": web.Array(id)}),
			Response: placement},
		{Method: "GET", Path: "/api/v1/newsroom/notices", Perm: access.PressView, Handler: h.apiNotices,
			Summary:  "Official statements and status updates published on the newsroom, withdrawn ones too, newest first; ?incident= for one incident's key",
			Response: web.Object(map[string]any{"items": web.Array(notice)})},
		{Method: "POST", Path: "/api/v1/newsroom/notices/{id}/withdraw", Perm: access.NewsroomEdit, Handler: h.apiWithdrawNotice,
			Summary: "Take a statement or status update off the public newsroom (it stays listed here, withdrawn)", Response: notice},
	}
}

type apiSettings struct {
	*Settings
	URL string `json:"url"`
}

func (h *Handlers) apiSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := h.s.Settings(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, apiSettings{st, h.s.URL(st)})
}

func (h *Handlers) apiPatchSettings(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	st, err := h.s.Settings(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	// Decoding onto the current settings keeps the fields the request leaves out.
	if err := web.DecodeJSON(r, st); err != nil {
		return err
	}
	st.WorkspaceID = p.WorkspaceID
	if err := h.s.SaveSettings(r.Context(), web.ActorOf(r), st); err != nil {
		return err
	}
	return h.apiSettings(w, r)
}

func (h *Handlers) apiTopics(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.Topics(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if list == nil {
		list = []Topic{}
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"items": list})
}

func (h *Handlers) apiAddTopic(w http.ResponseWriter, r *http.Request) error {
	var in Topic
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.s.SaveTopic(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, Topic{NameID: in.NameID, NameEN: in.NameEN})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, t)
}

type apiPlacement struct {
	Placement
	SecretURL string `json:"secret_url,omitempty"`
}

func (h *Handlers) toAPI(r *http.Request, p Placement) (apiPlacement, error) {
	out := apiPlacement{Placement: p}
	if p.Topics == nil {
		out.Topics = []int64{}
	}
	if p.Visibility == Unlisted {
		u, err := h.s.ReleaseURL(r.Context(), web.PrincipalOf(r).WorkspaceID, p.ReleaseID)
		if err != nil {
			return out, err
		}
		out.SecretURL = u + "?key=" + p.Secret
	}
	return out, nil
}

func (h *Handlers) apiPlacements(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f := PlacementFilter{Query: q.Get("q"), Visibility: Visibility(q.Get("visibility")), Offset: (page - 1) * 100, Limit: 100}
	list, total, err := h.s.Placements(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	items := make([]apiPlacement, 0, len(list))
	for _, p := range list {
		a, err := h.toAPI(r, p)
		if err != nil {
			return err
		}
		items = append(items, a)
	}
	return web.JSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func (h *Handlers) apiPatchPlacement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wsID := web.PrincipalOf(r).WorkspaceID
	cur, err := h.s.Placement(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	in := struct {
		Visibility *Visibility `json:"visibility"`
		Featured   *bool       `json:"featured"`
		Topics     *[]int64    `json:"topics"`
	}{&cur.Visibility, &cur.Featured, &cur.Topics}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.s.SetPlacement(r.Context(), web.ActorOf(r), wsID, id, cur.Visibility, cur.Featured, cur.Topics); err != nil {
		return err
	}
	cur, err = h.s.Placement(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	out, err := h.toAPI(r, *cur)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiNotices(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.Notices(r.Context(), web.PrincipalOf(r).WorkspaceID, r.URL.Query().Get("incident"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []Notice{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"items": list})
}

func (h *Handlers) apiWithdrawNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wsID := web.PrincipalOf(r).WorkspaceID
	if err := h.s.WithdrawNotice(r.Context(), web.ActorOf(r), wsID, id); err != nil {
		return err
	}
	n, err := h.s.notice(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, n)
}
