package cycles_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/cycles"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
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

// The index shares the repeated strings and decimals of the events it holds
// (interning): every event it returns is still exactly the event decoded
// from the store, by value and as JSON (saved drafts excepted, see
// TestIndexKeepsDraftsPlaceNotContent).
func TestIndexHoldsTheEventsAsDecoded(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 2, PerUnit: 3, Peers: 2, Customers: 1,
			Score: func(u, i int) int { return 60 + 10*u + i }, BudgetMode: scoring.BudgetProrate})
		sc.ThroughPublish()
		ctx := context.Background()
		index := cycles.NewIndex(store, nil)
		if err := index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		raw, err := store.ReadAll(ctx, 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]domain.Recorded{}
		for _, e := range raw {
			if r, err := eventlog.Decode(e); err == nil {
				want[r.Position] = r
			}
		}
		got := index.Events(sc.Cycle, index.Position())
		kinds := map[string]int{}
		for _, r := range got {
			w, ok := want[r.Position]
			if !ok {
				t.Fatalf("position %d: not in the store", r.Position)
			}
			if !reflect.DeepEqual(r, w) {
				t.Fatalf("position %d: index holds\n%+v\nstore decodes\n%+v", r.Position, r, w)
			}
			g, _ := json.Marshal(r.Event)
			x, _ := json.Marshal(w.Event)
			if string(g) != string(x) {
				t.Fatalf("position %d: index encodes %s, store %s", r.Position, g, x)
			}
			kinds[r.Type]++
		}
		for _, typ := range []string{domain.EvaluationSubmitted{}.EventType(), domain.KPITargetSet{}.EventType(), domain.KPIActualRecorded{}.EventType(),
			domain.DecisionPartRecorded{}.EventType()} {
			if kinds[typ] == 0 {
				t.Errorf("the scenario wrote no %s: %v", typ, kinds)
			}
		}
	})
}

// A saved draft keeps its place in the index, with its envelope, but not
// its scores: nothing computed from the index reads them. Results as of the
// draft's position are those of the position before it, and a summary's
// last event position passes it over.
func TestIndexKeepsDraftsPlaceNotContent(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 1, PerUnit: 2,
			Score: func(_, i int) int { return 70 + 5*i }})
		sc.Open()
		sc.Do(sc.Svc.StartSelfReview(ctx, sc.AsHR(), sc.Cycle))
		before := sc.Outcome.Position
		emp := sc.Units[0].Members[0]
		var criterion string
		for _, dim := range sc.Tpl.Dimensions {
			for _, c := range dim.Criteria {
				if c.Kind == scoring.Rated && c.Rates(scoring.RaterSelf) && c.Scale != scoring.ScaleFivePoint && criterion == "" {
					criterion = c.Key
				}
			}
		}
		sc.Do(sc.Svc.SaveEvaluationDraft(ctx, sc.As(domain.RoleEmployee, emp), sc.Key(emp),
			domain.SubmitEvaluation{Kind: scoring.RaterSelf, Scores: []domain.ScoreEntry{{Criterion: criterion, Score: dec("80")}},
				Summary: "half done"}))
		draftAt := sc.Outcome.Position
		index := cycles.NewIndex(store, nil)
		if err := index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		var held *domain.Recorded
		for _, r := range index.Events(sc.Cycle, draftAt) {
			if r.Position == draftAt {
				held = &r
			}
		}
		if held == nil || held.Type != (domain.EvaluationDraftSaved{}).EventType() || held.Stream != domain.ReviewStream(sc.Cycle, emp) {
			t.Fatalf("the draft at %d is not held in its place: %+v", draftAt, held)
		}
		if d, ok := held.Event.(domain.EvaluationDraftSaved); !ok || d.Scores != nil || d.Summary != "" {
			t.Fatalf("the index holds the draft's content: %+v", held.Event)
		}
		if got := index.LastReview(sc.Cycle, draftAt); got >= draftAt {
			t.Fatalf("last review at %d counts the draft at %d", got, draftAt)
		}
		auditor := cycles.NewAuditor(index)
		at, err := auditor.Cycle(ctx, sc.Cycle, cycles.AsOf{Position: draftAt})
		if err != nil {
			t.Fatal(err)
		}
		prior, err := auditor.Cycle(ctx, sc.Cycle, cycles.AsOf{Position: before})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(at.Evaluation.Result)
		b, _ := json.Marshal(prior.Evaluation.Result)
		if string(a) != string(b) {
			t.Fatalf("results as of the draft differ from those before it:\n%s\n%s", a, b)
		}
	})
}
