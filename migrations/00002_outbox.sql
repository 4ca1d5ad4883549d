-- +goose Up
-- One row per email to send, written in the same transaction as what caused
-- it. A worker claims due rows by pushing next_attempt_at past a lease, so a
-- worker that dies leaves its rows due again once the lease ends. attempts
-- doubles as a fencing number: a result is recorded only by the claim that
-- made the attempt.
CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL DEFAULT 'notification' CHECK (kind IN ('notification')),
    message_id      bigint REFERENCES messages (id) ON DELETE CASCADE,
    recipient_id    bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    transaction_id  bigint NOT NULL REFERENCES transactions (id) ON DELETE CASCADE,
    to_address      text NOT NULL,
    -- 0 for the recipient's first notification on the transaction, 1 after:
    -- the subject gets "Re:" after the first
    position        int NOT NULL DEFAULT 0,
    -- local part of the Message-ID the email is sent with, kept across retries
    mail_id         text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'muted')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- when the row last entered the queue; retries give up a set time after
    queued_at       timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_recipient_txn ON outbox (recipient_id, transaction_id);

-- A person who unsubscribed from a transaction's emails.
CREATE TABLE mutes (
    person_id      bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    transaction_id bigint NOT NULL REFERENCES transactions (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, transaction_id)
);

-- +goose Down
DROP TABLE mutes;
DROP TABLE outbox;
