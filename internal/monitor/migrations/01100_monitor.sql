-- +goose Up
-- Monitoring: the sources a workspace follows, the items read from them, the topics (boolean
-- queries) that pick mentions out of the items, their triage, coverage of releases and alerts.

-- A source is polled when next_poll_at has passed. lease_until marks a poll in progress, so two
-- processes never poll one source at once; a process that dies leaves a lease that simply runs out.
-- After a failure next_poll_at backs off (failures counts them in a row); last_error_key is the
-- catalog key of the last failure in plain words, last_error_args its values as JSON.
CREATE TABLE monitor_sources (
	id               {{id}},
	workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	-- feed, sitemap, page, search, mastodon, bluesky
	kind             TEXT NOT NULL,
	name             TEXT NOT NULL,
	url              TEXT NOT NULL DEFAULT '',
	query            TEXT NOT NULL DEFAULT '',
	aggregator       TEXT NOT NULL DEFAULT '',
	language         TEXT NOT NULL DEFAULT '',
	-- the connected account a Mastodon or Bluesky search runs as
	account_id       BIGINT,
	-- the outlet in media relations whose stories these are, and the starter catalogue entry
	outlet_id        BIGINT,
	catalog_key      TEXT NOT NULL DEFAULT '',
	interval_s       INTEGER NOT NULL,
	enabled          BOOLEAN NOT NULL DEFAULT TRUE,
	etag             TEXT NOT NULL DEFAULT '',
	last_modified    TEXT NOT NULL DEFAULT '',
	next_poll_at     {{timestamp}} NOT NULL,
	lease_until      {{timestamp}},
	last_polled_at   {{timestamp}},
	last_success_at  {{timestamp}},
	last_error_at    {{timestamp}},
	last_error_key   TEXT NOT NULL DEFAULT '',
	last_error_args  TEXT NOT NULL DEFAULT '{}',
	failures         INTEGER NOT NULL DEFAULT 0,
	items_total      BIGINT NOT NULL DEFAULT 0,
	created_at       {{timestamp}} NOT NULL,
	updated_at       {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, kind, url, query),
	UNIQUE (workspace_id, id)
);
CREATE INDEX monitor_sources_due ON monitor_sources (enabled, next_poll_at);

-- An item is one story or post, kept once per workspace by its canonical address. duplicate_of
-- points at the first item of the same story under another address (syndication), found by the
-- text's fingerprint; duplicates are listed with it and counted once. A clipping (print, TV,
-- radio, closed portals) is an item a person entered: source_id is NULL and medium says which.
-- outlet_* are copied from media relations when the item is read, so analysis needs no join
-- across domains. sentiment is what shows: sentiment_auto as computed, unless a person set it
-- (sentiment_by, sentiment_at), which a later computation never overwrites.
CREATE TABLE monitor_items (
	id               {{id}},
	workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	source_id        BIGINT REFERENCES monitor_sources (id) ON DELETE SET NULL,
	url              TEXT NOT NULL,
	canonical        TEXT NOT NULL,
	title            TEXT NOT NULL DEFAULT '',
	author           TEXT NOT NULL DEFAULT '',
	summary          TEXT NOT NULL DEFAULT '',
	body             TEXT NOT NULL DEFAULT '',
	lang             TEXT NOT NULL DEFAULT '',
	outlet_id        BIGINT,
	outlet_name      TEXT NOT NULL DEFAULT '',
	outlet_type      TEXT NOT NULL DEFAULT '',
	region           TEXT NOT NULL DEFAULT '',
	reach            BIGINT NOT NULL DEFAULT 0,
	-- clippings: print, tv, radio, portal; '' for items read from a source
	medium           TEXT NOT NULL DEFAULT '',
	placement        TEXT NOT NULL DEFAULT '',
	asset_id         BIGINT,
	published_at     {{timestamp}} NOT NULL,
	fetched_at       {{timestamp}} NOT NULL,
	fingerprint      BIGINT NOT NULL DEFAULT 0,
	duplicate_of     BIGINT REFERENCES monitor_items (id) ON DELETE SET NULL,
	sentiment        TEXT NOT NULL DEFAULT 'neutral',
	sentiment_auto   TEXT NOT NULL DEFAULT 'neutral',
	sentiment_score  DOUBLE PRECISION NOT NULL DEFAULT 0,
	sentiment_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
	sentiment_at     {{timestamp}},
	created_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
	UNIQUE (workspace_id, canonical),
	UNIQUE (workspace_id, id)
);
CREATE INDEX monitor_items_recent ON monitor_items (workspace_id, fetched_at);
CREATE INDEX monitor_items_published ON monitor_items (workspace_id, published_at);
CREATE INDEX monitor_items_duplicates ON monitor_items (duplicate_of);

-- A topic is a boolean query (see internal/monitor/query). kind: brand, person, issue, campaign,
-- competitor. Key messages (one per line) are what the topic's coverage should carry.
CREATE TABLE monitor_topics (
	id               {{id}},
	workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	name             TEXT NOT NULL,
	kind             TEXT NOT NULL,
	query            TEXT NOT NULL,
	key_messages     TEXT NOT NULL DEFAULT '',
	created_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at       {{timestamp}} NOT NULL,
	updated_at       {{timestamp}} NOT NULL,
	archived_at      {{timestamp}},
	UNIQUE (workspace_id, id)
);

-- Counts every change to a workspace's topics, so each process knows when to compile its matcher
-- again.
CREATE TABLE monitor_topic_versions (
	workspace_id     BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	version          BIGINT NOT NULL
);

-- A mention is an item a topic's query matched. state: new, relevant, irrelevant, flagged.
-- backfilled: found when a new or changed query was run over the stories already collected; such
-- mentions count everywhere but are never alerted as new.
CREATE TABLE monitor_mentions (
	id               {{id}},
	workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	topic_id         BIGINT NOT NULL REFERENCES monitor_topics (id) ON DELETE CASCADE,
	item_id          BIGINT NOT NULL REFERENCES monitor_items (id) ON DELETE CASCADE,
	state            TEXT NOT NULL DEFAULT 'new',
	assignee_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
	note             TEXT NOT NULL DEFAULT '',
	backfilled       BOOLEAN NOT NULL DEFAULT FALSE,
	created_at       {{timestamp}} NOT NULL,
	triaged_at       {{timestamp}},
	triaged_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
	UNIQUE (topic_id, item_id)
);
CREATE INDEX monitor_mentions_inbox ON monitor_mentions (workspace_id, topic_id, state, id);
CREATE INDEX monitor_mentions_item ON monitor_mentions (item_id);
CREATE INDEX monitor_mentions_recent ON monitor_mentions (workspace_id, created_at);

CREATE TABLE monitor_mention_labels (
	mention_id       BIGINT NOT NULL REFERENCES monitor_mentions (id) ON DELETE CASCADE,
	workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	label            TEXT NOT NULL,
	PRIMARY KEY (mention_id, label)
);
CREATE INDEX monitor_mention_labels_ws ON monitor_mention_labels (workspace_id, label);

-- Coverage of a release: an item suggested because it carries the release's words (score is the
-- share of them it has), then confirmed or dismissed by a person. contact_id is the journalist
-- whose timeline the confirmed coverage went on.
CREATE TABLE monitor_coverage (
	id               {{id}},
	workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	release_id       BIGINT NOT NULL,
	item_id          BIGINT NOT NULL REFERENCES monitor_items (id) ON DELETE CASCADE,
	-- suggested, confirmed, dismissed
	state            TEXT NOT NULL DEFAULT 'suggested',
	score            DOUBLE PRECISION NOT NULL DEFAULT 0,
	contact_id       BIGINT,
	decided_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
	decided_at       {{timestamp}},
	created_at       {{timestamp}} NOT NULL,
	UNIQUE (release_id, item_id)
);
CREATE INDEX monitor_coverage_ws ON monitor_coverage (workspace_id, state, release_id);

-- How far coverage suggestion has looked through the items (per workspace).
CREATE TABLE monitor_coverage_cursor (
	workspace_id     BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	item_id          BIGINT NOT NULL
);

-- An alert rule: kind mention (any new mention of the topic), negative (a negative mention from an
-- outlet reaching at least min_reach) or spike (at least min_count mentions in window_minutes and
-- factor times the topic's average for such a window over the baseline_days before). An alert
-- fires at most once per rule and quiet period (quiet_minutes). It goes by email to the members in
-- emails (JSON user ids) and to the connected chat accounts in accounts (JSON ids).
CREATE TABLE monitor_alert_rules (
	id               {{id}},
	workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	topic_id         BIGINT NOT NULL REFERENCES monitor_topics (id) ON DELETE CASCADE,
	kind             TEXT NOT NULL,
	min_reach        BIGINT NOT NULL DEFAULT 0,
	min_count        INTEGER NOT NULL DEFAULT 0,
	factor           DOUBLE PRECISION NOT NULL DEFAULT 0,
	window_minutes   INTEGER NOT NULL DEFAULT 60,
	baseline_days    INTEGER NOT NULL DEFAULT 7,
	quiet_minutes    INTEGER NOT NULL DEFAULT 60,
	emails           TEXT NOT NULL DEFAULT '[]',
	accounts         TEXT NOT NULL DEFAULT '[]',
	enabled          BOOLEAN NOT NULL DEFAULT TRUE,
	-- the last mention id the rule has looked at
	seen_mention_id  BIGINT NOT NULL DEFAULT 0,
	created_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at       {{timestamp}} NOT NULL,
	updated_at       {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, id)
);

-- A fired alert. period makes "once per rule and quiet period" hold even with two processes.
CREATE TABLE monitor_alerts (
	id               {{id}},
	workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	rule_id          BIGINT NOT NULL REFERENCES monitor_alert_rules (id) ON DELETE CASCADE,
	topic_id         BIGINT NOT NULL,
	kind             TEXT NOT NULL,
	period           TEXT NOT NULL,
	item_id          BIGINT REFERENCES monitor_items (id) ON DELETE SET NULL,
	count            INTEGER NOT NULL DEFAULT 0,
	baseline         DOUBLE PRECISION NOT NULL DEFAULT 0,
	fired_at         {{timestamp}} NOT NULL,
	UNIQUE (rule_id, period)
);
CREATE INDEX monitor_alerts_ws ON monitor_alerts (workspace_id, fired_at);

-- Each alert's message to a chat account, recorded before it is sent: pending, sending, sent,
-- failed, or uncertain (the process stopped while sending; never sent again, so never twice).
CREATE TABLE monitor_alert_sends (
	id               {{id}},
	alert_id         BIGINT NOT NULL REFERENCES monitor_alerts (id) ON DELETE CASCADE,
	account_id       BIGINT NOT NULL,
	state            TEXT NOT NULL DEFAULT 'pending',
	error            TEXT NOT NULL DEFAULT '',
	sent_at          {{timestamp}},
	UNIQUE (alert_id, account_id)
);
