// Package crisis is the crisis room: one switch that declares a crisis, holds the workspace's
// publishing and scheduled distributions, calls the crisis team together (with acknowledge links
// and escalation), and keeps the record — timeline, decisions, statements, stakeholder messages,
// the Q&A bank, tasks, public status updates — until a person closes it and a post-crisis review
// is written. A crisis can be an exercise: everything works, marked on every page and message,
// with scripted injects, and nothing leaves the crisis team.
//
// The neighbours it acts through (publishing, distributions, the newsroom, the content studio,
// monitoring, chat accounts) are small interfaces in deps.go that internal/app implements.
package crisis

import (
	"embed"
	"time"

	"warta.dev/warta/internal/crisis/playbook"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations create the crisis tables.
var Migrations = db.Migrations{Name: "crisis", FS: migrations}

// Catalog holds the crisis room's words.
var Catalog = i18n.Catalog{Name: "crisis", FS: i18n.Dir(catalogFiles, "i18n")}

// Severities in rising order.
var Severities = []string{"low", "medium", "high", "critical"}

// The states of a crisis.
const (
	Open   = "open"
	Closed = "closed"
)

// Lists of the crisis team.
const (
	FirstList      = "first"
	EscalationList = "escalation"
	// JoinedList holds members who acknowledged without being called.
	JoinedList = "joined"
)

// Crisis is one declared crisis (or exercise).
type Crisis struct {
	ID          int64         `json:"id"`
	WorkspaceID int64         `json:"-"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Type        playbook.Type `json:"type"`
	Severity    string        `json:"severity"`
	OwnerID     int64         `json:"owner_id,omitempty"`
	OwnerName   string        `json:"owner_name"`
	Exercise    bool          `json:"exercise"`
	State       string        `json:"state"`
	// Paused says it holds publishing's pause, Held the distributions' hold (the last of the
	// crises holding one lifts it when it closes); KeepAccounts kept running.
	Paused       bool       `json:"paused"`
	Held         bool       `json:"held"`
	KeepAccounts []int64    `json:"keep_accounts"`
	TopicID      int64      `json:"topic_id,omitempty"`
	AlertID      int64      `json:"alert_id,omitempty"`
	PublicName   string     `json:"public_name"`
	DeclaredAt   time.Time  `json:"declared_at"`
	DeclaredBy   string     `json:"declared_by"`
	EscalateAt   *time.Time `json:"escalate_at,omitempty"`
	EscalatedAt  *time.Time `json:"escalated_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	ClosedBy     string     `json:"closed_by,omitempty"`
	ClosingNote  string     `json:"closing_note,omitempty"`
}

// IsOpen reports whether the crisis is still open.
func (c *Crisis) IsOpen() bool { return c.State == Open }

// Settings are a workspace's crisis team rules.
type Settings struct {
	MinAcks         int      `json:"min_acks"`
	EscalateMinutes int      `json:"escalate_minutes"`
	ChatAccounts    []int64  `json:"chat_accounts"`
	Approvers       []int64  `json:"approvers"`
	Team            []Member `json:"team"`
}

// Member is one person of the crisis team, a workspace member (UserID) or someone without an account.
type Member struct {
	ID     int64  `json:"id"`
	List   string `json:"list"`
	UserID int64  `json:"user_id,omitempty"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   string `json:"role"`
}

// Event is one entry of a crisis's timeline.
type Event struct {
	ID        int64          `json:"id"`
	At        time.Time      `json:"at"`
	Kind      string         `json:"kind"`
	ActorName string         `json:"actor"`
	Text      string         `json:"text"`
	Args      map[string]any `json:"args,omitempty"`
	RefKind   string         `json:"ref_kind,omitempty"`
	RefID     int64          `json:"ref_id,omitempty"`
	Corrects  int64          `json:"corrects,omitempty"`
}

// Person is someone asked to come, and whether they acknowledged.
type Person struct {
	ID       int64      `json:"id"`
	List     string     `json:"list"`
	UserID   int64      `json:"user_id,omitempty"`
	Name     string     `json:"name"`
	Email    string     `json:"email"`
	AskedAt  time.Time  `json:"asked_at"`
	AckedAt  *time.Time `json:"acked_at,omitempty"`
	AckedVia string     `json:"acked_via,omitempty"`
	token    string
}

// Send is one message to the team.
type Send struct {
	ID        int64      `json:"id"`
	PersonID  int64      `json:"person_id,omitempty"`
	Channel   string     `json:"channel"`
	AccountID int64      `json:"account_id,omitempty"`
	Account   string     `json:"account,omitempty"`
	List      string     `json:"list"`
	State     string     `json:"state"`
	Error     string     `json:"error,omitempty"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	mailID    int64
}

// Decision is an entry of the decisions log.
type Decision struct {
	ID        int64     `json:"id"`
	Decision  string    `json:"decision"`
	Reason    string    `json:"reason"`
	DecidedBy string    `json:"decided_by"`
	At        time.Time `json:"at"`
}

// Task is a piece of work with an owner and a due time.
type Task struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	OwnerID   int64      `json:"owner_id,omitempty"`
	OwnerName string     `json:"owner_name"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
	DoneBy    string     `json:"done_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Overdue reports whether the task is open past its due time.
func (t Task) Overdue(now time.Time) bool {
	return t.DoneAt == nil && t.DueAt != nil && t.DueAt.Before(now)
}

// Message statuses in the stakeholder matrix.
var MessageStatuses = []string{"planned", "drafted", "approved", "sent"}

// Audiences offered in the stakeholder matrix (free text is allowed too).
var Audiences = []string{"employees", "media", "public", "regulators", "partners", "leaders"}

// Message is one row of the stakeholder matrix.
type Message struct {
	ID             int64  `json:"id"`
	Audience       string `json:"audience"`
	Message        string `json:"message"`
	Channel        string `json:"channel"`
	OwnerID        int64  `json:"owner_id,omitempty"`
	OwnerName      string `json:"owner_name"`
	Status         string `json:"status"`
	ItemID         int64  `json:"item_id,omitempty"`
	DistributionID int64  `json:"distribution_id,omitempty"`
}

// Question is an entry of the Q&A bank.
type Question struct {
	ID         int64      `json:"id"`
	Question   string     `json:"question"`
	Answer     string     `json:"answer"`
	ApprovedBy string     `json:"approved_by,omitempty"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`
}

// Statement states.
const (
	StatementDraft     = "draft"
	StatementInReview  = "in_review"
	StatementApproved  = "approved"
	StatementRejected  = "rejected"
	StatementPublished = "published"
)

// Statement is a crisis statement: a content item approved in one step and published from the room.
type Statement struct {
	ID           int64  `json:"id"`
	ItemID       int64  `json:"item_id"`
	Title        string `json:"title"`
	Body         string `json:"body"`
	Lang         string `json:"language"`
	TemplateKey  string `json:"template,omitempty"`
	State        string `json:"state"`
	RejectedNote string `json:"rejected_note,omitempty"`
	// Blanks are the template's places still to fill, as they show in the text ("[lokasi]").
	Blanks         []string   `json:"blanks,omitempty"`
	Accounts       []int64    `json:"accounts"`
	NewsroomURL    string     `json:"newsroom_url,omitempty"`
	DistributionID int64      `json:"distribution_id,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
}

// Status update states, as a status page names them.
var UpdateStates = []string{"investigating", "identified", "monitoring", "resolved"}

// Update is a public status update.
type Update struct {
	ID       int64     `json:"id"`
	State    string    `json:"state"`
	Text     string    `json:"text"`
	Lang     string    `json:"language"`
	URL      string    `json:"url,omitempty"`
	PostedBy string    `json:"posted_by"`
	PostedAt time.Time `json:"posted_at"`
}

// Inject is an exercise's scripted event.
type Inject struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"` // mention or message
	Source     string     `json:"source"`
	Text       string     `json:"text"`
	Sentiment  string     `json:"sentiment"`
	DueAt      time.Time  `json:"due_at"`
	ReleasedAt *time.Time `json:"released_at,omitempty"`
}

// Room is everything the crisis room shows.
type Room struct {
	Crisis     *Crisis
	Events     []Event
	People     []Person
	Sends      []Send
	Decisions  []Decision
	Tasks      []Task
	Messages   []Message
	Questions  []Question
	Statements []Statement
	Updates    []Update
	Injects    []Inject
}

// Count is how many people a list of the team has.
func (s *Settings) Count(list string) int {
	n := 0
	for _, m := range s.Team {
		if m.List == list {
			n++
		}
	}
	return n
}
