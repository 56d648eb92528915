package approval

import (
	"context"
	"errors"
	"slices"

	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
)

// Waiting is an item whose approval waits, with the approvers of the step that waits.
type Waiting struct {
	Item        *content.Item
	Request     Request
	StepName    string
	Approvers   []Member
	SubmittedBy string
	// decided are the members who already decided on this step.
	decided map[int64]bool
}

// WaitsFor reports whether the item waits for this member's decision.
func (w Waiting) WaitsFor(userID int64) bool {
	return !w.decided[userID] && slices.ContainsFunc(w.Approvers, func(m Member) bool { return m.UserID == userID })
}

// Undecided are the step's approvers who have not decided yet.
func (w Waiting) Undecided() []Member {
	var out []Member
	for _, m := range w.Approvers {
		if !w.decided[m.UserID] {
			out = append(out, m)
		}
	}
	return out
}

// Pending lists everything that waits in a workspace, longest waiting first.
func (s *Service) Pending(ctx context.Context, wsID int64) ([]Waiting, error) {
	return s.pending(ctx, wsID, 0)
}

// pending lists what waits on one item, or on all of them (itemID 0).
func (s *Service) pending(ctx context.Context, wsID, itemID int64) ([]Waiting, error) {
	where, args := `status = ?`, []any{string(Pending)}
	if itemID != 0 {
		where, args = where+` AND item_id = ?`, append(args, itemID)
	}
	reqs, err := listRequests(ctx, s.d, wsID, where, args...)
	if err != nil || len(reqs) == 0 {
		return nil, err
	}
	members, err := s.members.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	var reqIDs []int64
	for _, r := range reqs {
		reqIDs = append(reqIDs, r.ID)
	}
	byRequest, err := decisionsOf(ctx, s.d, wsID, reqIDs)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, m := range members {
		names[m.UserID] = m.Name
	}
	var out []Waiting
	for _, r := range reqs {
		it, err := s.items.Get(ctx, wsID, r.ItemID)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if it.Status != content.InReview {
			continue // archived or scheduled meanwhile: nothing to decide any more
		}
		w := Waiting{Item: it, Request: r, StepName: r.Current().Name, Approvers: resolve(r.Current(), members), decided: map[int64]bool{}}
		for _, d := range byRequest[r.ID] {
			if d.Step == r.Step && d.UserID != 0 {
				w.decided[d.UserID] = true
			}
		}
		w.SubmittedBy = names[r.SubmittedBy]
		if w.SubmittedBy == "" {
			w.SubmittedBy = r.SubmittedLabel
		}
		out = append(out, w)
	}
	return out, nil
}

// Queue splits what waits into what waits for this member and what waits for others.
func (s *Service) Queue(ctx context.Context, wsID, userID int64) (mine, others []Waiting, err error) {
	all, err := s.Pending(ctx, wsID)
	for _, w := range all {
		if w.WaitsFor(userID) {
			mine = append(mine, w)
		} else {
			others = append(others, w)
		}
	}
	return mine, others, err
}

// Review is what an approver or an outside reviewer sees of an item.
type Review struct {
	Item *content.Item
	// Request is the approval that waits; nil when nothing does.
	Request *Waiting
	// Decisions on every version of the item, oldest first.
	Decisions []Decision
	// LastApproved is the newest version ever approved, 0 when none was; Diff compares it with
	// the current version.
	LastApproved int
	Diff         []content.DiffRow
	Comments     []content.Comment
}

// Review gathers an item, the approval that waits, its history and the changes since the version
// last approved.
func (s *Service) Review(ctx context.Context, wsID, itemID int64) (*Review, error) {
	it, err := s.items.Get(ctx, wsID, itemID)
	if err != nil {
		return nil, err
	}
	rv := &Review{Item: it}
	if rv.Decisions, err = decisions(ctx, s.d, wsID, itemID, 0); err != nil {
		return nil, err
	}
	if rv.Comments, err = s.items.Comments(ctx, wsID, itemID); err != nil {
		return nil, err
	}
	waiting, err := s.pending(ctx, wsID, itemID)
	if err != nil {
		return nil, err
	}
	if len(waiting) == 1 {
		rv.Request = &waiting[0]
	}
	if rv.LastApproved, err = lastApprovedVersion(ctx, s.d, wsID, itemID); err != nil {
		return nil, err
	}
	if rv.LastApproved != 0 && rv.LastApproved != it.Version {
		versions, err := s.items.Versions(ctx, wsID, itemID)
		if err != nil {
			return nil, err
		}
		for _, v := range versions {
			if v.Version == rv.LastApproved {
				current := content.Version{Title: it.Title, Body: it.Body, Variants: it.Variants}
				rv.Diff = content.Diff(content.VersionText(v), content.VersionText(current))
			}
		}
	}
	return rv, nil
}

// Decided reports whether the reviewer already decided on the step that waits.
func (r *Review) Decided(rv Reviewer) bool {
	if r.Request == nil {
		return false
	}
	var ds []Decision
	for _, d := range r.Decisions {
		if d.RequestID == r.Request.Request.ID {
			ds = append(ds, d)
		}
	}
	return decidedBy(rv, r.Request.Request.Step, ds)
}
