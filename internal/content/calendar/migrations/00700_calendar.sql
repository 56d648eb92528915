-- +goose Up
-- A member's private iCalendar feed of a workspace. Only a hash of the secret in the URL is kept;
-- resetting revokes the old row and adds a new one, so each member has at most one live feed.
CREATE TABLE calendar_feeds (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash   TEXT NOT NULL UNIQUE,
	created_at   {{timestamp}} NOT NULL,
	revoked_at   {{timestamp}},
	last_used_at {{timestamp}}
);
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (workspace_id, user_id) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE calendar_feeds;
