package crisis

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
)

// Choice is what to do with one held post or distribution.
type Choice struct {
	Decision string
	At       time.Time // for Reschedule
}

// CloseInput is what closing a crisis takes: a closing note and a choice for every held post and
// distribution when this crisis is the last one holding the pause.
type CloseInput struct {
	Note          string
	Posts         map[int64]Choice
	Distributions map[int64]Choice
}

// Held is what the pause holds, for the closing form.
type Held struct {
	Posts         []HeldPost
	Distributions []HeldDistribution
	// Others are the other open crises that keep the pause on after this one closes.
	Others []*Crisis
}

// HeldFor lists what closing this crisis must decide on: what the pause and the hold it is the
// last to hold keep back. Another open crisis holding them keeps them after this one closes.
func (s *Service) HeldFor(ctx context.Context, wsID, id int64) (*Held, error) {
	c, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	h := &Held{}
	open, err := s.OpenCrises(ctx, wsID)
	if err != nil {
		return nil, err
	}
	pauseStays, holdStays := false, false
	for _, o := range open {
		if o.ID != id && (o.Paused || o.Held) {
			h.Others = append(h.Others, o)
			pauseStays, holdStays = pauseStays || o.Paused, holdStays || o.Held
		}
	}
	if c.Paused && !pauseStays && s.Publishing != nil {
		if h.Posts, err = s.Publishing.HeldPosts(ctx, wsID); err != nil {
			return nil, err
		}
	}
	if c.Held && !holdStays && s.Distributions != nil {
		if h.Distributions, err = s.Distributions.Held(ctx, wsID); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func checkChoice(c Choice, now time.Time) string {
	switch c.Decision {
	case Release, Cancel:
		return ""
	case Reschedule:
		if !c.At.After(now) {
			return "crisis.error.reschedule_past"
		}
		return ""
	}
	return "crisis.error.held_undecided"
}

// Close ends a crisis. When it is the last open crisis holding publishing's pause (or the
// distributions' hold), every post (distribution) held needs a choice; in the closing transaction
// the pause (hold) is lifted, then each choice is carried out. The timeline records all of it.
func (s *Service) Close(ctx context.Context, a audit.Actor, wsID, id int64, in CloseInput) error {
	c, err := s.openCrisis(ctx, wsID, id)
	if err != nil {
		return err
	}
	held, err := s.HeldFor(ctx, wsID, id)
	if err != nil {
		return err
	}
	now := s.clock()
	fields := map[string]string{}
	// Only what is held is decided: an id from elsewhere (an uncertain post) is not this form's.
	posts, dists := map[int64]Choice{}, map[int64]Choice{}
	for _, p := range held.Posts {
		posts[p.ID] = in.Posts[p.ID]
		if key := checkChoice(posts[p.ID], now); key != "" {
			fields["post_"+itoa(p.ID)] = key
		}
	}
	for _, d := range held.Distributions {
		dists[d.ID] = in.Distributions[d.ID]
		if key := checkChoice(dists[d.ID], now); key != "" {
			fields["distribution_"+itoa(d.ID)] = key
		}
	}
	if len(fields) > 0 {
		e := *ErrHeldUndecided
		e.Fields = fields
		return &e
	}
	var resumed, unheld bool
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := lockWorkspace(ctx, tx, wsID, now); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE crises SET state = ?, closed_at = ?, closed_by = ?, closing_note = ? WHERE id = ? AND state = ?`,
			Closed, now, a.Label, clip(strings.TrimSpace(in.Note), 4000), id, Open)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrClosed
		}
		if err := s.record(ctx, tx, id, a, "closed", strings.TrimSpace(in.Note), nil, "", 0); err != nil {
			return err
		}
		// Counted under the lock: a crisis declared or closed meanwhile is seen as it is now.
		pausers, err := holders(ctx, tx, wsID, id, "paused")
		if err != nil {
			return err
		}
		keepers, err := holders(ctx, tx, wsID, id, "held")
		if err != nil {
			return err
		}
		if (c.Paused && pausers > 0) || (c.Held && keepers > 0) {
			if err := s.record(ctx, tx, id, a, "pause_stays", "", map[string]any{"Name": held.othersName()}, "", 0); err != nil {
				return err
			}
		}
		if c.Paused && pausers == 0 && s.Publishing != nil {
			if err := s.Publishing.Resume(ctx, tx, a, wsID); err != nil {
				return err
			}
			resumed = true
		}
		if c.Held && keepers == 0 && s.Distributions != nil {
			if err := s.Distributions.Unhold(ctx, tx, a, wsID); err != nil {
				return err
			}
			unheld = true
		}
		if resumed || unheld {
			if err := s.record(ctx, tx, id, a, "resumed", "", nil, "", 0); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "crisis.closed", "crisis", id, map[string]audit.Change{"state": {From: Open, To: Closed}}))
	})
	if err != nil {
		return err
	}
	// Each choice, now that nothing holds them; one that fails is on the timeline and the held
	// thing stays where the publishing log or the distributions list shows it.
	var errs []error
	for _, group := range groupChoices(posts) {
		if !resumed {
			break
		}
		n, err := s.Publishing.DecidePosts(ctx, a, wsID, group.ids, group.c.Decision, group.c.At)
		errs = append(errs, err, s.recordNow(ctx, id, a, "posts_"+group.c.Decision, "", map[string]any{"Count": n, "At": group.c.At.Format(time.RFC3339)}))
	}
	for _, group := range groupChoices(dists) {
		if !unheld {
			break
		}
		n, err := s.Distributions.Decide(ctx, a, wsID, group.ids, group.c.Decision, group.c.At)
		errs = append(errs, err, s.recordNow(ctx, id, a, "distributions_"+group.c.Decision, "", map[string]any{"Count": n,
			"At": group.c.At.Format(time.RFC3339)}))
	}
	return errors.Join(errs...)
}

// othersName names one of the other crises that keep the pause, for the timeline.
func (h *Held) othersName() string {
	if len(h.Others) == 0 {
		return ""
	}
	return h.Others[0].Name
}

type choiceGroup struct {
	c   Choice
	ids []int64
}

// groupChoices puts together the ids with the same choice, so one decision covers them.
func groupChoices(m map[int64]Choice) []choiceGroup {
	var out []choiceGroup
	for id, c := range m {
		i := slices.IndexFunc(out, func(g choiceGroup) bool { return g.c.Decision == c.Decision && g.c.At.Equal(c.At) })
		if i < 0 {
			out = append(out, choiceGroup{c: c})
			i = len(out) - 1
		}
		out[i].ids = append(out[i].ids, id)
	}
	for i := range out {
		slices.Sort(out[i].ids)
	}
	slices.SortFunc(out, func(a, b choiceGroup) int { return strings.Compare(a.c.Decision, b.c.Decision) })
	return out
}
