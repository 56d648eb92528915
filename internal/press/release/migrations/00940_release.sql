-- +goose Up
-- A press release is a content item (headline, body, language, attachments, approval) plus this
-- row. Language versions are linked through the content items; each version has its own row.
-- dateline_date is a civil day 'YYYY-MM-DD' stored as TEXT on both engines; embargo_at is an
-- instant in UTC and zone the IANA zone it was set in, so it is shown as it was meant.
CREATE TABLE press_releases (
	id            {{id}},
	workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	item_id       BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	number        TEXT NOT NULL DEFAULT '',
	subheadline   TEXT NOT NULL DEFAULT '',
	dateline_city TEXT NOT NULL DEFAULT '',
	dateline_date TEXT NOT NULL DEFAULT '',
	boilerplate   TEXT NOT NULL DEFAULT '',
	contact_name  TEXT NOT NULL DEFAULT '',
	contact_role  TEXT NOT NULL DEFAULT '',
	contact_phone TEXT NOT NULL DEFAULT '',
	contact_email TEXT NOT NULL DEFAULT '',
	embargo_at    {{timestamp}},
	zone          TEXT NOT NULL DEFAULT '',
	created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at    {{timestamp}} NOT NULL,
	updated_at    {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, id),
	UNIQUE (item_id)
);
CREATE INDEX press_releases_list ON press_releases (workspace_id, created_at);
CREATE INDEX press_releases_embargo ON press_releases (workspace_id, embargo_at);

-- The workspace's numbering: the pattern, and the last number given in each year.
CREATE TABLE press_release_settings (
	workspace_id   BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	number_pattern TEXT NOT NULL
);
CREATE TABLE press_release_counters (
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	year         INTEGER NOT NULL,
	last         INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, year)
);

-- Where a person shared a release by hand ("copy for WhatsApp"): WhatsApp has no API for groups,
-- so this record is what the office knows of it.
CREATE TABLE press_release_shares (
	id           {{id}},
	workspace_id BIGINT NOT NULL,
	release_id   BIGINT NOT NULL,
	channel      TEXT NOT NULL,
	group_name   TEXT NOT NULL,
	note         TEXT NOT NULL DEFAULT '',
	shared_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
	shared_label TEXT NOT NULL DEFAULT '',
	shared_at    {{timestamp}} NOT NULL,
	FOREIGN KEY (workspace_id, release_id) REFERENCES press_releases (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX press_release_shares_release ON press_release_shares (workspace_id, release_id, shared_at);

-- Social posts planned relative to the embargo lift: the content item and its offset in minutes.
CREATE TABLE press_release_posts (
	workspace_id   BIGINT NOT NULL,
	release_id     BIGINT NOT NULL,
	item_id        BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
	offset_minutes INTEGER NOT NULL,
	PRIMARY KEY (release_id, item_id),
	FOREIGN KEY (workspace_id, release_id) REFERENCES press_releases (workspace_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE press_release_posts;
DROP TABLE press_release_shares;
DROP TABLE press_release_counters;
DROP TABLE press_release_settings;
DROP TABLE press_releases;
