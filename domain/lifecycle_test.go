package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

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

// The ids the service assigns itself (decisions, appeal adjustments) come
// from the generator it was given, so replays and tests can fix them.
func TestServiceAssignsIDsFromItsGenerator(t *testing.T) {
	f := newFixture(t)
	fixed := uuid.MustParse("00000000-0000-4000-8000-00000000d001")
	f.svc = domain.NewService(f.log, domain.WithClock(func() time.Time { return f.now }), domain.WithIDs(func() uuid.UUID { return fixed }))
	f.at(domain.StatePublished)
	events, _ := f.log.ReadAll(f.ctx, 0)
	if d := domain.Decisions(events); len(d) != 1 || d[0].DecisionID != fixed {
		t.Errorf("decisions %+v, want id %s", d, fixed)
	}
}
