package projections

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// Feed follows the store with one subscription and keeps the most recent
// events it read, so that the readers of one process (the runner's
// projections, the cycles index) share one read of each new event rather
// than each querying and decoding it again. A reader behind what the feed
// holds, or one whose feed is not running, reads the store itself.
//
// Events handed out are shared between readers: a reader must not change
// them (a Payload is read, never written).
type Feed struct {
	store  eventstore.Store
	size   int
	poll   time.Duration
	logger *slog.Logger

	mu      sync.Mutex
	running bool
	// events holds the positions lo..lo+len(events)-1, without gaps: the
	// store's positions are dense and its subscription delivers them in
	// order. Appends past size drop the oldest.
	events []eventstore.Event
	lo     int64
	more   signal // events were added
}

// feedSize is how many recent events a feed keeps: a live projection
// lingers for a few milliseconds between batches, so it is rarely more than
// a few hundred events behind.
const feedSize = 4096

// NewFeed returns a feed over store; poll is how long a follower waits for
// the feed before reading the store itself (a safety net, like the runner's
// poll; 0: a second).
func NewFeed(store eventstore.Store, poll time.Duration, logger *slog.Logger) *Feed {
	if poll <= 0 {
		poll = time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Feed{store: store, size: feedSize, poll: poll, logger: logger}
}

// Run follows the store from its head until ctx ends, resubscribing from the
// last event held after an error.
func (f *Feed) Run(ctx context.Context) {
	head, err := f.store.Head(ctx)
	for err != nil && ctx.Err() == nil {
		f.logger.Warn("event feed could not read the head; retrying", "err", err)
		sleep(ctx, f.poll)
		head, err = f.store.Head(ctx)
	}
	f.mu.Lock()
	f.events, f.lo, f.running = f.events[:0], head+1, true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running = false
		f.mu.Unlock()
		f.more.notify()
	}()
	for ctx.Err() == nil {
		if err := f.store.Subscribe(ctx, f.last(), f.add); err != nil && ctx.Err() == nil {
			f.logger.Warn("event feed subscription ended; resubscribing", "err", err)
			sleep(ctx, f.poll)
		}
	}
}

// last is the position of the last event held (or of the head the feed
// started at).
func (f *Feed) last() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lo + int64(len(f.events)) - 1
}

func (f *Feed) add(_ context.Context, e eventstore.Event) error {
	f.mu.Lock()
	if next := f.lo + int64(len(f.events)); e.Position != next {
		// Not the next position (cannot happen with a gapless store):
		// start over from this event rather than hold a gap.
		f.events, f.lo = f.events[:0], e.Position
	}
	if len(f.events) == f.size {
		// Drop the older half at once rather than one per event.
		n := copy(f.events, f.events[f.size/2:])
		clear(f.events[n:])
		f.events = f.events[:n]
		f.lo += int64(f.size - n)
	}
	f.events = append(f.events, e)
	f.mu.Unlock()
	f.more.notify()
	return nil
}

// read returns up to limit events after position after from what the feed
// holds, and whether it could answer: false when the feed is not running or
// after lies before what it holds (the caller reads the store). At the end
// of what it holds it answers with no events.
func (f *Feed) read(after int64, limit int) ([]eventstore.Event, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running || after < f.lo-1 {
		return nil, false
	}
	i := int(after - f.lo + 1)
	if i >= len(f.events) {
		return nil, true
	}
	j := len(f.events)
	if limit > 0 {
		j = min(j, i+limit)
	}
	return append([]eventstore.Event(nil), f.events[i:j]...), true
}

// Subscribe is the store's Subscribe served from the feed: events after
// after, in order, to h until ctx ends or h fails. What the feed does not
// hold (a follower catching up from far behind) is read from the store, as
// is everything when the feed has not delivered for a poll interval.
func (f *Feed) Subscribe(ctx context.Context, after int64, h eventstore.Handler) error {
	timer := time.NewTimer(f.poll)
	defer timer.Stop()
	fromStore := false
	for {
		more := f.more.wait()
		events, ok := f.read(after, subscribeBatch)
		if !ok || fromStore {
			var err error
			if events, err = f.store.ReadAll(ctx, after, subscribeBatch); err != nil {
				return err
			}
		}
		fromStore = false
		for _, e := range events {
			if err := h(ctx, e); err != nil {
				return err
			}
			after = e.Position
		}
		if len(events) > 0 {
			continue
		}
		timer.Reset(f.poll)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-more:
		case <-timer.C:
			fromStore = true
		}
	}
}

// subscribeBatch is how many events Subscribe hands over per read.
const subscribeBatch = 500

// feedStore is a store whose Subscribe is served by a feed.
type feedStore struct {
	eventstore.Store
	feed *Feed
}

// Subscribe serves the subscription from the feed.
func (s feedStore) Subscribe(ctx context.Context, after int64, h eventstore.Handler) error {
	return s.feed.Subscribe(ctx, after, h)
}

// Store returns store with its Subscribe served by the feed, for a
// follower (such as the cycles index) built on a store.
func (f *Feed) Store() eventstore.Store { return feedStore{Store: f.store, feed: f} }
