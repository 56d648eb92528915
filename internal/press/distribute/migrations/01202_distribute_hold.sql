-- +goose Up
-- A workspace whose distributions are held (a crisis): scheduled ones whose time comes do not
-- start and those sending stop before their next recipient, until the hold is lifted and a
-- person decides for each.
CREATE TABLE distribute_holds (
	workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	reason       TEXT NOT NULL,
	held_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
	held_by_name TEXT NOT NULL,
	held_at      {{timestamp}} NOT NULL
);
-- A distribution that goes out although its workspace is held (a crisis statement's).
ALTER TABLE distributions ADD COLUMN through_hold BOOLEAN NOT NULL DEFAULT FALSE;
-- When a hold stopped it or kept it from starting; cleared when a person decides.
ALTER TABLE distributions ADD COLUMN held_at {{timestamp}};

-- +goose Down
ALTER TABLE distributions DROP COLUMN held_at;
ALTER TABLE distributions DROP COLUMN through_hold;
DROP TABLE distribute_holds;
