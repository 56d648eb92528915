-- +goose Up
-- How a workspace sends email to journalists: its own sender and server (or the installation's),
-- the pace that server allows, tracking choices, and the mailbox replies and bounces arrive in.
CREATE TABLE press_sending (
	workspace_id   BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
	from_name      TEXT NOT NULL DEFAULT '',
	from_email     TEXT NOT NULL DEFAULT '',
	reply_to       TEXT NOT NULL DEFAULT '',
	-- empty host: the installation's SMTP server
	smtp_host      TEXT NOT NULL DEFAULT '',
	smtp_port      INTEGER NOT NULL DEFAULT 0,
	smtp_tls       TEXT NOT NULL DEFAULT 'starttls',
	smtp_user      TEXT NOT NULL DEFAULT '',
	smtp_secret    TEXT NOT NULL DEFAULT '',
	rate_per_second INTEGER NOT NULL DEFAULT 0,
	connections    INTEGER NOT NULL DEFAULT 0,
	track_opens    BOOLEAN NOT NULL DEFAULT FALSE,
	track_clicks   BOOLEAN NOT NULL DEFAULT TRUE,
	imap_host      TEXT NOT NULL DEFAULT '',
	imap_port      INTEGER NOT NULL DEFAULT 0,
	imap_tls       TEXT NOT NULL DEFAULT 'tls',
	imap_user      TEXT NOT NULL DEFAULT '',
	imap_secret    TEXT NOT NULL DEFAULT '',
	imap_mailbox   TEXT NOT NULL DEFAULT 'INBOX',
	imap_validity  BIGINT NOT NULL DEFAULT 0,
	imap_last_uid  BIGINT NOT NULL DEFAULT 0,
	imap_checked_at {{timestamp}},
	imap_error     TEXT NOT NULL DEFAULT '',
	updated_at     {{timestamp}} NOT NULL
);

-- One sending of a release or a pitch to lists and segments.
CREATE TABLE distributions (
	id            {{id}},
	workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	-- release or pitch
	kind          TEXT NOT NULL,
	release_id    BIGINT,
	pitch_id      BIGINT,
	title         TEXT NOT NULL,
	lists         TEXT NOT NULL DEFAULT '[]',
	segments      TEXT NOT NULL DEFAULT '[]',
	-- draft, scheduled, preparing, sending, paused, cancelled, done
	state         TEXT NOT NULL,
	scheduled_at  {{timestamp}},
	zone          TEXT NOT NULL DEFAULT '',
	started_at    {{timestamp}},
	finished_at   {{timestamp}},
	-- the server's pace and connections when sending started, shown in the report
	from_address  TEXT NOT NULL DEFAULT '',
	track_opens   BOOLEAN NOT NULL DEFAULT FALSE,
	track_clicks  BOOLEAN NOT NULL DEFAULT TRUE,
	-- what keeps it from sending (the server cannot be reached, refuses the sign-in), in a word
	problem       TEXT NOT NULL DEFAULT '',
	-- who takes the snapshot of recipients, and until when: a process killed while taking it
	-- leaves it to another once this time has passed
	prepare_token TEXT NOT NULL DEFAULT '',
	prepare_until {{timestamp}},
	created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at    {{timestamp}} NOT NULL,
	updated_at    {{timestamp}} NOT NULL
);
CREATE INDEX distributions_ws ON distributions (workspace_id, id);
CREATE INDEX distributions_due ON distributions (state, scheduled_at);

-- The message as it was when sending began, per language: what recipients got, kept as sent.
CREATE TABLE distribution_messages (
	distribution_id BIGINT NOT NULL REFERENCES distributions (id) ON DELETE CASCADE,
	lang          TEXT NOT NULL,
	subject       TEXT NOT NULL,
	html          TEXT NOT NULL,
	text          TEXT NOT NULL,
	-- the greeting with and without a salutation, in this language
	greet_with    TEXT NOT NULL,
	greet_without TEXT NOT NULL,
	PRIMARY KEY (distribution_id, lang)
);

-- Links in a distribution's messages, numbered for click tracking: a click redirects only to a
-- link that was in the message.
CREATE TABLE distribution_links (
	distribution_id BIGINT NOT NULL REFERENCES distributions (id) ON DELETE CASCADE,
	n             INTEGER NOT NULL,
	url           TEXT NOT NULL,
	PRIMARY KEY (distribution_id, n)
);

-- A group of recipients sent by one job at a time: a lease says who works it and until when.
CREATE TABLE distribution_batches (
	distribution_id BIGINT NOT NULL REFERENCES distributions (id) ON DELETE CASCADE,
	n             INTEGER NOT NULL,
	-- pending or done
	state         TEXT NOT NULL DEFAULT 'pending',
	lease_until   {{timestamp}},
	-- the holder of the lease: only it renews, gives back or closes the batch
	owner         TEXT NOT NULL DEFAULT '',
	enqueued_at   {{timestamp}},
	retry_at      {{timestamp}},
	-- when the batch last closed: sending again to its uncertain recipients reopens it
	closed_at     {{timestamp}},
	PRIMARY KEY (distribution_id, n)
);
CREATE INDEX distribution_batches_pending ON distribution_batches (state, lease_until);

-- Each recipient of a distribution, recorded before and after their SMTP transaction:
-- queued → sending (committed before the transaction starts) → sent, bounced or failed; a
-- recipient found in sending after a crash is uncertain, for a person to decide.
CREATE TABLE distribution_recipients (
	id            {{id}},
	distribution_id BIGINT NOT NULL REFERENCES distributions (id) ON DELETE CASCADE,
	workspace_id  BIGINT NOT NULL,
	batch         INTEGER NOT NULL,
	contact_id    BIGINT,
	email         TEXT NOT NULL,
	name          TEXT NOT NULL DEFAULT '',
	salutation    TEXT NOT NULL DEFAULT '',
	outlet        TEXT NOT NULL DEFAULT '',
	lang          TEXT NOT NULL,
	-- queued, skipped, sending, sent, bounced, failed, uncertain, cancelled
	state         TEXT NOT NULL,
	reason        TEXT NOT NULL DEFAULT '',
	attempts      INTEGER NOT NULL DEFAULT 0,
	sent_at       {{timestamp}},
	opened_at     {{timestamp}},
	clicked_at    {{timestamp}},
	replied_at    {{timestamp}},
	unsubscribed_at {{timestamp}},
	decided_by    BIGINT REFERENCES users (id) ON DELETE SET NULL
);
-- No index holds the state: a recipient's two state changes then write only its row, and a batch
-- (500 rows) is read whole where its states are counted.
CREATE INDEX distribution_recipients_batch ON distribution_recipients (distribution_id, batch);
CREATE INDEX distribution_recipients_email ON distribution_recipients (workspace_id, email);
CREATE INDEX distribution_recipients_contact ON distribution_recipients (contact_id);

-- Replies that arrived in the reply mailbox, matched to a distribution and its recipient.
CREATE TABLE distribution_replies (
	id            {{id}},
	workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	distribution_id BIGINT NOT NULL REFERENCES distributions (id) ON DELETE CASCADE,
	recipient_id  BIGINT REFERENCES distribution_recipients (id) ON DELETE SET NULL,
	message_id    TEXT NOT NULL,
	from_address  TEXT NOT NULL,
	subject       TEXT NOT NULL,
	text          TEXT NOT NULL,
	received_at   {{timestamp}} NOT NULL,
	UNIQUE (workspace_id, message_id)
);

-- +goose Down
DROP TABLE distribution_replies;
DROP TABLE distribution_recipients;
DROP TABLE distribution_batches;
DROP TABLE distribution_links;
DROP TABLE distribution_messages;
DROP TABLE distributions;
DROP TABLE press_sending;
