-- +goose Up
-- A message made from a mail points at it (messages.inbound_id); the copy
-- of that link on the inbound row cost an extra update of every mail.
ALTER TABLE inbound DROP COLUMN message_id;
-- The admin filter matches senders with ILIKE '%…%', which a btree cannot
-- serve; the index only cost every insert.
DROP INDEX inbound_sender;

-- +goose Down
CREATE INDEX inbound_sender ON inbound (sender);
ALTER TABLE inbound ADD COLUMN message_id bigint REFERENCES messages (id) ON DELETE SET NULL;
UPDATE inbound i SET message_id = m.id FROM messages m WHERE m.inbound_id = i.id;
