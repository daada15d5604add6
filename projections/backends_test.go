package projections

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/projectionstest"
)

// backend is one event store with its read-model database.
type backend struct {
	store eventstore.Store
	db    *DB
}

// forEachBackend runs fn on every event store backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		fn(t, newBackend(t, store))
	})
}

func newBackend(t testing.TB, store eventstore.Store) backend {
	t.Helper()
	db, err := Open(context.Background(), store)
	if err != nil {
		t.Fatalf("open read-model db: %v", err)
	}
	return backend{store: store, db: db}
}

var appendN = projectionstest.AppendN

// counter is a test projection: per stream, how many events it applied and
// the positions in order, so double or skipped applies show.
type counter struct {
	name    string
	version int
	// failAt makes Apply fail after writing, at that position (crash
	// between read-model write and commit).
	failAt int64
}

type count struct {
	Applied   int     `json:"applied"`
	Positions []int64 `json:"positions"`
}

func (c *counter) Name() string { return c.name }
func (c *counter) Version() int { return c.version }

func (c *counter) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error {
	var cur count
	if err := tx.Get(ctx, "counts", e.StreamID, &cur); err != nil && !isNotFound(err) {
		return err
	}
	cur.Applied++
	cur.Positions = append(cur.Positions, e.Position)
	if err := tx.Put(ctx, "counts", e.StreamID, "", cur); err != nil {
		return err
	}
	if c.failAt == e.Position {
		return fmt.Errorf("injected crash at %d", e.Position)
	}
	return nil
}

func readCount(t testing.TB, db *DB, name, stream string) count {
	t.Helper()
	var c count
	if err := db.Get(context.Background(), name, "counts", stream, &c); err != nil && !isNotFound(err) {
		t.Fatalf("read count: %v", err)
	}
	return c
}

// runRunner starts r in the background and returns a stop function that
// waits for it to end.
func runRunner(t testing.TB, r *Runner) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once bool
	stop = func() {
		if once {
			return
		}
		once = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("runner: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("runner did not stop")
		}
	}
	t.Cleanup(stop)
	return stop
}

func testRunnerConfig() RunnerConfig {
	return RunnerConfig{Poll: 50 * time.Millisecond, LeaderInterval: 100 * time.Millisecond}
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// eventually polls cond until it holds or 10 s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
