-- Asset library (AS-1) and overlay layers on outputs (OUT-5).

CREATE TABLE assets (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('image', 'url_image', 'text', 'clock')),
    mime          TEXT,                 -- image: detected from the content, not the name
    width         INTEGER,
    height        INTEGER,
    size_bytes    INTEGER,
    url           TEXT,                 -- url_image
    refresh_secs  INTEGER,              -- url_image
    text          TEXT,                 -- text: the text; clock: a strftime pattern
    font_size     INTEGER NOT NULL DEFAULT 32,
    color         TEXT    NOT NULL DEFAULT '#ffffff',
    last_fetch_at TEXT,                 -- url_image: last successful fetch
    last_error    TEXT,                 -- url_image: last failed fetch (the last good image stays)
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE TABLE output_overlays (
    id        INTEGER PRIMARY KEY,
    output_id INTEGER NOT NULL REFERENCES outputs(id) ON DELETE CASCADE,
    asset_id  INTEGER NOT NULL REFERENCES assets(id) ON DELETE RESTRICT,
    x         REAL    NOT NULL,
    y         REAL    NOT NULL,
    width     REAL,
    height    REAL,
    opacity   REAL    NOT NULL DEFAULT 1,
    z         INTEGER NOT NULL DEFAULT 0,
    visible   INTEGER NOT NULL DEFAULT 1 CHECK (visible IN (0, 1))
);

CREATE INDEX output_overlays_by_output ON output_overlays(output_id);
CREATE INDEX output_overlays_by_asset ON output_overlays(asset_id);
