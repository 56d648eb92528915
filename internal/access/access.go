// Package access is the one place that lists every permission and which role grants it. Routes
// declare the permission they need; a member's role decides whether they have it.
package access

// Perm is a permission a route can require.
type Perm string

// Route-level requirements that are not workspace permissions.
const (
	// Public routes are open to anyone, signed in or not.
	Public Perm = "public"
	// SignedIn routes need a user but no workspace (profile, workspace picker).
	SignedIn Perm = "signed-in"
	// Installation routes are for the administrators of the whole installation (jobs, all mail).
	Installation Perm = "installation"
)

// Workspace permissions. Add a domain's permissions here and give them to roles below.
const (
	WorkspaceView   Perm = "workspace.view"
	WorkspaceManage Perm = "workspace.manage"
	MembersView     Perm = "members.view"
	MembersManage   Perm = "members.manage"
	TokensOwn       Perm = "tokens.own"
	AuditView       Perm = "audit.view"
	JobsManage      Perm = "jobs.manage"
	OutboxView      Perm = "outbox.view"

	// Content studio: items, variants, media library, campaigns, calendar, approvals.
	ContentView     Perm = "content.view"
	ContentWrite    Perm = "content.write"
	ContentSchedule Perm = "content.schedule"
	ContentApprove  Perm = "content.approve"
	WorkflowManage  Perm = "workflow.manage"
	MediaWrite      Perm = "media.write"
	CampaignWrite   Perm = "campaign.write"
	// Publishing: connecting accounts and pausing reach the organisation's public voice.
	ChannelsManage Perm = "channels.manage"
	PublishPause   Perm = "publishing.pause"
	// Media relations: journalists' personal data, releases and what is sent to them.
	PressView   Perm = "press.view"   // contacts, outlets, lists, releases, distributions, pitches
	PressWrite  Perm = "press.write"  // add and edit contacts, lists, segments, pitches; import
	PressSend   Perm = "press.send"   // send and schedule distributions
	PressManage Perm = "press.manage" // sending settings, suppression list, erasure of a contact
	// Newsroom: the organisation's public face on the web.
	NewsroomEdit   Perm = "newsroom.edit"   // which releases show and how, the media kit
	NewsroomManage Perm = "newsroom.manage" // address, domain and look; subscribers' export and erasure
	// Monitoring: what the media and the public say.
	MonitorView   Perm = "monitor.view"   // mentions, topics, sources, coverage, alerts, analysis
	MonitorTriage Perm = "monitor.triage" // triage, labels, notes, sentiment, clippings, confirming coverage
	MonitorEdit   Perm = "monitor.edit"   // sources, topics and alert rules
	// Crisis room: declaring a crisis holds every channel of the workspace.
	CrisisView    Perm = "crisis.view"    // the crisis list, rooms and reviews; acknowledging a call
	CrisisWork    Perm = "crisis.work"    // notes, decisions, tasks, stakeholder messages, Q&A, statements
	CrisisDeclare Perm = "crisis.declare" // declaring and closing a crisis, publishing statements and status updates
	CrisisManage  Perm = "crisis.manage"  // the crisis team, escalation and approvers
)

// Role is a member's role in a workspace.
type Role string

const (
	Owner       Role = "owner"
	Admin       Role = "admin"
	Editor      Role = "editor"
	Approver    Role = "approver"
	Contributor Role = "contributor"
	Viewer      Role = "viewer"
)

// Roles in order of power, as the role pickers show them.
var Roles = []Role{Owner, Admin, Editor, Approver, Contributor, Viewer}

var everyone = []Perm{WorkspaceView, MembersView, TokensOwn, ContentView, PressView, MonitorView, CrisisView}

// writers draft content and upload media; editors also schedule and plan campaigns.
var (
	writers  = []Perm{ContentWrite, MediaWrite, PressWrite, MonitorTriage, CrisisWork}
	editors  = append([]Perm{ContentSchedule, CampaignWrite, PressSend, NewsroomEdit, MonitorEdit, CrisisDeclare}, writers...)
	managers = append([]Perm{WorkspaceManage, MembersManage, AuditView, JobsManage, OutboxView, WorkflowManage, ContentApprove,
		ChannelsManage, PublishPause, PressManage, NewsroomManage, CrisisManage}, editors...)
)

var grants = map[Role][]Perm{
	Owner:       join(managers, everyone),
	Admin:       join(managers, everyone),
	Editor:      join(editors, everyone),
	Approver:    join([]Perm{ContentApprove}, everyone),
	Contributor: join(writers, everyone),
	Viewer:      everyone,
}

func join(lists ...[]Perm) []Perm {
	var out []Perm
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Can reports whether role grants perm.
func (r Role) Can(p Perm) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	_, ok := grants[r]
	return ok
}

// Outranks reports whether r may hand out role other: nobody grants a role above their own, and
// only owners make owners.
func (r Role) Outranks(other Role) bool {
	return rank(r) <= rank(other)
}

func rank(r Role) int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return len(Roles)
}
