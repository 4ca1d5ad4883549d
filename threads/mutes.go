package threads

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// keyed returns a keyed hash of the parts, so links and ids the service hands
// out cannot be forged or guessed without the store's key.
func (s *Store) keyed(purpose string, parts ...int64) []byte {
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write([]byte("mailbot " + purpose + "\x00"))
	for _, p := range parts {
		mac.Write([]byte(strconv.FormatInt(p, 10) + "\x00"))
	}
	return mac.Sum(nil)
}

// MuteToken is a signed, unguessable reference to one person's emails about
// one transaction, for the unsubscribe link: "personID.txnID.signature".
func (s *Store) MuteToken(personID, txnID int64) string {
	sig := hex.EncodeToString(s.keyed("mute", personID, txnID)[:16])
	return fmt.Sprintf("%d.%d.%s", personID, txnID, sig)
}

// ParseMuteToken checks a mute token's signature and returns what it names.
func (s *Store) ParseMuteToken(token string) (personID, txnID int64, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, 0, fmt.Errorf("mute token: %w", ErrNotFound)
	}
	personID, err1 := strconv.ParseInt(parts[0], 10, 64)
	txnID, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || !hmac.Equal([]byte(s.MuteToken(personID, txnID)), []byte(token)) {
		return 0, 0, fmt.Errorf("mute token: %w", ErrNotFound)
	}
	return personID, txnID, nil
}

// Mute stops emails to the person about the transaction; their messages are
// still kept, and shown on the web.
func (s *Store) Mute(ctx context.Context, personID, txnID int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mutes (person_id, transaction_id) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, personID, txnID)
	return wrapStore("mute", err)
}

// Unmute lets emails about the transaction reach the person again.
func (s *Store) Unmute(ctx context.Context, personID, txnID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM mutes WHERE person_id = $1 AND transaction_id = $2`, personID, txnID)
	return wrapStore("unmute", err)
}

// Mutes lists who turned off emails about the transaction, by person id.
func (s *Store) Mutes(ctx context.Context, txnID int64) ([]int64, error) {
	var ids []int64
	err := s.selectPrepared(ctx, nil, &ids, `SELECT person_id FROM mutes WHERE transaction_id = $1 ORDER BY person_id`, txnID)
	return ids, wrapStore("mutes", err)
}

// ThreadRootID is the local part of the stable Message-ID every notification
// about the transaction refers to, so mail clients thread them together.
func (s *Store) ThreadRootID(txnID int64) string {
	return fmt.Sprintf("txn-%d.%s", txnID, hex.EncodeToString(s.keyed("thread root", txnID)[:8]))
}
