package follow

import (
	"context"
	"sync"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// BatchSize is how many events a subscription reads per query.
const BatchSize = 500

// Gather is how long a subscription waits, after a read that found events
// (and was not a full batch), before it reads again: under a steady stream
// of appends each read then carries several (on SQLite every append would
// otherwise cost a read of its own). A lone append is read at once; one
// that follows another waits at most this much longer.
const Gather = 2 * time.Millisecond

// ReadFunc reads up to limit events after a position, in global order.
type ReadFunc func(ctx context.Context, after int64, limit int) ([]eventstore.Event, error)

// Run delivers every event after position after to h, in order, until ctx
// ends (returning ctx.Err()) or h fails (returning its error). wake returns a
// channel closed at the next signal; it is taken before each read so that a
// signal arriving during the read is not lost.
func Run(ctx context.Context, after int64, h eventstore.Handler, read ReadFunc, wake func() <-chan struct{}, poll time.Duration) error {
	timer := time.NewTimer(poll)
	defer timer.Stop()
	for {
		signal := wake()
		events, err := read(ctx, after, BatchSize)
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := h(ctx, e); err != nil {
				return err
			}
			after = e.Position
		}
		if len(events) == BatchSize {
			continue
		}
		if len(events) > 0 {
			// Let a steady stream of appends gather: the next read then
			// carries several events instead of one per append.
			gather := time.NewTimer(Gather)
			select {
			case <-ctx.Done():
				gather.Stop()
				return ctx.Err()
			case <-gather.C:
			}
		}
		timer.Reset(poll)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-signal:
		case <-timer.C:
		}
	}
}

// Broadcast wakes every waiter at once: Wait returns a channel that Notify
// closes. The zero value is ready to use.
type Broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

// Wait returns the channel closed by the next Notify.
func (b *Broadcast) Wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

// Notify wakes everyone waiting.
func (b *Broadcast) Notify() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}
