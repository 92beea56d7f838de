-- Foundation: users, sessions, API tokens, cameras, stored snapshots, audit log.
-- Timestamps are UTC RFC 3339 strings (sortable, unambiguous); secrets are sealed blobs.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,               -- argon2id PHC string
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

-- Login sessions: the cookie value is the bearer token; only its SHA-256 is stored.
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Scoped API tokens for automation and VistterStudio; only the SHA-256 is stored.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,                -- first characters, to recognise a token
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    created_at   TEXT    NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE cameras (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('fixed', 'ptz')),
    vendor        TEXT    NOT NULL,
    scheme        TEXT    NOT NULL CHECK (scheme IN ('rtsp', 'rtsps')),
    host          TEXT    NOT NULL,
    port          INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    path          TEXT    NOT NULL,               -- path and query, starts with '/'
    username      TEXT,
    password_enc  BLOB,                           -- sealed, never returned
    onvif_port    INTEGER CHECK (onvif_port BETWEEN 1 AND 65535),
    snapshot_url  TEXT,                           -- credentials stripped
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE TABLE snapshots (
    id         INTEGER PRIMARY KEY,
    camera_id  INTEGER NOT NULL REFERENCES cameras (id) ON DELETE CASCADE,
    file_name  TEXT    NOT NULL UNIQUE,           -- under <data-dir>/snapshots/
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    source     TEXT    NOT NULL,                  -- 'stream' | 'http'
    note       TEXT,
    created_at TEXT    NOT NULL
);
CREATE INDEX snapshots_camera_time ON snapshots (camera_id, created_at);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    user_id    INTEGER,
    username   TEXT,
    action     TEXT    NOT NULL,                  -- e.g. camera.create
    target     TEXT,                              -- e.g. camera:3
    detail     TEXT                               -- JSON, never secrets
);
CREATE INDEX audit_log_at ON audit_log (at);
