-- +goose Up
-- A post may carry a key its client chose. A second post by the same author
-- with the same key is the first one again: a request retried after a lost
-- answer, or a form sent twice, is stored once.
ALTER TABLE messages ADD COLUMN post_key text;
CREATE UNIQUE INDEX messages_post_key ON messages (author_id, post_key) WHERE post_key IS NOT NULL;

-- +goose Down
DROP INDEX messages_post_key;
ALTER TABLE messages DROP COLUMN post_key;
