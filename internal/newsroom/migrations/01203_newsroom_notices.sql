-- +goose Up
-- Official statements and status updates published on the newsroom from the crisis room. A
-- notice is written in one language. incident_key groups one crisis's notices; the latest status
-- update of an incident says where it stands. A withdrawn notice is kept, off the public pages.
CREATE TABLE newsroom_notices (
	id            {{id}},
	workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	-- statement or status
	kind          TEXT NOT NULL,
	incident      TEXT NOT NULL DEFAULT '',
	incident_key  TEXT NOT NULL DEFAULT '',
	-- investigating, identified, monitoring or resolved; empty for a statement
	state         TEXT NOT NULL DEFAULT '',
	lang          TEXT NOT NULL,
	title         TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL,
	contact_name  TEXT NOT NULL DEFAULT '',
	contact_phone TEXT NOT NULL DEFAULT '',
	contact_email TEXT NOT NULL DEFAULT '',
	published_at  {{timestamp}} NOT NULL,
	withdrawn_at  {{timestamp}}
);
CREATE INDEX newsroom_notices_published ON newsroom_notices (workspace_id, kind, published_at);
CREATE INDEX newsroom_notices_incident ON newsroom_notices (workspace_id, incident_key, published_at);

-- +goose Down
DROP TABLE newsroom_notices;
