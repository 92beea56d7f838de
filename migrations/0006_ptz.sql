-- PTZ (PTZ-1..3): per-camera ONVIF profile and quirks, and presets.

ALTER TABLE cameras ADD COLUMN onvif_profile TEXT;
-- Comma-separated PTZ workaround names (see domain::camera::PtzQuirk).
ALTER TABLE cameras ADD COLUMN ptz_quirks TEXT NOT NULL DEFAULT '';

-- A named position of a PTZ camera. Coordinates are ONVIF generic normalized spaces
-- (pan, tilt in -1..1; zoom in 0..1), NULL when the camera does not report positions;
-- camera_token is the camera's own preset token (recall when coordinates are unusable).
CREATE TABLE presets (
    id           INTEGER PRIMARY KEY,
    camera_id    INTEGER NOT NULL REFERENCES cameras (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    pan          REAL CHECK (pan IS NULL OR pan BETWEEN -1 AND 1),
    tilt         REAL CHECK (tilt IS NULL OR tilt BETWEEN -1 AND 1),
    zoom         REAL CHECK (zoom IS NULL OR zoom BETWEEN 0 AND 1),
    camera_token TEXT,
    thumbnail    TEXT,                            -- file under <data-dir>/presets/
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    CHECK ((pan IS NULL) = (tilt IS NULL) AND (pan IS NULL) = (zoom IS NULL)),
    UNIQUE (camera_id, name)
);
