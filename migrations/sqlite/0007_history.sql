-- What ran and who hears of it (issue: task history, metrics, alerts).

-- The schedule whose run a task is; NULL for a task confirmed by hand.
ALTER TABLE tasks ADD COLUMN schedule_id INTEGER REFERENCES schedules (id);
-- When a run of the schedule last succeeded (Unix ms).
ALTER TABLE schedules ADD COLUMN last_success_at INTEGER;
CREATE INDEX tasks_by_finish ON tasks (finished_at);

-- Where alerts go: a generic JSON webhook, ntfy, Gotify or a
-- Slack-compatible webhook.
CREATE TABLE notify_targets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('webhook', 'ntfy', 'gotify', 'slack')),
    url         TEXT NOT NULL,
    -- Gotify's application token; NULL for the others.
    token       TEXT,
    created_at  INTEGER NOT NULL
);

-- Every alert raised, once: `key` makes raising it again (by another
-- node, or the next look) a no-op. Dismissed alerts stay, with when.
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    key           TEXT NOT NULL UNIQUE,
    event         TEXT NOT NULL,
    task_id       INTEGER,
    schedule_id   INTEGER,
    message       TEXT NOT NULL,
    at            INTEGER NOT NULL,
    dismissed_at  INTEGER
);
