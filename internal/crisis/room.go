package crisis

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/crisis/playbook"
	"warta.dev/warta/internal/platform/db"
)

const crisisColumns = `id, workspace_id, name, description, kind, severity, COALESCE(owner_id, 0), owner_name, exercise, state, paused, held,
	keep_accounts, COALESCE(topic_id, 0), COALESCE(alert_id, 0), public_name, declared_at, declared_by, escalate_at, escalated_at, closed_at,
	closed_by, closing_note`

func scanCrisis(sc interface{ Scan(...any) error }) (*Crisis, error) {
	var c Crisis
	var kind, keep string
	var escalate, escalated, closed sql.NullTime
	if err := sc.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Description, &kind, &c.Severity, &c.OwnerID, &c.OwnerName, &c.Exercise, &c.State,
		&c.Paused, &c.Held, &keep, &c.TopicID, &c.AlertID, &c.PublicName, &c.DeclaredAt, &c.DeclaredBy, &escalate, &escalated, &closed,
		&c.ClosedBy, &c.ClosingNote); err != nil {
		return nil, err
	}
	c.Type = playbook.Type(kind)
	c.DeclaredAt = c.DeclaredAt.UTC()
	_ = json.Unmarshal([]byte(keep), &c.KeepAccounts)
	c.EscalateAt, c.EscalatedAt, c.ClosedAt = timePtr(escalate), timePtr(escalated), timePtr(closed)
	return &c, nil
}

// Get returns one crisis of the workspace.
func (s *Service) Get(ctx context.Context, wsID, id int64) (*Crisis, error) {
	c, err := scanCrisis(s.DB.QueryRow(ctx, `SELECT `+crisisColumns+` FROM crises WHERE workspace_id = ? AND id = ?`, wsID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return c, err
}

func (s *Service) getTx(ctx context.Context, tx *db.Tx, wsID, id int64) (*Crisis, error) {
	c, err := scanCrisis(tx.QueryRow(ctx, `SELECT `+crisisColumns+` FROM crises WHERE workspace_id = ? AND id = ?`, wsID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return c, err
}

// openCrisis returns a crisis that is still open, or ErrClosed.
func (s *Service) openCrisis(ctx context.Context, wsID, id int64) (*Crisis, error) {
	c, err := s.Get(ctx, wsID, id)
	if err == nil && !c.IsOpen() {
		return nil, ErrClosed
	}
	return c, err
}

// List returns the workspace's crises, open ones first, newest first.
func (s *Service) List(ctx context.Context, wsID int64) ([]*Crisis, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+crisisColumns+` FROM crises WHERE workspace_id = ? ORDER BY CASE WHEN state = 'open' THEN 0 ELSE 1 END,
		declared_at DESC, id DESC LIMIT 200`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Crisis
	for rows.Next() {
		c, err := scanCrisis(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenCrises returns the workspace's open crises (the banner on every page, the home page).
func (s *Service) OpenCrises(ctx context.Context, wsID int64) ([]*Crisis, error) {
	all, err := s.List(ctx, wsID)
	return slices.DeleteFunc(all, func(c *Crisis) bool { return !c.IsOpen() }), err
}

// Room reads everything the crisis room shows.
func (s *Service) Room(ctx context.Context, wsID, id int64) (*Room, error) {
	c, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	r := &Room{Crisis: c}
	if r.Events, err = s.Timeline(ctx, wsID, id); err != nil {
		return nil, err
	}
	if r.People, r.Sends, err = s.people(ctx, wsID, id); err != nil {
		return nil, err
	}
	if r.Decisions, err = s.Decisions(ctx, wsID, id); err != nil {
		return nil, err
	}
	if r.Tasks, err = s.Tasks(ctx, wsID, id); err != nil {
		return nil, err
	}
	if r.Messages, err = s.Messages(ctx, wsID, id); err != nil {
		return nil, err
	}
	if r.Questions, err = s.Questions(ctx, wsID, id); err != nil {
		return nil, err
	}
	if r.Statements, err = s.Statements(ctx, wsID, id); err != nil {
		return nil, err
	}
	if r.Updates, err = s.Updates(ctx, wsID, id); err != nil {
		return nil, err
	}
	if r.Injects, err = s.Injects(ctx, wsID, id); err != nil {
		return nil, err
	}
	return r, nil
}

// Timeline is the crisis's entries in order.
func (s *Service) Timeline(ctx context.Context, wsID, id int64) ([]Event, error) {
	rows, err := s.DB.Query(ctx, `SELECT e.id, e.at, e.kind, e.actor_name, e.text, e.args, e.ref_kind, e.ref_id, COALESCE(e.corrects, 0)
		FROM crisis_events e JOIN crises c ON c.id = e.crisis_id WHERE c.workspace_id = ? AND e.crisis_id = ? ORDER BY e.at, e.id`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var args string
		if err := rows.Scan(&e.ID, &e.At, &e.Kind, &e.ActorName, &e.Text, &args, &e.RefKind, &e.RefID, &e.Corrects); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		_ = json.Unmarshal([]byte(args), &e.Args)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Args are an event's arguments as the catalog takes them.
func (e Event) ArgList() []any {
	var out []any
	keys := make([]string, 0, len(e.Args))
	for k := range e.Args {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := e.Args[k]
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			v = int64(f)
		}
		out = append(out, k, v)
	}
	return out
}

func (s *Service) people(ctx context.Context, wsID, id int64) ([]Person, []Send, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.id, p.list, COALESCE(p.user_id, 0), p.name, p.email, p.asked_at, p.acked_at, p.acked_via, p.token
		FROM crisis_people p JOIN crises c ON c.id = p.crisis_id WHERE c.workspace_id = ? AND p.crisis_id = ? ORDER BY p.id`, wsID, id)
	if err != nil {
		return nil, nil, err
	}
	var people []Person
	for rows.Next() {
		var p Person
		var acked sql.NullTime
		if err := rows.Scan(&p.ID, &p.List, &p.UserID, &p.Name, &p.Email, &p.AskedAt, &acked, &p.AckedVia, &p.token); err != nil {
			rows.Close()
			return nil, nil, err
		}
		p.AckedAt = timePtr(acked)
		people = append(people, p)
	}
	rows.Close()
	rows, err = s.DB.Query(ctx, `SELECT d.id, COALESCE(d.person_id, 0), d.channel, COALESCE(d.account_id, 0), d.list, COALESCE(d.mail_id, 0), d.state,
		d.error, d.sent_at FROM crisis_sends d JOIN crises c ON c.id = d.crisis_id WHERE c.workspace_id = ? AND d.crisis_id = ? ORDER BY d.id`, wsID, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var sends []Send
	for rows.Next() {
		var d Send
		var sent sql.NullTime
		if err := rows.Scan(&d.ID, &d.PersonID, &d.Channel, &d.AccountID, &d.List, &d.mailID, &d.State, &d.Error, &sent); err != nil {
			return nil, nil, err
		}
		d.SentAt = timePtr(sent)
		sends = append(sends, d)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// An email's state is the outbox's.
	for i := range sends {
		if sends[i].mailID == 0 || s.Mail == nil {
			continue
		}
		m, err := s.Mail.GetWorkspace(ctx, wsID, sends[i].mailID)
		if err != nil {
			continue
		}
		sends[i].State, sends[i].Error, sends[i].SentAt = m.Status, m.LastError, m.SentAt
	}
	return people, sends, nil
}

// ---- entries people add ----

// AddNote adds a note to the timeline; corrects names an earlier entry it corrects.
func (s *Service) AddNote(ctx context.Context, a audit.Actor, wsID, id int64, text string, corrects int64) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return invalid(map[string]string{"text": "crisis.error.note"})
	}
	if _, err := s.openCrisis(ctx, wsID, id); err != nil && !errors.Is(err, ErrClosed) {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		kind := "note"
		if corrects != 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM crisis_events WHERE crisis_id = ? AND id = ?`, id, corrects).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return invalid(map[string]string{"corrects": "crisis.error.corrects"})
			}
			kind = "correction"
		}
		raw := "{}"
		_, err := tx.Exec(ctx, `INSERT INTO crisis_events (crisis_id, at, kind, actor_id, actor_name, text, args, corrects) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, s.clock(), kind, nullID(a.UserID), a.Label, clip(text, 4000), raw, nullID(corrects))
		return err
	})
}

// AddDecision records a decision: what, who decided, why.
func (s *Service) AddDecision(ctx context.Context, a audit.Actor, wsID, id int64, decision, decidedBy, reason string) (*Decision, error) {
	decision, decidedBy, reason = strings.TrimSpace(decision), strings.TrimSpace(decidedBy), strings.TrimSpace(reason)
	fields := map[string]string{}
	if decision == "" {
		fields["decision"] = "crisis.error.decision"
	}
	if decidedBy == "" {
		decidedBy = a.Label
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	if _, err := s.openCrisis(ctx, wsID, id); err != nil {
		return nil, err
	}
	d := &Decision{Decision: clip(decision, 2000), Reason: clip(reason, 4000), DecidedBy: clip(decidedBy, 200), At: s.clock()}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO crisis_decisions (crisis_id, decision, reason, decided_by, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
			RETURNING id`, id, d.Decision, d.Reason, d.DecidedBy, nullID(a.UserID), d.At).Scan(&d.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, id, a, "decision", d.Decision, map[string]any{"By": d.DecidedBy, "Reason": d.Reason}, "decision", d.ID)
	})
	return d, err
}

// Decisions is the decisions log, oldest first.
func (s *Service) Decisions(ctx context.Context, wsID, id int64) ([]Decision, error) {
	rows, err := s.DB.Query(ctx, `SELECT d.id, d.decision, d.reason, d.decided_by, d.created_at FROM crisis_decisions d JOIN crises c ON c.id = d.crisis_id
		WHERE c.workspace_id = ? AND d.crisis_id = ? ORDER BY d.id`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.ID, &d.Decision, &d.Reason, &d.DecidedBy, &d.At); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ownerName is the name of the member owning a task or a message (none: ""); one who is not a
// member fails the owner field.
func (s *Service) ownerName(ctx context.Context, wsID, userID int64, fields map[string]string) (string, error) {
	if userID == 0 {
		return "", nil
	}
	colleagues, err := s.colleagues(ctx, wsID)
	if err != nil {
		return "", err
	}
	c, ok := colleagues[userID]
	if !ok {
		fields["owner"] = "crisis.error.owner"
	}
	return c.Name, nil
}

// TaskInput is a new task.
type TaskInput struct {
	Title   string
	OwnerID int64
	DueAt   *time.Time
}

// AddTask adds a task with an owner (a member) and an optional due time.
func (s *Service) AddTask(ctx context.Context, a audit.Actor, wsID, id int64, in TaskInput) (*Task, error) {
	in.Title = strings.TrimSpace(in.Title)
	fields := map[string]string{}
	if in.Title == "" {
		fields["title"] = "crisis.error.task"
	}
	owner, err := s.ownerName(ctx, wsID, in.OwnerID, fields)
	if err != nil {
		return nil, err
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	if _, err := s.openCrisis(ctx, wsID, id); err != nil {
		return nil, err
	}
	t := &Task{Title: clip(in.Title, 500), OwnerID: in.OwnerID, OwnerName: owner, DueAt: in.DueAt, CreatedAt: s.clock()}
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO crisis_tasks (crisis_id, title, owner_id, owner_name, due_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, id, t.Title, nullID(t.OwnerID), owner, t.DueAt, a.Label, t.CreatedAt).Scan(&t.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, id, a, "task_added", t.Title, map[string]any{"Owner": owner}, "task", t.ID)
	})
	return t, err
}

// CompleteTask marks a task done.
func (s *Service) CompleteTask(ctx context.Context, a audit.Actor, wsID, id, taskID int64) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var title string
		err := tx.QueryRow(ctx, `SELECT t.title FROM crisis_tasks t JOIN crises c ON c.id = t.crisis_id WHERE c.workspace_id = ? AND t.crisis_id = ? AND t.id = ?
			AND t.done_at IS NULL`, wsID, id, taskID).Scan(&title)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE crisis_tasks SET done_at = ?, done_by = ? WHERE id = ?`, s.clock(), a.Label, taskID); err != nil {
			return err
		}
		return s.record(ctx, tx, id, a, "task_done", title, nil, "task", taskID)
	})
}

// Tasks lists the crisis's tasks: open ones by due time, then done ones.
func (s *Service) Tasks(ctx context.Context, wsID, id int64) ([]Task, error) {
	rows, err := s.DB.Query(ctx, `SELECT t.id, t.title, COALESCE(t.owner_id, 0), t.owner_name, t.due_at, t.done_at, t.done_by, t.created_at
		FROM crisis_tasks t JOIN crises c ON c.id = t.crisis_id WHERE c.workspace_id = ? AND t.crisis_id = ?
		ORDER BY CASE WHEN t.done_at IS NULL THEN 0 ELSE 1 END, CASE WHEN t.due_at IS NULL THEN 1 ELSE 0 END, t.due_at, t.id`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var t Task
		var due, done sql.NullTime
		if err := rows.Scan(&t.ID, &t.Title, &t.OwnerID, &t.OwnerName, &due, &done, &t.DoneBy, &t.CreatedAt); err != nil {
			return nil, err
		}
		t.DueAt, t.DoneAt = timePtr(due), timePtr(done)
		out = append(out, t)
	}
	return out, rows.Err()
}

// MessageInput is a row of the stakeholder matrix.
type MessageInput struct {
	Audience, Message, Channel, Status string
	OwnerID                            int64
	ItemID, DistributionID             int64
}

// SaveMessage adds (id 0) or changes a row of the stakeholder matrix.
func (s *Service) SaveMessage(ctx context.Context, a audit.Actor, wsID, id, msgID int64, in MessageInput) (*Message, error) {
	in.Audience, in.Message, in.Channel = strings.TrimSpace(in.Audience), strings.TrimSpace(in.Message), strings.TrimSpace(in.Channel)
	fields := map[string]string{}
	if in.Audience == "" {
		fields["audience"] = "crisis.error.audience"
	}
	if in.Message == "" {
		fields["message"] = "crisis.error.message"
	}
	if in.Status == "" {
		in.Status = "planned"
	}
	if !slices.Contains(MessageStatuses, in.Status) {
		fields["status"] = "crisis.error.status"
	}
	owner, err := s.ownerName(ctx, wsID, in.OwnerID, fields)
	if err != nil {
		return nil, err
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	if _, err := s.openCrisis(ctx, wsID, id); err != nil {
		return nil, err
	}
	m := &Message{ID: msgID, Audience: clip(in.Audience, 200), Message: clip(in.Message, 2000), Channel: clip(in.Channel, 200), OwnerID: in.OwnerID,
		OwnerName: owner, Status: in.Status, ItemID: in.ItemID, DistributionID: in.DistributionID}
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if msgID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO crisis_messages (crisis_id, audience, message, channel, owner_id, owner_name, status, item_id,
				distribution_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, m.Audience, m.Message, m.Channel, nullID(m.OwnerID),
				owner, m.Status, nullID(m.ItemID), nullID(m.DistributionID), s.clock()).Scan(&m.ID); err != nil {
				return err
			}
			return s.record(ctx, tx, id, a, "message_added", m.Message, map[string]any{"Audience": m.Audience, "Channel": m.Channel}, "message", m.ID)
		}
		var old string
		err := tx.QueryRow(ctx, `SELECT status FROM crisis_messages WHERE crisis_id = ? AND id = ?`, id, msgID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return db.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE crisis_messages SET audience = ?, message = ?, channel = ?, owner_id = ?, owner_name = ?, status = ?,
			item_id = ?, distribution_id = ?, updated_at = ? WHERE id = ?`, m.Audience, m.Message, m.Channel, nullID(m.OwnerID), owner, m.Status,
			nullID(m.ItemID), nullID(m.DistributionID), s.clock(), msgID); err != nil {
			return err
		}
		if old == m.Status {
			return nil
		}
		return s.record(ctx, tx, id, a, "message_status", m.Message, map[string]any{"Audience": m.Audience, "Status": m.Status}, "message", m.ID)
	})
	return m, err
}

// Messages is the stakeholder matrix.
func (s *Service) Messages(ctx context.Context, wsID, id int64) ([]Message, error) {
	rows, err := s.DB.Query(ctx, `SELECT m.id, m.audience, m.message, m.channel, COALESCE(m.owner_id, 0), m.owner_name, m.status, COALESCE(m.item_id, 0),
		COALESCE(m.distribution_id, 0) FROM crisis_messages m JOIN crises c ON c.id = m.crisis_id WHERE c.workspace_id = ? AND m.crisis_id = ?
		ORDER BY m.position, m.id`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Audience, &m.Message, &m.Channel, &m.OwnerID, &m.OwnerName, &m.Status, &m.ItemID, &m.DistributionID); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SaveQuestion adds (qID 0) or answers a question of the Q&A bank; approve marks the answer
// approved for spokespeople.
func (s *Service) SaveQuestion(ctx context.Context, a audit.Actor, wsID, id, qID int64, question, answer string, approve bool) (*Question, error) {
	question, answer = strings.TrimSpace(question), strings.TrimSpace(answer)
	if question == "" {
		return nil, invalid(map[string]string{"question": "crisis.error.question"})
	}
	if approve && answer == "" {
		return nil, invalid(map[string]string{"answer": "crisis.error.answer"})
	}
	if _, err := s.openCrisis(ctx, wsID, id); err != nil {
		return nil, err
	}
	q := &Question{ID: qID, Question: clip(question, 1000), Answer: clip(answer, 4000)}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if qID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO crisis_questions (crisis_id, question, answer, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
				id, q.Question, q.Answer, a.Label, s.clock()).Scan(&q.ID); err != nil {
				return err
			}
		} else {
			res, err := tx.Exec(ctx, `UPDATE crisis_questions SET question = ?, answer = ?, approved_by = '', approved_at = NULL WHERE crisis_id = ? AND id = ?`,
				q.Question, q.Answer, id, qID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return db.ErrNotFound
			}
		}
		if approve {
			q.ApprovedBy, q.ApprovedAt = a.Label, new(s.clock())
			if _, err := tx.Exec(ctx, `UPDATE crisis_questions SET approved_by = ?, approved_at = ? WHERE id = ?`, a.Label, *q.ApprovedAt, q.ID); err != nil {
				return err
			}
			return s.record(ctx, tx, id, a, "answer_approved", q.Question, nil, "question", q.ID)
		}
		if qID == 0 {
			return s.record(ctx, tx, id, a, "question_added", q.Question, nil, "question", q.ID)
		}
		return nil
	})
	return q, err
}

// Questions is the Q&A bank.
func (s *Service) Questions(ctx context.Context, wsID, id int64) ([]Question, error) {
	rows, err := s.DB.Query(ctx, `SELECT q.id, q.question, q.answer, q.approved_by, q.approved_at FROM crisis_questions q JOIN crises c ON c.id = q.crisis_id
		WHERE c.workspace_id = ? AND q.crisis_id = ? ORDER BY q.id`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		var q Question
		var at sql.NullTime
		if err := rows.Scan(&q.ID, &q.Question, &q.Answer, &q.ApprovedBy, &at); err != nil {
			return nil, err
		}
		q.ApprovedAt = timePtr(at)
		out = append(out, q)
	}
	return out, rows.Err()
}

// SeedQuestions adds the playbook's anticipated questions for the crisis's type, in lang.
func (s *Service) SeedQuestions(ctx context.Context, a audit.Actor, wsID, id int64, lang string) (int, error) {
	c, err := s.openCrisis(ctx, wsID, id)
	if err != nil {
		return 0, err
	}
	values := s.fillValues(ctx, c)
	n := 0
	for _, qa := range playbook.Questions(c.Type, lang) {
		if _, err := s.SaveQuestion(ctx, a, wsID, id, 0, playbook.Fill(qa.Question, values), playbook.Fill(qa.Answer, values), false); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ---- monitoring on the timeline ----

// mentionLookback is how long before the declaration the crisis topic's stories are put on the timeline.
const mentionLookback = 12 * time.Hour

// followMentions brings the crisis topic's new mentions onto the timeline (at most 20 a pass,
// so a flood of stories does not bury the people's entries).
func (s *Service) followMentions(ctx context.Context, wsID, id int64) error {
	if s.Monitoring == nil {
		return nil
	}
	var topic, seen int64
	var declared time.Time
	if err := s.DB.QueryRow(ctx, `SELECT COALESCE(topic_id, 0), mentions_seen, declared_at FROM crises WHERE id = ?`, id).
		Scan(&topic, &seen, &declared); err != nil || topic == 0 {
		return err
	}
	// The stories that led to the crisis belong on its timeline too: from half a day before.
	ms, err := s.Monitoring.MentionsAfter(ctx, wsID, topic, seen, declared.Add(-mentionLookback), 20)
	if err != nil || len(ms) == 0 {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE crises SET mentions_seen = ? WHERE id = ? AND mentions_seen = ?`, ms[len(ms)-1].ID, id, seen)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another process took these
		}
		for _, m := range ms {
			if err := s.record(ctx, tx, id, system, "mention", m.Title, map[string]any{"Outlet": m.Outlet, "Sentiment": m.Sentiment, "URL": m.URL},
				"mention", m.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateInput changes what a crisis is called and how grave it is.
type UpdateInput struct {
	Name, Description, Severity, PublicName string
	OwnerID                                 int64
}

// Update changes an open crisis's name, description, severity, owner or public name; the
// timeline records the change.
func (s *Service) Update(ctx context.Context, a audit.Actor, wsID, id int64, in UpdateInput) (*Crisis, error) {
	c, err := s.openCrisis(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	d := DeclareInput{Name: in.Name, Description: in.Description, Type: c.Type, Severity: in.Severity, OwnerID: in.OwnerID, PublicName: in.PublicName}
	owner, err := s.checkDeclare(ctx, wsID, &d)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE crises SET name = ?, description = ?, severity = ?, owner_id = ?, owner_name = ?, public_name = ? WHERE id = ?`,
			d.Name, d.Description, d.Severity, d.OwnerID, owner, d.PublicName, id); err != nil {
			return err
		}
		if err := s.record(ctx, tx, id, a, "updated", d.Description, map[string]any{"Name": d.Name, "Owner": owner}, "", 0); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "crisis.updated", "crisis", id, map[string]audit.Change{
			"name": {From: c.Name, To: d.Name}, "severity": {From: c.Severity, To: d.Severity}, "owner": {From: c.OwnerName, To: owner}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, wsID, id)
}
