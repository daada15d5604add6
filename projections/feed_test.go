package projections

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// Followers of a feed get every event once, in order and without gaps:
// those before the feed started and those it dropped (it holds only a few
// here) from the store, the rest from the feed; a follower that starts at
// the head gets only what comes after.
func TestFeedDeliversEveryEventOnceInOrder(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) { testFeed(t, b.store) })
}

func testFeed(t *testing.T, store eventstore.Store) {
	{
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		before := appendN(t, store, "s-before", 5)
		feed := NewFeed(store, 50*time.Millisecond, nil)
		feed.size = 8
		var wg sync.WaitGroup
		defer func() { cancel(); wg.Wait() }()
		wg.Go(func() { feed.Run(ctx) })
		eventually(t, "the feed to start", func() bool { _, ok := feed.read(before, 0); return ok })

		var mu sync.Mutex
		got := map[string][]int64{}
		follow := func(name string, after int64) {
			wg.Go(func() {
				err := feed.Store().Subscribe(ctx, after, func(_ context.Context, e eventstore.Event) error {
					mu.Lock()
					defer mu.Unlock()
					got[name] = append(got[name], e.Position)
					return nil
				})
				if !errors.Is(err, context.Canceled) {
					t.Errorf("%s: %v", name, err)
				}
			})
		}
		follow("from the start", 0)
		follow("from the head", before)
		last := appendN(t, store, "s-after", 30)
		for want := range 2 {
			name := []string{"from the start", "from the head"}[want]
			from := []int64{1, before + 1}[want]
			eventually(t, name, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(got[name]) > 0 && got[name][len(got[name])-1] >= last
			})
			mu.Lock()
			for i, p := range got[name] {
				if p != from+int64(i) {
					t.Errorf("%s: event %d at position %d, want %d (%v)", name, i, p, from+int64(i), got[name])
					break
				}
			}
			mu.Unlock()
		}
		cancel()
	}
}

// A runner whose feed is not running (its owner never started it) still
// follows the store, by its poll.
func TestRunnerFollowsWithoutItsFeed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		cfg := testRunnerConfig()
		cfg.Feed = NewFeed(b.store, cfg.Poll, nil)
		p := &counter{name: "count_nofeed", version: 1}
		r := NewRunner(b.db, b.store, cfg, p)
		runRunner(t, r)
		last := appendN(t, b.store, "s-nofeed", 3)
		if err := r.WaitFor(context.Background(), p.Name(), last, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		wantPositions(t, readCount(t, b.db, p.Name(), "s-nofeed"), last-2, last)
	})
}
