package scoring

import (
	"slices"
	"testing"

	"github.com/shopspring/decimal"
)

func TestDefaultPolicyIsValid(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyValidateListsEveryProblem(t *testing.T) {
	p := DefaultPolicy()
	p.Version = 0
	p.RaterWeights.Peer = decimal.Zero                         // not positive, sum 80
	p.Grades[2].LowerBound = decimal.NewFromInt(95)            // above A's 94
	p.Grades[3].Coefficient = decimal.RequireFromString("1.2") // B+ pays more than A-
	p.Grades[7].LowerBound = decimal.NewFromInt(1)             // a score of 0.5 would have no grade
	p.BudgetMode = "share"
	p.ForcedPairing.LowGrade = "E"
	p.Recommendations.Promotion.Windows = append(p.Recommendations.Promotion.Windows, PromotionWindow{Cadence: Annual, Cycles: 0})
	p.AnonymityThreshold = 0
	p.KPICap = decimal.Zero

	fields := problemFields(t, p.Validate(), ErrInvalidPolicy)
	want := []string{
		"version",
		"rater_weights.peer",
		"rater_weights",
		"grades[2].lower_bound",
		"grades[3].coefficient",
		"grades[7].lower_bound",
		"budget_mode",
		"forced_pairing.low_grade",
		"anonymity_threshold",
		"recommendations.promotion.windows[3].cadence",
		"recommendations.promotion.windows[3].cycles",
		"kpi_cap",
	}
	if !slices.Equal(fields, want) {
		t.Errorf("problem fields\n got %q\nwant %q", fields, want)
	}
}

func TestPolicyBandPutsBoundariesInTheHigherBand(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct{ score, grade string }{
		{"100", "A+"}, {"97.00", "A+"}, {"96.99", "A"}, {"94", "A"}, {"91", "A-"},
		{"88", "B+"}, {"84", "B"}, {"83.99", "B-"}, {"81", "B-"}, {"71", "C"},
		{"70.99", "D"}, {"70", "D"}, {"0", "D"},
	} {
		got := p.Grades[p.band(decimal.RequireFromString(tc.score))].Grade
		if got != tc.grade {
			t.Errorf("band(%s) = %s, want %s", tc.score, got, tc.grade)
		}
	}
}
