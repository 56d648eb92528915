-- +goose Up
-- A workspace without a row uses the default mode (optional) and one default step.
CREATE TABLE approval_settings (
	workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	mode         TEXT NOT NULL,
	updated_at   {{timestamp}} NOT NULL
);

-- Steps in order; approvers are a role, a list of user ids (",3,7,") or, neither given, everyone
-- whose role may approve.
CREATE TABLE approval_steps (
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	position     INTEGER NOT NULL,
	name         TEXT NOT NULL,
	role         TEXT NOT NULL DEFAULT '',
	user_ids     TEXT NOT NULL DEFAULT '',
	rule         TEXT NOT NULL,
	PRIMARY KEY (workspace_id, position)
);

-- The approval of one version of an item. steps is the workspace's steps when it was asked for
-- (JSON), so changing the settings does not move a request under way.
CREATE TABLE approval_requests (
	id              {{id}},
	workspace_id    BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	item_id         BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	version         INTEGER NOT NULL,
	step            INTEGER NOT NULL,
	steps           TEXT NOT NULL,
	status          TEXT NOT NULL,
	submitted_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
	submitted_label TEXT NOT NULL DEFAULT '',
	created_at      {{timestamp}} NOT NULL,
	step_started_at {{timestamp}} NOT NULL,
	decided_at      {{timestamp}},
	approved_at     {{timestamp}}
);
CREATE INDEX approval_requests_item ON approval_requests (workspace_id, item_id, id);
CREATE INDEX approval_requests_status ON approval_requests (status, workspace_id);
-- At most one request waits per item.
CREATE UNIQUE INDEX approval_requests_pending ON approval_requests (item_id) WHERE status = 'pending';

CREATE TABLE review_links (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	item_id      BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	token_hash   TEXT NOT NULL UNIQUE,
	email        TEXT NOT NULL,
	name         TEXT NOT NULL,
	lang         TEXT NOT NULL,
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	expires_at   {{timestamp}} NOT NULL,
	revoked_at   {{timestamp}},
	opened_at    {{timestamp}},
	created_at   {{timestamp}} NOT NULL
);
CREATE INDEX review_links_item ON review_links (workspace_id, item_id, id);

-- Who decided what on which step: a member (user_id) or an outside reviewer through a link.
CREATE TABLE approval_decisions (
	id             {{id}},
	workspace_id   BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	request_id     BIGINT NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
	step           INTEGER NOT NULL,
	user_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
	link_id        BIGINT REFERENCES review_links (id) ON DELETE SET NULL,
	reviewer_name  TEXT NOT NULL,
	reviewer_email TEXT NOT NULL,
	decision       TEXT NOT NULL,
	note           TEXT NOT NULL DEFAULT '',
	created_at     {{timestamp}} NOT NULL
);
CREATE INDEX approval_decisions_request ON approval_decisions (request_id, step);

-- One digest per approver per day (in the workspace's time zone): a second run of the job, or a
-- restart, finds the row and sends nothing.
CREATE TABLE digests_sent (
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	day          TEXT NOT NULL,
	sent_at      {{timestamp}} NOT NULL,
	PRIMARY KEY (workspace_id, user_id, day)
);

-- +goose Down
DROP TABLE digests_sent;
DROP TABLE approval_decisions;
DROP TABLE review_links;
DROP TABLE approval_requests;
DROP TABLE approval_steps;
DROP TABLE approval_settings;
