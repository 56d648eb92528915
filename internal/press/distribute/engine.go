package distribute

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/jobs"
)

// batchSize is how many recipients one job sends: small enough that a batch ends within a
// lease even at a slow provider's pace, large enough that jobs are few.
const batchSize = 500

// maxAttempts is how often a recipient is tried after temporary refusals before it fails.
const maxAttempts = 3

// prepareArgs is the job that takes the audience's snapshot and starts sending.
type prepareArgs struct {
	DistributionID int64  `json:"distribution_id"`
	Token          string `json:"token"`
}

func (prepareArgs) Kind() string { return "press_prepare" }
func (prepareArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueuePress, MaxAttempts: 10}
}

// queuePrepare hands the snapshot to a new job, with a token that makes any earlier job for it
// (one whose process died) a no-op.
func (s *Service) queuePrepare(ctx context.Context, tx *db.Tx, id int64) error {
	token := rand.Text()
	if _, err := tx.Exec(ctx, `UPDATE distributions SET prepare_token = ?, prepare_until = ? WHERE id = ?`, token, s.now().UTC().Add(s.opts.Lease), id); err != nil {
		return err
	}
	return s.queue.InsertTx(ctx, tx, prepareArgs{DistributionID: id, Token: token}, nil)
}

// errSuperseded stops a snapshot that another job has taken over.
var errSuperseded = errors.New("distribute: another job took over this snapshot")

// holdPrepare extends the snapshot's lease, in the transaction that writes a part of it.
func (s *Service) holdPrepare(ctx context.Context, tx *db.Tx, id int64, token string) error {
	res, err := tx.Exec(ctx, `UPDATE distributions SET prepare_until = ? WHERE id = ? AND prepare_token = ? AND state = 'sending' AND started_at IS NULL`,
		s.now().UTC().Add(s.opts.Lease), id, token)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errSuperseded
	}
	return nil
}

type prepareWorker struct {
	river.WorkerDefaults[prepareArgs]
	s *Service
}

func (w *prepareWorker) Work(ctx context.Context, job *river.Job[prepareArgs]) error {
	err := w.s.prepare(ctx, job.Args.DistributionID, job.Args.Token)
	if errors.Is(err, errSuperseded) {
		return nil
	}
	return err
}

// batchArgs is the job that sends one batch of a distribution.
type batchArgs struct {
	DistributionID int64 `json:"distribution_id"`
	Batch          int   `json:"batch"`
}

func (batchArgs) Kind() string { return "press_batch" }
func (batchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueuePress, MaxAttempts: 5}
}

type batchWorker struct {
	river.WorkerDefaults[batchArgs]
	s *Service
}

func (w *batchWorker) Work(ctx context.Context, job *river.Job[batchArgs]) error {
	return w.s.sendBatch(ctx, job.Args.DistributionID, job.Args.Batch)
}

// Timeout is longer than a batch takes at any sane pace; the lease is renewed meanwhile.
func (w *batchWorker) Timeout(*river.Job[batchArgs]) time.Duration { return time.Hour }

// prepare takes the snapshot of who the distribution goes to and what it says, then hands the
// batches to the queue. Run again after a crash, it starts the snapshot over.
func (s *Service) prepare(ctx context.Context, id int64, token string) error {
	d, err := s.store.get(ctx, 0, id)
	if err != nil {
		return err
	}
	if d.State != Sending || d.StartedAt != nil {
		return nil // already prepared, paused before it began, or cancelled
	}
	snapshotAt := s.now().UTC()
	// Start over: what an earlier, interrupted snapshot wrote goes, under this job's lease.
	if err := s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := s.holdPrepare(ctx, tx, id, token); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM distribution_recipients WHERE distribution_id = ?`, id)
		return err
	}); err != nil {
		return err
	}
	set, err := s.Settings(ctx, d.WorkspaceID)
	if err != nil {
		return err
	}
	langs, err := s.sources.Languages(ctx, d.WorkspaceID, d.Ref())
	if err != nil {
		return err
	}
	if len(langs) == 0 {
		return fmt.Errorf("distribution %d: its %s has no language", id, d.Kind)
	}
	// The recipients, in chunks: a snapshot of 100,000 contacts never holds the database long.
	var rows []Contact
	n := 0
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		err := s.d.Tx(ctx, func(tx *db.Tx) error {
			if err := s.holdPrepare(ctx, tx, id, token); err != nil {
				return err
			}
			return insertRecipients(ctx, tx, d, rows, n, langs)
		})
		n += len(rows)
		rows = rows[:0]
		return err
	}
	take := func(c Contact) error {
		rows = append(rows, c)
		if len(rows) == 1000 {
			return flush()
		}
		return nil
	}
	if d.ToSubscribers() {
		if s.subs == nil {
			return errNoNewsroom
		}
		err = s.subs.Subscribers(ctx, d.WorkspaceID, d.Topics, func(c Contact) error {
			c.ContactID = 0 // a subscriber is nobody's contact: nothing goes on a timeline
			return take(c)
		})
	} else {
		err = s.audience.Audience(ctx, d.WorkspaceID, d.Lists, d.Segments, take)
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	// The message per language, written out as it will be sent.
	messages := map[string]*storedMessage{}
	var links []string
	for _, lang := range langs {
		l, err := s.sources.Letter(ctx, d.WorkspaceID, d.Ref(), lang)
		if err != nil {
			return err
		}
		m, used := s.storedMessage(d, set, l, lang, links)
		links = used
		messages[lang] = m
	}
	batches := (n + batchSize - 1) / batchSize
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := s.holdPrepare(ctx, tx, id, token); err != nil {
			return err
		}
		for lang, m := range messages {
			if _, err := tx.Exec(ctx, `INSERT INTO distribution_messages (distribution_id, lang, subject, html, text, greet_with, greet_without, greet_nameless)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (distribution_id, lang) DO UPDATE SET subject = excluded.subject, html = excluded.html,
				text = excluded.text, greet_with = excluded.greet_with, greet_without = excluded.greet_without, greet_nameless = excluded.greet_nameless`,
				id, lang, m.subject, m.html, m.text, m.greetWith, m.greetWithout, m.greetNameless); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM distribution_links WHERE distribution_id = ?`, id); err != nil {
			return err
		}
		// The audience was read as it was when the snapshot began: an unsubscribe since then
		// skips the address here too, where that unsubscribe would have skipped it (a subscriber
		// leaving the newsroom keeps their press mail).
		scope := ``
		if !d.ToSubscribers() {
			scope = ` AND x.audience = 'contacts'`
		}
		if _, err := tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'skipped', reason = 'unsubscribed'
			WHERE distribution_id = ? AND state = 'queued' AND email IN
			(SELECT r.email FROM distribution_recipients r JOIN distributions x ON x.id = r.distribution_id
			WHERE r.workspace_id = ? AND r.unsubscribed_at >= ?`+scope+`)`, id, d.WorkspaceID, snapshotAt); err != nil {
			return err
		}
		for i, u := range links {
			if _, err := tx.Exec(ctx, `INSERT INTO distribution_links (distribution_id, n, url) VALUES (?, ?, ?)`, id, i, u); err != nil {
				return err
			}
		}
		now := s.now().UTC()
		res, err := tx.Exec(ctx, `UPDATE distributions SET started_at = ?, from_address = ?, track_opens = ?, track_clicks = ?, updated_at = ?
			WHERE id = ? AND state = 'sending' AND started_at IS NULL`, now, set.fromHeader(), set.TrackOpens, set.TrackClicks, now, id)
		if err != nil {
			return err
		}
		if changed, _ := res.RowsAffected(); changed == 0 {
			return errors.New("distribution changed while it was being prepared")
		}
		var args []river.JobArgs
		for b := range batches {
			var enqueued any
			if b < batchesAhead {
				enqueued = now
				args = append(args, batchArgs{DistributionID: id, Batch: b})
			}
			if _, err := tx.Exec(ctx, `INSERT INTO distribution_batches (distribution_id, n, state, enqueued_at) VALUES (?, ?, 'pending', ?)`, id, b, enqueued); err != nil {
				return err
			}
		}
		if batches == 0 {
			return s.finishIfDone(ctx, tx, id)
		}
		return s.queue.InsertManyTx(ctx, tx, args)
	})
}

// batchesAhead is how many batches of one distribution are queued at once; the dispatcher
// queues the next as they finish.
const batchesAhead = 6

func insertRecipients(ctx context.Context, tx *db.Tx, d *Distribution, rows []Contact, offset int, langs []string) error {
	var b strings.Builder
	args := make([]any, 0, len(rows)*10)
	b.WriteString(`INSERT INTO distribution_recipients (distribution_id, workspace_id, batch, contact_id, email, name, salutation, outlet, lang, state, reason) VALUES `)
	for i, c := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
		state, reason := Queued, ""
		if c.Skip != "" {
			state, reason = Skipped, c.Skip
		} else if _, err := mail.ParseAddress(c.Email); err != nil {
			state, reason = Skipped, "invalid_email"
		}
		lang := langs[0]
		for _, l := range langs {
			if l == c.Language {
				lang = l
			}
		}
		var contact any
		if c.ContactID != 0 {
			contact = c.ContactID
		}
		args = append(args, d.ID, d.WorkspaceID, (offset+i)/batchSize, contact, strings.ToLower(strings.TrimSpace(c.Email)), c.Name, c.Salutation, c.Outlet, lang, string(state), reason)
	}
	_, err := tx.Exec(ctx, b.String(), args...)
	return err
}

// storedMessage is a language of the distribution as stored before sending: the letter in the
// email layout, with merge fields and tracked links as placeholders.
type storedMessage struct {
	subject, html, text     string
	greetWith, greetWithout string
	greetNameless           string // "" but for subscribers, who may have given no name
}

func (s *Service) storedMessage(d *Distribution, set *Settings, l *Letter, lang string, links []string) (*storedMessage, []string) {
	loc := s.bundle.Locale(lang, nil)
	htmlPart, textPart := l.HTML, l.Text
	if set.TrackClicks {
		var found []string
		htmlPart, textPart, found = trackLinks(htmlPart, textPart)
		// Renumber after the links of the languages before this one.
		for i := len(found) - 1; i >= 0; i-- {
			n := len(links) + i
			htmlPart = strings.ReplaceAll(htmlPart, fmt.Sprintf("{{link:%d}}", i), fmt.Sprintf("{{link:%d}}", n))
			textPart = strings.ReplaceAll(textPart, fmt.Sprintf("{{link:%d}}", i), fmt.Sprintf("{{link:%d}}", n))
		}
		links = append(links, found...)
	}
	org := set.FromName
	// The footer says why the reader gets it: a journalist is on the media list, a subscriber
	// asked for it.
	footer := loc.T("distribute.mail.footer", "Org", org)
	var nameless string
	if d.ToSubscribers() {
		footer = loc.T("distribute.mail.footer_subscriber", "Org", org)
		nameless = loc.T("distribute.mail.greeting_nameless")
	}
	footerHTML := htmlEscape(footer) + ` <a href="{{unsubscribe_url}}">` + htmlEscape(loc.T("distribute.mail.unsubscribe")) + `</a>`
	footerText := footer + "\n" + loc.T("distribute.mail.unsubscribe") + ": {{unsubscribe_url}}"
	if set.TrackOpens || set.TrackClicks {
		key := "distribute.mail.tracking_clicks"
		if set.TrackOpens {
			key = "distribute.mail.tracking_opens"
		}
		footerHTML += "<br>" + htmlEscape(loc.T(key, "Org", org))
		footerText += "\n" + loc.T(key, "Org", org)
	}
	body := `<p>{{greeting}}</p>` + htmlPart
	if set.TrackOpens {
		body += `<img src="{{open_url}}" width="1" height="1" alt="" style="display:block;border:0;">`
	}
	return &storedMessage{
		subject:       l.Subject,
		html:          layout(l.Subject, body, footerHTML),
		text:          "{{greeting}}\n\n" + textPart + "\n\n-- \n" + footerText + "\n",
		greetWith:     loc.T("distribute.mail.greeting_with", "Salutation", "{{salutation}}", "Name", "{{name}}"),
		greetWithout:  loc.T("distribute.mail.greeting_without", "Name", "{{name}}"),
		greetNameless: nameless,
	}, links
}

// sendBatch sends one batch: it takes the batch's lease, settles what a crashed run left in
// sending, and sends the queued recipients through the server's pool.
func (s *Service) sendBatch(ctx context.Context, id int64, n int) error {
	now := s.now().UTC()
	owner := rand.Text()
	res, err := s.d.Exec(ctx, `UPDATE distribution_batches SET lease_until = ?, owner = ?, enqueued_at = NULL
		WHERE distribution_id = ? AND n = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?)`, now.Add(s.opts.Lease), owner, id, n, now)
	if err != nil {
		return err
	}
	if got, _ := res.RowsAffected(); got == 0 {
		return nil // done, or another process is sending it
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() { s.keepLease(ctx, stop, id, n, owner) })
	defer wg.Wait()
	defer stop()

	// Whoever held this batch before is gone (its lease ran out): what it left in sending may
	// or may not have arrived.
	if _, err := s.d.Exec(ctx, `UPDATE distribution_recipients SET state = 'uncertain', reason = 'interrupted'
		WHERE distribution_id = ? AND batch = ? AND state = 'sending'`, id, n); err != nil {
		return err
	}
	d, err := s.store.get(ctx, 0, id)
	if err != nil {
		return err
	}
	set, err := s.Settings(ctx, d.WorkspaceID)
	if err != nil {
		return err
	}
	srv, err := s.server(set)
	if err != nil {
		return s.releaseBatch(ctx, id, n, owner, s.opts.Backoff, err.Error())
	}
	templates, err := s.templates(ctx, d, set)
	if err != nil {
		return err
	}
	recipients, err := s.store.queued(ctx, id, n)
	if err != nil {
		return err
	}
	p := s.pool(srv)
	work := make(chan *queuedRecipient)
	var retry, stopped bool
	var problem string
	var mu sync.Mutex
	var senders sync.WaitGroup
	for range srv.connections() {
		senders.Go(func() {
			for r := range work {
				again, halt, why := s.sendOne(ctx, p, d, templates, r)
				if again || halt {
					mu.Lock()
					retry = retry || again
					if halt {
						stopped, problem = true, why
					}
					mu.Unlock()
				}
				if halt {
					stop()
				}
			}
		})
	}
feed:
	for i := range recipients {
		select {
		case work <- &recipients[i]:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	senders.Wait()
	// What was sent is recorded even when the job is being stopped.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := s.rec.flush(bg); err != nil {
		return err
	}
	if stopped {
		return s.releaseBatch(bg, id, n, owner, s.opts.Backoff, problem)
	}
	if retry {
		return s.releaseBatch(bg, id, n, owner, s.opts.Backoff, "")
	}
	return s.closeBatch(bg, d, n, owner)
}

// sendOne sends to one recipient. again reports a temporary failure to try later; halt one that
// stops the whole batch (the server is unreachable or refuses the sign-in).
func (s *Service) sendOne(ctx context.Context, p *pool, d *Distribution, templates map[string]*letterTemplate, r *queuedRecipient) (again, halt bool, why string) {
	t := templates[r.lang]
	if t == nil {
		for _, any := range templates {
			t = any
			break
		}
	}
	c, err := p.get(ctx)
	if err != nil {
		var ae *authError
		if errors.As(err, &ae) {
			return false, true, "smtp_auth"
		}
		if ctx.Err() != nil {
			return false, false, ""
		}
		return false, true, "smtp_unreachable"
	}
	if ctx.Err() != nil {
		// Stopping (a halt, a lost lease, shutdown): claim nobody new.
		p.put(c, false)
		return false, false, ""
	}
	ok, err := s.rec.claim(ctx, r.id)
	if err != nil || !ok {
		p.put(c, false)
		return false, false, ""
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	t.compose(buf, &personal{id: r.id, email: r.email, name: r.name, salutation: r.salutation, outlet: r.outlet,
		lang: r.lang, token: s.tokens.token(r.id), base: s.baseURL}, s.now())
	o, detail, broken := transact(c, t.envelopeFrom, r.email, buf.Bytes())
	bufPool.Put(buf)
	ch := &change{id: r.id, reason: detail}
	switch o {
	case delivered:
		ch.to, ch.reason = Sent, ""
	case refused:
		ch.to = Bounced
		ch.bounce = &bounceNote{wsID: d.WorkspaceID, email: r.email, hard: true}
	case rejected:
		ch.to = Failed
	case cutOff:
		ch.to = Uncertain
	case policy:
		ch.retry, halt, why = true, true, "smtp_policy"
	case notSent, temporarily:
		if r.attempts+1 >= maxAttempts {
			ch.to = Failed
			if o == temporarily {
				ch.to = Bounced
				ch.bounce = &bounceNote{wsID: d.WorkspaceID, email: r.email, hard: false}
			}
		} else {
			ch.retry, again = true, true
		}
	}
	// The outcome is given before the connection, so the next claim on this connection is
	// written with or after it; and it is written even when the job is being stopped.
	s.rec.record(context.WithoutCancel(ctx), ch)
	p.put(c, broken)
	return again, halt, why
}

// keepLease renews the batch's lease while it is being sent, and stops the sending when the
// lease is lost (this process was too slow, and another may have taken the batch over).
func (s *Service) keepLease(ctx context.Context, stop func(), id int64, n int, owner string) {
	t := time.NewTicker(s.opts.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := s.now().UTC()
			res, err := s.d.Exec(ctx, `UPDATE distribution_batches SET lease_until = ? WHERE distribution_id = ? AND n = ? AND owner = ? AND lease_until >= ?`,
				now.Add(s.opts.Lease), id, n, owner, now)
			if err != nil {
				continue
			}
			if got, _ := res.RowsAffected(); got == 0 {
				stop()
				return
			}
		}
	}
}

// releaseBatch gives the batch back to be tried after wait; problem, when set, is shown on the
// distribution's page until sending works again.
func (s *Service) releaseBatch(ctx context.Context, id int64, n int, owner string, wait time.Duration, problem string) error {
	now := s.now().UTC()
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE distribution_batches SET lease_until = NULL, owner = '', retry_at = ? WHERE distribution_id = ? AND n = ? AND owner = ?`,
			now.Add(wait), id, n, owner)
		if err != nil {
			return err
		}
		if got, _ := res.RowsAffected(); got == 0 {
			return nil // the lease was lost: the batch is someone else's now
		}
		_, err = tx.Exec(ctx, `UPDATE distributions SET problem = ?, updated_at = ? WHERE id = ?`, problem, now, id)
		return err
	})
}

// closeBatch ends a batch whose every recipient has an outcome: the timelines of those it
// reached say so, and the distribution is done when it was the last.
func (s *Service) closeBatch(ctx context.Context, d *Distribution, n int, owner string) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := lockDistribution(ctx, tx, d.ID); err != nil {
			return err
		}
		var holder string
		if err := tx.QueryRow(ctx, `SELECT owner FROM distribution_batches WHERE distribution_id = ? AND n = ?`, d.ID, n).Scan(&holder); err != nil {
			return err
		}
		if holder != owner {
			return nil // the lease was lost: the batch is someone else's now
		}
		var left int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM distribution_recipients WHERE distribution_id = ? AND batch = ? AND state IN ('queued', 'sending')`,
			d.ID, n).Scan(&left); err != nil {
			return err
		}
		if left > 0 {
			// Paused or cancelled midway: the batch stays pending for when sending resumes.
			_, err := tx.Exec(ctx, `UPDATE distribution_batches SET lease_until = NULL, owner = '' WHERE distribution_id = ? AND n = ?`, d.ID, n)
			return err
		}
		var closed sql.NullTime
		if err := tx.QueryRow(ctx, `SELECT closed_at FROM distribution_batches WHERE distribution_id = ? AND n = ?`, d.ID, n).Scan(&closed); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE distribution_batches SET state = 'done', lease_until = NULL, owner = '', closed_at = ? WHERE distribution_id = ? AND n = ? AND state = 'pending'`,
			s.now().UTC(), d.ID, n)
		if err != nil {
			return err
		}
		if got, _ := res.RowsAffected(); got == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE distributions SET problem = '' WHERE id = ? AND problem <> ''`, d.ID); err != nil {
			return err
		}
		if err := s.tellTimelines(ctx, tx, d, n, closed); err != nil {
			return err
		}
		if err := s.queueNext(ctx, tx, d.ID); err != nil {
			return err
		}
		return s.finishIfDone(ctx, tx, d.ID)
	})
}

// queueNext hands the distribution's next waiting batch to the queue as this one ends, so the
// connections never wait for the dispatcher's next round.
func (s *Service) queueNext(ctx context.Context, tx *db.Tx, id int64) error {
	var n int
	err := tx.QueryRow(ctx, `SELECT n FROM distribution_batches WHERE distribution_id = ? AND state = 'pending'
		AND lease_until IS NULL AND enqueued_at IS NULL AND retry_at IS NULL ORDER BY n LIMIT 1`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE distribution_batches SET enqueued_at = ? WHERE distribution_id = ? AND n = ?`, s.now().UTC(), id, n); err != nil {
		return err
	}
	return s.queue.InsertTx(ctx, tx, batchArgs{DistributionID: id, Batch: n}, nil)
}

// tellTimelines records the batch's deliveries on the contacts' timelines (and a pitch's
// pipeline), once: closing the batch happens once per opening. Deliveries are told by the second they
// happened in, one statement per second rather than one per recipient.
func (s *Service) tellTimelines(ctx context.Context, tx *db.Tx, d *Distribution, n int, closedBefore sql.NullTime) error {
	// A batch closed before (and reopened to send again to uncertain recipients) told its
	// earlier deliveries then.
	since := time.Time{}
	if closedBefore.Valid {
		since = closedBefore.Time
	}
	rows, err := tx.Query(ctx, `SELECT contact_id, sent_at FROM distribution_recipients
		WHERE distribution_id = ? AND batch = ? AND state = 'sent' AND contact_id IS NOT NULL AND sent_at > ? ORDER BY sent_at`, d.ID, n, since)
	if err != nil {
		return err
	}
	var seconds []time.Time
	bySecond := map[time.Time][]int64{}
	for rows.Next() {
		var contact int64
		var at time.Time
		if err := rows.Scan(&contact, &at); err != nil {
			rows.Close()
			return err
		}
		at = at.UTC().Truncate(time.Second)
		if _, seen := bySecond[at]; !seen {
			seconds = append(seconds, at)
		}
		bySecond[at] = append(bySecond[at], contact)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	kind := "release_sent"
	if d.Kind == KindPitch {
		kind = "pitch_sent"
	}
	link := fmt.Sprintf("/press/distributions/%d", d.ID)
	for _, at := range seconds {
		if err := s.audience.RecordMany(ctx, tx, d.WorkspaceID, bySecond[at], Event{Kind: kind, At: at, Title: d.Title, Link: link}); err != nil {
			return err
		}
		for _, contact := range bySecond[at] {
			if err := s.sources.Delivered(ctx, tx, d.WorkspaceID, d.Ref(), contact, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// finishIfDone marks the distribution done when no batch is pending, and tells its sender.
func (s *Service) finishIfDone(ctx context.Context, tx *db.Tx, id int64) error {
	var pending int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM distribution_batches WHERE distribution_id = ? AND state = 'pending'`, id).Scan(&pending); err != nil {
		return err
	}
	if pending > 0 {
		return nil
	}
	now := s.now().UTC()
	res, err := tx.Exec(ctx, `UPDATE distributions SET state = 'done', finished_at = ?, updated_at = ? WHERE id = ? AND state = 'sending'`, now, now, id)
	if err != nil {
		return err
	}
	if got, _ := res.RowsAffected(); got == 1 && s.finished != nil {
		return s.finished(ctx, tx, id)
	}
	return nil
}

// templates compiles the distribution's stored messages, one per language.
func (s *Service) templates(ctx context.Context, d *Distribution, set *Settings) (map[string]*letterTemplate, error) {
	msgs, err := s.store.messages(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	domain := "localhost"
	if at := strings.LastIndexByte(set.FromEmail, '@'); at >= 0 {
		domain = set.FromEmail[at+1:]
	}
	out := map[string]*letterTemplate{}
	for lang, m := range msgs {
		t := &letterTemplate{
			subject: compile(m.subject), html: compile(m.html), text: compile(m.text),
			greetWith: compile(m.greetWith), greetWithout: compile(m.greetWithout), greetNameless: compile(m.greetNameless),
			fromHeader: d.FromAddress, envelopeFrom: set.FromEmail, domain: domain, distributionD: d.ID,
			listID: fmt.Sprintf("<d%d.%s>", d.WorkspaceID, domain),
		}
		if set.ReplyTo != "" {
			t.replyTo = set.ReplyTo
		}
		if !t.subject.hasFields() {
			t.plainSubject = mime.QEncoding.Encode("utf-8", m.subject)
		}
		out[lang] = t
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("distribution %d has no stored message", d.ID)
	}
	return out, nil
}

// Run dispatches distributions until ctx ends: it starts scheduled ones when due, queues the
// next batches of those sending, and takes back batches whose process died. It also writes
// recipients' states for this process's senders.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.rec.run(ctx, s.bounce) })
	defer wg.Wait()
	t := time.NewTicker(s.opts.Tick)
	defer t.Stop()
	for {
		if err := s.dispatch(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("dispatching distributions", "err", err)
		}
		s.closeIdle()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

func (s *Service) bounce(ctx context.Context, tx *db.Tx, n *bounceNote, reason string) error {
	return s.audience.Bounce(ctx, tx, n.wsID, n.email, n.hard, reason)
}

func (s *Service) dispatch(ctx context.Context) error {
	now := s.now().UTC()
	// What a hold keeps from sending waits for a person: scheduled ones due now, and any that
	// began sending as the hold started.
	if err := s.holdDueEverywhere(ctx, now); err != nil {
		return err
	}
	due, err := s.store.dueScheduled(ctx, now)
	if err != nil {
		return err
	}
	for _, id := range due {
		if err := s.d.Tx(ctx, func(tx *db.Tx) error {
			res, err := tx.Exec(ctx, `UPDATE distributions SET state = 'sending', updated_at = ? WHERE id = ? AND state = 'scheduled'
				AND id IN (SELECT d.id FROM distributions d WHERE d.id = ? AND `+notHeld+`)`, now, id, id)
			if err != nil {
				return err
			}
			if got, _ := res.RowsAffected(); got == 0 {
				return nil // started by someone else, or held since: the next round holds it
			}
			// One rescheduled after a hold stopped it midway carries on where it stopped.
			return s.carryOn(ctx, tx, id)
		}); err != nil {
			return err
		}
	}
	// Snapshots whose process died while taking them start again.
	stale, err := s.store.stalePrepares(ctx, now)
	if err != nil {
		return err
	}
	for _, id := range stale {
		if err := s.d.Tx(ctx, func(tx *db.Tx) error {
			res, err := tx.Exec(ctx, `UPDATE distributions SET prepare_until = ? WHERE id = ? AND state = 'sending' AND started_at IS NULL AND prepare_until < ?`,
				now.Add(s.opts.Lease), id, now)
			if err != nil {
				return err
			}
			if got, _ := res.RowsAffected(); got == 0 {
				return nil
			}
			return s.queuePrepare(ctx, tx, id)
		}); err != nil {
			return err
		}
	}
	// Batches to queue: pending, not leased, not queued lately, not waiting for a retry; at most
	// batchesAhead at a time per distribution.
	ready, err := s.store.readyBatches(ctx, now, s.opts.Lease)
	if err != nil {
		return err
	}
	if len(ready) == 0 {
		return nil
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		var args []river.JobArgs
		for _, b := range ready {
			res, err := tx.Exec(ctx, `UPDATE distribution_batches SET enqueued_at = ? WHERE distribution_id = ? AND n = ? AND state = 'pending'`, now, b.DistributionID, b.Batch)
			if err != nil {
				return err
			}
			if got, _ := res.RowsAffected(); got == 1 {
				args = append(args, b)
			}
		}
		return s.queue.InsertManyTx(ctx, tx, args)
	})
}
