package scoring

import (
	"slices"
	"testing"
)

func TestForcedPairing(t *testing.T) {
	tests := []struct {
		name     string
		scores   []string
		override bool
		enabled  bool
		warning  bool
		blocked  bool
	}{
		{name: "A+ without C warns and blocks", scores: []string{"98", "85"}, enabled: true, warning: true, blocked: true},
		{name: "A+ with a C is fine", scores: []string{"98", "75"}, enabled: true},
		{name: "no A+ is fine", scores: []string{"95", "85"}, enabled: true},
		{name: "an HR override clears the block", scores: []string{"98", "85"}, enabled: true, override: true, warning: true},
		{name: "the rule can be switched off", scores: []string{"98", "85"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder(oneCriterionTemplate())
			b.in.Policy.ForcedPairing.Enabled = tc.enabled
			for i, s := range tc.scores {
				b.quality(b.employee(i+1, unitA, "300"), RaterManager, s)
			}
			// Distribution is not the budget's business here: prorate.
			b.in.Policy.BudgetMode = BudgetProrate
			ov := PairingOverride{UnitID: unitA, EventID: b.event(), AuthorID: id(999), Justification: "new team, both excellent"}
			if tc.override {
				b.in.PairingOverrides = []PairingOverride{ov}
			}
			res := b.compute(t)
			u := unitResult(t, res, unitA)
			if u.PairingWarning != tc.warning {
				t.Errorf("warning = %v, want %v", u.PairingWarning, tc.warning)
			}
			if tc.override && (u.PairingOverride == nil || u.PairingOverride.EventID != ov.EventID) {
				t.Errorf("override = %+v, want event %s", u.PairingOverride, ov.EventID)
			}
			blocked := slices.ContainsFunc(res.Blockers, func(bl Blocker) bool { return bl.Kind == BlockPairing })
			if blocked != tc.blocked {
				t.Errorf("pairing blocker = %v, want %v (%+v)", blocked, tc.blocked, res.Blockers)
			}
		})
	}
}

func TestDistributionListsEveryBandBestFirst(t *testing.T) {
	b := newBuilder(oneCriterionTemplate())
	for i, s := range []string{"98", "75", "76", "50"} {
		b.quality(b.employee(i+1, unitA, "300"), RaterManager, s)
	}
	got := unitResult(t, b.compute(t), unitA).Distribution
	want := []GradeCount{{"A+", 1}, {"A", 0}, {"A-", 0}, {"B+", 0}, {"B", 0}, {"B-", 0}, {"C", 2}, {"D", 1}}
	if !slices.Equal(got, want) {
		t.Errorf("distribution = %v, want %v", got, want)
	}
}
