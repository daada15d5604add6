package projections

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// writer is a test projection whose every event Puts, overwrites, deletes
// and reads documents, so that the documents Put in a batch and written
// together at its next statement behave as if each had been written at once.
type writer struct{ name string }

func (w *writer) Name() string { return w.name }
func (w *writer) Version() int { return 1 }

func (w *writer) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error {
	pos := e.Position
	for _, id := range []string{"last", "gone"} {
		if err := tx.Put(ctx, "docs", id, "g", pos); err != nil {
			return err
		}
	}
	if err := tx.Put(ctx, "docs", "last", "g", pos*10); err != nil { // Put twice: the second counts
		return err
	}
	if err := tx.Delete(ctx, "docs", "gone"); err != nil {
		return err
	}
	var seen int64
	if err := tx.Get(ctx, "docs", "last", &seen); err != nil {
		return err
	}
	if seen != pos*10 {
		return fmt.Errorf("read back %d, want %d", seen, pos*10)
	}
	return tx.Put(ctx, "docs", "seen", "g", seen)
}

func TestPendingPutsReadBackInTheirBatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		p := &writer{name: "writer"}
		last := appendN(t, b.store, "s-writer", 3)
		if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
			t.Fatal(err)
		}
		events, err := b.store.ReadAll(ctx, last-3, 0)
		if err != nil {
			t.Fatal(err)
		}
		if cp, err := b.db.applyBatch(ctx, p, batch{gen: activeGeneration}, events); err != nil || cp != last {
			t.Fatalf("apply = %d, %v", cp, err)
		}
		docs, err := b.db.List(ctx, p.Name(), "docs", "g")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, d := range docs {
			got[d.ID] = string(d.Body)
			if d.Position != last {
				t.Errorf("%s at position %d, want %d", d.ID, d.Position, last)
			}
		}
		want := map[string]string{"last": itoa(last * 10), "seen": itoa(last * 10)}
		if len(got) != len(want) || got["last"] != want["last"] || got["seen"] != want["seen"] {
			t.Errorf("documents %v, want %v", got, want)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
