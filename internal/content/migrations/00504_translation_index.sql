-- +goose Up
-- A release or post finds its language versions by translation_of; without an index every
-- lookup read all of the workspace's items (slow with ten thousand releases).
CREATE INDEX content_items_translation ON content_items (translation_of);

-- +goose Down
DROP INDEX content_items_translation;
