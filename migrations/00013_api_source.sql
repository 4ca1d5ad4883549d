-- +goose Up
-- A message posted through the JSON API (by the ledger) says so, instead of
-- passing for one posted on the web.
ALTER TABLE messages DROP CONSTRAINT messages_source_check;
ALTER TABLE messages ADD CONSTRAINT messages_source_check CHECK (source IN ('web', 'email', 'api'));

-- +goose Down
UPDATE messages SET source = 'web' WHERE source = 'api';
ALTER TABLE messages DROP CONSTRAINT messages_source_check;
ALTER TABLE messages ADD CONSTRAINT messages_source_check CHECK (source IN ('web', 'email'));
