package distribute

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/web"
)

// APIRoutes are /api/v1/distributions and /api/v1/press/sending.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
	boolean := map[string]any{"type": "boolean"}
	ids := web.Array(integer)
	instant := map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	stateNames := make([]string, len(States))
	for i, s := range States {
		stateNames[i] = string(s)
	}
	recipientStates := make([]string, len(RecipientStates))
	for i, s := range RecipientStates {
		recipientStates[i] = string(s)
	}
	kind := map[string]any{"type": "string", "enum": []string{KindRelease, KindPitch}}
	counts := web.Object(map[string]any{"total": integer, "queued": integer, "sending": integer, "sent": integer, "skipped": integer,
		"bounced": integer, "failed": integer, "uncertain": integer, "cancelled": integer, "opened": integer, "clicked": integer,
		"replied": integer, "unsubscribed": integer,
		"skipped_by_reason": map[string]any{"type": "object", "additionalProperties": integer,
			"description": "suppressed, unsubscribed, bounced, do_not_contact, no_email, invalid_email"}})
	state := map[string]any{"type": "string", "enum": stateNames}
	problem := map[string]any{"type": []string{"object", "null"}, "description": "what keeps it from sending, when something does",
		"properties": map[string]any{"code": str, "message": str}}
	distribution := web.Object(map[string]any{"id": integer, "kind": kind, "release_id": integer, "pitch_id": integer, "title": str,
		"lists": ids, "segments": ids, "state": state,
		"audience": map[string]any{"type": "string", "enum": []string{AudienceContacts, AudienceSubscribers},
			"description": "contacts: the lists and segments; subscribers: the newsroom's subscribers of the topics (all when none)"},
		"topics": ids, "scheduled_at": instant, "zone": str, "started_at": instant, "finished_at": instant,
		"from_address": str, "track_opens": boolean, "track_clicks": boolean,
		"through_hold": map[string]any{"type": "boolean", "description": "it goes out although the workspace's distributions are held"},
		"held_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time",
			"description": "when a hold stopped it or kept it from starting; cleared when a person decides"},
		"created_by": integer, "created_at": str, "updated_at": str,
		"counts": counts, "problem": problem})
	recipient := web.Object(map[string]any{"id": integer, "contact_id": integer, "email": str, "name": str, "salutation": str, "outlet": str,
		"language": str, "state": map[string]any{"type": "string", "enum": recipientStates}, "reason": str, "attempts": integer,
		"sent_at": instant, "opened_at": instant, "clicked_at": instant, "replied_at": instant, "unsubscribed_at": instant})
	reply := web.Object(map[string]any{"id": integer, "recipient_id": integer, "name": str, "from": str, "subject": str, "text": str, "received_at": str})
	at := map[string]any{"type": []string{"string", "null"}, "format": "date-time", "description": "when to send; absent or null sends now"}
	settingsProps := map[string]any{"from_name": str, "from_email": str, "reply_to": str,
		"smtp_host": map[string]any{"type": "string", "description": "empty: the installation's server"}, "smtp_port": integer,
		"smtp_tls": map[string]any{"type": "string", "enum": []string{TLSStartTLS, TLSImplicit, TLSNone}}, "smtp_user": str,
		"rate_per_second": map[string]any{"type": "integer", "minimum": 0, "maximum": 10000, "description": "0: no limit"},
		"connections":     map[string]any{"type": "integer", "minimum": 0, "maximum": 100, "description": "0: 10"},
		"track_opens":     boolean, "track_clicks": boolean, "imap_host": str, "imap_port": integer,
		"imap_tls": map[string]any{"type": "string", "enum": []string{TLSStartTLS, TLSImplicit, TLSNone}}, "imap_user": str, "imap_mailbox": str,
		"smtp_password_set": boolean, "imap_password_set": boolean, "imap_checked_at": instant, "imap_error": str}
	settings := web.Object(settingsProps)
	settingsIn := map[string]any{"smtp_password": map[string]any{"type": "string", "writeOnly": true, "description": "empty or absent keeps the stored one"},
		"imap_password":       map[string]any{"type": "string", "writeOnly": true, "description": "empty or absent keeps the stored one"},
		"clear_smtp_password": map[string]any{"type": "boolean", "description": "forget the stored SMTP password (a server without sign-in)"}}
	for k, v := range settingsProps {
		settingsIn[k] = v
	}
	const base = "/api/v1/distributions"
	return []web.Route{
		{Method: "GET", Path: base, Perm: access.PressView, Handler: h.apiList,
			Summary:  "Distributions, newest first; ?q= searches titles, ?state= filters",
			Response: web.ListOf(distribution)},
		{Method: "POST", Path: base, Perm: access.PressWrite, Handler: h.apiCreate,
			Summary:  "Create a distribution of a release or pitch to lists and segments: sent now, at a time, or kept as a draft (sending needs press.send)",
			Request:  web.Object(map[string]any{"kind": kind, "id": integer, "lists": ids, "segments": ids, "at": at, "draft": boolean}, "kind", "id"),
			Response: distribution},
		{Method: "POST", Path: base + "/test", Perm: access.PressSend, Handler: h.apiTest,
			Summary:  "Send one test message of a release or pitch to an address; nothing is recorded on any contact",
			Request:  web.Object(map[string]any{"kind": kind, "id": integer, "to": str, "lang": map[string]any{"type": "string", "enum": []string{"id", "en"}}}, "kind", "id", "to"),
			Response: web.Object(map[string]any{"sent_to": str})},
		{Method: "GET", Path: base + "/{id}", Perm: access.PressView, Handler: h.apiGet,
			Summary: "A distribution with its counts and what keeps it from sending", Response: distribution},
		{Method: "POST", Path: base + "/{id}/send", Perm: access.PressSend, Handler: h.apiSend,
			Summary: "Send a draft or scheduled distribution now, or schedule it", Request: web.Object(map[string]any{"at": at}), Response: distribution},
		{Method: "POST", Path: base + "/{id}/pause", Perm: access.PressSend, Handler: h.apiMove(h.s.Pause),
			Summary: "Pause sending after the messages in flight", Response: distribution},
		{Method: "POST", Path: base + "/{id}/resume", Perm: access.PressSend, Handler: h.apiMove(h.s.Resume),
			Summary: "Resume a paused distribution with those not yet sent", Response: distribution},
		{Method: "POST", Path: base + "/{id}/cancel", Perm: access.PressSend, Handler: h.apiMove(h.s.Cancel),
			Summary: "Cancel for good: those not yet sent are not sent", Response: distribution},
		{Method: "GET", Path: base + "/{id}/progress", Perm: access.PressView, Handler: h.apiProgress,
			Summary:  "How far sending is: state, percent done and counts",
			Response: web.Object(map[string]any{"state": state, "percent": integer, "counts": counts})},
		{Method: "GET", Path: base + "/{id}/report", Perm: access.PressView, Handler: h.apiReport,
			Summary: "The report: delivered, bounced, opened and clicked (where tracked), unsubscribed, skipped by reason, and the replies",
			Response: web.Object(map[string]any{"state": state, "delivered": integer, "bounced": integer, "opened": map[string]any{"type": []string{"integer", "null"}},
				"clicked": map[string]any{"type": []string{"integer", "null"}}, "unsubscribed": integer, "replied": integer, "uncertain": integer,
				"counts": counts, "replies": web.Array(reply)})},
		{Method: "GET", Path: base + "/{id}/recipients", Perm: access.PressView, Handler: h.apiRecipients,
			Summary: "A distribution's recipients; ?state= and ?q= (name, email or outlet) narrow them", Response: web.ListOf(recipient)},
		{Method: "POST", Path: base + "/{id}/decide", Perm: access.PressSend, Handler: h.apiDecide,
			Summary:  "Settle uncertain recipients: resend them, or record that they got it; ids empty means every uncertain one",
			Request:  web.Object(map[string]any{"resend": boolean, "ids": ids}, "resend"),
			Response: web.Object(map[string]any{"recipients": integer})},
		{Method: "GET", Path: "/api/v1/press/sending", Perm: access.PressManage, Handler: h.apiSettings,
			Summary: "The workspace's sending settings; passwords are never returned", Response: settings},
		{Method: "PUT", Path: "/api/v1/press/sending", Perm: access.PressManage, Handler: h.apiSaveSettings,
			Summary: "Replace the sending settings; passwords are write-only and kept when left empty", Request: web.Object(settingsIn, "from_email"),
			Response: settings},
	}
}

// apiProblem is what keeps a distribution from sending, for API clients.
type apiProblem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type apiDistribution struct {
	*Distribution
	Problem *apiProblem `json:"problem"`
}

func (h *Handlers) withProblem(r *http.Request, d *Distribution) (apiDistribution, error) {
	key, err := h.s.Problem(r.Context(), d.WorkspaceID, d.ID)
	out := apiDistribution{Distribution: d}
	if key != "" {
		out.Problem = &apiProblem{Code: strings.TrimPrefix(key, "distribute.problem."), Message: web.LocaleOf(r).T(key)}
	}
	return out, err
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := Filter{Query: strings.TrimSpace(q.Get("q")), After: after, Limit: limit + 1}
	if s := q.Get("state"); s != "" {
		if !slices.Contains(States, State(s)) {
			return badField("state", "distribute.error.state_filter")
		}
		f.State = State(s)
	}
	list, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(d Distribution) int64 { return d.ID }))
}

func badField(name, key string) error {
	f := web.NewForm(nil)
	f.Fail(name, key)
	return web.Invalid(f)
}

// parseAt reads an optional RFC 3339 time.
func parseAt(v *string) (*time.Time, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		return nil, badField("at", "distribute.error.at_format")
	}
	return &t, nil
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Kind     string  `json:"kind"`
		ID       int64   `json:"id"`
		Lists    []int64 `json:"lists"`
		Segments []int64 `json:"segments"`
		At       *string `json:"at"`
		Draft    bool    `json:"draft"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	if !body.Draft && !p.Can(access.PressSend) {
		return web.ErrForbidden
	}
	at, err := parseAt(body.At)
	if err != nil {
		return err
	}
	d, err := h.s.Create(r.Context(), web.ActorOf(r), p.WorkspaceID, Input{Kind: body.Kind, ID: body.ID, Lists: body.Lists, Segments: body.Segments,
		At: at, Zone: zoneOf(r).String()}, body.Draft)
	if err != nil {
		return err
	}
	out, err := h.withProblem(r, d)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, out)
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	out, err := h.withProblem(r, d)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

// current answers the distribution as it is after a change.
func (h *Handlers) current(w http.ResponseWriter, r *http.Request, wsID, id int64) error {
	d, err := h.s.Get(r.Context(), wsID, id)
	if err != nil {
		return err
	}
	out, err := h.withProblem(r, d)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiSend(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	var body struct {
		At *string `json:"at"`
	}
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &body); err != nil {
			return err
		}
	}
	at, err := parseAt(body.At)
	if err != nil {
		return err
	}
	if err := h.s.Send(r.Context(), web.ActorOf(r), d.WorkspaceID, d.ID, at, zoneOf(r).String()); err != nil {
		return err
	}
	return h.current(w, r, d.WorkspaceID, d.ID)
}

func (h *Handlers) apiMove(do func(ctx context.Context, a audit.Actor, wsID, id int64) error) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := h.distributionOf(r)
		if err != nil {
			return err
		}
		if err := do(r.Context(), web.ActorOf(r), d.WorkspaceID, d.ID); err != nil {
			return err
		}
		return h.current(w, r, d.WorkspaceID, d.ID)
	}
}

func (h *Handlers) apiProgress(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"state": d.State, "percent": d.Counts.Percent(), "counts": d.Counts})
}

func (h *Handlers) apiReport(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	replies, err := h.s.Replies(r.Context(), d.WorkspaceID, d.ID)
	if err != nil {
		return err
	}
	if replies == nil {
		replies = []Reply{}
	}
	c := d.Counts
	// Opens and clicks are null where they were not tracked: zero would claim nobody looked.
	var opened, clicked *int
	if d.TrackOpens {
		opened = &c.Opened
	}
	if d.TrackClicks {
		clicked = &c.Clicked
	}
	return web.JSON(w, http.StatusOK, map[string]any{"state": d.State, "delivered": c.Sent, "bounced": c.Bounced, "opened": opened, "clicked": clicked,
		"unsubscribed": c.Unsubscribed, "replied": c.Replied, "uncertain": c.Uncertain, "counts": c, "replies": replies})
}

func (h *Handlers) apiRecipients(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := RecipientFilter{Query: strings.TrimSpace(q.Get("q")), After: after, Limit: limit + 1}
	if s := q.Get("state"); s != "" {
		if !slices.Contains(RecipientStates, RecipientState(s)) {
			return badField("state", "distribute.error.state_filter")
		}
		f.State = RecipientState(s)
	}
	list, err := h.s.Recipients(r.Context(), d.WorkspaceID, d.ID, f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NextPage(list, limit, func(rc Recipient) int64 { return rc.ID }))
}

func (h *Handlers) apiDecide(w http.ResponseWriter, r *http.Request) error {
	d, err := h.distributionOf(r)
	if err != nil {
		return err
	}
	var body struct {
		Resend *bool   `json:"resend"`
		IDs    []int64 `json:"ids"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	if body.Resend == nil {
		return badField("resend", "form.required")
	}
	n, err := h.s.Decide(r.Context(), web.ActorOf(r), d.WorkspaceID, d.ID, *body.Resend, body.IDs)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"recipients": n})
}

func (h *Handlers) apiTest(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Kind string `json:"kind"`
		ID   int64  `json:"id"`
		To   string `json:"to"`
		Lang string `json:"lang"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	if body.Kind != KindRelease && body.Kind != KindPitch {
		return ErrKind
	}
	if err := h.s.TestSend(r.Context(), web.PrincipalOf(r).WorkspaceID, Ref{body.Kind, body.ID}, body.To, body.Lang); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"sent_to": body.To})
}

func (h *Handlers) apiSettings(w http.ResponseWriter, r *http.Request) error {
	set, err := h.s.Settings(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, set)
}

func (h *Handlers) apiSaveSettings(w http.ResponseWriter, r *http.Request) error {
	// The settings as GET returns them are accepted back; the read-only fields are ignored.
	var body struct {
		Settings
		SMTPPassword      string `json:"smtp_password"`
		IMAPPassword      string `json:"imap_password"`
		ClearSMTPPassword bool   `json:"clear_smtp_password"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	in := SettingsInput{Settings: body.Settings, SMTPPassword: body.SMTPPassword, IMAPPassword: body.IMAPPassword, ClearSMTPPassword: body.ClearSMTPPassword}
	if in.SMTPTLS == "" {
		in.SMTPTLS = TLSStartTLS
	}
	if in.IMAPTLS == "" {
		in.IMAPTLS = TLSImplicit
	}
	if err := h.s.SaveSettings(r.Context(), web.ActorOf(r), p.WorkspaceID, in); err != nil {
		return err
	}
	return h.apiSettings(w, r)
}
