package cycles_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

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
func sameJSON(t *testing.T, what string, got, want any) {
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
