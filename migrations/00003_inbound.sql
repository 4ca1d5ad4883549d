-- +goose Up
-- Every mail the service received, whatever became of it. dedupe_key makes a
-- mail seen twice (by one instance or several) one row; deliveries counts
-- how often it came.
CREATE TABLE inbound (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key       text NOT NULL UNIQUE,
    message_id_hdr   text NOT NULL DEFAULT '',
    intake           text NOT NULL,
    sender           text NOT NULL DEFAULT '',
    subject          text NOT NULL DEFAULT '',
    token_candidates text[] NOT NULL DEFAULT '{}',
    class            text NOT NULL DEFAULT '',
    verdict          text NOT NULL,
    detail           text NOT NULL DEFAULT '',
    raw              bytea NOT NULL,
    raw_size         bigint NOT NULL,
    truncated        boolean NOT NULL DEFAULT false,
    person_id        bigint REFERENCES people (id) ON DELETE SET NULL,
    transaction_id   bigint REFERENCES transactions (id) ON DELETE SET NULL,
    message_id       bigint REFERENCES messages (id) ON DELETE SET NULL,
    deliveries       int NOT NULL DEFAULT 1,
    processings      int NOT NULL DEFAULT 1,
    received_at      timestamptz NOT NULL DEFAULT now(),
    processed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbound_received ON inbound (received_at DESC);
CREATE INDEX inbound_verdict ON inbound (verdict, received_at DESC);
CREATE INDEX inbound_sender ON inbound (sender);

-- A message made from a mail points back at it; the unique index is the last
-- guard against posting one mail twice.
ALTER TABLE messages ADD COLUMN inbound_id bigint REFERENCES inbound (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX messages_inbound ON messages (inbound_id) WHERE inbound_id IS NOT NULL;

-- Rejection notices ride the outbox too; they need no message or transaction.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('notification', 'rejection_notice'));
ALTER TABLE outbox ALTER COLUMN transaction_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN reason text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN inbound_id bigint REFERENCES inbound (id) ON DELETE SET NULL;

-- At most one rejection notice per address, reason and day.
CREATE TABLE rejection_notices (
    address text NOT NULL,
    reason  text NOT NULL,
    day     date NOT NULL,
    PRIMARY KEY (address, reason, day)
);

-- Where each IMAP mailbox's intake stands.
CREATE TABLE mailbox_state (
    mailbox     text PRIMARY KEY,
    uidvalidity bigint NOT NULL,
    last_uid    bigint NOT NULL,
    synced_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE mailbox_state;
DROP TABLE rejection_notices;
ALTER TABLE outbox DROP COLUMN inbound_id;
ALTER TABLE outbox DROP COLUMN reason;
DELETE FROM outbox WHERE kind <> 'notification';
ALTER TABLE outbox ALTER COLUMN transaction_id SET NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('notification'));
DROP INDEX messages_inbound;
ALTER TABLE messages DROP COLUMN inbound_id;
DROP TABLE inbound;
