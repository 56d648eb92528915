package distribute

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
)

// Deps are what the distribution service is built from.
type Deps struct {
	DB       *db.DB
	Queue    *jobs.Queue
	Keys     *secrets.Keyring
	Bundle   *i18n.Bundle
	Audience Audience
	Sources  Sources
	// Subscribers are the newsroom's subscribers; nil when there is no newsroom, and then
	// nothing is sent to subscribers.
	Subscribers Subscribers
	Log         *slog.Logger
	// BaseURL is the installation's address, for unsubscribe and tracking links.
	BaseURL string
	// SigningKey signs recipients' links.
	SigningKey []byte
	// Server is the installation's SMTP server, used by workspaces without their own; nil when
	// none is configured. From is the installation's sender address.
	Server *Server
	From   string
	// Finished, when set, is told in the closing transaction that a distribution is done.
	Finished func(ctx context.Context, tx *db.Tx, id int64) error
}

// Options tune the engine; the zero value is what the app uses.
type Options struct {
	// Lease is how long a batch stays with a process that stopped renewing it (2 minutes).
	Lease time.Duration
	// Backoff is the wait before a batch is tried again after a temporary failure (30 seconds).
	Backoff time.Duration
	// Tick is how often the dispatcher looks for work (1 second).
	Tick time.Duration
}

// Service sends distributions and keeps their records.
type Service struct {
	d        *db.DB
	store    store
	queue    *jobs.Queue
	keys     *secrets.Keyring
	bundle   *i18n.Bundle
	audience Audience
	sources  Sources
	subs     Subscribers
	log      *slog.Logger
	baseURL  string
	tokens   tokens
	server0  *Server
	from0    string
	finished func(ctx context.Context, tx *db.Tx, id int64) error
	opts     Options
	now      func() time.Time
	rec      *recorder
	wake     chan struct{}

	mu    sync.Mutex
	pools map[string]*pool
}

// New builds the service and registers its jobs on the queue.
func New(deps Deps, opts Options) *Service {
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 30 * time.Second
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	s := &Service{d: deps.DB, store: store{deps.DB}, queue: deps.Queue, keys: deps.Keys, bundle: deps.Bundle, audience: deps.Audience,
		sources: deps.Sources, subs: deps.Subscribers, log: deps.Log, baseURL: strings.TrimRight(deps.BaseURL, "/"), tokens: tokens{deps.SigningKey},
		server0: deps.Server, from0: deps.From, finished: deps.Finished, opts: opts, now: time.Now,
		wake: make(chan struct{}, 1), pools: map[string]*pool{}}
	s.rec = newRecorder(deps.DB, deps.Log, func() time.Time { return s.now() })
	jobs.Register(deps.Queue, &prepareWorker{s: s})
	jobs.Register(deps.Queue, &batchWorker{s: s})
	registerReplies(s)
	return s
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pool returns the connection pool of a server, shared by every distribution that uses it.
func (s *Service) pool(srv Server) *pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pools[srv.key()]
	if p == nil {
		p = newPool(srv)
		s.pools[srv.key()] = p
	}
	return p
}

func (s *Service) closeIdle() {
	s.mu.Lock()
	pools := make([]*pool, 0, len(s.pools))
	for _, p := range s.pools {
		pools = append(pools, p)
	}
	s.mu.Unlock()
	for _, p := range pools {
		go p.closeIdle(30 * time.Second) // a stalled server must not hold up the dispatcher
	}
}

// Problems a person is told about, as catalog keys.
var (
	ErrNoServer      = userError(http.StatusUnprocessableEntity, "no_server")
	ErrNoAudience    = userError(http.StatusUnprocessableEntity, "no_audience")
	ErrNotEditable   = userError(http.StatusConflict, "not_editable")
	ErrState         = userError(http.StatusConflict, "state")
	ErrPast          = userError(http.StatusUnprocessableEntity, "past")
	ErrKind          = userError(http.StatusUnprocessableEntity, "kind")
	ErrUnknownSource = userError(http.StatusUnprocessableEntity, "unknown_source")
	ErrTestAddress   = userError(http.StatusUnprocessableEntity, "test_address")
	ErrTestRefused   = userError(http.StatusBadGateway, "test_refused")
	ErrUnreachable   = &web.Error{Status: http.StatusBadGateway, Code: "smtp_unreachable", Key: "distribute.problem.smtp_unreachable"}
	ErrSignIn        = &web.Error{Status: http.StatusBadGateway, Code: "smtp_auth", Key: "distribute.problem.smtp_auth"}
)

func userError(status int, code string) *web.Error {
	return &web.Error{Status: status, Code: code, Key: errorKey(code)}
}

// errNoNewsroom is a distribution to subscribers in an app built without them.
var errNoNewsroom = errors.New("distribute: no newsroom subscribers were given to the service")

// system is who records what Warta does by itself.
var system = audit.Actor{Label: "Warta"}

// SendToSubscribers sends a release to the newsroom's subscribers of topics (to every subscriber
// when topics is empty), in the caller's transaction: the distribution is recorded as sending,
// by nobody, and its snapshot queued, both only when tx commits; while the workspace's
// distributions are held it is recorded as held instead. Sending each release once is
// the caller's part: it calls this in the transaction that records the release as mailed.
func (s *Service) SendToSubscribers(ctx context.Context, tx *db.Tx, wsID, releaseID int64, title string, topics []int64) (int64, error) {
	if s.subs == nil {
		return 0, errNoNewsroom
	}
	t, _ := json.Marshal(nonNil(topics))
	now := s.now().UTC()
	// While the workspace's distributions are held, the mailing waits among them for a person.
	held, err := heldTx(ctx, tx, wsID)
	if err != nil {
		return 0, err
	}
	state, heldAt := Sending, any(nil)
	if held {
		state, heldAt = Paused, now
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO distributions (workspace_id, kind, release_id, title, audience, topics, state, held_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		wsID, KindRelease, releaseID, title, AudienceSubscribers, string(t), string(state), heldAt, now, now).Scan(&id); err != nil {
		return 0, err
	}
	if state == Sending {
		if err := s.queuePrepare(ctx, tx, id); err != nil {
			return 0, err
		}
	}
	return id, audit.Record(ctx, tx, system.Entry(wsID, "distribution.created", "distribution", id,
		map[string]audit.Change{"title": {To: title}, "state": {To: state}, "audience": {To: AudienceSubscribers}}))
}

// Input is a distribution as a person sets it up.
type Input struct {
	Kind     string
	ID       int64 // the release or pitch
	Lists    []int64
	Segments []int64
	// At is when to send; nil sends now.
	At   *time.Time
	Zone string
	// ThroughHold sends it although the workspace's distributions are held (a crisis statement's).
	ThroughHold bool
}

// Create records a distribution and, unless asked to wait as a draft, sends or schedules it.
// Sending now while the workspace's distributions are held is refused (ErrHeld) unless it goes
// through holds; one scheduled meanwhile is held when its time comes.
func (s *Service) Create(ctx context.Context, a audit.Actor, wsID int64, in Input, draft bool) (*Distribution, error) {
	if in.Kind != KindRelease && in.Kind != KindPitch {
		return nil, ErrKind
	}
	ref := Ref{in.Kind, in.ID}
	if len(in.Lists)+len(in.Segments) == 0 {
		return nil, ErrNoAudience
	}
	title, err := s.title(ctx, wsID, ref)
	if err != nil {
		return nil, err
	}
	if !draft {
		if err := s.ready(ctx, wsID, ref, in.At); err != nil {
			return nil, err
		}
	}
	lists, _ := json.Marshal(nonNil(in.Lists))
	segments, _ := json.Marshal(nonNil(in.Segments))
	now := s.now().UTC()
	state := Draft
	var at any
	if !draft {
		state = Sending
		if in.At != nil {
			state, at = Scheduled, in.At.UTC()
		}
	}
	var id int64
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if state == Sending && !in.ThroughHold {
			if held, err := heldTx(ctx, tx, wsID); err != nil {
				return err
			} else if held {
				return ErrHeld
			}
		}
		var release, pitch any
		if in.Kind == KindRelease {
			release = in.ID
		} else {
			pitch = in.ID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO distributions (workspace_id, kind, release_id, pitch_id, title, lists, segments, state, scheduled_at, zone,
			through_hold, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			wsID, in.Kind, release, pitch, title, string(lists), string(segments), string(state), at, in.Zone, in.ThroughHold, nullID(a.UserID), now, now).Scan(&id); err != nil {
			return err
		}
		if state == Sending {
			if err := s.queuePrepare(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "distribution.created", "distribution", id, map[string]audit.Change{"title": {To: title}, "state": {To: state}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, wsID, id)
}

// ready checks what must hold before sending: a server to send through, a sendable release or
// pitch, and a time that has not passed.
func (s *Service) ready(ctx context.Context, wsID int64, ref Ref, at *time.Time) error {
	set, err := s.Settings(ctx, wsID)
	if err != nil {
		return err
	}
	if _, err := s.server(set); err != nil {
		return err
	}
	if err := s.sources.Sendable(ctx, wsID, ref); err != nil {
		return err
	}
	if at != nil && at.Before(s.now().Add(-time.Minute)) {
		return ErrPast
	}
	return nil
}

func (s *Service) title(ctx context.Context, wsID int64, ref Ref) (string, error) {
	choices, err := s.sources.Choices(ctx, wsID, ref.Kind)
	if err != nil {
		return "", err
	}
	for _, c := range choices {
		if c.ID == ref.ID {
			return c.Name, nil
		}
	}
	return "", ErrUnknownSource
}

// Send sends a draft now, or at at; not now while the workspace's distributions are held.
func (s *Service) Send(ctx context.Context, a audit.Actor, wsID, id int64, at *time.Time, zone string) error {
	d, err := s.Get(ctx, wsID, id)
	if err != nil {
		return err
	}
	if d.State != Draft && d.State != Scheduled {
		return ErrNotEditable
	}
	if err := s.ready(ctx, wsID, d.Ref(), at); err != nil {
		return err
	}
	now := s.now().UTC()
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if at != nil {
			res, err := tx.Exec(ctx, `UPDATE distributions SET state = 'scheduled', scheduled_at = ?, zone = ?, updated_at = ? WHERE id = ? AND workspace_id = ? AND state IN ('draft', 'scheduled')`,
				at.UTC(), zone, now, id, wsID)
			if err := changed(res, err); err != nil {
				return err
			}
			return audit.Record(ctx, tx, a.Entry(wsID, "distribution.scheduled", "distribution", id, map[string]audit.Change{"at": {To: at.UTC()}}))
		}
		if err := s.mayStart(ctx, tx, d); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE distributions SET state = 'sending', scheduled_at = NULL, updated_at = ? WHERE id = ? AND workspace_id = ? AND state IN ('draft', 'scheduled')`,
			now, id, wsID)
		if err := changed(res, err); err != nil {
			return err
		}
		if err := s.carryOn(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "distribution.sent", "distribution", id, nil))
	})
}

func changed(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrState
	}
	return nil
}

// Pause stops sending after the messages in flight; nothing queued is lost.
func (s *Service) Pause(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.move(ctx, a, wsID, id, "distribution.paused", `state = 'paused'`, `state = 'sending'`)
}

// Resume carries on with those not yet sent; not while the workspace's distributions are held.
// For one a hold stopped, it is the decision to send.
func (s *Service) Resume(ctx context.Context, a audit.Actor, wsID, id int64) error {
	d, err := s.Get(ctx, wsID, id)
	if err != nil {
		return err
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := s.mayStart(ctx, tx, d); err != nil {
			return err
		}
		now := s.now().UTC()
		res, err := tx.Exec(ctx, `UPDATE distributions SET state = 'sending', held_at = NULL, updated_at = ? WHERE id = ? AND workspace_id = ? AND state = 'paused'`, now, id, wsID)
		if err := changed(res, err); err != nil {
			return err
		}
		if err := s.carryOn(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "distribution.resumed", "distribution", id, nil))
	})
	if err == nil {
		s.poke()
	}
	return err
}

// Cancel stops the distribution for good: those not yet sent are not sent.
func (s *Service) Cancel(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error { return s.cancelTx(ctx, tx, a, wsID, id) })
}

func (s *Service) cancelTx(ctx context.Context, tx *db.Tx, a audit.Actor, wsID, id int64) error {
	now := s.now().UTC()
	res, err := tx.Exec(ctx, `UPDATE distributions SET state = 'cancelled', held_at = NULL, finished_at = ?, updated_at = ? WHERE id = ? AND workspace_id = ?
		AND state IN ('draft', 'scheduled', 'sending', 'paused')`, now, now, id, wsID)
	if err := changed(res, err); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'cancelled' WHERE distribution_id = ? AND state = 'queued'`, id); err != nil {
		return err
	}
	// Left in sending by a process that died: no later run will settle them now.
	if _, err := tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'uncertain', reason = 'interrupted' WHERE distribution_id = ? AND state = 'sending'
		AND batch IN (SELECT n FROM distribution_batches WHERE distribution_id = ? AND (lease_until IS NULL OR lease_until < ?))`, id, id, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE distribution_batches SET state = 'done' WHERE distribution_id = ?`, id); err != nil {
		return err
	}
	return audit.Record(ctx, tx, a.Entry(wsID, "distribution.cancelled", "distribution", id, nil))
}

// mayStart refuses to send a distribution now while its workspace's distributions are held,
// unless it goes through holds.
func (s *Service) mayStart(ctx context.Context, tx *db.Tx, d *Distribution) error {
	if d.ThroughHold {
		return nil
	}
	if held, err := heldTx(ctx, tx, d.WorkspaceID); err != nil {
		return err
	} else if held {
		return ErrHeld
	}
	return nil
}

// carryOn hands a distribution that is sending again to the queue: its snapshot when none was
// taken yet, else its remaining batches at once (those given back while it waited need no wait).
func (s *Service) carryOn(ctx context.Context, tx *db.Tx, id int64) error {
	if _, err := tx.Exec(ctx, `UPDATE distribution_batches SET enqueued_at = NULL, retry_at = NULL WHERE distribution_id = ? AND state = 'pending'`, id); err != nil {
		return err
	}
	var started bool
	if err := tx.QueryRow(ctx, `SELECT started_at IS NOT NULL FROM distributions WHERE id = ?`, id).Scan(&started); err != nil {
		return err
	}
	if started {
		return nil
	}
	return s.queuePrepare(ctx, tx, id)
}

func (s *Service) move(ctx context.Context, a audit.Actor, wsID, id int64, action, set, from string) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE distributions SET `+set+`, updated_at = ? WHERE id = ? AND workspace_id = ? AND `+from, s.now().UTC(), id, wsID)
		if err := changed(res, err); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "distribution", id, nil))
	})
}

// Decide settles uncertain recipients: resend sends to them again, delivered records that they
// got it (the person checked with them). ids empty means every uncertain recipient.
func (s *Service) Decide(ctx context.Context, a audit.Actor, wsID, id int64, resend bool, ids []int64) (int, error) {
	d, err := s.Get(ctx, wsID, id)
	if err != nil {
		return 0, err
	}
	if d.State == Cancelled || d.State == Draft {
		return 0, ErrState
	}
	var n int64
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := lockDistribution(ctx, tx, id); err != nil {
			return err
		}
		now := s.now().UTC()
		where := `distribution_id = ? AND state = 'uncertain'`
		if len(ids) > 0 {
			where += ` AND id IN (` + list(ids) + `)`
		}
		var res interface{ RowsAffected() (int64, error) }
		var err error
		if resend {
			res, err = tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'queued', reason = 'resent', decided_by = ? WHERE `+where, nullID(a.UserID), id)
		} else {
			res, err = tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'sent', reason = 'confirmed', sent_at = ?, decided_by = ? WHERE `+where, now, nullID(a.UserID), id)
		}
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if n == 0 {
			return nil
		}
		if resend {
			if _, err := tx.Exec(ctx, `UPDATE distribution_batches SET state = 'pending', enqueued_at = NULL, retry_at = NULL WHERE distribution_id = ?
				AND n IN (SELECT DISTINCT batch FROM distribution_recipients WHERE distribution_id = ? AND state = 'queued')`, id, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE distributions SET state = 'sending', finished_at = NULL, updated_at = ? WHERE id = ? AND state = 'done'`, now, id); err != nil {
				return err
			}
		}
		action := "distribution.confirmed"
		if resend {
			action = "distribution.resent"
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "distribution", id, map[string]audit.Change{"recipients": {To: n}}))
	})
	if err == nil && resend {
		s.poke()
	}
	return int(n), err
}

// Get reads a distribution with its counts.
func (s *Service) Get(ctx context.Context, wsID, id int64) (*Distribution, error) {
	d, err := s.store.get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	d.Counts, err = s.store.counts(ctx, id)
	return d, err
}

// Problem is what keeps a distribution from sending, as a catalog key; "" when nothing does.
func (s *Service) Problem(ctx context.Context, wsID, id int64) (string, error) {
	_, p, err := s.store.getWithProblem(ctx, wsID, id)
	if err != nil || p == "" {
		return "", err
	}
	return "distribute.problem." + p, nil
}

// List returns a workspace's distributions, newest first.
func (s *Service) List(ctx context.Context, wsID int64, f Filter) ([]Distribution, error) {
	return s.store.list(ctx, wsID, f)
}

// Recipients lists a distribution's recipients.
func (s *Service) Recipients(ctx context.Context, wsID, id int64, f RecipientFilter) ([]Recipient, error) {
	if _, err := s.store.get(ctx, wsID, id); err != nil {
		return nil, err
	}
	return s.store.recipients(ctx, id, f)
}

// Unsubscribe is the recipient's own request, through the link in the message or the one-click
// header: a journalist's consent is withdrawn and the address suppressed at once, and whatever is
// still queued for the address in any distribution of the workspace is skipped. A newsroom
// subscriber's subscription ends instead, and only what is queued for them in distributions to
// subscribers is skipped: their press mail, if any, is theirs to stop on its own.
func (s *Service) Unsubscribe(ctx context.Context, token string) (*RecipientRef, error) {
	rid := s.tokens.check(token)
	if rid == 0 {
		return nil, db.ErrNotFound
	}
	var r *RecipientRef
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if r, err = s.store.recipient(ctx, tx, rid); err != nil {
			return err
		}
		if r.Email == "" {
			return nil // erased: nothing left to unsubscribe
		}
		now := s.now().UTC()
		res, err := tx.Exec(ctx, `UPDATE distribution_recipients SET unsubscribed_at = ? WHERE id = ? AND unsubscribed_at IS NULL`, now, rid)
		if err != nil {
			return err
		}
		// Whatever waits for the address is not sent: queued and uncertain recipients are
		// skipped, and one in flight is not tried again after a temporary refusal. This holds
		// on a second click too (the person may have renewed their consent in between).
		scope, args := ``, []any{r.WorkspaceID, r.Email}
		if r.Audience == AudienceSubscribers {
			scope = ` AND distribution_id IN (SELECT id FROM distributions WHERE workspace_id = ? AND audience = 'subscribers')`
			args = append(args, r.WorkspaceID)
		}
		if _, err := tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'skipped', reason = 'unsubscribed'
			WHERE workspace_id = ? AND email = ? AND state IN ('queued', 'uncertain')`+scope, args...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE distribution_recipients SET reason = 'unsubscribed'
			WHERE workspace_id = ? AND email = ? AND state = 'sending'`+scope, args...); err != nil {
			return err
		}
		source := fmt.Sprintf("unsubscribe link in %q", r.Title)
		if r.Audience == AudienceSubscribers {
			if s.subs == nil {
				return errNoNewsroom
			}
			err = s.subs.Unsubscribe(ctx, tx, r.WorkspaceID, r.Email, source)
		} else {
			err = s.audience.Unsubscribe(ctx, tx, r.WorkspaceID, r.ContactID, r.Email, source)
		}
		if err != nil {
			return err
		}
		if first, _ := res.RowsAffected(); first == 0 {
			return nil
		}
		return audit.Record(ctx, tx, audit.Actor{Label: "recipient"}.Entry(r.WorkspaceID, "distribution.unsubscribed", "distribution", r.DistributionID,
			map[string]audit.Change{"recipient": {To: rid}}))
	})
	return r, err
}

// Opened records the first time a recipient's message was shown (the tracking pixel).
func (s *Service) Opened(ctx context.Context, token string) {
	s.track(ctx, token, "opened_at", "opened", "")
}

// Clicked records a click and returns where the link leads; "" when the token or link is not genuine.
func (s *Service) Clicked(ctx context.Context, token string, n int) (string, error) {
	rid := s.tokens.check(token)
	if rid == 0 {
		return "", nil
	}
	var target string
	err := s.d.QueryRow(ctx, `SELECT l.url FROM distribution_links l JOIN distribution_recipients r ON r.distribution_id = l.distribution_id
		WHERE r.id = ? AND l.n = ?`, rid, n).Scan(&target)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return "", err
	}
	s.track(ctx, token, "clicked_at", "clicked", target)
	return target, nil
}

// track records the first open or click of a recipient, and puts it on the contact's timeline.
func (s *Service) track(ctx context.Context, token, column, kind, detail string) {
	rid := s.tokens.check(token)
	if rid == 0 {
		return
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		r, err := s.store.recipient(ctx, tx, rid)
		if err != nil {
			return err
		}
		var on bool
		col := "track_opens"
		if kind == "clicked" {
			col = "track_clicks"
		}
		if err := tx.QueryRow(ctx, `SELECT `+col+` FROM distributions WHERE id = ?`, r.DistributionID).Scan(&on); err != nil || !on {
			return err
		}
		now := s.now().UTC()
		res, err := tx.Exec(ctx, `UPDATE distribution_recipients SET `+column+` = ? WHERE id = ? AND `+column+` IS NULL`, now, rid)
		if err != nil {
			return err
		}
		if first, _ := res.RowsAffected(); first == 0 || r.ContactID == 0 {
			return nil
		}
		return s.audience.Record(ctx, tx, r.WorkspaceID, r.ContactID, Event{Kind: kind, At: now, Title: r.Title,
			Link: fmt.Sprintf("/press/distributions/%d", r.DistributionID), Detail: detail})
	})
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		s.log.Warn("recording a tracked visit", "err", err)
	}
}

// Preview is one recipient's message as it would be sent, for the preview pane.
type Preview struct {
	Subject string
	HTML    string
	Text    string
	To      string
}

// PreviewFor writes out the message of a release or pitch for one contact (or a sample
// journalist when contact is nil), without sending or storing anything.
func (s *Service) PreviewFor(ctx context.Context, wsID int64, ref Ref, c *Contact, lang string) (*Preview, error) {
	return s.preview(ctx, wsID, ref, AudienceContacts, c, lang)
}

// preview writes out the message as the audience gets it: a subscriber's footer says they
// subscribed, and the sample reader of a distribution to subscribers has no name or outlet.
func (s *Service) preview(ctx context.Context, wsID int64, ref Ref, audience string, c *Contact, lang string) (*Preview, error) {
	set, err := s.Settings(ctx, wsID)
	if err != nil {
		return nil, err
	}
	langs, err := s.sources.Languages(ctx, wsID, ref)
	if err != nil {
		return nil, err
	}
	if c != nil && slices.Contains(langs, c.Language) {
		lang = c.Language
	}
	if !slices.Contains(langs, lang) && len(langs) > 0 {
		lang = langs[0]
	}
	l, err := s.sources.Letter(ctx, wsID, ref, lang)
	if err != nil {
		return nil, err
	}
	d := &Distribution{FromAddress: set.fromHeader(), Audience: audience}
	m, _ := s.storedMessage(d, untracked(set), l, lang, nil)
	t := &letterTemplate{subject: compile(m.subject), html: compile(m.html), text: compile(m.text),
		greetWith: compile(m.greetWith), greetWithout: compile(m.greetWithout), greetNameless: compile(m.greetNameless)}
	switch {
	case c != nil:
	case d.ToSubscribers():
		c = &Contact{Email: "pembaca@example.org"}
	default:
		loc := s.bundle.Locale(lang, nil)
		c = &Contact{Name: loc.T("distribute.preview.sample_name"), Outlet: loc.T("distribute.preview.sample_outlet"), Email: "jurnalis@example.org"}
	}
	p := &personal{name: c.Name, salutation: c.Salutation, outlet: c.Outlet, email: c.Email, token: "preview-0", base: s.baseURL}
	var subject, htmlOut, textOut bytes.Buffer
	t.subject.write(&subject, p, false, t)
	t.html.write(&htmlOut, p, true, t)
	t.text.write(&textOut, p, false, t)
	return &Preview{Subject: subject.String(), HTML: htmlOut.String(), Text: textOut.String(), To: addressHeader(c.Name, c.Email)}, nil
}

// TestSend sends one preview to an address (the officer's own), through the same server, and
// records nothing on any contact.
func (s *Service) TestSend(ctx context.Context, wsID int64, ref Ref, to, lang string) error {
	if _, err := mail.ParseAddress(to); err != nil {
		return ErrTestAddress
	}
	set, err := s.Settings(ctx, wsID)
	if err != nil {
		return err
	}
	srv, err := s.server(set)
	if err != nil {
		return err
	}
	langs, err := s.sources.Languages(ctx, wsID, ref)
	if err != nil {
		return err
	}
	if !slices.Contains(langs, lang) && len(langs) > 0 {
		lang = langs[0]
	}
	l, err := s.sources.Letter(ctx, wsID, ref, lang)
	if err != nil {
		return err
	}
	d := &Distribution{FromAddress: set.fromHeader()}
	m, _ := s.storedMessage(d, untracked(set), l, lang, nil)
	loc := s.bundle.Locale(lang, nil)
	t := &letterTemplate{subject: compile(loc.T("distribute.test.subject_prefix") + " " + m.subject), html: compile(m.html), text: compile(m.text),
		greetWith: compile(m.greetWith), greetWithout: compile(m.greetWithout), fromHeader: d.FromAddress, envelopeFrom: set.FromEmail,
		replyTo: set.ReplyTo, domain: senderDomain(set.FromEmail), listID: "<test>"}
	// Each test has its own Message-ID, or mail services drop a repeated test as a duplicate.
	p := &personal{id: 0, email: to, name: loc.T("distribute.preview.sample_name"), outlet: loc.T("distribute.preview.sample_outlet"),
		token: "test-" + strings.ToLower(rand.Text()[:12]), base: s.baseURL}
	var buf bytes.Buffer
	t.compose(&buf, p, s.now())
	pl := s.pool(srv)
	c, err := pl.get(ctx)
	if err != nil {
		var ae *authError
		if errors.As(err, &ae) {
			return ErrSignIn
		}
		return ErrUnreachable
	}
	o, detail, broken := transact(c, set.FromEmail, to, buf.Bytes())
	pl.put(c, broken)
	if o != delivered {
		s.log.Warn("test send refused", "detail", detail)
		return ErrTestRefused
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func htmlEscape(s string) string { return html.EscapeString(s) }

// Choices are what the distribution form offers: lists, segments, releases and pitches.
type Choices struct {
	Lists, Segments, Releases, Pitches []Choice
}

// FormChoices gathers the distribution form's choices.
func (s *Service) FormChoices(ctx context.Context, wsID int64) (*Choices, error) {
	var c Choices
	var err error
	if c.Lists, err = s.audience.Lists(ctx, wsID); err != nil {
		return nil, err
	}
	if c.Segments, err = s.audience.Segments(ctx, wsID); err != nil {
		return nil, err
	}
	if c.Releases, err = s.sources.Choices(ctx, wsID, KindRelease); err != nil {
		return nil, err
	}
	if c.Pitches, err = s.sources.Choices(ctx, wsID, KindPitch); err != nil {
		return nil, err
	}
	return &c, nil
}

// AudienceCount says how many of the lists' and segments' contacts would be sent to, and how
// many skipped, for the form's live count.
func (s *Service) AudienceCount(ctx context.Context, wsID int64, lists, segments []int64) (send, skip int, err error) {
	return s.audience.Count(ctx, wsID, lists, segments)
}

// errorKey is the catalog key of a refusal's message.
func errorKey(code string) string { return "distribute.error." + code }

// EraseContact removes what distributions hold of a contact being erased: their name, address
// and outlet on every recipient row, and their replies. The rows stay, anonymous, so a
// distribution's counts do not change.
func (s *Service) EraseContact(ctx context.Context, tx *db.Tx, wsID, contactID int64, emails []string) error {
	where := `workspace_id = ? AND (contact_id = ?`
	args := []any{wsID, contactID}
	for _, e := range emails {
		where += ` OR email = ?`
		args = append(args, strings.ToLower(strings.TrimSpace(e)))
	}
	where += `)`
	if _, err := tx.Exec(ctx, `DELETE FROM distribution_replies WHERE recipient_id IN (SELECT id FROM distribution_recipients WHERE `+where+`)`, args...); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'skipped', reason = 'erased' WHERE state IN ('queued', 'uncertain') AND `+where, args...); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE distribution_recipients SET contact_id = NULL, email = '', name = '', salutation = '', outlet = '' WHERE `+where, args...)
	return err
}

// EraseSubscriber forgets a newsroom subscriber erased by the newsroom: their rows in
// distributions to subscribers keep only anonymous counts, as EraseContact does for contacts. Rows
// of press distributions to the same address are a contact's, and stay.
func (s *Service) EraseSubscriber(ctx context.Context, tx *db.Tx, wsID int64, email string) error {
	where := `workspace_id = ? AND email = ? AND distribution_id IN (SELECT id FROM distributions WHERE workspace_id = ? AND audience = 'subscribers')`
	args := []any{wsID, strings.ToLower(strings.TrimSpace(email)), wsID}
	if _, err := tx.Exec(ctx, `DELETE FROM distribution_replies WHERE recipient_id IN (SELECT id FROM distribution_recipients WHERE `+where+`)`, args...); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE distribution_recipients SET state = 'skipped', reason = 'erased' WHERE state IN ('queued', 'uncertain') AND `+where, args...); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE distribution_recipients SET email = '', name = '' WHERE `+where, args...)
	return err
}

// lockDistribution serialises the changes that decide whether a distribution is done (closing
// its last batches, sending again to uncertain recipients) on PostgreSQL; SQLite has one writer.
func lockDistribution(ctx context.Context, tx *db.Tx, id int64) error {
	var got int64
	return tx.QueryRow(ctx, `SELECT id FROM distributions WHERE id = ?`+db.ForUpdate(tx), id).Scan(&got)
}

// untracked is the settings for a preview or a test: its links lead straight to their targets,
// since no recipient's token could count them.
func untracked(set *Settings) *Settings {
	c := *set
	c.TrackClicks, c.TrackOpens = false, false
	return &c
}

// senderDomain is the domain of the sender's address, for Message-IDs and EHLO.
func senderDomain(from string) string {
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		return from[at+1:]
	}
	return "localhost"
}

// ReleaseSend is a release's first distribution to journalists that began sending.
type ReleaseSend struct {
	ReleaseID int64
	StartedAt time.Time
}

// ReleasesSentSince lists the workspace's releases whose first journalist distribution began
// since the time given (newsroom subscriber mailings are not counted).
func (s *Service) ReleasesSentSince(ctx context.Context, wsID int64, since time.Time) ([]ReleaseSend, error) {
	rows, err := s.d.Query(ctx, `SELECT release_id, started_at FROM distributions WHERE workspace_id = ? AND kind = ? AND release_id IS NOT NULL
		AND audience = 'contacts' AND started_at IS NOT NULL ORDER BY started_at, id`, wsID, KindRelease)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	var out []ReleaseSend
	for rows.Next() {
		var r ReleaseSend
		if err := rows.Scan(&r.ReleaseID, &r.StartedAt); err != nil {
			return nil, err
		}
		if seen[r.ReleaseID] {
			continue
		}
		seen[r.ReleaseID] = true
		if !r.StartedAt.Before(since) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// ReleaseRecipient is a contact a release was sent to.
type ReleaseRecipient struct {
	ContactID int64
	Name      string
	Outlet    string
}

// ReleaseRecipients lists the contacts a release reached, each once, by name.
func (s *Service) ReleaseRecipients(ctx context.Context, wsID, releaseID int64) ([]ReleaseRecipient, error) {
	rows, err := s.d.Query(ctx, `SELECT DISTINCT r.contact_id, r.name, r.outlet FROM distribution_recipients r
		JOIN distributions d ON d.id = r.distribution_id WHERE d.workspace_id = ? AND d.kind = ? AND d.release_id = ?
		AND d.audience = 'contacts' AND r.contact_id IS NOT NULL AND r.state = 'sent' ORDER BY r.name`, wsID, KindRelease, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReleaseRecipient
	seen := map[int64]bool{}
	for rows.Next() {
		var r ReleaseRecipient
		if err := rows.Scan(&r.ContactID, &r.Name, &r.Outlet); err != nil {
			return nil, err
		}
		if !seen[r.ContactID] {
			seen[r.ContactID] = true
			out = append(out, r)
		}
	}
	return out, rows.Err()
}
