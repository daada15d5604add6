package scoring

import (
	"fmt"

	"github.com/google/uuid"
)

// distribute counts a unit's grades and applies the forced-pairing rule of
// SPEC §8: a unit with the high grade (A+) and none of the low grade (C)
// gets a warning, which an HR override with a justification clears.
func (e *engine) distribute(u *UnitResult, emps []EmployeeResult, m []int) {
	p := e.in.Policy
	counts := make([]int, len(p.Grades))
	for _, i := range m {
		counts[p.rank(emps[i].Grade)]++
	}
	u.Distribution = make([]GradeCount, len(p.Grades))
	for i, b := range p.Grades {
		u.Distribution[i] = GradeCount{Grade: b.Grade, Count: counts[i]}
	}
	fp := p.ForcedPairing
	if !fp.Enabled || counts[p.rank(fp.HighGrade)] == 0 || counts[p.rank(fp.LowGrade)] > 0 {
		return
	}
	u.PairingWarning = true
	for _, o := range e.in.PairingOverrides {
		if o.UnitID == u.UnitID {
			ov := o
			u.PairingOverride = &ov
		}
	}
}

// blockers lists why the cycle cannot pass approval, unit by unit: an
// overshoot in block mode, an un-overridden pairing warning, and employees
// with criteria nobody scored.
func blockers(res Result) []Blocker {
	byUnit := map[uuid.UUID][]*EmployeeResult{}
	for i, r := range res.Employees {
		if !r.Complete {
			byUnit[r.UnitID] = append(byUnit[r.UnitID], &res.Employees[i])
		}
	}
	out := []Blocker{}
	for _, u := range res.Units {
		if u.Blocked {
			out = append(out, Blocker{Kind: BlockBudget, UnitID: u.UnitID,
				Message: fmt.Sprintf("pay total exceeds the budget by %s", u.Overshoot)})
		}
		if u.PairingWarning && u.PairingOverride == nil {
			out = append(out, Blocker{Kind: BlockPairing, UnitID: u.UnitID,
				Message: "forced pairing: the unit has the high grade without the low grade and no HR override"})
		}
		for _, r := range byUnit[u.UnitID] {
			out = append(out, Blocker{Kind: BlockIncomplete, UnitID: u.UnitID, EmployeeID: r.EmployeeID,
				Message: fmt.Sprintf("criteria without any score: %v", r.Missing)})
		}
	}
	return out
}
