-- +goose Up
-- Media relations: outlets, contacts (with their many-valued fields in side tables so segments
-- can filter on them in SQL), static lists, saved segments, the timeline and the suppression list.
-- name_key columns hold the lower-cased, space-collapsed name, for matching and uniqueness.
CREATE TABLE press_outlets (
	id                 {{id}},
	workspace_id       BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name               TEXT NOT NULL,
	name_key           TEXT NOT NULL,
	type               TEXT NOT NULL DEFAULT 'online',
	reach              BIGINT NOT NULL DEFAULT 0,
	reach_source       TEXT NOT NULL DEFAULT '',
	reach_date         TEXT NOT NULL DEFAULT '',
	province           TEXT NOT NULL DEFAULT '',
	city               TEXT NOT NULL DEFAULT '',
	country            TEXT NOT NULL DEFAULT 'ID',
	language           TEXT NOT NULL DEFAULT '',
	website            TEXT NOT NULL DEFAULT '',
	rss_url            TEXT NOT NULL DEFAULT '',
	dewan_pers         TEXT NOT NULL DEFAULT 'unverified',
	dewan_pers_checked TEXT NOT NULL DEFAULT '',
	created_at         {{timestamp}} NOT NULL,
	updated_at         {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, name_key),
	UNIQUE (workspace_id, id)
);

-- consent_at is when the consent status was given or withdrawn; last_contacted_at moves with the
-- timeline (releases and pitches sent, calls, meetings).
CREATE TABLE press_contacts (
	id                {{id}},
	workspace_id      BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name              TEXT NOT NULL,
	name_key          TEXT NOT NULL,
	salutation        TEXT NOT NULL DEFAULT '',
	province          TEXT NOT NULL DEFAULT '',
	city              TEXT NOT NULL DEFAULT '',
	country           TEXT NOT NULL DEFAULT 'ID',
	whatsapp          TEXT NOT NULL DEFAULT '',
	socials           TEXT NOT NULL DEFAULT '{}',
	notes             TEXT NOT NULL DEFAULT '',
	owner_id          BIGINT REFERENCES users (id) ON DELETE SET NULL,
	consent_status    TEXT NOT NULL DEFAULT 'unknown',
	consent_basis     TEXT NOT NULL DEFAULT '',
	consent_source    TEXT NOT NULL DEFAULT '',
	consent_at        {{timestamp}},
	do_not_contact    BOOLEAN NOT NULL DEFAULT FALSE,
	last_contacted_at {{timestamp}},
	created_at        {{timestamp}} NOT NULL,
	updated_at        {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, id)
);
CREATE INDEX press_contacts_name ON press_contacts (workspace_id, name_key);

CREATE TABLE press_contact_outlets (
	contact_id   BIGINT NOT NULL,
	workspace_id BIGINT NOT NULL,
	outlet_id    BIGINT NOT NULL,
	role         TEXT NOT NULL DEFAULT '',
	position     INTEGER NOT NULL,
	PRIMARY KEY (contact_id, outlet_id),
	FOREIGN KEY (workspace_id, contact_id) REFERENCES press_contacts (workspace_id, id) ON DELETE CASCADE,
	FOREIGN KEY (workspace_id, outlet_id) REFERENCES press_outlets (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX press_contact_outlets_outlet ON press_contact_outlets (workspace_id, outlet_id);

-- email_hash is the SHA-256 of the address, compared with the suppression list's hashes.
CREATE TABLE press_contact_emails (
	contact_id   BIGINT NOT NULL,
	workspace_id BIGINT NOT NULL,
	email        TEXT NOT NULL,
	email_hash   TEXT NOT NULL,
	position     INTEGER NOT NULL,
	PRIMARY KEY (contact_id, email),
	FOREIGN KEY (workspace_id, contact_id) REFERENCES press_contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX press_contact_emails_email ON press_contact_emails (workspace_id, email);
CREATE INDEX press_contact_emails_hash ON press_contact_emails (workspace_id, email_hash);

CREATE TABLE press_contact_phones (
	contact_id   BIGINT NOT NULL,
	workspace_id BIGINT NOT NULL,
	phone        TEXT NOT NULL,
	position     INTEGER NOT NULL,
	PRIMARY KEY (contact_id, phone),
	FOREIGN KEY (workspace_id, contact_id) REFERENCES press_contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX press_contact_phones_phone ON press_contact_phones (workspace_id, phone);

-- Beats, labels and languages: kind is beat, label or lang; value as typed, value_key lower-case.
CREATE TABLE press_contact_tags (
	contact_id   BIGINT NOT NULL,
	workspace_id BIGINT NOT NULL,
	kind         TEXT NOT NULL,
	value        TEXT NOT NULL,
	value_key    TEXT NOT NULL,
	position     INTEGER NOT NULL,
	PRIMARY KEY (contact_id, kind, value_key),
	FOREIGN KEY (workspace_id, contact_id) REFERENCES press_contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX press_contact_tags_value ON press_contact_tags (workspace_id, kind, value_key);

CREATE TABLE press_lists (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, id)
);

CREATE TABLE press_list_members (
	list_id      BIGINT NOT NULL,
	workspace_id BIGINT NOT NULL,
	contact_id   BIGINT NOT NULL,
	added_at     {{timestamp}} NOT NULL,
	PRIMARY KEY (list_id, contact_id),
	FOREIGN KEY (workspace_id, list_id) REFERENCES press_lists (workspace_id, id) ON DELETE CASCADE,
	FOREIGN KEY (workspace_id, contact_id) REFERENCES press_contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX press_list_members_contact ON press_list_members (workspace_id, contact_id);

-- conditions is JSON: [{"field": "beat", "values": ["kesehatan"]}, …], AND between conditions,
-- OR between one condition's values.
CREATE TABLE press_segments (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	conditions   TEXT NOT NULL DEFAULT '[]',
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, id)
);

-- The timeline. An erased contact's events stay as anonymous counts: contact_id NULL, words cleared.
CREATE TABLE press_events (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	contact_id   BIGINT REFERENCES press_contacts (id) ON DELETE SET NULL,
	kind         TEXT NOT NULL,
	at           {{timestamp}} NOT NULL,
	title        TEXT NOT NULL DEFAULT '',
	link         TEXT NOT NULL DEFAULT '',
	detail       TEXT NOT NULL DEFAULT '',
	by_id        BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX press_events_contact ON press_events (workspace_id, contact_id, at);

-- The suppression list. email_hash (SHA-256 of the lower-case address) is always there; email is
-- NULL once the contact was erased, so the address stays blocked without being kept.
CREATE TABLE press_suppressions (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	email        TEXT,
	email_hash   TEXT NOT NULL,
	reason       TEXT NOT NULL,
	detail       TEXT NOT NULL DEFAULT '',
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at   {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, email_hash)
);

-- +goose Down
DROP TABLE press_suppressions;
DROP TABLE press_events;
DROP TABLE press_segments;
DROP TABLE press_list_members;
DROP TABLE press_lists;
DROP TABLE press_contact_tags;
DROP TABLE press_contact_phones;
DROP TABLE press_contact_emails;
DROP TABLE press_contact_outlets;
DROP TABLE press_contacts;
DROP TABLE press_outlets;
