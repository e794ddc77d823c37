-- Which node runs a task, and when that node last said it was alive: a
-- node that stops is found out by its silence, and only its tasks are
-- requeued (server/src/queue/worker.rs, `Store::recover_interrupted`).
ALTER TABLE tasks ADD COLUMN owner TEXT;
ALTER TABLE tasks ADD COLUMN heartbeat_at INTEGER;
