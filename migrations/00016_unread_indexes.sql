-- +goose Up
-- The company home lists a person's unread messages newest first, a page at
-- a time: with the id in the index that is a walk down its end, not a sort
-- of everything unread (the planner picked the sort while the table had no
-- statistics yet, and it took milliseconds for a thousand unread).
DROP INDEX IF EXISTS messages_unread;
CREATE INDEX IF NOT EXISTS messages_unread ON messages (recipient_id, company_id, id) WHERE read_at IS NULL;
-- Opening a transaction marks what waited there read. Found through the
-- thread index, that meant reading every message of the person's in the
-- thread to find none unread, at every page view; this index holds only
-- the unread.
CREATE INDEX IF NOT EXISTS messages_unread_thread ON messages (transaction_id, recipient_id) WHERE read_at IS NULL;

-- +goose Down
DROP INDEX messages_unread_thread;
DROP INDEX messages_unread;
CREATE INDEX messages_unread ON messages (recipient_id, company_id) WHERE read_at IS NULL;
