package calendar

import (
	"net/http"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/calendar.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "integer"}
	strs := map[string]any{"type": "array", "items": str}
	entry := map[string]any{"type": "object", "properties": map[string]any{
		"key": str, "kind": str, "id": num, "part": str, "title": str, "summary": str,
		"at": map[string]any{"type": "string", "format": "date-time"}, "all_day": map[string]any{"type": "boolean"},
		"date": map[string]any{"type": "string", "format": "date"}, "status": str, "colour": str, "link": str,
		"movable": map[string]any{"type": "boolean"}, "campaign_id": num, "channels": strs, "labels": strs, "owner_id": num, "owner": str}}
	return []web.Route{
		{Method: "GET", Path: "/api/v1/calendar", Perm: access.ContentView, Handler: h.apiList,
			Summary: "Everything dated from ?from= to ?to= (RFC 3339, or YYYY-MM-DD in the workspace's zone with to inclusive; at most 400 days, " +
				"31 days from today by default), filtered by ?channel=&campaign=&label=&status=&owner=",
			Response: map[string]any{"type": "object", "properties": map[string]any{"from": str, "to": str, "time_zone": str,
				"items": map[string]any{"type": "array", "items": entry}}}},
	}
}

// apiEntry is an entry as the API gives it: times in UTC, the link inside the workspace.
type apiEntry struct {
	Entry
	Key     string `json:"key"`
	Summary string `json:"summary"`
	Date    string `json:"date"`
}

// parseBound reads a bound of the API's span; a date means its midnight in zone, and as the end
// the midnight after it, so to=2026-12-31 includes that day.
func parseBound(s string, zone *time.Location, end bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	t, err := time.ParseInLocation(dateLayout, s, zone)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, true
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	l := web.LocaleOf(r)
	zone := zoneOf(p)
	q := r.URL.Query()
	f := web.NewForm(nil)
	from := midnight(h.now(), zone)
	if s := q.Get("from"); s != "" {
		var ok bool
		if from, ok = parseBound(s, zone, false); !ok {
			f.Fail("from", "calendar.error.bound")
		}
	}
	to := from.AddDate(0, 0, 31)
	if s := q.Get("to"); s != "" {
		var ok bool
		if to, ok = parseBound(s, zone, true); !ok {
			f.Fail("to", "calendar.error.bound")
		}
	}
	switch {
	case !f.Valid():
	case !to.After(from):
		f.Fail("to", "calendar.error.to_before")
	case to.Sub(from) > MaxSpan:
		f.Fail("to", "calendar.error.span")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	span := Span{From: from, To: to, Zone: zone}
	entries, err := h.s.Entries(r.Context(), p.WorkspaceID, span, FilterOf(q))
	if err != nil {
		return err
	}
	items := make([]apiEntry, 0, len(entries))
	for _, e := range entries {
		a := apiEntry{Entry: e, Key: e.Key(), Summary: e.Summary(l), Date: e.Day(zone)}
		a.At = e.At.UTC()
		a.Link = web.WorkspacePath(r, e.Link)
		items = append(items, a)
	}
	return web.JSON(w, http.StatusOK, map[string]any{"from": from.UTC().Format(time.RFC3339), "to": to.UTC().Format(time.RFC3339),
		"time_zone": zone.String(), "items": items})
}
