package replytext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkCorpus extracts every reply body of a corpus directory
// (MAILBOT_REPLY_CORPUS, default ../../../shared/corpus/replies: a
// measurement corpus, not part of this repository) and reports bodies per
// second and the slowest single body.
func BenchmarkCorpus(b *testing.B) {
	dir := os.Getenv("MAILBOT_REPLY_CORPUS")
	if dir == "" {
		dir = "../../../shared/corpus/replies"
	}
	var bodies []string
	var html []bool
	for _, ext := range []string{"txt", "html"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*."+ext))
		for _, f := range files {
			if strings.HasSuffix(f, ".expected.txt") {
				continue
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			bodies, html = append(bodies, string(raw)), append(html, ext == "html")
		}
	}
	if len(bodies) == 0 {
		b.Skipf("no corpus at %s; set MAILBOT_REPLY_CORPUS", dir)
	}
	var slowest time.Duration
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		for i, body := range bodies {
			t0 := time.Now()
			if html[i] {
				ExtractHTML(body)
			} else {
				Extract(body)
			}
			slowest = max(slowest, time.Since(t0))
			n++
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "bodies/s")
	b.ReportMetric(float64(slowest.Microseconds())/1000, "slowest-ms")
}
