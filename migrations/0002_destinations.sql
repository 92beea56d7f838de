-- Destinations (OUT-1): where a program is published. The stream key is sealed like camera
-- passwords and never returned.

CREATE TABLE destinations (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    platform       TEXT    NOT NULL CHECK (platform IN ('youtube', 'facebook', 'twitch', 'custom')),
    server_url     TEXT    NOT NULL,              -- rtmp(s)://host[:port]/app, never the key
    stream_key_enc BLOB,                          -- sealed, never returned
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
