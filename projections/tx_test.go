package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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

// stager syncs documents of two collections with SyncIDs in each batch's
// Finish, Puts over one of them and reads another back; it records how many
// documents were pending once both syncs were done.
type stager struct {
	name    string
	pending []int
}

func (s *stager) Name() string                                       { return s.name }
func (s *stager) Version() int                                       { return 1 }
func (s *stager) Apply(context.Context, *Tx, eventstore.Event) error { return nil }

func (s *stager) Finish(ctx context.Context, tx *Tx) error {
	last := tx.Position()
	if err := tx.SyncIDs(ctx, "a", "g", []string{"x", "y"}, map[string]any{"x": last, "y": last + 1}); err != nil {
		return err
	}
	if err := tx.SyncIDs(ctx, "b", "g", []string{"z"}, map[string]any{"z": last + 2}); err != nil {
		return err
	}
	s.pending = append(s.pending, len(tx.pending))
	if err := tx.Put(ctx, "a", "y", "g", last*10); err != nil { // over the synced y
		return err
	}
	var x int64
	if err := tx.Get(ctx, "a", "x", &x); err != nil || x != last {
		return fmt.Errorf("read back x = %d (%v), want %d", x, err, last)
	}
	return nil
}

// Documents SyncIDs changed wait with the batch's other pending documents
// and go to the database together (a batch that knows its documents reads
// nothing and leaves all three pending), yet the batch reads them back, a
// later Put of one wins, and the stored documents are the last written.
func TestSyncedDocumentsWaitWithThePendingOnes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		p := &stager{name: "stager"}
		last := appendN(t, b.store, "s-stager", 2)
		if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
			t.Fatal(err)
		}
		events, err := b.store.ReadAll(ctx, last-2, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, upTo := range []int64{last - 1, last} {
			from, err := b.db.Checkpoint(ctx, p.Name())
			if err != nil {
				t.Fatal(err)
			}
			if cp, err := b.db.applyBatch(ctx, p, batch{gen: activeGeneration, from: from, upTo: upTo}, events); err != nil || cp != upTo {
				t.Fatalf("apply up to %d = %d, %v", upTo, cp, err)
			}
		}
		// The first batch read the unknown documents, flushing what was
		// pending; the second knew all three.
		if len(p.pending) != 2 || p.pending[1] != 3 {
			t.Errorf("pending after the syncs: %v, want 3 in the second batch", p.pending)
		}
		want := map[string]map[string]string{"a": {"x": itoa(last), "y": itoa(last * 10)}, "b": {"z": itoa(last + 2)}}
		for coll, docs := range want {
			got, err := b.db.List(ctx, p.Name(), coll, "g")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(docs) {
				t.Errorf("%s holds %d documents, want %d", coll, len(got), len(docs))
			}
			for _, d := range got {
				if string(d.Body) != docs[d.ID] {
					t.Errorf("%s/%s = %s, want %s", coll, d.ID, d.Body, docs[d.ID])
				}
			}
		}
	})
}

// bulkSyncer syncs a group of many documents in each batch's Finish: in the
// first, n documents; in the next, every third left out and every other one
// changed. bad makes one document fail to encode.
type bulkSyncer struct {
	name    string
	n       int
	bad     bool
	batches int // Finish calls so far
}

func (s *bulkSyncer) Name() string                                       { return s.name }
func (s *bulkSyncer) Version() int                                       { return 1 }
func (s *bulkSyncer) Apply(context.Context, *Tx, eventstore.Event) error { return nil }

func (s *bulkSyncer) want(batch int) map[string]string {
	out := map[string]string{}
	for i := range s.n {
		switch {
		case batch > 0 && i%3 == 0:
		case batch > 0 && i%2 == 0:
			out[fmt.Sprintf("d%05d", i)] = itoa(int64(i * 10))
		default:
			out[fmt.Sprintf("d%05d", i)] = itoa(int64(i))
		}
	}
	return out
}

func (s *bulkSyncer) Finish(ctx context.Context, tx *Tx) error {
	docs := map[string]any{}
	for id, body := range s.want(min(s.batches, 1)) {
		docs[id] = json.RawMessage(body)
	}
	if s.bad {
		docs["d00700"] = func() {}
	}
	s.batches++
	return tx.Sync(ctx, "docs", "g", docs)
}

// A group of several chunks of writeRows, encoded on other goroutines while
// the batch writes, is stored exactly: the unchanged documents left alone,
// changed ones rewritten, missing ones deleted; a document that cannot be
// encoded fails the batch, naming it.
func TestSyncOfALargeGroup(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		p := &bulkSyncer{name: "bulk", n: 5*writeRows + 17}
		last := appendN(t, b.store, "s-bulk", 2)
		if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
			t.Fatal(err)
		}
		events, err := b.store.ReadAll(ctx, last-2, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i, upTo := range []int64{last - 1, last} {
			from, err := b.db.Checkpoint(ctx, p.Name())
			if err != nil {
				t.Fatal(err)
			}
			if cp, err := b.db.applyBatch(ctx, p, batch{gen: activeGeneration, from: from, upTo: upTo}, events); err != nil || cp != upTo {
				t.Fatalf("apply up to %d = %d, %v", upTo, cp, err)
			}
			got, err := b.db.List(ctx, p.Name(), "docs", "g")
			if err != nil {
				t.Fatal(err)
			}
			want := p.want(i)
			if len(got) != len(want) {
				t.Errorf("after batch %d: %d documents, want %d", i, len(got), len(want))
			}
			for _, d := range got {
				if string(d.Body) != want[d.ID] {
					t.Errorf("after batch %d: %s = %s, want %s", i, d.ID, d.Body, want[d.ID])
				}
			}
		}
		p.bad = true
		more := appendN(t, b.store, "s-bulk", 1)
		events, err = b.store.ReadAll(ctx, more-1, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.db.applyBatch(ctx, p, batch{gen: activeGeneration, from: last}, events)
		if err == nil || !strings.Contains(err.Error(), "encode docs/d00700") {
			t.Errorf("a document that cannot be encoded: %v", err)
		}
	})
}

// A batch of a generation being rebuilt compresses its documents with lz4
// where the PostgreSQL server has it; a live batch keeps the server's
// default.
func TestRebuildBatchesCompressWithLZ4(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		if b.db.dialect != Postgres {
			t.Skip("PostgreSQL only")
		}
		ctx := context.Background()
		var supported bool
		if err := b.db.sql.QueryRowContext(ctx, `SELECT count(*) > 0 FROM pg_settings
			WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`).Scan(&supported); err != nil {
			t.Fatal(err)
		}
		if b.db.lz4 != supported {
			t.Fatalf("lz4 = %v, the server has it: %v", b.db.lz4, supported)
		}
		if !supported {
			t.Skip("the server has no lz4")
		}
		var def string
		if err := b.db.sql.QueryRowContext(ctx, `SHOW default_toast_compression`).Scan(&def); err != nil {
			t.Fatal(err)
		}
		const name = "compressed"
		if err := b.db.ensureState(ctx, name, 1); err != nil {
			t.Fatal(err)
		}
		gen, err := b.db.newGeneration(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			bt   *batchTx
			want string
		}{
			{&batchTx{db: b.db, name: name, gen: gen}, "lz4"},
			{&batchTx{db: b.db, name: name, active: true}, def},
		} {
			q, err := c.bt.begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if err := q.QueryRowContext(ctx, `SHOW default_toast_compression`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			c.bt.end()
			if got != c.want {
				t.Errorf("active %v: compression %s, want %s", c.bt.active, got, c.want)
			}
		}
	})
}
