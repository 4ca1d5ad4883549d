package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"mailbot/threads"
	"mailbot/web"
)

// web measures n requests each of the company home and a transaction page
// with 1,000 messages, 4 at a time.
func (b *world) web(ctx context.Context, n int) (Result, error) {
	res := Result{Bench: "web", N: n}
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
	h, err := b.svc.Handler(b.store)
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
	if b.target.CPUProfile != nil {
		if err := pprof.StartCPUProfile(b.target.CPUProfile); err != nil {
			return res, fmt.Errorf("bench: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
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
