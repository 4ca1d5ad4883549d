package blobstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"mailbot/blobstore"
	"mailbot/internal/pgtest"
	"mailbot/threads"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// A bucket in a directory, through the file driver.
func TestFileBucket(t *testing.T) {
	t.Parallel()
	b := openBucket(t, "file://"+filepath.ToSlash(t.TempDir()))
	testBucket(t, b)
}

// An S3 server in process, through the real S3 driver and the AWS SDK,
// addressed by path as MinIO and Ceph usually are.
func TestS3Bucket(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("mailbot-files"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	// The SDK reads credentials from the environment; keep it off the
	// machine's own AWS files.
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	b := openBucket(t, "s3://mailbot-files?region=us-east-1&use_path_style=true&endpoint="+srv.URL)
	testBucket(t, b)
}

func openBucket(t *testing.T, url string) *blobstore.Bucket {
	t.Helper()
	b, err := blobstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if err := b.Check(t.Context()); err != nil {
		t.Fatalf("check %s: %v", url, err)
	}
	return b
}

func testBucket(t *testing.T, b *blobstore.Bucket) {
	w := newWorld(t, b)
	ctx := t.Context()
	receipt, pdf := []byte("\xff\xd8\xff\xe0 a receipt photo"), []byte("%PDF-1.4 an invoice")
	m := w.post(t, "Here are the receipt and the invoice.",
		threads.NewFile{Name: "receipt.jpg", Data: receipt}, threads.NewFile{Name: "invoice.pdf", Data: pdf})
	w.post(t, "The receipt again.", threads.NewFile{Name: "receipt copy.jpg", Data: receipt})

	msgs, err := w.s.Messages(ctx, w.txn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].ID != m.ID || len(msgs[0].Files) != 2 {
		t.Fatalf("messages read back: %+v", msgs)
	}
	for i, want := range [][]byte{receipt, pdf} {
		f := msgs[0].Files[i]
		if f.Storage != "bucket" {
			t.Errorf("%s: storage %q, want bucket", f.Name, f.Storage)
		}
		if got := readFile(t, w.s, f); !bytes.Equal(got, want) {
			t.Errorf("%s read back as %q, want %q", f.Name, got, want)
		}
		if ok, err := b.Exists(ctx, hash(want)); !ok || err != nil {
			t.Errorf("%s: no object under its hash %s (%v)", f.Name, hash(want), err)
		}
	}
	if got := w.bodies(t); got != 0 {
		t.Errorf("%d bodies in Postgres with a bucket set, want 0", got)
	}
	if got := countObjects(t, b); got != 2 {
		t.Errorf("%d objects for two contents (one posted twice), want 2", got)
	}

	// An orphan: a body written for a post whose commit never came.
	orphan := []byte("a body whose post failed")
	if err := b.Put(ctx, hash(orphan), orphan); err != nil {
		t.Fatal(err)
	}
	// Inside the grace it stays: its post may still be under way.
	res, err := blobstore.NewSweeper(w.s, b, nil).Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.BucketDeleted != 0 || res.BucketYoung != 3 || !exists(t, b, orphan) {
		t.Errorf("sweep inside the grace: %+v, orphan there %v; want nothing deleted", res, exists(t, b, orphan))
	}
	// Past the grace it goes, and what messages point to stays.
	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	res, err = blobstore.NewSweeper(w.s, b, &blobstore.SweepOptions{Now: later}).Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.BucketDeleted != 1 || exists(t, b, orphan) {
		t.Errorf("sweep past the grace: %+v, orphan there %v; want it deleted", res, exists(t, b, orphan))
	}
	if !exists(t, b, receipt) || !exists(t, b, pdf) {
		t.Error("the sweep deleted a body a message points to")
	}
	if got := readFile(t, w.s, msgs[0].Files[0]); !bytes.Equal(got, receipt) {
		t.Errorf("after the sweep the receipt reads %q", got)
	}
}

// The bodies kept in Postgres: one per content, and those of a deleted
// message swept with its previews.
func TestDatabaseBodiesSwept(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	ctx := t.Context()
	kept, gone := []byte("%PDF-1.4 kept"), []byte("%PDF-1.4 deleted with its message")
	w.post(t, "Keep this.", threads.NewFile{Name: "kept.pdf", Data: kept})
	m := w.post(t, "Delete this.", threads.NewFile{Name: "gone.pdf", Data: gone})
	w.post(t, "And again.", threads.NewFile{Name: "kept again.pdf", Data: kept})
	if err := w.s.SavePreview(ctx, sum(gone), 320, "image/png", []byte("preview")); err != nil {
		t.Fatal(err)
	}
	if got := w.bodies(t); got != 2 {
		t.Fatalf("%d bodies for two contents, want 2", got)
	}
	if _, err := w.db.ExecContext(ctx, `DELETE FROM messages WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	res, err := blobstore.NewSweeper(w.s, nil, nil).Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.DBDeleted != 1 || w.bodies(t) != 1 {
		t.Errorf("sweep: %+v, %d bodies left; want the deleted message's body gone", res, w.bodies(t))
	}
	if _, _, err := w.s.Preview(ctx, sum(gone), 320); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("preview of the deleted content: %v, want ErrNotFound", err)
	}
	msgs, err := w.s.Messages(ctx, w.txn.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if got := readFile(t, w.s, m.Files[0]); !bytes.Equal(got, kept) {
			t.Errorf("%s reads %q after the sweep", m.Files[0].Name, got)
		}
	}
}

// A body left by a deleted message and posted again while a sweep runs is
// either kept or written again: the new file always has its body.
func TestDatabaseSweepRacesPosts(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	ctx := t.Context()
	data := []byte("%PDF-1.4 posted, deleted and posted again")
	for i := range 30 {
		m := w.post(t, "First.", threads.NewFile{Name: "a.pdf", Data: data})
		_, err := w.db.ExecContext(ctx, `DELETE FROM messages WHERE id = $1`, m.ID)
		check(t, err)
		swept := make(chan error, 1)
		go func() { _, err := w.s.SweepFileBodies(ctx); swept <- err }()
		again := w.post(t, "Again.", threads.NewFile{Name: "b.pdf", Data: data})
		check(t, <-swept)
		msgs, err := w.s.Messages(ctx, w.txn.ID)
		check(t, err)
		for _, m := range msgs {
			if m.ID == again.ID {
				if got := readFile(t, w.s, m.Files[0]); !bytes.Equal(got, data) {
					t.Fatalf("round %d: the file posted during the sweep reads %q", i, got)
				}
			}
		}
		_, err = w.db.ExecContext(ctx, `DELETE FROM messages WHERE id = $1`, again.ID)
		check(t, err)
	}
}

// Run sweeps on its own, in the one process that holds the lock.
func TestSweeperRuns(t *testing.T) {
	t.Parallel()
	b := openBucket(t, "file://"+filepath.ToSlash(t.TempDir()))
	w := newWorld(t, b)
	orphan := []byte("an orphan")
	if err := b.Put(t.Context(), hash(orphan), orphan); err != nil {
		t.Fatal(err)
	}
	held, ok, err := w.s.TryLock(t.Context(), "files:sweep")
	if err != nil || !ok {
		t.Fatalf("take the sweep lock: %v %v", ok, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		blobstore.NewSweeper(w.s, b, &blobstore.SweepOptions{Interval: 10 * time.Millisecond, Grace: time.Nanosecond}).Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(100 * time.Millisecond) // several rounds, all skipped
	if !exists(t, b, orphan) {
		t.Fatal("swept while another process held the lock")
	}
	held.Release()
	for deadline := time.Now().Add(20 * time.Second); exists(t, b, orphan); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the orphan was not swept once the lock was free")
		}
	}
}

func TestKeys(t *testing.T) {
	h := hash([]byte("x"))
	if got, want := blobstore.Key(h), "files/"+h[:2]+"/"+h; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	b := openBucket(t, "file://"+filepath.ToSlash(t.TempDir()))
	for _, bad := range []string{"../../etc/passwd", strings.ToUpper(h), h[:10], ""} {
		if err := b.Put(t.Context(), bad, []byte("x")); err == nil {
			t.Errorf("Put(%q) wrote", bad)
		}
		if _, err := b.Open(t.Context(), bad); !errors.Is(err, threads.ErrNotFound) {
			t.Errorf("Open(%q): %v, want ErrNotFound", bad, err)
		}
	}
	if _, err := b.Open(t.Context(), hash([]byte("never written"))); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("Open of a missing body: %v, want ErrNotFound", err)
	}
}

func TestOpenRefusesBadURLs(t *testing.T) {
	for _, url := range []string{"ftp://files", "s3://b?no_such_option=1", "not a url"} {
		if b, err := blobstore.Open(t.Context(), url); err == nil {
			b.Close()
			t.Errorf("Open(%q) succeeded", url)
		}
	}
}

type world struct {
	s             *threads.Store
	db            *sqlx.DB // the store's, for rows no method reaches
	author, other threads.Person
	txn           threads.Transaction
}

func newWorld(t *testing.T, b *blobstore.Bucket) *world {
	t.Helper()
	ctx := t.Context()
	opts := &threads.Options{TokenKey: []byte("0123456789abcdef0123456789abcdef")}
	if b != nil {
		opts.Bucket = b
	}
	db := pgtest.DB(t)
	s, err := threads.NewStore(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{s: s, db: db}
	c, err := s.UpsertCompany(ctx, "harbor", "Harbor Tools")
	check(t, err)
	w.author = person(t, s, "p-acc", "Avery Ledger", "avery@firm.test")
	w.other = person(t, s, "p-cli", "Dana Client", "dana@harbor.test")
	check(t, s.SetMembership(ctx, c.ID, w.author.ID, threads.RoleAccountant))
	check(t, s.SetMembership(ctx, c.ID, w.other.ID, threads.RoleClient))
	w.txn, err = s.UpsertTransaction(ctx, c.ID, threads.TransactionInput{ExternalID: "inv-1", Kind: threads.KindInvoice,
		Number: "A-1", Date: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), AmountMinor: 9950, Currency: "usd", Posted: true})
	check(t, err)
	return w
}

func person(t *testing.T, s *threads.Store, id, name, email string) threads.Person {
	t.Helper()
	p, err := s.UpsertPerson(t.Context(), threads.PersonInput{ExternalID: id, Name: name,
		Emails: []threads.EmailAddress{{Address: email, Verified: true}}})
	check(t, err)
	return p
}

func (w *world) post(t *testing.T, body string, files ...threads.NewFile) threads.Message {
	t.Helper()
	m, err := w.s.PostMessage(t.Context(), threads.NewMessage{TransactionID: w.txn.ID, AuthorID: w.author.ID,
		RecipientID: w.other.ID, Body: body, Source: threads.SourceWeb, Files: files})
	check(t, err)
	return m
}

func (w *world) bodies(t *testing.T) int {
	t.Helper()
	var n int
	check(t, w.db.GetContext(t.Context(), &n, `SELECT count(*) FROM attachment_bodies`))
	return n
}

func readFile(t *testing.T, s *threads.Store, f threads.File) []byte {
	t.Helper()
	r, err := s.OpenFile(t.Context(), f)
	if err != nil {
		t.Fatalf("open %s: %v", f.Name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	check(t, err)
	return data
}

func countObjects(t *testing.T, b *blobstore.Bucket) int {
	t.Helper()
	n := 0
	for range b.Hashes(t.Context()) {
		n++
	}
	return n
}

func exists(t *testing.T, b *blobstore.Bucket, data []byte) bool {
	t.Helper()
	ok, err := b.Exists(t.Context(), hash(data))
	check(t, err)
	return ok
}

func sum(data []byte) []byte { s := sha256.Sum256(data); return s[:] }

func hash(data []byte) string { return hex.EncodeToString(sum(data)) }

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
