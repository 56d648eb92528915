package mail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is the server mail is sent through.
type SMTPConfig struct {
	Host     string
	Port     int    // 0: 587 for starttls, 465 for tls, 25 for none
	TLS      string // "starttls" (the default when empty), "tls" (implicit TLS) or "none"
	User     string // empty: no authentication
	Password string
}

// The values of SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// Validate reports a configuration that cannot work, for the app to refuse at start.
func (c SMTPConfig) Validate() error {
	if c.Host == "" {
		return errors.New("mail: SMTP host is empty")
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("mail: SMTP port %d is out of range", c.Port)
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return fmt.Errorf("mail: SMTP TLS mode %q is not starttls, tls or none", c.TLS)
	}
	return nil
}

func (c SMTPConfig) client() (*gomail.Client, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	port := c.Port
	auth := gomail.SMTPAuthAutoDiscover
	switch c.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
		port = cmp.Or(port, gomail.DefaultPortSSL)
	case TLSNone:
		// The operator chose a plain connection (a relay on a private network): PLAIN may then
		// be sent without TLS.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		port = cmp.Or(port, gomail.DefaultPort)
		auth = gomail.SMTPAuthPlainNoEnc
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		port = cmp.Or(port, gomail.DefaultPortTLS)
	}
	opts = append(opts, gomail.WithPort(port))
	if c.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.User), gomail.WithPassword(c.Password))
	}
	return gomail.NewClient(c.Host, opts...)
}

// send delivers msg in one SMTP session.
func (c SMTPConfig) send(ctx context.Context, from string, msg Stored) error {
	gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := gm.From(from); err != nil {
		return fmt.Errorf("mail: sender address %q: %w", from, err)
	}
	if err := gm.To(msg.To); err != nil {
		return fmt.Errorf("mail: recipient address %q: %w", msg.To, err)
	}
	gm.Subject(msg.Subject)
	gm.SetMessageIDWithValue(msg.MessageID)
	gm.SetDateWithValue(msg.CreatedAt)
	for k, v := range msg.Headers {
		gm.SetGenHeader(gomail.Header(k), v)
	}
	switch {
	case msg.Text != "" && msg.HTML != "":
		gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
		gm.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	case msg.Text != "":
		gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
	default:
		gm.SetBodyString(gomail.TypeTextHTML, msg.HTML)
	}
	client, err := c.client()
	if err != nil {
		return err
	}
	err = client.DialAndSendWithContext(ctx, gm)
	if err != nil && gm.IsDelivered() {
		// The server accepted the message; what failed came after (RSET, QUIT). Reporting it
		// would send the message again.
		return nil
	}
	return err
}

// isPermanent reports an SMTP 5xx refusal of the recipient or the content (unknown mailbox,
// rejected message), which no retry will change. Connection, TLS, authentication and sender
// problems are not: the operator may fix them, and the message then goes out on a later attempt.
func isPermanent(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) || se.IsTemp() {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		return se.ErrorCode() >= 500 && se.ErrorCode() < 600
	}
	return false
}
