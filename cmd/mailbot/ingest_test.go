package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"mailbot/internal/imaptest"
	"mailbot/internal/pgtest"
	"mailbot/internal/smtptest"
	"mailbot/threads"
)

// seededReply seeds the demo data in url and returns a reply from the first
// client to the first accountant's message, as a mail client writes it.
func seededReply(t *testing.T, url, body string) []byte {
	t.Helper()
	store, world, err := openDemoStore(t.Context(), url, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	client := world.People[2].Person // Dana Harbor, in the seeded conversation
	token, err := store.ReplyTokenFor(t.Context(), client.ID, world.Transactions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(fmt.Sprintf("From: %s <%s>\r\nTo: reply+%s@reply.example.test\r\nSubject: Re: Invoice\r\n"+
		"Message-ID: <%d@client.test>\r\n\r\n%s\r\n\r\nOn Mon, Avery <a@b.test> wrote:\r\n> earlier\r\n",
		client.Name, client.PrimaryEmail(), token, time.Now().UnixNano(), body))
}

func TestIngestCommand(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	raw := seededReply(t, url, "Piped in by the MTA.")
	env := envOf(serveEnv(url, "127.0.0.1:25"))
	var out bytes.Buffer
	if err := ingestFrom(t.Context(), nil, env, bytes.NewReader(raw), &out); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if !strings.Contains(out.String(), ": posted") {
		t.Errorf("output %q", out.String())
	}
	out.Reset()
	if err := ingestFrom(t.Context(), nil, env, bytes.NewReader(raw), &out); err != nil || !strings.Contains(out.String(), "seen before") {
		t.Errorf("second ingest: %v, %q", err, out.String())
	}
	// Garbage is recorded too, and exits 0.
	if err := ingestFrom(t.Context(), nil, env, strings.NewReader("\x00\x01 not mail"), &out); err != nil {
		t.Errorf("garbage: %v", err)
	}
	// Without a database it exits 75 so the MTA retries.
	bad := envOf(serveEnv("postgres://x@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "127.0.0.1:25"))
	err := ingestFrom(t.Context(), nil, bad, bytes.NewReader(raw), &out)
	var exit *exitError
	if !errors.As(err, &exit) || exit.code != exTempFail {
		t.Errorf("ingest without a database: %v, want exit status 75", err)
	}
}

func TestServeWithIntakes(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	raw := seededReply(t, url, "Replied through the mailbox.")
	relay := smtptest.Start(t)
	imap := imaptest.Start(t)
	httpAddr, smtpAddr := smtptest.FreeAddr(t), smtptest.FreeAddr(t)
	env := with(serveEnv(url, relay.Addr), "MAILBOT_HTTP_ADDR", httpAddr, "MAILBOT_IMAP_ADDR", imap.Addr,
		"MAILBOT_IMAP_TLS", "none", "MAILBOT_IMAP_USERNAME", imap.Username, "MAILBOT_IMAP_PASSWORD", "wrong",
		"MAILBOT_SMTP_LISTEN", smtpAddr, "MAILBOT_IMAP_POLL", "2s")
	if err := runServe(t.Context(), nil, envOf(env), &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "MAILBOT_IMAP") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("serve with a bad IMAP password: %v, want a one-line error naming MAILBOT_IMAP_*", err)
	}
	env["MAILBOT_IMAP_PASSWORD"] = imap.Password
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, nil, envOf(env), &bytes.Buffer{}) }()
	waitHTTP(t, "http://"+httpAddr+"/readyz")
	imaptest.Append(t, imap.Client(t), raw)
	// The accountant is told of the reply by email.
	deadline := time.Now().Add(15 * time.Second)
	for !received(relay, "Replied through the mailbox.") {
		if time.Now().After(deadline) {
			t.Fatal("the reply did not reach the other side")
		}
		relay.WaitFor(len(relay.Messages())+1, 100*time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve stopped with %v", err)
	}
	store, _ := threads.Open(t.Context(), url)
	defer store.Close()
	var posted int
	store.Get(&posted, `SELECT count(*) FROM messages WHERE source = 'email'`)
	if posted != 1 {
		t.Errorf("%d email posts, want 1", posted)
	}
}

func TestPasswordCommand(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	seededReply(t, url, "seed") // seeds the demo people
	env := envOf(map[string]string{"DATABASE_URL": url})
	var out bytes.Buffer
	if err := passwordFrom(t.Context(), []string{"dana@harbortools.test"}, env, strings.NewReader("a fresh secret\n"), &out); err != nil {
		t.Fatal(err)
	}
	db, _ := threads.Open(t.Context(), url)
	defer db.Close()
	store, _ := threads.NewStore(db, nil)
	_, hash, _ := store.Credentials(t.Context(), "dana@harbortools.test")
	if !strings.HasPrefix(hash, "$2") || strings.Contains(hash, "a fresh secret") {
		t.Errorf("stored hash %q", hash)
	}
	if err := passwordFrom(t.Context(), []string{"dana@harbortools.test"}, env, strings.NewReader("short\n"), &out); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if err := passwordFrom(t.Context(), []string{"nobody@x.test"}, env, strings.NewReader("long enough pw\n"), &out); err == nil {
		t.Error("an unknown address was accepted")
	}
}

// `mailbot password` signs the person out everywhere.
func TestPasswordCommandEndsSessions(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	seededReply(t, url, "seed")
	db, _ := threads.Open(t.Context(), url)
	defer db.Close()
	store, _ := threads.NewStore(db, nil)
	dana, hash, err := store.Credentials(t.Context(), "dana@harbortools.test")
	if err != nil {
		t.Fatal(err)
	}
	session, err := store.CreateSession(t.Context(), dana.ID, hash, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"DATABASE_URL": url})
	if err := passwordFrom(t.Context(), []string{"dana@harbortools.test"}, env, strings.NewReader("a fresh secret\n"), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SessionPerson(t.Context(), session); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("session after a new password: %v, want it ended", err)
	}
}
