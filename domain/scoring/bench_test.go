package scoring

import (
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// benchTemplate has 12 criteria: 2 measured KPIs and 10 rated, 4 of them
// customer-facing.
func benchTemplate() Template {
	all := []RaterKind{RaterSelf, RaterPeer, RaterManager, RaterCustomer}
	internal := []RaterKind{RaterSelf, RaterPeer, RaterManager}
	rated := func(key string, by []RaterKind) Criterion {
		return Criterion{Key: key, Weight: dec("25"), Kind: Rated, Scale: ScalePercent, RatedBy: by}
	}
	return Template{ID: id(900002), Version: 1, Dimensions: []Dimension{
		{Key: "results", Weight: dec("60"), Criteria: []Criterion{
			{Key: "revenue", Weight: dec("25"), Kind: Measured},
			{Key: "profit", Weight: dec("25"), Kind: Measured},
			rated("service", all), rated("satisfaction", all),
		}},
		{Key: "attitude", Weight: dec("20"), Criteria: []Criterion{
			rated("responsibility", internal), rated("teamwork", internal), rated("initiative", internal), rated("discipline", internal),
		}},
		{Key: "ability", Weight: dec("20"), Criteria: []Criterion{
			rated("skill", internal), rated("communication", all), rated("problem_solving", internal), rated("responsiveness", all),
		}},
	}}
}

// syntheticCycle is a closed monthly cycle of n employees in 40 units, each
// rated by self, manager, 4 peers and 2 customers, with both KPIs recorded,
// one adjustment in ten employees, six months of history each, and a
// prorating budget, so that every part of Compute runs.
func syntheticCycle(n int) Input {
	b := newBuilder(benchTemplate())
	b.in.Cycle.Status = Closed
	b.in.Policy.BudgetMode = BudgetProrate
	b.in.Units = nil
	for u := range 40 {
		b.in.Units = append(b.in.Units, Unit{ID: id(1 + u), HeadID: id(990 + u)})
	}
	score := func(k int) string { return decimal.New(int64(7000+(k*7919)%3001), -2).String() }
	kinds := []RaterKind{RaterSelf, RaterManager, RaterPeer, RaterPeer, RaterPeer, RaterPeer, RaterCustomer, RaterCustomer}
	k := 0
	for i := range n {
		emp := id(1_000_000 + i)
		b.in.Employees = append(b.in.Employees, Employee{ID: emp, UnitID: id(1 + i%40), PositionLevel: "specialist", MonthlyStandard: dec("300")})
		for _, kind := range kinds {
			rater := emp
			if kind != RaterSelf {
				rater = id(2_000_000 + k)
			}
			ev := Evaluation{EventID: id(3_000_000 + k), Kind: kind, RaterID: rater, EmployeeID: emp}
			for _, d := range b.in.Template.Dimensions {
				for _, c := range d.Criteria {
					if c.Rates(kind) {
						k++
						ev.Scores = append(ev.Scores, CriterionScore{Criterion: c.Key, Score: dec(score(k))})
					}
				}
			}
			k++
			b.in.Evaluations = append(b.in.Evaluations, ev)
		}
		for _, c := range []string{"revenue", "profit"} {
			k++
			b.in.KPIs = append(b.in.KPIs, KPIRecord{EmployeeID: emp, Criterion: c, Target: dec("1000"),
				Actual: decimal.NewFromInt(int64(800 + k%400)), TargetEventID: id(4_000_000 + k), ActualEventID: id(5_000_000 + k)})
		}
		if i%10 == 0 {
			b.in.Adjustments = append(b.in.Adjustments, Adjustment{EventID: id(6_000_000 + i), Position: int64(i), EmployeeID: emp,
				Origin: FromCalibration, Kind: AdjustDelta, Value: dec("1.5"), AuthorID: id(999), Reason: "calibration"})
		}
		for back := 1; back <= 6; back++ {
			b.in.History = append(b.in.History, PastResult{EmployeeID: emp, CycleID: id(7_000_000 + back), Cadence: Monthly,
				PeriodStart: date(2026, 10-back, 1), PeriodEnd: date(2026, 11-back, 1).AddDate(0, 0, -1),
				Grade: []string{"A", "A-", "B", "C"}[(i+back)%4], Status: Closed, EventID: uuid.New()})
		}
	}
	return b.in
}

// BenchmarkComputeCycle10k closes a 10,000-employee cycle: scores, grades,
// pay with budget, recommendations and every trace. Target: < 1 s per
// operation with -cpu 1.
func BenchmarkComputeCycle10k(b *testing.B) {
	in := syntheticCycle(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(in.Employees)*b.N)/b.Elapsed().Seconds(), "employees/s")
}

// BenchmarkBaselineSumScores10k is the floor to compare Compute with: one
// decimal addition per submitted score of the same cycle, nothing else.
func BenchmarkBaselineSumScores10k(b *testing.B) {
	in := syntheticCycle(10_000)
	b.ReportAllocs()
	for b.Loop() {
		sum := decimal.Zero
		for _, ev := range in.Evaluations {
			for _, s := range ev.Scores {
				sum = sum.Add(s.Score)
			}
		}
		if sum.IsZero() {
			b.Fatal("no scores")
		}
	}
	b.ReportMetric(float64(len(in.Employees)*b.N)/b.Elapsed().Seconds(), "employees/s")
}

// BenchmarkComputeUnitOf10k computes one unit (250 people) of the same
// cycle, narrowing the input first: the cost of an as-of query or a replay
// of one employee's decision.
func BenchmarkComputeUnitOf10k(b *testing.B) {
	in := syntheticCycle(10_000)
	unit := in.Units[0].ID
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(in.ForUnit(unit)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputeUnitTracedOne is BenchmarkComputeUnitOf10k keeping the
// derivation of one employee only, as an as-of query of one person does.
func BenchmarkComputeUnitTracedOne(b *testing.B) {
	in := syntheticCycle(10_000).ForUnit(syntheticCycle(10_000).Units[0].ID)
	one := in.Employees[0].ID
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ComputeTraced(in, func(id uuid.UUID) bool { return id == one }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputeUnitForOne is the same unit through ComputeFor: one
// employee's detail only.
func BenchmarkComputeUnitForOne(b *testing.B) {
	in := syntheticCycle(10_000).ForUnit(syntheticCycle(10_000).Units[0].ID)
	one := in.Employees[0].ID
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ComputeFor(in, one); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateUnitOf10k is Input.Validate of one unit of the synthetic
// 10,000-person cycle, the check every Compute (and so every as-of query of
// one person) starts with.
func BenchmarkValidateUnitOf10k(b *testing.B) {
	in := syntheticCycle(10_000).ForUnit(syntheticCycle(10_000).Units[0].ID)
	b.ReportAllocs()
	for b.Loop() {
		if err := in.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
