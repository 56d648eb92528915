package crisis

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/web"
)

// Deps are what the service is built from. The neighbours are optional: nil turns their part off.
type Deps struct {
	DB      *db.DB
	Queue   *jobs.Queue
	Bundle  *i18n.Bundle
	Log     *slog.Logger
	BaseURL string
	Mail    Mailer
	Members Members

	Publishing    Publishing
	Distributions Distributions
	Newsroom      Newsroom
	Studio        Studio
	Monitoring    Monitoring
}

// Service holds the crisis room's rules.
type Service struct {
	Deps
	now func() time.Time
}

// New returns the service.
func New(d Deps) *Service { return &Service{Deps: d, now: time.Now} }

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time { return s.now().UTC() }

// Errors a person can meet.
var (
	ErrClosed      = userError(http.StatusConflict, "closed")
	ErrBadLink     = userError(http.StatusNotFound, "bad_link")
	ErrNotApproved = userError(http.StatusConflict, "not_approved")
	ErrPublished   = userError(http.StatusConflict, "already_published")
	ErrNowhere     = userError(http.StatusUnprocessableEntity, "nowhere")
	ErrBlanks      = userError(http.StatusUnprocessableEntity, "blanks")
	ErrNoText      = userError(http.StatusUnprocessableEntity, "no_text")
	// ErrStatementText: the template filled with the crisis's names is more than the studio takes.
	ErrStatementText = userError(http.StatusUnprocessableEntity, "statement_text")
	ErrPublishing    = userError(http.StatusConflict, "publishing")
	ErrNoNewsroom    = userError(http.StatusConflict, "no_newsroom")
	ErrHeldUndecided = userError(http.StatusUnprocessableEntity, "held_undecided")
	ErrNotExercise   = userError(http.StatusConflict, "not_exercise")
)

func userError(status int, code string) *web.Error {
	return &web.Error{Status: status, Code: code, Key: word("error", code)}
}

// invalid fails the named fields with their catalog keys.
func invalid(fields map[string]string) error {
	return &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "crisis.error.invalid", Fields: fields}
}

// ---- settings and team ----

// Settings returns a workspace's crisis settings and team.
func (s *Service) Settings(ctx context.Context, wsID int64) (*Settings, error) {
	set := &Settings{MinAcks: 2, EscalateMinutes: 15}
	var chats, approvers string
	err := s.DB.QueryRow(ctx, `SELECT min_acks, escalate_minutes, chat_accounts, approvers FROM crisis_settings WHERE workspace_id = ?`, wsID).
		Scan(&set.MinAcks, &set.EscalateMinutes, &chats, &approvers)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	_ = json.Unmarshal([]byte(chats), &set.ChatAccounts)
	_ = json.Unmarshal([]byte(approvers), &set.Approvers)
	rows, err := s.DB.Query(ctx, `SELECT id, list, COALESCE(user_id, 0), name, email, role FROM crisis_team WHERE workspace_id = ?
		ORDER BY list, position, id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.List, &m.UserID, &m.Name, &m.Email, &m.Role); err != nil {
			return nil, err
		}
		set.Team = append(set.Team, m)
	}
	return set, rows.Err()
}

// SaveSettings replaces a workspace's crisis settings and team. Team members named by UserID
// take their name and email from the workspace.
func (s *Service) SaveSettings(ctx context.Context, a audit.Actor, wsID int64, in Settings) error {
	fields := map[string]string{}
	if in.MinAcks < 1 || in.MinAcks > 50 {
		fields["min_acks"] = "crisis.error.min_acks"
	}
	if in.EscalateMinutes < 1 || in.EscalateMinutes > 24*60 {
		fields["escalate_minutes"] = "crisis.error.escalate_minutes"
	}
	colleagues, err := s.colleagues(ctx, wsID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var team []Member
	for i, m := range in.Team {
		if m.UserID != 0 {
			c, ok := colleagues[m.UserID]
			if !ok {
				fields["team"] = "crisis.error.not_member"
				continue
			}
			m.Name, m.Email = c.Name, c.Email
		}
		m.Name, m.Email = strings.TrimSpace(m.Name), strings.ToLower(strings.TrimSpace(m.Email))
		if m.Name == "" && m.Email == "" {
			continue
		}
		if m.Name == "" || !web.ValidEmail(m.Email) {
			fields["team"] = "crisis.error.team_person"
			continue
		}
		if m.List != EscalationList {
			m.List = FirstList
		}
		if seen[m.List+m.Email] {
			continue
		}
		seen[m.List+m.Email] = true
		m.ID = int64(i)
		team = append(team, m)
	}
	for _, id := range in.Approvers {
		if c, ok := colleagues[id]; !ok || !c.Approver {
			fields["approvers"] = "crisis.error.approver"
		}
	}
	if len(fields) > 0 {
		return invalid(fields)
	}
	chats, _ := json.Marshal(orEmpty(in.ChatAccounts))
	approvers, _ := json.Marshal(orEmpty(in.Approvers))
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO crisis_settings (workspace_id, min_acks, escalate_minutes, chat_accounts, approvers, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id) DO UPDATE SET min_acks = excluded.min_acks,
			escalate_minutes = excluded.escalate_minutes, chat_accounts = excluded.chat_accounts, approvers = excluded.approvers,
			updated_at = excluded.updated_at`, wsID, in.MinAcks, in.EscalateMinutes, string(chats), string(approvers), s.clock()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM crisis_team WHERE workspace_id = ?`, wsID); err != nil {
			return err
		}
		for i, m := range team {
			if _, err := tx.Exec(ctx, `INSERT INTO crisis_team (workspace_id, list, user_id, name, email, role, position) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				wsID, m.List, nullID(m.UserID), m.Name, m.Email, strings.TrimSpace(m.Role), i); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "crisis.settings_saved", "workspace", wsID, map[string]audit.Change{
			"team": {To: len(team)}, "min_acks": {To: in.MinAcks}, "escalate_minutes": {To: in.EscalateMinutes}}))
	})
}

// PublicAccounts are the accounts a statement can go out on and a pause can keep running: all
// but those the settings use as the team's chat (a public Telegram channel stays public).
func (s *Service) PublicAccounts(ctx context.Context, wsID int64) ([]Account, error) {
	if s.Publishing == nil {
		return nil, nil
	}
	accts, err := s.Publishing.Accounts(ctx, wsID)
	if err != nil {
		return nil, err
	}
	set, err := s.Settings(ctx, wsID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(accts, func(a Account) bool { return slices.Contains(set.ChatAccounts, a.ID) }), nil
}

func (s *Service) colleagues(ctx context.Context, wsID int64) (map[int64]Colleague, error) {
	out := map[int64]Colleague{}
	if s.Members == nil {
		return out, nil
	}
	list, err := s.Members.Members(ctx, wsID)
	for _, c := range list {
		out[c.UserID] = c
	}
	return out, err
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// word is the catalog key of a value of one of the room's vocabularies: word("severity", "high")
// is "crisis.severity.high".
func word(vocabulary, value string) string { return "crisis." + vocabulary + "." + value }
