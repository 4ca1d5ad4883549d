package bench

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// benchReply is reply i as one of four common shapes: plain text with a
// quote, HTML only, Latin-1 text, and text with an attachment.
func (b *world) benchReply(i int, tag string) []byte {
	c := i % len(b.clients)
	from := b.clients[c].PrimaryEmail()
	head := fmt.Sprintf("From: Bench Person <%s>\r\nTo: reply+%s@reply.bench.test\r\nSubject: Re: Invoice B-1\r\n"+
		"Message-ID: <%s-%d@bench.test>\r\nDate: %s\r\nMIME-Version: 1.0\r\n", from, b.tokens[c], tag, i,
		time.Now().Format(time.RFC1123Z))
	quote := "On Mon, 2 Mar 2026 at 09:14, Avery via Mailbot <notifications@bench.test> wrote:\r\n> What was this charge for?\r\n"
	if b.target.AttachKB > 0 {
		return []byte(head + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nReply " +
			fmt.Sprint(i) + ", receipt attached.\r\n\r\n" + quote + "--b\r\nContent-Type: application/pdf\r\n" +
			"Content-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			benchFile(i, b.target.AttachKB) + "--b--\r\n")
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
func (b *world) ingest(ctx context.Context, n int) (Result, error) {
	res := Result{Bench: "ingest", N: n}
	before, err := b.store.InboundCount(ctx)
	if err != nil {
		return res, err
	}
	for i := range n {
		if err := b.deliver(b.benchReply(i, "load")); err != nil {
			return res, err
		}
	}
	start, err := b.svc.Intakes(ctx, b.settings("http://127.0.0.1"), b.store)
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancel(ctx)
	began := time.Now()
	wait, err := start(ctx)
	if err != nil {
		cancel()
		return res, err
	}
	defer func() { cancel(); wait() }()
	if err := b.waitInbound(ctx, before+n); err != nil {
		return res, err
	}
	rate := float64(n) / time.Since(began).Seconds()
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
func (b *world) pacedLatency(ctx context.Context, m int, rate float64, already int) ([]time.Duration, error) {
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

func (b *world) waitInbound(ctx context.Context, n int) error {
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

func (b *world) senders() []string {
	var out []string
	for _, c := range b.clients {
		out = append(out, c.PrimaryEmail())
	}
	return out
}
