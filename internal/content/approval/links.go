package approval

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
)

// LinkInput is a review link to send: to whom, in which language, for how many days.
type LinkInput struct {
	Name, Email, Lang string
	Days              int
	// From and Workspace name the sender in the email; Zone writes its expiry.
	From, Workspace string
	Zone            *time.Location
}

// CreateLink mails a review link for one item to someone without an account. The link is
// /review/{token}: a random secret with the installation's signature; only its hash is kept.
func (s *Service) CreateLink(ctx context.Context, a audit.Actor, wsID, itemID int64, in LinkInput) (*Link, error) {
	f := web.NewForm(nil)
	checkPerson(f, &in.Name, &in.Email)
	if in.Days < 1 || in.Days > maxLinkDays {
		f.Fail("days", "approval.error.days")
	}
	if i18n.Supported(in.Lang) == "" {
		f.Fail("lang", "form.choose")
	}
	// Members approve in Warta itself; a link to a member's (or one's own) address would let a
	// writer approve their own work.
	members, err := s.members.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if strings.EqualFold(m.Email, in.Email) {
			f.Fail("email", "approval.error.member_email")
		}
	}
	if !f.Valid() {
		return nil, web.Invalid(f)
	}
	it, err := s.items.Get(ctx, wsID, itemID)
	if err != nil {
		return nil, err
	}
	t := now()
	l := &Link{WorkspaceID: wsID, ItemID: itemID, Name: in.Name, Email: in.Email, Lang: in.Lang, CreatedBy: a.UserID,
		ExpiresAt: t.Add(time.Duration(in.Days) * 24 * time.Hour), CreatedAt: t}
	secret := secrets.NewToken()
	token := secret + "." + secrets.Sign(s.signingKey, reviewAction, secret)
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := insertLink(ctx, tx, l, secrets.HashToken(token)); err != nil {
			return err
		}
		loc := s.bundle.Locale(in.Lang, in.Zone)
		link := s.baseURL + "/review/" + token
		subject := loc.T("approval.mail.link.subject", "Name", in.From, "Title", it.Title)
		body := loc.T("approval.mail.link.body", "Reviewer", in.Name, "Name", in.From, "Workspace", in.Workspace, "Title", it.Title)
		expires := loc.T("approval.mail.link.expires", "When", loc.LongDateTime(l.ExpiresAt))
		if _, err := s.mail.SendTx(ctx, tx, mail.Message{WorkspaceID: wsID, To: in.Email, Kind: "review_link", Subject: subject,
			Text: body + "\n\n" + link + "\n\n" + expires,
			HTML: mail.Layout(subject, fmt.Sprintf(`<p>%s</p><p><a href="%s">%s</a></p><p>%s</p>`, template.HTMLEscapeString(body),
				template.HTMLEscapeString(link), template.HTMLEscapeString(loc.T("approval.mail.link.button")), template.HTMLEscapeString(expires)),
				loc.T("approval.mail.link.footer"))}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "approval.link_created", "content", itemID, map[string]audit.Change{
			"review_link": {To: l.ID}, "name": {To: l.Name}, "email": {To: l.Email}, "expires_at": {To: l.ExpiresAt.Format(time.RFC3339)}}))
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Links lists an item's review links, newest first.
func (s *Service) Links(ctx context.Context, wsID, itemID int64) ([]Link, error) {
	if _, err := s.items.Get(ctx, wsID, itemID); err != nil {
		return nil, err
	}
	return listLinks(ctx, s.d, wsID, itemID)
}

// RevokeLink ends a review link at once.
func (s *Service) RevokeLink(ctx context.Context, a audit.Actor, wsID, itemID, linkID int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE review_links SET revoked_at = ? WHERE workspace_id = ? AND item_id = ? AND id = ? AND revoked_at IS NULL`,
			now(), wsID, itemID, linkID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "approval.link_revoked", "content", itemID, map[string]audit.Change{"review_link": {To: linkID}}))
	})
}

// CheckLink finds the review link of a token, or says why it cannot be used: unknown (404),
// revoked or expired (410).
func (s *Service) CheckLink(ctx context.Context, token string) (*Link, error) {
	secret, sig, ok := strings.Cut(token, ".")
	if !ok || !secrets.Verify(s.signingKey, sig, reviewAction, secret) {
		return nil, ErrLinkUnknown
	}
	l, err := linkByHash(ctx, s.d, secrets.HashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrLinkUnknown
	}
	if err != nil {
		return nil, err
	}
	return l, usable(l)
}

func usable(l *Link) error {
	switch {
	case l.RevokedAt != nil:
		return ErrLinkRevoked
	case !now().Before(l.ExpiresAt):
		return ErrLinkExpired
	}
	return nil
}

// usableLink checks, inside a decision's transaction, that a link still works for this item.
func usableLink(ctx context.Context, c db.Conn, wsID, itemID, linkID int64) (*Link, error) {
	l, err := linkByID(ctx, c, wsID, linkID)
	if errors.Is(err, db.ErrNotFound) || err == nil && l.ItemID != itemID {
		return nil, ErrLinkUnknown
	}
	if err != nil {
		return nil, err
	}
	return l, usable(l)
}

// ReviewerActor is an outside reviewer in the audit log: "Name <email>" from their address.
func ReviewerActor(name, email, ip string) audit.Actor {
	return audit.Actor{Label: fmt.Sprintf("%s <%s>", strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(email))), IP: ip}
}

// Opened records that a link was opened; only the first time goes to the audit log.
func (s *Service) Opened(ctx context.Context, l *Link, ip string) error {
	if l.OpenedAt != nil {
		return nil
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE review_links SET opened_at = ? WHERE workspace_id = ? AND id = ? AND opened_at IS NULL`, now(), l.WorkspaceID, l.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, ReviewerActor(l.Name, l.Email, ip).Entry(l.WorkspaceID, "approval.link_opened", "content", l.ItemID,
			map[string]audit.Change{"review_link": {To: l.ID}}))
	})
}

// CommentByLink adds an outside reviewer's comment to the link's item, under the name and email
// they give, and tells whoever sent the link.
func (s *Service) CommentByLink(ctx context.Context, l *Link, name, email, body, ip string) error {
	f := web.NewForm(nil)
	checkPerson(f, &name, &email)
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		f.Fail("body", "form.required")
	case utf8.RuneCountInString(body) > 5000:
		f.Fail("body", "form.too_long")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	if _, err := s.items.AddComment(ctx, content.Commenter{Name: name, Email: email, IP: ip}, l.WorkspaceID, l.ItemID, 0, body); err != nil {
		return err
	}
	if l.CreatedBy == 0 {
		return nil
	}
	it, err := s.items.Get(ctx, l.WorkspaceID, l.ItemID)
	if err != nil {
		return err
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		return s.tell(ctx, tx, l.WorkspaceID, []int64{l.CreatedBy}, 0, "approval.notice.review_comment", it, itemLink(l.ItemID)+"#comments", "Name", name)
	})
}
