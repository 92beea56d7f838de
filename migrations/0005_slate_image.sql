-- An optional picture on an output's slate (OUT-4: "text + clock, optionally an image").
ALTER TABLE outputs ADD COLUMN slate_asset_id INTEGER REFERENCES assets(id) ON DELETE SET NULL;
