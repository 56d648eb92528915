-- +goose Up
-- A workspace's newsroom: where it is served (its own slug, and a domain when the organisation
-- points one at Warta), how it looks, and its texts. No row means the defaults: on, at the
-- workspace's slug. generation counts changes to anything the public pages show, so every
-- process's page cache can tell when its copies are stale.
CREATE TABLE newsroom_settings (
	workspace_id   BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	enabled        BOOLEAN NOT NULL DEFAULT TRUE,
	slug           TEXT NOT NULL,
	-- lower-case host name, NULL when none: unique when set
	domain         TEXT,
	title          TEXT NOT NULL DEFAULT '',
	tagline_id     TEXT NOT NULL DEFAULT '',
	tagline_en     TEXT NOT NULL DEFAULT '',
	logo_asset_id  BIGINT,
	color_primary  TEXT NOT NULL DEFAULT '',
	color_accent   TEXT NOT NULL DEFAULT '',
	font           TEXT NOT NULL DEFAULT '',
	boilerplate_id TEXT NOT NULL DEFAULT '',
	boilerplate_en TEXT NOT NULL DEFAULT '',
	facts_id       TEXT NOT NULL DEFAULT '',
	facts_en       TEXT NOT NULL DEFAULT '',
	generation     BIGINT NOT NULL DEFAULT 0,
	updated_at     {{timestamp}} NOT NULL,
	UNIQUE (slug),
	UNIQUE (domain)
);

-- Topics a newsroom files its releases under, for filters, feeds and subscriptions.
CREATE TABLE newsroom_topics (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	slug         TEXT NOT NULL,
	name_id      TEXT NOT NULL,
	name_en      TEXT NOT NULL,
	position     INTEGER NOT NULL DEFAULT 0,
	UNIQUE (workspace_id, slug)
);

-- A release version as the newsroom shows it. The settings (visibility, featured, topics) are
-- the newsroom's; the rest is a copy of the release as it was last approved, so a later edit
-- waiting for approval never reaches the public. lift_at is when it becomes public (the
-- embargo, or when it was first approved); every public query asks lift_at <= now, so a release
-- appears at its lift without anyone running anything. group_id links the language versions.
CREATE TABLE newsroom_releases (
	release_id     BIGINT PRIMARY KEY,
	workspace_id   BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	group_id       BIGINT NOT NULL,
	-- public (listed, in feeds, mailed), unlisted (only through the secret link) or hidden
	visibility     TEXT NOT NULL DEFAULT 'public',
	secret         TEXT NOT NULL,
	featured       BOOLEAN NOT NULL DEFAULT FALSE,
	-- the copy, absent until the release is first approved; copied_at is the release's own
	-- last change at the time of the copy
	copied_at      {{timestamp}},
	lang           TEXT NOT NULL DEFAULT '',
	number         TEXT NOT NULL DEFAULT '',
	headline       TEXT NOT NULL DEFAULT '',
	subheadline    TEXT NOT NULL DEFAULT '',
	dateline       TEXT NOT NULL DEFAULT '',
	body_html      TEXT NOT NULL DEFAULT '',
	lead           TEXT NOT NULL DEFAULT '',
	boilerplate_html TEXT NOT NULL DEFAULT '',
	contact        TEXT NOT NULL DEFAULT '{}',
	files          TEXT NOT NULL DEFAULT '[]',
	-- headline, lead and body folded to lower case without diacritics, for search
	search         TEXT NOT NULL DEFAULT '',
	lift_at        {{timestamp}},
	-- set when the release was archived: its page then says it was withdrawn
	gone_at        {{timestamp}},
	updated_at     {{timestamp}} NOT NULL
);
CREATE INDEX newsroom_releases_public ON newsroom_releases (workspace_id, lift_at);
CREATE INDEX newsroom_releases_group ON newsroom_releases (workspace_id, group_id);

-- The media library files a copy shows: the newsroom serves a file only while a public copy
-- (or the media kit) holds it.
CREATE TABLE newsroom_release_files (
	release_id   BIGINT NOT NULL REFERENCES newsroom_releases (release_id) ON DELETE CASCADE,
	asset_id     BIGINT NOT NULL,
	PRIMARY KEY (release_id, asset_id)
);
CREATE INDEX newsroom_release_files_asset ON newsroom_release_files (asset_id);

CREATE TABLE newsroom_release_topics (
	release_id   BIGINT NOT NULL REFERENCES newsroom_releases (release_id) ON DELETE CASCADE,
	topic_id     BIGINT NOT NULL REFERENCES newsroom_topics (id) ON DELETE CASCADE,
	PRIMARY KEY (release_id, topic_id)
);
CREATE INDEX newsroom_release_topics_topic ON newsroom_release_topics (topic_id, release_id);

-- A release's language versions are emailed to the newsroom's subscribers once: this row is
-- written in the transaction that creates the distribution, and its key forbids a second.
CREATE TABLE newsroom_mailings (
	workspace_id    BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	group_id        BIGINT NOT NULL,
	distribution_id BIGINT NOT NULL,
	mailed_at       {{timestamp}} NOT NULL,
	PRIMARY KEY (workspace_id, group_id)
);

-- How far the newsroom has followed changes to releases (one row).
CREATE TABLE newsroom_sync (
	id      INTEGER PRIMARY KEY,
	cursor  {{timestamp}} NOT NULL
);

-- Visits per release and day, counted without cookies.
CREATE TABLE newsroom_visits (
	release_id BIGINT NOT NULL REFERENCES newsroom_releases (release_id) ON DELETE CASCADE,
	day        TEXT NOT NULL,
	views      BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (release_id, day)
);

-- +goose Down
DROP TABLE newsroom_visits;
DROP TABLE newsroom_sync;
DROP TABLE newsroom_mailings;
DROP TABLE newsroom_release_topics;
DROP TABLE newsroom_release_files;
DROP TABLE newsroom_releases;
DROP TABLE newsroom_topics;
DROP TABLE newsroom_settings;
