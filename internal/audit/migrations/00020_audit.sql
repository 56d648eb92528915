-- +goose Up
CREATE TABLE audit_log (
	id           {{id}},
	workspace_id BIGINT REFERENCES workspaces (id) ON DELETE CASCADE,
	actor_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
	actor        TEXT NOT NULL,
	action       TEXT NOT NULL,
	entity       TEXT NOT NULL,
	entity_id    TEXT NOT NULL,
	changes      TEXT NOT NULL,
	ip           TEXT NOT NULL,
	at           {{timestamp}} NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);

-- +goose Down
DROP TABLE audit_log;
