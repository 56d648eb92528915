package monitor

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// clippingRoutes are the clipping list (everyone) and the form that adds one (writers).
func (h *Handlers) clippingRoutes() []web.Route {
	v, t := access.MonitorView, access.MonitorTriage
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/monitoring/clippings", Perm: v, Handler: h.clippings},
		{Method: "GET", Path: "/w/{ws}/monitoring/clippings/new", Perm: t, Handler: h.newClipping},
		{Method: "POST", Path: "/w/{ws}/monitoring/clippings", Perm: t, Handler: h.createClipping},
	}
}

const clippingsPage = 30

type clippingsData struct {
	Rows     []clippingRow
	Media    []string
	Filter   ClippingFilter
	Total    int
	Prev     int
	Next     int
	Filtered bool
}

type clippingRow struct {
	Clipping
	// Timed is whether the clipping has a time of day, not only a date.
	Timed bool
}

// PageURL is the list's URL for another page, keeping the filters.
func (d clippingsData) PageURL(page int) string {
	q := url.Values{}
	if d.Filter.Medium != "" {
		q.Set("medium", d.Filter.Medium)
	}
	if d.Filter.Query != "" {
		q.Set("q", d.Filter.Query)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "?" + q.Encode()
}

func (h *Handlers) clippings(w http.ResponseWriter, r *http.Request) error {
	ctx, wsID, q := r.Context(), web.PrincipalOf(r).WorkspaceID, r.URL.Query()
	f := ClippingFilter{Medium: q.Get("medium"), Query: strings.TrimSpace(q.Get("q"))}
	if !slices.Contains(ClippingMedia, f.Medium) {
		f.Medium = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	d := clippingsData{Media: ClippingMedia, Filter: f, Filtered: f.Medium != "" || f.Query != ""}
	f.Limit, f.Offset = clippingsPage+1, (page-1)*clippingsPage
	list, err := h.s.Clippings(ctx, wsID, f)
	if err != nil {
		return err
	}
	if d.Total, err = h.s.CountClippings(ctx, wsID, f); err != nil {
		return err
	}
	if len(list) > clippingsPage {
		list, d.Next = list[:clippingsPage], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	zone := workspaceZone(r)
	for _, c := range list {
		at := c.Item.PublishedAt.In(zone)
		d.Rows = append(d.Rows, clippingRow{Clipping: c, Timed: at.Hour() != 0 || at.Minute() != 0})
	}
	return h.pages.Render(w, r, http.StatusOK, "clippings.html", "monitor.clippings.title", d, nil)
}

type clippingFormData struct {
	Media []string
	// Refile says the form came back with a file chosen, which the browser does not keep.
	Refile bool
	// MaxFileMB is the file size limit, for the hint.
	MaxFileMB int
}

func (h *Handlers) renderClippingForm(w http.ResponseWriter, r *http.Request, status int, f *web.Form, refile bool) error {
	d := clippingFormData{Media: ClippingMedia, Refile: refile, MaxFileMB: MaxClippingFile >> 20}
	return h.pages.Render(w, r, status, "clipping_new.html", "monitor.clipping.new", d, f)
}

func (h *Handlers) newClipping(w http.ResponseWriter, r *http.Request) error {
	today := time.Now().In(workspaceZone(r)).Format(time.DateOnly)
	return h.renderClippingForm(w, r, http.StatusOK, web.NewForm(url.Values{"medium": {MediumPrint}, "date": {today}}), false)
}

// parseReach reads a reach as people write it (1.200.000, 1,200,000 or 1 200 000); -1 for what is
// not a whole number, which the service refuses with its message.
func parseReach(s string) int64 {
	s = strings.NewReplacer(".", "", ",", "", " ", "", "\u00a0", "").Replace(strings.TrimSpace(s))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// clippingUpload is a clipping form as posted: its fields, and its file kept in a temporary file
// while the clipping is saved (the form's parts may come in any order).
type clippingUpload struct {
	form     *web.Form
	file     *os.File
	name     string
	tooLarge bool
}

func (u *clippingUpload) close() {
	if u.file != nil {
		u.file.Close()
		os.Remove(u.file.Name())
	}
}

// maxClippingFields is the most the form's text fields may hold together.
const maxClippingFields = 1 << 20

// readClippingForm reads the multipart form part by part: the fields into the form, the file into
// a temporary file of at most MaxClippingFile. A file too large is noted, and the fields read so
// far are kept (the form puts the file last, so a browser has sent them all).
func readClippingForm(w http.ResponseWriter, r *http.Request) (*clippingUpload, error) {
	u := &clippingUpload{form: web.NewForm(nil)}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		u.form = web.ParseForm(r)
		return u, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxClippingFile+maxClippingFields)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, web.ErrBadRequest
	}
	fields := int64(0)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return u, nil
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			u.tooLarge = true
			return u, nil
		}
		if err != nil {
			return nil, web.ErrBadRequest
		}
		if part.FormName() == "file" {
			err = u.keepFile(part)
			part.Close()
			if errors.As(err, &mbe) || errors.Is(err, ErrClippingFileTooLarge) {
				u.tooLarge = true
				return u, nil
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxClippingFields-fields+1))
		part.Close()
		if err != nil {
			return nil, web.ErrBadRequest
		}
		if fields += int64(len(v)); fields > maxClippingFields {
			return nil, web.ErrBadRequest
		}
		u.form.Values.Add(part.FormName(), string(v))
	}
}

// keepFile copies the file part into a temporary file; no file chosen (or an empty one) is no file.
func (u *clippingUpload) keepFile(part *multipart.Part) error {
	name := part.FileName()
	if name == "" || u.file != nil {
		_, err := io.Copy(io.Discard, part)
		return err
	}
	tmp, err := os.CreateTemp("", "warta-clipping-*")
	if err != nil {
		return err
	}
	u.file, u.name = tmp, name
	n, err := io.Copy(tmp, io.LimitReader(part, MaxClippingFile+1))
	if err != nil {
		return err
	}
	if n > MaxClippingFile {
		return ErrClippingFileTooLarge
	}
	if n == 0 {
		u.close()
		u.file, u.name = nil, ""
		return nil
	}
	_, err = tmp.Seek(0, io.SeekStart)
	return err
}

func clippingInput(f *web.Form, zone *time.Location) ClippingInput {
	return ClippingInput{Medium: f.Get("medium"), Outlet: f.Get("outlet"), Title: f.Get("title"), Author: f.Get("author"), Text: f.Raw("text"),
		Placement: f.Get("placement"), Region: f.Get("region"), Reach: parseReach(f.Get("reach")), Date: f.Get("date"), Time: f.Get("time"),
		Zone: zone, URL: f.Get("url")}
}

func (h *Handlers) createClipping(w http.ResponseWriter, r *http.Request) error {
	u, err := readClippingForm(w, r)
	if err != nil {
		return err
	}
	defer u.close()
	f := u.form
	// The time field shows only HH:MM; a time typed as 19.30 comes back in that form.
	if hour, minute, ok := parseClock(f.Get("time")); ok {
		f.Values.Set("time", time.Date(2000, 1, 1, hour, minute, 0, 0, time.UTC).Format("15:04"))
	}
	if u.tooLarge {
		f.Fail("file", "monitor.clipping.error.file_too_large")
		return h.renderClippingForm(w, r, http.StatusRequestEntityTooLarge, f, true)
	}
	in := clippingInput(f, workspaceZone(r))
	if u.file != nil {
		in.File, in.FileName = u.file, u.name
	}
	c, err := h.s.CreateClipping(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, in)
	if fieldErrors(err, f) {
		return h.renderClippingForm(w, r, http.StatusUnprocessableEntity, f, u.file != nil)
	}
	if err != nil {
		return err
	}
	if c.MentionID == 0 {
		h.srv.AddFlash(r, "ok", "monitor.clipping.saved_unmatched")
		return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/clippings"))
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("monitor.clipping.saved", "Count", len(c.MentionIDs)))
	return web.Redirect(w, r, web.WorkspacePath(r, "/monitoring/mentions/"+itoa(c.MentionID)))
}

// ---- API ----

type (
	apiClipping struct {
		ID         int64     `json:"id"`
		Medium     string    `json:"medium"`
		Outlet     string    `json:"outlet"`
		Title      string    `json:"title"`
		Author     string    `json:"author"`
		Text       string    `json:"text"`
		Placement  string    `json:"placement"`
		Region     string    `json:"region"`
		Reach      int64     `json:"reach"`
		URL        string    `json:"url,omitempty"`
		AssetID    int64     `json:"file_asset_id,omitempty"`
		Published  time.Time `json:"published_at"`
		Sentiment  string    `json:"sentiment"`
		MentionIDs []int64   `json:"mention_ids"`
	}
	apiClippingInput struct {
		Medium    string `json:"medium"`
		Outlet    string `json:"outlet"`
		Title     string `json:"title"`
		Author    string `json:"author"`
		Text      string `json:"text"`
		Placement string `json:"placement"`
		Region    string `json:"region"`
		Reach     int64  `json:"reach"`
		Date      string `json:"date"`
		Time      string `json:"time"`
		URL       string `json:"url"`
	}
)

func clippingJSON(c *Clipping) apiClipping {
	ids := c.MentionIDs
	if ids == nil {
		ids = []int64{}
	}
	it := &c.Item
	return apiClipping{ID: it.ID, Medium: it.Medium, Outlet: it.OutletName, Title: it.Title, Author: it.Author, Text: it.Body,
		Placement: it.Placement, Region: it.Region, Reach: it.Reach, URL: it.URL, AssetID: it.AssetID, Published: it.PublishedAt,
		Sentiment: it.Sentiment, MentionIDs: ids}
}

// clippingAPIRoutes are /api/v1/clippings: list and add. Files are attached through the page.
func (h *Handlers) clippingAPIRoutes() []web.Route {
	str, id := map[string]any{"type": "string"}, map[string]any{"type": "integer"}
	medium := map[string]any{"type": "string", "enum": ClippingMedia}
	clipping := web.Object(map[string]any{"id": id, "medium": medium, "outlet": str, "title": str, "author": str, "text": str,
		"placement": str, "region": str, "reach": id, "url": str, "file_asset_id": id, "published_at": str,
		"sentiment": map[string]any{"type": "string", "enum": Sentiments}, "mention_ids": web.Array(id)})
	clippingIn := web.Object(map[string]any{"medium": medium, "outlet": str, "title": str, "author": str, "text": str,
		"placement": map[string]any{"type": "string", "description": "page, or air time"}, "region": str, "reach": id,
		"date": map[string]any{"type": "string", "format": "date", "description": "in the workspace's time zone"},
		"time": map[string]any{"type": "string", "description": "HH:MM in the workspace's time zone, optional"}, "url": str},
		"medium", "outlet", "title", "date", "url")
	return []web.Route{
		{Method: "GET", Path: "/api/v1/clippings", Perm: access.MonitorView, Handler: h.apiClippings, Response: web.ListOf(clipping),
			Summary: "Clippings (print, TV, radio, closed portals entered by hand), oldest first; ?medium=, ?q="},
		{Method: "POST", Path: "/api/v1/clippings", Perm: access.MonitorTriage, Handler: h.apiCreateClipping, Request: clippingIn, Response: clipping,
			Summary: "Add a clipping with its link; it is matched against the topics and shows in the mentions and the analysis"},
	}
}

func (h *Handlers) apiClippings(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.s.Clippings(r.Context(), web.PrincipalOf(r).WorkspaceID, ClippingFilter{Medium: q.Get("medium"), Query: q.Get("q"),
		After: after, ByID: true, Limit: limit + 1})
	if err != nil {
		return err
	}
	out := make([]apiClipping, len(list))
	for i := range list {
		out[i] = clippingJSON(&list[i])
	}
	return web.JSON(w, http.StatusOK, web.NextPage(out, limit, func(c apiClipping) int64 { return c.ID }))
}

func (h *Handlers) apiCreateClipping(w http.ResponseWriter, r *http.Request) error {
	var in apiClippingInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := h.s.CreateClipping(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, ClippingInput{Medium: in.Medium,
		Outlet: in.Outlet, Title: in.Title, Author: in.Author, Text: in.Text, Placement: in.Placement, Region: in.Region, Reach: in.Reach,
		Date: in.Date, Time: in.Time, Zone: workspaceZone(r), URL: in.URL})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, clippingJSON(c))
}
