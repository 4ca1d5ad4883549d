package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lib/pq"

	"mailbot/templates"
	"mailbot/threads"
)

// Live passes the database's announcements of conversation changes
// (threads.ActivityChannel) to the pages open on this instance, as
// Server-Sent Events. Every instance listens, so a message posted through
// one shows on pages served by another.
type Live struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
	done bool
}

// subscriber is one open page: a transaction's, or a company's (txn 0).
type subscriber struct {
	companyID, txnID int64
	wake             chan struct{}
}

// Listen starts listening until ctx ends; open event streams end then too,
// so a shutdown does not wait for them.
func Listen(ctx context.Context, databaseURL string, log *slog.Logger) (*Live, error) {
	l := pq.NewListener(databaseURL, time.Second, time.Minute, nil)
	if err := l.Listen(threads.ActivityChannel); err != nil {
		l.Close()
		return nil, fmt.Errorf("web: listen for activity: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lv := &Live{subs: map[*subscriber]struct{}{}}
	go func() {
		defer l.Close()
		defer lv.close()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-l.Notify:
				if n == nil { // reconnected: announcements may have been missed
					lv.announce(nil)
					continue
				}
				a, err := threads.ParseActivity(n.Extra)
				if err != nil {
					log.Warn("live: activity", slog.String("error", err.Error()))
					continue
				}
				lv.announce(&a)
			}
		}
	}()
	return lv, nil
}

// announce wakes the pages a change concerns; nil wakes them all.
func (lv *Live) announce(a *threads.Activity) {
	lv.mu.Lock()
	defer lv.mu.Unlock()
	for s := range lv.subs {
		if a == nil || s.companyID == a.CompanyID && (s.txnID == 0 || s.txnID == a.TransactionID) {
			select {
			case s.wake <- struct{}{}:
			default: // one is waiting already: changes coalesce
			}
		}
	}
}

func (lv *Live) subscribe(companyID, txnID int64) (*subscriber, func()) {
	s := &subscriber{companyID: companyID, txnID: txnID, wake: make(chan struct{}, 1)}
	lv.mu.Lock()
	defer lv.mu.Unlock()
	if lv.done {
		close(s.wake)
		return s, func() {}
	}
	lv.subs[s] = struct{}{}
	return s, func() {
		lv.mu.Lock()
		defer lv.mu.Unlock()
		if _, ok := lv.subs[s]; ok {
			delete(lv.subs, s)
			close(s.wake)
		}
	}
}

func (lv *Live) close() {
	lv.mu.Lock()
	defer lv.mu.Unlock()
	lv.done = true
	for s := range lv.subs {
		delete(lv.subs, s)
		close(s.wake)
	}
}

// keepAlive is how often an idle stream sends a comment, so proxies do not
// close it.
const keepAlive = 25 * time.Second

// stream sends an event named "change" each time the subscriber is woken,
// until the client goes or the server stops.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, companyID, txnID int64) {
	flusher, ok := w.(http.Flusher)
	if s.opts.Live == nil || !ok {
		http.Error(w, "live updates are off", http.StatusNotFound)
		return
	}
	sub, cancel := s.opts.Live.subscribe(companyID, txnID)
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	fmt.Fprint(w, "retry: 2000\n\n")
	flusher.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case _, open := <-sub.wake:
			if !open {
				return
			}
			fmt.Fprint(w, "event: change\ndata: \n\n")
		case <-tick.C:
			fmt.Fprint(w, ": still here\n\n")
		}
		flusher.Flush()
	}
}

// transactionEvents streams the changes of one transaction's conversation.
func (s *Server) transactionEvents(w http.ResponseWriter, r *http.Request) {
	txn, err := s.txnInPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.stream(w, r, txn.CompanyID, txn.ID)
}

// companyEvents streams the changes of a company's conversations, for its
// home's Conversation count.
func (s *Server) companyEvents(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	companyID, err := pathID(r, "company")
	if err == nil {
		_, err = s.store.MemberRole(r.Context(), companyID, v.Person.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.stream(w, r, companyID, 0)
}

// liveScript is the page's script that follows the event stream.
func liveScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.ServeFileFS(w, r, templates.FS, "files/web/live.js")
}
