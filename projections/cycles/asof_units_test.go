package cycles_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/cycles"
	"github.com/appraisal-hr/appraisal/projections/projectionstest"
)

// The auditor computes a unit or an employee from that unit's events alone
// (domain.FoldUnits): at random points of random two-cycle histories, with
// a transfer between units, a leaver and a published first cycle as history, every
// unit and every employee reads byte for byte what the whole cycle folded,
// narrowed with ForUnit and computed gives.
func TestAsOfUnitsMatchTheWholeFold(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		for seed := range uint64(2) {
			t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { asOfUnitsMatch(t, store, seed) })
		}
	})
}

func asOfUnitsMatch(t *testing.T, store eventstore.Store, seed uint64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 11))
	scores := map[[2]int]int{}
	score := func(u, i int) int {
		k := [2]int{u, i}
		if _, ok := scores[k]; !ok {
			scores[k] = 55 + rng.IntN(45)
		}
		return scores[k]
	}
	sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 3, PerUnit: 3, Peers: 2, Customers: 1,
		Score: score, BudgetMode: scoring.BudgetProrate})
	sc.Open()
	sc.Review()
	sc.Calibrate()
	// Random scores may pair a high grade without a low one: HR overrides.
	for _, u := range sc.Units {
		sc.Do(sc.Svc.OverridePairing(sc.Ctx, sc.AsHR(), sc.Cycle, domain.OverridePairing{UnitID: u.ID, Justification: "small unit"}))
	}
	sc.Approve()
	sc.Publish()
	first := sc.Cycle
	sc.NextCycle()
	sc.Open()
	sc.Review()
	from, to := sc.Units[0], sc.Units[1+rng.IntN(len(sc.Units)-1)]
	sc.Do(sc.Svc.TransferEmployee(sc.Ctx, sc.AsHR(), domain.TransferEmployee{EmployeeID: from.Members[rng.IntN(len(from.Members))],
		UnitID: to.ID, ManagerID: to.Manager, Reason: "rotation"}))
	leaver := sc.Units[2].Members[rng.IntN(len(sc.Units[2].Members))]
	sc.Do(sc.Svc.RecordLeave(sc.Ctx, sc.AsHR(), domain.RecordLeave{EmployeeID: leaver, Reason: "resigned"}))
	sc.Calibrate()

	index := cycles.NewIndex(store, nil)
	if err := index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	auditor := cycles.NewAuditor(index)
	head := index.Position()
	compared := 0
	for _, pos := range []int64{head, 1 + rng.Int64N(head), 1 + rng.Int64N(head), 1 + rng.Int64N(head)} {
		for _, cycle := range []uuid.UUID{first, sc.Cycle} {
			whole, err := domain.FoldCycle(index.Events(cycle, pos), cycle)
			if err != nil {
				continue // no cycle to compute yet at pos
			}
			for _, u := range whole.Input.Units {
				want, err := scoring.Compute(whole.Input.ForUnit(u.ID))
				if err != nil {
					t.Fatalf("cycle %s at %d, unit %s: %v", cycle, pos, u.ID, err)
				}
				got, err := auditor.Unit(ctx, cycle, u.ID, cycles.AsOf{Position: pos})
				if err != nil {
					t.Fatalf("cycle %s at %d, unit %s: %v", cycle, pos, u.ID, err)
				}
				sameJSON(t, fmt.Sprintf("cycle %s at %d, unit %s", cycle, pos, u.ID), got, cycles.UnitAsOf{Position: pos,
					Unit: want.Units[0], Employees: want.Employees, Recommendations: want.Recommendations})
				for _, r := range want.Employees {
					got, err := auditor.Employee(ctx, cycle, r.EmployeeID, cycles.AsOf{Position: pos})
					if err != nil {
						t.Fatalf("cycle %s at %d, employee %s: %v", cycle, pos, r.EmployeeID, err)
					}
					sameJSON(t, fmt.Sprintf("cycle %s at %d, employee %s", cycle, pos, r.EmployeeID), got.Result, r)
				}
				compared++
			}
		}
	}
	if compared < 6 {
		t.Errorf("only %d units compared: the random cuts missed both cycles", compared)
	}
}

// sameJSON fails unless got and want encode to the same bytes.
func sameJSON(t testing.TB, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// BenchmarkAsOfUnitFold measures the as-of path of one employee's unit on a
// published 10,000-employee cycle (as BenchmarkCyclesOn10kEmployees builds
// it) three ways in the same loop, rotating which goes first, so that the
// machine's load weighs on all alike: the whole fold narrowed with ForUnit
// (the path before domain.FoldUnits), FoldUnits from the shared events and
// the unit's reviews, and the auditor's path, FoldUnits on a domain.Base of
// the shared events built once (from the unit's reviews alone), each
// followed by Compute. The results must encode identically.
func BenchmarkAsOfUnitFold(b *testing.B) {
	ctx := context.Background()
	sc := projectionstest.NewScenario(b, benchStore(b), projectionstest.ScenarioConfig{
		Units: envInt("APPRAISAL_BENCH_UNITS", 40), PerUnit: envInt("APPRAISAL_BENCH_PER_UNIT", 249),
		Peers: 4, Customers: 2, Score: benchScore, BudgetMode: scoring.BudgetProrate, Bulk: true})
	sc.ThroughPublish()
	index := cycles.NewIndex(sc.Store, nil)
	if err := index.CatchUp(ctx); err != nil {
		b.Fatal(err)
	}
	decision := cycles.NewAuditor(index).Decisions()[0]
	cycle, pos := decision.CycleID, decision.LastInputPosition
	scope, err := domain.FoldCycle(index.EventsOf(cycle, pos, nil), cycle)
	if err != nil {
		b.Fatal(err)
	}
	members := map[uuid.UUID][]uuid.UUID{}
	for _, m := range scope.Input.Employees {
		members[m.UnitID] = append(members[m.UnitID], m.ID)
	}
	base := domain.NewBase(index.SharedUpTo(pos), cycle)
	ways := []func(events, reviews []domain.Recorded, unit uuid.UUID) scoring.Input{
		func(events, _ []domain.Recorded, unit uuid.UUID) scoring.Input {
			f, err := domain.FoldCycle(events, cycle)
			if err != nil {
				b.Fatal(err)
			}
			return f.Input.ForUnit(unit)
		},
		func(events, _ []domain.Recorded, unit uuid.UUID) scoring.Input {
			f, err := domain.FoldUnits(events, cycle, []uuid.UUID{unit})
			if err != nil {
				b.Fatal(err)
			}
			return f.Input
		},
		func(_, reviews []domain.Recorded, unit uuid.UUID) scoring.Input {
			f, err := base.FoldUnits(reviews, []uuid.UUID{unit})
			if err != nil {
				b.Fatal(err)
			}
			return f.Input
		},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	took := make([][]time.Duration, len(ways))
	i := 0
	for b.Loop() {
		unit := scope.Input.Employees[rng.IntN(len(scope.Input.Employees))].UnitID
		events := index.EventsOf(cycle, pos, members[unit])
		reviews := index.AppendReviewsOf(nil, cycle, pos, members[unit])
		results := make([]scoring.Result, len(ways))
		for k := range ways {
			w := (i + k) % len(ways)
			start := time.Now()
			res, err := scoring.Compute(ways[w](events, reviews, unit))
			took[w] = append(took[w], time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			results[w] = res
		}
		sameJSON(b, "unit "+unit.String(), results[1], results[0])
		sameJSON(b, "unit "+unit.String()+" on the base", results[2], results[0])
		i++
	}
	for w, name := range []string{"whole", "units", "base"} {
		b.ReportMetric(float64(percentile(took[w], 0.5).Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(percentile(took[w], 0.99).Microseconds())/1000, name+"-p99-ms")
	}
}

// Concurrent as-of queries share one cached domain.Base per position (the
// scope cache) and never change it: queries of every employee from several
// goroutines at two positions, the older asked after the newer, answer
// byte for byte what the same queries answer one at a time on a fresh
// auditor (run with -race to check that nothing writes the shared base).
func TestConcurrentAsOfQueriesShareTheBase(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 3, PerUnit: 3, Peers: 2, Customers: 1,
			Score: func(u, i int) int { return 70 + 7*u + 5*i }, BudgetMode: scoring.BudgetProrate})
		sc.Open()
		sc.Review()
		reviewed := sc.Outcome.Position
		sc.Do(sc.Svc.TransferEmployee(sc.Ctx, sc.AsHR(), domain.TransferEmployee{EmployeeID: sc.Units[0].Members[0],
			UnitID: sc.Units[1].ID, ManagerID: sc.Units[1].Manager, Reason: "rotation"}))
		sc.Calibrate()
		index := cycles.NewIndex(store, nil)
		if err := index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		positions := []int64{index.Position(), reviewed}
		answer := func(a *cycles.Auditor, emp uuid.UUID, pos int64) string {
			got, err := a.Employee(ctx, sc.Cycle, emp, cycles.AsOf{Position: pos})
			if err != nil {
				return "error: " + err.Error()
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Error(err)
			}
			return string(b)
		}
		want := map[string]string{}
		for _, pos := range positions {
			for _, emp := range sc.Employees() {
				want[fmt.Sprint(pos, emp)] = answer(cycles.NewAuditor(index), emp, pos)
			}
		}
		shared := cycles.NewAuditor(index)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for _, pos := range positions {
					for _, emp := range sc.Employees() {
						if got := answer(shared, emp, pos); got != want[fmt.Sprint(pos, emp)] {
							t.Errorf("employee %s at %d: concurrent answer differs:\n got %s\nwant %s", emp, pos, got, want[fmt.Sprint(pos, emp)])
						}
					}
				}
			})
		}
		wg.Wait()
		if want[fmt.Sprint(reviewed, sc.Units[0].Members[0])] == want[fmt.Sprint(positions[0], sc.Units[0].Members[0])] {
			t.Error("the transferred employee reads the same before and after the transfer: the positions do not test the base's cut")
		}
	})
}
