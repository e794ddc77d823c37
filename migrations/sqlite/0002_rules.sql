-- Admins' routing rules (server/src/rules). Names are stored normalized
-- (trimmed, lowercase, single spaces), so UNIQUE means "the same name".

-- "clean {dir} every {schedule}" → cleanup; wins over the model.
CREATE TABLE phrase_rules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    intent      TEXT NOT NULL,
    pattern     TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

-- Extra example phrases the model learns from.
CREATE TABLE intent_examples (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    intent      TEXT NOT NULL,
    text        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

-- "the nas" → /mnt/nas.
CREATE TABLE location_aliases (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    path        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- "temp files" → ["*.tmp", "*.temp", "~*"].
CREATE TABLE pattern_aliases (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    globs       TEXT NOT NULL,           -- JSON array of globs
    created_at  INTEGER NOT NULL
);
