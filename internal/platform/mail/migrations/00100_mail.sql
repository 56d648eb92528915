-- +goose Up
-- Every email Warta sends, recorded before it is sent (status queued) and after (sent, outbox or
-- failed). message_id is the RFC 5322 Message-ID, fixed at enqueue so a resend carries the same id.
CREATE TABLE mail_messages (
    id {{id}},
    workspace_id BIGINT,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL DEFAULT '',
    html_body TEXT NOT NULL DEFAULT '',
    headers TEXT NOT NULL DEFAULT '{}',
    kind TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'outbox', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL UNIQUE,
    created_at {{timestamp}} NOT NULL,
    sent_at {{timestamp}}
);
CREATE INDEX mail_messages_workspace ON mail_messages (workspace_id, id);

-- +goose Down
DROP TABLE mail_messages;
