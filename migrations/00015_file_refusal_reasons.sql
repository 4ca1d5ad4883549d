-- +goose Up
-- Why a file was refused, as a code each reader's language words, and the
-- limit it passed (files or bytes); refused keeps the English sentence for
-- the log and the API. Rows from before keep only the sentence.
ALTER TABLE attachments
    ADD COLUMN refused_reason text NOT NULL DEFAULT '',
    ADD COLUMN refused_limit bigint NOT NULL DEFAULT 0;
UPDATE attachments SET refused_reason = 'program' WHERE refused = 'programs and scripts are not accepted';

-- +goose Down
ALTER TABLE attachments DROP COLUMN refused_reason, DROP COLUMN refused_limit;
