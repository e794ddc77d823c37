-- Runs that survive (server/src/store/state.rs has the state machine):
-- a `retrying` state (and `waiting`, for dependencies and locks), when a
-- task may next be claimed, its own time limit, every attempt's outcome,
-- and idempotency keys.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
-- Dropping it orphans the rows that point at it (events, plans,
-- schedules) until the copy is back; deferred foreign keys let that pass
-- inside this one transaction and are checked whole at its commit.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE tasks_before_0005 AS SELECT * FROM tasks;
CREATE TABLE tasks_sequence_before_0005 AS SELECT seq FROM sqlite_sequence WHERE name = 'tasks';
DROP TABLE tasks;

CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow          TEXT NOT NULL,
    summary           TEXT NOT NULL,
    params            TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('queued', 'waiting', 'running', 'retrying', 'succeeded', 'failed', 'cancelled')),
    attempt           INTEGER NOT NULL DEFAULT 0,
    cancel_requested  INTEGER NOT NULL DEFAULT 0,
    files_done        INTEGER NOT NULL DEFAULT 0,
    files_total       INTEGER NOT NULL DEFAULT 0,
    bytes_done        INTEGER NOT NULL DEFAULT 0,
    bytes_total       INTEGER NOT NULL DEFAULT 0,
    current_item      TEXT,
    error             TEXT,
    result            TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    started_at        INTEGER,
    finished_at       INTEGER,
    revision          INTEGER NOT NULL DEFAULT 0,
    owner             TEXT,
    heartbeat_at      INTEGER,
    -- Unix ms: not claimed before (a retry's backoff).
    run_at            INTEGER NOT NULL DEFAULT 0,
    -- This task's own time limit in seconds ("give up after 2 hours");
    -- NULL: its workflow's default.
    timeout_secs      INTEGER,
    -- The task this one runs again ("retry task 12").
    retry_of          INTEGER REFERENCES tasks (id)
);
INSERT INTO tasks (id, workflow, summary, params, state, attempt, cancel_requested, files_done,
                   files_total, bytes_done, bytes_total, current_item, error, result, created_at,
                   updated_at, started_at, finished_at, revision, owner, heartbeat_at)
    SELECT id, workflow, summary, params, state, attempt, cancel_requested, files_done,
           files_total, bytes_done, bytes_total, current_item, error, result, created_at,
           updated_at, started_at, finished_at, revision, owner, heartbeat_at
    FROM tasks_before_0005;
-- AUTOINCREMENT never reuses an id, even of a task deleted before this.
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM tasks_sequence_before_0005), 0))
    WHERE name = 'tasks';
DROP TABLE tasks_before_0005;
DROP TABLE tasks_sequence_before_0005;
CREATE INDEX tasks_by_state ON tasks (state, id);
CREATE INDEX tasks_claimable ON tasks (state, run_at, id);

-- One row per attempt: who ran it, when, and how it ended.
CREATE TABLE task_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id      INTEGER NOT NULL REFERENCES tasks (id),
    attempt      INTEGER NOT NULL,
    node         TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    -- succeeded, failed, retrying, cancelled, released (the server stopped
    -- it to restart; not counted), interrupted (its node died)
    outcome      TEXT,
    error        TEXT
);
CREATE INDEX task_attempts_by_task ON task_attempts (task_id, id);

-- A plan's own time limit, for the task it makes.
ALTER TABLE plans ADD COLUMN timeout_secs INTEGER;

-- Idempotency-Key: the first answer to a request, returned to repeats.
CREATE TABLE idempotency_keys (
    key          TEXT NOT NULL,
    scope        TEXT NOT NULL,   -- the route, e.g. "POST /api/commands"
    status       INTEGER,         -- NULL while the first request is running
    body         TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (key, scope)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
