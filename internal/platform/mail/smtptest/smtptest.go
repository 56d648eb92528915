// Package smtptest is an SMTP server on loopback for tests and benchmarks: it speaks real SMTP
// (emersion/go-smtp), asks for AUTH PLAIN when given a user, keeps or counts what it accepts,
// and refuses recipients or messages on demand with the replies real servers give.
package smtptest

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is what the server accepted: the envelope and the data as received.
type Message struct {
	From string
	To   string
	Data []byte
}

// Options shape the server.
type Options struct {
	// User and Password, when set, are required through AUTH PLAIN before MAIL.
	User, Password string
	// Discard counts messages without keeping them (a sink for benchmarks).
	Discard bool
}

// Server is a running SMTP server.
type Server struct {
	Host string
	Port int

	opts     Options
	srv      *smtp.Server
	mu       sync.Mutex
	received []Message
	count    atomic.Int64
	// Refuse, when set, answers RCPT for an address: nil accepts it.
	refuse func(to string) *smtp.SMTPError
	// dataRefusals answers the next DATA commands with 451.
	dataRefusals int
}

// Start listens on a free loopback port and serves until Close.
func Start(opts Options) (*Server, error) {
	return Listen("127.0.0.1:0", opts)
}

// Listen serves on addr.
func Listen(addr string, opts Options) (*Server, error) {
	s := &Server{opts: opts}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxRecipients = 50
	s.srv.MaxMessageBytes = 25 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.Host = "127.0.0.1"
	s.Port = ln.Addr().(*net.TCPAddr).Port
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Close stops the server and drops its connections.
func (s *Server) Close() error { return s.srv.Close() }

// Messages returns what was accepted so far (none in Discard mode).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Count is how many messages were accepted.
func (s *Server) Count() int64 { return s.count.Load() }

// Refuse makes the server answer RCPT for the addresses f picks with f's reply.
func (s *Server) Refuse(f func(to string) *smtp.SMTPError) {
	s.mu.Lock()
	s.refuse = f
	s.mu.Unlock()
}

// RefuseData answers the next n DATA commands with 451 (try again later).
func (s *Server) RefuseData(n int) {
	s.mu.Lock()
	s.dataRefusals = n
	s.mu.Unlock()
}

// Replies real servers give.
var (
	NoSuchMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	MailboxBusy   = &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy, try again later"}
)

type session struct {
	s    *Server
	auth bool
	from string
	to   string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != ss.s.opts.User || password != ss.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.User != "" && !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	refuse := ss.s.refuse
	ss.s.mu.Unlock()
	if refuse != nil {
		if e := refuse(to); e != nil {
			return e
		}
	}
	ss.to = to
	return nil
}

func (ss *session) Data(r io.Reader) error {
	if ss.s.opts.Discard {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
		ss.s.count.Add(1)
		return nil
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.dataRefusals > 0 {
		ss.s.dataRefusals--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary local problem, try again later"}
	}
	ss.s.received = append(ss.s.received, Message{From: ss.from, To: ss.to, Data: b.Bytes()})
	ss.s.count.Add(1)
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", "" }
func (ss *session) Logout() error { return nil }
