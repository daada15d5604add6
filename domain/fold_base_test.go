package domain_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// Random command sequences with transfers between units, as in
// TestFoldUnitsMatchesTheWholeFoldNarrowed: at the end of the log and at
// random cuts of it, a Base built from the shared events up to the cut and
// given the cycle's review events up to the cut folds exactly what FoldCycle
// and FoldUnits fold from all the events up to the cut (the same Folded, or
// the same refusal); a unit folded from its members' reviews alone reads the
// same again. A Base built at an earlier cut, with the organisation moved on
// since, still folds as of its own cut.
//
// The unit folds from the members' reviews go through one FoldBuffers per
// run, as the auditor's queries do: each folds what a fresh fold folds, and
// the results computed from the earlier folds of a check are unchanged by
// the later folds into the same buffers (no result holds their memory).
func TestBaseFoldMatchesTheFullFold(t *testing.T) {
	compared, reusedWithEvaluations := 0, 0
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			g := newGenerator(t, seed, 9)
			f, rng := g.f, g.rng
			units := []uuid.UUID{f.mgmt, f.sales, uuid.New()}
			// One set of fold buffers serves every fold of the run, as an
			// auditor's serve its queries.
			bufs := new(domain.FoldBuffers)
			check := func() {
				events, _ := f.log.ReadAll(f.ctx, 0)
				for _, n := range []int{len(events), rng.IntN(len(events) + 1), rng.IntN(len(events) + 1)} {
					folded, reused := compareBase(t, events[:n], f.cycle, units, bufs)
					compared += folded
					reusedWithEvaluations += reused
				}
			}
			for step := range 300 {
				_, cmd := g.command()
				_, _ = cmd()
				if step%25 != 24 {
					continue
				}
				check()
				moved := map[uuid.UUID]uuid.UUID{}
				for emp, mgr := range f.inScope() {
					if rng.IntN(3) == 0 {
						moved[emp] = mgr
						_, _ = f.svc.TransferEmployee(f.ctx, f.call(f.hr), domain.TransferEmployee{EmployeeID: emp, UnitID: f.mgmt, ManagerID: f.h, Reason: "rotation"})
					}
				}
				check()
				for emp, mgr := range moved {
					f.do(f.svc.TransferEmployee(f.ctx, f.call(f.hr), domain.TransferEmployee{EmployeeID: emp, UnitID: f.sales, ManagerID: mgr, Reason: "back"}))
				}
			}
			f.do(f.svc.RecordLeave(f.ctx, f.call(f.hr), domain.RecordLeave{EmployeeID: []uuid.UUID{f.e1, f.e2, f.e3}[rng.IntN(3)], Reason: "resigned"}))
			check()
		})
	}
	if compared < 50 {
		t.Errorf("only %d cuts folded to a cycle: the runs hardly reached a foldable cycle", compared)
	}
	if reusedWithEvaluations < 50 {
		t.Errorf("only %d folds into reused buffers held evaluations", reusedWithEvaluations)
	}
}

// compareBase checks the folds on a Base against the full folds of events,
// and reports 1 when the cycle could be folded at all, and how many unit
// folds into bufs held evaluations.
func compareBase(t *testing.T, events []domain.Recorded, cycle uuid.UUID, units []uuid.UUID, bufs *domain.FoldBuffers) (folded, reused int) {
	t.Helper()
	prefix := strings.TrimSuffix(domain.ReviewStream(cycle, uuid.Nil), uuid.Nil.String())
	var shared, reviews []domain.Recorded
	for _, r := range events {
		if strings.HasPrefix(r.Stream, prefix) {
			reviews = append(reviews, r)
		} else {
			shared = append(shared, r)
		}
	}
	base := domain.NewBase(shared, cycle)
	whole, wholeErr := domain.FoldCycle(events, cycle)
	got, err := base.Fold(reviews)
	what := fmt.Sprintf("at %d", len(events))
	sameFold(t, what, got, err, whole, wholeErr)
	if wholeErr != nil {
		return 0, 0
	}
	type computed struct {
		what   string
		result scoring.Result
		json   string
	}
	var earlier []computed
	for _, u := range units {
		want, wantErr := domain.FoldUnits(events, cycle, []uuid.UUID{u})
		got, err := base.FoldUnits(reviews, []uuid.UUID{u})
		sameFold(t, fmt.Sprintf("%s, unit %s", what, u), got, err, want, wantErr)
		// From its members' reviews alone, as FoldUnits folds the events
		// without the others' reviews (the last position folded is the
		// last event given).
		members := map[string]bool{}
		for _, m := range want.Input.Employees {
			members[domain.ReviewStream(cycle, m.ID)] = true
		}
		var mine, theirs []domain.Recorded
		for _, r := range events {
			if members[r.Stream] {
				mine = append(mine, r)
			}
			if members[r.Stream] || !strings.HasPrefix(r.Stream, prefix) {
				theirs = append(theirs, r)
			}
		}
		want, wantErr = domain.FoldUnits(theirs, cycle, []uuid.UUID{u})
		got, err = base.FoldUnits(mine, []uuid.UUID{u})
		sameFold(t, fmt.Sprintf("%s, unit %s from its members' reviews", what, u), got, err, want, wantErr)
		got, err = base.FoldUnitsInto(bufs, mine, []uuid.UUID{u})
		sameFold(t, fmt.Sprintf("%s, unit %s from its members' reviews into reused buffers", what, u), got, err, want, wantErr)
		if err != nil {
			continue
		}
		if len(got.Input.Evaluations) > 0 {
			reused++
		}
		res, err := scoring.Compute(got.Input)
		if err == nil {
			earlier = append(earlier, computed{fmt.Sprintf("%s, unit %s", what, u), res, resultJSON(t, res)})
		}
	}
	for _, c := range earlier {
		if resultJSON(t, c.result) != c.json {
			t.Fatalf("%s: the result computed from a fold into buffers changed when later folds reused them", c.what)
		}
	}
	return 1, reused
}

func resultJSON(t *testing.T, res scoring.Result) string {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameFold fails unless both folds are equal, or both refused alike.
func sameFold(t *testing.T, what string, got domain.Folded, err error, want domain.Folded, wantErr error) {
	t.Helper()
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("%s: fold on a base: %v, full fold: %v", what, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: fold on a base\n%+v\nfull fold\n%+v", what, got, want)
	}
	if err == nil && computedJSON(t, got.Input) != computedJSON(t, want.Input) {
		t.Fatalf("%s: computed results differ", what)
	}
}

// A Base refuses what is not its cycle's review events in order, rather
// than folding a shared event it would then miss in the organisation.
func TestBaseRefusesOtherEvents(t *testing.T) {
	g := newGenerator(t, 1, 9)
	for range 200 {
		_, cmd := g.command()
		_, _ = cmd()
	}
	f := g.f
	events, _ := f.log.ReadAll(f.ctx, 0)
	base := domain.NewBase(events, f.cycle)
	var org, review []domain.Recorded
	for _, r := range events {
		switch {
		case r.Stream == domain.OrganisationStream && org == nil:
			org = []domain.Recorded{r}
		case strings.HasPrefix(r.Stream, "review-") && len(review) < 2:
			review = append(review, r)
		}
	}
	if len(org) == 0 || len(review) < 2 {
		t.Fatalf("the fixture wrote %d organisation and %d review events", len(org), len(review))
	}
	if _, err := base.Fold(org); err == nil {
		t.Error("an organisation event folded as a review")
	}
	if _, err := base.Fold([]domain.Recorded{review[1], review[0]}); err == nil {
		t.Error("review events out of order folded")
	}
	if _, err := base.Fold(review); err != nil {
		t.Errorf("review events in order: %v", err)
	}
}
