package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/jobs"
)

// publishArgs is the job of one publication's attempt.
type publishArgs struct {
	PublicationID int64 `json:"publication_id"`
}

func (publishArgs) Kind() string { return "publish" }

// InsertOpts puts publishing on its own queue, so a burst of mail never delays a post.
func (publishArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueuePublish, MaxAttempts: 5}
}

type publishWorker struct {
	river.WorkerDefaults[publishArgs]
	s *Service
}

// Work makes one attempt. Retries are the engine's own (next_at), so the job itself succeeds
// whatever the network said; only a database failure makes River run it again.
func (w *publishWorker) Work(ctx context.Context, job *river.Job[publishArgs]) error {
	return w.s.attempt(ctx, job.Args.PublicationID)
}

// Timeout leaves room for media uploads and processing polls; the lease outlasts it.
func (w *publishWorker) Timeout(*river.Job[publishArgs]) time.Duration { return 90 * time.Second }

// Run dispatches due publications until ctx ends: it sleeps until the next one is due, a second
// at most (other processes may have scheduled something sooner), or until woken.
func (s *Service) Run(ctx context.Context) {
	for {
		next, err := s.dispatch(ctx)
		wait := time.Second
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("dispatching publications", "err", err)
		} else if !next.IsZero() {
			wait = min(wait, max(time.Until(next), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.poke:
		case <-t.C:
		}
		t.Stop()
	}
}

const dispatchBatch = 500

// dueClause selects, for one state, the publications whose time has come and that have no job
// for it: never handed out, handed out before their latest next_at (a retry), or handed out a
// lease ago without an attempt starting (the job was lost with its process). Each state is asked
// on its own so the (state, next_at) index serves the order.
const dueClause = `state = ? AND (dispatched_at IS NULL OR dispatched_at < next_at OR dispatched_at < ?)`

// dispatch inserts a job for every publication whose time has come and that has no job for it
// yet; it returns when the next one is due.
func (s *Service) dispatch(ctx context.Context) (time.Time, error) {
	for {
		n := 0
		err := s.d.Tx(ctx, func(tx *db.Tx) error {
			t := now()
			lock := ""
			if tx.Dialect() == db.Postgres {
				lock = " FOR UPDATE SKIP LOCKED" // several processes dispatch; each takes other rows
			}
			var ids []int64
			for _, st := range pending {
				rows, err := tx.Query(ctx, `SELECT id FROM publications WHERE `+dueClause+` AND next_at <= ?
					ORDER BY next_at LIMIT `+fmt.Sprint(dispatchBatch)+lock, string(st), t.Add(-s.opts.Lease), t)
				if err != nil {
					return err
				}
				got, err := scanIDs(rows)
				if err != nil {
					return err
				}
				ids = append(ids, got...)
			}
			if len(ids) == 0 {
				return nil
			}
			args := make([]river.JobArgs, len(ids))
			marks := make([]string, len(ids))
			params := []any{t}
			for i, id := range ids {
				args[i] = publishArgs{PublicationID: id}
				marks[i] = "?"
				params = append(params, id)
			}
			if err := s.q.InsertManyTx(ctx, tx, args); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE publications SET dispatched_at = ? WHERE id IN (`+strings.Join(marks, ", ")+`)`, params...); err != nil {
				return err
			}
			n = len(ids)
			return nil
		})
		if err != nil {
			return time.Time{}, err
		}
		if n < dispatchBatch {
			break
		}
	}
	var next time.Time
	for _, st := range pending {
		// The column itself, not MIN(): SQLite hands an aggregate back as text.
		var at time.Time
		err := s.d.QueryRow(ctx, `SELECT next_at FROM publications WHERE `+dueClause+` ORDER BY next_at LIMIT 1`,
			string(st), now().Add(-s.opts.Lease)).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return time.Time{}, err
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next, nil
}

// claim is what an attempt knows of its publication once it has recorded the attempt.
type claim struct {
	id, wsID, itemID, accountID int64
	number                      int
	find                        bool // an earlier attempt's outcome is unknown: ask the network first
	attemptID                   int64
	firstTry                    time.Time
	sentText                    string // what an earlier attempt sent, if any
}

// attempt makes one attempt of a publication.
func (s *Service) attempt(ctx context.Context, id int64) error {
	c, err := s.claim(ctx, id)
	if err != nil || c == nil {
		return err
	}
	// The outcome is recorded even when the job's time runs out during the call.
	rec := context.WithoutCancel(ctx)
	acct, err := getAccount(ctx, s.d, c.wsID, c.accountID)
	if errors.Is(err, db.ErrNotFound) {
		return s.finish(rec, c, outcome{err: &channel.Error{Kind: channel.Rejected, Key: "publish.error.disconnected"}, notCalled: true})
	}
	if err != nil {
		return s.finish(rec, c, outcome{err: &channel.Error{Kind: channel.Temporary, Err: err}, notCalled: true})
	}
	switch acct.HealthNow(time.Now()) {
	case Reconnect:
		return s.finish(ctx, c, outcome{err: &channel.Error{Kind: channel.Unauthorized, Reason: acct.HealthReason}, notCalled: true})
	case RateLimited:
		return s.finish(ctx, c, outcome{err: &channel.Error{Kind: channel.RateLimited, RetryAt: *acct.LimitedUntil}, notCalled: true})
	}
	conn, ok := s.conns[acct.Network]
	if !ok {
		return s.finish(ctx, c, outcome{err: &channel.Error{Kind: channel.Rejected, Key: "publish.error.no_connector"}, notCalled: true})
	}
	ca, err := s.fresh(ctx, conn, acct)
	if err != nil {
		return s.finish(ctx, c, outcome{err: err, notCalled: true})
	}
	post, problem, err := s.post(ctx, c, acct)
	if err != nil {
		return s.finish(rec, c, outcome{err: &channel.Error{Kind: channel.Temporary, Err: err}, notCalled: true})
	}
	if problem != nil {
		return s.finish(ctx, c, outcome{problem: problem, notCalled: true})
	}
	// A connector may renew credentials during a call (Bluesky rotates its refresh token when a
	// token expires mid-way): keep what it ends with.
	before := ca.Secret
	defer s.keepRenewed(rec, acct.ID, before, ca)
	if c.find && !withinIdempotency(conn, c.firstTry) {
		earlier := post
		if c.sentText != "" {
			earlier.Text = c.sentText // the item may have been edited since that attempt
		}
		found, err := conn.Find(ctx, ca, earlier)
		switch {
		case errors.Is(err, channel.ErrCannotTell):
			return s.finish(rec, c, outcome{uncertain: true, action: "find"})
		case err != nil:
			return s.finish(rec, c, outcome{err: err, action: "find"})
		case found != nil:
			return s.finish(rec, c, outcome{published: found, action: "find"})
		}
	}
	if post.Text != c.sentText {
		if err := s.d.Tx(rec, func(tx *db.Tx) error {
			_, err := tx.Exec(rec, `UPDATE publications SET sent_text = ? WHERE id = ? AND attempts = ?`, post.Text, c.id, c.number)
			return err
		}); err != nil {
			return s.finish(rec, c, outcome{err: &channel.Error{Kind: channel.Temporary, Err: err}, notCalled: true})
		}
	}
	pub, err := conn.Publish(ctx, ca, post)
	if err != nil {
		return s.finish(rec, c, outcome{err: err, called: true})
	}
	return s.finish(rec, c, outcome{published: &pub, called: true})
}

// keepRenewed saves an account's credentials when a call changed them.
func (s *Service) keepRenewed(ctx context.Context, id int64, before channel.Secret, ca *channel.Account) {
	if reflect.DeepEqual(before, ca.Secret) {
		return
	}
	if err := s.saveSecret(ctx, id, ca.Secret); err != nil {
		s.log.Error("saving renewed credentials", "account", id, "err", err)
	}
}

// withinIdempotency reports whether the network recognises a repeated request by its key for as
// long as this publication has been tried (Mastodon: an hour), so repeating it is safe.
func withinIdempotency(c channel.Connector, first time.Time) bool {
	i, ok := c.(channel.Idempotent)
	return ok && time.Since(first) < i.IdempotencyWindow()
}

// claim records the attempt before any call, in one transaction with the check that the
// publication is due and not already being worked.
func (s *Service) claim(ctx context.Context, id int64) (*claim, error) {
	var c *claim
	var held bool
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var st State
		var next time.Time
		cl := claim{id: id}
		var paused bool
		err := tx.QueryRow(ctx, `SELECT workspace_id, item_id, account_id, state, next_at, attempts, must_find, sent_text,
			`+heldByPause+`
			FROM publications p WHERE id = ?`+db.ForUpdate(tx), id).
			Scan(&cl.wsID, &cl.itemID, &cl.accountID, &st, &next, &cl.number, &cl.find, &cl.sentText, &paused)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		t := now()
		// Not due (a job from before a reschedule), or an attempt under way whose lease runs.
		if !isPending(st) || next.After(t.Add(50*time.Millisecond)) {
			return nil
		}
		if paused {
			held = true
			if _, err := tx.Exec(ctx, `UPDATE publications SET state = ?, updated_at = ? WHERE id = ?`, string(Held), t, id); err != nil {
				return err
			}
			return s.rollup(ctx, tx, cl.wsID, cl.itemID)
		}
		cl.firstTry = t
		if cl.number > 0 { // an earlier attempt: did it die mid-call, and when did trying start?
			unfinished, err := lastUnfinished(ctx, tx, id)
			if err != nil {
				return err
			}
			cl.find = cl.find || unfinished
			if err := tx.QueryRow(ctx, `SELECT started_at FROM publish_attempts WHERE publication_id = ? ORDER BY number LIMIT 1`, id).
				Scan(&cl.firstTry); err != nil {
				return err
			}
		}
		cl.number++
		action := "publish"
		if cl.find {
			action = "find"
		}
		if _, err := tx.Exec(ctx, `UPDATE publications SET state = ?, attempts = ?, next_at = ?, updated_at = ? WHERE id = ?`,
			string(Sending), cl.number, t.Add(s.opts.Lease), t, id); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO publish_attempts (workspace_id, publication_id, number, action, started_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, cl.wsID, id, cl.number, action, t).Scan(&cl.attemptID); err != nil {
			return err
		}
		c = &cl
		return nil
	})
	if held {
		return nil, err
	}
	return c, err
}

// lastUnfinished reports whether the latest attempt never recorded its outcome: the process died
// during the call, which may have reached the network.
func lastUnfinished(ctx context.Context, tx *db.Tx, id int64) (bool, error) {
	var finished *time.Time
	err := tx.QueryRow(ctx, `SELECT finished_at FROM publish_attempts WHERE publication_id = ? ORDER BY number DESC LIMIT 1`, id).
		Scan(&finished)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && finished == nil, err
}

func isPending(st State) bool {
	for _, p := range pending {
		if st == p {
			return true
		}
	}
	return false
}

// fresh returns the account's credentials, renewed when they expire within ten minutes.
func (s *Service) fresh(ctx context.Context, conn channel.Connector, acct *Account) (*channel.Account, error) {
	const window = 10 * time.Minute
	ca, err := s.credentials(acct)
	if err != nil {
		return nil, err
	}
	if ca.Secret.Expiry.IsZero() || ca.Secret.Expiry.After(time.Now().Add(window)) {
		return ca, nil // nothing to renew: no lock, no second read
	}
	mu, _ := s.refreshing.LoadOrStore(acct.ID, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	// Another attempt may have renewed them while this one waited.
	cur, err := getAccount(ctx, s.d, acct.WorkspaceID, acct.ID)
	if err != nil {
		return nil, err
	}
	if ca, err = s.credentials(cur); err != nil {
		return nil, err
	}
	changed, err := conn.Refresh(ctx, ca, window)
	if err != nil {
		return nil, err
	}
	if changed {
		if err := s.saveSecret(ctx, acct.ID, ca.Secret); err != nil {
			return nil, err
		}
	}
	return ca, nil
}

// post builds what goes to the network from the item's variant for the account's network, and
// checks it again against the network's rules: the item may have been scheduled under other
// limits (a Mastodon instance lowers its own).
func (s *Service) post(ctx context.Context, c *claim, acct *Account) (channel.Post, *channel.Problem, error) {
	it, err := s.content.Get(ctx, c.wsID, c.itemID)
	if err != nil {
		return channel.Post{}, nil, err
	}
	var v *content.Variant
	for i := range it.Variants {
		if it.Variants[i].Network == acct.Network {
			v = &it.Variants[i]
		}
	}
	if v == nil {
		return channel.Post{}, &channel.Problem{Key: channel.ProblemEmpty, Network: acct.Network, Field: "text"}, nil
	}
	p := channel.Post{Key: fmt.Sprintf("warta-%d-%d", c.id, c.itemID), Text: v.Text, FirstComment: v.FirstComment, Language: it.Lang, Thread: v.Thread}
	var assets []media.Asset
	if len(v.Media) > 0 {
		if assets, err = s.media.GetMany(ctx, c.wsID, v.Media); err != nil {
			return channel.Post{}, nil, err
		}
	}
	cv := channel.Variant{Network: acct.Network, Text: v.Text, FirstComment: v.FirstComment, Thread: v.Thread}
	for _, a := range assets {
		cv.Media = append(cv.Media, channel.Media{Kind: string(a.Kind), Bytes: a.Size, Alt: a.Alt})
		f := channel.MediaFile{Name: a.Filename, MIME: a.ContentType, Kind: string(a.Kind), Size: a.Size,
			Width: a.Width, Height: a.Height, Alt: a.Alt, Open: s.opener(c.wsID, a.ID)}
		format := asUploaded
		if acct.Network == channel.Instagram && a.Kind == media.Image && a.ContentType != "image/jpeg" {
			format, f.MIME = asJPEG, "image/jpeg" // Instagram takes JPEG images only
		}
		f.PublicURL = s.publicMediaURL(c.wsID, a.ID, format)
		p.Media = append(p.Media, f)
	}
	opts := channel.CountOptions{MastodonLimit: acct.MaxText}
	if probs := channel.Check(cv, opts); len(probs) > 0 {
		return p, &probs[0], nil
	}
	// Links carry the campaign's UTM tags for this network, unless the longer links would push
	// the text over the network's limit (Bluesky counts every character of a link).
	if it.CampaignID != 0 && s.links != nil {
		tagged, err := s.links.Tag(ctx, c.wsID, it.CampaignID, acct.Network, v.Text)
		if err != nil {
			return p, nil, err
		}
		cv.Text = tagged
		if len(channel.Check(cv, opts)) == 0 {
			p.Text = tagged
		}
	}
	return p, nil, nil
}

func (s *Service) opener(wsID, id int64) func(context.Context) (io.ReadCloser, error) {
	return func(ctx context.Context) (io.ReadCloser, error) {
		r, _, err := s.media.Open(ctx, wsID, id, false)
		return r, err
	}
}

// outcome is what an attempt learned.
type outcome struct {
	published *channel.Published
	err       error
	problem   *channel.Problem
	uncertain bool
	// notCalled: the network was not called (the account needs reconnecting, a rule is broken).
	notCalled bool
	// called: Publish itself answered, so whether the post exists is known unless the answer was lost.
	called bool
	action string
}

// finish records an attempt's outcome and what happens next.
func (s *Service) finish(ctx context.Context, c *claim, o outcome) error {
	t := now()
	var ce *channel.Error
	if o.err != nil {
		ce = channel.AsError(o.err)
		if ce.Kind == channel.Unknown && o.notCalled {
			ce.Kind = channel.Temporary // nothing reached the network
		}
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var st State
		var next time.Time = t
		var remoteID, remoteURL, incomplete string
		var publishedAt *time.Time
		var errKind, errKey, errReason, attemptOutcome string
		var errStatus int
		var retryAt *time.Time
		// Only an answer to Publish, or a post found, settles whether the post exists; a check
		// that failed, or a call never made, leaves the question open.
		mustFind := c.find
		if o.published != nil || (o.called && ce != nil && ce.Kind != channel.Unknown) {
			mustFind = false
		}
		if ce != nil && ce.Kind == channel.Unknown {
			mustFind = true
		}
		switch {
		case o.published != nil:
			st, remoteID, remoteURL, incomplete = Published, o.published.RemoteID, o.published.URL, o.published.Incomplete
			at := t
			if !o.published.At.IsZero() {
				at = o.published.At.UTC()
			}
			publishedAt = &at
			attemptOutcome = "published"
			if o.action == "find" {
				attemptOutcome = "found"
			}
		case o.uncertain:
			st, attemptOutcome, errKey = Uncertain, "cannot_tell", "publish.error.uncertain"
		case o.problem != nil:
			st, attemptOutcome, errKind, errKey = Failed, channel.Rejected.String(), channel.Rejected.String(), "problem"
			errReason = encodeProblem(*o.problem)
		default:
			errKind, errKey, errReason, errStatus = ce.Kind.String(), ce.Key, ce.Reason, ce.Status
			attemptOutcome = errKind
			switch ce.Kind {
			case channel.Temporary:
				if c.number > len(s.opts.Backoff) {
					st, errKey = Failed, "publish.error.gave_up"
				} else {
					st, next = Retrying, t.Add(s.opts.Backoff[c.number-1])
				}
			case channel.RateLimited:
				st, next = Retrying, ce.RetryAt
				if next.IsZero() || next.Before(t) {
					next = t.Add(time.Minute)
				}
				if !o.notCalled {
					if err := s.markLimited(ctx, tx, c.accountID, next); err != nil {
						return err
					}
				}
			case channel.Unknown:
				if c.number > len(s.opts.Backoff) {
					st, errKey = Uncertain, "publish.error.uncertain" // asked long enough: a person decides
				} else {
					st, next = Checking, t.Add(s.opts.Backoff[c.number-1])
				}
			case channel.Unauthorized:
				st = Failed
				if !o.notCalled {
					if err := s.markReconnectTx(ctx, tx, c.wsID, c.accountID, ce); err != nil {
						return err
					}
				}
			default:
				st = Failed
			}
			next = next.UTC() // a network's reset time may carry any zone
			if st == Retrying || st == Checking {
				retryAt = &next
			}
		}
		// attempts = its number: a later claim (after this one's lease ran out) owns the row now.
		if _, err := tx.Exec(ctx, `UPDATE publications SET state = ?, next_at = ?, remote_id = ?, remote_url = ?, published_at = ?, incomplete = ?,
			must_find = ?, error_kind = ?, error_key = ?, error_reason = ?, error_status = ?, retry_at = ?, updated_at = ?
			WHERE id = ? AND attempts = ?`,
			string(st), next, remoteID, remoteURL, publishedAt, incomplete, mustFind, errKind, errKey, errReason, errStatus, retryAt, t,
			c.id, c.number); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE publish_attempts SET finished_at = ?, outcome = ?, error_key = ?, error_reason = ?, error_status = ?,
			remote_url = ? WHERE id = ?`, t, attemptOutcome, errKey, errReason, errStatus, remoteURL, c.attemptID); err != nil {
			return err
		}
		if st == Retrying || st == Checking {
			tx.AfterCommit(s.wake)
		}
		return s.rollup(ctx, tx, c.wsID, c.itemID)
	})
	if ce != nil {
		s.log.Info("publication attempt failed", "publication", c.id, "attempt", c.number, "err", ce)
	}
	return err
}

// rollup sets the item's status from its publications: scheduled while any is pending, held
// while any is held, failed when any failed or is uncertain, published when all went out.
func (s *Service) rollup(ctx context.Context, tx *db.Tx, wsID, itemID int64) error {
	rows, err := tx.Query(ctx, `SELECT state, published_at FROM publications WHERE item_id = ?`, itemID)
	if err != nil {
		return err
	}
	counts := map[State]int{}
	var first *time.Time
	for rows.Next() {
		var st State
		var at *time.Time
		if err := rows.Scan(&st, &at); err != nil {
			rows.Close()
			return err
		}
		counts[st]++
		if at != nil && (first == nil || at.Before(*first)) {
			first = at
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var status content.Status
	switch {
	case counts[Queued]+counts[Sending]+counts[Retrying]+counts[Checking] > 0:
		status = content.Scheduled
	case counts[Held] > 0:
		status = content.Held
	case counts[Failed]+counts[Uncertain] > 0:
		status = content.Failed
	case counts[Published] > 0:
		status = content.Published
	default:
		return nil // everything cancelled: the item keeps its status
	}
	return s.content.SetOutcome(ctx, tx, wsID, itemID, status, first)
}
