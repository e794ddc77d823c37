-- Who added each rule (absent for rules older than this), and the readings
-- operators asked Tend to remember, waiting for an admin (server/src/rules).
ALTER TABLE phrase_rules ADD COLUMN added_by TEXT;
ALTER TABLE intent_examples ADD COLUMN added_by TEXT;
ALTER TABLE location_aliases ADD COLUMN added_by TEXT;
ALTER TABLE pattern_aliases ADD COLUMN added_by TEXT;

CREATE TABLE rule_proposals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    intent       TEXT NOT NULL,
    text         TEXT NOT NULL UNIQUE,
    proposed_by  TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
