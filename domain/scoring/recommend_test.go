package scoring

import (
	"slices"
	"testing"

	"github.com/google/uuid"
)

// past records an earlier result of emp: a monthly cycle monthsBack months
// before October 2026, or a quarter/year ending then.
func (b *builder) past(emp uuid.UUID, cadence Cadence, monthsBack int, grade string, status ResultStatus) uuid.UUID {
	end := date(2026, 11, 1).AddDate(0, -monthsBack, 0).AddDate(0, 0, -1)
	start := end.AddDate(0, 0, 1).AddDate(0, -cadence.Months(), 0)
	ev := b.event()
	b.in.History = append(b.in.History, PastResult{
		EmployeeID: emp, CycleID: id(100000 + int(ev[15]) + 256*int(ev[14])), Cadence: cadence,
		PeriodStart: start, PeriodEnd: end, Grade: grade, Status: status, EventID: ev,
	})
	return ev
}

func kinds(res Result, emp uuid.UUID) []RecommendationKind {
	var out []RecommendationKind
	for _, r := range res.Recommendations {
		if r.EmployeeID == emp {
			out = append(out, r.Kind)
		}
	}
	return out
}

func TestRecommendationsAndFlags(t *testing.T) {
	type past struct {
		cadence Cadence
		back    int
		grade   string
		status  ResultStatus
	}
	tests := []struct {
		name     string
		status   ResultStatus
		score    string // this cycle, monthly: 98 A+, 92 A-, 85 B, 75 C, 60 D
		history  []past
		want     []RecommendationKind
		flag     bool
		evidence int // cycles behind the first recommendation (or the flag)
	}{
		{name: "nothing before publication", status: Provisional, score: "75",
			history: []past{{Monthly, 1, "C", Closed}, {Monthly, 2, "C", Closed}}},
		{name: "a published C: training", status: Published, score: "75",
			want: []RecommendationKind{RecommendTraining}, evidence: 1},
		{name: "third consecutive monthly C: flag, training, position review", status: Published, score: "75",
			history: []past{{Monthly, 1, "C", Closed}, {Monthly, 2, "C", Closed}},
			want:    []RecommendationKind{RecommendTraining, RecommendPositionReview}, flag: true, evidence: 3},
		{name: "a B between the Cs breaks the run", status: Published, score: "75",
			history: []past{{Monthly, 1, "B", Closed}, {Monthly, 2, "C", Closed}, {Monthly, 3, "C", Closed}},
			want:    []RecommendationKind{RecommendTraining}, evidence: 1},
		{name: "a quarterly C does not count toward the monthly run", status: Published, score: "75",
			history: []past{{Quarterly, 0, "C", Closed}, {Monthly, 1, "C", Closed}},
			want:    []RecommendationKind{RecommendTraining}, evidence: 1},
		{name: "a D: position review", status: Published, score: "60",
			want: []RecommendationKind{RecommendPositionReview}, evidence: 1},
		{name: "two consecutive D: position and demotion review", status: Published, score: "60",
			history: []past{{Monthly, 1, "D", Published}},
			want:    []RecommendationKind{RecommendPositionReview, RecommendDemotionReview}, evidence: 1},
		{name: "A+ published is not yet an award candidate", status: Published, score: "98"},
		{name: "A+ closed: excellence award candidate", status: Closed, score: "98",
			want: []RecommendationKind{RecommendExcellenceAward}, evidence: 1},
		{name: "six closed monthly A- or better: promotion", status: Closed, score: "92",
			history: []past{{Monthly, 1, "A", Closed}, {Monthly, 2, "A-", Closed}, {Monthly, 3, "A+", Closed},
				{Monthly, 4, "A-", Closed}, {Monthly, 5, "A-", Closed}, {Monthly, 9, "D", Closed}},
			want: []RecommendationKind{RecommendPromotion}, evidence: 6},
		{name: "five are not enough", status: Closed, score: "92",
			history: []past{{Monthly, 1, "A", Closed}, {Monthly, 2, "A-", Closed}, {Monthly, 3, "A+", Closed},
				{Monthly, 4, "A-", Closed}}},
		{name: "one B+ in the window blocks promotion", status: Closed, score: "92",
			history: []past{{Monthly, 1, "A", Closed}, {Monthly, 2, "B+", Closed}, {Monthly, 3, "A+", Closed},
				{Monthly, 4, "A-", Closed}, {Monthly, 5, "A-", Closed}}},
		{name: "a quarterly B- inside the span is below the floor B", status: Closed, score: "92",
			history: []past{{Monthly, 1, "A", Closed}, {Monthly, 2, "A-", Closed}, {Monthly, 3, "A+", Closed},
				{Monthly, 4, "A-", Closed}, {Monthly, 5, "A-", Closed}, {Quarterly, 1, "B-", Closed}}},
		{name: "a quarterly B inside the span is at the floor and counted as evidence", status: Closed, score: "92",
			history: []past{{Monthly, 1, "A", Closed}, {Monthly, 2, "A-", Closed}, {Monthly, 3, "A+", Closed},
				{Monthly, 4, "A-", Closed}, {Monthly, 5, "A-", Closed}, {Quarterly, 1, "B", Closed}},
			want: []RecommendationKind{RecommendPromotion}, evidence: 7},
		{name: "a published (not closed) month does not fill the window", status: Closed, score: "92",
			history: []past{{Monthly, 1, "A", Published}, {Monthly, 2, "A-", Closed}, {Monthly, 3, "A+", Closed},
				{Monthly, 4, "A-", Closed}, {Monthly, 5, "A-", Closed}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder(oneCriterionTemplate())
			b.in.Cycle.Status = tc.status
			b.in.Policy.ForcedPairing.Enabled = false
			emp := b.employee(1, unitA, "300")
			b.quality(emp, RaterManager, tc.score)
			for _, h := range tc.history {
				b.past(emp, h.cadence, h.back, h.grade, h.status)
			}
			res := b.compute(t)
			if got := kinds(res, emp); !slices.Equal(got, tc.want) {
				t.Fatalf("recommendations = %v, want %v", got, tc.want)
			}
			if (len(res.Flags) == 1) != tc.flag {
				t.Fatalf("flags = %+v, want flag %v", res.Flags, tc.flag)
			}
			switch {
			case tc.flag:
				if n := len(res.Flags[0].Evidence); n != tc.evidence {
					t.Errorf("flag evidence has %d cycles, want %d", n, tc.evidence)
				}
			case len(tc.want) > 0:
				rec := res.Recommendations[0]
				if n := len(rec.Evidence); n != tc.evidence {
					t.Errorf("evidence has %d cycles, want %d", n, tc.evidence)
				}
				if rec.Rule == "" || len(rec.Parameters) == 0 || rec.PolicyVersion != b.in.Policy.Version {
					t.Errorf("recommendation lacks rule, parameters or policy version: %+v", rec)
				}
				if last := rec.Evidence[len(rec.Evidence)-1]; last.CycleID != cycleID {
					t.Errorf("last evidence is cycle %s, want this cycle", last.CycleID)
				}
			}
		})
	}
}

func TestConsecutiveFlagCitesDecisionEvents(t *testing.T) {
	b := newBuilder(oneCriterionTemplate())
	b.in.Cycle.Status = Published
	emp := b.employee(1, unitA, "300")
	b.quality(emp, RaterManager, "75")
	second := b.past(emp, Monthly, 1, "C", Published)
	first := b.past(emp, Monthly, 2, "C", Closed)
	res := b.compute(t)
	if len(res.Flags) != 1 {
		t.Fatalf("flags = %+v, want one", res.Flags)
	}
	ev := res.Flags[0].Evidence
	if !slices.Equal(ev[0].EventIDs, []uuid.UUID{first}) || !slices.Equal(ev[1].EventIDs, []uuid.UUID{second}) || ev[2].CycleID != cycleID {
		t.Errorf("evidence = %+v, want the two decision events oldest first, then this cycle", ev)
	}
	if rec := res.Recommendations[1]; rec.Kind != RecommendPositionReview || rec.Rule != "position_review.consecutive_flag" {
		t.Errorf("second recommendation = %+v, want position review on the flag", rec)
	}
}
