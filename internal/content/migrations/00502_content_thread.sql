-- +goose Up
-- A variant whose long text goes out as a thread (X), when the person asks for it.
ALTER TABLE content_variants ADD COLUMN thread BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE content_variants DROP COLUMN thread;
