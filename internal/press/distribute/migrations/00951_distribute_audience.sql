-- +goose Up
-- Who a distribution goes to: the contacts of its lists and segments, or the newsroom's
-- subscribers of its topics (every subscriber when it names none).
ALTER TABLE distributions ADD COLUMN audience TEXT NOT NULL DEFAULT 'contacts';
ALTER TABLE distributions ADD COLUMN topics TEXT NOT NULL DEFAULT '[]';
-- The greeting for a recipient without a name (a subscriber may give none), in this language;
-- empty: the greeting without a salutation, as before.
ALTER TABLE distribution_messages ADD COLUMN greet_nameless TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE distribution_messages DROP COLUMN greet_nameless;
ALTER TABLE distributions DROP COLUMN topics;
ALTER TABLE distributions DROP COLUMN audience;
