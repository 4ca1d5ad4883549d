-- +goose Up
-- A reply goes to whoever last wrote to its sender in the thread. Found
-- through the thread index alone, that meant walking back over every
-- message since, which in a long thread took longer than the rest of the
-- reply's work together.
CREATE INDEX messages_to_person ON messages (transaction_id, recipient_id, id);

-- +goose Down
DROP INDEX messages_to_person;
