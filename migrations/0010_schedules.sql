-- Schedules (TL-5): weekly windows in an IANA time zone that play timelines on an output.
-- Days and timelines are JSON lists the domain validates (domain::schedule). A run started
-- by hand ("run now") outside its window remembers when, so its timelines play in order from
-- there until stopped or the next window takes over; one stopped while its window is open
-- stays quiet until that window closes.
CREATE TABLE schedules (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE,
    output_id         INTEGER NOT NULL REFERENCES outputs(id),
    time_zone         TEXT    NOT NULL,
    days              TEXT    NOT NULL CHECK (json_valid(days)),
    start             TEXT    NOT NULL,
    end               TEXT    NOT NULL,
    timeline_ids      TEXT    NOT NULL CHECK (json_valid(timeline_ids)),
    enabled           INTEGER NOT NULL DEFAULT 1,
    manual_started_at TEXT,
    -- Stopped by an operator (or the emergency stop) while open: nothing starts before this.
    held_until        TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
