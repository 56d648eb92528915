-- +goose Up
CREATE TABLE workspaces (
	id         {{id}},
	slug       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	lang       TEXT NOT NULL,
	timezone   TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL
);

CREATE TABLE users (
	id              {{id}},
	email           TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL,
	password_hash   TEXT NOT NULL DEFAULT '',
	lang            TEXT NOT NULL DEFAULT '',
	is_admin        BOOLEAN NOT NULL DEFAULT FALSE,
	session_version INTEGER NOT NULL DEFAULT 1,
	disabled_at     {{timestamp}},
	created_at      {{timestamp}} NOT NULL
);

CREATE TABLE memberships (
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role         TEXT NOT NULL,
	created_at   {{timestamp}} NOT NULL,
	PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- One-time links: first-start setup, invitations and password resets. Only a hash is kept.
CREATE TABLE auth_links (
	id           {{id}},
	kind         TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	email        TEXT NOT NULL DEFAULT '',
	workspace_id BIGINT REFERENCES workspaces (id) ON DELETE CASCADE,
	role         TEXT NOT NULL DEFAULT '',
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	expires_at   {{timestamp}} NOT NULL,
	used_at      {{timestamp}},
	revoked_at   {{timestamp}},
	created_at   {{timestamp}} NOT NULL
);
CREATE INDEX auth_links_workspace ON auth_links (workspace_id, kind);

CREATE TABLE api_tokens (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	role         TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	prefix       TEXT NOT NULL,
	created_at   {{timestamp}} NOT NULL,
	last_used_at {{timestamp}},
	revoked_at   {{timestamp}}
);
CREATE INDEX api_tokens_workspace ON api_tokens (workspace_id, user_id);

-- Failed sign-ins, counted per account and per address for the rate limit.
CREATE TABLE login_failures (
	id    {{id}},
	email TEXT NOT NULL,
	ip    TEXT NOT NULL,
	at    {{timestamp}} NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE auth_links;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE workspaces;
