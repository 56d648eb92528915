-- +goose Up
-- The crisis room: crises declared in a workspace, who was asked to come and who acknowledged,
-- the timeline (written once, never edited), decisions, tasks, stakeholder messages, the Q&A bank,
-- statements, public status updates and, for exercises, scripted injects.

-- A workspace's crisis settings: the crisis team's two lists live in crisis_team; escalation asks
-- the second list when fewer than min_acks of the first acknowledged within escalate_minutes.
-- chat_accounts are the connected Telegram/Slack/Teams accounts told, in order, as JSON ids;
-- approvers approve statements in one step (JSON user ids; none: everyone who may approve).
CREATE TABLE crisis_settings (
	workspace_id     BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	min_acks         INTEGER NOT NULL DEFAULT 2,
	escalate_minutes INTEGER NOT NULL DEFAULT 15,
	chat_accounts    TEXT NOT NULL DEFAULT '[]',
	approvers        TEXT NOT NULL DEFAULT '[]',
	updated_at       {{timestamp}} NOT NULL
);

-- The crisis team, kept ready: members of the workspace (user_id) or people without an account
-- (name and email only). list is "first" or "escalation".
CREATE TABLE crisis_team (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	list         TEXT NOT NULL,
	user_id      BIGINT REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	email        TEXT NOT NULL,
	role         TEXT NOT NULL DEFAULT '',
	position     INTEGER NOT NULL DEFAULT 0,
	UNIQUE (workspace_id, list, email)
);

-- A crisis. paused says this crisis holds publishing's pause and held the distributions' hold (it
-- made it, or joined another crisis's): the last such crisis to close lifts it. A pause made by
-- hand is never lifted by a crisis. keep_accounts are the accounts its owner kept running (JSON ids). topic_id is the monitoring
-- topic followed in the room; alert_id the monitoring alert it was opened from.
CREATE TABLE crises (
	id             {{id}},
	workspace_id   BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name           TEXT NOT NULL,
	description    TEXT NOT NULL DEFAULT '',
	kind           TEXT NOT NULL,
	severity       TEXT NOT NULL,
	owner_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
	owner_name     TEXT NOT NULL,
	exercise       BOOLEAN NOT NULL DEFAULT FALSE,
	state          TEXT NOT NULL DEFAULT 'open',
	paused         BOOLEAN NOT NULL DEFAULT FALSE,
	held           BOOLEAN NOT NULL DEFAULT FALSE,
	keep_accounts  TEXT NOT NULL DEFAULT '[]',
	topic_id       BIGINT,
	alert_id       BIGINT,
	public_name    TEXT NOT NULL DEFAULT '',
	declared_at    {{timestamp}} NOT NULL,
	declared_by    TEXT NOT NULL,
	escalated_at   {{timestamp}},
	escalate_at    {{timestamp}},
	closed_at      {{timestamp}},
	closed_by      TEXT NOT NULL DEFAULT '',
	closing_note   TEXT NOT NULL DEFAULT '',
	mentions_seen  BIGINT NOT NULL DEFAULT 0,
	UNIQUE (workspace_id, id)
);
CREATE INDEX crises_open ON crises (state, workspace_id);

-- The timeline. Entries are only ever added: a correction is a new entry naming the one it
-- corrects. kind says what happened; text is a person's words or what the system recorded;
-- ref_kind/ref_id point at what the entry is about (a decision, a statement, a mention...).
CREATE TABLE crisis_events (
	id         {{id}},
	crisis_id  BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	at         {{timestamp}} NOT NULL,
	kind       TEXT NOT NULL,
	actor_id   BIGINT,
	actor_name TEXT NOT NULL DEFAULT '',
	text       TEXT NOT NULL DEFAULT '',
	args       TEXT NOT NULL DEFAULT '{}',
	ref_kind   TEXT NOT NULL DEFAULT '',
	ref_id     BIGINT NOT NULL DEFAULT 0,
	corrects   BIGINT REFERENCES crisis_events (id)
);
CREATE INDEX crisis_events_crisis ON crisis_events (crisis_id, at, id);

-- The people asked to come: one row per person per crisis, with the secret of their
-- acknowledge link. list is "first" or "escalation".
CREATE TABLE crisis_people (
	id         {{id}},
	crisis_id  BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	list       TEXT NOT NULL,
	user_id    BIGINT,
	name       TEXT NOT NULL,
	email      TEXT NOT NULL,
	token      TEXT NOT NULL UNIQUE,
	asked_at   {{timestamp}} NOT NULL,
	acked_at   {{timestamp}},
	acked_via  TEXT NOT NULL DEFAULT '',
	UNIQUE (crisis_id, email)
);

-- Each message sent to the team: an email per person (mail_id: the outbox's record) or one chat
-- message per account. Recorded before it is sent and marked after; a message found "sending"
-- after a crash becomes "uncertain", never sent twice. A failed chat message hands over to the
-- next account (next_tried).
CREATE TABLE crisis_sends (
	id         {{id}},
	crisis_id  BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	person_id  BIGINT REFERENCES crisis_people (id) ON DELETE CASCADE,
	channel    TEXT NOT NULL,
	account_id BIGINT,
	list       TEXT NOT NULL,
	mail_id    BIGINT,
	state      TEXT NOT NULL DEFAULT 'pending',
	error      TEXT NOT NULL DEFAULT '',
	next_tried BOOLEAN NOT NULL DEFAULT FALSE,
	created_at {{timestamp}} NOT NULL,
	sent_at    {{timestamp}}
);

CREATE TABLE crisis_decisions (
	id         {{id}},
	crisis_id  BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	decision   TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	decided_by TEXT NOT NULL,
	author_id  BIGINT,
	created_at {{timestamp}} NOT NULL
);

CREATE TABLE crisis_tasks (
	id         {{id}},
	crisis_id  BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	title      TEXT NOT NULL,
	owner_id   BIGINT,
	owner_name TEXT NOT NULL DEFAULT '',
	due_at     {{timestamp}},
	done_at    {{timestamp}},
	done_by    TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL
);

-- The stakeholder matrix: audience → key message → channel → owner → status, each row tied to
-- the content item or distribution that delivers it.
CREATE TABLE crisis_messages (
	id              {{id}},
	crisis_id       BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	audience        TEXT NOT NULL,
	message         TEXT NOT NULL,
	channel         TEXT NOT NULL DEFAULT '',
	owner_id        BIGINT,
	owner_name      TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL DEFAULT 'planned',
	item_id         BIGINT,
	distribution_id BIGINT,
	position        INTEGER NOT NULL DEFAULT 0,
	updated_at      {{timestamp}} NOT NULL
);

CREATE TABLE crisis_questions (
	id          {{id}},
	crisis_id   BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	question    TEXT NOT NULL,
	answer      TEXT NOT NULL DEFAULT '',
	approved_by TEXT NOT NULL DEFAULT '',
	approved_at {{timestamp}},
	created_by  TEXT NOT NULL,
	created_at  {{timestamp}} NOT NULL
);

-- A statement is a content item written in the content studio; approved by the crisis approvers
-- in one step; published from the room (published_at) to accounts, the newsroom and lists. Each
-- place is recorded when done (accounts_done_at, newsroom_id, distribution_id), so publishing again
-- after a failure goes only where it has not; publishing_at claims it while under way.
CREATE TABLE crisis_statements (
	id              {{id}},
	crisis_id       BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	workspace_id    BIGINT NOT NULL,
	item_id         BIGINT NOT NULL UNIQUE,
	template_key    TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL DEFAULT 'draft',
	rejected_note   TEXT NOT NULL DEFAULT '',
	accounts        TEXT NOT NULL DEFAULT '[]',
	accounts_done_at {{timestamp}},
	publishing_at   {{timestamp}},
	newsroom_id     BIGINT,
	newsroom_url    TEXT NOT NULL DEFAULT '',
	distribution_id BIGINT,
	created_at      {{timestamp}} NOT NULL,
	published_at    {{timestamp}}
);

-- Public status updates on the newsroom (investigating, identified, monitoring, resolved).
CREATE TABLE crisis_updates (
	id          {{id}},
	crisis_id   BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	state       TEXT NOT NULL,
	text        TEXT NOT NULL,
	lang        TEXT NOT NULL,
	notice_id   BIGINT,
	notice_url  TEXT NOT NULL DEFAULT '',
	posted_by   TEXT NOT NULL,
	posted_at   {{timestamp}} NOT NULL
);

-- An exercise's scripted injects: a simulated mention or message released at due_at.
CREATE TABLE crisis_injects (
	id          {{id}},
	crisis_id   BIGINT NOT NULL REFERENCES crises (id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,
	source      TEXT NOT NULL DEFAULT '',
	text        TEXT NOT NULL,
	sentiment   TEXT NOT NULL DEFAULT 'neutral',
	due_at      {{timestamp}} NOT NULL,
	released_at {{timestamp}}
);
CREATE INDEX crisis_injects_due ON crisis_injects (released_at, due_at);

-- +goose Down
DROP TABLE crisis_injects;
DROP TABLE crisis_updates;
DROP TABLE crisis_statements;
DROP TABLE crisis_questions;
DROP TABLE crisis_messages;
DROP TABLE crisis_tasks;
DROP TABLE crisis_decisions;
DROP TABLE crisis_sends;
DROP TABLE crisis_people;
DROP TABLE crisis_events;
DROP TABLE crises;
DROP TABLE crisis_team;
DROP TABLE crisis_settings;
