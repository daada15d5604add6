package domain_test

import (
	"testing"

	"github.com/appraisal-hr/appraisal/domain"
)

func TestWholeCycleRecordsDecisionsThatReplay(t *testing.T) {
	f := newFixture(t).at(domain.StateClosed)
	events, _ := f.log.ReadAll(f.ctx, 0)
	decisions := domain.Decisions(events)
	if len(decisions) != 2 {
		t.Fatalf("%d decisions, want publication and close", len(decisions))
	}
	for _, dec := range decisions {
		if len(dec.Rows) != 4 {
			t.Errorf("%s decision has %d rows, want 4 (M, E1-E3; S excluded)", dec.Kind, len(dec.Rows))
		}
		for _, row := range dec.Rows {
			// 85 everywhere: B, coefficient 100%, pay = standard.
			if row.Grade != "B" || !row.Final.Equal(d("85")) || !row.Pay.Equal(row.Standard) {
				t.Errorf("row %+v, want B at 85 paid the standard", row)
			}
		}
		_, mismatches, err := domain.ReplayDecision(events, dec)
		if err != nil || len(mismatches) != 0 {
			t.Errorf("replay of %s: %v %v", dec.Kind, err, mismatches)
		}
	}
}
