package deadlines_test

import (
	"context"
	"testing"
	"time"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/cycles"
	"github.com/appraisal-hr/appraisal/projections/deadlines"
	"github.com/appraisal-hr/appraisal/projections/projectionstest"
	"github.com/appraisal-hr/appraisal/projections/readside"
)

func TestSelfReviewStartsOnceGoalsAreOverdue(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 1, PerUnit: 2})
		s.Open() // goals due 10 November 2026

		rs, err := readside.New(ctx, store, readside.Config{})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- rs.Run(ctx) }()
		defer func() { cancel(); <-done }()
		caughtUp := func() {
			t.Helper()
			head, err := store.Head(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := rs.Runner.WaitFor(ctx, cycles.Name, head, 20*time.Second); err != nil {
				t.Fatal(err)
			}
		}
		caughtUp()
		sched := deadlines.New(rs.Reader, s.Svc, nil)

		onDueDay := time.Date(2026, 11, 10, 23, 59, 0, 0, time.UTC)
		if started, err := sched.Tick(ctx, onDueDay); err != nil || len(started) != 0 {
			t.Fatalf("on the due day: started %v, err %v; want nothing", started, err)
		}
		headBefore, _ := store.Head(ctx)

		dayAfter := time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)
		s.Now = dayAfter // the domain checks the deadline against its own clock
		started, err := sched.Tick(ctx, dayAfter)
		if err != nil || len(started) != 1 || started[0] != s.Cycle {
			t.Fatalf("the day after: started %v, err %v; want the cycle", started, err)
		}
		c, _, err := s.Svc.Cycle(ctx, s.Cycle)
		if err != nil || c.State() != domain.StateSelfReview {
			t.Fatalf("cycle state %v, err %v; want self_review", c.State(), err)
		}
		evs, err := store.ReadAll(ctx, headBefore, 0)
		if err != nil || len(evs) != 1 || evs[0].Type != (domain.SelfReviewStarted{}).EventType() || evs[0].Actor.ID != domain.SystemActor.ID.String() {
			t.Fatalf("events after the tick: %+v, err %v; want one SelfReviewStarted by the system", evs, err)
		}

		// The read model has not seen the change yet: the domain refuses the
		// second start and nothing is written.
		if started, err := sched.Tick(ctx, dayAfter); err != nil || len(started) != 0 {
			t.Fatalf("second tick: started %v, err %v; want nothing", started, err)
		}
		caughtUp()
		if started, err := sched.Tick(ctx, dayAfter); err != nil || len(started) != 0 {
			t.Fatalf("tick after catch-up: started %v, err %v; want nothing", started, err)
		}
		if head, _ := store.Head(ctx); head != evs[0].Position {
			t.Fatalf("head %d after refused ticks; want %d", head, evs[0].Position)
		}
	})
}
