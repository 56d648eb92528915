-- +goose Up
CREATE TABLE content_items (
	id              {{id}},
	workspace_id    BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	title           TEXT NOT NULL,
	body            TEXT NOT NULL,
	lang            TEXT NOT NULL,
	translation_of  BIGINT REFERENCES content_items (id) ON DELETE SET NULL,
	owner_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
	campaign_id     BIGINT REFERENCES campaigns (id) ON DELETE SET NULL,
	status          TEXT NOT NULL,
	labels          TEXT NOT NULL DEFAULT '',
	attachments     TEXT NOT NULL DEFAULT '',
	scheduled_at    {{timestamp}},
	offset_days     INTEGER,
	offset_clock    TEXT,
	published_at    {{timestamp}},
	version         INTEGER NOT NULL,
	created_at      {{timestamp}} NOT NULL,
	updated_at      {{timestamp}} NOT NULL
);
CREATE INDEX content_items_workspace ON content_items (workspace_id, status, updated_at);
CREATE INDEX content_items_schedule ON content_items (workspace_id, scheduled_at);
CREATE INDEX content_items_campaign ON content_items (workspace_id, campaign_id);

-- One variant per target channel: its own text, media and first comment.
CREATE TABLE content_variants (
	item_id       BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	workspace_id  BIGINT NOT NULL,
	network       TEXT NOT NULL,
	text          TEXT NOT NULL,
	first_comment TEXT NOT NULL DEFAULT '',
	media         TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (item_id, network)
);

-- Every save keeps a version: the item as it was, variants included (JSON).
CREATE TABLE content_versions (
	id           {{id}},
	workspace_id BIGINT NOT NULL,
	item_id      BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	version      INTEGER NOT NULL,
	title        TEXT NOT NULL,
	body         TEXT NOT NULL,
	variants     TEXT NOT NULL,
	author_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
	author       TEXT NOT NULL,
	created_at   {{timestamp}} NOT NULL,
	UNIQUE (item_id, version)
);

CREATE TABLE content_comments (
	id           {{id}},
	workspace_id BIGINT NOT NULL,
	item_id      BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	parent_id    BIGINT REFERENCES content_comments (id) ON DELETE CASCADE,
	author_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
	author_name  TEXT NOT NULL,
	author_email TEXT NOT NULL,
	body         TEXT NOT NULL,
	resolved_at  {{timestamp}},
	created_at   {{timestamp}} NOT NULL
);
CREATE INDEX content_comments_item ON content_comments (item_id, id);

-- +goose Down
DROP TABLE content_comments;
DROP TABLE content_versions;
DROP TABLE content_variants;
DROP TABLE content_items;
