package crisis

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/crisis/playbook"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
)

// DeclareInput is what declaring a crisis takes.
type DeclareInput struct {
	Name        string
	Description string
	Type        playbook.Type
	Severity    string
	OwnerID     int64
	Exercise    bool
	// Pause publishing and scheduled distributions (the default); KeepAccounts keep running.
	Pause        bool
	KeepAccounts []int64
	TopicID      int64
	AlertID      int64
	// PublicName is the crisis's name on the public newsroom (status updates); empty: Name.
	PublicName string
}

func (s *Service) checkDeclare(ctx context.Context, wsID int64, in *DeclareInput) (string, error) {
	in.Name, in.Description, in.PublicName = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description), strings.TrimSpace(in.PublicName)
	fields := map[string]string{}
	if in.Name == "" || len(in.Name) > 200 {
		fields["name"] = "crisis.error.name"
	}
	if len(in.PublicName) > 200 {
		fields["public_name"] = "crisis.error.public_name"
	}
	if !slices.Contains(playbook.Types, in.Type) {
		fields["type"] = "crisis.error.type"
	}
	if !slices.Contains(Severities, in.Severity) {
		fields["severity"] = "crisis.error.severity"
	}
	owner := ""
	colleagues, err := s.colleagues(ctx, wsID)
	if err != nil {
		return "", err
	}
	if c, ok := colleagues[in.OwnerID]; ok {
		owner = c.Name
	} else {
		fields["owner"] = "crisis.error.owner"
	}
	if len(fields) > 0 {
		return "", invalid(fields)
	}
	if in.PublicName == "" {
		in.PublicName = in.Name
	}
	return owner, nil
}

// Declare opens a crisis in one step: it pauses publishing and scheduled distributions (unless
// it is an exercise or the owner chose not to), calls the crisis team's first list by email and
// chat, each message with an acknowledge link, and sets the time to escalate.
func (s *Service) Declare(ctx context.Context, a audit.Actor, wsID int64, in DeclareInput) (*Crisis, error) {
	owner, err := s.checkDeclare(ctx, wsID, &in)
	if err != nil {
		return nil, err
	}
	set, err := s.Settings(ctx, wsID)
	if err != nil {
		return nil, err
	}
	t := s.clock()
	escalate := t.Add(time.Duration(set.EscalateMinutes) * time.Minute)
	keep, _ := json.Marshal(orEmpty(in.KeepAccounts))
	var id int64
	// One transaction: the crisis, its hold on the channels and the team's calls exist together or
	// not at all, and declaring or closing another crisis of the workspace waits for it.
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := lockWorkspace(ctx, tx, wsID, t); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO crises (workspace_id, name, description, kind, severity, owner_id, owner_name, exercise,
			keep_accounts, topic_id, alert_id, public_name, declared_at, declared_by, escalate_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, wsID, in.Name, in.Description, string(in.Type), in.Severity, nullID(in.OwnerID), owner, in.Exercise, string(keep),
			nullID(in.TopicID), nullID(in.AlertID), in.PublicName, t, a.Label, escalate).Scan(&id); err != nil {
			return err
		}
		if err := s.record(ctx, tx, id, a, "declared", in.Description, map[string]any{"Type": string(in.Type), "Severity": in.Severity,
			"Owner": owner}, "", 0); err != nil {
			return err
		}
		switch {
		case in.Exercise:
			// An exercise holds nothing real: the timeline says what a real crisis would have held.
			if err := s.record(ctx, tx, id, a, "pause_simulated", "", nil, "", 0); err != nil {
				return err
			}
		case !in.Pause:
			if err := s.record(ctx, tx, id, a, "not_paused", "", nil, "", 0); err != nil {
				return err
			}
		default:
			if err := s.holdChannels(ctx, tx, a, wsID, id, in); err != nil {
				return err
			}
		}
		if err := s.call(ctx, tx, wsID, id, FirstList, set, t); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "crisis.declared", "crisis", id, map[string]audit.Change{
			"name": {To: in.Name}, "type": {To: string(in.Type)}, "severity": {To: in.Severity}, "exercise": {To: in.Exercise}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, wsID, id)
}

// lockWorkspace makes the transactions that declare and close a workspace's crises take turns, so
// two of them never both think they are the last to hold the pause. The settings row is the lock
// (SQLite has one writer anyway).
func lockWorkspace(ctx context.Context, tx *db.Tx, wsID int64, t time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO crisis_settings (workspace_id, updated_at) VALUES (?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET updated_at = crisis_settings.updated_at`, wsID, t)
	return err
}

// holders counts the workspace's other open crises that hold the pause (column paused) or the
// distributions' hold (column held).
func holders(ctx context.Context, tx *db.Tx, wsID, except int64, column string) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM crises WHERE workspace_id = ? AND state = ? AND id <> ? AND `+column, wsID, Open, except).Scan(&n)
	return n, err
}

// holdChannels pauses publishing and holds scheduled distributions for a crisis, in its declaring
// transaction. Already paused by another crisis, it joins that pause (lifted when the last of them
// closes); paused by hand, it leaves that pause alone and will not lift it.
func (s *Service) holdChannels(ctx context.Context, tx *db.Tx, a audit.Actor, wsID, id int64, in DeclareInput) error {
	if s.Publishing != nil {
		paused, err := s.Publishing.Paused(ctx, tx, wsID)
		if err != nil {
			return err
		}
		others, err := holders(ctx, tx, wsID, id, "paused")
		if err != nil {
			return err
		}
		kind, holds := "paused", true
		switch {
		case !paused:
			if err := s.Publishing.Pause(ctx, tx, a, wsID, in.Name, in.KeepAccounts); err != nil {
				return err
			}
		case others > 0:
			kind = "paused_already"
		default:
			kind, holds = "paused_by_hand", false
		}
		if _, err := tx.Exec(ctx, `UPDATE crises SET paused = ? WHERE id = ?`, holds, id); err != nil {
			return err
		}
		if err := s.record(ctx, tx, id, a, kind, "", map[string]any{"Kept": len(in.KeepAccounts)}, "", 0); err != nil {
			return err
		}
	}
	if s.Distributions != nil {
		held, err := s.Distributions.Holding(ctx, tx, wsID)
		if err != nil {
			return err
		}
		others, err := holders(ctx, tx, wsID, id, "held")
		if err != nil {
			return err
		}
		if !held {
			if err := s.Distributions.Hold(ctx, tx, a, wsID, in.Name); err != nil {
				return err
			}
		}
		holds := !held || others > 0
		if _, err := tx.Exec(ctx, `UPDATE crises SET held = ? WHERE id = ?`, holds, id); err != nil {
			return err
		}
		if holds {
			return s.record(ctx, tx, id, a, "distributions_held", "", nil, "", 0)
		}
	}
	return nil
}

// record adds a timeline entry in tx.
func (s *Service) record(ctx context.Context, tx *db.Tx, crisisID int64, a audit.Actor, kind, text string, args map[string]any, refKind string, refID int64) error {
	raw, _ := json.Marshal(args)
	if args == nil {
		raw = []byte("{}")
	}
	_, err := tx.Exec(ctx, `INSERT INTO crisis_events (crisis_id, at, kind, actor_id, actor_name, text, args, ref_kind, ref_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		crisisID, s.clock(), kind, nullID(a.UserID), a.Label, text, string(raw), refKind, refID)
	return err
}

func (s *Service) recordNow(ctx context.Context, crisisID int64, a audit.Actor, kind, text string, args map[string]any) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return s.record(ctx, tx, crisisID, a, kind, text, args, "", 0) })
}

// system is the actor of what the room does by itself.
var system = audit.Actor{Label: "Warta"}

// call asks one list of the crisis team to come: an email per person with their own acknowledge
// link (in the outbox, in this transaction) and a message on the first chat account.
func (s *Service) call(ctx context.Context, tx *db.Tx, wsID, crisisID int64, list string, set *Settings, t time.Time) error {
	c, err := s.getTx(ctx, tx, wsID, crisisID)
	if err != nil {
		return err
	}
	var lang, slug, tz string
	if err := tx.QueryRow(ctx, `SELECT lang, slug, timezone FROM workspaces WHERE id = ?`, wsID).Scan(&lang, &slug, &tz); err != nil {
		return err
	}
	zone, _ := i18n.LoadZone(tz)
	n := 0
	for _, m := range set.Team {
		if m.List != list {
			continue
		}
		token := strings.ToLower(rand.Text())
		var personID int64
		err := tx.QueryRow(ctx, `INSERT INTO crisis_people (crisis_id, list, user_id, name, email, token, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (crisis_id, email) DO NOTHING RETURNING id`, crisisID, list, nullID(m.UserID), m.Name, m.Email, token, t).Scan(&personID)
		if errors.Is(err, sql.ErrNoRows) {
			continue // already asked (on the first list)
		}
		if err != nil {
			return err
		}
		msg := s.callMail(c, s.Bundle.Locale(lang, zone), m, token)
		msg.WorkspaceID = wsID
		mailID, err := s.Mail.SendTx(ctx, tx, msg)
		if errors.Is(err, mail.ErrInvalidAddress) {
			// One address the outbox refuses must not keep the crisis from being declared: the
			// room shows it failed, and the others are called.
			if _, err := tx.Exec(ctx, `INSERT INTO crisis_sends (crisis_id, person_id, channel, list, state, error, created_at) VALUES (?, ?, 'email', ?, 'failed', ?, ?)`,
				crisisID, personID, list, clip(err.Error(), 500), t); err != nil {
				return err
			}
			if err := s.record(ctx, tx, crisisID, system, "send_failed", m.Email, nil, "person", personID); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO crisis_sends (crisis_id, person_id, channel, list, mail_id, state, created_at) VALUES (?, ?, 'email', ?, ?, 'outbox', ?)`,
			crisisID, personID, list, mailID, t); err != nil {
			return err
		}
		n++
	}
	if len(set.ChatAccounts) > 0 {
		if err := s.queueChat(ctx, tx, crisisID, list, set.ChatAccounts[0], t); err != nil {
			return err
		}
	}
	return s.record(ctx, tx, crisisID, system, "called", "", map[string]any{"List": list, "Count": n, "Chats": min(len(set.ChatAccounts), 1)}, "", 0)
}

// AckURL is a person's acknowledge link.
func (s *Service) AckURL(token string) string { return s.BaseURL + "/crisis/ack/" + token }

// callMail is the email that calls one person to the crisis room.
func (s *Service) callMail(c *Crisis, l *i18n.Locale, m Member, token string) mail.Message {
	prefix := ""
	if c.Exercise {
		prefix = l.T("crisis.exercise.prefix") + " "
	}
	subject := prefix + l.T("crisis.call.subject", "Name", c.Name)
	ack := s.AckURL(token)
	lines := []string{
		l.T("crisis.call.greeting", "Name", m.Name),
		l.T("crisis.call.body", "Name", c.Name, "Owner", c.OwnerName, "At", l.DateTime(c.DeclaredAt)),
	}
	if c.Description != "" {
		lines = append(lines, c.Description)
	}
	if c.Exercise {
		lines = append(lines, l.T("crisis.exercise.mail_note"))
	}
	text := strings.Join(lines, "\n\n") + "\n\n" + l.T("crisis.call.ack") + ": " + ack + "\n"
	var html strings.Builder
	for _, p := range lines {
		fmt.Fprintf(&html, "<p>%s</p>", template.HTMLEscapeString(p))
	}
	fmt.Fprintf(&html, `<p><a href="%s" style="display:inline-block;padding:10px 16px;background:#b42318;color:#fff;text-decoration:none;border-radius:6px">%s</a></p>`,
		template.HTMLEscapeString(ack), template.HTMLEscapeString(l.T("crisis.call.ack_button")))
	return mail.Message{To: m.Email, Kind: "crisis_call", Subject: subject, Text: text,
		HTML: mail.Layout(subject, html.String(), l.T("crisis.call.footer"))}
}

// Acknowledge records that the person with this link came; acknowledging twice changes nothing.
func (s *Service) Acknowledge(ctx context.Context, token string) (*Crisis, *Person, error) {
	c, p, err := s.Person(ctx, token)
	if err != nil || p.AckedAt != nil {
		return c, p, err
	}
	if err := s.ack(ctx, c.ID, p.ID, p.Name, "link"); err != nil {
		return nil, nil, err
	}
	return s.Person(ctx, token)
}

// AcknowledgeAs records that a signed-in member came (from a chat message's link or the room).
// Someone not asked before is added to the people, so the room shows them too.
func (s *Service) AcknowledgeAs(ctx context.Context, wsID, crisisID, userID int64, name, email string) error {
	if _, err := s.Get(ctx, wsID, crisisID); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var personID int64
		var acked sql.NullTime
		err := tx.QueryRow(ctx, `SELECT id, acked_at FROM crisis_people WHERE crisis_id = ? AND (user_id = ? OR email = ?) ORDER BY id LIMIT 1`,
			crisisID, userID, strings.ToLower(email)).Scan(&personID, &acked)
		if errors.Is(err, sql.ErrNoRows) {
			// Someone who was not called joins: shown in the room, not counted towards the first
			// list's acknowledgements that decide escalation.
			err = tx.QueryRow(ctx, `INSERT INTO crisis_people (crisis_id, list, user_id, name, email, token, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
				RETURNING id`, crisisID, JoinedList, userID, name, strings.ToLower(email), strings.ToLower(rand.Text()), s.clock()).Scan(&personID)
		}
		if err != nil || acked.Valid {
			return err
		}
		return s.ackTx(ctx, tx, crisisID, personID, name, "app")
	})
}

func (s *Service) ack(ctx context.Context, crisisID, personID int64, name, via string) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return s.ackTx(ctx, tx, crisisID, personID, name, via) })
}

// ackTx records an acknowledgement once: a second one changes nothing.
func (s *Service) ackTx(ctx context.Context, tx *db.Tx, crisisID, personID int64, name, via string) error {
	res, err := tx.Exec(ctx, `UPDATE crisis_people SET acked_at = ?, acked_via = ? WHERE id = ? AND acked_at IS NULL`, s.clock(), via, personID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return s.record(ctx, tx, crisisID, audit.Actor{Label: name}, "acked", "", map[string]any{"Name": name, "Via": via}, "person", personID)
}

// ---- chat messages ----

func (s *Service) queueChat(ctx context.Context, tx *db.Tx, crisisID int64, list string, account int64, t time.Time) error {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO crisis_sends (crisis_id, channel, account_id, list, state, created_at) VALUES (?, 'chat', ?, ?, 'pending', ?)
		RETURNING id`, crisisID, account, list, t).Scan(&id); err != nil {
		return err
	}
	return s.Queue.InsertTx(ctx, tx, chatArgs{SendID: id}, &river.InsertOpts{MaxAttempts: chatAttempts})
}

// chatArgs sends one recorded chat message to the team.
type chatArgs struct {
	SendID int64 `json:"send_id"`
}

func (chatArgs) Kind() string { return "crisis_chat" }

type chatWorker struct {
	river.WorkerDefaults[chatArgs]
	s *Service
}

func (w *chatWorker) Work(ctx context.Context, j *river.Job[chatArgs]) error {
	return w.s.sendChat(ctx, j.Args.SendID, j.Attempt >= j.MaxAttempts)
}

// chatAttempts is how often a chat message is tried before the next account is.
const chatAttempts = 3

// sendChat sends one team message at most once: marked sending before the network is touched;
// one found still sending (the process stopped mid-way) is uncertain, never sent again. When its
// last attempt fails, the next chat account in the settings is tried, and the room shows both.
func (s *Service) sendChat(ctx context.Context, sendID int64, last bool) error {
	var state, list string
	var crisisID, accountID int64
	err := s.DB.QueryRow(ctx, `SELECT state, crisis_id, account_id, list FROM crisis_sends WHERE id = ?`, sendID).Scan(&state, &crisisID, &accountID, &list)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	switch state {
	case "sending":
		_, err := s.DB.Exec(ctx, `UPDATE crisis_sends SET state = 'uncertain' WHERE id = ?`, sendID)
		return err
	case "pending":
	default:
		return nil
	}
	var wsID int64
	if err := s.DB.QueryRow(ctx, `SELECT workspace_id FROM crises WHERE id = ?`, crisisID).Scan(&wsID); err != nil {
		return err
	}
	c, err := s.Get(ctx, wsID, crisisID)
	if err != nil {
		return err
	}
	res, err := s.DB.Exec(ctx, `UPDATE crisis_sends SET state = 'sending' WHERE id = ? AND state = 'pending'`, sendID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	text, err := s.chatText(ctx, c)
	if err != nil {
		return err
	}
	sendErr := errors.New("no chat connector")
	if s.Publishing != nil {
		sendErr = s.Publishing.SendChat(ctx, wsID, accountID, "crisis-"+strconv.FormatInt(sendID, 10), text)
	}
	if sendErr == nil {
		_, err = s.DB.Exec(ctx, `UPDATE crisis_sends SET state = 'sent', sent_at = ?, error = '' WHERE id = ?`, s.clock(), sendID)
		return err
	}
	if errors.Is(sendErr, ErrUncertain) {
		// The message may have arrived: sending it again could call the team twice.
		_, err := s.DB.Exec(ctx, `UPDATE crisis_sends SET state = 'uncertain', error = ? WHERE id = ?`, clip(sendErr.Error(), 500), sendID)
		return err
	}
	// A refusal for good hands over to the next account at once: the team is waiting.
	if !last && !errors.Is(sendErr, ErrRefused) {
		if _, err := s.DB.Exec(ctx, `UPDATE crisis_sends SET state = 'pending', error = ? WHERE id = ?`, clip(sendErr.Error(), 500), sendID); err != nil {
			return err
		}
		return sendErr
	}
	set, err := s.Settings(ctx, wsID)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE crisis_sends SET state = 'failed', error = ?, next_tried = ? WHERE id = ?`,
			clip(sendErr.Error(), 500), true, sendID); err != nil {
			return err
		}
		if err := s.record(ctx, tx, crisisID, system, "send_failed", clip(sendErr.Error(), 300), nil, "send", sendID); err != nil {
			return err
		}
		// The next account after this one that this list has not tried yet.
		i := slices.Index(set.ChatAccounts, accountID)
		for _, next := range set.ChatAccounts[i+1:] {
			var tried int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM crisis_sends WHERE crisis_id = ? AND list = ? AND account_id = ?`, crisisID, list, next).
				Scan(&tried); err != nil {
				return err
			}
			if tried == 0 {
				return s.queueChat(ctx, tx, crisisID, list, next, s.clock())
			}
		}
		return nil
	})
}

// chatText is the team's chat message: what happened and where to acknowledge (signed in).
func (s *Service) chatText(ctx context.Context, c *Crisis) (string, error) {
	var lang, slug, tz string
	if err := s.DB.QueryRow(ctx, `SELECT lang, slug, timezone FROM workspaces WHERE id = ?`, c.WorkspaceID).Scan(&lang, &slug, &tz); err != nil {
		return "", err
	}
	zone, _ := i18n.LoadZone(tz)
	l := s.Bundle.Locale(lang, zone)
	text := l.T("crisis.chat.text", "Name", c.Name, "Owner", c.OwnerName, "At", l.DateTime(c.DeclaredAt))
	if c.Exercise {
		text = l.T("crisis.exercise.prefix") + " " + text
	}
	room := s.BaseURL + "/w/" + slug + "/crisis/" + strconv.FormatInt(c.ID, 10)
	return text + "\n" + l.T("crisis.chat.ack") + ": " + room + "/ack", nil
}

// ---- the watch: escalation, mentions, injects ----

// WatchEvery is how often open crises are looked at.
const WatchEvery = 15 * time.Second

type watchArgs struct{}

func (watchArgs) Kind() string { return "crisis_watch" }

type watchWorker struct {
	river.WorkerDefaults[watchArgs]
	s *Service
}

func (w *watchWorker) Work(ctx context.Context, _ *river.Job[watchArgs]) error { return w.s.Watch(ctx) }

// RegisterJobs registers the crisis room's jobs on the queue.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register(q, &chatWorker{s: s})
	jobs.Register(q, &watchWorker{s: s})
	q.Periodic(WatchEvery, watchArgs{})
}

// Watch escalates crises whose first list did not acknowledge in time, brings the crisis topic's
// new mentions onto the timeline, and releases due exercise injects.
func (s *Service) Watch(ctx context.Context) error {
	rows, err := s.DB.Query(ctx, `SELECT id, workspace_id FROM crises WHERE state = ?`, Open)
	if err != nil {
		return err
	}
	type ref struct{ id, ws int64 }
	var open []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.ws); err != nil {
			rows.Close()
			return err
		}
		open = append(open, r)
	}
	rows.Close()
	var errs []error
	for _, r := range open {
		errs = append(errs, s.escalate(ctx, r.ws, r.id), s.followMentions(ctx, r.ws, r.id), s.releaseInjects(ctx, r.id))
	}
	return errors.Join(errs...)
}

// escalate calls the escalation list once, when the escalation time passed with fewer than the
// settings' acknowledgements from the first list.
func (s *Service) escalate(ctx context.Context, wsID, crisisID int64) error {
	set, err := s.Settings(ctx, wsID)
	if err != nil {
		return err
	}
	t := s.clock()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var acks int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM crisis_people WHERE crisis_id = ? AND list = ? AND acked_at IS NOT NULL`, crisisID, FirstList).
			Scan(&acks); err != nil {
			return err
		}
		if acks >= set.MinAcks {
			return nil
		}
		res, err := tx.Exec(ctx, `UPDATE crises SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL AND escalate_at <= ?`, t, crisisID, t)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := s.record(ctx, tx, crisisID, system, "escalated", "", map[string]any{"Acks": acks, "Needed": set.MinAcks}, "", 0); err != nil {
			return err
		}
		return s.call(ctx, tx, wsID, crisisID, EscalationList, set, t)
	})
}

// Person returns the person an acknowledge link belongs to, and their crisis.
func (s *Service) Person(ctx context.Context, token string) (*Crisis, *Person, error) {
	var p Person
	var wsID, crisisID int64
	var acked sql.NullTime
	err := s.DB.QueryRow(ctx, `SELECT p.id, p.crisis_id, c.workspace_id, p.list, p.name, p.email, p.asked_at, p.acked_at FROM crisis_people p
		JOIN crises c ON c.id = p.crisis_id WHERE p.token = ?`, token).Scan(&p.ID, &crisisID, &wsID, &p.List, &p.Name, &p.Email, &p.AskedAt, &acked)
	if errors.Is(err, sql.ErrNoRows) || token == "" {
		return nil, nil, ErrBadLink
	}
	if err != nil {
		return nil, nil, err
	}
	p.AckedAt = timePtr(acked)
	c, err := s.Get(ctx, wsID, crisisID)
	return c, &p, err
}
