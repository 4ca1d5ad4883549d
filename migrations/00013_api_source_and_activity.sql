-- +goose Up
-- A message posted through the JSON API (by the ledger) says so, instead of
-- passing for one posted on the web.
ALTER TABLE messages DROP CONSTRAINT messages_source_check;
ALTER TABLE messages ADD CONSTRAINT messages_source_check CHECK (source IN ('web', 'email', 'api'));

-- Open pages follow their conversation live: every new message, read mark
-- and change of an email's delivery announces "<transaction> <company>" on
-- the mailbot_activity channel, to every instance that listens. Postgres
-- folds identical announcements of one transaction into one.
-- +goose StatementBegin
CREATE FUNCTION mailbot_announce_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mailbot_activity', NEW.transaction_id || ' ' || NEW.company_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION mailbot_announce_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mailbot_activity', m.transaction_id || ' ' || m.company_id)
        FROM messages m WHERE m.id = NEW.message_id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER messages_announce AFTER INSERT OR UPDATE OF read_at ON messages
    FOR EACH ROW EXECUTE FUNCTION mailbot_announce_message();
CREATE TRIGGER outbox_announce AFTER UPDATE OF status ON outbox
    FOR EACH ROW WHEN (NEW.message_id IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION mailbot_announce_delivery();

-- +goose Down
DROP TRIGGER outbox_announce ON outbox;
DROP TRIGGER messages_announce ON messages;
DROP FUNCTION mailbot_announce_delivery();
DROP FUNCTION mailbot_announce_message();
UPDATE messages SET source = 'web' WHERE source = 'api';
ALTER TABLE messages DROP CONSTRAINT messages_source_check;
ALTER TABLE messages ADD CONSTRAINT messages_source_check CHECK (source IN ('web', 'email'));
