// Package mail sends Warta's email exactly once per message, and records each one before and
// after: SendTx stores the message as queued and enqueues its send job in the caller's
// transaction, and the job delivers it over SMTP (or, with no SMTP server configured, leaves it in
// the built-in outbox the admin reads) and records the outcome.
//
// Callers pass already-translated text: this package holds no user-visible words.
package mail

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/jobs"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations create the mail_messages table.
var Migrations = db.Migrations{Name: "mail", FS: migrationFS}

// The states of a stored message.
const (
	StatusQueued = "queued" // recorded, not yet delivered (or a delivery attempt failed and will be retried)
	StatusSent   = "sent"   // accepted by the SMTP server
	StatusOutbox = "outbox" // no SMTP server configured: kept for the admin to read
	StatusFailed = "failed" // the server refused it for good, or every attempt failed
)

// maxAttempts is how often a message is tried. With River's backoff (attempt⁴ seconds) the last
// attempt comes about eleven hours after the first, long enough to outlast a mail server's outage.
const maxAttempts = 12

// Errors SendTx returns for a message it refuses; nothing is stored.
var (
	ErrInvalidAddress = errors.New("mail: invalid recipient address")
	ErrInvalidHeader  = errors.New("mail: invalid or reserved extra header")
	ErrNoBody         = errors.New("mail: message has neither text nor HTML body")
)

// Message is an email to send to one recipient.
type Message struct {
	WorkspaceID int64 // 0 for mail that belongs to no workspace (e.g. setting up the installation)
	To          string
	Subject     string
	Text        string // the plain-text part
	HTML        string // the HTML part (see Layout); sent as an alternative to Text
	Kind        string // what it is, for the log and the admin: "invitation", "password_reset", …
	Headers     map[string]string
}

// Stored is a message as recorded in mail_messages.
type Stored struct {
	ID          int64
	WorkspaceID int64
	To          string
	Subject     string
	Text        string
	HTML        string
	Headers     map[string]string
	Kind        string
	Status      string
	Attempts    int
	LastError   string
	MessageID   string // without angle brackets
	CreatedAt   time.Time
	SentAt      *time.Time
}

// Mailer stores and sends email.
type Mailer struct {
	d      *db.DB
	q      *jobs.Queue
	smtp   *SMTPConfig
	from   string
	domain string // for Message-IDs
	sent   *prometheus.CounterVec
}

// New returns a Mailer that sends through smtp, or keeps mail in the outbox when smtp is nil, from
// the address from ("Humas <humas@example.org>"). It registers its worker on q, so it must be called
// before q is started.
func New(d *db.DB, q *jobs.Queue, smtp *SMTPConfig, from string) *Mailer {
	m := &Mailer{
		d: d, q: q, smtp: smtp, from: from, domain: "localhost",
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warta_mail_sent_total",
			Help: "Email delivery attempts by result: sent, outbox, retry (failed, will be tried again) or failed (given up).",
		}, []string{"result"}),
	}
	for _, r := range []string{resultSent, resultOutbox, resultRetry, resultFailed} {
		m.sent.WithLabelValues(r)
	}
	if a, err := netmail.ParseAddress(from); err == nil {
		if at := strings.LastIndexByte(a.Address, '@'); at >= 0 && at < len(a.Address)-1 {
			m.domain = a.Address[at+1:]
		}
	}
	jobs.Register(q, &sendWorker{m: m})
	return m
}

const (
	resultSent   = "sent"
	resultOutbox = "outbox"
	resultRetry  = "retry"
	resultFailed = "failed"
)

// Collector exports warta_mail_sent_total{result} for the app's registry.
func (m *Mailer) Collector() prometheus.Collector { return m.sent }

// SendTx records msg as queued and enqueues its delivery in tx: nothing is sent unless tx commits,
// and once it commits the message is delivered even if the process dies right after. It returns
// the message's id. It fails with ErrInvalidAddress, ErrInvalidHeader or ErrNoBody for a message
// it cannot send.
func (m *Mailer) SendTx(ctx context.Context, tx *db.Tx, msg Message) (int64, error) {
	if err := msg.validate(); err != nil {
		return 0, err
	}
	headers := []byte("{}")
	if len(msg.Headers) > 0 {
		var err error
		if headers, err = json.Marshal(msg.Headers); err != nil {
			return 0, err
		}
	}
	workspace := sql.NullInt64{Int64: msg.WorkspaceID, Valid: msg.WorkspaceID != 0}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO mail_messages
		(workspace_id, to_addr, subject, text_body, html_body, headers, kind, status, message_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		workspace, msg.To, msg.Subject, msg.Text, msg.HTML, string(headers), msg.Kind, StatusQueued,
		m.newMessageID(), time.Now().UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("mail: store message: %w", err)
	}
	if err := m.q.InsertTx(ctx, tx, sendArgs{MessageID: id}, nil); err != nil {
		return 0, err
	}
	return id, nil
}

// Send is SendTx in a transaction of its own. On SQLite never call it while a transaction is open.
func (m *Mailer) Send(ctx context.Context, msg Message) (int64, error) {
	var id int64
	err := m.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = m.SendTx(ctx, tx, msg)
		return err
	})
	return id, err
}

// reservedHeaders are set by the mailer itself and cannot be passed in Message.Headers.
var reservedHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "subject": true, "message-id": true, "date": true,
	"sender": true, "mime-version": true, "content-type": true, "content-transfer-encoding": true,
}

func (msg Message) validate() error {
	a, err := netmail.ParseAddress(msg.To)
	if err != nil || a.Address == "" || strings.ContainsAny(msg.To, "\r\n") {
		return fmt.Errorf("%w: %q", ErrInvalidAddress, msg.To)
	}
	if msg.Text == "" && msg.HTML == "" {
		return ErrNoBody
	}
	for k, v := range msg.Headers {
		if !validHeaderName(k) || reservedHeaders[strings.ToLower(k)] || strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("%w: %q", ErrInvalidHeader, k)
		}
	}
	return nil
}

// validHeaderName reports whether name is an RFC 5322 field name: printable ASCII without colon.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// newMessageID returns a unique Message-ID (without brackets) in the sender's domain.
func (m *Mailer) newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b) + "@" + m.domain
}

const storedColumns = `id, workspace_id, to_addr, subject, text_body, html_body, headers, kind, status,
	attempts, last_error, message_id, created_at, sent_at`

// Get returns the stored message id, or db.ErrNotFound. It is for the installation's admin; a
// workspace's pages use GetWorkspace.
func (m *Mailer) Get(ctx context.Context, id int64) (Stored, error) {
	return m.get(ctx, `WHERE id = ?`, id)
}

// GetWorkspace returns the stored message id if it belongs to workspaceID, else db.ErrNotFound.
func (m *Mailer) GetWorkspace(ctx context.Context, workspaceID, id int64) (Stored, error) {
	return m.get(ctx, `WHERE id = ? AND workspace_id = ?`, id, workspaceID)
}

func (m *Mailer) get(ctx context.Context, where string, args ...any) (Stored, error) {
	rows, err := m.d.Query(ctx, `SELECT `+storedColumns+` FROM mail_messages `+where, args...)
	if err != nil {
		return Stored{}, fmt.Errorf("mail: get %d: %w", args[0], err)
	}
	list, err := scanStored(rows)
	if err != nil {
		return Stored{}, fmt.Errorf("mail: get %d: %w", args[0], err)
	}
	if len(list) == 0 {
		return Stored{}, db.ErrNotFound
	}
	return list[0], nil
}

// List returns up to limit stored messages of every workspace (and none), newest first, for the
// installation's admin. For the next page pass the last ID seen as afterID (0 starts from the
// newest).
func (m *Mailer) List(ctx context.Context, afterID int64, limit int) ([]Stored, error) {
	return m.list(ctx, nil, afterID, limit)
}

// ListWorkspace is List restricted to the messages of workspaceID.
func (m *Mailer) ListWorkspace(ctx context.Context, workspaceID, afterID int64, limit int) ([]Stored, error) {
	return m.list(ctx, &workspaceID, afterID, limit)
}

func (m *Mailer) list(ctx context.Context, workspaceID *int64, afterID int64, limit int) ([]Stored, error) {
	var where []string
	var args []any
	if workspaceID != nil {
		where, args = append(where, "workspace_id = ?"), append(args, *workspaceID)
	}
	if afterID > 0 {
		where, args = append(where, "id < ?"), append(args, afterID)
	}
	q := `SELECT ` + storedColumns + ` FROM mail_messages`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, min(max(limit, 1), 500))
	rows, err := m.d.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("mail: list: %w", err)
	}
	list, err := scanStored(rows)
	if err != nil {
		return nil, fmt.Errorf("mail: list: %w", err)
	}
	return list, nil
}

func scanStored(rows *sql.Rows) ([]Stored, error) {
	defer rows.Close()
	var list []Stored
	for rows.Next() {
		var s Stored
		var workspace sql.NullInt64
		var headers string
		var sentAt sql.NullTime
		if err := rows.Scan(&s.ID, &workspace, &s.To, &s.Subject, &s.Text, &s.HTML, &headers, &s.Kind,
			&s.Status, &s.Attempts, &s.LastError, &s.MessageID, &s.CreatedAt, &sentAt); err != nil {
			return nil, err
		}
		s.WorkspaceID = workspace.Int64
		if err := json.Unmarshal([]byte(headers), &s.Headers); err != nil {
			return nil, fmt.Errorf("headers of message %d: %w", s.ID, err)
		}
		s.CreatedAt = s.CreatedAt.UTC()
		if sentAt.Valid {
			t := sentAt.Time.UTC()
			s.SentAt = &t
		}
		list = append(list, s)
	}
	return list, rows.Err()
}

// sendArgs is the job that delivers one stored message. It is unique by message, so a message is
// never queued twice.
type sendArgs struct {
	MessageID int64 `json:"message_id"`
}

func (sendArgs) Kind() string { return "mail_send" }

func (sendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	m *Mailer
}

// Work delivers the message unless a previous run already did: River runs a job at least once,
// and a message that is sent or in the outbox is done.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	return w.m.deliver(ctx, job.Args.MessageID, job.Attempt >= job.MaxAttempts)
}

func (m *Mailer) deliver(ctx context.Context, id int64, lastAttempt bool) error {
	msg, err := m.Get(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("mail: message %d does not exist", id))
	}
	if err != nil {
		return err
	}
	switch msg.Status {
	case StatusSent, StatusOutbox:
		return nil
	}
	if m.smtp == nil {
		if _, err := m.d.Exec(ctx, `UPDATE mail_messages SET status = ?, attempts = attempts + 1 WHERE id = ?`, StatusOutbox, id); err != nil {
			return fmt.Errorf("mail: record message %d in the outbox: %w", id, err)
		}
		m.sent.WithLabelValues(resultOutbox).Inc()
		return nil
	}

	sendErr := m.smtp.send(ctx, m.from, msg)
	if sendErr == nil {
		m.sent.WithLabelValues(resultSent).Inc()
		// If this update is lost (the database is down, the process dies), the job runs again and
		// the message is sent again with the same Message-ID, which lets receivers drop the copy.
		_, err := m.d.Exec(ctx, `UPDATE mail_messages SET status = ?, attempts = attempts + 1, sent_at = ? WHERE id = ?`,
			StatusSent, time.Now().UTC(), id)
		if err != nil {
			return fmt.Errorf("mail: message %d was sent but cannot be recorded: %w", id, err)
		}
		return nil
	}

	permanent := isPermanent(sendErr)
	status, result := StatusQueued, resultRetry
	if permanent || lastAttempt {
		status, result = StatusFailed, resultFailed
	}
	m.sent.WithLabelValues(result).Inc()
	slog.Warn("mail not sent", "message", id, "kind", msg.Kind, "status", status, "err", sendErr)
	if _, err := m.d.Exec(ctx, `UPDATE mail_messages SET status = ?, attempts = attempts + 1, last_error = ? WHERE id = ?`,
		status, sendErr.Error(), id); err != nil {
		return errors.Join(sendErr, fmt.Errorf("mail: record failure of message %d: %w", id, err))
	}
	if permanent {
		return river.JobCancel(sendErr) // retrying cannot help
	}
	return sendErr
}
