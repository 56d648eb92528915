package distribute

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/press/inbox"
)

// repliesArgs is the periodic job that reads every configured reply mailbox.
type repliesArgs struct{}

func (repliesArgs) Kind() string { return "press_replies" }

type repliesWorker struct {
	river.WorkerDefaults[repliesArgs]
	s *Service
}

func (w *repliesWorker) Work(ctx context.Context, _ *river.Job[repliesArgs]) error {
	rows, err := w.s.d.Query(ctx, `SELECT workspace_id FROM press_sending WHERE imap_host <> ''`)
	if err != nil {
		return err
	}
	var wss []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		wss = append(wss, id)
	}
	rows.Close()
	for _, ws := range wss {
		if _, err := w.s.ReadMailbox(ctx, ws); err != nil {
			w.s.log.Warn("reading the reply mailbox", "workspace", ws, "err", err)
		}
	}
	return nil
}

// Timeout bounds a slow mailbox.
func (w *repliesWorker) Timeout(*river.Job[repliesArgs]) time.Duration { return 5 * time.Minute }

// RepliesEvery is how often reply mailboxes are read.
const RepliesEvery = 5 * time.Minute

func registerReplies(s *Service) {
	jobs.Register(s.queue, &repliesWorker{s: s})
	s.queue.Periodic(RepliesEvery, repliesArgs{})
}

// MailboxResult is what one reading of the reply mailbox found.
type MailboxResult struct {
	Replies, Bounces, Other int
}

// ReadMailbox reads the workspace's reply mailbox from where it stopped: replies to a
// distribution are matched to it and to the contact, delivery reports (DSN) become bounces.
func (s *Service) ReadMailbox(ctx context.Context, wsID int64) (MailboxResult, error) {
	var res MailboxResult
	set, err := s.Settings(ctx, wsID)
	if err != nil || set.IMAPHost == "" {
		return res, err
	}
	var validity, last int64
	if err := s.d.QueryRow(ctx, `SELECT imap_validity, imap_last_uid FROM press_sending WHERE workspace_id = ?`, wsID).Scan(&validity, &last); err != nil {
		return res, err
	}
	cfg := inbox.Config{Host: set.IMAPHost, Port: set.IMAPPort, TLS: set.IMAPTLS, User: set.IMAPUser, Password: set.imapPassword, Mailbox: set.IMAPMailbox}
	msgs, newValidity, err := inbox.Fetch(ctx, cfg, uint32(last), uint32(validity), 500)
	now := s.now().UTC()
	if err != nil {
		_, _ = s.d.Exec(ctx, `UPDATE press_sending SET imap_checked_at = ?, imap_error = ? WHERE workspace_id = ?`, now, mailboxProblem(err), wsID)
		return res, err
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		for _, m := range msgs {
			if uint32(last) < m.UID {
				last = int64(m.UID)
			}
			kind, err := s.takeMessage(ctx, tx, wsID, m)
			if err != nil {
				return err
			}
			switch kind {
			case "reply":
				res.Replies++
			case "bounce":
				res.Bounces++
			default:
				res.Other++
			}
		}
		_, err := tx.Exec(ctx, `UPDATE press_sending SET imap_validity = ?, imap_last_uid = ?, imap_checked_at = ?, imap_error = '' WHERE workspace_id = ?`,
			int64(newValidity), last, now, wsID)
		return err
	})
	return res, err
}

// mailboxProblem names what went wrong with the mailbox, for the settings page.
func mailboxProblem(err error) string {
	switch {
	case errors.Is(err, inbox.ErrLogin):
		return "login"
	case errors.Is(err, inbox.ErrMailbox):
		return "mailbox"
	case errors.Is(err, inbox.ErrTLS):
		return "tls"
	case errors.Is(err, inbox.ErrInsecure):
		return "insecure"
	default:
		return "connect"
	}
}

// takeMessage files one message of the mailbox; a message seen before changes nothing.
func (s *Service) takeMessage(ctx context.Context, tx *db.Tx, wsID int64, m inbox.Message) (string, error) {
	if m.DSN != nil {
		return "bounce", s.takeBounce(ctx, tx, wsID, m.DSN)
	}
	refs := append([]string{m.InReplyTo}, m.References...)
	distID, rid := s.tokens.fromReply(refs...)
	if rid == 0 {
		return "", nil
	}
	r, err := s.store.recipient(ctx, tx, rid)
	if errors.Is(err, db.ErrNotFound) || (err == nil && (r.WorkspaceID != wsID || r.DistributionID != distID)) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	at := m.Date.UTC()
	if m.Date.IsZero() {
		at = s.now().UTC()
	}
	msgID := m.MessageID
	if msgID == "" {
		msgID = fmt.Sprintf("uid-%d", m.UID)
	}
	res, err := tx.Exec(ctx, `INSERT INTO distribution_replies (workspace_id, distribution_id, recipient_id, message_id, from_address, subject, text, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, message_id) DO NOTHING`, wsID, r.DistributionID, rid, msgID, m.From, m.Subject, m.Text, at)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "reply", nil
	}
	if _, err := tx.Exec(ctx, `UPDATE distribution_recipients SET replied_at = ? WHERE id = ? AND replied_at IS NULL`, at, rid); err != nil {
		return "", err
	}
	if r.ContactID == 0 {
		return "reply", nil
	}
	detail := m.Text
	if len(detail) > 500 {
		detail = detail[:500]
	}
	return "reply", s.audience.Record(ctx, tx, wsID, r.ContactID, Event{Kind: "replied", At: at, Title: m.Subject,
		Link: fmt.Sprintf("/press/distributions/%d", r.DistributionID), Detail: strings.TrimSpace(detail)})
}

// takeBounce records a delivery report: the recipient it names is bounced, and a permanent
// failure suppresses the address.
func (s *Service) takeBounce(ctx context.Context, tx *db.Tx, wsID int64, dsn *inbox.DSN) error {
	email := strings.ToLower(strings.TrimSpace(dsn.Recipient))
	if email == "" {
		return nil
	}
	// Only a report about a message Warta sent to that address counts: anyone can write to the
	// reply mailbox, and a forged report must not suppress a journalist.
	_, rid := s.tokens.fromReply(dsn.OriginalMessageID)
	if rid == 0 {
		return nil
	}
	state := "failed"
	if dsn.Hard {
		state = "bounced"
	}
	res, err := tx.Exec(ctx, `UPDATE distribution_recipients SET state = ?, reason = ? WHERE id = ? AND workspace_id = ? AND email = ? AND state IN ('sent', 'uncertain')`,
		state, strings.TrimSpace(dsn.Status+" "+dsn.Diagnostic), rid, wsID, email)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if !dsn.Hard && dsn.Action != "failed" {
		return nil // a delay: the server keeps trying
	}
	return s.audience.Bounce(ctx, tx, wsID, email, dsn.Hard, strings.TrimSpace(dsn.Status+" "+dsn.Diagnostic))
}

// Replies lists the replies to a distribution, newest first.
func (s *Service) Replies(ctx context.Context, wsID, id int64) ([]Reply, error) {
	rows, err := s.d.Query(ctx, `SELECT p.id, COALESCE(p.recipient_id, 0), COALESCE(r.name, ''), p.from_address, p.subject, p.text, p.received_at
		FROM distribution_replies p LEFT JOIN distribution_recipients r ON r.id = p.recipient_id
		WHERE p.workspace_id = ? AND p.distribution_id = ? ORDER BY p.received_at DESC LIMIT 200`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reply
	for rows.Next() {
		var r Reply
		if err := rows.Scan(&r.ID, &r.RecipientID, &r.Name, &r.From, &r.Subject, &r.Text, &r.At); err != nil {
			return nil, err
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Reply is a journalist's answer to a distribution.
type Reply struct {
	ID          int64     `json:"id"`
	RecipientID int64     `json:"recipient_id,omitempty"`
	Name        string    `json:"name"`
	From        string    `json:"from"`
	Subject     string    `json:"subject"`
	Text        string    `json:"text"`
	At          time.Time `json:"received_at"`
}
