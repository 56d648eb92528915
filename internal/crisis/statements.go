package crisis

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/crisis/playbook"
	"warta.dev/warta/internal/platform/db"
)

// fillValues are what the playbook's placeholders are filled with from the crisis.
func (s *Service) fillValues(ctx context.Context, c *Crisis) map[string]string {
	v := map[string]string{"kejadian": c.PublicName}
	var name string
	if err := s.DB.QueryRow(ctx, `SELECT name FROM workspaces WHERE id = ?`, c.WorkspaceID).Scan(&name); err == nil {
		v["organisasi"] = name
	}
	if c.OwnerName != "" {
		v["narahubung"] = c.OwnerName
	}
	return v
}

// DraftStatement writes a new statement from a playbook template (or empty) in the content
// studio, with a text for each network the workspace publishes to.
func (s *Service) DraftStatement(ctx context.Context, a audit.Actor, wsID, id int64, templateKey, lang string) (*Statement, error) {
	c, err := s.openCrisis(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	if lang != "en" {
		lang = "id"
	}
	tpl, ok := playbook.TemplateByKey(templateKey, lang)
	if !ok {
		return nil, invalid(map[string]string{"template": "crisis.error.template"})
	}
	values := s.fillValues(ctx, c)
	title, body := playbook.Fill(tpl.Title, values), playbook.Fill(tpl.Body, values)
	var networks []string
	accts, err := s.PublicAccounts(ctx, wsID)
	if err != nil {
		return nil, err
	}
	for _, acc := range accts {
		if !slices.Contains(networks, acc.Network) {
			networks = append(networks, acc.Network)
		}
	}
	itemID, err := s.Studio.CreateStatement(ctx, a, wsID, title, body, lang, networks)
	if err != nil {
		return nil, err
	}
	var stID int64
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO crisis_statements (crisis_id, workspace_id, item_id, template_key, created_at) VALUES (?, ?, ?, ?, ?)
			RETURNING id`, id, wsID, itemID, templateKey, s.clock()).Scan(&stID); err != nil {
			return err
		}
		return s.record(ctx, tx, id, a, "statement_drafted", title, map[string]any{"Template": tpl.Name}, "statement", stID)
	})
	if err != nil {
		return nil, err
	}
	return s.Statement(ctx, wsID, id, stID)
}

// Statements are the crisis's statements, with their text as the content studio has it.
func (s *Service) Statements(ctx context.Context, wsID, id int64) ([]Statement, error) {
	return s.statements(ctx, wsID, `crisis_id = ?`, id)
}

// Statement returns one statement of a crisis.
func (s *Service) Statement(ctx context.Context, wsID, id, stID int64) (*Statement, error) {
	list, err := s.statements(ctx, wsID, `crisis_id = ? AND id = ?`, id, stID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, db.ErrNotFound
	}
	return &list[0], nil
}

func (s *Service) statements(ctx context.Context, wsID int64, where string, args ...any) ([]Statement, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, item_id, template_key, state, rejected_note, accounts, newsroom_url, COALESCE(distribution_id, 0), created_at,
		published_at FROM crisis_statements WHERE workspace_id = ? AND `+where+` ORDER BY id`, append([]any{wsID}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []Statement
	for rows.Next() {
		var st Statement
		var accounts string
		var published sql.NullTime
		if err := rows.Scan(&st.ID, &st.ItemID, &st.TemplateKey, &st.State, &st.RejectedNote, &accounts, &st.NewsroomURL, &st.DistributionID,
			&st.CreatedAt, &published); err != nil {
			rows.Close()
			return nil, err
		}
		_ = json.Unmarshal([]byte(accounts), &st.Accounts)
		st.PublishedAt = timePtr(published)
		out = append(out, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		it, err := s.Studio.Item(ctx, wsID, out[i].ItemID)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i].Title, out[i].Body, out[i].Lang = it.Title, it.Body, it.Lang
		out[i].Blanks = blanks(append([]string{it.Title, it.Body}, it.Texts...)...)
		// The studio knows best whether it waits or is approved: an edit after approval sends it back.
		if out[i].State != StatementPublished {
			switch it.Status {
			case "in_review":
				out[i].State = StatementInReview
			case "approved", "scheduled", "published":
				out[i].State = StatementApproved
			case "draft":
				if out[i].State != StatementRejected {
					out[i].State = StatementDraft
				}
			}
		}
	}
	return out, nil
}

// blanks are the playbook's places still unfilled in a text, as Fill leaves them: "[lokasi]".
func blanks(texts ...string) []string {
	var out []string
	for _, p := range playbook.Placeholders("id") {
		mark := "[" + p.Name + "]"
		for _, t := range texts {
			if strings.Contains(t, mark) && !slices.Contains(out, mark) {
				out = append(out, mark)
			}
		}
	}
	return out
}

// SubmitStatement sends a statement to the crisis approvers (one step, fast-tracked); one with
// blanks of its template still to fill is refused.
func (s *Service) SubmitStatement(ctx context.Context, a audit.Actor, wsID, id, stID int64) error {
	if _, err := s.openCrisis(ctx, wsID, id); err != nil {
		return err
	}
	st, err := s.Statement(ctx, wsID, id, stID)
	if err != nil {
		return err
	}
	if len(st.Blanks) > 0 {
		return ErrBlanks
	}
	if err := s.Studio.Submit(ctx, a, wsID, st.ItemID); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE crisis_statements SET state = ?, rejected_note = '' WHERE id = ?`, StatementInReview, stID); err != nil {
			return err
		}
		return s.record(ctx, tx, id, a, "statement_submitted", st.Title, nil, "statement", stID)
	})
}

// FastTrackApprovers are who approves an item in one step when it is a statement of an open
// crisis: the crisis approvers of the settings (none named: everyone who may approve). ok is
// false for any other item.
func (s *Service) FastTrackApprovers(ctx context.Context, tx *db.Tx, wsID, itemID int64) ([]int64, bool, error) {
	var crisisID int64
	err := tx.QueryRow(ctx, `SELECT s.crisis_id FROM crisis_statements s JOIN crises c ON c.id = s.crisis_id WHERE s.workspace_id = ? AND s.item_id = ?
		AND c.state = ?`, wsID, itemID, Open).Scan(&crisisID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var approvers string
	err = tx.QueryRow(ctx, `SELECT approvers FROM crisis_settings WHERE workspace_id = ?`, wsID).Scan(&approvers)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	var ids []int64
	_ = json.Unmarshal([]byte(approvers), &ids)
	return ids, true, nil
}

// StatementDecided records, in the approval's transaction, that a statement was approved or
// rejected (and why).
func (s *Service) StatementDecided(ctx context.Context, tx *db.Tx, wsID, itemID int64, approved bool, by, note string) error {
	var stID, crisisID int64
	err := tx.QueryRow(ctx, `SELECT id, crisis_id FROM crisis_statements WHERE workspace_id = ? AND item_id = ?`, wsID, itemID).Scan(&stID, &crisisID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	state, kind := StatementApproved, "statement_approved"
	if !approved {
		state, kind = StatementRejected, "statement_rejected"
	}
	if _, err := tx.Exec(ctx, `UPDATE crisis_statements SET state = ?, rejected_note = ? WHERE id = ?`, state, clip(note, 2000), stID); err != nil {
		return err
	}
	return s.record(ctx, tx, crisisID, audit.Actor{Label: by}, kind, note, map[string]any{"Name": by}, "statement", stID)
}

// PublishInput says where a statement goes.
type PublishInput struct {
	Accounts []int64
	Newsroom bool
	Lists    []int64
}

// claimLease is how long a publishing under way keeps others from publishing the same statement;
// after it, a process that died half-way no longer stands in the way.
const claimLease = 2 * time.Minute

// PublishStatement publishes an approved statement from the room: on the chosen accounts now
// (through the pause), on the newsroom as an official statement, and to the chosen lists. Each
// place is recorded as soon as it is done, so after a failure publishing again goes only where it
// has not yet gone; two people pressing at once publish it once. In an exercise nothing leaves:
// the timeline records where it would have gone.
func (s *Service) PublishStatement(ctx context.Context, a audit.Actor, wsID, id, stID int64, in PublishInput) (*Statement, error) {
	c, err := s.openCrisis(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	st, err := s.Statement(ctx, wsID, id, stID)
	if err != nil {
		return nil, err
	}
	switch {
	case st.State == StatementPublished:
		return nil, ErrPublished
	case st.State != StatementApproved:
		return nil, ErrNotApproved
	case len(st.Blanks) > 0:
		return nil, ErrBlanks
	case len(in.Accounts) == 0 && !in.Newsroom && len(in.Lists) == 0:
		return nil, ErrNowhere
	}
	if in.Newsroom && s.Newsroom != nil && !c.Exercise {
		if ok, err := s.Newsroom.Enabled(ctx, wsID); err != nil {
			return nil, err
		} else if !ok {
			return nil, ErrNoNewsroom
		}
	}
	t := s.clock()
	var claimed int64
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE crisis_statements SET publishing_at = ? WHERE id = ? AND published_at IS NULL
			AND (publishing_at IS NULL OR publishing_at < ?)`, t, stID, t.Add(-claimLease))
		if err != nil {
			return err
		}
		claimed, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if claimed == 0 {
		return nil, ErrPublishing
	}
	if err := s.publishStatement(ctx, a, c, st, in); err != nil {
		// Let the next attempt go at once; what was done stays recorded.
		_, _ = s.DB.Exec(context.WithoutCancel(ctx), `UPDATE crisis_statements SET publishing_at = NULL WHERE id = ?`, stID)
		return nil, err
	}
	return s.Statement(ctx, wsID, id, stID)
}

func (s *Service) publishStatement(ctx context.Context, a audit.Actor, c *Crisis, st *Statement, in PublishInput) error {
	wsID, id, stID := c.WorkspaceID, c.ID, st.ID
	accounts, _ := json.Marshal(orEmpty(in.Accounts))
	if c.Exercise {
		return s.DB.Tx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE crisis_statements SET state = ?, accounts = ?, published_at = ?, publishing_at = NULL WHERE id = ?`,
				StatementPublished, string(accounts), s.clock(), stID); err != nil {
				return err
			}
			return s.record(ctx, tx, id, a, "statement_simulated", st.Title, map[string]any{"Accounts": len(in.Accounts), "Newsroom": in.Newsroom,
				"Lists": len(in.Lists)}, "statement", stID)
		})
	}
	var accountsDone sql.NullTime
	var newsroomID, distID sql.NullInt64
	if err := s.DB.QueryRow(ctx, `SELECT accounts_done_at, newsroom_id, distribution_id FROM crisis_statements WHERE id = ?`, stID).
		Scan(&accountsDone, &newsroomID, &distID); err != nil {
		return err
	}
	// done records one place in a transaction with its timeline entry.
	done := func(set string, arg any, kind string, args map[string]any) error {
		return s.DB.Tx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE crisis_statements SET `+set+` WHERE id = ?`, arg, stID); err != nil {
				return err
			}
			return s.record(ctx, tx, id, a, kind, st.Title, args, "statement", stID)
		})
	}
	if len(in.Accounts) > 0 && !accountsDone.Valid {
		if _, err := s.DB.Exec(ctx, `UPDATE crisis_statements SET accounts = ? WHERE id = ?`, string(accounts), stID); err != nil {
			return err
		}
		if err := s.Publishing.PublishNow(ctx, a, wsID, st.ItemID, in.Accounts); err != nil {
			return err
		}
		if err := done("accounts_done_at = ?", s.clock(), "statement_to_accounts", map[string]any{"Count": len(in.Accounts)}); err != nil {
			return err
		}
	}
	if in.Newsroom && !newsroomID.Valid {
		noticeID, url, err := s.Newsroom.PublishNotice(ctx, a, wsID, Notice{Kind: "statement", Incident: c.PublicName,
			IncidentKey: incidentKey(c), Lang: st.Lang, Title: st.Title, Body: st.Body})
		if err != nil {
			return err
		}
		if _, err := s.DB.Exec(ctx, `UPDATE crisis_statements SET newsroom_url = ? WHERE id = ?`, url, stID); err != nil {
			return err
		}
		if err := done("newsroom_id = ?", noticeID, "statement_to_newsroom", map[string]any{"URL": url}); err != nil {
			return err
		}
	}
	if len(in.Lists) > 0 && !distID.Valid {
		d, err := s.Distributions.SendStatement(ctx, a, wsID, st.Title, st.Body, in.Lists)
		if err != nil {
			return err
		}
		if err := done("distribution_id = ?", d, "statement_to_lists", map[string]any{"Count": len(in.Lists)}); err != nil {
			return err
		}
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE crisis_statements SET state = ?, published_at = ?, publishing_at = NULL WHERE id = ?`,
			StatementPublished, s.clock(), stID); err != nil {
			return err
		}
		// The stakeholder messages this statement delivers are sent with it.
		_, err := tx.Exec(ctx, `UPDATE crisis_messages SET status = 'sent', updated_at = ? WHERE crisis_id = ? AND item_id = ?`, s.clock(), id, st.ItemID)
		return err
	})
}

func incidentKey(c *Crisis) string { return "crisis-" + strconv.FormatInt(c.ID, 10) }

// ---- public status updates ----

// PostUpdate publishes a status update (investigating, identified, monitoring, resolved) on the
// newsroom; in an exercise it stays in the room.
func (s *Service) PostUpdate(ctx context.Context, a audit.Actor, wsID, id int64, state, text, lang string) (*Update, error) {
	text = strings.TrimSpace(text)
	fields := map[string]string{}
	if !slices.Contains(UpdateStates, state) {
		fields["state"] = "crisis.error.update_state"
	}
	if text == "" {
		fields["text"] = "crisis.error.update_text"
	}
	if lang != "en" {
		lang = "id"
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	c, err := s.openCrisis(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	public := !c.Exercise && s.Newsroom != nil
	if public {
		if ok, err := s.Newsroom.Enabled(ctx, wsID); err != nil {
			return nil, err
		} else if !ok {
			return nil, ErrNoNewsroom
		}
	}
	u := &Update{State: state, Text: clip(text, 4000), Lang: lang, PostedBy: a.Label, PostedAt: s.clock()}
	// The update is recorded first, under the workspace's lock: the same update sent twice within
	// a few minutes (a double press) is the one already there, posted once.
	var repeat bool
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := lockWorkspace(ctx, tx, wsID, u.PostedAt); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT id, notice_url, posted_at FROM crisis_updates WHERE crisis_id = ? AND state = ? AND text = ? AND posted_at >= ?
			ORDER BY id DESC LIMIT 1`, id, state, u.Text, u.PostedAt.Add(-repeatWindow)).Scan(&u.ID, &u.URL, &u.PostedAt)
		if err == nil {
			repeat = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO crisis_updates (crisis_id, state, text, lang, posted_by, posted_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			id, state, u.Text, lang, a.Label, u.PostedAt).Scan(&u.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, id, a, "update_"+state, u.Text, nil, "update", u.ID)
	})
	// A repeat is posted only when the first try did not reach the newsroom and is not still under way.
	if err != nil || !public || repeat && (u.URL != "" || s.clock().Sub(u.PostedAt) < 30*time.Second) {
		return u, err
	}
	noticeID, url, err := s.Newsroom.PublishNotice(ctx, a, wsID, Notice{Kind: "status", Incident: c.PublicName, IncidentKey: incidentKey(c),
		State: state, Lang: lang, Body: u.Text})
	if err != nil {
		return nil, err
	}
	u.URL = url
	_, err = s.DB.Exec(ctx, `UPDATE crisis_updates SET notice_id = ?, notice_url = ? WHERE id = ?`, noticeID, url, u.ID)
	return u, err
}

// repeatWindow is how long the same status update counts as a repeat of the one already posted.
const repeatWindow = 5 * time.Minute

// Updates are the crisis's status updates, oldest first.
func (s *Service) Updates(ctx context.Context, wsID, id int64) ([]Update, error) {
	rows, err := s.DB.Query(ctx, `SELECT u.id, u.state, u.text, u.lang, u.notice_url, u.posted_by, u.posted_at FROM crisis_updates u
		JOIN crises c ON c.id = u.crisis_id WHERE c.workspace_id = ? AND u.crisis_id = ? ORDER BY u.id`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Update
	for rows.Next() {
		var u Update
		if err := rows.Scan(&u.ID, &u.State, &u.Text, &u.Lang, &u.URL, &u.PostedBy, &u.PostedAt); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
