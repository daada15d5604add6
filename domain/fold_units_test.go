package domain_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// Random command sequences, with people moving between units now and then
// and one leaving at the end:
// at every cut of the log, the fold narrowed to one unit gives exactly the
// whole fold's input narrowed by ForUnit (nil and empty alike), the same
// state, position and open appeals, and a byte-identical computed result;
// narrowed to several units, each of them reads the same again.
func TestFoldUnitsMatchesTheWholeFoldNarrowed(t *testing.T) {
	compared := 0
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			g := newGenerator(t, seed, 7)
			f, rng := g.f, g.rng
			units := []uuid.UUID{f.mgmt, f.sales, uuid.New()} // the last one has nobody
			for step := range 400 {
				_, cmd := g.command()
				_, _ = cmd()
				if step%20 != 19 {
					continue
				}
				compared += compareCuts(t, f, rng, units)
				// Some participants move to the other unit and back (with
				// their managers of record), so that the log holds transfers
				// and the fold sees people out of their unit for a while.
				moved := map[uuid.UUID]uuid.UUID{}
				for emp, mgr := range f.inScope() {
					if rng.IntN(3) == 0 {
						moved[emp] = mgr
						_, _ = f.svc.TransferEmployee(f.ctx, f.call(f.hr), domain.TransferEmployee{EmployeeID: emp, UnitID: f.mgmt, ManagerID: f.h, Reason: "rotation"})
					}
				}
				compared += compareCuts(t, f, rng, units)
				for emp, mgr := range moved {
					f.do(f.svc.TransferEmployee(f.ctx, f.call(f.hr), domain.TransferEmployee{EmployeeID: emp, UnitID: f.sales, ManagerID: mgr, Reason: "back"}))
				}
			}
			// Last, a participant leaves: out of scope from then on.
			f.do(f.svc.RecordLeave(f.ctx, f.call(f.hr), domain.RecordLeave{EmployeeID: []uuid.UUID{f.e1, f.e2, f.e3}[rng.IntN(3)], Reason: "resigned"}))
			compared += compareCuts(t, f, rng, units)
		})
	}
	if compared < 100 {
		t.Errorf("only %d unit folds compared: the runs hardly reached a foldable cycle", compared)
	}
}

// compareCuts compares the narrowed folds with the whole one on the whole
// log and on a random prefix of it.
func compareCuts(t *testing.T, f *fixture, rng *rand.Rand, units []uuid.UUID) int {
	t.Helper()
	events, _ := f.log.ReadAll(f.ctx, 0)
	return compareNarrowed(t, events, f.cycle, units) + compareNarrowed(t, events[:rng.IntN(len(events)+1)], f.cycle, units)
}

// compareNarrowed checks FoldUnits against FoldCycle on events for each of
// units alone and for all of them at once, and reports how many units it
// compared.
func compareNarrowed(t *testing.T, events []domain.Recorded, cycle uuid.UUID, units []uuid.UUID) int {
	t.Helper()
	whole, wholeErr := domain.FoldCycle(events, cycle)
	all, allErr := domain.FoldUnits(events, cycle, units)
	if (wholeErr == nil) != (allErr == nil) {
		t.Fatalf("at %d: whole fold %v, narrowed fold %v", len(events), wholeErr, allErr)
	}
	if wholeErr != nil {
		return 0
	}
	for _, u := range units {
		want := whole.Input.ForUnit(u)
		part, err := domain.FoldUnits(events, cycle, []uuid.UUID{u})
		if err != nil {
			t.Fatalf("at %d, unit %s: %v", len(events), u, err)
		}
		if !reflect.DeepEqual(part.Input, want) {
			t.Fatalf("at %d, unit %s: narrowed input\n%+v\nwhole input narrowed\n%+v", len(events), u, part.Input, want)
		}
		if !reflect.DeepEqual(all.Input.ForUnit(u), want) {
			t.Fatalf("at %d, unit %s: input narrowed to every unit, then to this one, differs", len(events), u)
		}
		if part.State != whole.State || part.LastPosition != whole.LastPosition {
			t.Fatalf("at %d, unit %s: state %s at %d, whole fold %s at %d", len(events), u, part.State, part.LastPosition, whole.State, whole.LastPosition)
		}
		var open []uuid.UUID
		for _, id := range whole.Appeals.Open {
			if slices.ContainsFunc(want.Employees, func(m scoring.Employee) bool { return m.ID == id }) {
				open = append(open, id)
			}
		}
		if !slices.Equal(part.Appeals.Open, open) {
			t.Fatalf("at %d, unit %s: open appeals %v, whole fold's in the unit %v", len(events), u, part.Appeals.Open, open)
		}
		if got, exp := computedJSON(t, part.Input), computedJSON(t, want); got != exp {
			t.Fatalf("at %d, unit %s: computed\n%s\nwhole fold narrowed computes\n%s", len(events), u, got, exp)
		}
	}
	return len(units)
}

// computedJSON is the engine's result (or refusal) as text.
func computedJSON(t *testing.T, in scoring.Input) string {
	t.Helper()
	res, err := scoring.Compute(in)
	if err != nil {
		return "error: " + err.Error()
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkFoldOneUnit folds one unit of a 10,000-employee cycle (40 units)
// from the shared events and that unit's reviews only, as the as-of
// queries do: the whole fold narrowed with ForUnit against FoldUnits.
func BenchmarkFoldOneUnit(b *testing.B) {
	l := newLargeCycle(b, 10000, 40, true)
	all, _ := l.log.ReadAll(context.Background(), 0)
	members := map[string]bool{}
	for _, id := range l.employees[:10000/40] {
		members[domain.ReviewStream(l.cycle, id)] = true
	}
	var events []domain.Recorded
	for _, r := range all {
		if !strings.HasPrefix(r.Stream, "review-") || members[r.Stream] {
			events = append(events, r)
		}
	}
	whole, err := domain.FoldCycle(events, l.cycle)
	if err != nil {
		b.Fatal(err)
	}
	unit := whole.Input.Employees[slices.IndexFunc(whole.Input.Employees, func(m scoring.Employee) bool { return m.ID == l.employees[0] })].UnitID
	b.Run("whole+ForUnit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := domain.FoldCycle(events, l.cycle)
			if err != nil {
				b.Fatal(err)
			}
			_ = f.Input.ForUnit(unit)
		}
	})
	b.Run("FoldUnits", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := domain.FoldUnits(events, l.cycle, []uuid.UUID{unit}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// On a Base, as the as-of queries and the projection's unit batches
	// fold: the unit's reviews alone.
	var shared, reviews []domain.Recorded
	for _, r := range events {
		if strings.HasPrefix(r.Stream, "review-") {
			reviews = append(reviews, r)
		} else {
			shared = append(shared, r)
		}
	}
	base := domain.NewBase(shared, l.cycle)
	b.Run("Base.FoldUnits", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := base.FoldUnits(reviews, []uuid.UUID{unit}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Into the fold buffers of the last fold, as the auditor's queries fold.
	var bufs domain.FoldBuffers
	b.Run("Base.FoldUnitsInto", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := base.FoldUnitsInto(&bufs, reviews, []uuid.UUID{unit}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
