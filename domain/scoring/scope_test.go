package scoring

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
)

// TestForUnitMatchesTheWholeCycle: computing one unit alone gives exactly
// that unit's entries of the whole cycle's result.
func TestForUnitMatchesTheWholeCycle(t *testing.T) {
	for seed := range uint64(20) {
		in := randomInput(seed)
		whole, err := Compute(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range whole.Units {
			part, err := Compute(in.ForUnit(u.UnitID))
			if err != nil {
				t.Fatalf("seed %d, unit %s: %v", seed, u.UnitID, err)
			}
			var want Result
			want.Units = []UnitResult{u}
			for _, r := range whole.Employees {
				if r.UnitID == u.UnitID {
					want.Employees = append(want.Employees, r)
				}
			}
			for _, f := range whole.Flags {
				if unitOf(whole, f.EmployeeID) == u.UnitID {
					want.Flags = append(want.Flags, f)
				}
			}
			for _, r := range whole.Recommendations {
				if unitOf(whole, r.EmployeeID) == u.UnitID {
					want.Recommendations = append(want.Recommendations, r)
				}
			}
			for _, b := range whole.Blockers {
				if b.UnitID == u.UnitID {
					want.Blockers = append(want.Blockers, b)
				}
			}
			got := Result{Units: part.Units, Employees: part.Employees, Flags: part.Flags,
				Recommendations: part.Recommendations, Blockers: part.Blockers}
			if !sameJSON(t, got, want) {
				t.Errorf("seed %d, unit %s: computed alone differs from the whole cycle", seed, u.UnitID)
			}
		}
	}
}

func unitOf(res Result, emp uuid.UUID) uuid.UUID {
	r, _ := res.Employee(emp)
	return r.UnitID
}

// sameJSON compares two results by their encoding; empty and absent lists
// encode differently, so both sides are normalised through nil first.
func sameJSON(t *testing.T, a, b Result) bool {
	t.Helper()
	for _, r := range []*Result{&a, &b} {
		if len(r.Employees) == 0 {
			r.Employees = nil
		}
		if len(r.Flags) == 0 {
			r.Flags = nil
		}
		if len(r.Recommendations) == 0 {
			r.Recommendations = nil
		}
		if len(r.Blockers) == 0 {
			r.Blockers = nil
		}
	}
	x, errX := json.Marshal(a)
	y, errY := json.Marshal(b)
	if errX != nil || errY != nil {
		t.Fatal(errX, errY)
	}
	return bytes.Equal(x, y)
}
