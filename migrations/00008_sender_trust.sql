-- +goose Up
-- A reply matched by one of our Message-IDs obeys the token that
-- notification carried (revoked, expired), so the outbox row remembers it.
ALTER TABLE outbox ADD COLUMN reply_token_id bigint REFERENCES reply_tokens (id) ON DELETE SET NULL;
UPDATE outbox o SET reply_token_id = coalesce(
	(SELECT r.id FROM reply_tokens r WHERE r.person_id = o.recipient_id AND r.transaction_id = o.transaction_id
		AND r.created_at <= coalesce(o.sent_at, o.created_at) ORDER BY r.created_at DESC, r.id DESC LIMIT 1),
	(SELECT r.id FROM reply_tokens r WHERE r.person_id = o.recipient_id AND r.transaction_id = o.transaction_id
		ORDER BY r.id LIMIT 1))
WHERE o.kind = 'notification';

-- Whether a mail's sender was authenticated (DMARC, DKIM or SPF results of
-- the receiving server, or the service's own DKIM check), on the mail and
-- on the message it made: '' not checked (web posts), 'none' not verified,
-- 'fail' authentication failed, else the method that verified it.
ALTER TABLE inbound ADD COLUMN sender_auth text NOT NULL DEFAULT '';
ALTER TABLE inbound ADD COLUMN sender_auth_detail text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN sender_auth text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE messages DROP COLUMN sender_auth;
ALTER TABLE inbound DROP COLUMN sender_auth_detail;
ALTER TABLE inbound DROP COLUMN sender_auth;
ALTER TABLE outbox DROP COLUMN reply_token_id;
