package threads

import (
	"context"
	"time"
)

// MailboxState is where an IMAP mailbox's intake stands.
type MailboxState struct {
	UIDValidity uint32    `db:"uidvalidity"`
	LastUID     uint32    `db:"last_uid"`
	SyncedAt    time.Time `db:"synced_at"`
}

// MailboxState returns the mailbox's state; zero values when never synced.
func (s *Store) MailboxState(ctx context.Context, mailbox string) (MailboxState, error) {
	var st MailboxState
	err := s.db.GetContext(ctx, &st, `SELECT uidvalidity, last_uid, synced_at FROM mailbox_state WHERE mailbox = $1`, mailbox)
	if isNoRows(err) {
		return MailboxState{}, nil
	}
	return st, wrapStore("mailbox state", err)
}

// SetMailboxState records that every UID up to lastUID is handled.
func (s *Store) SetMailboxState(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid, synced_at)
		VALUES ($1, $2, $3, now()) ON CONFLICT (mailbox) DO UPDATE
		SET uidvalidity = EXCLUDED.uidvalidity, last_uid = EXCLUDED.last_uid, synced_at = now()`,
		mailbox, int64(uidValidity), int64(lastUID))
	return wrapStore("set mailbox state", err)
}
