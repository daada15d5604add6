package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
)

// Two stores on one schema stand for two serve processes: their group
// commits take turns under the append lock (each finding, by its head check,
// that the other wrote meanwhile), both see one dense log, and one carries
// on alone after the other closes.
func TestTwoProcessesShareOneLog(t *testing.T) {
	ctx := context.Background()
	dsn := eventstoretest.FreshSchema(t)
	open := func() *postgres.Store {
		s, err := postgres.Open(ctx, dsn, postgres.Options{PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	if _, err := a.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	appendFrom := func(s *postgres.Store, name string, n int) {
		for i := 0; i < n; i++ {
			res, err := s.Append(ctx, name, int64(i), []eventstore.NewEvent{{ID: uuid.New(), Type: "t", SchemaVersion: 1, Payload: []byte(`{}`)}})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			if res.FirstPosition == 0 {
				t.Errorf("%s: append %d returned no position", name, i)
				return
			}
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() { defer wg.Done(); appendFrom(a, fmt.Sprintf("a-%d", w), 10) }()
		go func() { defer wg.Done(); appendFrom(b, fmt.Sprintf("b-%d", w), 10) }()
	}
	wg.Wait()
	check := func(s *postgres.Store, want int) {
		t.Helper()
		events, err := s.ReadAll(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != want {
			t.Fatalf("read %d events, want %d", len(events), want)
		}
		for i, e := range events {
			if e.Position != int64(i+1) {
				t.Fatalf("position %d at index %d", e.Position, i)
			}
		}
	}
	check(a, 80)
	check(b, 80)
	a.Close()
	appendFrom(b, "after-close", 3)
	check(b, 83)
	if r, err := b.Verify(ctx); err != nil || !r.OK || r.Events != 83 {
		t.Fatalf("verify: %+v %v", r, err)
	}
}
