-- +goose Up
CREATE TABLE sessions (
	token  TEXT PRIMARY KEY,
	data   {{blob}} NOT NULL,
	expiry {{timestamp}} NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
