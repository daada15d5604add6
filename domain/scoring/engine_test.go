package scoring

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Each case is worked out by hand in its comment, the way a payroll clerk
// would check it. Default policy: rater weights self 10, peer 20, manager
// 50, customer 20; A 94-<97 pays 115%, and so on (SPEC §6). Monthly cycle,
// monthly standard 300 unless said otherwise.
func TestComputeScoresGradesAndPay(t *testing.T) {
	type rating struct {
		kind  RaterKind
		score string
	}
	type adj struct {
		kind  AdjustmentKind
		value string
	}
	tests := []struct {
		name      string
		ratings   []rating
		adjs      []adj
		overall   string // full precision
		final     string
		grade     string
		pay       string
		absent    []RaterKind
		shownPeer bool
	}{
		{
			// SPEC §7 source example. (10×90 + 20×95 + 50×96 + 20×94) / 100
			// = (900 + 1900 + 4800 + 1880) / 100 = 94.8 → A; 300 × 1.15 = 345.00.
			name:    "source example: standard 300, grade A pays 345.00",
			ratings: []rating{{RaterSelf, "90"}, {RaterPeer, "95"}, {RaterManager, "96"}, {RaterCustomer, "94"}},
			overall: "94.8", final: "94.80", grade: "A", pay: "345.00",
		},
		{
			// No peer, no customer: weights re-normalised over self 10 +
			// manager 50 = 60. (10×80 + 50×90) / 60 = 5300 / 60 = 88.333… →
			// 88.33 → B+; 300 × 1.05 = 315.00. Counting absent kinds as 0
			// would have given 53.00 and a D.
			name:    "missing rater kinds are re-normalised away",
			ratings: []rating{{RaterSelf, "80"}, {RaterManager, "90"}},
			overall: "88.33333333333333333333", final: "88.33", grade: "B+", pay: "315.00",
			absent: []RaterKind{RaterPeer, RaterCustomer},
		},
		{
			// Peers 80, 90, 85 → mean 85; customers 70, 80 → mean 75.
			// (10×100 + 20×85 + 50×90 + 20×75) / 100 = (1000 + 1700 + 4500 +
			// 1500) / 100 = 87 → B; 300 × 1.00 = 300.00. Three peers reach
			// the anonymity threshold, so their mean is shown.
			name: "several peers and customers: mean per kind first",
			ratings: []rating{{RaterSelf, "100"}, {RaterPeer, "80"}, {RaterPeer, "90"}, {RaterPeer, "85"},
				{RaterManager, "90"}, {RaterCustomer, "70"}, {RaterCustomer, "80"}},
			overall: "87", final: "87.00", grade: "B", pay: "300.00", shownPeer: true,
		},
		{
			// Peers 80, 81, 81 → 242/3 = 80.666…; with manager 90 only:
			// (20 × 80.666… + 50 × 90) / 70 = 6113.333… / 70 = 87.333… → B.
			name:    "a mean of three that does not terminate",
			ratings: []rating{{RaterPeer, "80"}, {RaterPeer, "81"}, {RaterPeer, "81"}, {RaterManager, "90"}},
			overall: "87.33333333333333333333", final: "87.33", grade: "B", pay: "300.00",
			absent: []RaterKind{RaterSelf, RaterCustomer}, shownPeer: true,
		},
		{
			// 83 is B- (81-<84); +1.5 → 84.5 → B (84-<88); 300.00 not 285.00.
			name:    "a calibration delta crosses a band boundary",
			ratings: []rating{{RaterManager, "83"}},
			adjs:    []adj{{AdjustDelta, "1.5"}},
			overall: "83", final: "84.50", grade: "B", pay: "300.00",
			absent: []RaterKind{RaterSelf, RaterPeer, RaterCustomer},
		},
		{
			// Override 90 replaces 70, then -2 → 88 → B+ (88 inclusive); 315.00.
			name:    "an override then a delta apply in event order",
			ratings: []rating{{RaterManager, "70"}},
			adjs:    []adj{{AdjustOverride, "90"}, {AdjustDelta, "-2"}},
			overall: "70", final: "88.00", grade: "B+", pay: "315.00",
			absent: []RaterKind{RaterSelf, RaterPeer, RaterCustomer},
		},
		{
			// 96.995 rounds half-up to 97.00, which is A+; 300 × 1.20 = 360.00.
			name:    "96.995 rounds to 97.00 and is A+",
			ratings: []rating{{RaterManager, "96.995"}},
			overall: "96.995", final: "97.00", grade: "A+", pay: "360.00",
			absent: []RaterKind{RaterSelf, RaterPeer, RaterCustomer},
		},
		{
			// 96.994 rounds down to 96.99: still A.
			name:    "96.994 rounds to 96.99 and stays A",
			ratings: []rating{{RaterManager, "96.994"}},
			overall: "96.994", final: "96.99", grade: "A", pay: "345.00",
			absent: []RaterKind{RaterSelf, RaterPeer, RaterCustomer},
		},
		{
			// 70.99 is below C's 71: D (the 70-71 gap belongs to D); 300 × 0.5 = 150.00.
			name:    "70.99 is D",
			ratings: []rating{{RaterManager, "70.99"}},
			overall: "70.99", final: "70.99", grade: "D", pay: "150.00",
			absent: []RaterKind{RaterSelf, RaterPeer, RaterCustomer},
		},
		{
			// 99 + 5 = 104, clamped to 100 → A+.
			name:    "adjustments are clamped to 100",
			ratings: []rating{{RaterManager, "99"}},
			adjs:    []adj{{AdjustDelta, "5"}},
			overall: "99", final: "100.00", grade: "A+", pay: "360.00",
			absent: []RaterKind{RaterSelf, RaterPeer, RaterCustomer},
		},
		{
			// 3 - 5 = -2, clamped to 0 → D.
			name:    "adjustments are clamped to 0",
			ratings: []rating{{RaterManager, "3"}},
			adjs:    []adj{{AdjustDelta, "-5"}},
			overall: "3", final: "0.00", grade: "D", pay: "150.00",
			absent: []RaterKind{RaterSelf, RaterPeer, RaterCustomer},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder(oneCriterionTemplate())
			emp := b.employee(1, unitA, "300")
			for _, r := range tc.ratings {
				b.quality(emp, r.kind, r.score)
			}
			for _, a := range tc.adjs {
				b.adjust(emp, a.kind, a.value)
			}
			r := employeeResult(t, b.compute(t), emp)
			assertDec(t, "overall", r.Overall.Value, tc.overall)
			assertCents(t, "final", r.Final.Value, tc.final)
			if r.Grade != tc.grade {
				t.Errorf("grade = %s, want %s", r.Grade, tc.grade)
			}
			assertCents(t, "pay", r.Pay.Value, tc.pay)
			if got := r.Criteria[0].AbsentRaters; !slices.Equal(got, tc.absent) {
				t.Errorf("absent raters = %v, want %v", got, tc.absent)
			}
			for _, rs := range r.Criteria[0].Raters {
				if rs.Kind == RaterPeer && rs.ShownToEmployee != tc.shownPeer {
					t.Errorf("peer mean shown = %v, want %v", rs.ShownToEmployee, tc.shownPeer)
				}
			}
			if len(r.Adjustments) != len(tc.adjs) {
				t.Errorf("%d adjustments applied, want %d", len(r.Adjustments), len(tc.adjs))
			}
		})
	}
}

// kpiTemplate: results 60 (revenue 50 measured, complaints 50 measured and
// lower-is-better) and attitude 40 (teamwork rated by the manager).
func kpiTemplate() Template {
	return Template{ID: id(900001), Version: 1, Dimensions: []Dimension{
		{Key: "results", Weight: dec("60"), Criteria: []Criterion{
			{Key: "revenue", Weight: dec("50"), Kind: Measured},
			{Key: "complaints", Weight: dec("50"), Kind: Measured, LowerIsBetter: true},
		}},
		{Key: "attitude", Weight: dec("40"), Criteria: []Criterion{
			{Key: "teamwork", Weight: dec("100"), Kind: Rated, Scale: ScalePercent, RatedBy: []RaterKind{RaterManager}},
		}},
	}}
}

func TestComputeKPIs(t *testing.T) {
	tests := []struct {
		name                                           string
		revTarget, revActual, complTarget, complActual string
		teamwork                                       string
		revenue, complaints, final, grade, pay         string
	}{
		{
			// Revenue 1200 / 1000 × 100 = 120, capped at 100. Complaints
			// (lower is better) 2 / 4 × 100 = 50. Results (50×100 + 50×50) /
			// 100 = 75; overall (60×75 + 40×80) / 100 = 45 + 32 = 77 → C;
			// 300 × 0.80 = 240.00.
			name:      "over target is capped; lower-is-better above target",
			revTarget: "1000", revActual: "1200", complTarget: "2", complActual: "4", teamwork: "80",
			revenue: "100", complaints: "50", final: "77.00", grade: "C", pay: "240.00",
		},
		{
			// Revenue 900 / 1000 × 100 = 90. No complaints at all against a
			// target of 2: the best result, scored at the cap, 100. Results
			// (50×90 + 50×100) / 100 = 95; overall (60×95 + 40×90) / 100 =
			// 57 + 36 = 93 → A-; 300 × 1.10 = 330.00.
			name:      "under target; lower-is-better with an actual of 0",
			revTarget: "1000", revActual: "900", complTarget: "2", complActual: "0", teamwork: "90",
			revenue: "90", complaints: "100", final: "93.00", grade: "A-", pay: "330.00",
		},
		{
			// Revenue 2 / 3 × 100 = 66.666… (kept to 20 places, the last
			// rounded up). Complaints are lower-is-better, target 3, actual 2:
			// 3 / 2 × 100 = 150, capped at 100. Results (50 × 66.666… + 50 × 100) / 100 = 83.333…; overall
			// (60 × 83.333… + 40 × 70) / 100 = 50 + 28 = 78.00 → C; 240.00.
			name:      "a KPI ratio that does not terminate",
			revTarget: "3", revActual: "2", complTarget: "3", complActual: "2", teamwork: "70",
			revenue: "66.66666666666666666667", complaints: "100", final: "78.00", grade: "C", pay: "240.00",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder(kpiTemplate())
			emp := b.employee(1, unitA, "300")
			b.rate(emp, RaterManager, "teamwork", tc.teamwork)
			b.in.KPIs = []KPIRecord{
				{EmployeeID: emp, Criterion: "revenue", Target: dec(tc.revTarget), Actual: dec(tc.revActual), TargetEventID: b.event(), ActualEventID: b.event()},
				{EmployeeID: emp, Criterion: "complaints", Target: dec(tc.complTarget), Actual: dec(tc.complActual), TargetEventID: b.event(), ActualEventID: b.event()},
			}
			r := employeeResult(t, b.compute(t), emp)
			assertDec(t, "revenue", r.Criteria[0].Score.Value, tc.revenue)
			assertDec(t, "complaints", r.Criteria[1].Score.Value, tc.complaints)
			assertCents(t, "final", r.Final.Value, tc.final)
			if r.Grade != tc.grade {
				t.Errorf("grade = %s, want %s", r.Grade, tc.grade)
			}
			assertCents(t, "pay", r.Pay.Value, tc.pay)
		})
	}
}

func TestComputeFivePointScale(t *testing.T) {
	// Default template, customer satisfaction on 1-5 by manager and
	// customers. Customers 4 and 5 → mean 4.5 → (4.5 - 1) × 25 = 87.5;
	// manager 3 → 50. (50 × 50 + 20 × 87.5) / 70 = (2500 + 1750) / 70 =
	// 4250 / 70 = 60.714285….
	b := newBuilder(DefaultTemplate())
	emp := b.employee(1, unitA, "300")
	b.rate(emp, RaterManager, "customer_satisfaction", "3")
	b.rate(emp, RaterCustomer, "customer_satisfaction", "4")
	b.rate(emp, RaterCustomer, "customer_satisfaction", "5")
	r := employeeResult(t, b.compute(t), emp)
	cs := r.Criteria[3]
	if cs.Key != "customer_satisfaction" {
		t.Fatalf("criterion 3 is %s", cs.Key)
	}
	assertDec(t, "manager mean", cs.Raters[0].Mean.Value, "50")
	assertDec(t, "customer mean", cs.Raters[1].Mean.Value, "87.5")
	assertDec(t, "criterion", cs.Score.Value, "60.71428571428571428571")
	if cs.Raters[1].ShownToEmployee {
		t.Error("two customer evaluations are below the anonymity threshold of 3 but shown")
	}
	// Nothing else was scored: the employee is incomplete and blocks approval.
	if r.Complete || len(r.Missing) != 9 {
		t.Errorf("complete = %v, missing = %v; want incomplete with 9 missing criteria", r.Complete, r.Missing)
	}
}

func TestComputeTraceCitesEventsAndSteps(t *testing.T) {
	b := newBuilder(oneCriterionTemplate())
	emp := b.employee(1, unitA, "300")
	mgr := b.quality(emp, RaterManager, "83")
	// The manager first gave 60 and amended it to 83: the fold hands over
	// the amended scores and the amendment's event id.
	amendment := b.event()
	b.in.Evaluations[0].AmendmentEventIDs = []uuid.UUID{amendment}
	p1 := b.quality(emp, RaterPeer, "80")
	p2 := b.quality(emp, RaterPeer, "90")
	adj := b.adjust(emp, AdjustDelta, "1.5")
	r := employeeResult(t, b.compute(t), emp)

	// Peers (80 + 90) / 2 = 85; (20×85 + 50×83) / 70 = (1700 + 4150) / 70
	// = 5850 / 70 = 83.571428…; + 1.5 = 85.071428… → 85.07 → B.
	crit := r.Criteria[0]
	peerMean := crit.Raters[0].Mean.Trace[0]
	if peerMean.Op != OpMean || len(peerMean.Terms) != 2 || peerMean.Terms[0].EventID != p1 || peerMean.Terms[1].EventID != p2 {
		t.Errorf("peer mean step = %+v, want a mean citing events %s and %s", peerMean, p1, p2)
	}
	if term := crit.Raters[1].Mean.Trace[0].Terms[0]; term.EventID != mgr || !slices.Equal(term.Amendments, []uuid.UUID{amendment}) {
		t.Errorf("manager score cites %s amended by %v, want %s amended by %s", term.EventID, term.Amendments, mgr, amendment)
	}
	ops := func(tr Trace) []Op {
		var out []Op
		for _, s := range tr {
			out = append(out, s.Op)
		}
		return out
	}
	if got, want := ops(crit.Score.Trace), []Op{OpRenormalise, OpWeightedMean}; !slices.Equal(got, want) {
		t.Errorf("criterion trace ops = %v, want %v", got, want)
	}
	assertDec(t, "renormalised weight total", crit.Score.Trace[0].Value, "70")
	if crit.Score.Trace[0].Note == "" {
		t.Error("renormalise step does not name the absent kinds")
	}
	if got, want := ops(r.Final.Trace), []Op{OpAdjust, OpClamp, OpRound}; !slices.Equal(got, want) {
		t.Errorf("final trace ops = %v, want %v", got, want)
	}
	if got := r.Final.Trace[0].EventIDs; !slices.Equal(got, []uuid.UUID{adj}) {
		t.Errorf("adjust step cites %v, want %s", got, adj)
	}
	assertCents(t, "final", r.Final.Value, "85.07")
	if got, want := ops(r.GradeTrace), []Op{OpBand, OpCoefficient}; !slices.Equal(got, want) {
		t.Errorf("grade trace ops = %v, want %v", got, want)
	}
	if r.Grade != "B" {
		t.Errorf("grade = %s, want B", r.Grade)
	}
	// The whole derivation, in order: peer and manager means, the
	// criterion, dimension and overall, the adjustment, clamp, rounding,
	// band, coefficient, standard and pay.
	want := []Op{OpMean, OpMean, OpRenormalise, OpWeightedMean, OpWeightedMean, OpWeightedMean,
		OpAdjust, OpClamp, OpRound, OpBand, OpCoefficient, OpStandard, OpPay}
	if got := ops(r.Derivation()); !slices.Equal(got, want) {
		t.Errorf("derivation ops = %v\nwant %v", got, want)
	}
	text := r.Derivation().String()
	for _, part := range []string{"mean peer (80 from", "adjust delta by", "round (score 85.071428", "pay B (standard 300, coefficient 1) = 300"} {
		if !strings.Contains(text, part) {
			t.Errorf("rendered derivation lacks %q:\n%s", part, text)
		}
	}
}

func TestComputeRefusesInvalidInput(t *testing.T) {
	b := newBuilder(oneCriterionTemplate())
	emp := b.employee(1, unitA, "300")
	b.quality(emp, RaterManager, "101")                     // above the 0-100 scale
	b.rate(emp, RaterPeer, "unknown", "50")                 // not a criterion
	b.in.Evaluations = append(b.in.Evaluations, Evaluation{ // self by someone else
		EventID: b.event(), Kind: RaterSelf, RaterID: id(5000), EmployeeID: emp,
	})
	b.in.Adjustments = []Adjustment{{EventID: b.event(), EmployeeID: id(7), Origin: FromCalibration, Kind: AdjustOverride, Value: dec("120")}}

	_, err := Compute(b.in)
	fields := problemFields(t, err, ErrInvalidInput)
	want := []string{
		"evaluations[0].scores[0].score",
		"evaluations[1].scores[0].criterion",
		"evaluations[2].rater_id",
		"adjustments[0].employee_id",
		"adjustments[0].value",
		"adjustments[0].author_id",
		"adjustments[0].reason",
	}
	if !slices.Equal(fields, want) {
		t.Errorf("problem fields\n got %q\nwant %q", fields, want)
	}
}

// TestComputeDefaultTemplateByHand runs the SPEC §3 default form end to end
// for one manager-level employee in a quarterly cycle.
func TestComputeDefaultTemplateByHand(t *testing.T) {
	b := newBuilder(DefaultTemplate())
	b.in.Cycle.Cadence, b.in.Cycle.Months = Quarterly, 3
	emp := b.employee(1, unitA, "500")
	kpi := func(criterion, target, actual string) {
		b.in.KPIs = append(b.in.KPIs, KPIRecord{EmployeeID: emp, Criterion: criterion, Target: dec(target), Actual: dec(actual),
			TargetEventID: b.event(), ActualEventID: b.event()})
	}
	// Results (60): revenue 110/100 → 110, capped 100; profit 45/50 → 90;
	// new customers 8/10 → 80; satisfaction: manager 3 → 50, customers 5
	// and 4 → 4.5 → 87.5, so (50×50 + 20×87.5) / 70 = 4250 / 70 =
	// 60.714285…. Results = (30×100 + 30×90 + 20×80 + 20×60.714285…) / 100
	// = 85.142857….
	kpi("sales_revenue", "100", "110")
	kpi("sales_profit", "50", "45")
	kpi("new_customers", "10", "8")
	b.rate(emp, RaterManager, "customer_satisfaction", "3",
		"responsibility", "90", "teamwork", "80", "initiative", "85",
		"professional_skill", "95", "communication", "80", "problem_solving", "88")
	b.rate(emp, RaterCustomer, "customer_satisfaction", "5", "communication", "100")
	b.rate(emp, RaterCustomer, "customer_satisfaction", "4", "communication", "100")
	// Attitude (20): every rater gives 90 / 80 / 85, so (34×90 + 33×80 +
	// 33×85) / 100 = 85.05. Ability (20): skill 95; communication self 70,
	// peers 80 and 90 → 85, manager 80, customers 100: (10×70 + 20×85 +
	// 50×80 + 20×100) / 100 = 84; problem solving 88; (34×95 + 33×84 +
	// 33×88) / 100 = 89.06.
	b.rate(emp, RaterSelf, "responsibility", "90", "teamwork", "80", "initiative", "85",
		"professional_skill", "95", "communication", "70", "problem_solving", "88")
	for _, peer := range []string{"80", "90"} {
		b.rate(emp, RaterPeer, "responsibility", "90", "teamwork", "80", "initiative", "85",
			"professional_skill", "95", "communication", peer, "problem_solving", "88")
	}
	// Overall (60×85.142857… + 20×85.05 + 20×89.06) / 100 = 85.907714… →
	// 85.91 → B. Standard 500 × 3 months = 1500; × 1.00 = 1500.00.
	r := employeeResult(t, b.compute(t), emp)
	wantDims := []string{"85.142857142857142857142", "85.05", "89.06"}
	for i, d := range r.Dimensions {
		assertDec(t, "dimension "+d.Key, d.Score.Value, wantDims[i])
	}
	assertDec(t, "overall", r.Overall.Value, "85.9077142857142857142852")
	assertCents(t, "final", r.Final.Value, "85.91")
	assertDec(t, "standard", r.Standard.Value, "1500")
	assertCents(t, "pay", r.Pay.Value, "1500.00")
	if r.Grade != "B" || !r.Complete {
		t.Errorf("grade %s, complete %v; want B and complete", r.Grade, r.Complete)
	}
}
