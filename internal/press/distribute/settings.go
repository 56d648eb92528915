package distribute

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/mail"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	pmail "warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
)

// Settings are how a workspace sends to journalists.
type Settings struct {
	FromName  string `json:"from_name"`
	FromEmail string `json:"from_email"`
	ReplyTo   string `json:"reply_to"`
	// SMTPHost empty: the installation's server.
	SMTPHost    string `json:"smtp_host"`
	SMTPPort    int    `json:"smtp_port"`
	SMTPTLS     string `json:"smtp_tls"`
	SMTPUser    string `json:"smtp_user"`
	HasPassword bool   `json:"smtp_password_set"`
	Rate        int    `json:"rate_per_second"`
	Connections int    `json:"connections"`
	TrackOpens  bool   `json:"track_opens"`
	TrackClicks bool   `json:"track_clicks"`
	IMAPHost    string `json:"imap_host"`
	IMAPPort    int    `json:"imap_port"`
	IMAPTLS     string `json:"imap_tls"`
	IMAPUser    string `json:"imap_user"`
	HasIMAPPass bool   `json:"imap_password_set"`
	IMAPMailbox string `json:"imap_mailbox"`
	// The reply mailbox's last check, and what went wrong (a catalog key), for the settings page.
	IMAPCheckedAt *time.Time `json:"imap_checked_at,omitempty"`
	IMAPError     string     `json:"imap_error,omitempty"`

	smtpPassword, imapPassword string
	// Defaulted reports settings nobody saved yet: the installation's sender and server.
	Defaulted bool `json:"-"`
}

func (set *Settings) fromHeader() string { return addressHeader(set.FromName, set.FromEmail) }

// Settings reads a workspace's sending settings, or the installation's defaults.
func (s *Service) Settings(ctx context.Context, wsID int64) (*Settings, error) {
	set := &Settings{TrackClicks: true, SMTPTLS: TLSStartTLS, IMAPTLS: TLSImplicit, IMAPMailbox: "INBOX"}
	var smtpSecret, imapSecret string
	var checked sql.NullTime
	err := s.d.QueryRow(ctx, `SELECT from_name, from_email, reply_to, smtp_host, smtp_port, smtp_tls, smtp_user, smtp_secret, rate_per_second, connections,
		track_opens, track_clicks, imap_host, imap_port, imap_tls, imap_user, imap_secret, imap_mailbox, imap_checked_at, imap_error
		FROM press_sending WHERE workspace_id = ?`, wsID).Scan(&set.FromName, &set.FromEmail, &set.ReplyTo, &set.SMTPHost, &set.SMTPPort, &set.SMTPTLS,
		&set.SMTPUser, &smtpSecret, &set.Rate, &set.Connections, &set.TrackOpens, &set.TrackClicks, &set.IMAPHost, &set.IMAPPort, &set.IMAPTLS,
		&set.IMAPUser, &imapSecret, &set.IMAPMailbox, &checked, &set.IMAPError)
	if errors.Is(err, sql.ErrNoRows) {
		set.Defaulted = true
		if a, err := mail.ParseAddress(s.from0); err == nil {
			set.FromName, set.FromEmail = a.Name, a.Address
		}
		return set, nil
	}
	if err != nil {
		return nil, err
	}
	set.IMAPCheckedAt = utcPtr(checked)
	set.HasPassword, set.HasIMAPPass = smtpSecret != "", imapSecret != ""
	if smtpSecret != "" {
		if set.smtpPassword, err = s.keys.DecryptString(smtpSecret); err != nil {
			return nil, err
		}
	}
	if imapSecret != "" {
		if set.imapPassword, err = s.keys.DecryptString(imapSecret); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// server is the SMTP server a workspace sends through.
func (s *Service) server(set *Settings) (Server, error) {
	var srv Server
	switch {
	case set.SMTPHost != "":
		srv = Server{Host: set.SMTPHost, Port: set.SMTPPort, TLS: set.SMTPTLS, User: set.SMTPUser, Password: set.smtpPassword,
			Rate: set.Rate, Connections: set.Connections}
	case s.server0 != nil:
		srv = *s.server0
		if set.Rate > 0 {
			srv.Rate = set.Rate
		}
		if set.Connections > 0 {
			srv.Connections = set.Connections
		}
	default:
		return Server{}, ErrNoServer
	}
	if set.FromEmail == "" {
		return Server{}, ErrNoServer
	}
	if at := strings.LastIndexByte(set.FromEmail, '@'); at >= 0 {
		srv.HeloName = set.FromEmail[at+1:]
	}
	return srv, nil
}

// SettingsInput is the settings form; an empty password keeps the one stored.
type SettingsInput struct {
	Settings
	SMTPPassword, IMAPPassword string
	// ClearSMTPPassword forgets the stored password (a server without sign-in).
	ClearSMTPPassword bool
}

// SaveSettings checks and stores a workspace's sending settings.
func (s *Service) SaveSettings(ctx context.Context, a audit.Actor, wsID int64, in SettingsInput) error {
	f := web.NewForm(nil)
	if addr, err := mail.ParseAddress(in.FromEmail); err != nil || addr.Address != in.FromEmail {
		f.Fail("from_email", "distribute.settings.error.email")
	}
	if in.ReplyTo != "" {
		if addr, err := mail.ParseAddress(in.ReplyTo); err != nil || addr.Address != in.ReplyTo {
			f.Fail("reply_to", "distribute.settings.error.email")
		}
	}
	if in.SMTPHost != "" && !validHost(in.SMTPHost) {
		f.Fail("smtp_host", "distribute.settings.error.host")
	}
	if in.IMAPHost != "" && !validHost(in.IMAPHost) {
		f.Fail("imap_host", "distribute.settings.error.host")
	}
	for name, port := range map[string]int{"smtp_port": in.SMTPPort, "imap_port": in.IMAPPort} {
		if port < 0 || port > 65535 {
			f.Fail(name, "distribute.settings.error.port")
		}
	}
	if in.Rate < 0 || in.Rate > 10000 {
		f.Fail("rate_per_second", "distribute.settings.error.rate")
	}
	if in.Connections < 0 || in.Connections > 100 {
		f.Fail("connections", "distribute.settings.error.connections")
	}
	switch in.SMTPTLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		f.Fail("smtp_tls", "distribute.settings.error.tls")
	}
	switch in.IMAPTLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		f.Fail("imap_tls", "distribute.settings.error.tls")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	old, err := s.Settings(ctx, wsID)
	if err != nil {
		return err
	}
	smtpSecret, err := s.secret(in.SMTPPassword, old.smtpPassword, in.ClearSMTPPassword)
	if err != nil {
		return err
	}
	imapSecret, err := s.secret(in.IMAPPassword, old.imapPassword, in.IMAPHost == "")
	if err != nil {
		return err
	}
	mailbox := in.IMAPMailbox
	if mailbox == "" {
		mailbox = "INBOX"
	}
	now := s.now().UTC()
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		// A new reply mailbox is read from its start.
		reset := in.IMAPHost != old.IMAPHost || in.IMAPUser != old.IMAPUser || mailbox != old.IMAPMailbox
		if _, err := tx.Exec(ctx, `INSERT INTO press_sending (workspace_id, from_name, from_email, reply_to, smtp_host, smtp_port, smtp_tls, smtp_user, smtp_secret,
			rate_per_second, connections, track_opens, track_clicks, imap_host, imap_port, imap_tls, imap_user, imap_secret, imap_mailbox, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET from_name = excluded.from_name, from_email = excluded.from_email, reply_to = excluded.reply_to,
			smtp_host = excluded.smtp_host, smtp_port = excluded.smtp_port, smtp_tls = excluded.smtp_tls, smtp_user = excluded.smtp_user,
			smtp_secret = excluded.smtp_secret, rate_per_second = excluded.rate_per_second, connections = excluded.connections,
			track_opens = excluded.track_opens, track_clicks = excluded.track_clicks, imap_host = excluded.imap_host, imap_port = excluded.imap_port,
			imap_tls = excluded.imap_tls, imap_user = excluded.imap_user, imap_secret = excluded.imap_secret, imap_mailbox = excluded.imap_mailbox,
			updated_at = excluded.updated_at`,
			wsID, strings.TrimSpace(in.FromName), in.FromEmail, in.ReplyTo, in.SMTPHost, in.SMTPPort, in.SMTPTLS, in.SMTPUser, smtpSecret,
			in.Rate, in.Connections, in.TrackOpens, in.TrackClicks, in.IMAPHost, in.IMAPPort, in.IMAPTLS, in.IMAPUser, imapSecret, mailbox, now); err != nil {
			return err
		}
		if reset {
			if _, err := tx.Exec(ctx, `UPDATE press_sending SET imap_validity = 0, imap_last_uid = 0, imap_error = '' WHERE workspace_id = ?`, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "distribution.settings_changed", "workspace", wsID, map[string]audit.Change{
			"from": {From: old.FromEmail, To: in.FromEmail}, "smtp_host": {From: old.SMTPHost, To: in.SMTPHost},
			"track_opens": {From: old.TrackOpens, To: in.TrackOpens}, "track_clicks": {From: old.TrackClicks, To: in.TrackClicks}}))
	})
}

// secret encrypts a new password, or keeps the old one when none was typed.
func (s *Service) secret(typed, old string, clear bool) (string, error) {
	switch {
	case typed != "":
		return s.keys.EncryptString(typed)
	case clear || old == "":
		return "", nil
	default:
		return s.keys.EncryptString(old)
	}
}

func validHost(h string) bool {
	if strings.ContainsAny(h, " /:@") {
		return net.ParseIP(h) != nil
	}
	return h != ""
}

// DomainCheck is what the sender domain's DNS says about sending from it.
type DomainCheck struct {
	Domain string
	SPF    string // the v=spf1 record, "" when there is none
	DMARC  string // the v=DMARC1 record at _dmarc, "" when there is none
	Failed bool   // the lookup itself failed (no DNS from this server)
}

// CheckDomain looks up the sender domain's SPF and DMARC records, for the guidance on the
// settings page.
func CheckDomain(ctx context.Context, email string) DomainCheck {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return DomainCheck{}
	}
	dc := DomainCheck{Domain: email[at+1:]}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	txt, err := net.DefaultResolver.LookupTXT(ctx, dc.Domain)
	var dnsErr *net.DNSError
	if err != nil && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
		dc.Failed = true
		return dc
	}
	for _, t := range txt {
		if strings.HasPrefix(strings.ToLower(t), "v=spf1") {
			dc.SPF = t
		}
	}
	if txt, err := net.DefaultResolver.LookupTXT(ctx, "_dmarc."+dc.Domain); err == nil {
		for _, t := range txt {
			if strings.HasPrefix(strings.ToUpper(t), "V=DMARC1") {
				dc.DMARC = t
			}
		}
	}
	return dc
}

// layout puts a message in the email page every Warta email uses; the footer is HTML.
func layout(title, body, footer string) string {
	return pmail.Layout(title, body+`<p style="margin-top:32px;font-size:12px;line-height:1.5;color:#6b7280;">`+footer+`</p>`, "")
}
