package inbox

import (
	"bufio"
	"bytes"
	"io"
	"net/mail"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode ISO-8859-*, Windows-125x and the rest in bodies and subjects
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// maxPartBytes is how much of one part is read: enough for a reply's own words above its quoted history.
const maxPartBytes = 256 << 10

// bounceSubjects start the subjects MTAs put on bounces that are not marked multipart/report
// (lower-case, compared with the subject's start).
var bounceSubjects = []string{
	"undelivered mail returned to sender",    // Postfix
	"delivery status notification (failure)", // Gmail
	"delivery status notification (delay)",
	"mail delivery failed",  // Exim
	"undeliverable:",        // Exchange
	"returned mail:",        // Sendmail
	"failure notice",        // qmail
	"mail delivery failure", // assorted
}

// parse reads what Warta needs from a raw message. It never fails: a message it cannot make sense of comes back
// with what could be read, so one broken mail does not stop the mailbox from being read.
func parse(raw []byte) Message {
	var m Message
	e, _ := message.Read(bytes.NewReader(raw)) // an unknown charset still gives an entity to read
	if e == nil {
		return m
	}
	h := gomail.Header{Header: e.Header}
	if ids := msgIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	if ids := msgIDs(h.Get("In-Reply-To")); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References = msgIDs(h.Get("References"))
	m.From = fromAddress(h)
	if s, err := h.Subject(); err == nil {
		m.Subject = s
	} else {
		m.Subject = h.Get("Subject")
	}
	m.Subject = strings.Join(strings.Fields(m.Subject), " ")
	if d, err := h.Date(); err == nil {
		m.Date = d
	}

	topType, topParams, _ := e.Header.ContentType()
	reportType := strings.ToLower(topParams["report-type"])
	isReport := topType == "multipart/report" && (reportType == "delivery-status" || reportType == "global-delivery-status")

	var plain, html string
	var havePlain, haveHTML bool
	var status []textproto.Header
	var original string
	_ = e.Walk(func(path []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return nil
		}
		mt, _, _ := part.Header.ContentType()
		if mt == "" && len(path) == 0 {
			mt = "text/plain"
		}
		if disp, _, _ := part.Header.ContentDisposition(); disp == "attachment" && !strings.HasPrefix(mt, "message/") &&
			mt != "text/rfc822-headers" {
			return nil
		}
		switch mt {
		case "text/plain":
			if !havePlain {
				plain, havePlain = readPart(part.Body), true
			}
		case "text/html":
			if !haveHTML {
				html, haveHTML = readPart(part.Body), true
			}
		case "message/delivery-status", "message/global-delivery-status":
			if status == nil {
				status = statusFields(part.Body)
			}
		case "text/rfc822-headers", "message/rfc822", "message/global-headers", "message/global":
			if original == "" {
				if oh, err := textproto.ReadHeader(bufio.NewReader(io.LimitReader(part.Body, maxPartBytes))); err == nil {
					if ids := msgIDs(oh.Get("Message-Id")); len(ids) > 0 {
						original = ids[0]
					}
				}
			}
		}
		return nil
	})

	switch {
	case havePlain:
		m.Text = plain
	case haveHTML:
		m.Text = htmlText(html)
	}
	m.Text = capText(trimQuoted(m.Text), 4096)

	if len(status) > 0 && (isReport || bounceSubject(m.Subject)) {
		m.DSN = dsnFrom(status)
		m.DSN.OriginalMessageID = original
	}
	return m
}

func readPart(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxPartBytes))
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func bounceSubject(s string) bool {
	s = strings.ToLower(s)
	for _, p := range bounceSubjects {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

var msgIDPattern = regexp.MustCompile(`<([^<>\s]+)>`)

// msgIDs reads message identifiers leniently: mailers in the wild put spaces, comments and missing brackets in
// Message-ID, In-Reply-To and References, and a reply must still match its release.
func msgIDs(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var ids []string
	for _, m := range msgIDPattern.FindAllStringSubmatch(v, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 && !strings.ContainsAny(v, " \t<>") {
		ids = append(ids, v)
	}
	return ids
}

func fromAddress(h gomail.Header) string {
	if l, err := h.AddressList("From"); err == nil && len(l) > 0 {
		return strings.ToLower(l[0].Address)
	}
	raw := h.Get("From")
	if a, err := mail.ParseAddress(raw); err == nil {
		return strings.ToLower(a.Address)
	}
	if m := msgIDPattern.FindStringSubmatch(raw); m != nil && strings.Contains(m[1], "@") {
		return strings.ToLower(m[1])
	}
	return ""
}

// statusFields reads a message/delivery-status body: blocks of header fields separated by blank lines, the
// per-message block first and one block per recipient after it.
func statusFields(r io.Reader) []textproto.Header {
	b, _ := io.ReadAll(io.LimitReader(r, maxPartBytes))
	// A last block without its blank line would otherwise be lost at end of input.
	br := bufio.NewReader(io.MultiReader(bytes.NewReader(b), strings.NewReader("\r\n\r\n")))
	var blocks []textproto.Header
	for {
		// Skip the blank lines between blocks; ReadHeader would take each as an empty block.
		for {
			c, err := br.Peek(1)
			if err != nil {
				return blocks
			}
			if c[0] != '\r' && c[0] != '\n' {
				break
			}
			br.ReadByte()
		}
		h, err := textproto.ReadHeader(br)
		if err != nil {
			return blocks
		}
		if h.Len() > 0 {
			blocks = append(blocks, h)
		}
	}
}

var statusCode = regexp.MustCompile(`\b[245]\.\d{1,3}\.\d{1,3}\b`)

// dsnFrom picks the recipient block that matters most (a failure before a delay before anything else).
func dsnFrom(blocks []textproto.Header) *DSN {
	var best *DSN
	rank := func(d *DSN) int {
		switch d.Action {
		case "failed":
			return 3
		case "delayed":
			return 2
		}
		return 1
	}
	for _, b := range blocks {
		if !b.Has("Final-Recipient") && !b.Has("Original-Recipient") && !b.Has("Action") {
			continue // the per-message block
		}
		d := &DSN{
			Recipient:  typedValue(b.Get("Final-Recipient")),
			Action:     strings.ToLower(firstWord(b.Get("Action"))),
			Status:     statusCode.FindString(b.Get("Status")),
			Diagnostic: typedValue(b.Get("Diagnostic-Code")),
		}
		if d.Recipient == "" {
			d.Recipient = typedValue(b.Get("Original-Recipient"))
		}
		d.Recipient = strings.ToLower(strings.Trim(d.Recipient, "<>"))
		d.Hard = d.Action == "failed" && strings.HasPrefix(d.Status, "5.")
		if best == nil || rank(d) > rank(best) {
			best = d
		}
	}
	if best == nil {
		return &DSN{}
	}
	return best
}

// typedValue strips the type of an RFC 3464 typed field ("rfc822; a@b", "smtp; 550 …") and unfolds it.
func typedValue(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[i+1:]
	}
	return strings.Join(strings.Fields(v), " ")
}

func firstWord(v string) string {
	if f := strings.Fields(v); len(f) > 0 {
		return f[0]
	}
	return ""
}
