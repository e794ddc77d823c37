-- Who uses Tend and what they did (issue: users with roles, and an audit log).

-- Users are disabled, never deleted: the audit log names them.
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    -- As typed when the user was added.
    name                 TEXT NOT NULL,
    -- The name lowercased: names are unique in any case.
    name_key             TEXT NOT NULL UNIQUE,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    -- argon2id, as a PHC string (salt and parameters included).
    password_hash        TEXT NOT NULL,
    -- Set while the user is disabled.
    disabled_at          INTEGER,
    created_at           INTEGER NOT NULL,
    password_changed_at  INTEGER NOT NULL
);

-- Signed-in browsers. The token itself stays with the browser; a copy of
-- this table signs nobody in.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Who did what, when, from where. Names, not user ids: a failed sign-in
-- may name nobody who exists.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    user_name  TEXT,
    address    TEXT,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at);

-- An entry, once written, stays as written. Deleting is retention's
-- (entries past their age), so only changing is refused.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its entries cannot be changed');
END;

-- Who asked for each task: the name of the user (or "admin token",
-- "local") who confirmed its plan; NULL for a schedule's runs.
ALTER TABLE tasks ADD COLUMN asked_by TEXT;
