package mail_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
)

const (
	peerUser     = "warta"
	peerPassword = "rahasia-123"
	from         = "Humas Warta <humas@warta.test>"
)

// peer is an SMTP server on loopback that requires AUTH PLAIN and keeps what it accepts. It can
// refuse DATA with 451 a number of times, or refuse every recipient with 550.
type peer struct {
	mu         sync.Mutex
	received   [][]byte
	dataTries  int
	refuseData int  // answer the next refuseData DATA commands with 451
	rejectRcpt bool // answer RCPT with 550
	port       int
}

func newPeer(t *testing.T) *peer {
	p := &peer{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{p: p}, nil }))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = ln.Addr().(*net.TCPAddr).Port
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return p
}

func (p *peer) config() *mail.SMTPConfig {
	return &mail.SMTPConfig{Host: "127.0.0.1", Port: p.port, TLS: mail.TLSNone, User: peerUser, Password: peerPassword}
}

func (p *peer) messages() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.received...)
}

type session struct {
	p    *peer
	auth bool
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != peerUser || password != peerPassword {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.auth = true
		return nil
	}), nil
}

func (s *session) Mail(string, *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (s *session) Rcpt(string, *smtp.RcptOptions) error {
	if s.p.rejectRcpt {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	s.p.dataTries++
	if s.p.refuseData > 0 {
		s.p.refuseData--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.p.received = append(s.p.received, b)
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// fastRetry retries a failed job almost at once, so a test need not wait River's backoff.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(20 * time.Millisecond) }

type setup struct {
	d *db.DB
	q *jobs.Queue
	m *mail.Mailer
}

// newMailer gives a migrated database, a started queue and a Mailer sending through cfg (nil: outbox).
func newMailer(t *testing.T, engine db.Dialect, cfg *mail.SMTPConfig) setup {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, mail.Migrations)
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.NewWithOptions(d, slog.New(slog.DiscardHandler), jobs.Options{RetryPolicy: fastRetry{}})
	if err != nil {
		t.Fatal(err)
	}
	m := mail.New(d, q, cfg, from)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return setup{d: d, q: q, m: m}
}

func invitation(to string) mail.Message {
	return mail.Message{
		WorkspaceID: 7,
		To:          to,
		Subject:     "Undangan konferensi pers — Jakarta",
		Text:        "Anda diundang ke konferensi pers.",
		HTML:        mail.Layout("Undangan", "<p>Anda diundang ke <b>konferensi pers</b>.</p>", "Humas Warta"),
		Kind:        "invitation",
		Headers:     map[string]string{"List-Unsubscribe": "<https://warta.test/u/abc>"},
	}
}

// waitStatus waits until message id has status, and returns it.
func waitStatus(t *testing.T, m *mail.Mailer, id int64, status string) mail.Stored {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s, err := m.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if s.Status == status {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d is %s (attempts %d, last error %q), want %s", id, s.Status, s.Attempts, s.LastError, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitJob waits until the queue's one send job is in state after attempt attempts, and returns it.
func waitJob(t *testing.T, q *jobs.Queue, state string, attempt int) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		j := sendJob(t, q)
		if j.State == state && j.Attempt == attempt {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("send job is %+v, want %s after attempt %d", j, state, attempt)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sendJob returns the queue's job for a message, which must exist once.
func sendJob(t *testing.T, q *jobs.Queue) jobs.Job {
	t.Helper()
	all, err := q.List(context.Background(), "", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var found []jobs.Job
	for _, j := range all {
		if j.Kind == "mail_send" {
			found = append(found, j)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one send job, got %+v", found)
	}
	return found[0]
}

func counter(t *testing.T, m *mail.Mailer, result string) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "warta_mail_sent_total" {
			continue
		}
		for _, metric := range f.GetMetric() {
			if metric.GetLabel()[0].GetValue() == result {
				return metric.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no warta_mail_sent_total{result=%q}", result)
	return 0
}

// parsed is a received message, decoded.
type parsed struct {
	header     netmail.Header
	subject    string
	text, html string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{header: msg.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(part)
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.text = string(body)
		case "text/html":
			p.html = string(body)
		}
	}
	return p
}

// One message through a real SMTP session with AUTH PLAIN arrives once, with its recipient,
// subject, Message-ID, extra headers and both parts; running its job again delivers nothing more.
func TestSMTPDeliversOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		p := newPeer(t)
		s := newMailer(t, engine, p.config())

		id, err := s.m.Send(ctx, invitation("Redaksi <redaksi@koran.test>"))
		if err != nil {
			t.Fatal(err)
		}
		stored := waitStatus(t, s.m, id, mail.StatusSent)
		if stored.Attempts != 1 || stored.SentAt == nil || stored.LastError != "" {
			t.Fatalf("stored after sending: %+v", stored)
		}
		got := p.messages()
		if len(got) != 1 {
			t.Fatalf("peer received %d messages", len(got))
		}
		m := parse(t, got[0])
		if to, _ := m.header.AddressList("To"); len(to) != 1 || to[0].Address != "redaksi@koran.test" {
			t.Fatalf("To: %v", m.header.Get("To"))
		}
		if f, _ := m.header.AddressList("From"); len(f) != 1 || f[0].Address != "humas@warta.test" {
			t.Fatalf("From: %v", m.header.Get("From"))
		}
		if m.subject != "Undangan konferensi pers — Jakarta" {
			t.Fatalf("Subject: %q", m.subject)
		}
		if want := "<" + stored.MessageID + ">"; m.header.Get("Message-Id") != want || !strings.HasSuffix(stored.MessageID, "@warta.test") {
			t.Fatalf("Message-ID %q, stored %q", m.header.Get("Message-Id"), stored.MessageID)
		}
		if m.header.Get("List-Unsubscribe") != "<https://warta.test/u/abc>" {
			t.Fatalf("List-Unsubscribe: %q", m.header.Get("List-Unsubscribe"))
		}
		if strings.TrimSpace(m.text) != "Anda diundang ke konferensi pers." || !strings.Contains(m.html, "<b>konferensi pers</b>") {
			t.Fatalf("parts: text %q, html %q", m.text, m.html)
		}
		if n := counter(t, s.m, "sent"); n != 1 {
			t.Fatalf("warta_mail_sent_total{result=sent} = %v", n)
		}

		// At least once: River runs the completed job again (as after a crash before it recorded
		// completion). The message is already sent, so nothing more is delivered.
		job := waitJob(t, s.q, "completed", 1) // a running job cannot be retried
		if err := s.q.Retry(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		waitJob(t, s.q, "completed", 2)
		if n := len(p.messages()); n != 1 {
			t.Fatalf("after the job ran twice the peer has %d messages", n)
		}
		if again, _ := s.m.Get(ctx, id); again.Attempts != 1 || again.Status != mail.StatusSent {
			t.Fatalf("stored after the second run: %+v", again)
		}
	})
}

// A message stored and enqueued in a transaction that rolls back is neither stored nor sent.
func TestRolledBackSendTxSendsNothing(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		p := newPeer(t)
		s := newMailer(t, engine, p.config())

		boom := errors.New("the invitation could not be saved")
		err := s.d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := s.m.SendTx(ctx, tx, invitation("rolled-back@koran.test")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var id int64
		err = s.d.Tx(ctx, func(tx *db.Tx) error {
			id, err = s.m.SendTx(ctx, tx, invitation("committed@koran.test"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		waitStatus(t, s.m, id, mail.StatusSent)
		got := p.messages()
		if len(got) != 1 || !bytes.Contains(got[0], []byte("committed@koran.test")) {
			t.Fatalf("peer received %d messages: %q", len(got), got)
		}
		list, err := s.m.List(ctx, 0, 10)
		if err != nil || len(list) != 1 || list[0].To != "committed@koran.test" {
			t.Fatalf("stored messages: %+v, %v", list, err)
		}
	})
}

// Without SMTP, messages wait in the outbox, readable in full through List and Get.
func TestOutbox(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		s := newMailer(t, engine, nil)

		var ids []int64
		for _, to := range []string{"a@koran.test", "b@koran.test", "c@koran.test"} {
			id, err := s.m.Send(ctx, invitation(to))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		reset := mail.Message{To: "staf@warta.test", Subject: "Atur ulang kata sandi", Text: "Tautan: https://warta.test/r/xyz", Kind: "password_reset"}
		resetID, err := s.m.Send(ctx, reset)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range append(ids, resetID) {
			waitStatus(t, s.m, id, mail.StatusOutbox)
		}

		got, err := s.m.Get(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		want := invitation("a@koran.test")
		if got.WorkspaceID != 7 || got.To != want.To || got.Subject != want.Subject || got.Text != want.Text ||
			got.HTML != want.HTML || got.Kind != "invitation" || got.Headers["List-Unsubscribe"] != "<https://warta.test/u/abc>" ||
			got.Attempts != 1 || got.SentAt != nil || got.MessageID == "" || got.CreatedAt.IsZero() {
			t.Fatalf("outbox message: %+v", got)
		}
		r, err := s.m.Get(ctx, resetID)
		if err != nil || r.WorkspaceID != 0 || r.HTML != "" || len(r.Headers) != 0 || r.Kind != "password_reset" {
			t.Fatalf("message without workspace: %+v, %v", r, err)
		}

		first, err := s.m.List(ctx, 0, 3)
		if err != nil || len(first) != 3 || first[0].ID != resetID || first[2].ID != ids[1] {
			t.Fatalf("first page: %+v, %v", first, err)
		}
		rest, err := s.m.List(ctx, first[2].ID, 3)
		if err != nil || len(rest) != 1 || rest[0].ID != ids[0] {
			t.Fatalf("second page: %+v, %v", rest, err)
		}
		if _, err := s.m.Get(ctx, 1<<40); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("missing message: %v", err)
		}

		// A workspace sees its own mail only.
		other := invitation("d@koran.test")
		other.WorkspaceID = 8
		otherID, err := s.m.Send(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		waitStatus(t, s.m, otherID, mail.StatusOutbox)
		mine, err := s.m.ListWorkspace(ctx, 7, 0, 10)
		if err != nil || len(mine) != 3 || mine[0].ID != ids[2] {
			t.Fatalf("workspace 7 lists %+v, %v", mine, err)
		}
		if page, err := s.m.ListWorkspace(ctx, 7, ids[1], 10); err != nil || len(page) != 1 || page[0].ID != ids[0] {
			t.Fatalf("workspace 7, second page: %+v, %v", page, err)
		}
		if theirs, err := s.m.ListWorkspace(ctx, 8, 0, 10); err != nil || len(theirs) != 1 || theirs[0].ID != otherID {
			t.Fatalf("workspace 8 lists %+v, %v", theirs, err)
		}
		if _, err := s.m.GetWorkspace(ctx, 8, ids[0]); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("workspace 8 reads workspace 7's message: %v", err)
		}
		if got, err := s.m.GetWorkspace(ctx, 7, ids[0]); err != nil || got.To != "a@koran.test" {
			t.Fatalf("workspace 7 reads its message: %+v, %v", got, err)
		}
		if n := counter(t, s.m, "outbox"); n != 5 {
			t.Fatalf("warta_mail_sent_total{result=outbox} = %v", n)
		}
	})
}

// A server that answers 451 to the first attempt gets the message on the retry, once.
func TestTemporaryFailureIsRetried(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		p := newPeer(t)
		p.refuseData = 1
		s := newMailer(t, engine, p.config())

		id, err := s.m.Send(ctx, invitation("redaksi@koran.test"))
		if err != nil {
			t.Fatal(err)
		}
		stored := waitStatus(t, s.m, id, mail.StatusSent)
		if stored.Attempts != 2 || !strings.Contains(stored.LastError, "451") {
			t.Fatalf("stored after retry: %+v", stored)
		}
		p.mu.Lock()
		tries, received := p.dataTries, len(p.received)
		p.mu.Unlock()
		if tries != 2 || received != 1 {
			t.Fatalf("peer saw %d DATA commands and kept %d messages, want 2 and 1", tries, received)
		}
		if counter(t, s.m, "retry") != 1 || counter(t, s.m, "sent") != 1 {
			t.Fatal("counters do not show one retry and one send")
		}
	})
}

// A server that keeps answering 451 makes the message fail after its last attempt; one that
// refuses the recipient with 550 makes it fail at once, without retrying.
func TestMessageFails(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		p := newPeer(t)
		p.refuseData = 1 << 20
		s := newMailer(t, engine, p.config())

		id, err := s.m.Send(ctx, invitation("redaksi@koran.test"))
		if err != nil {
			t.Fatal(err)
		}
		stored := waitStatus(t, s.m, id, mail.StatusFailed)
		job := waitJob(t, s.q, "discarded", 12)
		if stored.Attempts != job.MaxAttempts || !strings.Contains(stored.LastError, "451") {
			t.Fatalf("after every attempt: message %+v, job %+v", stored, job)
		}
		if len(p.messages()) != 0 {
			t.Fatal("the peer kept a refused message")
		}

		p2 := newPeer(t)
		p2.rejectRcpt = true
		s2 := newMailer(t, engine, p2.config())
		id, err = s2.m.Send(ctx, invitation("nobody@koran.test"))
		if err != nil {
			t.Fatal(err)
		}
		stored = waitStatus(t, s2.m, id, mail.StatusFailed)
		job = waitJob(t, s2.q, "cancelled", 1)
		if stored.Attempts != 1 || !strings.Contains(stored.LastError, "550") {
			t.Fatalf("after a permanent refusal: message %+v, job %+v", stored, job)
		}
	})
}

func TestSendTxRefusesBadMessages(t *testing.T) {
	ctx := context.Background()
	s := newMailer(t, db.SQLite, nil)
	bad := []struct {
		msg  mail.Message
		want error
	}{
		{mail.Message{To: "not an address", Subject: "x", Text: "x"}, mail.ErrInvalidAddress},
		{mail.Message{To: "a@koran.test\r\nBcc: b@koran.test", Subject: "x", Text: "x"}, mail.ErrInvalidAddress},
		{mail.Message{To: "a@koran.test", Subject: "x"}, mail.ErrNoBody},
		{mail.Message{To: "a@koran.test", Subject: "x", Text: "x", Headers: map[string]string{"Bcc": "b@koran.test"}}, mail.ErrInvalidHeader},
		{mail.Message{To: "a@koran.test", Subject: "x", Text: "x", Headers: map[string]string{"X-Tag": "a\r\nBcc: b@koran.test"}}, mail.ErrInvalidHeader},
		{mail.Message{To: "a@koran.test", Subject: "x", Text: "x", Headers: map[string]string{"Bad Name": "v"}}, mail.ErrInvalidHeader},
	}
	for _, b := range bad {
		if _, err := s.m.Send(ctx, b.msg); !errors.Is(err, b.want) {
			t.Errorf("%+v: got %v, want %v", b.msg, err, b.want)
		}
	}
	if list, err := s.m.List(ctx, 0, 10); err != nil || len(list) != 0 {
		t.Fatalf("refused messages were stored: %+v, %v", list, err)
	}
}

func TestSMTPConfigValidate(t *testing.T) {
	for _, c := range []mail.SMTPConfig{{Host: "smtp.koran.test"}, {Host: "h", Port: 465, TLS: "tls"}, {Host: "h", TLS: "none"}} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, c := range []mail.SMTPConfig{{}, {Host: "h", TLS: "ssl"}, {Host: "h", Port: 70000}} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
}

func TestLayout(t *testing.T) {
	out := mail.Layout(`Rilis "A" & <B>`, `<p>Isi <a href="https://warta.test/r/1">rilis</a></p>`, "PT Contoh <Humas>")
	for _, want := range []string{
		`Rilis &#34;A&#34; &amp; &lt;B&gt;`,                     // the title is escaped
		`<p>Isi <a href="https://warta.test/r/1">rilis</a></p>`, // the content is kept
		`PT Contoh &lt;Humas&gt;`,                               // the footer is escaped
	} {
		if !strings.Contains(out, want) {
			t.Errorf("layout lacks %s:\n%s", want, out)
		}
	}
	for _, external := range []string{"<img", "<link", "<script", "url(", "@import"} {
		if strings.Contains(out, external) {
			t.Errorf("layout loads external resources (%s)", external)
		}
	}
	if strings.Contains(mail.Layout("t", "<p>x</p>", ""), "font-size:12px") {
		t.Error("an empty footer still renders its block")
	}
}
