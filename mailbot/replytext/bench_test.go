package replytext_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mailbot/mailbot/inbound"
	"mailbot/mailbot/replytext"
)

// corpusBody is one input of the corpus benchmark: a bare body, or the
// body and sender of a whole message (parsed before timing starts).
type corpusBody struct {
	text string
	html bool
	opts *replytext.Options
}

// BenchmarkCorpus extracts every reply of a corpus directory
// (MAILBOT_REPLY_CORPUS, default ../../../shared/corpus/replies: a
// measurement corpus, not part of this repository): .txt and .html bodies,
// and the body of each .eml message with its sender. It reports bodies per
// second and the slowest single body (by its fastest run).
func BenchmarkCorpus(b *testing.B) {
	dir := os.Getenv("MAILBOT_REPLY_CORPUS")
	if dir == "" {
		dir = "../../../shared/corpus/replies"
	}
	bodies := readCorpus(b, dir)
	if len(bodies) == 0 {
		b.Skipf("no corpus at %s; set MAILBOT_REPLY_CORPUS", dir)
	}
	// Each body's fastest run is its cost; the slowest body is the one
	// whose fastest run is longest (a pause of the collector or the
	// machine is not the input's).
	best := make([]time.Duration, len(bodies))
	for i := range best {
		best[i] = time.Hour
	}
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		for i, c := range bodies {
			t0 := time.Now()
			if c.html {
				replytext.ExtractHTMLWith(c.text, c.opts)
			} else {
				replytext.ExtractWith(c.text, c.opts)
			}
			best[i] = min(best[i], time.Since(t0))
			n++
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "bodies/s")
	b.ReportMetric(float64(slices.Max(best).Microseconds())/1000, "slowest-ms")
}

func readCorpus(b *testing.B, dir string) []corpusBody {
	var bodies []corpusBody
	for _, ext := range []string{"txt", "html", "eml"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*."+ext))
		for _, f := range files {
			if strings.HasSuffix(f, ".expected.txt") {
				continue
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			switch ext {
			case "eml":
				m, err := inbound.Parse(raw, inbound.Limits{})
				if err != nil {
					continue
				}
				opts := &replytext.Options{SenderName: m.FromName, SenderAddress: m.From}
				if m.HTMLOnly {
					bodies = append(bodies, corpusBody{m.HTML, true, opts})
				} else {
					bodies = append(bodies, corpusBody{m.Text, false, opts})
				}
			default:
				bodies = append(bodies, corpusBody{string(raw), ext == "html", nil})
			}
		}
	}
	return bodies
}

// BenchmarkLargeBody extracts a 10 MB body of ordinary lines: time must
// grow linearly with the input.
func BenchmarkLargeBody(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 10<<20 {
		sb.WriteString("The invoice of 3/3/2026 for 1,250.00 EUR: see www.example.test or call +44 20 7946 0000.\n")
		sb.WriteString("Regards,\n\n> On Tue, Avery wrote:\n> | quoted\n-- \nFrom: x\n\n")
	}
	body := sb.String()
	for b.Loop() {
		replytext.Extract(body)
	}
}
