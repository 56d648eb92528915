-- +goose Up
-- starts_on and ends_on are calendar days stored as TEXT 'YYYY-MM-DD' on both engines: a day has
-- no time or zone, and the text sorts in date order. anchor_at is an instant, in UTC like every
-- other time. version counts saves, so two people editing at once cannot overwrite each other.
CREATE TABLE campaigns (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	colour       TEXT NOT NULL,
	starts_on    TEXT,
	ends_on      TEXT,
	anchor_at    {{timestamp}},
	utm_campaign TEXT NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1,
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	archived_at  {{timestamp}},
	UNIQUE (workspace_id, id)
);
CREATE INDEX campaigns_list ON campaigns (workspace_id, archived_at, starts_on);

-- A campaign's UTM tags per channel; a channel without a row uses the defaults (source = the
-- channel, medium = social, referral for the newsroom, email for email).
CREATE TABLE campaign_utm (
	campaign_id  BIGINT NOT NULL,
	workspace_id BIGINT NOT NULL,
	channel      TEXT NOT NULL,
	source       TEXT NOT NULL,
	medium       TEXT NOT NULL,
	content      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (campaign_id, channel),
	FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE campaign_utm;
DROP TABLE campaigns;
