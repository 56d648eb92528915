-- +goose Up
-- A workspace's own templates; the built-in ones ship with the binary.
CREATE TABLE content_templates (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	lang         TEXT NOT NULL,
	title        TEXT NOT NULL,
	body         TEXT NOT NULL,
	variants     TEXT NOT NULL,
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at   {{timestamp}} NOT NULL
);
CREATE INDEX content_templates_workspace ON content_templates (workspace_id, name);

-- +goose Down
DROP TABLE content_templates;
