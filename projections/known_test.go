package projections

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// parity is a test projection that keeps two documents with SyncIDs, from
// the batch's last position: "x" says whether it is even, "y" exists only
// when it is a multiple of 3. Consecutive batches thus rewrite, keep and
// delete documents, and a batch that trusted a stale memory of them would
// leave one wrong.
type parity struct {
	name string
	// failAt makes Finish fail after syncing, at that position.
	failAt int64
}

type parityDoc struct {
	Even bool `json:"even"`
}

func (p *parity) Name() string { return p.name }
func (p *parity) Version() int { return 1 }

func (p *parity) Apply(context.Context, *Tx, eventstore.Event) error { return nil }

func (p *parity) Finish(ctx context.Context, tx *Tx) error {
	last := tx.Position()
	docs := map[string]any{"x": parityDoc{Even: last%2 == 0}}
	if last%3 == 0 {
		docs["y"] = parityDoc{}
	}
	if err := tx.SyncIDs(ctx, "docs", "g", []string{"x", "y"}, docs); err != nil {
		return err
	}
	if last == p.failAt {
		return fmt.Errorf("injected failure at %d", last)
	}
	return nil
}

// wantParity checks both documents as of position pos.
func wantParity(t *testing.T, db *DB, name string, pos int64) {
	t.Helper()
	var x parityDoc
	if err := db.Get(context.Background(), name, "docs", "x", &x); err != nil || x.Even != (pos%2 == 0) {
		t.Fatalf("at %d: x = %+v (%v), want even %v", pos, x, err, pos%2 == 0)
	}
	err := db.Get(context.Background(), name, "docs", "y", &parityDoc{})
	if present := err == nil; present != (pos%3 == 0) || (err != nil && !isNotFound(err)) {
		t.Fatalf("at %d: y present %v (%v), want %v", pos, present, err, pos%3 == 0)
	}
}

// Two processes take turns applying one projection's batches, and one
// batch fails after syncing: each process's memory of the documents is
// trusted only where it last committed, so every batch leaves exactly the
// documents a rebuild gives.
func TestKnownDocumentsNeverHideAChange(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		other := newBackend(t, b.store)
		p := &parity{name: "parity"}
		if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
			t.Fatal(err)
		}
		appendN(t, b.store, "s-parity", 8)
		events, err := b.store.ReadAll(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		first := events[0].Position
		step := func(db *DB, pos int64) error {
			t.Helper()
			cp, err := db.Checkpoint(ctx, p.Name())
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.applyBatch(ctx, p, batch{gen: activeGeneration, from: cp, upTo: pos}, events)
			return err
		}
		for i, db := range []*DB{b.db, b.db, other.db, b.db, other.db, other.db, b.db} {
			pos := first + int64(i)
			if i == 5 {
				// This process learns the documents as of pos, then fails;
				// the retry must not trust what the failed batch saw.
				p.failAt = pos
				if err := step(db, pos); err == nil {
					t.Fatal("a batch with an injected failure committed")
				}
				p.failAt = 0
				wantParity(t, db, p.Name(), pos-1)
			}
			if err := step(db, pos); err != nil {
				t.Fatal(err)
			}
			wantParity(t, b.db, p.Name(), pos)
		}
		if res, err := b.db.Check(ctx, b.store, p); err != nil || !res.Match() {
			t.Fatalf("live %s, rebuilt %s (%v)", res.Live, res.Rebuilt, err)
		}
	})
}

// putThenSync is a test projection that writes one document both ways: an
// event at a position that is a multiple of 3 Puts it as "put", every
// other event syncs it (SyncIDs) as "synced". What a Put writes is not
// remembered (PutJSON), so a sync after a Put must not trust what an
// earlier sync remembered of the document.
type putThenSync struct{}

func (putThenSync) Name() string { return "put-then-sync" }
func (putThenSync) Version() int { return 1 }

func (putThenSync) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error {
	if e.Position%3 == 0 {
		return tx.Put(ctx, "docs", "x", "g", "put")
	}
	return tx.SyncIDs(ctx, "docs", "g", []string{"x"}, map[string]any{"x": "synced"})
}

// wantPutThenSync is what x holds after the event at pos.
func wantPutThenSync(pos int64) string {
	if pos%3 == 0 {
		return "put"
	}
	return "synced"
}

// A document synced, then Put, then synced again with its first value is
// rewritten: the Put made the process forget what it knew of it. The first
// batch syncs and then Puts (the process knew nothing when it began), then
// batches of one event each, then of two.
func TestPutForgetsWhatASyncKnew(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		p := putThenSync{}
		if err := b.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
			t.Fatal(err)
		}
		appendN(t, b.store, "s-put-sync", 14)
		events, err := b.store.ReadAll(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		first := events[0].Position
		firstPut := first + 3 - first%3 // after at least one sync
		for i, size := range []int64{firstPut - first + 1, 1, 1, 1, 1, 1, 2, 2} {
			cp, err := b.db.Checkpoint(ctx, p.Name())
			if err != nil {
				t.Fatal(err)
			}
			upTo := max(cp, first-1) + size
			if cp, err = b.db.applyBatch(ctx, p, batch{gen: activeGeneration, from: cp, upTo: upTo}, events); err != nil || cp != upTo {
				t.Fatalf("batch %d: checkpoint %d (%v), want %d", i, cp, err, upTo)
			}
			var x string
			if err := b.db.Get(ctx, p.Name(), "docs", "x", &x); err != nil || x != wantPutThenSync(upTo) {
				t.Fatalf("after position %d: x = %q (%v), want %q", upTo, x, err, wantPutThenSync(upTo))
			}
		}
		if res, err := b.db.Check(ctx, b.store, p); err != nil || !res.Match() {
			t.Fatalf("live %s, rebuilt %s (%v)", res.Live, res.Rebuilt, err)
		}
	})
}

// putThenDrop Puts document x on every third event and syncs it away on
// the event after.
type putThenDrop struct{}

func (putThenDrop) Name() string        { return "put-then-drop" }
func (putThenDrop) Version() int        { return 1 }
func (putThenDrop) RemembersInRebuild() {}

func (putThenDrop) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error {
	switch e.Position % 3 {
	case 0:
		return tx.Put(ctx, "docs", "x", "g", "put")
	case 1:
		return tx.SyncIDs(ctx, "docs", "g", []string{"x"}, nil)
	}
	return nil
}

// A rebuild's memory holds every document of its generation, so what it
// lacks is taken as absent: a document Put in one batch must be remembered
// for the next, or a sync that removes it there would find nothing to
// remove. Rebuilt in pairs, the read model is the live one's.
func TestRebuildRemembersWhatItPut(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		p := putThenDrop{}
		appendN(t, b.store, "s-put-drop", 14)
		r := NewRunner(b.db, b.store, testRunnerConfig(), p)
		stop := runRunner(t, r)
		head, _ := b.store.Head(ctx)
		if err := r.WaitFor(ctx, p.Name(), head, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		stop()
		for _, rebuilt := range []Projection{p, rebuiltInPairs{p}} {
			if res, err := b.db.Check(ctx, b.store, rebuilt); err != nil || !res.Match() {
				t.Fatalf("live %s, rebuilt %s (%v)", res.Live, res.Rebuilt, err)
			}
		}
	})
}

// fingerprinted has a field of each kind a document holds.
type fingerprinted struct {
	Name   string          `json:"name"`
	Score  decimal.Decimal `json:"score"`
	Parts  []fingerprinted `json:"parts,omitempty"`
	Tags   map[string]int  `json:"tags"`
	At     time.Time       `json:"at"`
	Note   *string         `json:"note"`
	Any    any             `json:"any"`
	hidden int
}

// Two values share a fingerprint exactly when nothing encoding/json reads
// of them differs: changing any field, however deep, changes it; equal
// values built apart (maps filled in another order) share it.
func TestFingerprintSeesEveryField(t *testing.T) {
	note := "n"
	build := func() fingerprinted {
		return fingerprinted{Name: "a", Score: decimal.RequireFromString("1.50"), Tags: map[string]int{"x": 1, "y": 2},
			At: time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC), Note: &note, Any: 3,
			Parts: []fingerprinted{{Name: "b", Score: decimal.RequireFromString("2"), Tags: map[string]int{}}}}
	}
	fp := func(v fingerprinted) [16]byte {
		t.Helper()
		sum, _, ok := fingerprint(nil, v)
		if !ok {
			t.Fatalf("no fingerprint for %+v", v)
		}
		return sum
	}
	base := fp(build())
	again := build()
	again.Tags = map[string]int{"y": 2}
	again.Tags["x"] = 1
	if fp(again) != base {
		t.Fatal("equal values built apart have different fingerprints")
	}
	other := "m"
	for name, change := range map[string]func(*fingerprinted){
		"name":                func(v *fingerprinted) { v.Name = "b" },
		"decimal":             func(v *fingerprinted) { v.Score = decimal.RequireFromString("1.51") },
		"decimal's exponent":  func(v *fingerprinted) { v.Score = decimal.RequireFromString("1.5") },
		"nested decimal":      func(v *fingerprinted) { v.Parts[0].Score = decimal.RequireFromString("3") },
		"map entry":           func(v *fingerprinted) { v.Tags["x"] = 3 },
		"map key":             func(v *fingerprinted) { v.Tags = map[string]int{"x": 1, "z": 2} },
		"time":                func(v *fingerprinted) { v.At = v.At.Add(time.Nanosecond) },
		"pointer target":      func(v *fingerprinted) { v.Note = &other },
		"nil pointer":         func(v *fingerprinted) { v.Note = nil },
		"interface type":      func(v *fingerprinted) { v.Any = int64(3) },
		"empty slice for nil": func(v *fingerprinted) { v.Parts[0].Parts = []fingerprinted{} },
		"unexported field":    func(v *fingerprinted) { v.hidden = 1 },
		"nil map for empty":   func(v *fingerprinted) { v.Parts[0].Tags = nil },
		"one element more":    func(v *fingerprinted) { v.Parts = append(v.Parts, fingerprinted{}) },
	} {
		v := build()
		change(&v)
		if fp(v) == base {
			t.Errorf("changing the %s keeps the fingerprint", name)
		}
	}
	if _, _, ok := fingerprint(nil, map[string]any{"f": func() {}}); ok {
		t.Error("a function was fingerprinted")
	}
}
