package scoring

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestInputValidateRefusals: each case breaks one rule of a valid cycle and
// expects exactly the named problem.
func TestInputValidateRefusals(t *testing.T) {
	base := func() (*builder, uuid.UUID) {
		b := newBuilder(kpiTemplate())
		emp := b.employee(1, unitA, "300")
		b.rate(emp, RaterManager, "teamwork", "80")
		b.in.KPIs = []KPIRecord{{EmployeeID: emp, Criterion: "revenue", Target: dec("10"), Actual: dec("5"), TargetEventID: b.event(), ActualEventID: b.event()}}
		return b, emp
	}
	tests := []struct {
		name   string
		mutate func(b *builder, emp uuid.UUID)
		field  string
	}{
		{"cycle without id", func(b *builder, _ uuid.UUID) { b.in.Cycle.ID = uuid.Nil }, "cycle.id"},
		{"cycle months out of range", func(b *builder, _ uuid.UUID) { b.in.Cycle.Months = 13 }, "cycle.months"},
		{"period ends before it starts", func(b *builder, _ uuid.UUID) { b.in.Cycle.PeriodEnd = b.in.Cycle.PeriodStart.Add(-time.Hour) }, "cycle.period_end"},
		{"unknown status", func(b *builder, _ uuid.UUID) { b.in.Cycle.Status = "final" }, "cycle.status"},
		{"unit listed twice", func(b *builder, _ uuid.UUID) { b.in.Units = append(b.in.Units, b.in.Units[0]) }, "units[2].id"},
		{"employee in an unknown unit", func(b *builder, _ uuid.UUID) { b.in.Employees[0].UnitID = id(77) }, "employees[0].unit_id"},
		{"standard with fractions of a cent", func(b *builder, _ uuid.UUID) { b.in.Employees[0].MonthlyStandard = dec("300.001") }, "employees[0].monthly_standard"},
		{"evaluation of someone out of scope", func(b *builder, _ uuid.UUID) { b.in.Evaluations[0].EmployeeID = id(555) }, "evaluations[0].employee_id"},
		{"second manager evaluation", func(b *builder, emp uuid.UUID) { b.rate(emp, RaterManager, "teamwork", "70") }, "evaluations[1].kind"},
		{"peer who is the employee", func(b *builder, emp uuid.UUID) {
			b.in.Evaluations = append(b.in.Evaluations, Evaluation{EventID: b.event(), Kind: RaterPeer, RaterID: emp, EmployeeID: emp})
		}, "evaluations[1].rater_id"},
		{"same peer twice", func(b *builder, emp uuid.UUID) {
			b.in.Template.Dimensions[1].Criteria[0].RatedBy = []RaterKind{RaterManager, RaterPeer}
			b.rate(emp, RaterPeer, "teamwork", "70")
			ev := b.in.Evaluations[1]
			ev.EventID = b.event()
			b.in.Evaluations = append(b.in.Evaluations, ev)
		}, "evaluations[2]"},
		{"criterion scored twice", func(b *builder, _ uuid.UUID) {
			b.in.Evaluations[0].Scores = append(b.in.Evaluations[0].Scores, CriterionScore{Criterion: "teamwork", Score: dec("1")})
		}, "evaluations[0].scores[1].criterion"},
		{"rater kind the criterion does not ask", func(b *builder, emp uuid.UUID) { b.rate(emp, RaterPeer, "teamwork", "70") }, "evaluations[1].scores[0].criterion"},
		{"score above the scale", func(b *builder, _ uuid.UUID) { b.in.Evaluations[0].Scores[0].Score = dec("100.01") }, "evaluations[0].scores[0].score"},
		{"score below the scale", func(b *builder, _ uuid.UUID) { b.in.Evaluations[0].Scores[0].Score = dec("-0.000001") }, "evaluations[0].scores[0].score"},
		{"score of 22 digits above the scale", func(b *builder, _ uuid.UUID) {
			b.in.Evaluations[0].Scores[0].Score = dec("100.0000000000000000001")
		}, "evaluations[0].scores[0].score"},
		{"measured criterion rated", func(b *builder, emp uuid.UUID) { b.rate(emp, RaterPeer, "revenue", "70") }, "evaluations[1].scores[0].criterion"},
		{"KPI for a rated criterion", func(b *builder, _ uuid.UUID) { b.in.KPIs[0].Criterion = "teamwork" }, "kpis[0].criterion"},
		{"KPI target of zero on higher-is-better", func(b *builder, _ uuid.UUID) { b.in.KPIs[0].Target = dec("0") }, "kpis[0].target"},
		{"negative KPI actual", func(b *builder, _ uuid.UUID) { b.in.KPIs[0].Actual = dec("-1") }, "kpis[0].actual"},
		{"second KPI record", func(b *builder, _ uuid.UUID) { b.in.KPIs = append(b.in.KPIs, b.in.KPIs[0]) }, "kpis[1]"},
		{"adjustment reusing an evaluation's event id", func(b *builder, emp uuid.UUID) {
			b.adjust(emp, AdjustDelta, "1")
			b.in.Adjustments[0].EventID = b.in.Evaluations[0].EventID
		}, "adjustments[0].event_id"},
		{"unknown adjustment origin", func(b *builder, emp uuid.UUID) {
			b.adjust(emp, AdjustDelta, "1")
			b.in.Adjustments[0].Origin = "rumour"
		}, "adjustments[0].origin"},
		{"override without justification", func(b *builder, _ uuid.UUID) {
			b.in.PairingOverrides = []PairingOverride{{UnitID: unitA, EventID: b.event(), AuthorID: id(999)}}
		}, "pairing_overrides[0].justification"},
		{"negative award", func(b *builder, emp uuid.UUID) {
			b.in.PayItems = []PayItem{{EventID: b.event(), EmployeeID: emp, Kind: Award, Type: "innovation", Amount: dec("-5")}}
		}, "pay_items[0].amount"},
		{"history of this very cycle", func(b *builder, emp uuid.UUID) {
			b.past(emp, Monthly, 1, "A", Closed)
			b.in.History[0].CycleID = cycleID
		}, "history[0].cycle_id"},
		{"history ending after this cycle", func(b *builder, emp uuid.UUID) { b.past(emp, Monthly, -1, "A", Closed) }, "history[0].period_end"},
		{"history grade unknown to the policy", func(b *builder, emp uuid.UUID) { b.past(emp, Monthly, 1, "S", Closed) }, "history[0].grade"},
		{"provisional history", func(b *builder, emp uuid.UUID) { b.past(emp, Monthly, 1, "A", Provisional) }, "history[0].status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, emp := base()
			if err := b.in.Validate(); err != nil {
				t.Fatalf("base input invalid: %v", err)
			}
			tc.mutate(b, emp)
			fields := problemFields(t, b.in.Validate(), ErrInvalidInput)
			if !slices.Equal(fields, []string{tc.field}) {
				t.Errorf("problems at %q, want exactly %q", fields, tc.field)
			}
		})
	}
}

// The duplicate-rater check tells evaluations of unknown kinds apart by
// their kind, as it does known ones: the same unknown kind twice is a
// second evaluation, two unknown kinds are not; and a score of 22 digits
// inside the scale passes.
func TestValidateUnknownKindsAndLongScores(t *testing.T) {
	for _, tc := range []struct {
		kinds []RaterKind
		want  []string
	}{
		{[]RaterKind{"boss", "boss"}, []string{"evaluations[1].kind", "evaluations[2].kind", "evaluations[2]"}},
		{[]RaterKind{"boss", "chief"}, []string{"evaluations[1].kind", "evaluations[2].kind"}},
	} {
		b := newBuilder(kpiTemplate())
		emp := b.employee(1, unitA, "300")
		b.rate(emp, RaterManager, "teamwork", "99.9999999999999999999")
		for _, k := range tc.kinds {
			b.in.Evaluations = append(b.in.Evaluations, Evaluation{EventID: b.event(), Kind: k, RaterID: id(2000), EmployeeID: emp})
		}
		if got := problemFields(t, b.in.Validate(), ErrInvalidInput); !slices.Equal(got, tc.want) {
			t.Errorf("kinds %v: problems at %q, want %q", tc.kinds, got, tc.want)
		}
	}
}

// Validate's sets are reused between calls (validationMaps): the same
// input validates again, and at once from several goroutines, with nothing
// left over from before (an event id seen by an earlier call would be
// "used twice"); an input with a duplicate still reports it after them,
// and so does one too large for its sets to be kept.
func TestValidateReusesItsSetsCleanly(t *testing.T) {
	in := randomInput(3)
	for range 3 {
		if err := in.Validate(); err != nil {
			t.Fatalf("again: %v", err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for g := range errs {
		wg.Go(func() { errs[g] = randomInput(uint64(g)).Validate() })
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", g, err)
		}
	}
	twice := in
	twice.Evaluations = append(slices.Clone(in.Evaluations), in.Evaluations[0])
	fields := problemFields(t, twice.Validate(), ErrInvalidInput)
	if !slices.Contains(fields, fmt.Sprintf("evaluations[%d].event_id", len(in.Evaluations))) {
		t.Errorf("an evaluation listed twice: problems at %q", fields)
	}
	large := syntheticCycle(3_000) // more evaluations than maxPooledEntries
	if len(large.Evaluations) <= maxPooledEntries {
		t.Fatalf("the large input has only %d evaluations", len(large.Evaluations))
	}
	for range 2 {
		if err := large.Validate(); err != nil {
			t.Fatalf("large: %v", err)
		}
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("after the large one: %v", err)
	}
}
