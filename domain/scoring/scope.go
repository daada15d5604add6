package scoring

import "github.com/google/uuid"

// ForUnit narrows the input to one unit: its employees and the facts about
// them. Units are independent in every rule (the budget, forced pairing and
// proration are per unit; scores, flags and recommendations per employee),
// so Compute(in.ForUnit(u)) gives exactly the unit's and its employees'
// entries of Compute(in), at about 1/units of the cost: what an as-of query
// or a replay of one person's decision needs.
func (in Input) ForUnit(unitID uuid.UUID) Input {
	out := in
	out.Units = keep(in.Units, func(u Unit) bool { return u.ID == unitID })
	out.Employees = keep(in.Employees, func(e Employee) bool { return e.UnitID == unitID })
	members := make(map[uuid.UUID]bool, len(out.Employees))
	for _, e := range out.Employees {
		members[e.ID] = true
	}
	out.Evaluations = keep(in.Evaluations, func(e Evaluation) bool { return members[e.EmployeeID] })
	out.KPIs = keep(in.KPIs, func(k KPIRecord) bool { return members[k.EmployeeID] })
	out.Adjustments = keep(in.Adjustments, func(a Adjustment) bool { return members[a.EmployeeID] })
	out.PairingOverrides = keep(in.PairingOverrides, func(o PairingOverride) bool { return o.UnitID == unitID })
	out.PayItems = keep(in.PayItems, func(p PayItem) bool { return members[p.EmployeeID] })
	out.History = keep(in.History, func(h PastResult) bool { return members[h.EmployeeID] })
	return out
}

// keep returns the items for which ok is true, in a new slice.
func keep[T any](items []T, ok func(T) bool) []T {
	var out []T
	for _, it := range items {
		if ok(it) {
			out = append(out, it)
		}
	}
	return out
}
