-- hartriage database schema (embedded in the binary at build time).
-- Plain SQLite: query it with sqlite3.  Times are ISO 8601 UTC text.
-- Schema version lives in meta('schema_version').

CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT
);

-- One row per attachment (file or archive member) that was looked at.
-- status: ok | partial (damaged, complete parts kept) | error (unreadable,
-- nothing kept) | not-capture (not an HTTP capture, not an error).
CREATE TABLE IF NOT EXISTS sources (
	id        INTEGER PRIMARY KEY,
	path      TEXT NOT NULL,      -- as given; archive members as "a.zip!dir/x.har"
	ticket    TEXT,               -- ticket name in batch runs
	sha256    TEXT,
	size      INTEGER,
	format    TEXT,               -- har, curl-i, curl-v, curl-trace, text, postman, ...
	status    TEXT NOT NULL DEFAULT 'ok',
	error     TEXT,               -- why it could not be (fully) read, with position
	exchanges INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sources_sha256 ON sources(sha256);
CREATE INDEX IF NOT EXISTS sources_ticket ON sources(ticket);

-- One request and what came back.  status: HTTP status, 0 = no response
-- arrived (see error), NULL = unknown (e.g. headers pasted without one).
-- The bodies come last (extra just before them): SQLite reads a row's
-- columns in order, and a column after a body that spills to overflow
-- pages would cost reading the whole body.
CREATE TABLE IF NOT EXISTS exchanges (
	id                  INTEGER PRIMARY KEY,
	source_id           INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	seq                 INTEGER NOT NULL, -- order within the source, from 0
	started_at          TEXT,
	name                TEXT,             -- Postman item path, HAR comment
	method              TEXT,
	url                 TEXT,
	scheme              TEXT,
	host                TEXT,             -- lowercased, no port
	port                INTEGER,
	path                TEXT,
	query               TEXT,
	http_version        TEXT,
	status              INTEGER,
	status_text         TEXT,
	status_source       TEXT,             -- how the status was learnt when not from a status line
	error               TEXT,             -- transport/browser error
	exit_code           INTEGER,          -- curl exit code
	redirect_of         INTEGER,          -- seq of the previous hop
	req_body_size       INTEGER,
	req_body_truncated  INTEGER NOT NULL DEFAULT 0,
	req_mime            TEXT,
	resp_body_size      INTEGER,
	resp_body_truncated INTEGER NOT NULL DEFAULT 0,
	resp_mime           TEXT,
	time_total          REAL,             -- ms
	time_blocked        REAL,
	time_dns            REAL,
	time_connect        REAL,
	time_ssl            REAL,
	time_send           REAL,
	time_wait           REAL,
	time_receive        REAL,
	kind                TEXT NOT NULL DEFAULT 'capture', -- capture | fragment | log
	url_source          TEXT,             -- how the URL was learnt when the source does not frame it
	host_source         TEXT,             -- how the host was learnt when the source does not frame it
	extra               TEXT,             -- JSON: producer-specific fields
	req_body            BLOB,
	resp_body           BLOB,
	UNIQUE (source_id, seq)
);
CREATE INDEX IF NOT EXISTS exchanges_host ON exchanges(host);
CREATE INDEX IF NOT EXISTS exchanges_status ON exchanges(status);

-- Ordered header lists; duplicates kept.
CREATE TABLE IF NOT EXISTS headers (
	exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
	side        TEXT NOT NULL CHECK (side IN ('request', 'response')),
	idx         INTEGER NOT NULL,
	name        TEXT NOT NULL,
	value       TEXT NOT NULL,
	PRIMARY KEY (exchange_id, side, idx)
) WITHOUT ROWID;
-- (No index by name: every query by name also gives the exchange, and the
-- primary key serves it.)

-- Free-text lines tied to an exchange: curl '*' lines, HAR _error, assertions.
CREATE TABLE IF NOT EXISTS transcript (
	exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
	idx         INTEGER NOT NULL,
	line        TEXT NOT NULL,
	PRIMARY KEY (exchange_id, idx)
) WITHOUT ROWID;

-- Coverage notes: truncation, sanitized exports, unresolved variables.
CREATE TABLE IF NOT EXISTS notes (
	id        INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	seq       INTEGER,                    -- exchange seq, NULL = whole source
	kind      TEXT NOT NULL,
	message   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_source ON notes(source_id);

-- Redaction receipt: how many secrets of each kind were replaced.
CREATE TABLE IF NOT EXISTS redactions (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	kind      TEXT NOT NULL,
	count     INTEGER NOT NULL,
	PRIMARY KEY (source_id, kind)
);

-- Rules used by the last match run.
CREATE TABLE IF NOT EXISTS rules (
	id       TEXT PRIMARY KEY,
	title    TEXT NOT NULL,
	severity TEXT NOT NULL,
	priority INTEGER NOT NULL,
	vendor   TEXT,
	path     TEXT
);

-- One row per rule that fired (or was inconclusive) on an exchange.
CREATE TABLE IF NOT EXISTS findings (
	id           INTEGER PRIMARY KEY,
	exchange_id  INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
	rule_id      TEXT NOT NULL,
	severity     TEXT NOT NULL,
	title        TEXT NOT NULL,
	evidence     TEXT,                    -- JSON object {name: value}
	advice       TEXT,                    -- advice with evidence filled in
	inconclusive INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS findings_exchange ON findings(exchange_id);

-- The capture read as a sequence (sequence.c, written by match after the
-- rules): one row per exchange that is one copy of an event seen in
-- several attachments, or a failure that recovered, or whose findings the
-- sequence capped.  Exchanges with nothing to say have no row.
CREATE TABLE IF NOT EXISTS sequence (
	exchange_id  INTEGER PRIMARY KEY REFERENCES exchanges(id) ON DELETE CASCADE,
	request_key  TEXT,                    -- METHOD + URL without volatile query parameters
	event_id     INTEGER NOT NULL,        -- exchange the report shows for this event (itself when alone)
	recovered_by INTEGER,                 -- later success of the same request
	recovery     TEXT,                    -- what changed before it succeeded
	demoted      TEXT                     -- recovered | example | client-block | tunnel
);
CREATE INDEX IF NOT EXISTS sequence_event ON sequence(event_id);
