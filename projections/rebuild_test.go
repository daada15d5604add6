package projections

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore"
)

func TestRebuild(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		p := &counter{name: "count_rebuild", version: 1}
		appendN(t, b.store, "s-a", 20)
		last := appendN(t, b.store, "s-b", 20)
		r := NewRunner(b.db, b.store, testRunnerConfig(), p)
		stop := runRunner(t, r)
		if err := r.WaitFor(ctx, p.Name(), last, 10*time.Second); err != nil {
			t.Fatal(err)
		}

		t.Run("a rebuild from position 0 is byte-identical to the live read model", func(t *testing.T) {
			res, err := b.db.Check(ctx, b.store, p)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Match() || res.Live.Documents != 2 || res.Position != last {
				t.Fatalf("check = %+v, want a match over 2 documents at %d", res, last)
			}
		})

		t.Run("rebuilding while events arrive swaps in a complete generation", func(t *testing.T) {
			before, _, err := b.db.LiveDigest(ctx, p.Name())
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var final int64
			wg.Go(func() { final = appendN(t, b.store, "s-b", 30) })
			if err := b.db.Rebuild(ctx, b.store, p); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			if err := r.WaitFor(ctx, p.Name(), final, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			wantPositions(t, readCount(t, b.db, p.Name(), "s-a"), last-39, last-20)
			c := readCount(t, b.db, p.Name(), "s-b")
			if c.Applied != 50 || c.Positions[49] != final {
				t.Fatalf("s-b applied %d ending at %d, want 50 ending at %d", c.Applied, c.Positions[len(c.Positions)-1], final)
			}
			res, err := b.db.Check(ctx, b.store, p)
			if err != nil || !res.Match() {
				t.Fatalf("check after rebuild = %+v, %v", res, err)
			}
			if res.Live == before {
				t.Fatal("digest did not change although 30 events were applied")
			}
			var gens int
			if err := b.db.sql.QueryRowContext(ctx, b.db.rebind(`SELECT COUNT(*) FROM projection_checkpoints WHERE projection = ?`), p.Name()).Scan(&gens); err != nil || gens != 1 {
				t.Fatalf("%d generations left after the swap (%v), want 1", gens, err)
			}
		})

		t.Run("a read model altered behind the runner's back fails the check", func(t *testing.T) {
			if _, err := b.db.sql.ExecContext(ctx, b.db.rebind(`UPDATE projection_documents SET body = ? WHERE projection = ? AND doc_id = ?`),
				`{"applied":1,"positions":[1]}`, p.Name(), "s-a"); err != nil {
				t.Fatal(err)
			}
			res, err := b.db.Check(ctx, b.store, p)
			if err != nil || res.Match() {
				t.Fatalf("check of an altered read model = %+v, %v; want a mismatch", res, err)
			}
		})

		t.Run("a new projection version rebuilds before following", func(t *testing.T) {
			stop()
			p2 := &counter{name: p.name, version: 2}
			r2 := NewRunner(b.db, b.store, testRunnerConfig(), p2)
			runRunner(t, r2)
			// Readers keep the version 1 read model until the swap.
			eventually(t, "version 2 swapped in", func() bool {
				st, err := b.db.readState(ctx, b.db.sql, p2.Name(), false)
				return err == nil && st.version == 2
			})
			res, err := b.db.Check(ctx, b.store, p2)
			if err != nil || !res.Match() {
				t.Fatalf("check after the version rebuild = %+v, %v (the altered document must be gone)", res, err)
			}
		})
	})
}

// headerCounter records what of each event its Apply was given; headers
// makes it a HeaderApplier, sends a Sender as well.
type headerCounter struct {
	name     string
	payloads int // events applied with a payload
	applied  int
}

func (h *headerCounter) Name() string { return h.name }
func (h *headerCounter) Version() int { return 1 }
func (h *headerCounter) Apply(_ context.Context, _ *Tx, e eventstore.Event) error {
	h.applied++
	if len(e.Payload) > 0 {
		h.payloads++
	}
	if e.Position == 0 || e.StreamID == "" || e.Version == 0 || e.Type == "" {
		return fmt.Errorf("event %d without its header: %+v", e.Position, e)
	}
	return nil
}

type headerApplier struct{ headerCounter }

func (*headerApplier) AppliesHeadersOnly() {}

type headerSender struct{ headerApplier }

func (*headerSender) Send(context.Context, []eventstore.Event) error { return nil }

// A rebuild reads events' headers only for a HeaderApplier that sends
// nothing on; everything else gets whole events.
func TestRebuildReadsHeadersOnlyForAHeaderApplier(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		appendN(t, b.store, "s-headers", 5)
		plain := &headerCounter{name: "plain"}
		headers := &headerApplier{headerCounter{name: "headers"}}
		sender := &headerSender{headerApplier{headerCounter{name: "sender"}}}
		for _, c := range []struct {
			p        Projection
			counted  *headerCounter
			payloads int
		}{
			{plain, plain, 5},
			{headers, &headers.headerCounter, 0},
			{sender, &sender.headerCounter, 5},
		} {
			if err := b.db.Rebuild(ctx, b.store, c.p); err != nil {
				t.Fatalf("%s: %v", c.p.Name(), err)
			}
			if c.counted.applied != 5 || c.counted.payloads != c.payloads {
				t.Errorf("%s: applied %d events, %d with a payload; want 5, %d", c.p.Name(), c.counted.applied, c.counted.payloads, c.payloads)
			}
		}
	})
}
