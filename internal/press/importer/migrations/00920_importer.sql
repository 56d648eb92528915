-- +goose Up
-- An import of contacts from a CSV or XLSX file. The file's bytes stay here while the import is
-- being prepared (so a person can re-read it with another encoding or delimiter) and are dropped
-- once it is applied or deleted. delimiter, encoding, has_header and sheet are how the file is read;
-- mapping is a JSON array giving each column's contact field ("" ignores the column).
-- state: mapping → checking → checked → applied (or back to mapping). check_run counts checks, so a
-- check job that outlived a newer one stops instead of writing over it.
CREATE TABLE press_imports (
	id           {{id}},
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	filename     TEXT NOT NULL,
	size         BIGINT NOT NULL,
	data         {{blob}},
	format       TEXT NOT NULL,
	delimiter    TEXT NOT NULL DEFAULT '',
	encoding     TEXT NOT NULL DEFAULT '',
	has_header   BOOLEAN NOT NULL DEFAULT TRUE,
	sheet        TEXT NOT NULL DEFAULT '',
	mapping      TEXT NOT NULL DEFAULT '[]',
	state        TEXT NOT NULL DEFAULT 'mapping',
	check_run    INTEGER NOT NULL DEFAULT 0,
	total_rows   INTEGER NOT NULL DEFAULT 0,
	checked_rows INTEGER NOT NULL DEFAULT 0,
	problem      TEXT NOT NULL DEFAULT '',
	problem_line INTEGER NOT NULL DEFAULT 0,
	created      INTEGER NOT NULL DEFAULT 0,
	merged       INTEGER NOT NULL DEFAULT 0,
	skipped      INTEGER NOT NULL DEFAULT 0,
	error_rows   INTEGER NOT NULL DEFAULT 0,
	list_id      BIGINT NOT NULL DEFAULT 0,
	list_name    TEXT NOT NULL DEFAULT '',
	created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	applied_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	applied_at   {{timestamp}},
	UNIQUE (workspace_id, id)
);
CREATE INDEX press_imports_list ON press_imports (workspace_id, created_at);

-- One checked row of an import. idx is the row's place among the file's data rows, line where it
-- starts in the file. status: ok, error (not imported) or duplicate (of an earlier row of the file,
-- dup_of, or of existing contacts, matches). problems is a JSON array of {field, key, value, warn};
-- input the contact as it will be imported (JSON); decision for a duplicate: merge, create or skip.
CREATE TABLE press_import_rows (
	import_id    BIGINT NOT NULL,
	workspace_id BIGINT NOT NULL,
	idx          INTEGER NOT NULL,
	line         INTEGER NOT NULL,
	status       TEXT NOT NULL,
	problems     TEXT NOT NULL DEFAULT '[]',
	input        TEXT NOT NULL DEFAULT '{}',
	dup_of       INTEGER NOT NULL DEFAULT -1,
	matches      TEXT NOT NULL DEFAULT '[]',
	decision     TEXT NOT NULL DEFAULT '',
	merge_into   BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (import_id, idx),
	FOREIGN KEY (workspace_id, import_id) REFERENCES press_imports (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX press_import_rows_status ON press_import_rows (import_id, status);

-- +goose Down
DROP TABLE press_import_rows;
DROP TABLE press_imports;
