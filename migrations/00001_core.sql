-- +goose Up
-- Companies, people and their memberships are synced from the ledger, so each
-- carries the ledger's own identifier as external_id.
CREATE TABLE companies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id text NOT NULL UNIQUE,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id text NOT NULL UNIQUE,
    name        text NOT NULL,
    locale      text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'es')),
    time_zone   text NOT NULL DEFAULT 'UTC',
    staff       boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- An address belongs to one person at most: the sender check of inbound mail
-- relies on it. Addresses are stored lower-cased.
CREATE TABLE person_emails (
    address    text PRIMARY KEY CHECK (address = lower(address)),
    person_id  bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    verified   boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_emails_person ON person_emails (person_id);

CREATE TABLE memberships (
    company_id bigint NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    person_id  bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('accountant', 'client')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, person_id)
);
CREATE INDEX memberships_person ON memberships (person_id);

-- Kinds are not constrained here: the ledger may sync kinds this service does
-- not know, and the domain refuses conversations on those.
CREATE TABLE transactions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id   bigint NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    external_id  text NOT NULL,
    kind         text NOT NULL,
    number       text NOT NULL DEFAULT '',
    txn_date     date NOT NULL,
    amount_minor bigint NOT NULL,
    currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    counterparty text NOT NULL DEFAULT '',
    posted       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, external_id)
);

-- company_id is copied from the transaction so unread counts need no join.
-- Each message has exactly one recipient, so its read mark lives on the row.
CREATE TABLE messages (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id bigint NOT NULL REFERENCES transactions (id) ON DELETE CASCADE,
    company_id     bigint NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    author_id      bigint NOT NULL REFERENCES people (id),
    recipient_id   bigint NOT NULL REFERENCES people (id),
    body           text NOT NULL,
    elided         text NOT NULL DEFAULT '',
    source         text NOT NULL CHECK (source IN ('web', 'email')),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    read_at        timestamptz,
    CHECK (author_id <> recipient_id)
);
CREATE INDEX messages_thread ON messages (transaction_id, id);
CREATE INDEX messages_unread ON messages (recipient_id, company_id) WHERE read_at IS NULL;

-- Only a hash of each token is stored. The nonce lets the service derive the
-- same token again (with its secret key) to reuse one per recipient and
-- transaction; the database alone does not reveal any token.
CREATE TABLE reply_tokens (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash     bytea NOT NULL UNIQUE,
    nonce          bytea NOT NULL,
    person_id      bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    transaction_id bigint NOT NULL REFERENCES transactions (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    retired_at     timestamptz
);
CREATE UNIQUE INDEX reply_tokens_current ON reply_tokens (person_id, transaction_id)
    WHERE retired_at IS NULL;

-- +goose Down
DROP TABLE reply_tokens;
DROP TABLE messages;
DROP TABLE transactions;
DROP TABLE memberships;
DROP TABLE person_emails;
DROP TABLE people;
DROP TABLE companies;
