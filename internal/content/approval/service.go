package approval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
)

// Items is what approvals need from the content studio (content.Service has it all).
type Items interface {
	Get(ctx context.Context, wsID, id int64) (*content.Item, error)
	Versions(ctx context.Context, wsID, id int64) ([]content.Version, error)
	Comments(ctx context.Context, wsID, itemID int64) ([]content.Comment, error)
	AddComment(ctx context.Context, c content.Commenter, wsID, itemID, parentID int64, body string) (int64, error)
	// MarkApproved and MarkRejected change the status of the version in review, in tx.
	MarkApproved(ctx context.Context, tx *db.Tx, wsID, id int64, version int) error
	MarkRejected(ctx context.Context, tx *db.Tx, wsID, id int64, version int) error
}

// Members lists a workspace's active members with their roles; approvers named by role are the
// members who hold it when someone decides.
type Members interface {
	Members(ctx context.Context, wsID int64) ([]Member, error)
}

// Notifier tells members what concerns them, in the app and by email.
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, n notify.Notice) error
}

// Mailer sends mail recorded in the caller's transaction.
type Mailer interface {
	SendTx(ctx context.Context, tx *db.Tx, msg mail.Message) (int64, error)
}

// FastTrack lets another package approve some items its own way: a crisis statement goes to
// the crisis approvers in one step, whatever the workspace's rules, and the crisis room hears of
// every decision on it.
type FastTrack interface {
	// Steps are the steps an item's approval goes through instead of the workspace's; none
	// means the workspace's rules apply.
	Steps(ctx context.Context, tx *db.Tx, wsID, itemID int64) ([]Step, error)
	// Decided is told, in the deciding transaction, of a fast-tracked item's approval or rejection.
	Decided(ctx context.Context, tx *db.Tx, wsID, itemID int64, approved bool, by, note string) error
}

// Service holds the approval rules. It is the content studio's content.Workflow.
type Service struct {
	fast       FastTrack
	d          *db.DB
	items      Items
	members    Members
	notify     Notifier
	mail       Mailer
	bundle     *i18n.Bundle
	baseURL    string
	signingKey []byte
}

// NewService wires approvals. items is the content studio (content.Service); the signing key
// signs review links.
func NewService(d *db.DB, items Items, members Members, n Notifier, m Mailer, b *i18n.Bundle, baseURL string, signingKey []byte) *Service {
	return &Service{d: d, items: items, members: members, notify: n, mail: m, bundle: b, baseURL: baseURL, signingKey: signingKey}
}

// SetFastTrack sets who approves some items their own way (the crisis room).
func (s *Service) SetFastTrack(f FastTrack) { s.fast = f }

// steps are the steps an item's new approval request goes through, and whether they are fast-tracked.
func (s *Service) steps(ctx context.Context, tx *db.Tx, wsID, itemID int64) ([]Step, bool, error) {
	if s.fast != nil {
		steps, err := s.fast.Steps(ctx, tx, wsID, itemID)
		if err != nil || len(steps) > 0 {
			return steps, true, err
		}
	}
	set, err := loadSettings(ctx, tx, wsID)
	return set.effective(), false, err
}

// Settings returns a workspace's approval rules.
func (s *Service) Settings(ctx context.Context, wsID int64) (Settings, error) {
	return loadSettings(ctx, s.d, wsID)
}

// Required reports whether the workspace's items must be approved before they are scheduled.
func (s *Service) Required(ctx context.Context, wsID int64) (bool, error) {
	set, err := loadSettings(ctx, s.d, wsID)
	return set.Requires(), err
}

// Submitted starts the approval of a version (content.Submit calls it in its transaction) and
// tells the first step's approvers. Asking again for the version that already waits changes nothing.
func (s *Service) Submitted(ctx context.Context, tx *db.Tx, wsID, itemID int64, version int, by audit.Actor) error {
	steps, _, err := s.steps(ctx, tx, wsID, itemID)
	if err != nil {
		return err
	}
	if len(steps) == 0 {
		return nil
	}
	cur, err := pendingRequest(ctx, tx, wsID, itemID)
	switch {
	case err == nil && cur.Version == version:
		return nil
	case err == nil:
		if err := setStatus(ctx, tx, wsID, []int64{cur.ID}, Stale); err != nil {
			return err
		}
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	r := &Request{WorkspaceID: wsID, ItemID: itemID, Version: version, Steps: steps, SubmittedBy: by.UserID, SubmittedLabel: by.Label}
	if err := insertRequest(ctx, tx, r); err != nil {
		return err
	}
	it, members, err := s.itemAndMembers(ctx, wsID, itemID)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, wsID, ids(resolve(steps[0], members)), by.UserID, "approval.notice.waiting", it, approvalLink(itemID))
}

// system is the actor of what approvals do on their own (an approval going stale on an edit).
var system = audit.Actor{Label: "Warta"}

// Edited makes the approvals of versions before version stale (content.Save calls it in its
// transaction). Those who approved are told. Where approval is required, or the old version was
// still waiting, the new version waits for the first step again.
func (s *Service) Edited(ctx context.Context, tx *db.Tx, wsID, itemID int64, version int) error {
	olds, err := listRequests(ctx, tx, wsID, `item_id = ? AND version < ? AND status IN (?, ?)`, itemID, version, string(Pending), string(Approved))
	if err != nil {
		return err
	}
	if len(olds) == 0 {
		// Never approved, yet back in review where approval is required (the mode changed since
		// it was scheduled): ask the approvers now, or nobody would.
		set, err := loadSettings(ctx, tx, wsID)
		if err != nil || !set.Requires() {
			return err
		}
		return s.Submitted(ctx, tx, wsID, itemID, version, audit.Actor{Label: "Warta"})
	}
	var stale []int64
	hadPending := false
	for _, r := range olds {
		stale = append(stale, r.ID)
		hadPending = hadPending || r.Status == Pending
	}
	if err := setStatus(ctx, tx, wsID, stale, Stale); err != nil {
		return err
	}
	byRequest, err := decisionsOf(ctx, tx, wsID, stale)
	if err != nil {
		return err
	}
	var approvedBy []int64
	for _, ds := range byRequest {
		for _, d := range ds {
			if d.Approve && d.UserID != 0 && !slices.Contains(approvedBy, d.UserID) {
				approvedBy = append(approvedBy, d.UserID)
			}
		}
	}
	set, err := loadSettings(ctx, tx, wsID)
	if err != nil {
		return err
	}
	steps, fast, err := s.steps(ctx, tx, wsID, itemID)
	if err != nil {
		return err
	}
	it, members, err := s.itemAndMembers(ctx, wsID, itemID)
	if err != nil {
		return err
	}
	var waiting []int64
	// A fast-tracked item (a crisis statement) always waits for its approvers again.
	if len(steps) > 0 && (set.Requires() || hadPending || fast) {
		last := olds[len(olds)-1]
		r := &Request{WorkspaceID: wsID, ItemID: itemID, Version: version, Steps: steps, SubmittedBy: last.SubmittedBy, SubmittedLabel: last.SubmittedLabel}
		if err := insertRequest(ctx, tx, r); err != nil {
			return err
		}
		waiting = ids(resolve(steps[0], members))
	}
	// One notice each: those who approved hear that their approval no longer counts (and, when
	// they approve the first step, that it waits for them again); the others that it waits.
	for _, u := range approvedBy {
		key := "approval.notice.stale"
		if slices.Contains(waiting, u) {
			key = "approval.notice.stale_again"
		}
		if err := s.tell(ctx, tx, wsID, []int64{u}, 0, key, it, approvalLink(itemID)); err != nil {
			return err
		}
	}
	var others []int64
	for _, u := range waiting {
		if !slices.Contains(approvedBy, u) {
			others = append(others, u)
		}
	}
	if err := s.tell(ctx, tx, wsID, others, 0, "approval.notice.waiting", it, approvalLink(itemID)); err != nil {
		return err
	}
	var versions []int
	for _, r := range olds {
		versions = append(versions, r.Version)
	}
	return audit.Record(ctx, tx, system.Entry(wsID, "approval.stale", "content", itemID, map[string]audit.Change{
		"versions": {From: fmt.Sprint(versions), To: version}, "waits_again": {To: len(waiting) > 0}}))
}

func setStatus(ctx context.Context, tx *db.Tx, wsID int64, requestIDs []int64, st Status) error {
	_, err := tx.Exec(ctx, `UPDATE approval_requests SET status = ? WHERE workspace_id = ? AND id IN (`+strings.Trim(joinIDs(requestIDs), ",")+`)`,
		string(st), wsID)
	return err
}

// itemAndMembers reads what notices need. It reads committed data outside the caller's
// transaction, which changes neither.
func (s *Service) itemAndMembers(ctx context.Context, wsID, itemID int64) (*content.Item, []Member, error) {
	it, err := s.items.Get(ctx, wsID, itemID)
	if err != nil {
		return nil, nil, err
	}
	members, err := s.members.Members(ctx, wsID)
	return it, members, err
}

// tell sends one notice to each user, except to the one who caused it. args are the notice's
// words besides the item's title.
func (s *Service) tell(ctx context.Context, tx *db.Tx, wsID int64, users []int64, except int64, key string, it *content.Item, link string, args ...any) error {
	if s.notify == nil {
		return nil
	}
	var seen []int64
	for _, u := range users {
		if u == 0 || u == except || slices.Contains(seen, u) {
			continue
		}
		seen = append(seen, u)
		if err := s.notify.Notify(ctx, tx, notify.Notice{WorkspaceID: wsID, UserID: u, Key: key, Args: append([]any{"Title", it.Title}, args...), Link: link}); err != nil {
			return err
		}
	}
	return nil
}

func approvalLink(itemID int64) string { return fmt.Sprintf("/approvals/%d", itemID) }
func itemLink(itemID int64) string     { return fmt.Sprintf("/content/%d", itemID) }

// resolve finds a step's approvers among the members: the people it names, or those with its
// role, or everyone who may approve. Only members whose role may approve count. When nobody it
// names can approve any more, everyone who may approve can, so no item is stuck.
func resolve(st Step, members []Member) []Member {
	var out []Member
	for _, m := range members {
		if !canApprove(m.Role) {
			continue
		}
		switch {
		case len(st.Users) > 0:
			if slices.Contains(st.Users, m.UserID) {
				out = append(out, m)
			}
		case st.Role != "":
			if m.Role == st.Role {
				out = append(out, m)
			}
		default:
			out = append(out, m)
		}
	}
	if len(out) == 0 && (len(st.Users) > 0 || st.Role != "") {
		return resolve(Step{Rule: st.Rule}, members)
	}
	return out
}

func ids(ms []Member) []int64 {
	out := make([]int64, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.UserID)
	}
	return out
}

// stepDone reports whether step n is approved: by anyone (members and review links) under the
// rule any, by every member approver under the rule all.
func stepDone(st Step, n int, approvers []Member, ds []Decision) bool {
	approvedBy := map[int64]bool{}
	anyone := false
	for _, d := range ds {
		if d.Step == n && d.Approve {
			anyone = true
			approvedBy[d.UserID] = true
		}
	}
	if st.Rule != All {
		return anyone
	}
	for _, m := range approvers {
		if !approvedBy[m.UserID] {
			return false
		}
	}
	return len(approvers) > 0
}

// decidedBy reports whether the reviewer already decided on step n.
func decidedBy(rv Reviewer, n int, ds []Decision) bool {
	for _, d := range ds {
		if d.Step != n {
			continue
		}
		if rv.UserID != 0 && d.UserID == rv.UserID || rv.UserID == 0 && d.UserID == 0 && strings.EqualFold(d.ReviewerEmail, rv.Email) {
			return true
		}
	}
	return false
}

// checkDecision fails each field a decision cannot have: a rejection says why; someone without an
// account gives a name and email.
func checkDecision(rv *Reviewer, approve bool, note *string) error {
	f := web.NewForm(nil)
	*note = strings.TrimSpace(*note)
	switch {
	case !approve && *note == "":
		f.Fail("note", "approval.error.note_required")
	case utf8.RuneCountInString(*note) > maxNote:
		f.Fail("note", "form.too_long")
	}
	if rv.UserID == 0 {
		checkPerson(f, &rv.Name, &rv.Email)
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	return nil
}

// checkPerson checks the name and email of someone without an account.
func checkPerson(f *web.Form, name, email *string) {
	*name, *email = strings.TrimSpace(*name), strings.ToLower(strings.TrimSpace(*email))
	switch {
	case *name == "":
		f.Fail("name", "form.required")
	case utf8.RuneCountInString(*name) > maxName:
		f.Fail("name", "form.too_long")
	}
	switch {
	case *email == "":
		f.Fail("email", "form.required")
	case !web.ValidEmail(*email):
		f.Fail("email", "form.email")
	}
}

// Decide records an approval or rejection of an item's version on the step that waits. version 0
// means the version that waits. A rejection sends the item back to draft; the last step's approval
// approves it. The author (and whoever asked) is told either way; the next step's approvers are
// told when it is their turn.
func (s *Service) Decide(ctx context.Context, a audit.Actor, rv Reviewer, wsID, itemID int64, version int, approve bool, note string) (Outcome, error) {
	if err := checkDecision(&rv, approve, &note); err != nil {
		return "", err
	}
	it, members, err := s.itemAndMembers(ctx, wsID, itemID)
	if err != nil {
		return "", err
	}
	if rv.UserID != 0 && rv.Name == "" {
		for _, m := range members {
			if m.UserID == rv.UserID {
				rv.Name, rv.Email = m.Name, m.Email
			}
		}
	}
	var out Outcome
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		req, err := pendingRequest(ctx, tx, wsID, itemID)
		if errors.Is(err, db.ErrNotFound) || err == nil && it.Status != content.InReview {
			return ErrNothingPending
		}
		if err != nil {
			return err
		}
		if version != 0 && req.Version != version {
			return ErrVersionChanged
		}
		step := req.Current()
		approvers := resolve(step, members)
		if rv.UserID == 0 && s.fast != nil {
			// A crisis statement is decided by the crisis approvers themselves, never by a link.
			if steps, err := s.fast.Steps(ctx, tx, wsID, itemID); err != nil {
				return err
			} else if len(steps) > 0 {
				return ErrNotYourStep
			}
		}
		if rv.UserID != 0 {
			if !slices.Contains(ids(approvers), rv.UserID) {
				return ErrNotYourStep
			}
		} else if _, err := usableLink(ctx, tx, wsID, itemID, rv.LinkID); err != nil {
			return err
		}
		ds, err := decisions(ctx, tx, wsID, itemID, req.ID)
		if err != nil {
			return err
		}
		if decidedBy(rv, req.Step, ds) {
			return ErrAlreadyDecided
		}
		d := &Decision{RequestID: req.ID, Step: req.Step, UserID: rv.UserID, LinkID: rv.LinkID, ReviewerName: rv.Name,
			ReviewerEmail: rv.Email, Approve: approve, Note: note}
		if err := insertDecision(ctx, tx, wsID, d); err != nil {
			return err
		}
		ds = append(ds, *d)
		author := []int64{it.OwnerID, req.SubmittedBy}
		switch {
		case !approve:
			out = OutcomeRejected
			if err := finish(ctx, tx, req, Rejected); err != nil {
				return err
			}
			if err := s.items.MarkRejected(ctx, tx, wsID, itemID, req.Version); err != nil {
				return err
			}
			err = s.tell(ctx, tx, wsID, author, rv.UserID, "approval.notice.rejected", it, itemLink(itemID), "Name", rv.Name, "Note", note)
		case !stepDone(step, req.Step, approvers, ds):
			out = OutcomeRecorded
		case req.Step < len(req.Steps):
			out = OutcomeNextStep
			if _, err := tx.Exec(ctx, `UPDATE approval_requests SET step = step + 1, step_started_at = ? WHERE workspace_id = ? AND id = ?`,
				now(), wsID, req.ID); err != nil {
				return err
			}
			err = s.tell(ctx, tx, wsID, ids(resolve(req.Steps[req.Step], members)), rv.UserID, "approval.notice.waiting", it, approvalLink(itemID))
		default:
			out = OutcomeApproved
			if err := finish(ctx, tx, req, Approved); err != nil {
				return err
			}
			if err := s.items.MarkApproved(ctx, tx, wsID, itemID, req.Version); err != nil {
				return err
			}
			err = s.tell(ctx, tx, wsID, author, rv.UserID, "approval.notice.approved", it, itemLink(itemID), "Name", rv.Name, "Note", note)
		}
		if err != nil {
			return err
		}
		if s.fast != nil && (out == OutcomeApproved || out == OutcomeRejected) {
			if err := s.fast.Decided(ctx, tx, wsID, itemID, out == OutcomeApproved, rv.Name, note); err != nil {
				return err
			}
		}
		action := "approval.approved"
		if !approve {
			action = "approval.rejected"
		}
		changes := map[string]audit.Change{"version": {To: req.Version}, "step": {To: req.Step}, "reviewer_name": {To: rv.Name},
			"reviewer_email": {To: rv.Email}, "outcome": {To: string(out)}}
		if note != "" {
			changes["note"] = audit.Change{To: note}
		}
		if rv.LinkID != 0 {
			changes["review_link"] = audit.Change{To: rv.LinkID}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "content", itemID, changes))
	})
	return out, err
}

func finish(ctx context.Context, tx *db.Tx, req *Request, st Status) error {
	t := now()
	var approved any
	if st == Approved {
		approved = t
	}
	_, err := tx.Exec(ctx, `UPDATE approval_requests SET status = ?, decided_at = ?, approved_at = ? WHERE workspace_id = ? AND id = ?`,
		string(st), t, approved, req.WorkspaceID, req.ID)
	return err
}

// SaveSettings sets a workspace's mode and steps. Errors name the settings form's fields: mode,
// and stepN_name, stepN_who, stepN_users, stepN_rule for the Nth step.
func (s *Service) SaveSettings(ctx context.Context, a audit.Actor, wsID int64, in Settings) error {
	members, err := s.members.Members(ctx, wsID)
	if err != nil {
		return err
	}
	f := web.NewForm(nil)
	checkSettings(f, &in, members)
	if !f.Valid() {
		return web.Invalid(f)
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		old, err := loadSettings(ctx, tx, wsID)
		if err != nil {
			return err
		}
		if err := saveSettings(ctx, tx, wsID, in); err != nil {
			return err
		}
		changes := map[string]audit.Change{}
		if old.Mode != in.Mode {
			changes["mode"] = audit.Change{From: old.Mode, To: in.Mode}
		}
		if before, after := describe(old.Steps, members), describe(in.Steps, members); before != after {
			changes["steps"] = audit.Change{From: before, To: after}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "approval.settings_changed", "workspace", wsID, changes))
	})
}

// checkSettings fails each setting that is wrong, under the settings form's field names.
func checkSettings(f *web.Form, in *Settings, members []Member) {
	if !slices.Contains(Modes, in.Mode) {
		f.Fail("mode", "form.choose")
	}
	if in.Mode == MultiStep && len(in.Steps) < 2 {
		f.Fail("mode", "approval.error.multi_needs_two")
	}
	if len(in.Steps) > maxSteps {
		f.Fail("mode", "approval.error.too_many_steps")
	}
	for i := range in.Steps {
		st := &in.Steps[i]
		field := func(name string) string { return fmt.Sprintf("step%d_%s", i+1, name) }
		st.Name = strings.TrimSpace(st.Name)
		if utf8.RuneCountInString(st.Name) > maxName {
			f.Fail(field("name"), "form.too_long")
		}
		if st.Rule != Any && st.Rule != All {
			f.Fail(field("rule"), "form.choose")
		}
		if st.Role != "" && (!st.Role.Valid() || !canApprove(st.Role)) {
			f.Fail(field("who"), "form.choose")
		}
		for _, u := range st.Users {
			if !slices.ContainsFunc(members, func(m Member) bool { return m.UserID == u && canApprove(m.Role) }) {
				f.Fail(field("users"), "approval.error.not_approver")
			}
		}
	}
}

// describe writes steps for the audit log: "1 Hukum: admin, all; 2 Pimpinan: Rina, Budi, any".
func describe(steps []Step, members []Member) string {
	var parts []string
	for i, st := range steps {
		who := string(st.Role)
		if len(st.Users) > 0 {
			var names []string
			for _, u := range st.Users {
				name := fmt.Sprint(u)
				for _, m := range members {
					if m.UserID == u {
						name = m.Name
					}
				}
				names = append(names, name)
			}
			who = strings.Join(names, ", ")
		}
		if who == "" {
			who = string(access.ContentApprove)
		}
		parts = append(parts, fmt.Sprintf("%d %s: %s, %s", i+1, st.Name, who, st.Rule))
	}
	return strings.Join(parts, "; ")
}
