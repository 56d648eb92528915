-- +goose Up
-- Uploaded files. The bytes live in the media store under store_key (and thumb_key for an image's
-- thumbnail); search_text is filename, alt text and credit in lower case, so one LIKE finds them on
-- both engines whatever the letters' case.
CREATE TABLE media_assets (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	store_key    TEXT NOT NULL UNIQUE,
	thumb_key    TEXT NOT NULL DEFAULT '',
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	kind         TEXT NOT NULL,
	size         BIGINT NOT NULL,
	width        INTEGER NOT NULL DEFAULT 0,
	height       INTEGER NOT NULL DEFAULT 0,
	alt          TEXT NOT NULL DEFAULT '',
	credit       TEXT NOT NULL DEFAULT '',
	licence      TEXT NOT NULL DEFAULT '',
	search_text  TEXT NOT NULL DEFAULT '',
	uploaded_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL
);
-- Listings and searches run newest first within a workspace, optionally of one kind.
CREATE INDEX media_assets_workspace ON media_assets (workspace_id, id);
CREATE INDEX media_assets_kind ON media_assets (workspace_id, kind, id);

-- Where each asset is used, as the using domain last said (SetUsage). The foreign key has no
-- ON DELETE: an asset in use cannot be deleted, and the service says where it is used first.
CREATE TABLE media_usage (
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	asset_id     BIGINT NOT NULL REFERENCES media_assets (id),
	entity       TEXT NOT NULL,
	entity_id    TEXT NOT NULL,
	label        TEXT NOT NULL,
	link         TEXT NOT NULL,
	PRIMARY KEY (asset_id, entity, entity_id)
);
CREATE INDEX media_usage_entity ON media_usage (workspace_id, entity, entity_id);

-- +goose Down
DROP TABLE media_usage;
DROP TABLE media_assets;
