package approval

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/web"
)

// Handlers serve the approval pages and API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	return &Handlers{s: s, srv: srv, pages: pages}, err
}

// Routes are the approval pages. The review page is public: its token is the permission.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/settings/approvals", Perm: access.WorkflowManage, Handler: h.settings},
		{Method: "POST", Path: "/w/{ws}/settings/approvals", Perm: access.WorkflowManage, Handler: h.saveSettings},
		{Method: "GET", Path: "/w/{ws}/approvals", Perm: access.ContentApprove, Handler: h.queue},
		{Method: "GET", Path: "/w/{ws}/approvals/{id}", Perm: access.ContentApprove, Handler: h.item},
		{Method: "POST", Path: "/w/{ws}/approvals/{id}/decision", Perm: access.ContentApprove, Handler: h.decide},
		{Method: "GET", Path: "/w/{ws}/content/{id}/review-links", Perm: access.ContentWrite, Handler: h.links},
		{Method: "POST", Path: "/w/{ws}/content/{id}/review-links", Perm: access.ContentWrite, Handler: h.createLink},
		{Method: "POST", Path: "/w/{ws}/content/{id}/review-links/{link}/revoke", Perm: access.ContentWrite, Handler: h.revokeLink},
		{Method: "GET", Path: "/review/{token}", Perm: access.Public, Handler: h.review},
		{Method: "POST", Path: "/review/{token}/comments", Perm: access.Public, Handler: h.reviewComment},
		{Method: "POST", Path: "/review/{token}/decision", Perm: access.Public, Handler: h.reviewDecide},
	}
}

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

// fieldErrors copies a validation error's fields into the form (renaming them where the page's
// fields are named otherwise) and reports whether err was one.
func fieldErrors(err error, f *web.Form, rename map[string]string) bool {
	var we *web.Error
	if !errors.As(err, &we) || we.Fields == nil || we.Raw {
		return false
	}
	for k, v := range we.Fields {
		if to, ok := rename[k]; ok {
			k = to
		}
		f.Fail(k, v)
	}
	return true
}

type settingsData struct {
	Modes     []Mode
	Roles     []access.Role
	Approvers []Member
	Rows      []int
}

func (h *Handlers) settingsData(r *http.Request) (settingsData, error) {
	d := settingsData{Modes: Modes}
	for _, role := range access.Roles {
		if canApprove(role) {
			d.Roles = append(d.Roles, role)
		}
	}
	members, err := h.s.members.Members(r.Context(), web.PrincipalOf(r).WorkspaceID)
	for _, m := range members {
		if canApprove(m.Role) {
			d.Approvers = append(d.Approvers, m)
		}
	}
	for i := 1; i <= maxSteps; i++ {
		d.Rows = append(d.Rows, i)
	}
	return d, err
}

// The settings form writes who approves a step in one choice: everyone who may approve, a role,
// or the people ticked below it.
const (
	whoEveryone = "everyone"
	whoPeople   = "people"
	whoRole     = "role:"
)

// settingsForm fills the form from the settings, one row per step; without steps the first row
// shows the default step that applies.
func settingsForm(set Settings) *web.Form {
	f := web.NewForm(url.Values{"mode": {string(set.Mode)}})
	steps := set.Steps
	if len(steps) == 0 {
		steps = []Step{{Rule: Any}}
	}
	for i, st := range steps {
		row := func(name string) string { return fmt.Sprintf("step%d_%s", i+1, name) }
		f.Values.Set(row("name"), st.Name)
		f.Values.Set(row("rule"), string(st.Rule))
		switch {
		case len(st.Users) > 0:
			f.Values.Set(row("who"), whoPeople)
			for _, u := range st.Users {
				f.Values.Add(row("users"), strconv.FormatInt(u, 10))
			}
		case st.Role != "":
			f.Values.Set(row("who"), whoRole+string(st.Role))
		default:
			f.Values.Set(row("who"), whoEveryone)
		}
	}
	return f
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) error {
	set, err := h.s.Settings(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	d, err := h.settingsData(r)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "settings.html", "settings.approvals", d, settingsForm(set))
}

func (h *Handlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	posted := web.ParseForm(r)
	set := Settings{Mode: Mode(posted.Get("mode"))}
	peopleMissing := map[int]bool{}
	for i := 1; i <= maxSteps; i++ {
		row := func(name string) string { return fmt.Sprintf("step%d_%s", i, name) }
		who := posted.Get(row("who"))
		if who == "" {
			continue // a row not in use
		}
		st := Step{Name: posted.Get(row("name")), Rule: Rule(posted.Get(row("rule")))}
		switch {
		case who == whoPeople:
			for _, x := range posted.Values[row("users")] {
				if id, err := strconv.ParseInt(x, 10, 64); err == nil {
					st.Users = append(st.Users, id)
				}
			}
			if len(st.Users) == 0 {
				peopleMissing[len(set.Steps)+1] = true
			}
		case strings.HasPrefix(who, whoRole):
			st.Role = access.Role(strings.TrimPrefix(who, whoRole))
		}
		set.Steps = append(set.Steps, st)
	}
	// Rows in use move up, so the Nth step is the Nth row when the form comes back.
	f := settingsForm(set)
	f.Values.Set("mode", posted.Get("mode"))
	for n := range peopleMissing {
		f.Values.Set(fmt.Sprintf("step%d_who", n), whoPeople)
		f.Fail(fmt.Sprintf("step%d_users", n), "approval.error.no_people")
	}
	var err error
	if f.Valid() {
		err = h.s.SaveSettings(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, set)
	} else {
		// Say everything that is wrong at once, not only the missing people.
		members, merr := h.s.members.Members(r.Context(), web.PrincipalOf(r).WorkspaceID)
		if merr != nil {
			return merr
		}
		checkSettings(f, &set, members)
	}
	if !f.Valid() || fieldErrors(err, f, nil) {
		d, derr := h.settingsData(r)
		if derr != nil {
			return derr
		}
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "settings.html", "settings.approvals", d, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/settings/approvals"))
}

type queueData struct {
	Mine, Others []Waiting
}

func (h *Handlers) queue(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	mine, others, err := h.s.Queue(r.Context(), p.WorkspaceID, p.UserID)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "queue.html", "approval.queue.title", queueData{Mine: mine, Others: others}, nil)
}

// itemData is the approval page of an item, for a member or an outside reviewer.
type itemData struct {
	*Review
	Body      template.HTML
	CanDecide bool
	Decided   bool
	// Link is the outside reviewer's link; Token its secret, for the page's forms.
	Link  *Link
	Token string
}

func (h *Handlers) itemData(r *http.Request, wsID, itemID int64, rv Reviewer) (*itemData, error) {
	review, err := h.s.Review(r.Context(), wsID, itemID)
	if err != nil {
		return nil, err
	}
	d := &itemData{Review: review, Body: content.Render(review.Item.Body), Decided: review.Decided(rv)}
	if review.Request != nil && !d.Decided {
		d.CanDecide = rv.UserID == 0 || review.Request.WaitsFor(rv.UserID)
	}
	return d, nil
}

func (h *Handlers) item(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	d, err := h.itemData(r, p.WorkspaceID, id, Reviewer{UserID: p.UserID})
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "item.html", "approval.item.title", d, nil)
}

// decision reads the decision form: approve or reject, a note and the version shown.
func decision(f *web.Form) (approve bool, version int, ok bool) {
	version, _ = strconv.Atoi(f.Get("version"))
	switch f.Get("decision") {
	case "approve":
		return true, version, true
	case "reject":
		return false, version, true
	}
	f.Fail("decision", "form.choose")
	return false, version, false
}

// outcomeFlash is what a person reads after deciding.
func outcomeFlash(o Outcome) string { return "approval.outcome." + string(o) }

func (h *Handlers) decide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	approve, version, ok := decision(f)
	if ok {
		var out Outcome
		out, err = h.s.Decide(r.Context(), web.ActorOf(r), Reviewer{UserID: p.UserID, Name: p.Name, Email: p.Email}, p.WorkspaceID, id, version, approve, f.Raw("note"))
		if err == nil {
			h.srv.AddFlash(r, "ok", outcomeFlash(out))
			return web.Redirect(w, r, web.WorkspacePath(r, "/approvals"))
		}
	}
	if !ok || fieldErrors(err, f, nil) {
		d, derr := h.itemData(r, p.WorkspaceID, id, Reviewer{UserID: p.UserID})
		if derr != nil {
			return derr
		}
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "item.html", "approval.item.title", d, f)
	}
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 {
		h.srv.AddFlash(r, "error", we.Key)
		return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/approvals/%d", id)))
	}
	return err
}

type linksData struct {
	Item  *content.Item
	Links []Link
}

func (h *Handlers) renderLinks(w http.ResponseWriter, r *http.Request, status int, id int64, f *web.Form) error {
	p := web.PrincipalOf(r)
	it, err := h.s.items.Get(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	links, err := h.s.Links(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, status, "links.html", "approval.links.title", linksData{Item: it, Links: links}, f)
}

func (h *Handlers) links(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"days": {strconv.Itoa(linkDays)}, "lang": {web.PrincipalOf(r).WorkspaceLang}})
	return h.renderLinks(w, r, http.StatusOK, id, f)
}

func (h *Handlers) createLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	days, err := strconv.Atoi(f.Get("days"))
	if err != nil {
		days = 0
	}
	_, err = h.s.CreateLink(r.Context(), web.ActorOf(r), p.WorkspaceID, id, LinkInput{Name: f.Get("name"), Email: f.Get("email"),
		Lang: f.Get("lang"), Days: days, From: p.Name, Workspace: p.WorkspaceName, Zone: p.Zone})
	if fieldErrors(err, f, nil) {
		return h.renderLinks(w, r, http.StatusUnprocessableEntity, id, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "approval.links.sent")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d/review-links", id)))
}

func (h *Handlers) revokeLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	linkID, err := pathInt(r, "link")
	if err != nil {
		return err
	}
	if err := h.s.RevokeLink(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id, linkID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "approval.links.revoked")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d/review-links", id)))
}

// reviewPage renders the public review page of a link.
func (h *Handlers) reviewPage(w http.ResponseWriter, r *http.Request, status int, l *Link, f *web.Form) error {
	d, err := h.itemData(r, l.WorkspaceID, l.ItemID, Reviewer{Email: l.Email, LinkID: l.ID})
	if err != nil {
		return err
	}
	d.Link, d.Token = l, r.PathValue("token")
	// An outside reviewer reads only the comments made through this link: the team's own remarks
	// stay inside the workspace.
	var own []content.Comment
	for _, c := range d.Review.Comments {
		if c.AuthorID == 0 && strings.EqualFold(c.AuthorEmail, l.Email) {
			c.Replies = nil
			own = append(own, c)
		}
	}
	d.Review.Comments = own
	for field, v := range map[string]string{"name": l.Name, "email": l.Email, "comment_name": l.Name, "comment_email": l.Email} {
		if _, typed := f.Values[field]; !typed {
			f.Values.Set(field, v)
		}
	}
	return h.pages.Render(w, r, status, "review.html", "approval.review.title", d, f)
}

func (h *Handlers) review(w http.ResponseWriter, r *http.Request) error {
	l, err := h.s.CheckLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	if err := h.s.Opened(r.Context(), l, web.ClientIP(r)); err != nil {
		return err
	}
	return h.reviewPage(w, r, http.StatusOK, l, web.NewForm(nil))
}

func (h *Handlers) reviewComment(w http.ResponseWriter, r *http.Request) error {
	l, err := h.s.CheckLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	err = h.s.CommentByLink(r.Context(), l, l.Name, l.Email, f.Raw("body"), web.ClientIP(r))
	if fieldErrors(err, f, map[string]string{"name": "comment_name", "email": "comment_email"}) {
		return h.reviewPage(w, r, http.StatusUnprocessableEntity, l, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "approval.review.commented")
	return web.Redirect(w, r, "/review/"+r.PathValue("token")+"#comments")
}

func (h *Handlers) reviewDecide(w http.ResponseWriter, r *http.Request) error {
	l, err := h.s.CheckLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	approve, version, ok := decision(f)
	if ok {
		// The reviewer acts under the name and address the link was sent to, not what is typed.
		rv := Reviewer{Name: l.Name, Email: l.Email, LinkID: l.ID}
		var out Outcome
		out, err = h.s.Decide(r.Context(), ReviewerActor(l.Name, l.Email, web.ClientIP(r)), rv, l.WorkspaceID, l.ItemID, version, approve, f.Raw("note"))
		if err == nil {
			key := "approval.review.thanks_approved"
			if out == OutcomeRejected {
				key = "approval.review.thanks_rejected"
			}
			h.srv.AddFlash(r, "ok", key)
			return web.Redirect(w, r, "/review/"+r.PathValue("token"))
		}
	}
	if !ok || fieldErrors(err, f, nil) {
		return h.reviewPage(w, r, http.StatusUnprocessableEntity, l, f)
	}
	var we *web.Error
	if errors.As(err, &we) && we.Status == http.StatusConflict {
		h.srv.AddFlash(r, "error", we.Key)
		return web.Redirect(w, r, "/review/"+r.PathValue("token"))
	}
	return err
}
