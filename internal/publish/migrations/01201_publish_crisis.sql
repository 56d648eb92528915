-- +goose Up
-- The accounts that keep publishing while their workspace is paused: a crisis owner keeps the
-- channels its statements go out on running. They go with the pause.
CREATE TABLE publish_pause_keeps (
	workspace_id BIGINT NOT NULL REFERENCES publish_pauses (workspace_id) ON DELETE CASCADE,
	account_id   BIGINT NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
	PRIMARY KEY (workspace_id, account_id)
);

-- Items whose publications go out even while their workspace is paused (crisis statements).
CREATE TABLE publish_let_through (
	item_id      BIGINT PRIMARY KEY REFERENCES content_items (id) ON DELETE CASCADE,
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	created_at   {{timestamp}} NOT NULL
);

-- +goose Down
DROP TABLE publish_let_through;
DROP TABLE publish_pause_keeps;
