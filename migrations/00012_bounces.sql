-- +goose Up
-- A notification whose delivery failure came back (through its signed
-- envelope sender) is 'bounced', with the remote server's status and text.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'muted', 'bounced'));
ALTER TABLE outbox ADD COLUMN bounce_status text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN bounced_at timestamptz;
-- An address whose mail bounced for good several times in a row.
ALTER TABLE person_emails ADD COLUMN failing_since timestamptz;
-- A thread shows what became of each message's email.
CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id IS NOT NULL;

-- +goose Down
DROP INDEX outbox_message;
ALTER TABLE person_emails DROP COLUMN failing_since;
ALTER TABLE outbox DROP COLUMN bounced_at;
ALTER TABLE outbox DROP COLUMN bounce_status;
UPDATE outbox SET status = 'sent' WHERE status = 'bounced';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'muted'));
