package projections

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// payloadReason reads a "reason" field, standing in for the domain's.
func payloadReason(e eventstore.Event) (string, error) {
	var p struct {
		Reason string `json:"reason"`
	}
	return p.Reason, json.Unmarshal(e.Payload, &p)
}

func TestTimeline(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		cycle, alice, bob := uuid.New(), uuid.New(), uuid.New()
		hr := eventstore.Actor{ID: "hr-1", Role: "hr"}
		put := func(stream, typ string, actor eventstore.Actor, payload map[string]any) int64 {
			body, _ := json.Marshal(payload)
			res, err := b.store.Append(ctx, stream, eventstore.AnyVersion, []eventstore.NewEvent{{
				ID: uuid.New(), Type: typ, SchemaVersion: 1, Payload: body, Actor: actor,
				CorrelationID: uuid.New(), CausationID: uuid.New(),
			}})
			if err != nil {
				t.Fatal(err)
			}
			return res.LastPosition
		}
		p1 := put("cycle-"+cycle.String(), "test.cycle_opened", hr, map[string]any{"cycle_id": cycle})
		p2 := put("organisation", "test.employee_hired", hr, map[string]any{"employee_id": alice})
		p3 := put("eval-"+alice.String(), "test.self_submitted", eventstore.Actor{ID: alice.String(), Role: "employee"},
			map[string]any{"cycle_id": cycle, "employee_id": alice})
		p4 := put("cycle-"+cycle.String(), "test.cycle_reopened", hr, map[string]any{"cycle_id": cycle, "reason": "late appeal"})
		put("organisation", "test.employee_hired", hr, map[string]any{"employee_id": bob})

		tl := NewTimeline(payloadReason)
		r := NewRunner(b.db, b.store, testRunnerConfig(), tl)
		runRunner(t, r)
		head, _ := b.store.Head(ctx)
		if err := r.WaitFor(ctx, TimelineName, head, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		positions := func(kind string, id uuid.UUID) []int64 {
			entries, err := ReadTimeline(ctx, b.db, kind, id)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, e := range entries {
				out = append(out, e.Position)
			}
			return out
		}
		if got := positions(SubjectCycle, cycle); !slices.Equal(got, []int64{p1, p3, p4}) {
			t.Errorf("cycle timeline = %v, want %v", got, []int64{p1, p3, p4})
		}
		if got := positions(SubjectEmployee, alice); !slices.Equal(got, []int64{p2, p3}) {
			t.Errorf("alice's timeline = %v, want %v", got, []int64{p2, p3})
		}
		entries, _ := ReadTimeline(ctx, b.db, SubjectCycle, cycle)
		last := entries[len(entries)-1]
		if last.Reason != "late appeal" || last.ActorID != "hr-1" || last.ActorRole != "hr" || last.Type != "test.cycle_reopened" || last.At.IsZero() {
			t.Errorf("reopen entry = %+v", last)
		}
		if res, err := b.db.Check(ctx, b.store, tl); err != nil || !res.Match() {
			t.Errorf("timeline rebuild check = %+v, %v", res, err)
		}
	})
}
