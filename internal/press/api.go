package press

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/contacts, outlets, lists, segments and suppressions.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	id := map[string]any{"type": "integer"}
	boolean := map[string]any{"type": "boolean"}
	strs := web.Array(str)
	ids := web.Array(id)
	day := map[string]any{"type": "string", "format": "date", "description": "YYYY-MM-DD"}
	instant := map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	enum := func(vs []string) map[string]any { return map[string]any{"type": "string", "enum": vs} }
	consent := web.Object(map[string]any{"status": enum(ConsentStatuses), "basis": enum(append([]string{""}, ConsentBases...)), "source": str,
		"at": map[string]any{"type": "string", "format": "date-time"}})
	socials := map[string]any{"type": "object", "description": "keys: " + strings.Join(SocialKeys, ", "), "additionalProperties": str}
	outletRole := web.Object(map[string]any{"outlet_id": id, "outlet": map[string]any{"type": "string", "description": "name; created when new"}, "role": str})
	input := map[string]any{"name": str, "salutation": str, "outlets": web.Array(outletRole), "beats": strs, "province": str, "city": str,
		"country": map[string]any{"type": "string", "description": "ISO 3166-1 alpha-2; default ID"}, "languages": strs,
		"emails":   map[string]any{"type": "array", "items": str, "description": "the first is the primary address"},
		"phones":   map[string]any{"type": "array", "items": str, "description": "written in E.164 where possible: 0812… becomes +62812…"},
		"whatsapp": str, "socials": socials, "notes": str, "labels": strs, "owner_id": id, "consent": consent, "do_not_contact": boolean}
	contactProps := map[string]any{"id": id, "last_contacted_at": instant, "created_at": str, "updated_at": str,
		"outlets": web.Array(web.Object(map[string]any{"outlet_id": id, "outlet": str, "type": str, "role": str}))}
	for k, v := range input {
		if _, ok := contactProps[k]; !ok {
			contactProps[k] = v
		}
	}
	contact := web.Object(contactProps)
	outletIn := map[string]any{"name": str, "type": enum(OutletTypes), "reach": id, "reach_source": str, "reach_date": day, "province": str, "city": str,
		"country": str, "language": str, "website": str, "rss_url": map[string]any{"type": "string", "format": "uri", "description": "http(s); not fetched"},
		"dewan_pers": enum(DewanPers), "dewan_pers_checked": day}
	outletProps := map[string]any{"id": id, "contacts": id, "created_at": str, "updated_at": str}
	for k, v := range outletIn {
		outletProps[k] = v
	}
	outlet := web.Object(outletProps)
	list := web.Object(map[string]any{"id": id, "name": str, "description": str, "count": id, "created_at": str, "updated_at": str})
	condition := web.Object(map[string]any{"field": enum(SegmentFields), "values": map[string]any{"type": "array", "items": str,
		"description": "any of them (OR); conditions of a segment all hold (AND); outlet takes outlet ids"}}, "field", "values")
	segment := web.Object(map[string]any{"id": id, "name": str, "conditions": web.Array(condition), "count": id, "created_at": str, "updated_at": str})
	suppression := web.Object(map[string]any{"id": id, "email": map[string]any{"type": "string", "description": "empty once the contact was erased"},
		"email_sha256": str, "reason": enum(SuppressionReasons), "detail": str, "created_at": str})
	count := web.Object(map[string]any{"count": id})
	members := web.Object(map[string]any{"contact_ids": ids}, "contact_ids")
	changed := web.Object(map[string]any{"changed": id})
	v, w, m := access.PressView, access.PressWrite, access.PressManage
	return []web.Route{
		{Method: "GET", Path: "/api/v1/contacts", Perm: v, Handler: h.apiContacts, Response: web.ListOf(contact),
			Summary: "Contacts, searched with ?q= (name, email, outlet) and filtered with ?beat=, province, city, country, language, label, consent, outlet, outlet_type, dewan_pers (several values separated by commas), ?list= and ?segment="},
		{Method: "POST", Path: "/api/v1/contacts", Perm: w, Handler: h.apiCreateContact, Summary: "Create a contact",
			Request: web.Object(input, "name"), Response: contact},
		{Method: "GET", Path: "/api/v1/contacts/{id}", Perm: v, Handler: h.apiContact, Summary: "A contact", Response: contact},
		{Method: "PATCH", Path: "/api/v1/contacts/{id}", Perm: w, Handler: h.apiPatchContact,
			Summary: "Change a contact; fields left out stay as they are (a list given replaces the list)", Request: web.Object(input), Response: contact},
		{Method: "DELETE", Path: "/api/v1/contacts/{id}", Perm: m, Handler: h.apiEraseContact,
			Summary: "Erase a contact: personal data removed, events kept as anonymous counts, its addresses kept suppressed as hashes"},
		{Method: "GET", Path: "/api/v1/contacts/{id}/export", Perm: m, Handler: h.apiExportContact,
			Summary: "Everything held on a contact: the contact, its outlets, lists, events, consent and suppressions",
			Response: web.Object(map[string]any{"exported_at": str, "contact": contact, "outlets": web.Array(outlet), "lists": web.Array(list),
				"events":  web.Array(web.Object(map[string]any{"id": id, "kind": str, "at": str, "title": str, "link": str, "detail": str, "by": id})),
				"consent": consent, "suppressions": web.Array(suppression)})},

		{Method: "GET", Path: "/api/v1/outlets", Perm: v, Handler: h.apiOutlets, Response: web.ListOf(outlet),
			Summary: "Outlets, searched with ?q= and filtered with ?type= and ?dewan_pers="},
		{Method: "POST", Path: "/api/v1/outlets", Perm: w, Handler: h.apiCreateOutlet, Summary: "Create an outlet",
			Request: web.Object(outletIn, "name"), Response: outlet},
		{Method: "GET", Path: "/api/v1/outlets/{id}", Perm: v, Handler: h.apiOutlet, Summary: "An outlet", Response: outlet},
		{Method: "PATCH", Path: "/api/v1/outlets/{id}", Perm: w, Handler: h.apiPatchOutlet, Summary: "Change an outlet; fields left out stay as they are",
			Request: web.Object(outletIn), Response: outlet},
		{Method: "DELETE", Path: "/api/v1/outlets/{id}", Perm: w, Handler: h.apiDeleteOutlet, Summary: "Delete an outlet; its contacts stay"},

		{Method: "GET", Path: "/api/v1/lists", Perm: v, Handler: h.apiLists, Summary: "Static lists with their sizes", Response: web.ListOf(list)},
		{Method: "POST", Path: "/api/v1/lists", Perm: w, Handler: h.apiCreateList, Summary: "Create a list",
			Request: web.Object(map[string]any{"name": str, "description": str}, "name"), Response: list},
		{Method: "GET", Path: "/api/v1/lists/{id}", Perm: v, Handler: h.apiList, Summary: "A list", Response: list},
		{Method: "PATCH", Path: "/api/v1/lists/{id}", Perm: w, Handler: h.apiPatchList, Summary: "Rename a list or change its description",
			Request: web.Object(map[string]any{"name": str, "description": str}), Response: list},
		{Method: "DELETE", Path: "/api/v1/lists/{id}", Perm: w, Handler: h.apiDeleteList, Summary: "Delete a list; its contacts stay"},
		{Method: "GET", Path: "/api/v1/lists/{id}/members", Perm: v, Handler: h.apiListMembers, Summary: "The contacts on a list", Response: web.ListOf(contact)},
		{Method: "POST", Path: "/api/v1/lists/{id}/members", Perm: w, Handler: h.apiAddMembers, Summary: "Add contacts to a list; says how many were new",
			Request: members, Response: changed},
		{Method: "POST", Path: "/api/v1/lists/{id}/members/remove", Perm: w, Handler: h.apiRemoveMembers, Summary: "Take contacts off a list",
			Request: members, Response: changed},

		{Method: "GET", Path: "/api/v1/segments", Perm: v, Handler: h.apiSegments, Summary: "Saved segments with their live counts", Response: web.ListOf(segment)},
		{Method: "POST", Path: "/api/v1/segments", Perm: w, Handler: h.apiCreateSegment, Summary: "Create a segment",
			Request: web.Object(map[string]any{"name": str, "conditions": web.Array(condition)}, "name"), Response: segment},
		{Method: "POST", Path: "/api/v1/segments/count", Perm: v, Handler: h.apiCountConditions, Summary: "Count the contacts that conditions match, without saving",
			Request: web.Object(map[string]any{"conditions": web.Array(condition)}), Response: count},
		{Method: "GET", Path: "/api/v1/segments/{id}", Perm: v, Handler: h.apiSegment, Summary: "A segment with its live count", Response: segment},
		{Method: "GET", Path: "/api/v1/segments/{id}/count", Perm: v, Handler: h.apiSegmentCount, Summary: "How many contacts a segment matches now", Response: count},
		{Method: "PATCH", Path: "/api/v1/segments/{id}", Perm: w, Handler: h.apiPatchSegment, Summary: "Rename a segment or replace its conditions",
			Request: web.Object(map[string]any{"name": str, "conditions": web.Array(condition)}), Response: segment},
		{Method: "DELETE", Path: "/api/v1/segments/{id}", Perm: w, Handler: h.apiDeleteSegment, Summary: "Delete a segment"},

		{Method: "GET", Path: "/api/v1/suppressions", Perm: v, Handler: h.apiSuppressions, Response: web.ListOf(suppression),
			Summary: "The suppression list: addresses never mailed. ?q= finds an erased address by its exact value; ?reason= filters"},
		{Method: "POST", Path: "/api/v1/suppressions", Perm: m, Handler: h.apiAddSuppression, Summary: "Suppress an address by hand",
			Request: web.Object(map[string]any{"email": str, "detail": str}, "email"), Response: suppression},
		{Method: "DELETE", Path: "/api/v1/suppressions/{id}", Perm: m, Handler: h.apiRemoveSuppression,
			Summary: "Take an address off the list; an unsubscribed one answers 409: only the person can consent again"},
	}
}

func (h *Handlers) apiContacts(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	f := filterFrom(r.URL.Query())
	f.Sort, f.After, f.Limit = "id", after, limit+1
	list, err := h.s.Contacts(r.Context(), ws(r), f)
	if errors.Is(err, db.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(c Contact) int64 { return c.ID }))
}

func (h *Handlers) apiCreateContact(w http.ResponseWriter, r *http.Request) error {
	var in ContactInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	id, err := h.s.AddContact(r.Context(), web.ActorOf(r), ws(r), in)
	if err != nil {
		return err
	}
	c, err := h.s.Contact(r.Context(), ws(r), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

func (h *Handlers) apiContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

func (h *Handlers) apiPatchContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	// The body is read over the stored contact: what it leaves out stays.
	in := c.Input()
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.s.UpdateContact(r.Context(), web.ActorOf(r), ws(r), c.ID, in); err != nil {
		return err
	}
	if c, err = h.s.Contact(r.Context(), ws(r), c.ID); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

func (h *Handlers) apiEraseContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	if err := h.s.Erase(r.Context(), web.ActorOf(r), ws(r), c.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiExportContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	x, err := h.s.ExportContact(r.Context(), web.ActorOf(r), ws(r), c.ID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (h *Handlers) apiOutlets(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.s.Outlets(r.Context(), ws(r), OutletFilter{Query: q.Get("q"), Type: q.Get("type"), DewanPers: q.Get("dewan_pers"),
		Sort: "id", After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(o Outlet) int64 { return o.ID }))
}

func (h *Handlers) apiCreateOutlet(w http.ResponseWriter, r *http.Request) error {
	var in OutletInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	id, err := h.s.CreateOutlet(r.Context(), web.ActorOf(r), ws(r), in)
	if err != nil {
		return err
	}
	o, err := h.s.Outlet(r.Context(), ws(r), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, o)
}

func (h *Handlers) apiOutlet(w http.ResponseWriter, r *http.Request) error {
	o, err := h.outletOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, o)
}

func (h *Handlers) apiPatchOutlet(w http.ResponseWriter, r *http.Request) error {
	o, err := h.outletOf(r)
	if err != nil {
		return err
	}
	in := OutletInput{Name: o.Name, Type: o.Type, Reach: o.Reach, ReachSource: o.ReachSource, ReachDate: o.ReachDate, Province: o.Province,
		City: o.City, Country: o.Country, Language: o.Language, Website: o.Website, RSS: o.RSS, DewanPers: o.DewanPers, DewanPersChecked: o.DewanPersChecked}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.s.UpdateOutlet(r.Context(), web.ActorOf(r), ws(r), o.ID, in); err != nil {
		return err
	}
	if o, err = h.s.Outlet(r.Context(), ws(r), o.ID); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, o)
}

func (h *Handlers) apiDeleteOutlet(w http.ResponseWriter, r *http.Request) error {
	o, err := h.outletOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteOutlet(r.Context(), web.ActorOf(r), ws(r), o.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiLists(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	all, err := h.s.Lists(r.Context(), ws(r), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	// A workspace has tens of lists, not thousands: they are paged here, in id order.
	slices.SortFunc(all, func(a, b List) int { return cmp.Compare(a.ID, b.ID) })
	var page []List
	for _, l := range all {
		if l.ID > after && len(page) <= limit {
			page = append(page, l)
		}
	}
	return web.JSON(w, http.StatusOK, web.NextPage(page, limit, func(l List) int64 { return l.ID }))
}

type apiListBody struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

func (h *Handlers) apiCreateList(w http.ResponseWriter, r *http.Request) error {
	var b apiListBody
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	var name, desc string
	if b.Name != nil {
		name = *b.Name
	}
	if b.Description != nil {
		desc = *b.Description
	}
	id, err := h.s.NewList(r.Context(), web.ActorOf(r), ws(r), name, desc)
	if err != nil {
		return err
	}
	l, err := h.s.List(r.Context(), ws(r), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, l)
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, l)
}

func (h *Handlers) apiPatchList(w http.ResponseWriter, r *http.Request) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	b := apiListBody{Name: &l.Name, Description: &l.Description}
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	if err := h.s.UpdateList(r.Context(), web.ActorOf(r), ws(r), l.ID, *b.Name, *b.Description); err != nil {
		return err
	}
	if l, err = h.s.List(r.Context(), ws(r), l.ID); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, l)
}

func (h *Handlers) apiDeleteList(w http.ResponseWriter, r *http.Request) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteList(r.Context(), web.ActorOf(r), ws(r), l.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiListMembers(w http.ResponseWriter, r *http.Request) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	list, err := h.s.Contacts(r.Context(), ws(r), Filter{List: l.ID, Sort: "id", After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(c Contact) int64 { return c.ID }))
}

func (h *Handlers) apiMembers(w http.ResponseWriter, r *http.Request, add bool) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	var b struct {
		ContactIDs []int64 `json:"contact_ids"`
	}
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	do := h.s.RemoveFromList
	if add {
		do = h.s.AddToList
	}
	n, err := do(r.Context(), web.ActorOf(r), ws(r), l.ID, b.ContactIDs)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]int{"changed": n})
}

func (h *Handlers) apiAddMembers(w http.ResponseWriter, r *http.Request) error {
	return h.apiMembers(w, r, true)
}

func (h *Handlers) apiRemoveMembers(w http.ResponseWriter, r *http.Request) error {
	return h.apiMembers(w, r, false)
}

func (h *Handlers) apiSegments(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	all, err := h.s.Segments(r.Context(), ws(r))
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b Segment) int { return cmp.Compare(a.ID, b.ID) })
	var page []Segment
	for _, sg := range all {
		if sg.ID > after && len(page) <= limit {
			page = append(page, sg)
		}
	}
	return web.JSON(w, http.StatusOK, web.NextPage(page, limit, func(s Segment) int64 { return s.ID }))
}

type apiSegmentBody struct {
	Name       *string      `json:"name"`
	Conditions *[]Condition `json:"conditions"`
}

// segmentError turns a bad condition into a field error of the body.
func segmentError(err error) error {
	if errors.Is(err, ErrBadCondition) {
		f := web.NewForm(nil)
		f.Fail("conditions", ErrBadCondition.Key)
		return web.Invalid(f)
	}
	return err
}

func (h *Handlers) apiCreateSegment(w http.ResponseWriter, r *http.Request) error {
	var b apiSegmentBody
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	var name string
	var conds []Condition
	if b.Name != nil {
		name = *b.Name
	}
	if b.Conditions != nil {
		conds = *b.Conditions
	}
	id, err := h.s.SaveSegment(r.Context(), web.ActorOf(r), ws(r), 0, name, conds)
	if err != nil {
		return segmentError(err)
	}
	sg, err := h.s.Segment(r.Context(), ws(r), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, sg)
}

func (h *Handlers) apiSegment(w http.ResponseWriter, r *http.Request) error {
	sg, err := h.segmentOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sg)
}

func (h *Handlers) apiSegmentCount(w http.ResponseWriter, r *http.Request) error {
	sg, err := h.segmentOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]int{"count": sg.Count})
}

func (h *Handlers) apiCountConditions(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Conditions []Condition `json:"conditions"`
	}
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	n, err := h.s.CountContacts(r.Context(), ws(r), Filter{Conditions: b.Conditions})
	if err != nil {
		return segmentError(err)
	}
	return web.JSON(w, http.StatusOK, map[string]int{"count": n})
}

func (h *Handlers) apiPatchSegment(w http.ResponseWriter, r *http.Request) error {
	sg, err := h.segmentOf(r)
	if err != nil {
		return err
	}
	b := apiSegmentBody{Name: &sg.Name, Conditions: &sg.Conditions}
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	if _, err := h.s.SaveSegment(r.Context(), web.ActorOf(r), ws(r), sg.ID, *b.Name, *b.Conditions); err != nil {
		return segmentError(err)
	}
	if sg, err = h.s.Segment(r.Context(), ws(r), sg.ID); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sg)
}

func (h *Handlers) apiDeleteSegment(w http.ResponseWriter, r *http.Request) error {
	sg, err := h.segmentOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteSegment(r.Context(), web.ActorOf(r), ws(r), sg.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiSuppressions(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.s.Suppressions(r.Context(), ws(r), SuppressionFilter{Query: q.Get("q"), Reason: q.Get("reason"), ByID: true, After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(s Suppression) int64 { return s.ID }))
}

func (h *Handlers) apiAddSuppression(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Email  string `json:"email"`
		Detail string `json:"detail"`
	}
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	if err := h.s.AddSuppression(r.Context(), web.ActorOf(r), ws(r), b.Email, b.Detail); err != nil {
		return err
	}
	list, err := h.s.Suppressions(r.Context(), ws(r), SuppressionFilter{Query: b.Email, Limit: 1})
	if err != nil || len(list) == 0 {
		return err
	}
	return web.JSON(w, http.StatusCreated, list[0])
}

func (h *Handlers) apiRemoveSuppression(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	if err := h.s.RemoveSuppression(r.Context(), web.ActorOf(r), ws(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
