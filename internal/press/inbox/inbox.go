// Package inbox reads a mailbox over IMAP: replies to releases and pitches, and delivery status notifications
// (bounces) for the addresses a distribution mailed. It only reads; the caller decides what a message means.
package inbox

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Errors Check and Fetch wrap, so the caller can tell a person which setting to look at.
var (
	ErrConnect  = errors.New("inbox: cannot connect to the IMAP server")
	ErrTLS      = errors.New("inbox: TLS with the IMAP server failed")
	ErrInsecure = errors.New("inbox: IMAP without TLS is allowed only on loopback and private networks")
	ErrLogin    = errors.New("inbox: the IMAP server refused the login")
	ErrMailbox  = errors.New("inbox: the mailbox cannot be opened")
)

// Config says where a mailbox is and how to log in.
type Config struct {
	Host     string
	Port     int    // 0: 993 for "tls", 143 otherwise
	TLS      string // "tls" (implicit, the default), "starttls", "none"
	User     string
	Password string
	Mailbox  string // "" is INBOX
}

// Message is one mail from the mailbox, read for what Warta needs of it.
type Message struct {
	UID        uint32
	MessageID  string
	InReplyTo  string
	References []string
	From       string // address only, lower-case
	Subject    string
	Date       time.Time
	Text       string // plain text, quoted history trimmed, at most 4 KB
	DSN        *DSN   // set when the message is a delivery status notification (RFC 3464)
}

// DSN is what a delivery status notification says about the one recipient it reports on.
type DSN struct {
	Recipient         string // the address that failed, lower-case
	Action            string // "failed", "delayed", "delivered", "relayed", "expanded"
	Status            string // "5.1.1"
	Diagnostic        string // the remote server's words, e.g. "550 5.1.1 <x@y>: Recipient address rejected"
	OriginalMessageID string // Message-ID of the mail that bounced, without angle brackets
	Hard              bool   // failed permanently (Action failed, Status 5.x.x): stop mailing this address
}

// defaultTimeout bounds a whole session when the caller's context has no deadline.
const defaultTimeout = time.Minute

// maxFetchBytes caps how much of one message is read; text and DSN parts come long before large attachments.
const maxFetchBytes = 1 << 20

func (c Config) mailbox() string {
	if c.Mailbox == "" {
		return "INBOX"
	}
	return c.Mailbox
}

func (c Config) addr() string {
	port := c.Port
	if port == 0 {
		port = 143
		if c.TLS == "" || c.TLS == "tls" {
			port = 993
		}
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

// Check logs in and opens the mailbox. The error wraps ErrConnect, ErrTLS, ErrInsecure, ErrLogin or ErrMailbox.
func (c Config) Check(ctx context.Context) error {
	cl, done, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	_, err = selectMailbox(cl, c.mailbox())
	return err
}

// Fetch returns the messages with a UID above afterUID, oldest first, at most limit of them. When the mailbox's
// UIDVALIDITY is not uidValidity (the mailbox was recreated, or this is the first time), it starts from the
// beginning; either way newValidity is the mailbox's current one, to keep with the last UID seen.
func Fetch(ctx context.Context, c Config, afterUID, uidValidity uint32, limit int) (msgs []Message, newValidity uint32, err error) {
	if limit <= 0 {
		return nil, 0, errors.New("inbox: fetch limit must be positive")
	}
	cl, done, err := c.open(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	sel, err := selectMailbox(cl, c.mailbox())
	if err != nil {
		return nil, 0, err
	}
	if sel.UIDValidity != uidValidity {
		afterUID = 0
	}
	if sel.NumMessages == 0 {
		return nil, sel.UIDValidity, nil
	}
	// "UID n:*" always includes the highest UID, even below n, so the result is filtered again.
	sd, err := cl.UIDSearch(&imap.SearchCriteria{
		UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(afterUID + 1), Stop: 0}}},
	}, nil).Wait()
	if err != nil {
		return nil, 0, commandErr("search", err)
	}
	var uids []imap.UID
	for _, u := range sd.AllUIDs() {
		if uint32(u) > afterUID {
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	if len(uids) > limit {
		uids = uids[:limit]
	}
	if len(uids) == 0 {
		return nil, sel.UIDValidity, nil
	}
	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: maxFetchBytes}}
	bufs, err := cl.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID:          true,
		InternalDate: true,
		BodySection:  []*imap.FetchItemBodySection{section},
	}).Collect()
	if err != nil {
		return nil, 0, commandErr("fetch", err)
	}
	slices.SortFunc(bufs, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	for _, b := range bufs {
		m := parse(b.FindBodySection(section))
		m.UID = uint32(b.UID)
		if m.Date.IsZero() {
			m.Date = b.InternalDate
		}
		msgs = append(msgs, m)
	}
	return msgs, sel.UIDValidity, nil
}

// commandErr tells a server's refusal from a connection that broke or timed out (ErrConnect).
func commandErr(op string, err error) error {
	if _, ok := errors.AsType[*imap.Error](err); ok {
		return fmt.Errorf("inbox: %s: %w", op, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrConnect, op, err)
}

func selectMailbox(cl *imapclient.Client, name string) (*imap.SelectData, error) {
	sel, err := cl.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		if _, ok := errors.AsType[*imap.Error](err); ok {
			return nil, fmt.Errorf("%w: %q: %w", ErrMailbox, name, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrConnect, err)
	}
	return sel, nil
}

// open connects and logs in; done logs out and closes. The connection's deadline is the context's (or
// defaultTimeout), and cancelling the context closes the connection.
func (c Config) open(ctx context.Context) (cl *imapclient.Client, done func(), err error) {
	if c.Host == "" {
		return nil, nil, fmt.Errorf("%w: no host", ErrConnect)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer func() {
			if err != nil {
				cancel()
			} else {
				prev := done
				done = func() { prev(); cancel() }
			}
		}()
	}
	deadline, _ := ctx.Deadline()

	addr := c.addr()
	if c.TLS == "none" {
		// Resolve once and dial what was checked, so a name cannot turn public between the check and the dial.
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", c.Host)
		if err != nil || len(ips) == 0 {
			return nil, nil, fmt.Errorf("%w: %w", ErrConnect, err)
		}
		ip := ips[0].Unmap()
		if !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() {
			return nil, nil, fmt.Errorf("%w (%s is %s)", ErrInsecure, c.Host, ip)
		}
		_, port, _ := net.SplitHostPort(addr)
		addr = net.JoinHostPort(ip.String(), port)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrConnect, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(e error) (*imapclient.Client, func(), error) {
		stop()
		conn.Close()
		return nil, nil, e
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return fail(fmt.Errorf("%w: %w", ErrConnect, err))
	}

	opts := &imapclient.Options{TLSConfig: &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}}
	switch c.TLS {
	case "", "tls":
		tc := tls.Client(conn, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(fmt.Errorf("%w: %w", ErrTLS, err))
		}
		cl = imapclient.New(tc, opts)
	case "starttls":
		cl, err = imapclient.NewStartTLS(conn, opts)
		if err != nil {
			return fail(fmt.Errorf("%w: STARTTLS: %w", ErrTLS, err))
		}
	case "none":
		cl = imapclient.New(conn, opts)
	default:
		return fail(fmt.Errorf("%w: unknown TLS mode %q", ErrTLS, c.TLS))
	}
	if err := cl.WaitGreeting(); err != nil {
		cl.Close()
		return fail(fmt.Errorf("%w: %w", ErrConnect, err))
	}
	if err := cl.Login(c.User, c.Password).Wait(); err != nil {
		cl.Close()
		if _, ok := errors.AsType[*imap.Error](err); ok {
			return fail(fmt.Errorf("%w: %w", ErrLogin, err))
		}
		return fail(fmt.Errorf("%w: %w", ErrConnect, err))
	}
	return cl, func() {
		// Logging out is a courtesy to the server; what was read is already read.
		cl.Logout().Wait()
		cl.Close()
		stop()
	}, nil
}
