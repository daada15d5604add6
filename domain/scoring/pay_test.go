package scoring

import (
	"slices"
	"testing"

	"github.com/google/uuid"
)

// overshootingUnit puts three people with standard 300 in unit A, graded
// A+ (score 98), A (95) and B (85): pay 360 + 345 + 300 = 1005 against a
// budget of 3 × 300 = 900, an overshoot of 105.
func overshootingUnit(mode BudgetMode) (*builder, []uuid.UUID) {
	b := newBuilder(oneCriterionTemplate())
	b.in.Policy.BudgetMode = mode
	var emps []uuid.UUID
	for i, score := range []string{"98", "95", "85"} {
		e := b.employee(i+1, unitA, "300")
		b.quality(e, RaterManager, score)
		emps = append(emps, e)
	}
	return b, emps
}

func TestBudgetBlockReportsOvershootAndDrivers(t *testing.T) {
	b, emps := overshootingUnit(BudgetBlock)
	res := b.compute(t)
	u := unitResult(t, res, unitA)
	assertDec(t, "budget", u.Budget.Value, "900")
	assertDec(t, "total", u.PayTotalBeforeBudget.Value, "1005")
	assertDec(t, "overshoot", u.Overshoot, "105")
	assertDec(t, "factor", u.Factor.Value, "1")
	if !u.Blocked {
		t.Error("unit not blocked")
	}
	// Drivers: paid above standard, largest excess first: A+ 60, A 45.
	if len(u.Drivers) != 2 || u.Drivers[0].EmployeeID != emps[0] || u.Drivers[1].EmployeeID != emps[1] {
		t.Fatalf("drivers = %+v, want the A+ then the A", u.Drivers)
	}
	assertDec(t, "A+ excess", u.Drivers[0].Excess, "60")
	assertDec(t, "A excess", u.Drivers[1].Excess, "45")
	// Pay is not touched in block mode; approval is refused.
	assertCents(t, "A+ pay", employeeResult(t, res, emps[0]).Pay.Value, "360.00")
	if res.Approvable() || !slices.ContainsFunc(res.Blockers, func(bl Blocker) bool { return bl.Kind == BlockBudget && bl.UnitID == unitA }) {
		t.Errorf("blockers = %+v, want a budget blocker for unit A", res.Blockers)
	}
}

func TestBudgetProrateSumsToTheBudgetExactly(t *testing.T) {
	b, emps := overshootingUnit(BudgetProrate)
	res := b.compute(t)
	// Factor 900 / 1005. Shares, rounded down to the cent:
	//   360 × 900 / 1005 = 322.388… → 322.38, fraction 0.806 of a cent
	//   345 × 900 / 1005 = 308.955… → 308.95, fraction 0.522
	//   300 × 900 / 1005 = 268.656… → 268.65, fraction 0.672
	// Σ = 899.98: two spare cents go to the largest fractions, the A+
	// (0.806) and the B (0.672): 322.39 + 308.95 + 268.66 = 900.00.
	want := []string{"322.39", "308.95", "268.66"}
	for i, e := range emps {
		r := employeeResult(t, res, e)
		assertCents(t, "pay", r.Pay.Value, want[i])
		assertDec(t, "factor", r.ProrationFactor, "0.89552238805970149254")
	}
	u := unitResult(t, res, unitA)
	assertDec(t, "unit total", u.PayTotal, "900")
	if u.Blocked || slices.ContainsFunc(res.Blockers, func(bl Blocker) bool { return bl.Kind == BlockBudget }) {
		t.Errorf("prorated unit blocked on budget: %+v", res.Blockers)
	}
	// The A+ trace runs pay → factor → prorate → cent.
	var ops []Op
	for _, s := range employeeResult(t, res, emps[0]).Pay.Trace {
		ops = append(ops, s.Op)
	}
	if want := []Op{OpPay, OpBudgetFactor, OpProrate, OpCent}; !slices.Equal(ops, want) {
		t.Errorf("pay trace = %v, want %v", ops, want)
	}
}

func TestBudgetProrateBreaksTiesByEmployeeID(t *testing.T) {
	// Two A (345) and one B (300), standard 300: total 990, budget 900.
	//   345 × 900 / 990 = 313.636… → 313.63 (fraction 0.636), twice
	//   300 × 900 / 990 = 272.727… → 272.72 (fraction 0.727)
	// Σ = 899.98: the B's 0.727 gets the first cent; the two A tie at
	// 0.636 and the lower employee id gets the second.
	b := newBuilder(oneCriterionTemplate())
	b.in.Policy.BudgetMode = BudgetProrate
	second := b.employee(2, unitA, "300")
	first := b.employee(1, unitA, "300")
	third := b.employee(3, unitA, "300")
	b.quality(second, RaterManager, "95")
	b.quality(first, RaterManager, "95")
	b.quality(third, RaterManager, "85")
	res := b.compute(t)
	assertCents(t, "lower id A", employeeResult(t, res, first).Pay.Value, "313.64")
	assertCents(t, "higher id A", employeeResult(t, res, second).Pay.Value, "313.63")
	assertCents(t, "B", employeeResult(t, res, third).Pay.Value, "272.73")
}

func TestBudgetWithinBudgetAndQuarterlyStandard(t *testing.T) {
	// Quarterly: standard 400 × 3 = 1200. B- (82) pays 1200 × 0.95 =
	// 1140.00 and B+ (89) 1200 × 1.05 = 1260.00: total 2400 = budget 2400.
	b := newBuilder(oneCriterionTemplate())
	b.in.Cycle.Cadence, b.in.Cycle.Months = Quarterly, 3
	b.in.Policy.BudgetMode = BudgetProrate
	lo, hi := b.employee(1, unitB, "400"), b.employee(2, unitB, "400")
	b.quality(lo, RaterManager, "82")
	b.quality(hi, RaterManager, "89")
	res := b.compute(t)
	assertDec(t, "standard", employeeResult(t, res, lo).Standard.Value, "1200")
	assertCents(t, "B- pay", employeeResult(t, res, lo).Pay.Value, "1140.00")
	assertCents(t, "B+ pay", employeeResult(t, res, hi).Pay.Value, "1260.00")
	u := unitResult(t, res, unitB)
	assertDec(t, "overshoot", u.Overshoot, "0")
	assertDec(t, "factor", u.Factor.Value, "1")
	if u.Blocked {
		t.Error("a unit exactly at budget is blocked")
	}
}

func TestPayItemsAreCarriedOutsideTheBudget(t *testing.T) {
	b := newBuilder(oneCriterionTemplate())
	emp := b.employee(1, unitA, "300")
	b.quality(emp, RaterManager, "85")
	b.in.PayItems = []PayItem{{EventID: b.event(), EmployeeID: emp, Kind: Award, Type: "innovation", Amount: dec("500.00"), Reason: "new process"}}
	res := b.compute(t)
	r := employeeResult(t, res, emp)
	if len(r.PayItems) != 1 || r.PayItems[0].Type != "innovation" {
		t.Errorf("pay items = %+v, want the innovation award", r.PayItems)
	}
	assertDec(t, "unit total", unitResult(t, res, unitA).PayTotal, "300")
}
