-- +goose Up
-- People who asked to receive a newsroom's releases by email. A row starts pending and becomes
-- confirmed only through the link mailed to the address (double opt-in); nothing is ever sent to
-- a pending address. The consent record is consent_text (the words the person agreed to, in lang,
-- the language they read them in) with requested_at, confirmed_at and unsubscribed_at. email is
-- lower case: one row per address and workspace.
CREATE TABLE newsroom_subscribers (
	id                 {{id}},
	workspace_id       BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	email              TEXT NOT NULL,
	name               TEXT NOT NULL DEFAULT '',
	lang               TEXT NOT NULL,
	-- pending, confirmed or unsubscribed
	state              TEXT NOT NULL DEFAULT 'pending',
	consent_text       TEXT NOT NULL DEFAULT '',
	requested_at       {{timestamp}} NOT NULL,
	confirmed_at       {{timestamp}},
	unsubscribed_at    {{timestamp}},
	-- how the subscription ended: what the distribution engine says (one-click header, link in the email, …)
	unsubscribe_source TEXT NOT NULL DEFAULT '',
	created_at         {{timestamp}} NOT NULL,
	updated_at         {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, email)
);
CREATE INDEX newsroom_subscribers_list ON newsroom_subscribers (workspace_id, state, id);
CREATE INDEX newsroom_subscribers_purge ON newsroom_subscribers (state, requested_at);

-- The topics a subscriber chose; none means every topic. topic_id is a plain number on purpose: a
-- topic the newsroom removes then matches nothing, instead of turning someone who chose that topic
-- alone into a subscriber of everything.
CREATE TABLE newsroom_subscriber_topics (
	subscriber_id BIGINT NOT NULL REFERENCES newsroom_subscribers (id) ON DELETE CASCADE,
	topic_id      BIGINT NOT NULL,
	PRIMARY KEY (subscriber_id, topic_id)
);

-- A confirmation link mailed to an address, valid until expires_at. Only the token's hash is kept,
-- so a copy of the database confirms nobody. The request carries what was asked (name, language,
-- topics, the consent words); confirming applies it to the subscriber, so a confirmed subscriber
-- who asks again keeps their subscription as it is until the new link is opened. mailed_at is when
-- its email went: a repeat soon after changes the request but sends no second email.
CREATE TABLE newsroom_subscribe_requests (
	id            {{id}},
	workspace_id  BIGINT NOT NULL,
	subscriber_id BIGINT NOT NULL REFERENCES newsroom_subscribers (id) ON DELETE CASCADE,
	token_hash    TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL DEFAULT '',
	lang          TEXT NOT NULL,
	topics        TEXT NOT NULL DEFAULT '[]',
	consent_text  TEXT NOT NULL,
	requested_at  {{timestamp}} NOT NULL,
	mailed_at     {{timestamp}} NOT NULL,
	expires_at    {{timestamp}} NOT NULL
);
CREATE INDEX newsroom_subscribe_requests_subscriber ON newsroom_subscribe_requests (subscriber_id, mailed_at);
CREATE INDEX newsroom_subscribe_requests_expiry ON newsroom_subscribe_requests (expires_at);

-- +goose Down
DROP TABLE newsroom_subscribe_requests;
DROP TABLE newsroom_subscriber_topics;
DROP TABLE newsroom_subscribers;
