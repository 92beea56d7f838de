-- Timeline executions (TL-3, TL-4): the history of every run, and for the runs still on air
-- (ended_at IS NULL) the desired state a restart resumes: the wall-clock anchor of the
-- timeline's elapsed time, whether its clock is stopped, and a pinned camera. History
-- outlives its timeline and output (their ids become NULL; the name stays).
CREATE TABLE timeline_runs (
    id                INTEGER PRIMARY KEY,
    timeline_id       INTEGER REFERENCES timelines(id) ON DELETE SET NULL,
    timeline_name     TEXT    NOT NULL,
    output_id         INTEGER REFERENCES outputs(id) ON DELETE SET NULL,
    started_by        TEXT    NOT NULL CHECK (started_by IN ('operator', 'studio', 'schedule')),
    schedule_id       INTEGER,
    started_at        TEXT    NOT NULL,
    ended_at          TEXT,
    end_reason        TEXT,
    anchor_at         TEXT    NOT NULL,
    anchor_elapsed_ms INTEGER NOT NULL CHECK (anchor_elapsed_ms >= 0),
    paused            INTEGER NOT NULL DEFAULT 0,
    pinned_camera_id  INTEGER,
    loops             INTEGER NOT NULL DEFAULT 0,
    errors            TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(errors)),
    -- The run put its output on air (a schedule takes it off again when its window closes).
    started_output    INTEGER NOT NULL DEFAULT 0
);

-- One timeline on air per output, and one output per timeline.
CREATE UNIQUE INDEX timeline_runs_active_output ON timeline_runs(output_id) WHERE ended_at IS NULL;
CREATE UNIQUE INDEX timeline_runs_active_timeline ON timeline_runs(timeline_id) WHERE ended_at IS NULL;
CREATE INDEX timeline_runs_by_timeline ON timeline_runs(timeline_id, id);
