package mailout_test

import (
	"sync"
	"testing"
	"time"

	"mailbot/mailbot/mailout"
)

// BenchmarkDeliver measures notifications per second from committed messages
// to accepted by a local go-smtp server, with connection reuse, for one and
// for four workers. Posting happens outside the timer.
func BenchmarkDeliver(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(map[int]string{1: "workers=1", 4: "workers=4"}[workers], func(b *testing.B) {
			f := newFixture(b)
			postMany(b, f, b.N)
			ws := make([]*mailout.Worker, workers)
			for i := range ws {
				ws[i] = f.worker(b, f.smtp.Addr, &mailout.WorkerOptions{Batch: 100})
			}
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for _, w := range ws {
				wg.Go(func() { drain(b, w, b.N) })
			}
			wg.Wait()
			b.StopTimer()
			if got := len(f.smtp.Messages()); got != b.N {
				b.Fatalf("delivered %d of %d", got, b.N)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "notifications/s")
		})
	}
}
