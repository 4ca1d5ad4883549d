// Package bench measures the service as it runs, in process: replies from an
// IMAP mailbox to committed posts, posted messages to emails accepted by
// SMTP, and the heaviest pages.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"mailbot/mailbot/mailin"
	"mailbot/mailbot/mailout"
	"mailbot/threads"
)

// Names are the benchmarks Run knows.
var Names = []string{"ingest", "notify", "web"}

// Options say what to measure against. The zero value runs everything in
// process, on a throwaway Postgres cluster.
type Options struct {
	DatabaseURL string // empty: a throwaway cluster
	// IMAP, when its Addr is set, is a real server ingest appends to and reads.
	IMAP mailin.IMAPOptions
	// SMTP, when its Addr is set, is a real server notify sends to.
	SMTP mailout.SMTPOptions
	// AttachKB, when above 0, gives every ingested reply a PDF of this many KiB.
	AttachKB int
	// StoreOptions are the options of the bench's store, given its database
	// and reply-token key: where file bodies go, the languages.
	StoreOptions func(databaseURL string, tokenKey []byte) *threads.Options
	// CPUProfile, when set, receives a CPU profile of the web bench's
	// requests (not of its seeding): where a page's time goes.
	CPUProfile io.Writer
}

// Service builds the service's parts from settings as serve would read them
// (DATABASE_URL, MAILBOT_IMAP_ADDR, …), so the bench measures the code that
// serve runs.
type Service struct {
	Intakes func(ctx context.Context, settings func(string) string, store *threads.Store) (Starter, error)
	Outbox  func(settings func(string) string, store *threads.Store) (Starter, error)
	Handler func(store *threads.Store) (http.Handler, error)
}

// Starter runs a built part of the service until ctx ends; wait waits for
// it to stop.
type Starter func(ctx context.Context) (wait func(), err error)

// Result is one run's figures, printed as a table or as JSON.
type Result struct {
	Bench   string             `json:"bench"`
	N       int                `json:"n"`
	Figures map[string]float64 `json:"figures"`
	order   []string
}

func (r *Result) set(name string, v float64) {
	if r.Figures == nil {
		r.Figures = map[string]float64{}
	}
	r.Figures[name] = v
	r.order = append(r.order, name)
}

// Print writes the figures as a table, or as one JSON object.
func (r Result) Print(out io.Writer, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(out).Encode(r)
	}
	fmt.Fprintf(out, "bench %s, n=%d\n", r.Bench, r.N)
	for _, k := range r.order {
		fmt.Fprintf(out, "  %-22s %12.1f\n", k, r.Figures[k])
	}
	return nil
}

// Run runs benchmark name (one of Names) with n replies, messages or
// requests, and adds the process's peak memory.
func Run(ctx context.Context, name string, n int, o Options, svc Service) (Result, error) {
	b, err := newWorld(ctx, o, svc)
	if err != nil {
		return Result{}, err
	}
	defer b.close()
	var res Result
	switch name {
	case "ingest":
		res, err = b.ingest(ctx, n)
	case "notify":
		res, err = b.notify(ctx, n)
	case "web":
		res, err = b.web(ctx, n)
	default:
		err = fmt.Errorf("bench: no benchmark %q", name)
	}
	if err != nil {
		return res, err
	}
	res.set("peak_rss_mib", peakRSSMiB())
	return res, nil
}

// percentile of sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(float64(len(sorted))*p), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// peakRSSMiB is the process's peak resident memory.
func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb / 1024
		}
	}
	return 0
}
