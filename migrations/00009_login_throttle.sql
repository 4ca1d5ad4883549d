-- +goose Up
-- Sign-in budgets, one per key (an account tried from one client, or one
-- client), kept as a leaky bucket: each attempt moves empty_at, when the key's
-- attempts will have drained away, one step later; an attempt that would put
-- it more than the key's window ahead is refused and changes nothing. Keys
-- are stored hashed, because people type passwords into the address field.
CREATE TABLE login_throttle (
    key_hash bytea PRIMARY KEY,
    empty_at timestamptz NOT NULL
);
CREATE INDEX login_throttle_empty ON login_throttle (empty_at);

-- Failures recorded after the password check let attempts made at once all
-- pass the check, and locked an account out for everyone.
DROP TABLE login_failures;

-- +goose Down
CREATE TABLE login_failures (
    key        text NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);
DROP TABLE login_throttle;
