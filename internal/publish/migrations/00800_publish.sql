-- +goose Up
-- A connected account on a network. Credentials are encrypted with the installation's keyring.
CREATE TABLE channel_accounts (
	id             {{id}},
	workspace_id   BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	network        TEXT NOT NULL,
	kind           TEXT NOT NULL DEFAULT '',
	server         TEXT NOT NULL DEFAULT '',
	remote_id      TEXT NOT NULL,
	handle         TEXT NOT NULL,
	name           TEXT NOT NULL,
	url            TEXT NOT NULL DEFAULT '',
	secret         TEXT NOT NULL,
	-- working, reconnect (the network refused the credentials) or rate_limited (until limited_until)
	health         TEXT NOT NULL DEFAULT 'working',
	health_reason  TEXT NOT NULL DEFAULT '',
	limited_until  {{timestamp}},
	-- the owner is told once per loss of access, not on every failed post
	reconnect_told_at {{timestamp}},
	max_text       INTEGER NOT NULL DEFAULT 0,
	connected_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	connected_at   {{timestamp}} NOT NULL,
	checked_at     {{timestamp}},
	disconnected_at {{timestamp}},
	UNIQUE (workspace_id, network, kind, server, remote_id)
);

-- The organisation's app on a network's developer site (client ID and secret), per workspace and
-- instance: a second account connects without typing them again.
CREATE TABLE channel_apps (
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	network      TEXT NOT NULL,
	server       TEXT NOT NULL DEFAULT '',
	secret       TEXT NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	PRIMARY KEY (workspace_id, network, server)
);

-- An OAuth connection on its way: the network sends the user back with state.
CREATE TABLE channel_connects (
	state        TEXT PRIMARY KEY,
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	network      TEXT NOT NULL,
	server       TEXT NOT NULL DEFAULT '',
	secret       TEXT NOT NULL,
	-- the page the person returns to
	return_to    TEXT NOT NULL,
	expires_at   {{timestamp}} NOT NULL
);

-- The accounts an item goes to, chosen when it is scheduled.
CREATE TABLE publish_targets (
	item_id      BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	account_id   BIGINT NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
	workspace_id BIGINT NOT NULL,
	PRIMARY KEY (item_id, account_id)
);

-- One content item to one account: the unit that is published exactly once.
CREATE TABLE publications (
	id            {{id}},
	workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	item_id       BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	account_id    BIGINT NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
	state         TEXT NOT NULL,
	due_at        {{timestamp}} NOT NULL,
	-- the zone the time was planned in, to show it as planned
	zone          TEXT NOT NULL,
	-- when the publication is worked next: its due time, a retry, or the end of an attempt's lease
	next_at       {{timestamp}} NOT NULL,
	dispatched_at {{timestamp}},
	attempts      INTEGER NOT NULL DEFAULT 0,
	remote_id     TEXT NOT NULL DEFAULT '',
	remote_url    TEXT NOT NULL DEFAULT '',
	published_at  {{timestamp}},
	-- what did not go out although the post did (a first comment, a thread's later part)
	incomplete    TEXT NOT NULL DEFAULT '',
	-- an attempt's answer was lost: until a network call gives a definite answer, every attempt
	-- asks the network first
	must_find     BOOLEAN NOT NULL DEFAULT FALSE,
	-- the text last sent, recorded before the call: a search for an earlier attempt looks for it,
	-- even if the item was edited since
	sent_text     TEXT NOT NULL DEFAULT '',
	error_kind    TEXT NOT NULL DEFAULT '',
	error_key     TEXT NOT NULL DEFAULT '',
	error_reason  TEXT NOT NULL DEFAULT '',
	error_status  INTEGER NOT NULL DEFAULT 0,
	retry_at      {{timestamp}},
	overdue_told_at {{timestamp}},
	likes         BIGINT NOT NULL DEFAULT -1,
	reposts       BIGINT NOT NULL DEFAULT -1,
	replies       BIGINT NOT NULL DEFAULT -1,
	views         BIGINT NOT NULL DEFAULT -1,
	metrics_at    {{timestamp}},
	created_at    {{timestamp}} NOT NULL,
	updated_at    {{timestamp}} NOT NULL,
	UNIQUE (item_id, account_id)
);
CREATE INDEX publications_next ON publications (state, next_at);
-- an item's own publications, whatever their state (SQLite's planner otherwise scans by state)
CREATE INDEX publications_item ON publications (item_id, state);
CREATE INDEX publications_workspace ON publications (workspace_id, updated_at);

-- The publish log: every attempt, its start before the call and its outcome after.
CREATE TABLE publish_attempts (
	id             {{id}},
	workspace_id   BIGINT NOT NULL,
	publication_id BIGINT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
	number         INTEGER NOT NULL,
	action         TEXT NOT NULL,
	started_at     {{timestamp}} NOT NULL,
	finished_at    {{timestamp}},
	outcome        TEXT NOT NULL DEFAULT '',
	error_key      TEXT NOT NULL DEFAULT '',
	error_reason   TEXT NOT NULL DEFAULT '',
	error_status   INTEGER NOT NULL DEFAULT 0,
	remote_url     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX publish_attempts_publication ON publish_attempts (publication_id, id);

-- A workspace whose publishing is paused, and why.
CREATE TABLE publish_pauses (
	workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	reason       TEXT NOT NULL,
	paused_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
	paused_by_name TEXT NOT NULL,
	paused_at    {{timestamp}} NOT NULL
);

-- +goose Down
DROP TABLE publish_pauses;
DROP TABLE publish_attempts;
DROP TABLE publications;
DROP TABLE publish_targets;
DROP TABLE channel_connects;
DROP TABLE channel_apps;
DROP TABLE channel_accounts;
