-- Timelines (TL-1). The tracks and the broadcast metadata are JSON documents the domain
-- validates as a whole (domain::timeline); the columns a list shows are their own. Which
-- timelines use a camera, preset or asset is read from the tracks with json_each.
CREATE TABLE timelines (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT,
    duration_s  REAL    NOT NULL CHECK (duration_s > 0),
    looping     INTEGER NOT NULL DEFAULT 0,
    tracks      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tracks)),
    broadcast   TEXT             CHECK (broadcast IS NULL OR json_valid(broadcast)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
