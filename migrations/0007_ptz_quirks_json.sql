-- PTZ quirks as a JSON array, like every other list the store keeps (standby cameras), so
-- the row maps to a typed list instead of a comma-separated string parsed at every use.
UPDATE cameras SET ptz_quirks = CASE
    WHEN trim(ptz_quirks) = '' THEN '[]'
    ELSE '["' || replace(replace(ptz_quirks, ' ', ''), ',', '","') || '"]'
END;
