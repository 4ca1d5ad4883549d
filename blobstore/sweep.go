package blobstore

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"gocloud.dev/gcerrors"

	"mailbot/threads"
)

// SweepStore is what the sweep needs of the store: the lock that makes one
// process sweep at a time, and which bodies messages point to.
type SweepStore interface {
	TryLock(ctx context.Context, key string) (*threads.Lock, bool, error)
	BucketFilesInUse(ctx context.Context, hashes []string) (map[string]bool, error)
	SweepFileBodies(ctx context.Context) (int64, error)
}

// SweepOptions tune a Sweeper; zero values mean defaults.
type SweepOptions struct {
	// Grace is how old an unused body in the bucket must be before it goes.
	// A body is written before the commit that points at it, so a younger
	// one may belong to a post under way. Default 1h.
	Grace time.Duration
	// Interval is the time between sweeps. Default 1h.
	Interval time.Duration
	// Now returns the current time; tests move it.
	Now    func() time.Time
	Logger *slog.Logger
}

// Sweeper removes file bodies no message points to: those in the bucket,
// once older than the grace period, and those in Postgres.
type Sweeper struct {
	store  SweepStore
	bucket *Bucket // nil: bodies are in Postgres only
	opts   SweepOptions
	log    *slog.Logger
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	BucketDeleted int // unused bodies removed from the bucket
	BucketYoung   int // bodies younger than the grace, left alone whether used or not
	DBDeleted     int64
}

// lockKey names the advisory lock the sweeping process holds.
const lockKey = "files:sweep"

// listBatch is how many unused candidates are checked against the database
// at once.
const listBatch = 500

// NewSweeper returns a sweeper; bucket may be nil.
func NewSweeper(store SweepStore, bucket *Bucket, opts *SweepOptions) *Sweeper {
	s := &Sweeper{store: store, bucket: bucket}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.Grace <= 0 {
		s.opts.Grace = time.Hour
	}
	if s.opts.Interval <= 0 {
		s.opts.Interval = time.Hour
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Run sweeps every interval until ctx ends. Of several processes, the one
// that holds the lock sweeps; the others skip that round.
func (s *Sweeper) Run(ctx context.Context) {
	wait := jitter(s.opts.Interval / 10) // not every process at once after a deploy
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = jitter(s.opts.Interval)
		lock, ok, err := s.store.TryLock(ctx, lockKey)
		if err != nil || !ok {
			continue
		}
		res, err := s.Sweep(ctx)
		lock.Release()
		if err != nil && ctx.Err() == nil {
			s.log.Warn("file sweep failed", slog.String("error", err.Error()))
			continue
		}
		s.log.Info("file sweep", slog.Int("bucket_deleted", res.BucketDeleted),
			slog.Int("bucket_young", res.BucketYoung), slog.Int64("db_deleted", res.DBDeleted))
	}
}

// jitter spreads d over [d/2, d].
func jitter(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }

// Sweep runs one sweep now, without the lock.
func (s *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	var err error
	if res.DBDeleted, err = s.store.SweepFileBodies(ctx); err != nil {
		return res, err
	}
	if s.bucket == nil {
		return res, nil
	}
	return res, s.sweepBucket(ctx, &res)
}

func (s *Sweeper) sweepBucket(ctx context.Context, res *SweepResult) error {
	var old []string
	for obj, err := range s.bucket.bodies(ctx) {
		if err != nil {
			return err
		}
		if s.opts.Now().Sub(obj.modTime) < s.opts.Grace {
			res.BucketYoung++
			continue
		}
		if old = append(old, obj.hash); len(old) == listBatch {
			if err := s.deleteUnused(ctx, old, res); err != nil {
				return err
			}
			old = old[:0]
		}
	}
	return s.deleteUnused(ctx, old, res)
}

// deleteUnused deletes the bodies among hashes that no attachment points
// to. Each one's age is read again just before it goes: a post that wrote
// it since (Put always writes) made it young, and it stays. What is left is
// a post that writes the same content in the instant between that read and
// the delete, which is as rare as an hour-old orphan's content coming back
// at that instant.
func (s *Sweeper) deleteUnused(ctx context.Context, hashes []string, res *SweepResult) error {
	if len(hashes) == 0 {
		return nil
	}
	inUse, err := s.store.BucketFilesInUse(ctx, hashes)
	if err != nil {
		return err
	}
	for _, h := range hashes {
		if inUse[h] {
			continue
		}
		attrs, err := s.bucket.b.Attributes(ctx, Key(h))
		if gcerrors.Code(err) == gcerrors.NotFound {
			continue
		}
		if err != nil {
			return fmt.Errorf("blobstore: attributes of %s: %w", h, err)
		}
		if s.opts.Now().Sub(attrs.ModTime) < s.opts.Grace {
			res.BucketYoung++
			continue
		}
		if err := s.bucket.b.Delete(ctx, Key(h)); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return fmt.Errorf("blobstore: delete %s: %w", h, err)
		}
		res.BucketDeleted++
	}
	return nil
}
