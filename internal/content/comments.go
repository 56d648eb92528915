package content

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
)

// Comments lists an item's threads.
func (s *Service) Comments(ctx context.Context, wsID, itemID int64) ([]Comment, error) {
	if _, err := getItem(ctx, s.d, wsID, itemID); err != nil {
		return nil, err
	}
	return listComments(ctx, s.d, wsID, itemID)
}

// Commenter is who writes a comment: a member, or an outside reviewer with no account.
type Commenter struct {
	UserID      int64
	Name, Email string
	IP          string
}

var mention = regexp.MustCompile(`@([\p{L}\p{N}._%+-]+(?:@[\p{L}\p{N}.-]+\.[\p{L}]{2,})?)`)

// AddComment adds a comment (a reply when parentID is set) and tells each member it mentions as
// @name or @email.
func (s *Service) AddComment(ctx context.Context, c Commenter, wsID, itemID, parentID int64, body string) (int64, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return 0, &fieldError{"body", "form.required"}
	}
	if len([]rune(body)) > 5000 {
		return 0, &fieldError{"body", "form.too_long"}
	}
	it, err := getItem(ctx, s.d, wsID, itemID)
	if err != nil {
		return 0, err
	}
	var people []Person
	// Only members mention members: an outside reviewer's @ reaches nobody's inbox.
	if s.members != nil && c.UserID != 0 && strings.Contains(body, "@") {
		if people, err = s.members.Members(ctx, wsID); err != nil {
			return 0, err
		}
	}
	var id int64
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if parentID != 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM content_comments WHERE workspace_id = ? AND item_id = ? AND id = ? AND parent_id IS NULL`,
				wsID, itemID, parentID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return db.ErrNotFound
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO content_comments (workspace_id, item_id, parent_id, author_id, author_name, author_email, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, wsID, itemID, nullID(parentID), nullID(c.UserID), c.Name, c.Email, body, now()).Scan(&id); err != nil {
			return err
		}
		if s.notify != nil {
			for _, p := range mentioned(body, people) {
				if p.UserID == c.UserID {
					continue
				}
				if err := s.notify.Notify(ctx, tx, notify.Notice{WorkspaceID: wsID, UserID: p.UserID, Key: "content.notice.mention",
					Args: []any{"Name", c.Name, "Title", it.Title}, Link: fmt.Sprintf("%s#comment-%d", itemLink(it), id)}); err != nil {
					return err
				}
			}
		}
		a := audit.Actor{UserID: c.UserID, Label: c.Email, IP: c.IP}
		return audit.Record(ctx, tx, a.Entry(wsID, "content.commented", "content", itemID, map[string]audit.Change{"comment": {To: id}}))
	})
	return id, err
}

// mentioned finds the members a text names as @email, @first-name or @first.last (case folded).
func mentioned(body string, people []Person) []Person {
	var out []Person
	seen := map[int64]bool{}
	for _, m := range mention.FindAllStringSubmatch(body, -1) {
		handle := strings.ToLower(strings.TrimRight(m[1], ".,;:!?"))
		for _, p := range people {
			name := strings.ToLower(p.Name)
			if seen[p.UserID] {
				continue
			}
			if handle == strings.ToLower(p.Email) || handle == strings.Fields(name + " x")[0] || handle == strings.ReplaceAll(name, " ", ".") {
				seen[p.UserID] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// ResolveComment marks a thread resolved, or open again.
func (s *Service) ResolveComment(ctx context.Context, a audit.Actor, wsID, itemID, commentID int64, resolved bool) error {
	var at any
	if resolved {
		at = now()
	}
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE content_comments SET resolved_at = ? WHERE workspace_id = ? AND item_id = ? AND id = ?`, at, wsID, itemID, commentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "content.comment_resolved", "content", itemID, map[string]audit.Change{"comment": {To: commentID}, "resolved": {To: resolved}}))
	})
}

// fieldError is a validation error of one field.
type fieldError struct{ Field, Key string }

func (e *fieldError) Error() string { return e.Field + ": " + e.Key }
