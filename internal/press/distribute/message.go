package distribute

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Merge fields a release or pitch may hold, and the ones Warta adds to every message.
const (
	fieldName = iota
	fieldFirstName
	fieldSalutation
	fieldOutlet
	fieldGreeting
	fieldUnsubscribe
	fieldOpen
	fieldLink // fieldLink+n is link n
)

var fieldNames = map[string]int{
	"name": fieldName, "first_name": fieldFirstName, "salutation": fieldSalutation, "outlet": fieldOutlet,
	"greeting": fieldGreeting, "unsubscribe_url": fieldUnsubscribe, "open_url": fieldOpen,
}

// MergeFields are the fields people may write in a pitch or release, for the help text.
var MergeFields = []string{"{{name}}", "{{first_name}}", "{{salutation}}", "{{outlet}}"}

var placeholder = regexp.MustCompile(`\{\{\s*([a-z_]+)(?::(\d+))?\s*\}\}`)

// segment is a piece of a compiled template: literal text, or a field (when field >= 0).
type segment struct {
	lit   string
	field int
}

type compiled []segment

// compile splits a stored template at its placeholders. Unknown {{words}} stay as written.
func compile(s string) compiled {
	var out compiled
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[2]:m[3]]
		f, ok := fieldNames[name]
		if name == "link" && m[4] >= 0 {
			n, _ := strconv.Atoi(s[m[4]:m[5]])
			f, ok = fieldLink+n, true
		}
		if !ok {
			continue
		}
		if m[0] > last {
			out = append(out, segment{lit: s[last:m[0]], field: -1})
		}
		out = append(out, segment{field: f})
		last = m[1]
	}
	if last < len(s) {
		out = append(out, segment{lit: s[last:], field: -1})
	}
	return out
}

func (c compiled) hasFields() bool {
	for _, s := range c {
		if s.field >= 0 {
			return true
		}
	}
	return false
}

// letterTemplate is one language of a distribution's message, compiled once per batch.
type letterTemplate struct {
	subject       compiled
	plainSubject  string // encoded, when the subject has no field
	html, text    compiled
	greetWith     compiled // greeting when the recipient has a salutation
	greetWithout  compiled
	greetNameless compiled // for a recipient without a name, where the distribution has one
	fromHeader    string
	envelopeFrom  string
	replyTo       string
	listID        string
	domain        string
	distributionD int64
}

// personal is what one recipient's message is filled with.
type personal struct {
	id                             int64
	email                          string
	name, salutation, outlet, lang string
	token                          string // signs the recipient's links
	base                           string // installation address
}

func (p *personal) value(field int, escape bool, t *letterTemplate) string {
	var v string
	switch {
	case field == fieldName:
		v = p.name
	case field == fieldFirstName:
		v, _, _ = strings.Cut(strings.TrimSpace(p.name), " ")
	case field == fieldSalutation:
		v = p.salutation
	case field == fieldOutlet:
		v = p.outlet
	case field == fieldGreeting:
		g := t.greetWithout
		switch {
		case strings.TrimSpace(p.salutation) != "":
			g = t.greetWith
		case strings.TrimSpace(p.name) == "" && len(t.greetNameless) > 0:
			g = t.greetNameless
		}
		var b strings.Builder
		for _, s := range g {
			if s.field < 0 {
				b.WriteString(s.lit)
			} else if s.field != fieldGreeting {
				b.WriteString(p.value(s.field, false, t))
			}
		}
		v = strings.Join(strings.Fields(b.String()), " ")
	case field == fieldUnsubscribe:
		return p.base + "/m/" + p.token + "/u"
	case field == fieldOpen:
		return p.base + "/m/" + p.token + "/o.gif"
	case field >= fieldLink:
		return p.base + "/m/" + p.token + "/c/" + strconv.Itoa(field-fieldLink)
	}
	if escape {
		return html.EscapeString(v)
	}
	return v
}

func (c compiled) write(b *bytes.Buffer, p *personal, escape bool, t *letterTemplate) {
	for _, s := range c {
		if s.field < 0 {
			b.WriteString(s.lit)
		} else {
			b.WriteString(p.value(s.field, escape, t))
		}
	}
}

// boundary separates the text and HTML parts; it cannot occur in quoted-printable text, whose
// lines never start with two hyphens followed by this.
const boundary = "=_warta_alternative_part"

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// compose writes the whole message for one recipient into out.
func (t *letterTemplate) compose(out *bytes.Buffer, p *personal, now time.Time) {
	out.WriteString("From: ")
	out.WriteString(t.fromHeader)
	out.WriteString("\nTo: ")
	out.WriteString(addressHeader(p.name, p.email))
	if t.replyTo != "" {
		out.WriteString("\nReply-To: ")
		out.WriteString(t.replyTo)
	}
	out.WriteString("\nSubject: ")
	if t.plainSubject != "" {
		out.WriteString(t.plainSubject)
	} else {
		sb := bufPool.Get().(*bytes.Buffer)
		sb.Reset()
		t.subject.write(sb, p, false, t)
		out.WriteString(mime.QEncoding.Encode("utf-8", sb.String()))
		bufPool.Put(sb)
	}
	out.WriteString("\nDate: ")
	out.WriteString(now.Format(time.RFC1123Z))
	out.WriteString("\nMessage-ID: ")
	out.WriteString(messageID(t.distributionD, p.id, p.token, t.domain))
	out.WriteString("\nList-Id: ")
	out.WriteString(t.listID)
	out.WriteString("\nList-Unsubscribe: <")
	out.WriteString(p.value(fieldUnsubscribe, false, t))
	out.WriteString(">\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"")
	out.WriteString(boundary)
	out.WriteString("\"\n\n--")
	out.WriteString(boundary)
	out.WriteString("\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
	t.part(out, t.text, p, false)
	out.WriteString("\n--")
	out.WriteString(boundary)
	out.WriteString("\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
	t.part(out, t.html, p, true)
	out.WriteString("\n--")
	out.WriteString(boundary)
	out.WriteString("--\n")
}

func (t *letterTemplate) part(out *bytes.Buffer, c compiled, p *personal, escape bool) {
	body := bufPool.Get().(*bytes.Buffer)
	body.Reset()
	c.write(body, p, escape, t)
	qp := quotedprintable.NewWriter(out)
	_, _ = qp.Write(body.Bytes())
	_ = qp.Close()
	bufPool.Put(body)
}

// addressHeader is "Name" <address>, the name encoded when it is not plain ASCII.
func addressHeader(name, email string) string {
	return (&mail.Address{Name: strings.TrimSpace(name), Address: email}).String()
}

// messageID names a recipient's message so that a reply (In-Reply-To) leads back to them.
func messageID(distributionID, recipientID int64, token, domain string) string {
	return fmt.Sprintf("<d%d.r%d.%s@%s>", distributionID, recipientID, token[strings.IndexByte(token, '-')+1:], domain)
}

var replyRef = regexp.MustCompile(`^<?d(\d+)\.r(\d+)\.([A-Za-z0-9_-]+)@`)

// tokens sign a recipient's links and message ID, so that nobody can unsubscribe or be counted
// for someone else.
type tokens struct{ key []byte }

func (k tokens) sign(id int64) string {
	m := hmac.New(sha256.New, k.key)
	fmt.Fprintf(m, "distribution-recipient:%d", id)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// token is the recipient's ID and its signature.
func (k tokens) token(id int64) string { return strconv.FormatInt(id, 36) + "-" + k.sign(id) }

// check returns the recipient a token names, or 0 when it is not genuine.
func (k tokens) check(tok string) int64 {
	idPart, sig, ok := strings.Cut(tok, "-")
	if !ok {
		return 0
	}
	id, err := strconv.ParseInt(idPart, 36, 64)
	if err != nil || id <= 0 || !hmac.Equal([]byte(sig), []byte(k.sign(id))) {
		return 0
	}
	return id
}

// fromReply finds the recipient a reply answers from its In-Reply-To or References.
func (k tokens) fromReply(ids ...string) (distributionID, recipientID int64) {
	for _, ref := range ids {
		m := replyRef.FindStringSubmatch(strings.TrimSpace(ref))
		if m == nil {
			continue
		}
		d, _ := strconv.ParseInt(m[1], 10, 64)
		r, _ := strconv.ParseInt(m[2], 10, 64)
		if hmac.Equal([]byte(m[3]), []byte(k.sign(r))) {
			return d, r
		}
	}
	return 0, 0
}

var hrefAttr = regexp.MustCompile(`href="(https?://[^"]+)"`)
var bareURL = regexp.MustCompile(`https?://[^\s<>"']+`)

// trackLinks replaces the links of a letter's HTML and text with numbered placeholders, and
// returns the links in their order. The same address gets the same number in both parts.
func trackLinks(htmlPart, textPart string) (string, string, []string) {
	var links []string
	index := map[string]int{}
	number := func(u string) int {
		if n, ok := index[u]; ok {
			return n
		}
		links = append(links, u)
		index[u] = len(links) - 1
		return len(links) - 1
	}
	htmlPart = hrefAttr.ReplaceAllStringFunc(htmlPart, func(m string) string {
		u := html.UnescapeString(m[len(`href="`) : len(m)-1])
		return fmt.Sprintf(`href="{{link:%d}}"`, number(u))
	})
	textPart = bareURL.ReplaceAllStringFunc(textPart, func(u string) string {
		trimmed := strings.TrimRight(u, ".,;:!?)")
		return fmt.Sprintf("{{link:%d}}", number(trimmed)) + u[len(trimmed):]
	})
	return htmlPart, textPart, links
}
