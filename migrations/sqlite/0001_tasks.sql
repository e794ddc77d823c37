-- Plans: what a command was understood as, shown to the user before anything runs.
CREATE TABLE plans (
    id          TEXT PRIMARY KEY,
    session     TEXT,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'cancelled')),
    view        TEXT NOT NULL,           -- JSON PlanView shown on the plan card
    workflow    TEXT NOT NULL,
    summary     TEXT NOT NULL,
    params      TEXT NOT NULL,           -- JSON workflow parameters
    task_id     INTEGER REFERENCES tasks (id),
    created_at  INTEGER NOT NULL,        -- unix ms
    expires_at  INTEGER NOT NULL
);

-- Tasks: the durable queue. States and transitions: server/src/queue/state.rs.
CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow          TEXT NOT NULL,
    summary           TEXT NOT NULL,
    params            TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
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
    revision          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_by_state ON tasks (state, id);

-- The task log: state changes, per-file problems, notes.
CREATE TABLE task_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id  INTEGER NOT NULL REFERENCES tasks (id),
    at       INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    message  TEXT NOT NULL
);
CREATE INDEX task_events_by_task ON task_events (task_id, id);
