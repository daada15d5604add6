package cycles_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/cycles"
	"github.com/appraisal-hr/appraisal/projections/projectionstest"
)

// AppendReviewsOf merges the chosen employees' reviews without sorting: at
// every position of a cycle's log, including the middle of a unit's reviews,
// it appends to a reused buffer exactly the reviews of those employees up to
// that position, in log order, and leaves what the buffer already held in
// front untouched; EventsOf adds the shared events to them in log order.
func TestAppendReviewsOfCutsAndMergesAtEveryPosition(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 2, PerUnit: 3, Peers: 2, Customers: 1,
			Score: func(u, i int) int { return 60 + 10*u + i }, BudgetMode: scoring.BudgetProrate})
		sc.Open()
		sc.Review()
		sc.Calibrate()
		index := cycles.NewIndex(store, nil)
		if err := index.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		unit := sc.Units[1]
		members := append([]uuid.UUID{unit.Manager}, unit.Members...)
		mine := map[string]bool{}
		for _, m := range members {
			mine[domain.ReviewStream(sc.Cycle, m)] = true
		}
		marker := domain.Recorded{Position: -1, Stream: "marker"}
		buf := make([]domain.Recorded, 0, 4)
		reviews := 0
		for pos := int64(0); pos <= index.Position(); pos++ {
			var want, wantReviews []domain.Recorded
			for _, r := range index.Events(sc.Cycle, pos) {
				if !strings.HasPrefix(r.Stream, "review-") || mine[r.Stream] {
					want = append(want, r)
				}
				if mine[r.Stream] {
					wantReviews = append(wantReviews, r)
				}
			}
			buf = index.AppendReviewsOf(append(buf[:0], marker), sc.Cycle, pos, members)
			what := fmt.Sprintf("at %d", pos)
			if len(buf) == 0 || buf[0].Stream != marker.Stream {
				t.Fatalf("%s: the buffer's first element was overwritten", what)
			}
			samePositions(t, what+", reviews", buf[1:], wantReviews)
			samePositions(t, what+", events", index.EventsOf(sc.Cycle, pos, members), want)
			if len(want) > 0 && mine[want[len(want)-1].Stream] {
				reviews++
			}
		}
		if reviews == 0 {
			t.Fatal("no position ended on one of the unit's reviews: the scenario wrote none")
		}
	})
}

// samePositions fails unless got holds want's events in the same order.
func samePositions(t *testing.T, what string, got, want []domain.Recorded) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i].Position != want[i].Position || got[i].ID != want[i].ID {
			t.Fatalf("%s: event %d is position %d, want %d", what, i, got[i].Position, want[i].Position)
		}
	}
}
