-- +goose Up
CREATE TABLE notifications (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	msg_key      TEXT NOT NULL,
	args         TEXT NOT NULL,
	link         TEXT NOT NULL,
	created_at   {{timestamp}} NOT NULL,
	read_at      {{timestamp}}
);
CREATE INDEX notifications_user ON notifications (workspace_id, user_id, id);

-- +goose Down
DROP TABLE notifications;
