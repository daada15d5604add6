package domain

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// reviewHistory is one event of every kind Review.apply handles.
func reviewHistory() []Event {
	goal, req, appeal := uuid.New(), uuid.New(), uuid.New()
	published := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	return []Event{
		GoalDrafted{GoalID: goal, Title: "Grow"},
		GoalAgreed{GoalID: goal},
		ManagerDelegated{DelegateID: uuid.New()},
		PeerAssigned{PeerID: uuid.New()},
		PeerAssigned{PeerID: uuid.New()},
		PeerAssigned{PeerID: uuid.New()},
		CustomerFeedbackRequested{RequestID: req, ExpiresAt: published},
		EvaluationSubmitted{EvaluationID: uuid.New(), Kind: scoring.RaterCustomer, RaterID: req},
		EvaluationSubmitted{EvaluationID: uuid.New(), Kind: scoring.RaterManager, RaterID: uuid.New()},
		KPITargetSet{Criterion: "sales", Target: decimal.NewFromInt(100)},
		KPIActualRecorded{Criterion: "sales", Actual: decimal.NewFromInt(90)},
		ScoreAdjusted{AdjustmentID: uuid.New()},
		ResultsAcknowledged{PublishedAt: published},
		AppealFiled{AppealID: appeal, PublishedAt: published},
		AppealRejected{AppealID: appeal},
		AwardGranted{AwardID: uuid.New()},
		PenaltyImposed{PenaltyID: uuid.New()},
		RecommendationDecided{Kind: scoring.RecommendTraining},
		PeerAssigned{PeerID: uuid.New()},
	}
}

// A cached review is shared by concurrent requests while the next events are
// applied to clones of it: whatever is applied to two clones, from any point
// of the history, each ends as a fresh fold of its events and the original
// stays as it was.
func TestReviewCloneIsDeep(t *testing.T) {
	history, other := reviewHistory(), reviewHistory()
	cycle, emp := uuid.New(), uuid.New()
	fold := func(events ...[]Event) *Review {
		r := NewReview(cycle, emp)
		for _, list := range events {
			for _, e := range list {
				r.apply(e)
			}
		}
		return r
	}
	for cut := range len(history) + 1 {
		original := fold(history[:cut])
		a, b := original.clone(), original.clone()
		if !reflect.DeepEqual(a, original) {
			t.Fatalf("after %d events the clone differs from the original", cut)
		}
		// The rest of the history on one clone (goals agreed, requests
		// answered, appeals closed in place), another history on the other.
		for _, e := range history[cut:] {
			a.apply(e)
		}
		for _, e := range other {
			b.apply(e)
		}
		if !reflect.DeepEqual(original, fold(history[:cut])) {
			t.Errorf("after %d events, applying to the clones changed the original", cut)
		}
		if !reflect.DeepEqual(a, fold(history)) || !reflect.DeepEqual(b, fold(history[:cut], other)) {
			t.Errorf("after %d events, the clones changed each other", cut)
		}
	}
}

// A review after only drafts is the same review (commitReview then caches
// it as it is): applying a draft at any point of a history changes nothing,
// and after returns a copy for every other event.
func TestDraftChangesNoReview(t *testing.T) {
	history := reviewHistory()
	r := NewReview(uuid.New(), uuid.New())
	draft := EvaluationDraftSaved{Kind: scoring.RaterSelf, RaterID: uuid.New(), Summary: "wip",
		Scores: []ScoreEntry{{Criterion: "service", Score: decimal.NewFromInt(90)}}}
	for i, e := range history {
		before := r.clone()
		r.apply(draft)
		if !reflect.DeepEqual(r, before) {
			t.Fatalf("after %d events, applying a draft changed the review", i)
		}
		if r.after([]Event{draft, draft}) != r {
			t.Fatalf("after %d events, after(drafts) copied the review", i)
		}
		next := r.after([]Event{draft, e})
		if next == r || !reflect.DeepEqual(r, before) {
			t.Fatalf("after %d events, after(%T) did not copy the review, or changed it", i, e)
		}
		r = next
	}
}

func TestReviewCacheKeepsTheMostRecentlyUsed(t *testing.T) {
	c := newReviewCache(3)
	for i := range 3 {
		c.put(fmt.Sprint(i), cached{version: int64(i + 1)})
	}
	c.get("0")                     // 0 is now the most recently used
	c.put("3", cached{version: 4}) // evicts 1, the least recently used
	c.put("0", cached{version: 0}) // older than what is held: ignored
	c.put("2", cached{version: 9}) // newer: replaces
	for stream, want := range map[string]int64{"0": 1, "2": 9, "3": 4} {
		if got, ok := c.get(stream); !ok || got.version != want {
			t.Errorf("stream %s: %+v %v, want version %d", stream, got, ok, want)
		}
	}
	if _, ok := c.get("1"); ok {
		t.Error("the least recently used entry is still held")
	}
	c.drop("3")
	if _, ok := c.get("3"); ok || c.order.Len() != 2 || len(c.entries) != 2 {
		t.Errorf("after drop: %d in order, %d in map", c.order.Len(), len(c.entries))
	}
}
