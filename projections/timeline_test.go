package projections

import (
	"context"
	"encoding/json"
	"fmt"
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
		cycle, other, alice, bob := uuid.New(), uuid.New(), uuid.New(), uuid.New()
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
		p5 := put("organisation", "test.employee_hired", hr, map[string]any{"employee_id": bob})
		// Bob's and Alice's events in the cycle interleave; Alice's events
		// in another cycle are on her timeline, not on this cycle's.
		p6 := put("eval-"+bob.String(), "test.self_submitted", eventstore.Actor{ID: bob.String(), Role: "employee"},
			map[string]any{"cycle_id": cycle, "employee_id": bob})
		p7 := put("eval-"+alice.String(), "test.self_submitted", eventstore.Actor{ID: alice.String(), Role: "employee"},
			map[string]any{"cycle_id": other, "employee_id": alice})
		p8 := put("eval-"+alice.String(), "test.peer_submitted", eventstore.Actor{ID: bob.String(), Role: "peer"},
			map[string]any{"cycle_id": cycle, "employee_id": alice})
		put("organisation", "test.unit_created", hr, map[string]any{"unit_id": uuid.New()}) // no subject

		tl := NewTimeline(payloadReason)
		r := NewRunner(b.db, b.store, testRunnerConfig(), tl)
		stop := runRunner(t, r)
		head, _ := b.store.Head(ctx)
		if err := r.WaitFor(ctx, TimelineName, head, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		positions := func(kind string, id uuid.UUID) []int64 {
			entries, err := tl.Read(ctx, b.db, b.store, kind, id)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, e := range entries {
				out = append(out, e.Position)
			}
			return out
		}
		for _, c := range []struct {
			kind string
			id   uuid.UUID
			want []int64
		}{
			{SubjectCycle, cycle, []int64{p1, p3, p4, p6, p8}},
			{SubjectCycle, other, []int64{p7}},
			{SubjectEmployee, alice, []int64{p2, p3, p7, p8}},
			{SubjectEmployee, bob, []int64{p5, p6}},
			{SubjectEmployee, uuid.New(), nil},
		} {
			if got := positions(c.kind, c.id); !slices.Equal(got, c.want) {
				t.Errorf("%s %s's timeline = %v, want %v", c.kind, c.id, got, c.want)
			}
		}
		entries, _ := tl.Read(ctx, b.db, b.store, SubjectCycle, cycle)
		reopen := entries[2]
		if reopen.Reason != "late appeal" || reopen.ActorID != "hr-1" || reopen.ActorRole != "hr" || reopen.Type != "test.cycle_reopened" || reopen.At.IsZero() {
			t.Errorf("reopen entry = %+v", reopen)
		}
		peer := entries[4]
		if peer.Position != p8 || peer.ActorID != bob.String() || peer.ActorRole != "peer" || peer.Stream != "eval-"+alice.String() || peer.Version != 3 || peer.Reason != "" {
			t.Errorf("peer entry = %+v", peer)
		}
		// A document for each event on a shared stream (the two hires) or
		// filed elsewhere than its stream's first (Alice's in the other
		// cycle), and one for each stream registered for its subject: the
		// cycle's, Alice's and Bob's.
		if docs, err := b.db.ListCollection(ctx, TimelineName, timelineEntries); err != nil || len(docs) != 3 {
			t.Errorf("%d timeline entries (%v), want 3", len(docs), err)
		}
		if docs, err := b.db.ListCollection(ctx, TimelineName, timelineStreams); err != nil || len(docs) != 3 {
			t.Errorf("%d registered streams (%v), want 3", len(docs), err)
		}
		if res, err := b.db.Check(ctx, b.store, tl); err != nil || !res.Match() {
			t.Errorf("timeline rebuild check = %+v, %v", res, err)
		}
		// Rebuilt two events at a time, the streams registered in one batch
		// are remembered in the next, and the timeline comes out the same.
		if res, err := b.db.Check(ctx, b.store, rebuiltInPairs{tl}); err != nil || !res.Match() {
			t.Errorf("timeline rebuilt in pairs = %+v, %v", res, err)
		}
		// A timeline stands where its checkpoint does: an event of a
		// registered stream appended while no runner runs is not on it.
		stop()
		put("eval-"+alice.String(), "test.self_submitted", eventstore.Actor{ID: alice.String(), Role: "employee"},
			map[string]any{"cycle_id": cycle, "employee_id": alice})
		if got := positions(SubjectEmployee, alice); !slices.Equal(got, []int64{p2, p3, p7, p8}) {
			t.Errorf("alice's timeline with an event not yet applied = %v, want %v", got, []int64{p2, p3, p7, p8})
		}
	})
}

// rememberingProjection is a projection that keeps a memory through its
// rebuilds.
type rememberingProjection interface {
	Projection
	Rememberer
}

// rebuiltInPairs is a projection rebuilt two events at a time, with its
// memory.
type rebuiltInPairs struct{ rememberingProjection }

func (rebuiltInPairs) RebuildBatch() int { return 2 }

// timelineV1 writes the timeline as version 1 did: the entry once under
// each subject, id "<subject>@<position>", grouped by that subject.
type timelineV1 struct{ Timeline }

func (*timelineV1) Version() int { return 1 }

func (tl *timelineV1) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error {
	var keys subjectKeys
	_ = json.Unmarshal(e.Payload, &keys)
	var subjects []string
	if keys.CycleID != uuid.Nil {
		subjects = append(subjects, subject(SubjectCycle, keys.CycleID.String()))
	}
	if keys.EmployeeID != uuid.Nil {
		subjects = append(subjects, subject(SubjectEmployee, keys.EmployeeID.String()))
	}
	for _, s := range subjects {
		entry := TimelineEntry{Position: e.Position, EventID: e.ID, Stream: e.StreamID, Version: e.Version, Type: e.Type}
		if err := tx.Put(ctx, timelineEntries, fmt.Sprintf("%s@%020d", s, e.Position), s, entry); err != nil {
			return err
		}
	}
	return nil
}

// A database whose timeline a version 1 process wrote is rebuilt when the
// new version starts, and reads as the new version's timeline.
func TestTimelineOfVersion1IsRebuilt(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		cycle, alice := uuid.New(), uuid.New()
		var want []int64
		for range 3 {
			body, _ := json.Marshal(map[string]any{"cycle_id": cycle, "employee_id": alice})
			res, err := b.store.Append(ctx, "eval-"+alice.String(), eventstore.AnyVersion, []eventstore.NewEvent{{
				ID: uuid.New(), Type: "test.draft_saved", SchemaVersion: 1, Payload: body,
				Actor: eventstore.Actor{ID: alice.String(), Role: "employee"}, CorrelationID: uuid.New(), CausationID: uuid.New(),
			}})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, res.LastPosition)
		}
		head := want[len(want)-1]
		old := NewRunner(b.db, b.store, testRunnerConfig(), &timelineV1{})
		stop := runRunner(t, old)
		if err := old.WaitFor(ctx, TimelineName, head, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		stop()
		if docs, err := b.db.ListCollection(ctx, TimelineName, timelineEntries); err != nil || len(docs) != 6 {
			t.Fatalf("version 1 wrote %d documents (%v), want 6", len(docs), err)
		}
		// Until the rebuilt generation is swapped in, readers read version
		// 1's: its employee documents are a range of ids and its cycle
		// documents the cycle's group, so they read the same timelines.
		// timelines reads the cycle's and alice's timelines, checks their
		// positions and hands each entry to entry.
		timelines := func(what string, entry func(kind string, e TimelineEntry)) {
			t.Helper()
			for _, kind := range []string{SubjectCycle, SubjectEmployee} {
				id := cycle
				if kind == SubjectEmployee {
					id = alice
				}
				entries, err := NewTimeline(payloadReason).Read(ctx, b.db, b.store, kind, id)
				var got []int64
				for _, e := range entries {
					got = append(got, e.Position)
					entry(kind, e)
				}
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("%s timeline %s = %v (%v), want %v", kind, what, got, err, want)
				}
			}
		}
		timelines("of version 1", func(string, TimelineEntry) {})

		tl := NewTimeline(payloadReason)
		r := NewRunner(b.db, b.store, testRunnerConfig(), tl)
		runRunner(t, r)
		// The version 1 generation already stands at the head: wait for the
		// rebuilt one to be swapped in.
		eventually(t, "the timeline rebuilt at version 3", func() bool {
			st, err := b.db.readState(ctx, b.db.sql, TimelineName, false)
			return err == nil && st.version == 3
		})
		if err := r.WaitFor(ctx, TimelineName, head, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		timelines("rebuilt", func(kind string, e TimelineEntry) {
			if e.ActorRole != "employee" || e.At.IsZero() {
				t.Errorf("%s entry %d: %+v, not rebuilt", kind, e.Position, e)
			}
		})
		// Alice's stream is registered; its events are not written again.
		if docs, err := b.db.ListCollection(ctx, TimelineName, timelineEntries); err != nil || len(docs) != 0 {
			t.Errorf("%d entries after the rebuild (%v), want 0", len(docs), err)
		}
		if docs, err := b.db.ListCollection(ctx, TimelineName, timelineStreams); err != nil || len(docs) != 1 {
			t.Errorf("%d registered streams after the rebuild (%v), want 1", len(docs), err)
		}
		if res, err := b.db.Check(ctx, b.store, tl); err != nil || !res.Match() {
			t.Errorf("timeline rebuild check = %+v, %v", res, err)
		}
	})
}

// subjectKeysOf reads a valid payload's subjects as json.Unmarshal does:
// plain keys and uuids, keys in another case or escaped, duplicates, values
// that are not uuids, nested objects with the same keys, non-objects.
func FuzzSubjectKeysOf(f *testing.F) {
	c, e := uuid.New(), uuid.New()
	for _, seed := range []string{
		`{"cycle_id":"` + c.String() + `","employee_id":"` + e.String() + `","scores":[{"criterion":"a","score":"90"}],"summary":"x"}`,
		`{"summary":"has \"cycle_id\":\"` + c.String() + `\"","nested":{"employee_id":"` + e.String() + `"}}`,
		`{"Cycle_ID":"` + c.String() + `"}`,
		`{"cycle\u005fid":"` + c.String() + `"}`,
		`{"cycle_id":"` + c.String() + `","cycle_id":"` + e.String() + `"}`,
		`{"cycle_id":"not a uuid","employee_id":"` + e.String() + `"}`,
		`{"cycle_id":null,"employee_id":7}`,
		`{"cycle_id":"{` + c.String() + `}","employee_id":"urn:uuid:` + e.String() + `"}`,
		` { "cycle_id" : "` + c.String() + `" , "x" : [ 1 , { "y" : true } ] } `,
		`[{"cycle_id":"` + c.String() + `"}]`, `"cycle_id"`, `{}`, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if !json.Valid(payload) {
			return // the log holds valid JSON only
		}
		var want subjectKeys
		_ = json.Unmarshal(payload, &want)
		if got := subjectKeysOf(payload); got != want {
			t.Fatalf("subjectKeysOf(%s) = %+v, json.Unmarshal gives %+v", payload, got, want)
		}
	})
}
