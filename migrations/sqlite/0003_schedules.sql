-- Plans that repeat: "back up /srv/photos to /mnt/nas every night at 2am".
-- Confirming such a plan makes a schedule; each run queues a task.

ALTER TABLE plans ADD COLUMN schedule TEXT;      -- five-field cron, NULL: runs once
ALTER TABLE plans ADD COLUMN schedule_id INTEGER; -- set when confirmed

CREATE TABLE schedules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id       TEXT NOT NULL REFERENCES plans (id),
    cron          TEXT NOT NULL,
    workflow      TEXT NOT NULL,
    summary       TEXT NOT NULL,
    params        TEXT NOT NULL,          -- JSON workflow parameters of every run
    active        INTEGER NOT NULL DEFAULT 1,
    -- Unix ms. Firing moves it forward in the same transaction that queues
    -- the task, guarded on its old value: one run per time, however many
    -- servers share the database, and none lost to a crash.
    next_run_at   INTEGER NOT NULL,
    last_run_at   INTEGER,
    last_task_id  INTEGER REFERENCES tasks (id),
    runs          INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX schedules_due ON schedules (active, next_run_at);
