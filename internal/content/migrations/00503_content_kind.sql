-- +goose Up
-- What an item is: a post for the channels, or a press release whose other fields live in the
-- release tables.
ALTER TABLE content_items ADD COLUMN kind TEXT NOT NULL DEFAULT 'post';
CREATE INDEX content_items_kind ON content_items (workspace_id, kind);

-- +goose Down
DROP INDEX content_items_kind;
ALTER TABLE content_items DROP COLUMN kind;
