-- +goose Up
-- When each key was last used, to the minute: the admin view and
-- `mailbot apikey list` show it, so an operator sees which keys still work
-- for someone before revoking them.
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;

-- Keys are revoked by name, so a name belongs to one live key. Live keys
-- that shared a name before keep working under a name made unique.
UPDATE api_keys k SET name = k.name || ' (' || k.id || ')'
WHERE k.revoked_at IS NULL AND EXISTS (
    SELECT 1 FROM api_keys o WHERE o.name = k.name AND o.revoked_at IS NULL AND o.id < k.id);
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

-- +goose Down
DROP INDEX api_keys_live_name;
ALTER TABLE api_keys DROP COLUMN last_used_at;
