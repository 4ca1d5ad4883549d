// Package blobstore keeps file bodies in a bucket named by a URL (local
// files, S3 and S3-compatible stores, Google Cloud Storage, Azure Blob
// Storage) and sweeps away the bodies no message points to.
package blobstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob://container
	_ "gocloud.dev/blob/fileblob"  // file:///dir
	_ "gocloud.dev/blob/gcsblob"   // gs://bucket
	_ "gocloud.dev/blob/s3blob"    // s3://bucket?region=…&endpoint=…
	"gocloud.dev/gcerrors"

	"mailbot/threads"
)

// prefix is where bodies live in the bucket; the sweep looks nowhere else,
// so a bucket shared with other data loses nothing of it.
const prefix = "files/"

// Bucket keeps each body under files/ab/abcdef…, its SHA-256 in hex with
// the first two digits as a directory, so no directory grows too large on
// stores that have them.
type Bucket struct {
	b *blob.Bucket
}

var _ threads.Bucket = (*Bucket)(nil)

// Open opens the bucket a URL names. The error says what is wrong with the
// URL or the credentials; nothing is written.
func Open(ctx context.Context, url string) (*Bucket, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, err
	}
	return &Bucket{b: b}, nil
}

// Close releases the bucket's resources.
func (b *Bucket) Close() error { return b.b.Close() }

// Key is the object key of the body with the given hex SHA-256.
func Key(hash string) string { return prefix + hash[:2] + "/" + hash }

// hashOf returns the hash an object key stores, or false for a key that is
// not a body's.
func hashOf(key string) (string, bool) {
	const hexLen = 64
	if len(key) != len(prefix)+3+hexLen {
		return "", false
	}
	hash := key[len(prefix)+3:]
	if !validHash(hash) || key != Key(hash) {
		return "", false
	}
	return hash, true
}

func validHash(hash string) bool {
	if len(hash) != 64 {
		return false
	}
	for _, c := range []byte(hash) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Put writes a body. It always writes, even when the object is there: the
// new modification time tells the sweep that a post is about to point at
// it, so an orphan being posted again is not swept before its commit.
func (b *Bucket) Put(ctx context.Context, hash string, data []byte) error {
	if !validHash(hash) {
		return fmt.Errorf("blobstore: put: %q is not a hex SHA-256", hash)
	}
	err := b.b.WriteAll(ctx, Key(hash), data, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("blobstore: put %s: %w", hash, err)
	}
	return nil
}

// Open reads a body; threads.ErrNotFound when there is none.
func (b *Bucket) Open(ctx context.Context, hash string) (io.ReadCloser, error) {
	if !validHash(hash) {
		return nil, fmt.Errorf("blobstore: open %q: %w", hash, threads.ErrNotFound)
	}
	r, err := b.b.NewReader(ctx, Key(hash), nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("blobstore: open %s: %w", hash, threads.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blobstore: open %s: %w", hash, err)
	}
	return r, nil
}

// Exists reports whether the body with the given hash is in the bucket.
func (b *Bucket) Exists(ctx context.Context, hash string) (bool, error) {
	if !validHash(hash) {
		return false, nil
	}
	return b.b.Exists(ctx, Key(hash))
}

// object is a body in the bucket.
type object struct {
	hash    string
	modTime time.Time
}

// bodies lists the bodies in the bucket; other objects under the prefix are
// not the service's and are left out.
func (b *Bucket) bodies(ctx context.Context) iter.Seq2[object, error] {
	return func(yield func(object, error) bool) {
		it := b.b.List(&blob.ListOptions{Prefix: prefix})
		for {
			obj, err := it.Next(ctx)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(object{}, fmt.Errorf("blobstore: list: %w", err))
				return
			}
			if hash, ok := hashOf(obj.Key); ok && !obj.IsDir && !yield(object{hash, obj.ModTime}, nil) {
				return
			}
		}
	}
}

// Check writes, reads back and deletes a probe object, so a bucket that is
// missing, read-only or not ours stops the start rather than the first post.
func (b *Bucket) Check(ctx context.Context) error {
	nonce := make([]byte, 8)
	rand.Read(nonce)
	key := "probe/" + hex.EncodeToString(nonce)
	if err := b.b.WriteAll(ctx, key, []byte("mailbot probe\n"), nil); err != nil {
		return fmt.Errorf("write a probe object: %w", err)
	}
	if _, err := b.b.ReadAll(ctx, key); err != nil {
		return fmt.Errorf("read the probe object back: %w", err)
	}
	if err := b.b.Delete(ctx, key); err != nil {
		return fmt.Errorf("delete the probe object %s: %w", key, err)
	}
	return nil
}
