-- Order and dependencies (server/src/store/order.rs, locks.rs, state.rs):
-- priorities with aging, the paths each task locks, what a waiting task
-- waits for, "A, then B", and plans with several steps.

-- urgent, normal or low.
ALTER TABLE tasks ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
-- Unix ms: tasks are claimed smallest first (when it became ready, plus
-- one aging step per rank behind urgent).
ALTER TABLE tasks ADD COLUMN claim_key BIGINT NOT NULL DEFAULT 0;
-- JSON list of {path, access}: what it reads and writes.
ALTER TABLE tasks ADD COLUMN locks TEXT NOT NULL DEFAULT '[]';
-- A waiting task: the task it waits for, and the path that task holds
-- (NULL when it waits for a dependency to succeed).
ALTER TABLE tasks ADD COLUMN waiting_on BIGINT REFERENCES tasks (id);
ALTER TABLE tasks ADD COLUMN waiting_path TEXT;
-- JSON list of the task ids it waits for (as made; task_dependencies
-- holds the same, for the way back).
ALTER TABLE tasks ADD COLUMN depends_on TEXT NOT NULL DEFAULT '[]';
UPDATE tasks SET claim_key = created_at;
CREATE INDEX tasks_by_claim_key ON tasks (state, claim_key, id);
CREATE INDEX tasks_by_waiting_on ON tasks (waiting_on);

-- Task `task_id` starts only once `depends_on` has succeeded.
CREATE TABLE task_dependencies (
    task_id     BIGINT NOT NULL REFERENCES tasks (id),
    depends_on  BIGINT NOT NULL REFERENCES tasks (id),
    PRIMARY KEY (task_id, depends_on)
);
CREATE INDEX task_dependencies_by_prerequisite ON task_dependencies (depends_on);

ALTER TABLE plans ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE plans ADD COLUMN locks TEXT NOT NULL DEFAULT '[]';
-- A plan with several steps is one row for the card (its view lists the
-- steps) and one row per step, each with the card's id and its number.
ALTER TABLE plans ADD COLUMN group_id TEXT;
ALTER TABLE plans ADD COLUMN step BIGINT;
CREATE INDEX plans_by_group ON plans (group_id, step);

ALTER TABLE schedules ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE schedules ADD COLUMN locks TEXT NOT NULL DEFAULT '[]';
