-- +goose Up
-- The media kit: files of the media library offered to journalists on the newsroom, in three
-- groups (logo, photo, document), each in the order its editors gave it. Credit, licence and alt
-- text are the asset's own; the kit adds a title and whether the public newsroom shows the file.
-- An asset is in a workspace's kit at most once. The media library refuses to delete an asset the
-- kit uses (it is recorded in media_usage), so the foreign key never blocks a person.
CREATE TABLE kit_items (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	asset_id     BIGINT NOT NULL REFERENCES media_assets (id),
	title        TEXT NOT NULL,
	public       BOOLEAN NOT NULL DEFAULT TRUE,
	position     INTEGER NOT NULL,
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, asset_id)
);
CREATE INDEX kit_items_order ON kit_items (workspace_id, kind, position);

-- Spokespeople (juru bicara): title and bio in Indonesian and English, a photo from the media
-- library, in the order the kit shows them.
CREATE TABLE kit_people (
	id             {{id}},
	workspace_id   BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name           TEXT NOT NULL,
	title_id       TEXT NOT NULL DEFAULT '',
	title_en       TEXT NOT NULL DEFAULT '',
	topics         TEXT NOT NULL DEFAULT '',
	email          TEXT NOT NULL DEFAULT '',
	phone          TEXT NOT NULL DEFAULT '',
	bio_id         TEXT NOT NULL DEFAULT '',
	bio_en         TEXT NOT NULL DEFAULT '',
	photo_asset_id BIGINT REFERENCES media_assets (id),
	public         BOOLEAN NOT NULL DEFAULT TRUE,
	position       INTEGER NOT NULL,
	created_at     {{timestamp}} NOT NULL,
	updated_at     {{timestamp}} NOT NULL
);
CREATE INDEX kit_people_order ON kit_people (workspace_id, position);
CREATE INDEX kit_people_photo ON kit_people (workspace_id, photo_asset_id);

-- +goose Down
DROP TABLE kit_people;
DROP TABLE kit_items;
