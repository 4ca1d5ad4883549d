package mailin

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// maxFailuresPerUID is how often one message may fail before the poller
// leaves it in the mailbox, unseen, and moves on, so that one bad message
// cannot stop every reply behind it.
const maxFailuresPerUID = 5

// sync handles every message with a UID above the last one handled, in
// batches. A message is marked (or moved) only after its result is
// committed; the mailbox state advances past it after that. When
// UIDVALIDITY changed, everything is read again and dedupe keeps posts once.
func (p *Poller) sync(ctx context.Context, c *imapclient.Client, uidValidity uint32) error {
	state, err := p.store.MailboxState(ctx, p.key)
	if err != nil {
		return err
	}
	last := state.LastUID
	if state.UIDValidity != uidValidity {
		if state.UIDValidity != 0 {
			p.log.Warn("UIDVALIDITY changed; reading the whole mailbox again",
				slog.Int64("old", int64(state.UIDValidity)), slog.Int64("new", int64(uidValidity)))
		}
		last = 0
		// Record the new UIDVALIDITY now, so an empty mailbox is not taken
		// for a changed one at every poll.
		if err := p.store.SetMailboxState(ctx, p.key, uidValidity, 0); err != nil {
			return err
		}
	}
	for {
		uids, err := p.newUIDs(c, last)
		if err != nil || len(uids) == 0 {
			return err
		}
		batch := uids[:min(len(uids), p.opts.Batch)]
		before := last
		done, mark, err := p.handleBatch(ctx, c, batch)
		if len(done) > 0 {
			if err := p.finish(ctx, c, mark); err != nil {
				return err
			}
			last = contiguous(batch, done, last)
			if err := p.store.SetMailboxState(ctx, p.key, uidValidity, last); err != nil {
				return err
			}
		}
		if err != nil || last == before {
			return err // no progress: a message vanished mid-batch; look again later
		}
	}
}

// checkUIDNext makes the next sync read the whole mailbox when the server
// broke the promise UIDs make: under an unchanged UIDVALIDITY it would give
// new mail (UIDNEXT) a UID at or below one already handled, as a server that
// keeps mail in memory does after a restart, or one restored from a backup.
// Reading again is safe: mail already recorded dedupes.
func (p *Poller) checkUIDNext(ctx context.Context, sel *imap.SelectData) error {
	state, err := p.store.MailboxState(ctx, p.key)
	if err != nil {
		return err
	}
	if sel.UIDNext == 0 || state.UIDValidity != sel.UIDValidity || uint32(sel.UIDNext) > state.LastUID {
		return nil // 0: the server did not say
	}
	p.log.Warn("UIDNEXT is at or below a UID already handled; reading the whole mailbox again",
		slog.Int64("uid_next", int64(sel.UIDNext)), slog.Int64("last_uid", int64(state.LastUID)))
	p.mu.Lock()
	p.failures = nil // the UIDs counted name other messages now
	p.mu.Unlock()
	return p.store.SetMailboxState(ctx, p.key, sel.UIDValidity, 0)
}

// contiguous is the highest UID of batch (ascending) up to which every
// message is done, or last when the first is not.
func contiguous(batch, done []imap.UID, last uint32) uint32 {
	for _, uid := range batch {
		if !slices.Contains(done, uid) {
			break
		}
		last = uint32(uid)
	}
	return last
}

// newUIDs lists the UIDs above last, ascending. It asks with UID FETCH
// rather than UID SEARCH: every server answers both, and some search by
// reading every message in the mailbox.
func (p *Poller) newUIDs(c *imapclient.Client, last uint32) ([]imap.UID, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0)
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("imap: list new mail: %w", err)
	}
	var uids []imap.UID
	for _, m := range msgs {
		if uint32(m.UID) > last { // "n:*" also matches the highest UID when it is below n
			uids = append(uids, m.UID)
		}
	}
	slices.Sort(uids)
	return uids, nil
}

// handleBatch fetches the messages with BODY.PEEK[] and runs them through
// the pipeline on several workers; one sender's mail stays on one worker,
// in order. done lists the UIDs handled (or given up on); mark those to
// flag as handled (not the ones given up on, which stay unseen).
func (p *Poller) handleBatch(ctx context.Context, c *imapclient.Client, uids []imap.UID) (done, mark []imap.UID, err error) {
	results := make(chan handled, len(uids))
	inFlight := newBudget(maxBytesInFlight)
	lanes := make([]chan fetched, p.opts.Workers)
	var wg sync.WaitGroup
	for i := range lanes {
		lanes[i] = make(chan fetched, len(uids))
		wg.Go(func() {
			for f := range lanes[i] {
				results <- p.handle(ctx, f)
				inFlight.release(int64(len(f.mail.raw)))
			}
		})
	}
	fetchErr := p.fetch(c, uids, func(f fetched) {
		inFlight.acquire(int64(len(f.mail.raw)))
		h := fnv.New32a()
		h.Write([]byte(f.mail.Sender()))
		lanes[h.Sum32()%uint32(len(lanes))] <- f
	})
	for _, l := range lanes {
		close(l)
	}
	wg.Wait()
	close(results)
	for r := range results {
		switch {
		case r.err == nil:
			done, mark = append(done, r.uid), append(mark, r.uid)
		case p.giveUp(r.uid):
			p.log.Error("leaving a message that keeps failing in the mailbox, unseen",
				slog.Int64("uid", int64(r.uid)), slog.String("error", r.err.Error()))
			done = append(done, r.uid)
		case err == nil:
			err = r.err
		}
	}
	slices.Sort(done)
	slices.Sort(mark)
	if err == nil {
		err = fetchErr
	}
	return done, mark, err
}

// maxBytesInFlight bounds the mail a batch holds in memory: the fetch
// waits while the lanes still hold this much.
const maxBytesInFlight = 64 << 20

// budget is a semaphore counted in bytes. One item larger than the whole
// budget still passes when nothing else is held.
type budget struct {
	mu   sync.Mutex
	cond *sync.Cond
	max  int64
	used int64
}

func newBudget(max int64) *budget {
	b := &budget{max: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *budget) acquire(n int64) {
	b.mu.Lock()
	for b.used > 0 && b.used+n > b.max {
		b.cond.Wait()
	}
	b.used += n
	b.mu.Unlock()
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.cond.Broadcast()
	b.mu.Unlock()
}

type fetched struct {
	uid  imap.UID
	mail Mail
	err  error
}

type handled struct {
	uid imap.UID
	err error
}

func (p *Poller) handle(ctx context.Context, f fetched) handled {
	if f.err != nil {
		return handled{f.uid, f.err}
	}
	res, err := p.pipe.IngestMail(ctx, f.mail, "imap", nil)
	if err == nil {
		p.log.Debug("message handled", slog.Int64("uid", int64(f.uid)), slog.Int64("inbound_id", res.InboundID))
	}
	return handled{f.uid, err}
}

// fetch streams the messages' bodies, reading each into memory (bounded by
// the pipeline's size limit) and handing it on.
func (p *Poller) fetch(c *imapclient.Client, uids []imap.UID, each func(fetched)) error {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		each(p.read(msg))
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("imap: fetch: %w", err)
	}
	return nil
}

func (p *Poller) read(msg *imapclient.FetchMessageData) fetched {
	var f fetched
	for {
		item := msg.Next()
		if item == nil {
			f.err = fmt.Errorf("imap: message %d came without a body", msg.SeqNum)
			return f
		}
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			f.uid = item.UID
		case imapclient.FetchItemDataBodySection:
			if item.Literal == nil {
				f.err = fmt.Errorf("imap: message %d has no body", msg.SeqNum)
				return f
			}
			f.mail, f.err = p.pipe.Read(item.Literal)
			return f
		}
	}
}

// giveUp counts a failure of uid and reports whether it reached the limit.
func (p *Poller) giveUp(uid imap.UID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failures == nil {
		p.failures = map[imap.UID]int{}
	}
	p.failures[uid]++
	return uid != 0 && p.failures[uid] >= maxFailuresPerUID
}

// finish marks handled messages \Seen, or moves them.
func (p *Poller) finish(ctx context.Context, c *imapclient.Client, uids []imap.UID) error {
	if len(uids) == 0 {
		return nil
	}
	set := imap.UIDSetNum(uids...)
	if p.opts.MoveTo != "" {
		if _, err := c.Move(set, p.opts.MoveTo).Wait(); err != nil {
			return fmt.Errorf("imap: move to %s: %w", p.opts.MoveTo, err)
		}
		return nil
	}
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, Silent: true}
	if err := c.Store(set, flags, nil).Close(); err != nil {
		return fmt.Errorf("imap: mark seen: %w", err)
	}
	return nil
}
