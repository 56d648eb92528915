-- +goose Up
-- A pitch is a story offered to journalists. release_id and campaign_id are plain numbers: the
-- pages only link to them, and a release or campaign removed later leaves the pitch as it is.
-- version counts saves, so two people editing at once cannot overwrite each other.
CREATE TABLE pitches (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	title        TEXT NOT NULL,
	angle        TEXT NOT NULL DEFAULT '',
	subject      TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	release_id   BIGINT,
	campaign_id  BIGINT,
	owner_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
	status       TEXT NOT NULL DEFAULT 'open',
	version      INTEGER NOT NULL DEFAULT 1,
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, id)
);
CREATE INDEX pitches_list ON pitches (workspace_id, status, updated_at);

-- A pitch's pipeline: one card per contact, at one stage. A contact erased from press takes its
-- cards (and the notes about them) with it. follow_up_at is when the owner wants to be reminded;
-- reminded_at is set in the transaction that sends the reminder, so it goes once, and cleared
-- when the date changes.
CREATE TABLE pitch_contacts (
	pitch_id     BIGINT NOT NULL,
	workspace_id BIGINT NOT NULL,
	contact_id   BIGINT NOT NULL,
	stage        TEXT NOT NULL,
	note         TEXT NOT NULL DEFAULT '',
	coverage_url TEXT NOT NULL DEFAULT '',
	follow_up_at {{timestamp}},
	follow_up_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	reminded_at  {{timestamp}},
	added_at     {{timestamp}} NOT NULL,
	stage_at     {{timestamp}} NOT NULL,
	PRIMARY KEY (pitch_id, contact_id),
	FOREIGN KEY (workspace_id, pitch_id) REFERENCES pitches (workspace_id, id) ON DELETE CASCADE,
	FOREIGN KEY (workspace_id, contact_id) REFERENCES press_contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX pitch_contacts_due ON pitch_contacts (follow_up_at, reminded_at);
CREATE INDEX pitch_contacts_contact ON pitch_contacts (workspace_id, contact_id);

-- +goose Down
DROP TABLE pitch_contacts;
DROP TABLE pitches;
