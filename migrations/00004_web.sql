-- +goose Up
ALTER TABLE people ADD COLUMN password_hash text NOT NULL DEFAULT '';

-- Server-side sessions; the cookie holds the token, only its hash is here.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Failed sign-ins, by account and by client address, for throttling.
CREATE TABLE login_failures (
    key        text NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);

-- Keys of the JSON API, stored hashed.
CREATE TABLE api_keys (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    key_hash   bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- +goose Down
DROP TABLE api_keys;
DROP TABLE login_failures;
DROP TABLE sessions;
ALTER TABLE people DROP COLUMN password_hash;
