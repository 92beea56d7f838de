-- Outputs (OUT-2..OUT-9): an always-on program or a relay, published to destinations.
-- `running` is the desired state: an output that was running comes back running after a
-- restart of the appliance.

CREATE TABLE outputs (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT    NOT NULL,
    mode                   TEXT    NOT NULL CHECK (mode IN ('program', 'relay')),
    width                  INTEGER NOT NULL,
    height                 INTEGER NOT NULL,
    fps                    INTEGER NOT NULL,
    video_bitrate_kbps     INTEGER NOT NULL,
    keyframe_interval_s    REAL    NOT NULL,
    audio_bitrate_kbps     INTEGER NOT NULL,
    x264_preset            TEXT    NOT NULL,
    encoder                TEXT    NOT NULL CHECK (encoder IN ('auto', 'x264', 'v4l2', 'vaapi')),
    camera_id              INTEGER REFERENCES cameras(id) ON DELETE SET NULL,
    standby_camera_ids     TEXT    NOT NULL DEFAULT '[]',   -- JSON array of camera ids
    slate_text             TEXT    NOT NULL,
    recording_enabled      INTEGER NOT NULL DEFAULT 0 CHECK (recording_enabled IN (0, 1)),
    recording_segment_secs INTEGER NOT NULL DEFAULT 300,
    running                INTEGER NOT NULL DEFAULT 0 CHECK (running IN (0, 1)),
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL
);

-- A destination in use by an output cannot be deleted (RESTRICT): the API says which.
CREATE TABLE output_destinations (
    output_id      INTEGER NOT NULL REFERENCES outputs(id) ON DELETE CASCADE,
    destination_id INTEGER NOT NULL REFERENCES destinations(id) ON DELETE RESTRICT,
    position       INTEGER NOT NULL,
    PRIMARY KEY (output_id, destination_id)
);

CREATE INDEX output_destinations_by_destination ON output_destinations(destination_id);
