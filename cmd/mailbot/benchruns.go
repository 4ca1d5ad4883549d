package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"mailbot/threads"
	"mailbot/web"
)

// benchReply is reply i as one of four common shapes: plain text with a
// quote, HTML only, Latin-1 text, and text with an attachment.
func (b *benchWorld) benchReply(i int, tag string) []byte {
	c := i % len(b.clients)
	from := b.clients[c].PrimaryEmail()
	head := fmt.Sprintf("From: Bench Person <%s>\r\nTo: reply+%s@reply.bench.test\r\nSubject: Re: Invoice B-1\r\n"+
		"Message-ID: <%s-%d@bench.test>\r\nDate: %s\r\nMIME-Version: 1.0\r\n", from, b.tokens[c], tag, i,
		time.Now().Format(time.RFC1123Z))
	quote := "On Mon, 2 Mar 2026 at 09:14, Avery via Mailbot <notifications@bench.test> wrote:\r\n> What was this charge for?\r\n"
	if b.target.attachKB > 0 {
		return []byte(head + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nReply " +
			fmt.Sprint(i) + ", receipt attached.\r\n\r\n" + quote + "--b\r\nContent-Type: application/pdf\r\n" +
			"Content-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			benchFile(i, b.target.attachKB) + "--b--\r\n")
	}
	switch i % 4 {
	case 1:
		return []byte(head + "Content-Type: text/html; charset=utf-8\r\n\r\n<div>Reply " + fmt.Sprint(i) +
			": it was the spring order.</div><div class=\"gmail_quote\">" + quote + "</div>\r\n")
	case 2:
		return []byte(head + "Content-Type: text/plain; charset=iso-8859-1\r\n\r\nRespuesta " + fmt.Sprint(i) +
			": la compra de primavera, se\xf1or.\r\n\r\n" + quote)
	case 3:
		return []byte(head + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nReply " +
			fmt.Sprint(i) + ", receipt attached.\r\n\r\n" + quote + "--b\r\nContent-Type: application/pdf\r\n" +
			"Content-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			"JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n--b--\r\n")
	}
	return []byte(head + "Content-Type: text/plain; charset=utf-8\r\n\r\nReply " + fmt.Sprint(i) +
		": it was the spring order.\r\n\r\n" + quote)
}

// benchFile is reply i's own PDF of kb KiB, in base64 lines: every reply's
// content differs, so each is stored.
func benchFile(i, kb int) string {
	data := make([]byte, kb<<10)
	copy(data, "%PDF-1.4\n")
	r := rand.New(rand.NewPCG(uint64(i), 7))
	for j := 9; j < len(data); j++ {
		data[j] = byte(r.Uint32())
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var out strings.Builder
	for len(enc) > 76 {
		out.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc + "\r\n")
	return out.String()
}

// ingest puts n replies into the service's mailbox and reads them with the
// real poller; then sends n/4 more at half the measured rate for latency.
func (b *benchWorld) ingest(ctx context.Context, n int) (benchResult, error) {
	res := benchResult{Bench: "ingest", N: n}
	cfg, err := b.config("http://127.0.0.1")
	if err != nil {
		return res, err
	}
	before, err := b.store.InboundCount(ctx)
	if err != nil {
		return res, err
	}
	for i := range n {
		if err := b.deliver(b.benchReply(i, "load")); err != nil {
			return res, err
		}
	}
	in, err := newIntakes(ctx, cfg.In, b.store, slog.New(slog.DiscardHandler))
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancel(ctx)
	start := time.Now()
	wait := in.start(ctx, slog.New(slog.DiscardHandler))
	defer func() { cancel(); wait() }()
	if err := b.waitInbound(ctx, before+n); err != nil {
		return res, err
	}
	rate := float64(n) / time.Since(start).Seconds()
	res.set("replies_per_s", rate)
	lat, err := b.pacedLatency(ctx, max(n/4, 20), rate/2, before+n)
	if err != nil {
		return res, err
	}
	res.set("latency_p50_ms", percentile(lat, 0.50))
	res.set("latency_p95_ms", percentile(lat, 0.95))
	res.set("latency_p99_ms", percentile(lat, 0.99))
	return res, nil
}

// pacedLatency delivers m replies at rate per second and measures delivery
// to committed row for each.
func (b *benchWorld) pacedLatency(ctx context.Context, m int, rate float64, already int) ([]time.Duration, error) {
	sent := map[string]time.Time{}
	gap := time.Duration(float64(time.Second) / max(rate, 1))
	for i := range m {
		sent[fmt.Sprintf("paced-%d@bench.test", i)] = time.Now()
		if err := b.deliver(b.benchReply(i, "paced")); err != nil {
			return nil, err
		}
		time.Sleep(gap)
	}
	if err := b.waitInbound(ctx, already+m); err != nil {
		return nil, err
	}
	processed, err := b.store.InboundProcessedAt(ctx, "paced-", b.senders())
	if err != nil {
		return nil, err
	}
	var lat []time.Duration
	for id, done := range processed {
		if at, ok := sent[id]; ok && done.After(at) {
			lat = append(lat, done.Sub(at))
		}
	}
	slices.Sort(lat)
	return lat, nil
}

func (b *benchWorld) waitInbound(ctx context.Context, n int) error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		got, err := b.store.InboundCount(ctx)
		if err != nil {
			return err
		}
		if got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: only %d of %d mails recorded after 10 minutes", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// notify posts n messages at once and lets the real outbox workers send them
// to the SMTP server: the rate, and the latency of that burst (mostly
// queueing). Then it posts n/4 more at half that rate for the latency of one
// notification, post to accepted.
func (b *benchWorld) notify(ctx context.Context, n int) (benchResult, error) {
	res := benchResult{Bench: "notify", N: n}
	cfg, err := b.config("http://127.0.0.1")
	if err != nil {
		return res, err
	}
	workers, err := outboxWorkers(cfg, b.store, slog.New(slog.DiscardHandler), nil, nil)
	if err != nil {
		return res, err
	}
	before, err := b.store.LastOutboxID(ctx)
	if err != nil {
		return res, err
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				if err := b.postToClient(ctx, i, fmt.Sprintf("Message %d: could you send the receipt?", i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	// The posting goroutines hold ctx; the workers get their own.
	workCtx, cancel := context.WithCancel(ctx)
	stop, err := startWorkers(workCtx, b.store, workers)
	if err != nil {
		cancel()
		return res, err
	}
	defer func() { cancel(); stop() }()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	if err := b.waitOutbox(ctx, before, n, 10*time.Minute); err != nil {
		return res, err
	}
	rate := float64(n) / time.Since(start).Seconds()
	res.set("notifications_per_s", rate)
	burst, err := b.store.SentLatencies(ctx, before, 0.5, 0.99)
	if err != nil {
		return res, err
	}
	res.set("burst_latency_p50_ms", burst[0])
	res.set("burst_latency_p99_ms", burst[1])
	// Then a steady stream at half that rate: post to accepted, one by one.
	if before, err = b.store.LastOutboxID(ctx); err != nil {
		return res, err
	}
	m := max(n/4, 20)
	gap := time.Duration(float64(time.Second) / max(rate/2, 1))
	for i := range m {
		if err := b.postToClient(ctx, i, fmt.Sprintf("Paced message %d", i)); err != nil {
			return res, err
		}
		time.Sleep(gap)
	}
	if err := b.waitOutbox(ctx, before, m, time.Minute); err != nil {
		return res, err
	}
	paced, err := b.store.SentLatencies(ctx, before, 0.5, 0.95, 0.99)
	if err != nil {
		return res, err
	}
	res.set("latency_p50_ms", paced[0])
	res.set("latency_p95_ms", paced[1])
	res.set("latency_p99_ms", paced[2])
	return res, nil
}

// postToClient posts a message from the accountant to client i (round robin).
func (b *benchWorld) postToClient(ctx context.Context, i int, body string) error {
	_, err := b.store.PostMessage(ctx, threads.NewMessage{TransactionID: b.invoice.ID, AuthorID: b.accountant.ID,
		RecipientID: b.clients[i%len(b.clients)].ID, Body: body, Source: threads.SourceWeb})
	return err
}

// waitOutbox waits until n notifications queued after outbox row after
// were handled.
func (b *benchWorld) waitOutbox(ctx context.Context, after int64, n int, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		done, err := b.store.OutboxHandledAfter(ctx, after)
		if err != nil {
			return err
		}
		if done >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: only %d of %d notifications handled after %s", done, n, timeout)
		}
	}
}

// web measures n requests each of the company home and a transaction page
// with 1,000 messages, 4 at a time.
func (b *benchWorld) web(ctx context.Context, n int) (benchResult, error) {
	res := benchResult{Bench: "web", N: n}
	for i := range 1000 {
		if _, err := b.store.PostMessage(ctx, threads.NewMessage{TransactionID: b.invoice.ID, AuthorID: b.clients[0].ID,
			RecipientID: b.accountant.ID, Body: fmt.Sprintf("Message %d: the receipt is attached.\nThanks.", i), Source: threads.SourceEmail}); err != nil {
			return res, err
		}
	}
	hash, err := web.HashPassword("bench-password")
	if err != nil {
		return res, err
	}
	if err := b.store.SetPasswordHash(ctx, b.accountant.ID, hash); err != nil {
		return res, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	h, err := handler(b.store, web.Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}, nil, nil, nil)
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(base+"/login", url.Values{"email": {b.accountant.PrimaryEmail()}, "password": {"bench-password"}})
	if err != nil {
		return res, err
	}
	resp.Body.Close()
	for _, page := range []struct{ name, path string }{
		{"company_home", fmt.Sprintf("/companies/%d", b.company.ID)},
		{"transaction_1000", fmt.Sprintf("/companies/%d/transactions/%d", b.company.ID, b.invoice.ID)},
	} {
		rps, lat, err := hammer(client, base+page.path, n, 4)
		if err != nil {
			return res, err
		}
		res.set(page.name+"_rps", rps)
		res.set(page.name+"_p99_ms", percentile(lat, 0.99))
	}
	return res, nil
}

// hammer sends n GETs, c at a time, and returns requests per second and the
// sorted latencies.
func hammer(client *http.Client, u string, n, c int) (float64, []time.Duration, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for g := range c {
		wg.Go(func() {
			for i := g; i < n; i += c {
				t0 := time.Now()
				resp, err := client.Get(u)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("GET %s: %s", u, resp.Status)
					}
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return float64(n) / time.Since(start).Seconds(), lat, firstErr
}

func (b *benchWorld) senders() []string {
	var out []string
	for _, c := range b.clients {
		out = append(out, c.PrimaryEmail())
	}
	return out
}
