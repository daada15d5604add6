package projections

import (
	"context"
	"errors"
	"testing"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// odd is a test projection that writes document "n" (the position) for
// events at odd positions and nothing for the others, and with read set
// reads "n" before it writes; lenient ignores the error of that read.
type odd struct {
	read, lenient bool
}

func (*odd) Name() string { return "odd" }
func (*odd) Version() int { return 1 }

func (o *odd) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error {
	if e.Position%2 == 0 {
		return nil
	}
	if o.read {
		var n int64
		if err := tx.Get(ctx, "docs", "n", &n); err != nil && !errors.Is(err, ErrNotFound) && !o.lenient {
			return err
		}
		if o.lenient {
			return nil
		}
	}
	return tx.Put(ctx, "docs", "n", "g", e.Position)
}

// A live batch that starts where this process last committed begins its
// transaction only when its projection reads or writes: a batch that
// changes nothing moves the checkpoint without one. Where the checkpoint
// was moved meanwhile (another process, a rebuild), the batch writes
// nothing and answers the checkpoint it found, whether it took the one
// statement or found out at its first read, and even when the projection
// ignores that read's error.
func TestBatchesThatWriteNothingBeginNoTransaction(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		p := &odd{}
		if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
			t.Fatal(err)
		}
		appendN(t, b.store, "s-odd", 12)
		events, err := b.store.ReadAll(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		// apply runs one batch of the events at positions (from, to].
		apply := func(p Projection, from, to int64) (int64, int64) {
			t.Helper()
			begins := b.db.begins.Load()
			cp, err := b.db.applyBatch(ctx, p, batch{gen: activeGeneration, from: from, upTo: to}, events)
			if err != nil {
				t.Fatalf("batch (%d, %d]: %v", from, to, err)
			}
			return cp, b.db.begins.Load() - begins
		}
		stored := func() int64 {
			t.Helper()
			cp, err := b.db.Checkpoint(ctx, p.Name())
			if err != nil {
				t.Fatal(err)
			}
			return cp
		}
		n := func() int64 {
			t.Helper()
			var n int64
			if err := b.db.Get(ctx, p.Name(), "docs", "n", &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		first := events[0].Position
		even := first + first%2 // an even position, an event that writes nothing
		// The first batch knows nothing of where the projection stands.
		if cp, begun := apply(p, 0, even-1); cp != even-1 || begun != 1 {
			t.Fatalf("first batch: checkpoint %d, %d transactions; want %d, 1", cp, begun, even-1)
		}
		if cp, begun := apply(p, even-1, even); cp != even || begun != 0 || stored() != even {
			t.Fatalf("a batch that writes nothing: checkpoint %d (stored %d), %d transactions; want %d, 0", cp, stored(), begun, even)
		}
		if cp, begun := apply(p, even, even+1); cp != even+1 || begun != 1 || n() != even+1 {
			t.Fatalf("a batch that writes: checkpoint %d, %d transactions, n = %d; want %d, 1, %d", cp, begun, n(), even+1, even+1)
		}
		// Another process moves the checkpoint on.
		moved := even + 3
		if _, err := b.db.SQL().ExecContext(ctx, b.db.Rebind(`UPDATE projection_checkpoints SET position = ? WHERE projection = ?`), moved, p.Name()); err != nil {
			t.Fatal(err)
		}
		if cp, _ := apply(p, even+1, even+2); cp != moved || stored() != moved {
			t.Fatalf("a batch that writes nothing after the move: checkpoint %d (stored %d), want %d", cp, stored(), moved)
		}
		for _, p := range []*odd{{}, {read: true}, {read: true, lenient: true}} {
			if cp, _ := apply(p, even+1, even+3); cp != moved || stored() != moved || n() != even+1 {
				t.Fatalf("%+v: a batch that writes after the move: checkpoint %d (stored %d), n = %d; want %d, %d", *p, cp, stored(), n(), moved, even+1)
			}
		}
		// The process catches up from where the checkpoint stands, then a
		// rebuild swaps in a generation of its own at that same position:
		// the batch after it answers the new generation's checkpoint, and
		// the one after that goes on from there.
		head := events[len(events)-1].Position
		if cp, _ := apply(p, moved, head); cp != head {
			t.Fatalf("catching up: checkpoint %d, want %d", cp, head)
		}
		if err := b.db.Rebuild(ctx, b.store, p); err != nil {
			t.Fatal(err)
		}
		more := appendN(t, b.store, "s-odd", 2)
		if events, err = b.store.ReadAll(ctx, 0, 0); err != nil {
			t.Fatal(err)
		}
		if cp, _ := apply(p, head, more); cp != head || stored() != head {
			t.Fatalf("after a rebuild: checkpoint %d (stored %d), want %d", cp, stored(), head)
		}
		if cp, _ := apply(p, head, more); cp != more || stored() != more || n() != more-(more+1)%2 {
			t.Fatalf("the batch after: checkpoint %d (stored %d), n = %d; want %d, %d", cp, stored(), n(), more, more-(more+1)%2)
		}
	})
}
