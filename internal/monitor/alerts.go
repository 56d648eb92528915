package monitor

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Alert rule kinds.
const (
	AlertMention  = "mention"  // any new mention of the topic
	AlertNegative = "negative" // a negative mention from an outlet with at least MinReach
	AlertSpike    = "spike"    // far more mentions than the topic's usual volume
)

// AlertKinds in the order the form offers them.
var AlertKinds = []string{AlertSpike, AlertNegative, AlertMention}

// Chat sends an alert to a connected chat account (Telegram, Slack, Teams).
type Chat interface {
	ChatAccounts(ctx context.Context, wsID int64) ([]Account, error)
	// SendChat posts text; key is the same on every attempt at one message. An error wrapping
	// ErrUncertain says the answer was lost and the message may have arrived.
	SendChat(ctx context.Context, wsID, accountID int64, key, text string) error
}

// ErrUncertain marks a chat message that may or may not have arrived: it is not sent again.
var ErrUncertain = errors.New("monitor: the chat message may or may not have arrived")

// Rule is when to raise an alert and whom to tell.
type Rule struct {
	ID           int64
	TopicID      int64
	TopicName    string
	Kind         string
	MinReach     int64
	MinCount     int
	Factor       float64
	Window       time.Duration
	BaselineDays int
	Quiet        time.Duration
	Emails       []int64
	Accounts     []int64
	Enabled      bool
	LastFired    *time.Time
}

// RuleInput is what a person sets on a rule.
type RuleInput struct {
	TopicID      int64
	Kind         string
	MinReach     int64
	MinCount     int
	Factor       float64
	Window       time.Duration
	BaselineDays int
	Quiet        time.Duration
	Emails       []int64
	Accounts     []int64
	Enabled      bool
}

// Alert is a rule that fired.
type Alert struct {
	ID        int64
	RuleID    int64
	TopicID   int64
	TopicName string
	Kind      string
	Count     int
	Baseline  float64
	ItemID    int64
	ItemTitle string
	ItemURL   string
	FiredAt   time.Time
	Sends     []Send
}

// Send is an alert's message to one chat account.
type Send struct {
	AccountID int64
	State     string
	Error     string
	SentAt    *time.Time
}

const ruleCols = `r.id, r.topic_id, t.name, r.kind, r.min_reach, r.min_count, r.factor, r.window_minutes, r.baseline_days, r.quiet_minutes,
	r.emails, r.accounts, r.enabled, (SELECT a.fired_at FROM monitor_alerts a WHERE a.rule_id = r.id ORDER BY a.fired_at DESC LIMIT 1)`

func scanRule(sc interface{ Scan(...any) error }) (*Rule, error) {
	var r Rule
	var window, quiet int
	var emails, accounts string
	var last sql.NullTime
	if err := sc.Scan(&r.ID, &r.TopicID, &r.TopicName, &r.Kind, &r.MinReach, &r.MinCount, &r.Factor, &window, &r.BaselineDays, &quiet,
		&emails, &accounts, &r.Enabled, &last); err != nil {
		return nil, err
	}
	r.Window, r.Quiet = time.Duration(window)*time.Minute, time.Duration(quiet)*time.Minute
	_ = json.Unmarshal([]byte(emails), &r.Emails)
	_ = json.Unmarshal([]byte(accounts), &r.Accounts)
	r.LastFired = timePtr(last)
	return &r, nil
}

// Rules lists the workspace's alert rules.
func (s *Service) Rules(ctx context.Context, wsID int64) ([]*Rule, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+ruleCols+` FROM monitor_alert_rules r JOIN monitor_topics t ON t.id = r.topic_id
		WHERE r.workspace_id = ? AND t.archived_at IS NULL ORDER BY t.name, r.id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Rule returns one alert rule.
func (s *Service) Rule(ctx context.Context, wsID, id int64) (*Rule, error) {
	r, err := scanRule(s.DB.QueryRow(ctx, `SELECT `+ruleCols+` FROM monitor_alert_rules r JOIN monitor_topics t ON t.id = r.topic_id
		WHERE r.workspace_id = ? AND r.id = ?`, wsID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return r, err
}

// checkRule validates a rule against the workspace's topics, members and chat accounts.
func (s *Service) checkRule(ctx context.Context, wsID int64, in *RuleInput) error {
	f := web.NewForm(nil)
	if _, err := s.Topic(ctx, wsID, in.TopicID); err != nil {
		f.Fail("topic_id", "monitor.alert.error.topic")
	}
	if !slices.Contains(AlertKinds, in.Kind) {
		f.Fail("kind", "monitor.alert.error.kind")
	}
	if in.Window == 0 {
		in.Window = time.Hour
	}
	if in.Quiet == 0 {
		in.Quiet = 6 * time.Hour
	}
	if in.BaselineDays == 0 {
		in.BaselineDays = 7
	}
	switch in.Kind {
	case AlertSpike:
		if in.Factor < 1.5 || in.Factor > 100 {
			f.Fail("factor", "monitor.alert.error.factor")
		}
		if in.MinCount < 1 || in.MinCount > 100000 {
			f.Fail("min_count", "monitor.alert.error.min_count")
		}
		if in.Window < 10*time.Minute || in.Window > 24*time.Hour {
			f.Fail("window", "monitor.alert.error.window")
		}
		if in.BaselineDays < 1 || in.BaselineDays > 90 {
			f.Fail("baseline_days", "monitor.alert.error.baseline")
		}
	case AlertNegative:
		if in.MinReach < 0 {
			f.Fail("min_reach", "monitor.alert.error.min_reach")
		}
	}
	if in.Quiet < 10*time.Minute || in.Quiet > 7*24*time.Hour {
		f.Fail("quiet", "monitor.alert.error.quiet")
	}
	members, err := s.Members(ctx, wsID)
	if err != nil {
		return err
	}
	for _, id := range in.Emails {
		if !slices.ContainsFunc(members, func(m Member) bool { return m.ID == id }) {
			f.Fail("emails", "monitor.alert.error.member")
		}
	}
	if len(in.Accounts) > 0 {
		var accounts []Account
		if s.Chat != nil {
			if accounts, err = s.Chat.ChatAccounts(ctx, wsID); err != nil {
				return err
			}
		}
		for _, id := range in.Accounts {
			if !slices.ContainsFunc(accounts, func(a Account) bool { return a.ID == id }) {
				f.Fail("accounts", "monitor.alert.error.account")
			}
		}
	}
	if len(in.Emails) == 0 && len(in.Accounts) == 0 {
		f.Fail("emails", "monitor.alert.error.nobody")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	return nil
}

// SaveRule creates (id 0) or changes an alert rule. A new rule looks only at mentions from now on.
func (s *Service) SaveRule(ctx context.Context, a audit.Actor, wsID, id int64, in RuleInput) (*Rule, error) {
	if err := s.checkRule(ctx, wsID, &in); err != nil {
		return nil, err
	}
	emails, _ := json.Marshal(orEmpty(in.Emails))
	accounts, _ := json.Marshal(orEmpty(in.Accounts))
	now := s.now().UTC()
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		action := "monitor.alert_updated"
		if id == 0 {
			action = "monitor.alert_created"
			var seen int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM monitor_mentions WHERE workspace_id = ?`, wsID).Scan(&seen); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO monitor_alert_rules (workspace_id, topic_id, kind, min_reach, min_count, factor, window_minutes,
				baseline_days, quiet_minutes, emails, accounts, enabled, seen_mention_id, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, wsID, in.TopicID, in.Kind, in.MinReach, in.MinCount, in.Factor,
				int(in.Window/time.Minute), in.BaselineDays, int(in.Quiet/time.Minute), string(emails), string(accounts), in.Enabled, seen,
				nullID(a.UserID), now, now).Scan(&id); err != nil {
				return err
			}
		} else {
			res, err := tx.Exec(ctx, `UPDATE monitor_alert_rules SET topic_id = ?, kind = ?, min_reach = ?, min_count = ?, factor = ?, window_minutes = ?,
				baseline_days = ?, quiet_minutes = ?, emails = ?, accounts = ?, enabled = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
				in.TopicID, in.Kind, in.MinReach, in.MinCount, in.Factor, int(in.Window/time.Minute), in.BaselineDays, int(in.Quiet/time.Minute),
				string(emails), string(accounts), in.Enabled, now, wsID, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return db.ErrNotFound
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "monitor_alert_rule", id, map[string]audit.Change{"kind": {To: in.Kind}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Rule(ctx, wsID, id)
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// DeleteRule removes an alert rule; the alerts it raised go with it.
func (s *Service) DeleteRule(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM monitor_alert_rules WHERE workspace_id = ? AND id = ?`, wsID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.alert_deleted", "monitor_alert_rule", id, nil))
	})
}

// WatchEvery is how often coverage is suggested and alert rules are checked.
const WatchEvery = 15 * time.Second

// newsAge is how old a story may be and still be alerted as new: a source followed today brings its
// backlog, which is not news.
const newsAge = 24 * time.Hour

type watchArgs struct{}

func (watchArgs) Kind() string { return "monitor_watch" }

type watchWorker struct {
	river.WorkerDefaults[watchArgs]
	s *Service
}

func (w *watchWorker) Work(ctx context.Context, _ *river.Job[watchArgs]) error {
	return errors.Join(w.s.SuggestCoverage(ctx), w.s.CheckAlerts(ctx))
}

// CheckAlerts evaluates every enabled rule and raises the alerts that are due.
func (s *Service) CheckAlerts(ctx context.Context) error {
	rows, err := s.DB.Query(ctx, `SELECT r.workspace_id, r.seen_mention_id, `+ruleCols+` FROM monitor_alert_rules r
		JOIN monitor_topics t ON t.id = r.topic_id WHERE r.enabled = TRUE AND t.archived_at IS NULL ORDER BY r.id`)
	if err != nil {
		return err
	}
	type due struct {
		ws, seen int64
		r        *Rule
	}
	var rules []due
	for rows.Next() {
		var d due
		var r Rule
		var window, quiet int
		var emails, accounts string
		var last sql.NullTime
		if err := rows.Scan(&d.ws, &d.seen, &r.ID, &r.TopicID, &r.TopicName, &r.Kind, &r.MinReach, &r.MinCount, &r.Factor, &window,
			&r.BaselineDays, &quiet, &emails, &accounts, &r.Enabled, &last); err != nil {
			rows.Close()
			return err
		}
		r.Window, r.Quiet = time.Duration(window)*time.Minute, time.Duration(quiet)*time.Minute
		_ = json.Unmarshal([]byte(emails), &r.Emails)
		_ = json.Unmarshal([]byte(accounts), &r.Accounts)
		r.LastFired = timePtr(last)
		d.r = &r
		rules = append(rules, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var failed error
	for _, d := range rules {
		if err := s.checkRuleNow(ctx, d.ws, d.seen, d.r); err != nil {
			if ctx.Err() != nil {
				return err
			}
			s.Log.Error("monitor: checking an alert rule", "rule", d.r.ID, "err", err)
			failed = err
		}
	}
	return failed
}

// fired is an alert about to be raised.
type fired struct {
	period   string
	count    int
	baseline float64
	itemID   int64
}

func (s *Service) checkRuleNow(ctx context.Context, wsID, seen int64, r *Rule) error {
	now := s.now().UTC()
	var latest int64
	if err := s.DB.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM monitor_mentions WHERE topic_id = ?`, r.TopicID).Scan(&latest); err != nil {
		return err
	}
	quiet := r.LastFired != nil && now.Sub(*r.LastFired) < r.Quiet
	var raise []fired
	switch r.Kind {
	case AlertMention:
		var n int
		var first sql.NullInt64
		if err := s.DB.QueryRow(ctx, `SELECT COUNT(*), MIN(m.item_id) FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id
			WHERE m.topic_id = ? AND m.id > ? AND m.id <= ? AND m.state <> 'irrelevant' AND m.backfilled = FALSE AND i.published_at >= ?
			AND `+leadOnly, r.TopicID, seen, latest, now.Add(-newsAge)).Scan(&n, &first); err != nil {
			return err
		}
		// Mentions seen while quiet are not alerted later: the next alert counts from its own time.
		if n > 0 && !quiet {
			raise = append(raise, fired{period: period(now, r.Quiet), count: n, itemID: first.Int64})
		}
	case AlertNegative:
		rows, err := s.DB.Query(ctx, `SELECT i.id FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id
			WHERE m.topic_id = ? AND m.id > ? AND m.id <= ? AND i.sentiment = 'negative' AND i.reach >= ? AND m.backfilled = FALSE
			AND i.published_at >= ? AND `+leadOnly+` ORDER BY m.id`, r.TopicID, seen, latest, r.MinReach, now.Add(-newsAge))
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			raise = append(raise, fired{period: "item:" + strconv.FormatInt(id, 10), count: 1, itemID: id})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	case AlertSpike:
		if !quiet {
			count, baseline, err := s.Volume(ctx, wsID, r.TopicID, now, r.Window, r.BaselineDays)
			if err != nil {
				return err
			}
			if count >= r.MinCount && float64(count) >= r.Factor*baseline {
				raise = append(raise, fired{period: period(now, r.Quiet), count: count, baseline: baseline})
			}
		}
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE monitor_alert_rules SET seen_mention_id = ? WHERE id = ? AND seen_mention_id < ?`, latest, r.ID, latest); err != nil {
			return err
		}
		for _, f := range raise {
			if err := s.raise(ctx, tx, wsID, r, f, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// period names the quiet period now falls in, so two processes raise one alert between them.
func period(now time.Time, quiet time.Duration) string {
	return now.Truncate(quiet).Format(time.RFC3339)
}

// Volume counts a topic's stories published in the window before now, and its usual count for
// such a window: the average over the baseline days before the window.
func (s *Service) Volume(ctx context.Context, wsID, topicID int64, now time.Time, window time.Duration, baselineDays int) (int, float64, error) {
	var count, before int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id
		WHERE m.workspace_id = ? AND m.topic_id = ? AND m.state <> 'irrelevant' AND i.published_at >= ? AND `+leadOnly,
		wsID, topicID, now.Add(-window)).Scan(&count)
	if err != nil {
		return 0, 0, err
	}
	span := time.Duration(baselineDays) * 24 * time.Hour
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id
		WHERE m.workspace_id = ? AND m.topic_id = ? AND m.state <> 'irrelevant' AND i.published_at >= ? AND i.published_at < ? AND `+leadOnly,
		wsID, topicID, now.Add(-window-span), now.Add(-window)).Scan(&before)
	if err != nil {
		return 0, 0, err
	}
	return count, float64(before) * float64(window) / float64(span), nil
}

// raise records an alert (once per rule and period), tells the chosen members in the app and by
// email in the same transaction, and queues its chat messages, each recorded before it is sent.
func (s *Service) raise(ctx context.Context, tx *db.Tx, wsID int64, r *Rule, f fired, now time.Time) error {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO monitor_alerts (workspace_id, rule_id, topic_id, kind, period, item_id, count, baseline, fired_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rule_id, period) DO NOTHING RETURNING id`,
		wsID, r.ID, r.TopicID, r.Kind, f.period, nullID(f.itemID), f.count, f.baseline, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	key, args := alertNotice(r, f)
	link := "/monitoring/alerts/" + strconv.FormatInt(id, 10)
	if s.Notifier != nil {
		for _, user := range r.Emails {
			if err := s.Notifier.Notify(ctx, tx, notify.Notice{WorkspaceID: wsID, UserID: user, Key: key, Args: args, Link: link}); err != nil {
				return err
			}
		}
	}
	for _, account := range r.Accounts {
		var send int64
		if err := tx.QueryRow(ctx, `INSERT INTO monitor_alert_sends (alert_id, account_id) VALUES (?, ?) RETURNING id`, id, account).Scan(&send); err != nil {
			return err
		}
		if err := s.Queue.InsertTx(ctx, tx, chatArgs{SendID: send}, &river.InsertOpts{MaxAttempts: chatAttempts}); err != nil {
			return err
		}
	}
	return nil
}

// alertNotice is the sentence that announces an alert, as a catalog key and its arguments.
func alertNotice(r *Rule, f fired) (string, []any) {
	switch r.Kind {
	case AlertSpike:
		return "monitor.alert.notice.spike", []any{"Topic", r.TopicName, "Count", f.count, "Minutes", int(r.Window / time.Minute),
			"Usual", fmt.Sprintf("%.1f", f.baseline)}
	case AlertNegative:
		return "monitor.alert.notice.negative", []any{"Topic", r.TopicName}
	default:
		return "monitor.alert.notice.mention", []any{"Topic", r.TopicName, "Count", f.count}
	}
}

// Alerts lists the workspace's recent alerts, newest first.
func (s *Service) Alerts(ctx context.Context, wsID int64, limit int) ([]Alert, error) {
	return s.alerts(ctx, `a.workspace_id = ? ORDER BY a.fired_at DESC, a.id DESC LIMIT ?`, wsID, limit)
}

// Alert returns one alert with its chat messages.
func (s *Service) Alert(ctx context.Context, wsID, id int64) (*Alert, error) {
	list, err := s.alerts(ctx, `a.workspace_id = ? AND a.id = ?`, wsID, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, db.ErrNotFound
	}
	a := &list[0]
	rows, err := s.DB.Query(ctx, `SELECT account_id, state, error, sent_at FROM monitor_alert_sends WHERE alert_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sd Send
		var at sql.NullTime
		if err := rows.Scan(&sd.AccountID, &sd.State, &sd.Error, &at); err != nil {
			return nil, err
		}
		sd.SentAt = timePtr(at)
		a.Sends = append(a.Sends, sd)
	}
	return a, rows.Err()
}

func (s *Service) alerts(ctx context.Context, where string, args ...any) ([]Alert, error) {
	rows, err := s.DB.Query(ctx, `SELECT a.id, a.rule_id, a.topic_id, t.name, a.kind, a.count, a.baseline, a.item_id, COALESCE(i.title, ''),
		COALESCE(i.url, ''), a.fired_at FROM monitor_alerts a JOIN monitor_topics t ON t.id = a.topic_id
		LEFT JOIN monitor_items i ON i.id = a.item_id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		var item sql.NullInt64
		if err := rows.Scan(&a.ID, &a.RuleID, &a.TopicID, &a.TopicName, &a.Kind, &a.Count, &a.Baseline, &item, &a.ItemTitle, &a.ItemURL,
			&a.FiredAt); err != nil {
			return nil, err
		}
		a.ItemID = item.Int64
		out = append(out, a)
	}
	return out, rows.Err()
}

// chatArgs sends one recorded chat message of an alert.
type chatArgs struct {
	SendID int64 `json:"send_id"`
}

func (chatArgs) Kind() string { return "monitor_alert_chat" }

type chatWorker struct {
	river.WorkerDefaults[chatArgs]
	s *Service
}

func (w *chatWorker) Work(ctx context.Context, j *river.Job[chatArgs]) error {
	return w.s.sendChat(ctx, j.Args.SendID, j.Attempt >= j.MaxAttempts)
}

// chatAttempts is how often a chat message is tried before it is marked failed.
const chatAttempts = 4

// sendChat sends one alert message at most once: it is marked sending before the network is
// touched, and a message found still "sending" (the process stopped mid-way) is marked uncertain
// instead of being sent again. A refused message goes back to pending and the job tries again
// later, until its last attempt marks it failed.
func (s *Service) sendChat(ctx context.Context, sendID int64, last bool) error {
	var state, lang, slug, tz string
	var wsID, accountID int64
	var a Alert
	var window, quiet int
	var r Rule
	err := s.DB.QueryRow(ctx, `SELECT sd.state, sd.account_id, a.workspace_id, w.lang, w.slug, w.timezone, a.id, a.kind, a.count, a.baseline,
		t.name, r.window_minutes, r.quiet_minutes FROM monitor_alert_sends sd JOIN monitor_alerts a ON a.id = sd.alert_id
		JOIN monitor_alert_rules r ON r.id = a.rule_id JOIN monitor_topics t ON t.id = a.topic_id JOIN workspaces w ON w.id = a.workspace_id
		WHERE sd.id = ?`, sendID).Scan(&state, &accountID, &wsID, &lang, &slug, &tz, &a.ID, &a.Kind, &a.Count, &a.Baseline, &r.TopicName,
		&window, &quiet)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	switch state {
	case "sending":
		_, err := s.DB.Exec(ctx, `UPDATE monitor_alert_sends SET state = 'uncertain' WHERE id = ?`, sendID)
		return err
	case "pending":
	default:
		return nil
	}
	res, err := s.DB.Exec(ctx, `UPDATE monitor_alert_sends SET state = 'sending' WHERE id = ? AND state = 'pending'`, sendID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // another attempt has it
	}
	r.Kind, r.Window = a.Kind, time.Duration(window)*time.Minute
	key, args := alertNotice(&r, fired{count: a.Count, baseline: a.Baseline})
	zone, _ := i18n.LoadZone(tz)
	l := s.Bundle.Locale(lang, zone)
	text := l.T(key, args...) + "\n" + s.BaseURL + "/w/" + slug + "/monitoring/alerts/" + strconv.FormatInt(a.ID, 10)
	var sendErr error
	if s.Chat == nil {
		sendErr = errors.New("no chat connector")
	} else {
		sendErr = s.Chat.SendChat(ctx, wsID, accountID, "alert-"+strconv.FormatInt(sendID, 10), text)
	}
	if errors.Is(sendErr, ErrUncertain) {
		// The message may have arrived: sending it again could post the alert twice.
		_, err := s.DB.Exec(ctx, `UPDATE monitor_alert_sends SET state = 'uncertain', error = ? WHERE id = ?`, clip(sendErr.Error(), 500), sendID)
		return err
	}
	if sendErr != nil {
		state := "pending"
		if last {
			state = "failed"
		}
		if _, err := s.DB.Exec(ctx, `UPDATE monitor_alert_sends SET state = ?, error = ? WHERE id = ?`, state, clip(sendErr.Error(), 500), sendID); err != nil {
			return err
		}
		if last {
			return nil
		}
		return sendErr
	}
	_, err = s.DB.Exec(ctx, `UPDATE monitor_alert_sends SET state = 'sent', sent_at = ? WHERE id = ?`, s.now().UTC(), sendID)
	return err
}

// WindowMinutes is the spike window in minutes, for the pages.
func (r *Rule) WindowMinutes() int { return int(r.Window / time.Minute) }

// ToTriage counts the workspace's new mentions, each story once.
func (s *Service) ToTriage(ctx context.Context, wsID int64) (int, error) {
	return s.CountMentions(ctx, wsID, MentionFilter{State: MentionNew})
}
