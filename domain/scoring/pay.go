package scoring

import (
	"cmp"
	"slices"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// pay is SPEC §7 before the unit budget: standard = monthly standard ×
// months covered; pay = standard × coefficient rounded half-up to 0.01.
func (e *engine) pay(r *EmployeeResult) {
	months := decimal.NewFromInt(int64(r.Months))
	std := r.MonthlyStandard.Mul(months)
	r.Standard = Derived{Value: std, Trace: e.trace(Step{
		Op: OpStandard, Value: std, Note: "monthly standard × months covered",
		Terms: e.operands(Term{Label: "monthly standard", Value: r.MonthlyStandard}, Term{Label: "months", Value: months}),
	})}
	p := std.Mul(r.Coefficient).Round(2)
	r.PayBeforeBudget = Derived{Value: p, Trace: e.trace(Step{
		Op: OpPay, Label: r.Grade, Value: p, Note: "standard × coefficient, half-up to 0.01",
		Terms: e.operands(Term{Label: "standard", Value: std}, Term{Label: "coefficient", Value: r.Coefficient}),
	})}
	r.Pay = r.PayBeforeBudget
	r.ProrationFactor = one
}

// budgetUnits applies the unit budget of SPEC §7 and the distribution rules
// of §8 to every unit, in unit id order, adjusting emps' Pay when a unit
// prorates. emps is sorted by employee id, so each unit's members are too.
func (e *engine) budgetUnits(emps []EmployeeResult) []UnitResult {
	units := slices.Clone(e.in.Units)
	slices.SortFunc(units, func(a, b Unit) int { return compareIDs(a.ID, b.ID) })
	members := map[uuid.UUID][]int{}
	for i, r := range emps {
		members[r.UnitID] = append(members[r.UnitID], i)
	}
	out := make([]UnitResult, len(units))
	for i, u := range units {
		m := members[u.ID]
		out[i] = UnitResult{UnitID: u.ID, HeadID: u.HeadID, Employees: len(m), Mode: e.in.Policy.BudgetMode}
		e.budget(&out[i], emps, m)
		e.distribute(&out[i], emps, m)
	}
	return out
}

// budget checks Σ pay ≤ Σ standard for one unit and applies the mode.
func (e *engine) budget(u *UnitResult, emps []EmployeeResult, m []int) {
	u.Budget = sumOf(emps, m, "budget: Σ standard", func(r *EmployeeResult) decimal.Decimal { return r.Standard.Value })
	u.PayTotalBeforeBudget = sumOf(emps, m, "Σ pay before budget", func(r *EmployeeResult) decimal.Decimal { return r.PayBeforeBudget.Value })
	budget, total := u.Budget.Value, u.PayTotalBeforeBudget.Value
	u.PayTotal, u.Overshoot = total, zero
	u.Factor = Derived{Value: one, Trace: Trace{{Op: OpBudgetFactor, Value: one, Note: "within budget: nothing scaled",
		Terms: []Term{{Label: "budget", Value: budget, Weight: one}, {Label: "total", Value: total, Weight: one}}}}}
	if total.LessThanOrEqual(budget) {
		return
	}
	u.Overshoot = total.Sub(budget)
	switch u.Mode {
	case BudgetProrate:
		u.Factor = prorate(emps, m, budget, total)
		u.PayTotal = budget
	default:
		u.Blocked = true
		u.Factor.Trace[0].Note = "over budget in block mode: nothing scaled, approval refused"
		u.Drivers = drivers(emps, m)
	}
}

// sumOf totals one figure over a unit's members, one term per member.
func sumOf(emps []EmployeeResult, m []int, label string, figure func(*EmployeeResult) decimal.Decimal) Derived {
	terms := make([]Term, len(m))
	total := newSum()
	for j, i := range m {
		v := figure(&emps[i])
		terms[j] = Term{Ref: emps[i].EmployeeID, Value: v, Weight: one}
		total.add(v)
	}
	v := total.value()
	return Derived{Value: v, Trace: Trace{{Op: OpSum, Label: label, Terms: terms, Value: v}}}
}

// drivers are the members paid above their standard, largest excess first,
// ties by employee id: lowering any of them is what brings the unit back
// within budget.
func drivers(emps []EmployeeResult, m []int) []BudgetDriver {
	var out []BudgetDriver
	for _, i := range m {
		r := &emps[i]
		if r.PayBeforeBudget.Value.GreaterThan(r.Standard.Value) {
			out = append(out, BudgetDriver{
				EmployeeID: r.EmployeeID, Grade: r.Grade, Standard: r.Standard.Value,
				Pay: r.PayBeforeBudget.Value, Excess: r.PayBeforeBudget.Value.Sub(r.Standard.Value),
			})
		}
	}
	slices.SortFunc(out, func(a, b BudgetDriver) int {
		return cmp.Or(b.Excess.Cmp(a.Excess), compareIDs(a.EmployeeID, b.EmployeeID))
	})
	return out
}

// share is one member's prorated pay in whole cents before the spare cents,
// and the remainder that ranks them for one (pay × budget mod total, in the
// same units for the whole unit, so comparing remainders compares the
// fractions of a cent exactly).
type share struct {
	member     int
	floorCents decimal.Decimal
	remainder  decimal.Decimal
	cent       bool
}

// prorate is SPEC §7 prorate mode: every pay × budget / total rounded down
// to the cent, then the cents still missing to reach the budget handed one by
// one to the largest remainders, ties by employee id. All of it is integer
// arithmetic on cents, so the unit total equals the budget exactly and
// nobody gets more than their unscaled pay (each share is below it, so one
// spare cent at most reaches it).
func prorate(emps []EmployeeResult, m []int, budget, total decimal.Decimal) Derived {
	b, t := budget.Mul(centsPerOne), total.Mul(centsPerOne)
	factor := quo(budget, total)
	factorStep := Step{Op: OpBudgetFactor, Value: factor, Note: "budget / total",
		Terms: []Term{{Label: "budget", Value: budget, Weight: one}, {Label: "total", Value: total, Weight: one}}}
	shares := make([]share, len(m))
	given := zero
	for j, i := range m {
		q, r := emps[i].PayBeforeBudget.Value.Mul(centsPerOne).Mul(b).QuoRem(t, 0)
		shares[j] = share{member: i, floorCents: q, remainder: r}
		given = given.Add(q)
	}
	spare := b.Sub(given).IntPart()
	order := make([]int, len(shares))
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(x, y int) int {
		return cmp.Or(shares[y].remainder.Cmp(shares[x].remainder),
			compareIDs(emps[shares[x].member].EmployeeID, emps[shares[y].member].EmployeeID))
	})
	for _, j := range order[:spare] {
		shares[j].cent = true
	}
	for _, s := range shares {
		applyShare(&emps[s.member], s, factor, factorStep, t)
	}
	return Derived{Value: factor, Trace: Trace{factorStep}}
}

// applyShare sets one member's prorated pay and extends its trace.
func applyShare(r *EmployeeResult, s share, factor decimal.Decimal, factorStep Step, totalCents decimal.Decimal) {
	floor := s.floorCents.Shift(-2)
	trace := make(Trace, 0, len(r.PayBeforeBudget.Trace)+3)
	trace = append(trace, r.PayBeforeBudget.Trace...)
	trace = append(trace, factorStep, Step{
		Op: OpProrate, Value: floor, Note: "pay × budget / total, rounded down to 0.01",
		Terms: []Term{
			{Label: "pay before budget", Value: r.PayBeforeBudget.Value, Weight: one},
			{Label: "factor", Value: factor, Weight: one},
			{Label: "fraction of a cent left over", Value: quo(s.remainder, totalCents), Weight: one},
		},
	})
	p := floor
	if s.cent {
		p = floor.Add(oneCent)
		trace = append(trace, Step{Op: OpCent, Value: p,
			Note: "one spare cent: largest fractions left over first, ties by employee id"})
	}
	r.Pay = Derived{Value: p, Trace: trace}
	r.ProrationFactor = factor
}
