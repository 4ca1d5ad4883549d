-- +goose Up
-- A message made from a mail points at it (messages.inbound_id); the copy
-- of that link on the inbound row cost an extra update of every mail.
ALTER TABLE inbound DROP COLUMN message_id;

-- +goose Down
ALTER TABLE inbound ADD COLUMN message_id bigint REFERENCES messages (id) ON DELETE SET NULL;
UPDATE inbound i SET message_id = m.id FROM messages m WHERE m.inbound_id = i.id;
