package monitor

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/platform/web"
)

// The API's shapes: what a script or another tool reads and writes.
type (
	apiSource struct {
		ID          int64      `json:"id"`
		Kind        string     `json:"kind"`
		Name        string     `json:"name"`
		URL         string     `json:"url,omitempty"`
		Query       string     `json:"query,omitempty"`
		Aggregator  string     `json:"aggregator,omitempty"`
		Language    string     `json:"language,omitempty"`
		AccountID   int64      `json:"account_id,omitempty"`
		OutletID    int64      `json:"outlet_id,omitempty"`
		IntervalMin int        `json:"interval_minutes"`
		Enabled     bool       `json:"enabled"`
		Healthy     bool       `json:"healthy"`
		LastSuccess *time.Time `json:"last_success_at"`
		LastError   string     `json:"last_error,omitempty"`
		Failures    int        `json:"failures"`
		ItemsTotal  int64      `json:"items_total"`
		ItemsWeek   int        `json:"items_last_7_days"`
	}
	apiSourceInput struct {
		Kind        string `json:"kind"`
		Name        string `json:"name"`
		URL         string `json:"url"`
		Query       string `json:"query"`
		Aggregator  string `json:"aggregator"`
		Language    string `json:"language"`
		AccountID   int64  `json:"account_id"`
		IntervalMin int    `json:"interval_minutes"`
		Enabled     *bool  `json:"enabled"`
	}
	apiTopic struct {
		ID          int64          `json:"id"`
		Name        string         `json:"name"`
		Kind        string         `json:"kind"`
		Query       string         `json:"query"`
		KeyMessages []string       `json:"key_messages"`
		Counts      map[string]int `json:"mentions,omitempty"`
	}
	apiTopicInput struct {
		Name        string   `json:"name"`
		Kind        string   `json:"kind"`
		Query       string   `json:"query"`
		KeyMessages []string `json:"key_messages"`
	}
	apiMention struct {
		ID          int64     `json:"id"`
		TopicID     int64     `json:"topic_id"`
		State       string    `json:"state"`
		Labels      []string  `json:"labels"`
		Note        string    `json:"note"`
		AssigneeID  int64     `json:"assignee_id,omitempty"`
		ItemID      int64     `json:"item_id"`
		URL         string    `json:"url"`
		Title       string    `json:"title"`
		Outlet      string    `json:"outlet"`
		Author      string    `json:"author"`
		Published   time.Time `json:"published_at"`
		Sentiment   string    `json:"sentiment"`
		SentimentBy string    `json:"sentiment_set_by"`
		Copies      int       `json:"copies"`
	}
	apiMentionPatch struct {
		State       *string  `json:"state"`
		AssigneeID  *int64   `json:"assignee_id"`
		Note        *string  `json:"note"`
		AddLabels   []string `json:"add_labels"`
		RemoveLabel []string `json:"remove_labels"`
		// Sentiment overrides the computed one; "auto" goes back to it.
		Sentiment *string `json:"sentiment"`
	}
	apiCoverage struct {
		ID        int64     `json:"id"`
		ReleaseID int64     `json:"release_id"`
		State     string    `json:"state"`
		Score     float64   `json:"score"`
		ContactID int64     `json:"contact_id,omitempty"`
		ItemID    int64     `json:"item_id"`
		URL       string    `json:"url"`
		Title     string    `json:"title"`
		Outlet    string    `json:"outlet"`
		Published time.Time `json:"published_at"`
	}
	apiCoverageInput struct {
		ReleaseID int64 `json:"release_id"`
		ItemID    int64 `json:"item_id"`
		ContactID int64 `json:"contact_id"`
	}
	apiAlert struct {
		ID       int64     `json:"id"`
		RuleID   int64     `json:"rule_id"`
		TopicID  int64     `json:"topic_id"`
		Kind     string    `json:"kind"`
		Count    int       `json:"count"`
		Baseline float64   `json:"baseline"`
		ItemID   int64     `json:"item_id,omitempty"`
		FiredAt  time.Time `json:"fired_at"`
	}
	apiRule struct {
		ID           int64   `json:"id"`
		TopicID      int64   `json:"topic_id"`
		Kind         string  `json:"kind"`
		MinReach     int64   `json:"min_reach"`
		MinCount     int     `json:"min_count"`
		Factor       float64 `json:"factor"`
		WindowMin    int     `json:"window_minutes"`
		BaselineDays int     `json:"baseline_days"`
		QuietMin     int     `json:"quiet_minutes"`
		Emails       []int64 `json:"email_user_ids"`
		Accounts     []int64 `json:"chat_account_ids"`
		Enabled      bool    `json:"enabled"`
	}
)

func sourceJSON(s *Source) apiSource {
	out := apiSource{ID: s.ID, Kind: string(s.Kind), Name: s.Name, URL: s.URL, Query: s.Query, Aggregator: s.Aggregator, Language: s.Language,
		AccountID: s.AccountID, OutletID: s.OutletID, IntervalMin: int(s.Interval / time.Minute), Enabled: s.Enabled, Healthy: s.Healthy(),
		LastSuccess: s.LastSuccess, LastError: s.LastError, Failures: s.Failures, ItemsTotal: s.ItemsTotal, ItemsWeek: s.ItemsWeek}
	return out
}

func topicJSON(t *Topic) apiTopic {
	msgs := t.KeyMessages
	if msgs == nil {
		msgs = []string{}
	}
	return apiTopic{ID: t.ID, Name: t.Name, Kind: t.Kind, Query: t.Query, KeyMessages: msgs, Counts: t.Counts}
}

func mentionJSON(m *Mention) apiMention {
	labels := m.Labels
	if labels == nil {
		labels = []string{}
	}
	by := "lexicon"
	if m.Item.SentimentBy != 0 {
		by = "person"
	}
	return apiMention{ID: m.ID, TopicID: m.TopicID, State: m.State, Labels: labels, Note: m.Note, AssigneeID: m.AssigneeID, ItemID: m.Item.ID,
		URL: m.Item.URL, Title: m.Item.Title, Outlet: m.Item.OutletName, Author: m.Item.Author, Published: m.Item.PublishedAt,
		Sentiment: m.Item.Sentiment, SentimentBy: by, Copies: m.CopyCount}
}

func coverageJSON(c *Coverage) apiCoverage {
	return apiCoverage{ID: c.ID, ReleaseID: c.ReleaseID, State: c.State, Score: c.Score, ContactID: c.ContactID, ItemID: c.Item.ID,
		URL: c.Item.URL, Title: c.Item.Title, Outlet: c.Item.OutletName, Published: c.Item.PublishedAt}
}

func ruleJSON(r *Rule) apiRule {
	return apiRule{ID: r.ID, TopicID: r.TopicID, Kind: r.Kind, MinReach: r.MinReach, MinCount: r.MinCount, Factor: r.Factor,
		WindowMin: int(r.Window / time.Minute), BaselineDays: r.BaselineDays, QuietMin: int(r.Quiet / time.Minute), Emails: orEmpty(r.Emails),
		Accounts: orEmpty(r.Accounts), Enabled: r.Enabled}
}

// APIRoutes are /api/v1/sources, topics, mentions, coverage and alerts.
func (h *Handlers) APIRoutes() []web.Route {
	v, t, e := access.MonitorView, access.MonitorTriage, access.MonitorEdit
	str, id, num := map[string]any{"type": "string"}, map[string]any{"type": "integer"}, map[string]any{"type": "number"}
	boolean, instant := map[string]any{"type": "boolean"}, map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	strs, ids := web.Array(str), web.Array(id)
	source := web.Object(map[string]any{"id": id, "kind": str, "name": str, "url": str, "query": str, "aggregator": str, "language": str,
		"account_id": id, "outlet_id": id, "interval_minutes": id, "enabled": boolean, "healthy": boolean, "last_success_at": instant,
		"last_error": str, "failures": id, "items_total": id, "items_last_7_days": id})
	sourceIn := web.Object(map[string]any{"kind": map[string]any{"type": "string", "enum": SourceKinds}, "name": str, "url": str, "query": str,
		"aggregator": str, "language": str, "account_id": id, "interval_minutes": id, "enabled": boolean})
	topic := web.Object(map[string]any{"id": id, "name": str, "kind": map[string]any{"type": "string", "enum": TopicKinds}, "query": str,
		"key_messages": strs, "mentions": map[string]any{"type": "object", "description": "mention counts by state"}})
	topicIn := web.Object(map[string]any{"name": str, "kind": str, "query": str, "key_messages": strs})
	mention := web.Object(map[string]any{"id": id, "topic_id": id, "state": map[string]any{"type": "string", "enum": States}, "labels": strs,
		"note": str, "assignee_id": id, "item_id": id, "url": str, "title": str, "outlet": str, "author": str, "published_at": str,
		"sentiment": map[string]any{"type": "string", "enum": Sentiments}, "sentiment_set_by": str, "copies": id})
	patch := web.Object(map[string]any{"state": str, "assignee_id": id, "note": str, "add_labels": strs, "remove_labels": strs,
		"sentiment": map[string]any{"type": "string", "description": "positive, neutral, negative, or auto for the computed one"}})
	coverage := web.Object(map[string]any{"id": id, "release_id": id, "state": str, "score": num, "contact_id": id, "item_id": id, "url": str,
		"title": str, "outlet": str, "published_at": str})
	coverageIn := web.Object(map[string]any{"release_id": id, "item_id": id, "contact_id": id})
	alert := web.Object(map[string]any{"id": id, "rule_id": id, "topic_id": id, "kind": str, "count": id, "baseline": num, "item_id": id, "fired_at": str})
	rule := web.Object(map[string]any{"id": id, "topic_id": id, "kind": map[string]any{"type": "string", "enum": AlertKinds}, "min_reach": id,
		"min_count": id, "factor": num, "window_minutes": id, "baseline_days": id, "quiet_minutes": id, "email_user_ids": ids,
		"chat_account_ids": ids, "enabled": boolean})
	preview := web.Object(map[string]any{"scanned": id, "matched": id, "items": web.Array(web.Object(map[string]any{"url": str, "title": str,
		"outlet": str, "terms": strs}))})
	routes := []web.Route{
		{Method: "GET", Path: "/api/v1/sources", Perm: v, Handler: h.apiSources, Summary: "Monitoring sources with their health", Response: web.ListOf(source)},
		{Method: "POST", Path: "/api/v1/sources", Perm: e, Handler: h.apiAddSource, Request: sourceIn, Response: source,
			Summary: "Follow a source; it is read once at once, and refused with a message when it cannot be read (not a feed, a private address…)"},
		{Method: "GET", Path: "/api/v1/sources/{id}", Perm: v, Handler: h.apiSource, Summary: "A monitoring source", Response: source},
		{Method: "PATCH", Path: "/api/v1/sources/{id}", Perm: e, Handler: h.apiUpdateSource, Request: sourceIn, Response: source,
			Summary: "Change a source's name, language, interval or whether it is checked"},
		{Method: "DELETE", Path: "/api/v1/sources/{id}", Perm: e, Handler: h.apiDeleteSource, Summary: "Stop following a source (its mentions stay)"},
		{Method: "GET", Path: "/api/v1/topics", Perm: v, Handler: h.apiTopics, Summary: "Monitoring topics with their mention counts", Response: web.ListOf(topic)},
		{Method: "POST", Path: "/api/v1/topics", Perm: e, Handler: h.apiCreateTopic, Request: topicIn, Response: topic,
			Summary: "Create a topic; a query that does not parse is refused with the position of the error"},
		{Method: "POST", Path: "/api/v1/topics/preview", Perm: e, Handler: h.apiPreview, Request: topicIn, Response: preview,
			Summary: "What a query would match among the latest items, without saving it"},
		{Method: "GET", Path: "/api/v1/topics/{id}", Perm: v, Handler: h.apiTopic, Summary: "A topic", Response: topic},
		{Method: "PATCH", Path: "/api/v1/topics/{id}", Perm: e, Handler: h.apiUpdateTopic, Request: topicIn, Response: topic, Summary: "Change a topic"},
		{Method: "DELETE", Path: "/api/v1/topics/{id}", Perm: e, Handler: h.apiArchiveTopic, Summary: "Archive a topic (its mentions stay)"},
		{Method: "GET", Path: "/api/v1/mentions", Perm: v, Handler: h.apiMentions, Response: web.ListOf(mention),
			Summary: "Mentions, oldest first, each story once; ?topic=, ?state= (new, relevant, flagged, irrelevant; every state when left out), ?sentiment=, ?label=, ?q="},
		{Method: "GET", Path: "/api/v1/mentions/{id}", Perm: v, Handler: h.apiMention, Summary: "A mention", Response: mention},
		{Method: "PATCH", Path: "/api/v1/mentions/{id}", Perm: t, Handler: h.apiPatchMention, Request: patch, Response: mention,
			Summary: "Triage a mention: state, assignee, note, labels, and a sentiment override that later computation never changes"},
		{Method: "GET", Path: "/api/v1/coverage", Perm: v, Handler: h.apiCoverage, Response: web.ListOf(coverage),
			Summary: "Coverage of releases; ?release= narrows to one release, ?state=suggested|confirmed"},
		{Method: "POST", Path: "/api/v1/coverage", Perm: t, Handler: h.apiConfirmCoverage, Request: coverageIn, Response: web.ListOf(coverage),
			Summary: "Confirm an item as coverage of a distributed release (and record it on the journalist's timeline)"},
		{Method: "POST", Path: "/api/v1/coverage/{id}/dismiss", Perm: t, Handler: h.apiDismissCoverage, Summary: "Dismiss a coverage suggestion"},
		{Method: "GET", Path: "/api/v1/alerts", Perm: v, Handler: h.apiAlerts, Summary: "Alerts raised, newest first", Response: web.ListOf(alert)},
		{Method: "GET", Path: "/api/v1/alerts/rules", Perm: v, Handler: h.apiRules, Summary: "Alert rules", Response: web.ListOf(rule)},
		{Method: "POST", Path: "/api/v1/alerts/rules", Perm: e, Handler: h.apiCreateRule, Request: rule, Response: rule, Summary: "Create an alert rule"},
		{Method: "PATCH", Path: "/api/v1/alerts/rules/{id}", Perm: e, Handler: h.apiUpdateRule, Request: rule, Response: rule, Summary: "Change an alert rule"},
		{Method: "DELETE", Path: "/api/v1/alerts/rules/{id}", Perm: e, Handler: h.apiDeleteRule, Summary: "Delete an alert rule"},
	}
	return append(routes, h.clippingAPIRoutes()...)
}

// apiProblem turns a source that could not be read, or a query that does not parse, into a 422
// whose message is in the caller's language.
func apiProblem(r *http.Request, err error) error {
	l := web.LocaleOf(r)
	var se *SourceError
	if errors.As(err, &se) {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: "unreadable_source", Key: "error.invalid", Raw: true,
			Fields: map[string]string{"url": l.T(se.Key, mapArgs(se.Args)...)}}
	}
	var qe *query.Error
	if errors.As(err, &qe) {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid_query", Key: "error.invalid", Raw: true,
			Fields: map[string]string{"query": l.T(qe.Key, qe.Args()...)}}
	}
	return err
}

func (h *Handlers) apiSources(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.Sources(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	out := make([]apiSource, len(list))
	for i, s := range list {
		out[i] = sourceJSON(s)
	}
	return web.JSON(w, http.StatusOK, web.Page[apiSource]{Items: out})
}

func (in apiSourceInput) source() SourceInput {
	out := SourceInput{Kind: fetch.Kind(in.Kind), Name: in.Name, URL: in.URL, Query: in.Query, Aggregator: in.Aggregator, Language: in.Language,
		AccountID: in.AccountID, Interval: time.Duration(in.IntervalMin) * time.Minute, Enabled: in.Enabled == nil || *in.Enabled}
	return out
}

func (h *Handlers) apiAddSource(w http.ResponseWriter, r *http.Request) error {
	var in apiSourceInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	src, err := h.s.AddSource(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, in.source())
	if err != nil {
		return apiProblem(r, err)
	}
	return web.JSON(w, http.StatusCreated, sourceJSON(src))
}

func (h *Handlers) apiSource(w http.ResponseWriter, r *http.Request) error {
	src, err := h.sourceOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sourceJSON(src))
}

func (h *Handlers) apiUpdateSource(w http.ResponseWriter, r *http.Request) error {
	src, err := h.sourceOf(r)
	if err != nil {
		return err
	}
	in := apiSourceInput{Name: src.Name, Language: src.Language, IntervalMin: int(src.Interval / time.Minute), Enabled: &src.Enabled}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	src, err = h.s.UpdateSource(r.Context(), web.ActorOf(r), src.WorkspaceID, src.ID, in.source())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sourceJSON(src))
}

func (h *Handlers) apiDeleteSource(w http.ResponseWriter, r *http.Request) error {
	src, err := h.sourceOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteSource(r.Context(), web.ActorOf(r), src.WorkspaceID, src.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiTopics(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.Topics(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	out := make([]apiTopic, len(list))
	for i, t := range list {
		out[i] = topicJSON(t)
	}
	return web.JSON(w, http.StatusOK, web.Page[apiTopic]{Items: out})
}

func (in apiTopicInput) topic() TopicInput {
	return TopicInput{Name: in.Name, Kind: in.Kind, Query: in.Query, KeyMessages: in.KeyMessages}
}

func (h *Handlers) apiCreateTopic(w http.ResponseWriter, r *http.Request) error {
	var in apiTopicInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.s.CreateTopic(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, in.topic())
	if err != nil {
		return apiProblem(r, err)
	}
	return web.JSON(w, http.StatusCreated, topicJSON(t))
}

func (h *Handlers) apiPreview(w http.ResponseWriter, r *http.Request) error {
	var in apiTopicInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := h.s.PreviewQuery(r.Context(), web.PrincipalOf(r).WorkspaceID, in.Query)
	if err != nil {
		return apiProblem(r, err)
	}
	type item struct {
		URL    string   `json:"url"`
		Title  string   `json:"title"`
		Outlet string   `json:"outlet"`
		Terms  []string `json:"terms"`
	}
	out := struct {
		Scanned int    `json:"scanned"`
		Matched int    `json:"matched"`
		Items   []item `json:"items"`
	}{Scanned: p.Scanned, Matched: p.Matched, Items: []item{}}
	for _, it := range p.Items {
		out.Items = append(out.Items, item{URL: it.Item.URL, Title: it.Item.Title, Outlet: it.Item.OutletName, Terms: it.Terms})
	}
	return web.JSON(w, http.StatusOK, out)
}

func (h *Handlers) apiTopic(w http.ResponseWriter, r *http.Request) error {
	t, err := h.topicOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, topicJSON(t))
}

func (h *Handlers) apiUpdateTopic(w http.ResponseWriter, r *http.Request) error {
	t, err := h.topicOf(r)
	if err != nil {
		return err
	}
	in := apiTopicInput{Name: t.Name, Kind: t.Kind, Query: t.Query, KeyMessages: t.KeyMessages}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err = h.s.UpdateTopic(r.Context(), web.ActorOf(r), t.WorkspaceID, t.ID, in.topic())
	if err != nil {
		return apiProblem(r, err)
	}
	return web.JSON(w, http.StatusOK, topicJSON(t))
}

func (h *Handlers) apiArchiveTopic(w http.ResponseWriter, r *http.Request) error {
	t, err := h.topicOf(r)
	if err != nil {
		return err
	}
	if err := h.s.ArchiveTopic(r.Context(), web.ActorOf(r), t.WorkspaceID, t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiMentions(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "any"
	}
	f := MentionFilter{State: state, Sentiment: q.Get("sentiment"), Label: q.Get("label"), Query: q.Get("q"), After: after, ByID: true,
		Limit: limit + 1}
	f.TopicID, _ = strconv.ParseInt(q.Get("topic"), 10, 64)
	list, err := h.s.Mentions(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	out := make([]apiMention, len(list))
	for i := range list {
		out[i] = mentionJSON(&list[i])
	}
	return web.JSON(w, http.StatusOK, web.NextPage(out, limit, func(m apiMention) int64 { return m.ID }))
}

func (h *Handlers) apiMention(w http.ResponseWriter, r *http.Request) error {
	m, err := h.mentionOf(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, mentionJSON(m))
}

func (h *Handlers) apiPatchMention(w http.ResponseWriter, r *http.Request) error {
	m, err := h.mentionOf(r)
	if err != nil {
		return err
	}
	var in apiMentionPatch
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, a, wsID := r.Context(), web.ActorOf(r), m.Item.WorkspaceID
	// Everything is checked before anything is saved.
	if in.Sentiment != nil && *in.Sentiment != "auto" && !slices.Contains(Sentiments, *in.Sentiment) {
		f := web.NewForm(nil)
		f.Fail("sentiment", "monitor.mention.error.sentiment")
		return web.Invalid(f)
	}
	var changes []Triage
	if in.State != nil || in.AssigneeID != nil || in.Note != nil {
		changes = append(changes, Triage{State: in.State, AssigneeID: in.AssigneeID, Note: in.Note})
	}
	for _, l := range in.AddLabels {
		changes = append(changes, Triage{AddLabel: l})
	}
	for _, l := range in.RemoveLabel {
		changes = append(changes, Triage{RemoveLabel: l})
	}
	for _, t := range changes {
		if _, err := h.s.TriageMentions(ctx, a, wsID, []int64{m.ID}, t); err != nil {
			return err
		}
	}
	if in.Sentiment != nil {
		label := *in.Sentiment
		if label == "auto" {
			label = ""
		}
		if err := h.s.SetSentiment(ctx, a, wsID, m.Item.ID, label); err != nil {
			return err
		}
	}
	if m, err = h.s.Mention(ctx, wsID, m.ID); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, mentionJSON(m))
}

func (h *Handlers) apiCoverage(w http.ResponseWriter, r *http.Request) error {
	ctx, wsID, q := r.Context(), web.PrincipalOf(r).WorkspaceID, r.URL.Query()
	var list []Coverage
	var err error
	if rel, _ := strconv.ParseInt(q.Get("release"), 10, 64); rel != 0 {
		list, err = h.s.CoverageOf(ctx, wsID, rel, false)
	} else if q.Get("state") == Suggested {
		list, err = h.s.PendingCoverage(ctx, wsID)
	} else {
		list, err = h.s.ConfirmedCoverage(ctx, wsID)
	}
	if err != nil {
		return err
	}
	out := make([]apiCoverage, 0, len(list))
	for i := range list {
		if st := q.Get("state"); st == "" || st == list[i].State {
			out = append(out, coverageJSON(&list[i]))
		}
	}
	return web.JSON(w, http.StatusOK, web.Page[apiCoverage]{Items: out})
}

func (h *Handlers) apiConfirmCoverage(w http.ResponseWriter, r *http.Request) error {
	var in apiCoverageInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, wsID := r.Context(), web.PrincipalOf(r).WorkspaceID
	err := h.s.ConfirmCoverage(ctx, web.ActorOf(r), wsID, in.ReleaseID, in.ItemID, in.ContactID)
	switch {
	case errors.Is(err, ErrNotSent):
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid",
			Fields: map[string]string{"release_id": "monitor.coverage.error.release"}}
	case errors.Is(err, ErrNotRecipient):
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid",
			Fields: map[string]string{"contact_id": "monitor.coverage.error.journalist"}}
	}
	if err != nil {
		return err
	}
	list, err := h.s.CoverageOf(ctx, wsID, in.ReleaseID, false)
	if err != nil {
		return err
	}
	out := make([]apiCoverage, len(list))
	for i := range list {
		out[i] = coverageJSON(&list[i])
	}
	return web.JSON(w, http.StatusOK, web.Page[apiCoverage]{Items: out})
}

func (h *Handlers) apiDismissCoverage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.s.DismissCoverage(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiAlerts(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.Alerts(r.Context(), web.PrincipalOf(r).WorkspaceID, 100)
	if err != nil {
		return err
	}
	out := make([]apiAlert, len(list))
	for i, a := range list {
		out[i] = apiAlert{ID: a.ID, RuleID: a.RuleID, TopicID: a.TopicID, Kind: a.Kind, Count: a.Count, Baseline: a.Baseline, ItemID: a.ItemID,
			FiredAt: a.FiredAt}
	}
	return web.JSON(w, http.StatusOK, web.Page[apiAlert]{Items: out})
}

func (h *Handlers) apiRules(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.Rules(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	out := make([]apiRule, len(list))
	for i, rule := range list {
		out[i] = ruleJSON(rule)
	}
	return web.JSON(w, http.StatusOK, web.Page[apiRule]{Items: out})
}

func (in apiRule) input() RuleInput {
	return RuleInput{TopicID: in.TopicID, Kind: in.Kind, MinReach: in.MinReach, MinCount: in.MinCount, Factor: in.Factor,
		Window: time.Duration(in.WindowMin) * time.Minute, BaselineDays: in.BaselineDays, Quiet: time.Duration(in.QuietMin) * time.Minute,
		Emails: in.Emails, Accounts: in.Accounts, Enabled: in.Enabled}
}

func (h *Handlers) apiCreateRule(w http.ResponseWriter, r *http.Request) error {
	in := apiRule{Enabled: true}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	rule, err := h.s.SaveRule(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, 0, in.input())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, ruleJSON(rule))
}

func (h *Handlers) apiUpdateRule(w http.ResponseWriter, r *http.Request) error {
	rule, err := h.ruleOf(r)
	if err != nil {
		return err
	}
	in := ruleJSON(rule)
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if rule, err = h.s.SaveRule(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, rule.ID, in.input()); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, ruleJSON(rule))
}

func (h *Handlers) apiDeleteRule(w http.ResponseWriter, r *http.Request) error {
	rule, err := h.ruleOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteRule(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, rule.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
