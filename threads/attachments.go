package threads

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Bucket keeps file bodies outside the database, each under the hex SHA-256
// of its content, so writing one again (a retried post, a mail read twice)
// writes the same key.
type Bucket interface {
	Put(ctx context.Context, key string, data []byte) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// putBodies writes accepted files to the bucket before the database
// transaction that points at them commits. A body whose commit then fails
// is an orphan until the sweep removes it; a row never points at a body
// that is not there.
func (s *Store) putBodies(ctx context.Context, files []preparedFile) error {
	if s.bucket == nil {
		return nil
	}
	for _, f := range files {
		if f.Accepted() {
			if err := s.bucket.Put(ctx, f.Hash(), f.data); err != nil {
				return fmt.Errorf("store: write file %q to the bucket: %w", f.Name, err)
			}
		}
	}
	return nil
}

// insertFiles records a message's files inside the transaction that posts it.
func (s *Store) insertFiles(ctx context.Context, tx *sqlx.Tx, messageID int64, files []preparedFile) error {
	for i, f := range files {
		storage := ""
		if f.Accepted() {
			storage = "db"
			if s.bucket != nil {
				storage = "bucket"
			} else if _, err := tx.ExecContext(ctx, `INSERT INTO attachment_bodies (sha256, data) VALUES ($1, $2)
				ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.data); err != nil {
				return wrapStore("store file body", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO attachments (message_id, position, name, content_type, size, sha256, storage, refused, refused_reason, refused_limit)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, messageID, i, f.Name, f.ContentType, f.Size, f.SHA256, storage, clip(f.Refused),
			f.RefusedReason, f.RefusedLimit)
		if err != nil {
			return wrapStore("store file", err)
		}
	}
	return nil
}

const fileColumns = `a.id, a.message_id, a.name, a.content_type, a.size, a.sha256, a.storage, a.refused, a.refused_reason, a.refused_limit`

// fillFiles adds each message's files, in the order they were given.
func (s *Store) fillFiles(ctx context.Context, ms []Message) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]int64, len(ms))
	at := make(map[int64]int, len(ms))
	for i, m := range ms {
		ids[i], at[m.ID] = m.ID, i
	}
	files, err := s.filesOf(ctx, nil, ids)
	for _, f := range files {
		m := &ms[at[f.MessageID]]
		m.Files = append(m.Files, f)
	}
	return err
}

// filesOf reads the files of the messages with these ids, each message's
// in the order they were given: one prepared query for a thread or, inside
// tx, a claimed batch.
func (s *Store) filesOf(ctx context.Context, tx *sqlx.Tx, messageIDs []int64) ([]File, error) {
	var files []File
	err := s.selectPrepared(ctx, tx, &files, `SELECT `+fileColumns+` FROM attachments a
		WHERE a.message_id = ANY($1) ORDER BY a.message_id, a.position`, pq.Array(messageIDs))
	return files, wrapStore("message files", err)
}

// File returns one file of a transaction's messages, without an access
// check: for the ledger's API. ErrNotFound when the file is not on that
// transaction.
func (s *Store) File(ctx context.Context, txnID, fileID int64) (File, error) {
	var f File
	err := s.db.GetContext(ctx, &f, `SELECT `+fileColumns+` FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE a.id = $1 AND m.transaction_id = $2`, fileID, txnID)
	if err != nil {
		return File{}, notFound("file", err)
	}
	return f, nil
}

// FileFor is File for a person: only someone who may see the transaction
// gets its files; everyone else gets ErrNotFound, as for the page.
func (s *Store) FileFor(ctx context.Context, viewerID, txnID, fileID int64) (File, error) {
	if _, err := s.Transaction(ctx, viewerID, txnID); err != nil {
		return File{}, err
	}
	return s.File(ctx, txnID, fileID)
}

// OpenFile reads an accepted file's body.
func (s *Store) OpenFile(ctx context.Context, f File) (io.ReadCloser, error) {
	switch f.Storage {
	case "bucket":
		if s.bucket == nil {
			return nil, fmt.Errorf("store: file %d is in a bucket, and none is configured", f.ID)
		}
		return s.bucket.Open(ctx, f.Hash())
	case "db":
		var data []byte
		if err := s.db.GetContext(ctx, &data, `SELECT data FROM attachment_bodies WHERE sha256 = $1`, f.SHA256); err != nil {
			return nil, notFound("file body", err)
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	return nil, fmt.Errorf("open file %d: refused, no body: %w", f.ID, ErrNotFound)
}

// Preview returns a stored preview of a content at a size, or ErrNotFound.
func (s *Store) Preview(ctx context.Context, sha256 []byte, maxSide int) (data []byte, contentType string, err error) {
	var row struct {
		Data        []byte `db:"data"`
		ContentType string `db:"content_type"`
	}
	err = s.db.GetContext(ctx, &row, `SELECT data, content_type FROM attachment_previews WHERE sha256 = $1 AND max_side = $2`,
		sha256, maxSide)
	if err != nil {
		return nil, "", notFound("preview", err)
	}
	return row.Data, row.ContentType, nil
}

// SavePreview keeps a preview made once, for every later view.
func (s *Store) SavePreview(ctx context.Context, sha256 []byte, maxSide int, contentType string, data []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO attachment_previews (sha256, max_side, content_type, data)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, sha256, maxSide, contentType, data)
	return wrapStore("save preview", err)
}

// BucketFilesInUse tells which of the given bodies (hex SHA-256, as kept in
// a bucket) an attachment stored in the bucket points to. A string that is
// not a hash is in use by nothing.
func (s *Store) BucketFilesInUse(ctx context.Context, hashes []string) (map[string]bool, error) {
	var inUse []string
	err := s.db.SelectContext(ctx, &inUse, `SELECT DISTINCT encode(a.sha256, 'hex') FROM attachments a
		WHERE a.storage = 'bucket' AND a.sha256 = ANY (
			SELECT decode(h, 'hex') FROM unnest($1::text[]) h WHERE h ~ '^[0-9a-f]{64}$')`, pq.Array(hashes))
	if err != nil {
		return nil, wrapStore("files in use", err)
	}
	out := make(map[string]bool, len(inUse))
	for _, h := range inUse {
		out[h] = true
	}
	return out, nil
}

// sweepBatch bounds how many bodies one sweep transaction removes, so the
// lock it takes is short.
const sweepBatch = 500

// SweepFileBodies removes the bodies kept in Postgres that no attachment
// points to any more (their message was deleted), and the previews of
// contents no attachment has. It returns how many bodies went.
//
// A post writes its body (or finds it there) and then its attachment row in
// one transaction; the delete first takes a lock that waits for such
// transactions and holds new ones back, so it sees every row that points at
// a body, and no post can point at a body it is removing.
func (s *Store) SweepFileBodies(ctx context.Context) (int64, error) {
	var total int64
	for {
		var candidates []string
		err := s.db.SelectContext(ctx, &candidates, `SELECT encode(b.sha256, 'hex') FROM attachment_bodies b
			WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256 AND a.storage = 'db')
			LIMIT $1`, sweepBatch)
		if err != nil {
			return total, wrapStore("find unused file bodies", err)
		}
		if len(candidates) > 0 {
			n, err := s.deleteUnusedBodies(ctx, candidates)
			if total += n; err != nil {
				return total, err
			}
		}
		if len(candidates) < sweepBatch {
			return total, s.sweepPreviews(ctx)
		}
	}
}

func (s *Store) deleteUnusedBodies(ctx context.Context, hashes []string) (n int64, err error) {
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		// Posts that hold the table (a row inserted, or one found by ON
		// CONFLICT) commit first; this statement's snapshot then sees them.
		if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `LOCK TABLE attachment_bodies IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM attachment_bodies b
			WHERE b.sha256 = ANY (SELECT decode(h, 'hex') FROM unnest($1::text[]) h)
			AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256 AND a.storage = 'db')`, pq.Array(hashes))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, wrapStore("delete unused file bodies", err)
}

// sweepPreviews removes previews of contents no attachment has; one that a
// page still wants is made again.
func (s *Store) sweepPreviews(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM attachment_previews p
		WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = p.sha256)`)
	return wrapStore("delete unused previews", err)
}
