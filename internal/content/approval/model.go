// Package approval is the content studio's approval process: per workspace off, optional,
// required or multi-step; approvers named by person or by role; approvals that go stale when the
// item changes; review links for people without an account; a queue of what waits for each
// approver and a daily digest of it. Content items stay in package content, reached through the
// small Items interface; this package implements content.Workflow.
package approval

import (
	"embed"
	"net/http"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations creates the approval tables.
var Migrations = db.Migrations{Name: "approval", FS: migrations}

// Catalog holds the approval screens' words.
var Catalog = i18n.Catalog{Name: "approval", FS: i18n.Dir(catalogFiles, "i18n")}

// Mode is how a workspace approves content.
type Mode string

// The modes. Optional and required use the first step; multi-step uses every step in order.
const (
	Off       Mode = "off"
	Optional  Mode = "optional"
	Required  Mode = "required"
	MultiStep Mode = "multi_step"
)

// Modes in the order the settings page offers them.
var Modes = []Mode{Off, Optional, Required, MultiStep}

// DefaultMode is a workspace's mode until someone chooses: approval can be asked for, and
// scheduling does not wait for it.
const DefaultMode = Optional

// Rule says how many of a step's approvers must approve.
type Rule string

// The rules.
const (
	Any Rule = "any"
	All Rule = "all"
)

// Step is one stage of approval. Its approvers are the listed people, or the members with Role,
// or (neither given) every member whose role may approve.
type Step struct {
	Name  string      `json:"name"`
	Role  access.Role `json:"role,omitempty"`
	Users []int64     `json:"users,omitempty"`
	Rule  Rule        `json:"rule"`
}

// Settings are a workspace's approval rules.
type Settings struct {
	Mode  Mode
	Steps []Step
}

// Requires reports whether items must be approved before they are scheduled.
func (s Settings) Requires() bool { return s.Mode == Required || s.Mode == MultiStep }

// effective is the steps a new request goes through; none when approval is off.
func (s Settings) effective() []Step {
	switch s.Mode {
	case Off:
		return nil
	case MultiStep:
		if len(s.Steps) > 0 {
			return s.Steps
		}
	case Optional, Required:
		if len(s.Steps) > 0 {
			return s.Steps[:1]
		}
	}
	return []Step{{Rule: Any}}
}

// Status is where a request stands.
type Status string

// The statuses of a request. A stale request was for a version the item no longer has.
const (
	Pending  Status = "pending"
	Approved Status = "approved"
	Rejected Status = "rejected"
	Stale    Status = "stale"
)

// Request is the approval of one version of an item, step by step.
type Request struct {
	ID             int64
	WorkspaceID    int64
	ItemID         int64
	Version        int
	Step           int // 1-based: the step that waits
	Steps          []Step
	Status         Status
	SubmittedBy    int64
	SubmittedLabel string
	CreatedAt      time.Time
	StepStartedAt  time.Time
	DecidedAt      *time.Time
	ApprovedAt     *time.Time
}

// Current is the step that waits.
func (r Request) Current() Step { return r.Steps[r.Step-1] }

// Decision is one approver's answer on one step.
type Decision struct {
	ID            int64     `json:"id"`
	RequestID     int64     `json:"-"`
	Version       int       `json:"version"`
	Step          int       `json:"step"`
	UserID        int64     `json:"user_id,omitempty"`
	LinkID        int64     `json:"-"`
	ReviewerName  string    `json:"reviewer_name"`
	ReviewerEmail string    `json:"reviewer_email"`
	Approve       bool      `json:"approve"`
	Note          string    `json:"note"`
	CreatedAt     time.Time `json:"created_at"`
}

// External reports whether the decision came through a review link.
func (d Decision) External() bool { return d.UserID == 0 }

// Reviewer is who decides: a member (UserID), or someone without an account who came through a
// review link (LinkID) and gives their name and email.
type Reviewer struct {
	UserID      int64
	Name, Email string
	LinkID      int64
}

// Outcome is what a decision did.
type Outcome string

// The outcomes of an approval or rejection.
const (
	// OutcomeApproved: the last step is done and the item is approved.
	OutcomeApproved Outcome = "approved"
	// OutcomeNextStep: this step is done and the next one waits.
	OutcomeNextStep Outcome = "next_step"
	// OutcomeRecorded: the step waits for its other approvers.
	OutcomeRecorded Outcome = "recorded"
	// OutcomeRejected: the item went back to draft.
	OutcomeRejected Outcome = "rejected"
)

// Member is a workspace member as approvals see them.
type Member struct {
	UserID      int64
	Name, Email string
	Role        access.Role
}

// Link is a review link, without its secret.
type Link struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"-"`
	ItemID      int64      `json:"item_id"`
	Name        string     `json:"name"`
	Email       string     `json:"email"`
	Lang        string     `json:"language"`
	CreatedBy   int64      `json:"created_by,omitempty"`
	CreatorName string     `json:"created_by_name,omitempty"`
	ExpiresAt   time.Time  `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
	OpenedAt    *time.Time `json:"opened_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// State is "active", "expired" or "revoked", for the list of links.
func (l Link) State() string {
	switch {
	case l.RevokedAt != nil:
		return "revoked"
	case !time.Now().Before(l.ExpiresAt):
		return "expired"
	}
	return "active"
}

// Errors a person can act on; their keys are in this package's catalog.
var (
	ErrNothingPending = &web.Error{Status: http.StatusConflict, Code: "nothing_pending", Key: "approval.error.nothing_pending"}
	ErrVersionChanged = &web.Error{Status: http.StatusConflict, Code: "version_changed", Key: "approval.error.version_changed"}
	ErrNotYourStep    = &web.Error{Status: http.StatusForbidden, Code: "not_your_step", Key: "approval.error.not_your_step"}
	ErrAlreadyDecided = &web.Error{Status: http.StatusConflict, Code: "already_decided", Key: "approval.error.already_decided"}
	ErrLinkUnknown    = &web.Error{Status: http.StatusNotFound, Code: "link_unknown", Key: "approval.error.link_unknown"}
	ErrLinkExpired    = &web.Error{Status: http.StatusGone, Code: "link_expired", Key: "approval.error.link_expired"}
	ErrLinkRevoked    = &web.Error{Status: http.StatusGone, Code: "link_revoked", Key: "approval.error.link_revoked"}
)

// Limits of what people type.
const (
	maxName      = 120
	maxNote      = 2000
	maxSteps     = 5
	maxLinkDays  = 30
	linkDays     = 7
	digestHour   = 7 // the digest goes out from 07:00 in the workspace's time zone
	queueLimit   = 500
	reviewAction = "review-link"
)
