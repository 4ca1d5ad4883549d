package mailin_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mailbot/internal/imaptest"
	"mailbot/threads"
)

// BenchmarkIMAPIntake measures replies per second through the whole
// pipeline: from messages waiting in an IMAP mailbox to committed thread
// rows with the notification to the other side queued, and \Seen set.
// The mailbox is filled outside the timer.
func BenchmarkIMAPIntake(b *testing.B) {
	f := newFixture(b)
	senders := f.clients(b, 16)
	srv := imaptest.Start(b)
	c := srv.Client(b)
	for i := range b.N {
		imaptest.Append(b, c, senders[i%len(senders)](fmt.Sprintf("Benchmark answer %d.\r\n\r\nThanks,\r\nDana\r\n", i)))
	}
	p := f.benchPoller(b, srv)
	b.ResetTimer()
	start := time.Now()
	stop := runBench(p)
	for f.inboundCount(nil, "posted") < b.N {
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "replies/s")
}

// BenchmarkPipeline measures the pipeline alone: a reply in memory to a
// committed post with its notification queued.
func BenchmarkPipeline(b *testing.B) {
	f := newFixture(b)
	raws := make([][]byte, b.N)
	for i := range raws {
		raws[i] = f.raw(reply{body: fmt.Sprintf("Benchmark answer %d.\r\n\r\nThanks,\r\nDana\r\n", i)})
	}
	b.ResetTimer()
	for i := range b.N {
		if res := f.ingest(b, raws[i]); res.Verdict != "posted" {
			b.Fatalf("verdict %s", res.Verdict)
		}
	}
}

// clients adds n clients to the company, each with a message from the
// accountant, and returns for each a function writing a reply from them.
func (f *fixture) clients(b *testing.B, n int) []func(body string) []byte {
	ctx := context.Background()
	var out []func(string) []byte
	for i := range n {
		email := fmt.Sprintf("client%d@client.test", i)
		p := f.person(b, fmt.Sprintf("bench-%d", i), fmt.Sprintf("Client %d", i), email, threads.RoleClient)
		if _, err := f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID,
			RecipientID: p.ID, Body: "Question?", Source: threads.SourceWeb}); err != nil {
			b.Fatal(err)
		}
		token, _ := f.store.ReplyTokenFor(ctx, p.ID, f.invoice.ID)
		out = append(out, func(body string) []byte {
			return f.raw(reply{from: email, to: "reply+" + token + "@reply.example.test", inReplyTo: "<x@elsewhere.test>", body: body})
		})
	}
	return out
}
