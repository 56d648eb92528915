package distribute

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"golang.org/x/time/rate"
)

// Server is an SMTP server distributions go through, with the pace its provider allows.
type Server struct {
	Host     string
	Port     int    // 0: 587 for starttls, 465 for tls, 25 for none
	TLS      string // "starttls" (default), "tls" or "none"
	User     string // empty: no authentication
	Password string
	// Rate is how many messages a second the provider accepts; 0 means no limit.
	Rate int
	// Connections is how many SMTP connections are open at once; 0 means 10.
	Connections int
	// HeloName is the name given in EHLO (the sender's domain).
	HeloName string
}

// The values of Server.TLS.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

func (s Server) addr() string {
	port := s.Port
	if port == 0 {
		switch s.TLS {
		case TLSImplicit:
			port = 465
		case TLSNone:
			port = 25
		default:
			port = 587
		}
	}
	return net.JoinHostPort(s.Host, strconv.Itoa(port))
}

func (s Server) connections() int { return cmp.Or(s.Connections, 10) }

// key identifies a pool: two workspaces with the same server, account and password share its
// connections and its pace; a corrected password opens a new pool.
func (s Server) key() string {
	secret := sha256.Sum256([]byte(s.Password))
	return fmt.Sprintf("%s|%s|%s|%x|%s|%d|%d", s.addr(), s.TLS, s.User, secret[:8], s.HeloName, s.Rate, s.connections())
}

// errConnect is a failure to open or prepare a connection: nothing was sent.
var errConnect = errors.New("distribute: cannot reach the SMTP server")

// pool keeps up to Connections SMTP connections to one server, and a token bucket for its rate.
// A slot is held from taking a connection until giving it back, so no more transactions are in
// flight than there are connections.
type pool struct {
	srv     Server
	slots   chan struct{}
	limiter *rate.Limiter

	mu   sync.Mutex
	idle []*idleConn
}

type idleConn struct {
	c    *smtp.Client
	used time.Time
}

func newPool(srv Server) *pool {
	p := &pool{srv: srv, slots: make(chan struct{}, srv.connections())}
	if srv.Rate > 0 {
		p.limiter = rate.NewLimiter(rate.Limit(srv.Rate), max(1, srv.Rate/10))
	}
	return p
}

// get waits for a slot and the rate, then returns an open connection.
func (p *pool) get(ctx context.Context) (*smtp.Client, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if p.limiter != nil {
		if err := p.limiter.Wait(ctx); err != nil {
			<-p.slots
			return nil, err
		}
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1].c
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	c, err := p.dial(ctx)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return c, nil
}

// put gives the connection back; a broken one is closed.
func (p *pool) put(c *smtp.Client, broken bool) {
	if broken {
		_ = c.Close()
	} else {
		p.mu.Lock()
		p.idle = append(p.idle, &idleConn{c: c, used: time.Now()})
		p.mu.Unlock()
	}
	<-p.slots
}

// closeIdle says goodbye on connections unused for longer than d (servers drop them anyway).
func (p *pool) closeIdle(d time.Duration) {
	p.mu.Lock()
	var keep, old []*idleConn
	for _, ic := range p.idle {
		if time.Since(ic.used) > d {
			old = append(old, ic)
		} else {
			keep = append(keep, ic)
		}
	}
	p.idle = keep
	p.mu.Unlock()
	for _, ic := range old {
		_ = ic.c.Quit()
	}
}

func (p *pool) dial(ctx context.Context) (*smtp.Client, error) {
	d := net.Dialer{Timeout: 15 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", p.srv.addr())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errConnect, err)
	}
	tlsConf := &tls.Config{ServerName: p.srv.Host, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch p.srv.TLS {
	case TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, tlsConf))
	case TLSNone:
		c = smtp.NewClient(conn)
	default:
		c, err = smtp.NewClientStartTLS(conn, tlsConf)
		if err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("%w: %v", errConnect, err)
		}
	}
	c.CommandTimeout = 60 * time.Second
	c.SubmissionTimeout = 120 * time.Second
	if err := c.Hello(cmp.Or(p.srv.HeloName, "localhost")); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("%w: %v", errConnect, err)
	}
	if p.srv.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", p.srv.User, p.srv.Password)); err != nil {
			_ = c.Close()
			return nil, &authError{err}
		}
	}
	return c, nil
}

// authError is the server refusing the sign-in: no retry helps until someone fixes the settings.
type authError struct{ err error }

func (e *authError) Error() string { return "distribute: SMTP sign-in refused: " + e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

// outcome is how one SMTP transaction ended.
type outcome int

const (
	delivered   outcome = iota // the server accepted the message
	notSent                    // nothing reached the server's queue: safe to try again
	refused                    // the server refused the recipient for good (hard bounce)
	rejected                   // the server refused the message for good (content, sender)
	cutOff                     // the connection ended after the message was handed over, before the answer
	temporarily                // the server said try later (4xx)
	policy                     // the server refuses this sender or account (5.7.x): stop and tell a person
)

// aboutMailbox reports a permanent refusal that is about the recipient's mailbox (5.1.x, or a
// bare 550/551/553), the only kind that is a hard bounce.
func aboutMailbox(se *smtp.SMTPError) bool {
	if se.EnhancedCode[0] == 5 {
		return se.EnhancedCode[1] == 1
	}
	return se.Code == 550 || se.Code == 551 || se.Code == 553
}

// transact sends one message to one recipient on c, and says how it ended. broken reports a
// connection that must not be reused.
func transact(c *smtp.Client, from, to string, msg []byte) (o outcome, detail string, broken bool) {
	classify := func(err error, stage outcome) (outcome, string, bool) {
		var se *smtp.SMTPError
		if !errors.As(err, &se) {
			return notSent, err.Error(), true
		}
		// 421 closes the connection; a failed reset leaves it unusable.
		broken := se.Code == 421 || c.Reset() != nil
		switch {
		case se.Temporary():
			return temporarily, se.Error(), broken
		case se.EnhancedCode[0] == 5 && se.EnhancedCode[1] == 7:
			// Policy: relay denied, sender not allowed. The server refuses this account, not the
			// recipient: nothing is bounced or suppressed, and sending stops for a person to look.
			return policy, se.Error(), broken
		case stage == refused && !aboutMailbox(se):
			return rejected, se.Error(), broken
		}
		return stage, se.Error(), broken
	}
	if err := c.Mail(from, nil); err != nil {
		return classify(err, rejected)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return classify(err, refused)
	}
	w, err := c.Data()
	if err != nil {
		return classify(err, rejected)
	}
	if _, err := w.Write(msg); err != nil {
		// The end-of-data dot was never written: the server cannot have accepted it.
		return notSent, err.Error(), true
	}
	if err := w.Close(); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			if se.Temporary() {
				return temporarily, se.Error(), false
			}
			return rejected, se.Error(), false
		}
		// The message was handed over and the answer never came: it may or may not be queued.
		return cutOff, err.Error(), true
	}
	return delivered, "", false
}
