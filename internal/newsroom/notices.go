package newsroom

import (
	"context"
	"fmt"
	"html/template"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

const (
	// statementsRecent is how long a statement leads the home page.
	statementsRecent = 30 * 24 * time.Hour
	// resolvedKept is how long a resolved incident stays on the status page.
	resolvedKept = 90 * 24 * time.Hour
)

// PublishNotice puts a statement or a status update on the workspace's public newsroom at once:
// every page is rendered again, and while an incident's latest update is not resolved every
// page carries its banner. The newsroom must be switched on (ErrNewsroomOff).
func (s *Service) PublishNotice(ctx context.Context, a audit.Actor, wsID int64, in NoticeInput) (*Notice, error) {
	st, err := s.Settings(ctx, wsID)
	if err != nil {
		return nil, err
	}
	if !st.Enabled {
		return nil, ErrNewsroomOff
	}
	n, err := checkNotice(in)
	if err != nil {
		return nil, err
	}
	n.PublishedAt = s.now().UTC()
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := insertNotice(ctx, tx, wsID, &n); err != nil {
			return err
		}
		if err := s.Touch(ctx, tx, wsID); err != nil {
			return err
		}
		changes := map[string]audit.Change{"kind": {To: n.Kind}, "title": {To: n.Title}}
		if n.Kind == StatusUpdate {
			changes["incident"], changes["state"] = audit.Change{To: n.Incident}, audit.Change{To: n.State}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "newsroom.notice_published", "newsroom_notice", n.ID, changes))
	})
	if err != nil {
		return nil, err
	}
	n.URL = s.noticeURL(st, n)
	return &n, nil
}

// checkNotice tidies a notice's text and checks it, naming the fields that are wrong.
func checkNotice(in NoticeInput) (Notice, error) {
	// One-line fields: control characters and runs of white space become one space.
	line := func(s string) string {
		return strings.Join(strings.Fields(xmlText(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s))), " ")
	}
	n := Notice{Kind: in.Kind, Incident: line(in.Incident), IncidentKey: strings.TrimSpace(in.IncidentKey), State: in.State,
		Lang: strings.ToLower(strings.TrimSpace(in.Lang)), Title: line(in.Title),
		Body:        strings.TrimSpace(xmlText(strings.ReplaceAll(strings.ReplaceAll(in.Body, "\r\n", "\n"), "\r", "\n"))),
		ContactName: line(in.ContactName), ContactPhone: line(in.ContactPhone), ContactEmail: line(in.ContactEmail)}
	f := web.NewForm(nil)
	switch n.Kind {
	case Statement:
		n.State = ""
		if n.Title == "" {
			n.Title = n.Incident
		}
		if n.Title == "" {
			f.Fail("title", "newsroom.error.notice_title")
		}
	case StatusUpdate:
		if !slices.Contains(NoticeStates, n.State) {
			f.Fail("state", "newsroom.error.notice_state")
		}
		if n.Incident == "" {
			f.Fail("incident", "newsroom.error.notice_incident")
		}
		if n.IncidentKey == "" {
			n.IncidentKey = "incident:" + fold(n.Incident)
		}
	default:
		f.Fail("kind", "form.choose")
	}
	if n.Lang != "id" && n.Lang != "en" {
		f.Fail("lang", "newsroom.error.notice_lang")
	}
	if n.Body == "" {
		f.Fail("body", "newsroom.error.notice_body")
	}
	for _, c := range []struct {
		field, text string
		limit       int
	}{{"incident", n.Incident, 200}, {"incident_key", n.IncidentKey, 200}, {"title", n.Title, 300}, {"body", n.Body, 20000},
		{"contact_name", n.ContactName, 200}, {"contact_phone", n.ContactPhone, 60}, {"contact_email", n.ContactEmail, 200}} {
		if utf8.RuneCountInString(c.text) > c.limit {
			f.Fail(c.field, "form.too_long")
		}
	}
	if n.ContactEmail != "" {
		if addr, err := mail.ParseAddress(n.ContactEmail); err != nil || addr.Address != n.ContactEmail {
			f.Fail("contact_email", "newsroom.error.notice_email")
		}
	}
	if !f.Valid() {
		return n, web.Invalid(f)
	}
	return n, nil
}

// Notices lists the workspace's notices, withdrawn ones too, newest first: those of one incident,
// or all when incidentKey is "".
func (s *Service) Notices(ctx context.Context, wsID int64, incidentKey string) ([]Notice, error) {
	st, err := s.Settings(ctx, wsID)
	if err != nil {
		return nil, err
	}
	list, err := listNotices(ctx, s.d, wsID, incidentKey)
	for i := range list {
		list[i].URL = s.noticeURL(st, list[i])
	}
	return list, err
}

// WithdrawNotice takes a notice off the public newsroom; it stays in the app's list, marked
// withdrawn. Withdrawing the latest update of an incident makes the one before it current again.
func (s *Service) WithdrawNotice(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		n, err := noticeByID(ctx, tx, wsID, id)
		if err != nil {
			return err
		}
		if n.WithdrawnAt != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE newsroom_notices SET withdrawn_at = ? WHERE workspace_id = ? AND id = ?`, s.now().UTC(), wsID, id); err != nil {
			return err
		}
		if err := s.Touch(ctx, tx, wsID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "newsroom.notice_withdrawn", "newsroom_notice", id,
			map[string]audit.Change{"kind": {From: n.Kind}, "title": {From: n.Title}, "incident": {From: n.Incident}}))
	})
}

// notice returns one notice with its public address.
func (s *Service) notice(ctx context.Context, wsID, id int64) (*Notice, error) {
	st, err := s.Settings(ctx, wsID)
	if err != nil {
		return nil, err
	}
	n, err := noticeByID(ctx, s.d, wsID, id)
	if err != nil {
		return nil, err
	}
	n.URL = s.noticeURL(st, n)
	return &n, nil
}

// noticeURL is where the public reads a notice: a statement's own page, or its update on the
// status page.
func (s *Service) noticeURL(st *Settings, n Notice) string {
	if n.Kind == Statement {
		return fmt.Sprintf("%s/statements/%d", s.URL(st), n.ID)
	}
	return fmt.Sprintf("%s/status#update-%d", s.URL(st), n.ID)
}

var (
	paragraphBreak = regexp.MustCompile(`\n[ \t]*\n\s*`)
	webAddress     = regexp.MustCompile(`https?://[^\s<>"]+`)
)

// noticeParagraphs are a notice's paragraphs, split at blank lines.
func noticeParagraphs(body string) []string {
	var out []string
	for _, p := range paragraphBreak.Split(strings.TrimSpace(xmlText(body)), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// noticeHTML is a notice's plain text as HTML: everything escaped, a paragraph per blank line, a
// line break per line, http(s) addresses linked and nothing else.
func noticeHTML(body string) template.HTML {
	var b strings.Builder
	for _, p := range noticeParagraphs(body) {
		b.WriteString("<p>")
		for i, line := range strings.Split(p, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			writeLinked(&b, line)
		}
		b.WriteString("</p>\n")
	}
	return template.HTML(b.String()) // #nosec: every piece of text escaped above
}

func writeLinked(b *strings.Builder, text string) {
	last := 0
	for _, m := range webAddress.FindAllStringIndex(text, -1) {
		if m[0] < last {
			continue
		}
		addr := trimAddress(text[m[0]:m[1]])
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		esc := template.HTMLEscapeString(addr)
		if u, err := url.Parse(addr); err == nil && u.Host != "" {
			fmt.Fprintf(b, `<a href="%s" rel="nofollow noopener">%s</a>`, esc, esc)
		} else {
			b.WriteString(esc)
		}
		last = m[0] + len(addr)
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
}

// trimAddress leaves out the punctuation that ends a sentence after an address, and a closing
// bracket that opened before it.
func trimAddress(s string) string {
	for s != "" {
		last := s[len(s)-1]
		switch {
		case strings.IndexByte(".,;:!?'\"", last) >= 0:
			s = s[:len(s)-1]
		case last == ')' && strings.Count(s, "(") < strings.Count(s, ")"):
			s = s[:len(s)-1]
		default:
			return s
		}
	}
	return s
}

// noticeLead is a notice's first paragraph on one line, shortened for lists and previews.
func noticeLead(body string) string {
	ps := noticeParagraphs(body)
	if len(ps) == 0 {
		return ""
	}
	lead := strings.Join(strings.Fields(ps[0]), " ")
	if r := []rune(lead); len(r) > 280 {
		lead = strings.TrimSpace(string(r[:280])) + "…"
	}
	return lead
}
