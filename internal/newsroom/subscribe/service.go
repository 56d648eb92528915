package subscribe

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
)

// Service holds the rules of newsroom subscriptions.
type Service struct {
	d      *db.DB
	mail   Mailer
	bundle *i18n.Bundle
	topics Topics
	// erasers forget the subscriber in other packages when they are erased
	erasers []Eraser
}

// NewService wires the service: m sends the confirmation email, b holds its words, topics names
// the newsroom's topics (and says which exist).
func NewService(d *db.DB, m Mailer, b *i18n.Bundle, topics Topics) *Service {
	return &Service{d: d, mail: m, bundle: b, topics: topics}
}

const (
	// LinkValid is how long a confirmation link works.
	LinkValid = 7 * 24 * time.Hour
	// ResendAfter is how long after a confirmation email a new request sends another: sooner, the
	// email on its way confirms the new request, so a double click or an impatient visitor sends
	// one email, and nobody can flood an address.
	ResendAfter = 10 * time.Minute
	// PendingKept is how long an address that never confirmed is kept, then forgotten.
	PendingKept = 30 * 24 * time.Hour

	maxEmail  = 254
	maxName   = 200
	maxSource = 60
	// audienceBatch is how many subscribers Audience reads at a time.
	audienceBatch = 500
)

func normalEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// language is lang when Warta speaks it, else Indonesian, the newsroom's first language.
func language(lang string) string {
	if l := i18n.Supported(lang); l != "" {
		return l
	}
	return "id"
}

// ConsentText is the sentence a visitor agrees to by subscribing, in lang: the public form shows
// it, and the subscriber's consent record keeps it as it was shown.
func (s *Service) ConsentText(lang, newsroom string) string {
	return s.bundle.Locale(language(lang), nil).T("subscribe.consent_words", "Newsroom", newsroom)
}

// Subscribe records a visitor's request and mails them a confirmation link, in one transaction:
// the address is a pending subscriber, sent nothing else, until the link is opened. A repeat
// within ResendAfter of the last email sends no second one; the link already sent then confirms
// what was asked last. A confirmed subscriber who asks again keeps their subscription as it is
// until they open the new link. It fails with ErrEmail for an address that is not one, and with
// ErrName for a name too long to be one; the answer does not tell whether the address was known.
func (s *Service) Subscribe(ctx context.Context, req Request) error {
	email := normalEmail(req.Email)
	if len(email) > maxEmail || !web.ValidEmail(email) {
		return ErrEmail
	}
	name := strings.Join(strings.Fields(req.Name), " ")
	if utf8.RuneCountInString(name) > maxName {
		return ErrName
	}
	if req.ConfirmURL == nil {
		return errors.New("subscribe: a request needs its ConfirmURL")
	}
	lang := language(req.Lang)
	known, err := s.topics.TopicNames(ctx, req.WorkspaceID, lang)
	if err != nil {
		return err
	}
	at := now()
	c := Confirmation{Name: name, Lang: lang, Topics: cleanTopics(req.Topics, known), ConsentText: s.ConsentText(lang, req.NewsroomName),
		RequestedAt: at, MailedAt: at, ExpiresAt: at.Add(LinkValid)}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := ensure(ctx, tx, req.WorkspaceID, email, lang, at); err != nil {
			return err
		}
		sub, err := byEmail(ctx, tx, req.WorkspaceID, email)
		if err != nil {
			return err
		}
		if sub.State == Pending {
			if err := setPending(ctx, tx, sub, c); err != nil {
				return err
			}
		}
		last, err := lastRequest(ctx, tx, sub.WorkspaceID, sub.ID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if last != nil && at.Sub(last.Confirmation.MailedAt) < ResendAfter {
			c.MailedAt, c.ExpiresAt = last.Confirmation.MailedAt, last.Confirmation.ExpiresAt
			return updateRequest(ctx, tx, last.ID, c)
		}
		token := secrets.NewToken()
		if err := insertRequest(ctx, tx, sub.WorkspaceID, sub.ID, secrets.HashToken(token), c); err != nil {
			return err
		}
		_, err = s.mail.SendTx(ctx, tx, s.confirmationMail(req.WorkspaceID, email, req.NewsroomName, c, known, req.ConfirmURL(token)))
		if errors.Is(err, mail.ErrInvalidAddress) {
			return ErrEmail
		}
		return err
	})
}

// confirmationMail is the email that asks the person to confirm, in their language.
func (s *Service) confirmationMail(wsID int64, to, newsroom string, c Confirmation, names map[int64]string, link string) mail.Message {
	l := s.bundle.Locale(c.Lang, nil)
	subject := l.T("subscribe.mail.subject", "Newsroom", newsroom)
	// The name typed on the form is left out: anyone may type any address, and the email must
	// carry nothing of theirs to it.
	greeting := l.T("subscribe.mail.greeting")
	intro := l.T("subscribe.mail.intro", "Newsroom", newsroom, "Email", to)
	topics := l.T("subscribe.mail.topics_all")
	if len(c.Topics) > 0 {
		list := make([]string, 0, len(c.Topics))
		for _, t := range c.Topics {
			list = append(list, names[t])
		}
		topics = l.T("subscribe.mail.topics", "Topics", strings.Join(list, ", "))
	}
	action := l.T("subscribe.mail.action", "Days", int(LinkValid/(24*time.Hour)))
	button := l.T("subscribe.mail.button")
	nothing := l.T("subscribe.mail.nothing")
	ignore := l.T("subscribe.mail.ignore")
	footer := l.T("subscribe.mail.footer", "Newsroom", newsroom)
	text := strings.Join([]string{greeting, intro + "\n" + topics, action + "\n" + link, nothing + " " + ignore, "-- \n" + footer}, "\n\n")
	esc := template.HTMLEscapeString
	html := fmt.Sprintf(`<p>%s</p><p>%s<br>%s</p><p>%s</p>`+
		`<p><a href="%s" style="display:inline-block;padding:10px 18px;background:#0b5f73;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">%s</a></p>`+
		`<p style="color:#4d5b6b;font-size:13px">%s</p><p><strong>%s</strong> %s</p>`,
		esc(greeting), esc(intro), esc(topics), esc(action), esc(link), esc(button), esc(link), esc(nothing), esc(ignore))
	return mail.Message{WorkspaceID: wsID, To: to, Subject: subject, Text: text, HTML: mail.Layout(subject, html, footer),
		Kind: "newsroom_subscribe_confirm", Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
}

// asRequested is a subscriber as a request's link would make them, in their current state.
func asRequested(sub *Subscriber, c Confirmation) *Subscriber {
	v := *sub
	v.Name, v.Lang, v.Topics = c.Name, c.Lang, c.Topics
	v.Consent = Consent{Text: c.ConsentText, Lang: c.Lang, RequestedAt: c.RequestedAt}
	return &v
}

// Pending returns, for the confirmation page, the subscriber a link would confirm, with what it
// asks for (name, language, topics, the consent words) and the subscriber's current State. It
// fails with db.ErrNotFound for a link that is unknown, used or older than LinkValid. The caller
// checks that WorkspaceID is the newsroom's it serves.
func (s *Service) Pending(ctx context.Context, token string) (*Subscriber, error) {
	a, err := requestByToken(ctx, s.d, secrets.HashToken(strings.TrimSpace(token)), now())
	if err != nil {
		return nil, err
	}
	sub, err := byID(ctx, s.d, a.WorkspaceID, a.SubscriberID, false)
	if err != nil {
		return nil, err
	}
	return asRequested(sub, a.Confirmation), nil
}

// Confirm opens a link: the subscriber is confirmed with what the link asked for as their consent
// record, and every link of theirs stops working. It fails like Pending.
func (s *Service) Confirm(ctx context.Context, token string) (*Subscriber, error) {
	hash := secrets.HashToken(strings.TrimSpace(token))
	var wsID, id int64
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		at := now()
		a, err := requestByToken(ctx, tx, hash, at)
		if err != nil {
			return err
		}
		// Subscriber first, then its requests: the order Subscribe takes them in.
		if _, err := byID(ctx, tx, a.WorkspaceID, a.SubscriberID, true); err != nil {
			return err
		}
		if a, err = requestByToken(ctx, tx, hash, at); err != nil {
			return err // confirmed or replaced meanwhile
		}
		wsID, id = a.WorkspaceID, a.SubscriberID
		if err := confirm(ctx, tx, wsID, id, a.Confirmation, at); err != nil {
			return err
		}
		return deleteRequests(ctx, tx, wsID, id)
	})
	if err != nil {
		return nil, err
	}
	return byID(ctx, s.d, wsID, id, false)
}

// Audience calls fn for each confirmed subscriber of the workspace who takes one of topics,
// oldest first: with topics empty, every confirmed subscriber; otherwise those whose topics
// intersect them and those who chose no topic (every topic). Pending and unsubscribed addresses
// are never given. An error from fn stops it and is returned.
func (s *Service) Audience(ctx context.Context, wsID int64, topics []int64, fn func(Subscriber) error) error {
	var after int64
	for {
		batch, err := audience(ctx, s.d, wsID, topics, after, audienceBatch)
		if err != nil {
			return err
		}
		for _, sub := range batch {
			if err := fn(sub); err != nil {
				return err
			}
		}
		if len(batch) < audienceBatch {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}

// Unsubscribe ends the subscription of an address in tx (the distribution engine's unsubscribe
// link and header), saying how in source; its unopened confirmation links stop working. An address
// without a subscription, or one already ended, is left as it is.
func (s *Service) Unsubscribe(ctx context.Context, tx *db.Tx, wsID int64, email, source string) error {
	email = normalEmail(email)
	source = strings.TrimSpace(source)
	if utf8.RuneCountInString(source) > maxSource {
		source = string([]rune(source)[:maxSource])
	}
	sub, err := byEmail(ctx, tx, wsID, email)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := deleteRequests(ctx, tx, wsID, sub.ID); err != nil {
		return err
	}
	return unsubscribe(ctx, tx, wsID, email, source, now())
}

// checkState fails a filter's unknown state.
func checkState(state string) error {
	if state == "" {
		return nil
	}
	for _, s := range States {
		if s == state {
			return nil
		}
	}
	return errState
}

// List returns a workspace's subscribers that pass f, with their topics.
func (s *Service) List(ctx context.Context, wsID int64, f Filter) ([]Subscriber, error) {
	if err := checkState(f.State); err != nil {
		return nil, err
	}
	return list(ctx, s.d, wsID, f)
}

// Get returns one subscriber of the workspace, or db.ErrNotFound.
func (s *Service) Get(ctx context.Context, wsID, id int64) (*Subscriber, error) {
	return byID(ctx, s.d, wsID, id, false)
}

// Count is how many confirmed subscribers the workspace has.
func (s *Service) Count(ctx context.Context, wsID int64) (int, error) {
	n, err := counts(ctx, s.d, wsID)
	return n[Confirmed], err
}

// Counts is how many subscribers the workspace has in each state.
func (s *Service) Counts(ctx context.Context, wsID int64) (map[string]int, error) {
	return counts(ctx, s.d, wsID)
}

// Confirmations are a subscriber's links mailed and not yet opened, newest first.
func (s *Service) Confirmations(ctx context.Context, wsID, id int64) ([]Confirmation, error) {
	return requests(ctx, s.d, wsID, id, now())
}

// TopicNames names the newsroom's topics in lang.
func (s *Service) TopicNames(ctx context.Context, wsID int64, lang string) (map[int64]string, error) {
	return s.topics.TopicNames(ctx, wsID, lang)
}

// Export returns everything held on a subscriber, for the person who asks for it: the
// subscription, the consent record and the links waiting. The audit log records it.
func (s *Service) Export(ctx context.Context, a audit.Actor, wsID, id int64) (*Export, error) {
	sub, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	x := &Export{ExportedAt: now(), Subscriber: sub, TopicNames: []TopicName{}}
	names, err := s.topics.TopicNames(ctx, wsID, sub.Lang)
	if err != nil {
		return nil, err
	}
	for _, t := range sub.Topics {
		if n, ok := names[t]; ok {
			x.TopicNames = append(x.TopicNames, TopicName{ID: t, Name: n})
		}
	}
	if x.Confirmations, err = s.Confirmations(ctx, wsID, id); err != nil {
		return nil, err
	}
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, a.Entry(wsID, "subscribe.exported", "newsroom_subscriber", id, nil))
	})
	return x, err
}

// ExportList calls fn for each subscriber that passes f, oldest first, for a download of the
// list; the audit log records who took it.
func (s *Service) ExportList(ctx context.Context, a audit.Actor, wsID int64, f Filter, fn func(Subscriber) error) error {
	if err := checkState(f.State); err != nil {
		return err
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		changes := map[string]audit.Change{}
		if f.State != "" {
			changes["state"] = audit.Change{To: f.State}
		}
		if f.Query != "" {
			changes["query"] = audit.Change{To: f.Query}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "subscribe.list_exported", "newsroom_subscriber", "", changes))
	})
	if err != nil {
		return err
	}
	f.Sort, f.After, f.Limit, f.Offset = "id", 0, audienceBatch, 0
	for {
		batch, err := list(ctx, s.d, wsID, f)
		if err != nil {
			return err
		}
		for _, sub := range batch {
			if err := fn(sub); err != nil {
				return err
			}
		}
		if len(batch) < audienceBatch {
			return nil
		}
		f.After = batch[len(batch)-1].ID
	}
}

// Eraser is a package that keeps something of a subscriber (the emails sent to them) and forgets
// it when the subscriber is erased, in the same transaction.
type Eraser interface {
	EraseSubscriber(ctx context.Context, tx *db.Tx, wsID int64, email string) error
}

// AddEraser makes Erase reach e too.
func (s *Service) AddEraser(e Eraser) { s.erasers = append(s.erasers, e) }

// Erase removes a subscriber and everything held on them: address, name, topics, consent record
// and links. The audit log keeps that it happened, by id only.
func (s *Service) Erase(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		sub, err := byID(ctx, tx, wsID, id, true)
		if err != nil {
			return err
		}
		if err := erase(ctx, tx, wsID, id); err != nil {
			return err
		}
		for _, e := range s.erasers {
			if err := e.EraseSubscriber(ctx, tx, wsID, sub.Email); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "subscribe.erased", "newsroom_subscriber", id, map[string]audit.Change{
			"state": {From: sub.State}}))
	})
}

// Purge forgets, in every workspace, the addresses that asked more than PendingKept before at and
// never confirmed, and the links that expired. It returns how many addresses it forgot.
func (s *Service) Purge(ctx context.Context, at time.Time) (int, error) {
	at = at.UTC()
	var n int
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		n, err = purge(ctx, tx, at, at.Add(-PendingKept))
		return err
	})
	return n, err
}
