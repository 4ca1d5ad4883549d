package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"mailbot/blobstore"
	"mailbot/i18n"
	"mailbot/threads"
)

// defaultFilesTotal is threads' default bound on all of a message's files
// together; a larger one-file limit raises it to match.
const defaultFilesTotal = 25 << 20

// loadFiles reads where file bodies are kept and what one message may carry.
func loadFiles(r *envReader, c *config) {
	c.BlobURL = r.get("MAILBOT_BLOB_URL")
	mb, err := strconv.Atoi(r.get("MAILBOT_FILE_MAX_MB"))
	if err != nil || mb < 1 || mb > 1024 {
		r.fail("MAILBOT_FILE_MAX_MB must be a number of MiB from 1 to 1024")
	}
	n, err := strconv.Atoi(r.get("MAILBOT_FILES_MAX"))
	if err != nil || n < 1 || n > 100 {
		r.fail("MAILBOT_FILES_MAX must be a number from 1 to 100")
	}
	c.Files = threads.FileLimits{MaxFileBytes: int64(mb) << 20, MaxFiles: n,
		MaxTotalBytes: max(defaultFilesTotal, int64(mb)<<20)}
}

// openBucket opens the bucket MAILBOT_BLOB_URL names; nil when it is empty
// (bodies in Postgres). With probe, it also writes and deletes an object,
// so a bucket that cannot be written stops the start, not the first post.
// Errors start with the variable's name.
func openBucket(ctx context.Context, url string, probe bool) (*blobstore.Bucket, error) {
	if url == "" {
		return nil, nil
	}
	b, err := blobstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("MAILBOT_BLOB_URL: %v", err)
	}
	if probe {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := b.Check(ctx); err != nil {
			b.Close()
			return nil, fmt.Errorf("MAILBOT_BLOB_URL: the bucket cannot be used: %v", err)
		}
	}
	return b, nil
}

// closeBucket closes a bucket openBucket returned, nil or not.
func closeBucket(b *blobstore.Bucket) {
	if b != nil {
		b.Close()
	}
}

// storeOptions are the store's options for a command that posts: the
// database's URL (to listen for queued notifications), the token key, the
// file limits, the languages and, when set, the bucket.
func storeOptions(databaseURL string, tokenKey []byte, files threads.FileLimits, b *blobstore.Bucket) *threads.Options {
	opts := &threads.Options{DatabaseURL: databaseURL, TokenKey: tokenKey, Files: files, Locales: locales()}
	if b != nil { // a nil *Bucket in the interface would not read as "none"
		opts.Bucket = b
	}
	return opts
}

// locales are the languages of the message catalogue, which people may
// be given; a broken catalogue is reported when the pages are made.
func locales() []string {
	cat, err := i18n.Shipped()
	if err != nil {
		return nil
	}
	return cat.Codes()
}

// startSweeper runs the sweep of unused file bodies until ctx ends; the
// returned function waits for it to stop.
func startSweeper(ctx context.Context, store *threads.Store, b *blobstore.Bucket, log *slog.Logger) func() {
	s := blobstore.NewSweeper(store, b, &blobstore.SweepOptions{Logger: log})
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	return wg.Wait
}
