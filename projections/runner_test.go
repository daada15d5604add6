package projections

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/appraisal-hr/appraisal/eventstore"
)

func wantPositions(t *testing.T, c count, from, to int64) {
	t.Helper()
	var want []int64
	for p := from; p <= to; p++ {
		want = append(want, p)
	}
	if c.Applied != len(want) || !slices.Equal(c.Positions, want) {
		t.Fatalf("applied %d events at %v, want each of %d..%d exactly once", c.Applied, c.Positions, from, to)
	}
}

func TestRunner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()

		t.Run("catches up, then follows live, applying each event once", func(t *testing.T) {
			p := &counter{name: "count_live", version: 1}
			first := appendN(t, b.store, "s-live", 30)
			r := NewRunner(b.db, b.store, testRunnerConfig(), p)
			runRunner(t, r)
			if err := r.WaitFor(ctx, p.Name(), first, 10*time.Second); err != nil {
				t.Fatalf("catch up: %v", err)
			}
			last := appendN(t, b.store, "s-live", 5)
			if err := r.WaitFor(ctx, p.Name(), last, 10*time.Second); err != nil {
				t.Fatalf("follow live: %v", err)
			}
			wantPositions(t, readCount(t, b.db, p.Name(), "s-live"), first-29, last)
			lag, err := r.Lag(ctx)
			if err != nil || lag[p.Name()] != 0 {
				t.Fatalf("lag = %v, %v; want 0", lag, err)
			}
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(r.Collector())
			families, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			gauges := map[string]float64{}
			for _, f := range families {
				for _, m := range f.GetMetric() {
					gauges[f.GetName()] = m.GetGauge().GetValue()
				}
			}
			if gauges["appraisal_projection_lag_events"] != 0 || gauges["appraisal_projection_checkpoint"] != float64(last) {
				t.Fatalf("metrics = %v, want lag 0 and checkpoint %d", gauges, last)
			}
		})

		t.Run("a crash between read-model write and commit applies nothing", func(t *testing.T) {
			last := appendN(t, b.store, "s-crash", 3)
			p := &counter{name: "count_crash", version: 1, failAt: last - 1}
			if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
				t.Fatal(err)
			}
			events, err := b.store.ReadAll(ctx, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.db.applyBatch(ctx, p, batch{gen: activeGeneration}, events); err == nil {
				t.Fatal("batch with an injected failure committed")
			}
			if cp, _ := b.db.Checkpoint(ctx, p.Name()); cp != 0 {
				t.Fatalf("checkpoint moved to %d after a failed batch", cp)
			}
			if c := readCount(t, b.db, p.Name(), "s-crash"); c.Applied != 0 {
				t.Fatalf("failed batch left %d applied events", c.Applied)
			}
			p.failAt = 0
			r := NewRunner(b.db, b.store, testRunnerConfig(), p)
			runRunner(t, r)
			if err := r.WaitFor(ctx, p.Name(), last, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			wantPositions(t, readCount(t, b.db, p.Name(), "s-crash"), last-2, last)
		})

		t.Run("after a commit a restarted runner re-applies nothing", func(t *testing.T) {
			p := &counter{name: "count_restart", version: 1}
			first := appendN(t, b.store, "s-restart", 10)
			r1 := NewRunner(b.db, b.store, testRunnerConfig(), p)
			stop := runRunner(t, r1)
			if err := r1.WaitFor(ctx, p.Name(), first, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			stop() // the process dies right after its commit
			last := appendN(t, b.store, "s-restart", 10)
			r2 := NewRunner(b.db, b.store, testRunnerConfig(), p)
			runRunner(t, r2)
			if err := r2.WaitFor(ctx, p.Name(), last, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			wantPositions(t, readCount(t, b.db, p.Name(), "s-restart"), first-9, last)
		})

		t.Run("a batch from a stale checkpoint applies nothing", func(t *testing.T) {
			p := &counter{name: "count_fenced", version: 1}
			last := appendN(t, b.store, "s-fenced", 4)
			if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
				t.Fatal(err)
			}
			events, err := b.store.ReadAll(ctx, last-4, 0)
			if err != nil {
				t.Fatal(err)
			}
			// A first process applies from the registered checkpoint 0 ...
			cp, err := b.db.applyBatch(ctx, p, batch{gen: activeGeneration}, events)
			if err != nil || cp != last {
				t.Fatalf("apply = %d, %v", cp, err)
			}
			// ... a second one, which lost its lease but still believes in 0, changes nothing.
			cp, err = b.db.applyBatch(ctx, p, batch{gen: activeGeneration}, events)
			if err != nil || cp != last {
				t.Fatalf("stale apply = %d, %v; want the stored checkpoint %d", cp, err, last)
			}
			wantPositions(t, readCount(t, b.db, p.Name(), "s-fenced"), last-3, last)
		})

		t.Run("waiting for a position never reached times out", func(t *testing.T) {
			p := &counter{name: "count_wait", version: 1}
			r := NewRunner(b.db, b.store, testRunnerConfig(), p)
			if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
				t.Fatal(err)
			}
			err := r.WaitFor(ctx, p.Name(), 1<<40, 50*time.Millisecond)
			if !errors.Is(err, ErrWaitTimeout) {
				t.Fatalf("WaitFor = %v, want ErrWaitTimeout", err)
			}
		})
	})
}

// A WaitFor whose context ends while another waiter is reading the committed
// checkpoint (here: a read that never finishes) gives up at its own
// deadline instead of queueing behind that read.
func TestWaitForGivesUpBehindASlowCheckpointRead(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		p := &counter{name: "count_wait", version: 1}
		r := NewRunner(b.db, b.store, testRunnerConfig(), p)
		r.reading <- struct{}{} // a read in progress that does not end
		defer func() { <-r.reading }()
		start := time.Now()
		err := r.WaitFor(context.Background(), p.Name(), 1, 200*time.Millisecond)
		if !errors.Is(err, ErrWaitTimeout) {
			t.Fatalf("WaitFor = %v, want ErrWaitTimeout", err)
		}
		if waited := time.Since(start); waited > 2*time.Second {
			t.Fatalf("WaitFor took %s behind a stuck read, want about its 200ms timeout", waited)
		}
	})
}

// paced records when each of its batches from position holdAt on starts
// (Prepare, before the batch transaction: on SQLite the transaction holds
// the store's write lock, which the test's appends need) and ends
// (Finish); the batch holding holdAt waits for release in Prepare.
type paced struct {
	name    string
	holdAt  int64
	held    chan struct{} // closed when the held batch starts waiting
	release chan struct{}

	mu           sync.Mutex
	inBatch      bool
	starts, ends []time.Time
}

func (p *paced) Name() string { return p.name }
func (p *paced) Version() int { return 1 }

func (p *paced) Prepare(ctx context.Context, events []eventstore.Event) error {
	if len(events) == 0 || events[len(events)-1].Position < p.holdAt {
		return nil // other tests' events, before the ones timed
	}
	p.mu.Lock()
	p.inBatch = true
	p.starts = append(p.starts, time.Now())
	p.mu.Unlock()
	if events[0].Position <= p.holdAt {
		close(p.held)
		<-p.release
	}
	return nil
}

func (p *paced) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error { return nil }

func (p *paced) Finish(ctx context.Context, tx *Tx) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inBatch {
		p.inBatch = false
		p.ends = append(p.ends, time.Now())
	}
	return nil
}

// Under a steady stream the runner waits Linger after a batch quicker than
// Linger (the next batch's events gather meanwhile) and starts the next
// batch at once after one that took longer, as its successor's events have
// been gathering all along.
func TestLingerFollowsQuickBatchesOnly(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		const linger = time.Second
		for _, c := range []struct {
			name string
			hold time.Duration // how long the first batch takes
		}{
			{"a quick batch", 0},
			{"a slow batch", linger + 300*time.Millisecond},
		} {
			t.Run(c.name, func(t *testing.T) {
				stream := "s-linger-" + uuid.NewString()
				first := appendN(t, b.store, stream, 1)
				p := &paced{name: "paced_" + strings.ReplaceAll(uuid.NewString()[:8], "-", ""), holdAt: first,
					held: make(chan struct{}), release: make(chan struct{})}
				cfg := testRunnerConfig()
				cfg.Linger = linger
				r := NewRunner(b.db, b.store, cfg, p)
				runRunner(t, r)
				<-p.held
				// The second event arrives while the first batch is held,
				// and the feed has it before the batch ends.
				second := appendN(t, b.store, stream, 1)
				time.Sleep(max(c.hold, 300*time.Millisecond))
				close(p.release)
				if err := r.WaitFor(ctx, p.Name(), second, 10*time.Second); err != nil {
					t.Fatal(err)
				}
				p.mu.Lock()
				defer p.mu.Unlock()
				if len(p.starts) != 2 || len(p.ends) != 2 {
					t.Fatalf("%d batches started, %d ended; want the two events in two batches", len(p.starts), len(p.ends))
				}
				gap := p.starts[1].Sub(p.ends[0])
				switch {
				case c.hold == 0 && gap < linger-50*time.Millisecond:
					t.Errorf("the second batch started %s after a quick first one ended, want Linger (%s)", gap, linger)
				case c.hold > 0 && gap > linger/2:
					t.Errorf("the second batch started %s after a slow first one ended, want at once", gap)
				}
			})
		}
	})
}
