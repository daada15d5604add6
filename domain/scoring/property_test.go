package scoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	mathrand "math/rand"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"

	"github.com/shopspring/decimal"
)

// randomInput builds a valid, varied cycle from a seed: the default template
// (one KPI sometimes lower-is-better, sometimes capped above 100), up to 4
// units and 40 employees, any mix of raters, KPI records, adjustments that
// push past both ends of the scale, either budget mode and some history.
func randomInput(seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := newBuilder(DefaultTemplate())
	b.in.Template.Dimensions[0].Criteria[2].LowerIsBetter = rng.IntN(2) == 0
	if rng.IntN(2) == 0 {
		b.in.Template.Dimensions[0].Criteria[1].Cap = decimal.NewFromInt(120)
	}
	b.in.Policy.BudgetMode = []BudgetMode{BudgetBlock, BudgetProrate}[rng.IntN(2)]
	b.in.Cycle.Status = []ResultStatus{Provisional, Published, Closed}[rng.IntN(3)]
	units := 1 + rng.IntN(4)
	b.in.Units = b.in.Units[:0]
	for u := range units {
		b.in.Units = append(b.in.Units, Unit{ID: id(1 + u), HeadID: id(990 + u)})
	}
	cents := func(max int) string { return decimal.New(int64(rng.IntN(max*100+1)), -2).String() }
	for n := range 1 + rng.IntN(40) {
		emp := b.employee(n+1, id(1+rng.IntN(units)), []string{"50", "300", "400", "500", cents(1000)}[rng.IntN(5)])
		for _, c := range b.in.Template.Dimensions[0].Criteria[:3] {
			if rng.IntN(8) > 0 {
				target := decimal.NewFromInt(int64(rng.IntN(50)))
				if !c.LowerIsBetter {
					target = target.Add(one)
				}
				b.in.KPIs = append(b.in.KPIs, KPIRecord{EmployeeID: emp, Criterion: c.Key, Target: target,
					Actual: target.Mul(decimal.New(int64(70+rng.IntN(60)), -2)).Add(decimal.NewFromInt(int64(rng.IntN(3)))), TargetEventID: b.event(), ActualEventID: b.event()})
			}
		}
		for _, kind := range RaterKinds() {
			raters := []int{1 - rng.IntN(4)/3, rng.IntN(6), 1 - rng.IntN(5)/4, rng.IntN(4)}[kind.index()]
			for range raters {
				var scores []string
				for _, d := range b.in.Template.Dimensions {
					for _, c := range d.Criteria {
						if c.Rates(kind) && c.Scale == ScaleFivePoint {
							scores = append(scores, c.Key, fmt.Sprint(1+rng.IntN(5)))
						} else if c.Rates(kind) {
							// Mostly good scores, so that units overshoot their budgets.
							score := decimal.New(int64(8000+rng.IntN(2001)), -2).String()
							if rng.IntN(4) == 0 {
								score = cents(100)
							}
							scores = append(scores, c.Key, score)
						}
					}
				}
				b.rate(emp, kind, scores...)
			}
		}
		for range rng.IntN(3) {
			if rng.IntN(3) == 0 {
				b.adjust(emp, AdjustOverride, cents(100))
			} else {
				b.adjust(emp, AdjustDelta, decimal.New(int64(rng.IntN(30001)-15000), -2).String())
			}
		}
		for back := 1; back <= rng.IntN(8); back++ {
			b.past(emp, Monthly, back, b.in.Policy.Grades[rng.IntN(len(b.in.Policy.Grades))].Grade, []ResultStatus{Published, Closed}[rng.IntN(2)])
		}
	}
	return b.in
}

func TestPropertiesOfRandomCycles(t *testing.T) {
	for seed := range uint64(200) {
		checkInvariants(t, seed)
	}
}

// FuzzCompute runs checkInvariants on generated cycles; its seeds run with
// every `go test`, and `go test -fuzz FuzzCompute` explores further.
func FuzzCompute(f *testing.F) {
	for _, s := range []uint64{0, 1, 42, 1 << 40, 0xdeadbeef} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) { checkInvariants(t, seed) })
}

func checkInvariants(t *testing.T, seed uint64) {
	t.Helper()
	in := randomInput(seed)
	res, err := Compute(in)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	p := in.Policy
	for _, r := range res.Employees {
		if r.Final.Value.IsNegative() || r.Final.Value.GreaterThan(hundred) || r.Final.Value.Exponent() != -2 {
			t.Errorf("seed %d: final %s outside [0, 100] or not at 2 places", seed, r.Final.Value)
		}
		if got := p.Grades[p.band(r.Final.Value)].Grade; got != r.Grade {
			t.Errorf("seed %d: grade %s for %s, band says %s", seed, r.Grade, r.Final.Value, got)
		}
		if want := r.Standard.Value.Mul(r.Coefficient).Round(2); !r.PayBeforeBudget.Value.Equal(want) {
			t.Errorf("seed %d: pay before budget %s, want %s", seed, r.PayBeforeBudget.Value, want)
		}
		if r.Pay.Value.GreaterThan(r.PayBeforeBudget.Value) || r.Pay.Value.IsNegative() {
			t.Errorf("seed %d: pay %s outside [0, %s]", seed, r.Pay.Value, r.PayBeforeBudget.Value)
		}
	}
	// Grade and coefficient never fall as the final score rises.
	for _, a := range res.Employees {
		for _, b := range res.Employees {
			if a.Final.Value.LessThanOrEqual(b.Final.Value) && (p.rank(a.Grade) < p.rank(b.Grade) || a.Coefficient.GreaterThan(b.Coefficient)) {
				t.Errorf("seed %d: %s → %s but %s → %s", seed, a.Final.Value, a.Grade, b.Final.Value, b.Grade)
			}
		}
	}
	for _, u := range res.Units {
		total := zero
		for _, r := range res.Employees {
			if r.UnitID == u.UnitID {
				total = total.Add(r.Pay.Value)
			}
		}
		if !total.Equal(u.PayTotal) {
			t.Errorf("seed %d: unit pays %s, reports %s", seed, total, u.PayTotal)
		}
		if u.Mode == BudgetProrate && u.Overshoot.IsPositive() && !total.Equal(u.Budget.Value) {
			t.Errorf("seed %d: prorated unit pays %s, budget %s", seed, total, u.Budget.Value)
		}
		if u.Mode == BudgetBlock && u.Overshoot.IsPositive() != u.Blocked {
			t.Errorf("seed %d: overshoot %s but blocked %v", seed, u.Overshoot, u.Blocked)
		}
	}
	checkDeterminism(t, seed, in, res)
}

// checkDeterminism recomputes from the same facts in another order and
// requires byte-identical JSON.
func checkDeterminism(t *testing.T, seed uint64, in Input, res Result) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	shuffled := in
	shuffle := func(n int, swap func(i, j int)) { rng.Shuffle(n, swap) }
	shuffled.Employees = append([]Employee(nil), in.Employees...)
	shuffle(len(shuffled.Employees), func(i, j int) {
		shuffled.Employees[i], shuffled.Employees[j] = shuffled.Employees[j], shuffled.Employees[i]
	})
	shuffled.Evaluations = withScoresShuffled(in.Evaluations, rng)
	shuffle(len(shuffled.Evaluations), func(i, j int) {
		shuffled.Evaluations[i], shuffled.Evaluations[j] = shuffled.Evaluations[j], shuffled.Evaluations[i]
	})
	shuffled.Adjustments = append([]Adjustment(nil), in.Adjustments...)
	shuffle(len(shuffled.Adjustments), func(i, j int) {
		shuffled.Adjustments[i], shuffled.Adjustments[j] = shuffled.Adjustments[j], shuffled.Adjustments[i]
	})
	shuffled.KPIs = append([]KPIRecord(nil), in.KPIs...)
	shuffle(len(shuffled.KPIs), func(i, j int) { shuffled.KPIs[i], shuffled.KPIs[j] = shuffled.KPIs[j], shuffled.KPIs[i] })
	shuffled.History = append([]PastResult(nil), in.History...)
	shuffle(len(shuffled.History), func(i, j int) {
		shuffled.History[i], shuffled.History[j] = shuffled.History[j], shuffled.History[i]
	})
	again, err := Compute(shuffled)
	if err != nil {
		t.Fatalf("seed %d, shuffled: %v", seed, err)
	}
	a, errA := json.Marshal(res)
	b, errB := json.Marshal(again)
	if errA != nil || errB != nil {
		t.Fatalf("seed %d: marshal: %v %v", seed, errA, errB)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("seed %d: results differ after shuffling the input (%d vs %d bytes)", seed, len(a), len(b))
	}
}

// withScoresShuffled is a copy of evals, each with its scores in another
// order (the engine looks a score's criterion up after the last one's
// first, so this takes its other way too).
func withScoresShuffled(evals []Evaluation, rng *rand.Rand) []Evaluation {
	out := slices.Clone(evals)
	for i := range out {
		out[i].Scores = slices.Clone(out[i].Scores)
		rng.Shuffle(len(out[i].Scores), func(a, b int) { out[i].Scores[a], out[i].Scores[b] = out[i].Scores[b], out[i].Scores[a] })
	}
	return out
}

// TestProrateProperties drives prorate directly with arbitrary pays and
// budgets: the unit always receives exactly its budget and nobody receives
// more than their unscaled pay.
func TestProrateProperties(t *testing.T) {
	property := func(payCents []uint32, cut uint16) bool {
		if len(payCents) == 0 {
			return true
		}
		emps := make([]EmployeeResult, len(payCents))
		members := make([]int, len(payCents))
		total := zero
		for i, c := range payCents {
			p := decimal.New(int64(c%10_000_000), -2)
			emps[i] = EmployeeResult{EmployeeID: id(100 + i), PayBeforeBudget: Derived{Value: p}}
			members[i] = i
			total = total.Add(p)
		}
		if total.IsZero() {
			return true
		}
		// A budget strictly below the total, in whole cents.
		budget := total.Sub(oneCent).Mul(decimal.NewFromInt(int64(cut))).Div(decimal.NewFromInt(65536)).RoundFloor(2)
		prorate(emps, members, budget, total)
		sum := zero
		for _, r := range emps {
			if r.Pay.Value.GreaterThan(r.PayBeforeBudget.Value) || r.Pay.Value.IsNegative() || r.Pay.Value.Exponent() < -2 {
				return false
			}
			sum = sum.Add(r.Pay.Value)
		}
		return sum.Equal(budget)
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 500, Rand: mathrand.New(mathrand.NewSource(1))}); err != nil {
		t.Error(err)
	}
}
