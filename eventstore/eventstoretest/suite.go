package eventstoretest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// plainStore hides a store's optional interfaces.
type plainStore struct{ eventstore.Store }

// Run is the conformance suite every backend must pass.
func Run(t *testing.T, b Backend) {
	t.Run("appending returns the positions and version the events are read back at", func(t *testing.T) { testAppendAndRead(t, b) })
	t.Run("appending with a stale version writes nothing", func(t *testing.T) { testStaleVersion(t, b) })
	t.Run("appending with any version appends after the head", func(t *testing.T) { testAnyVersion(t, b) })
	t.Run("concurrent appends to one stream: exactly one wins per version", func(t *testing.T) { testOneWinnerPerVersion(t, b) })
	t.Run("a subscriber gets every event exactly once while writers run and some transactions are held open", func(t *testing.T) { testConcurrentSubscriber(t, b) })
	t.Run("32 writers for a second: every append gets its positions and the log holds each event once", func(t *testing.T) { testManyWriters(t, b) })
	t.Run("a rolled-back append leaves no trace", func(t *testing.T) { testRolledBack(t, b) })
	t.Run("cancelling the context mid-append writes nothing", func(t *testing.T) { testCancelMidAppend(t, b) })
	t.Run("re-appending a stored event id is refused and writes nothing", func(t *testing.T) { testDuplicateID(t, b) })
	t.Run("an append conditioned on another stream commits only while that stream is where it was", func(t *testing.T) { testConditions(t, b) })
	t.Run("invalid events are refused", func(t *testing.T) { testInvalid(t, b) })
	t.Run("unicode payloads round-trip byte for byte", func(t *testing.T) { testUnicode(t, b) })
	t.Run("a payload at the size limit is stored and one byte over is refused", func(t *testing.T) { testSizeLimit(t, b) })
	t.Run("old schema versions are upcast on read and still verify", func(t *testing.T) { testUpcasting(t, b) })
	t.Run("the append-only guards refuse updates and deletes", func(t *testing.T) { testGuards(t, b) })
	t.Run("verify passes an intact log", func(t *testing.T) { testVerifyIntact(t, b) })
	for _, tc := range tampers(b) {
		t.Run("verify names the first bad position: "+tc.name, func(t *testing.T) { testTamper(t, b, tc) })
	}
}

var ctx = context.Background()

// ev builds a valid event with a fresh id.
func ev(payload string) eventstore.NewEvent {
	return eventstore.NewEvent{
		ID: uuid.New(), Type: "test.thing_happened", SchemaVersion: 1, Payload: json.RawMessage(payload),
		Actor: eventstore.Actor{ID: "u-1", Role: "hr"}, CorrelationID: uuid.New(), CausationID: uuid.New(),
	}
}

func mustAppend(t *testing.T, s eventstore.Store, stream string, expected int64, events ...eventstore.NewEvent) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctx, stream, expected, events)
	if err != nil {
		t.Fatalf("append to %s at %d: %v", stream, expected, err)
	}
	return res
}

func readAll(t *testing.T, s eventstore.Store) []eventstore.Event {
	t.Helper()
	events, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatalf("read all: %v", err)
	}
	return events
}

func readStream(t *testing.T, s eventstore.Store, stream string) []eventstore.Event {
	t.Helper()
	events, err := s.ReadStream(ctx, stream, 0, 0)
	if err != nil {
		t.Fatalf("read stream %s: %v", stream, err)
	}
	return events
}

// mustVerify fails the test unless the log is intact and has n events.
func mustVerify(t *testing.T, s eventstore.Store, n int64) {
	t.Helper()
	r, err := s.Verify(ctx)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !r.OK || r.Events != n {
		t.Fatalf("verify: want intact log of %d events, got %+v", n, r)
	}
}

// checkDense fails unless positions run 1, 2, 3, ... in order.
func checkDense(t *testing.T, events []eventstore.Event) {
	t.Helper()
	for i, e := range events {
		if e.Position != int64(i+1) {
			t.Fatalf("event %d has position %d, want %d", i, e.Position, i+1)
		}
	}
}

func testAppendAndRead(t *testing.T, b Backend) {
	s := b.New(t, nil)
	first := ev(`{"n": 1}`)
	r1 := mustAppend(t, s, "a", eventstore.NoStream, first)
	r2 := mustAppend(t, s, "b", eventstore.NoStream, ev(`{"n":2}`), ev(`{"n":3}`))
	r3 := mustAppend(t, s, "a", 1, ev(`{"n":4}`))
	want := []eventstore.AppendResult{
		{FirstPosition: 1, LastPosition: 1, Version: 1},
		{FirstPosition: 2, LastPosition: 3, Version: 2},
		{FirstPosition: 4, LastPosition: 4, Version: 2},
	}
	for i, got := range []eventstore.AppendResult{r1, r2, r3} {
		if got != want[i] {
			t.Fatalf("append %d returned %+v, want %+v", i+1, got, want[i])
		}
	}
	all := readAll(t, s)
	checkDense(t, all)
	if len(all) != 4 || all[0].ID != first.ID || string(all[0].Payload) != `{"n":1}` {
		t.Fatalf("read all: %+v", all)
	}
	e := all[0]
	if e.StreamID != "a" || e.Version != 1 || e.Type != first.Type || e.SchemaVersion != 1 || e.Actor != first.Actor ||
		e.CorrelationID != first.CorrelationID || e.CausationID != first.CausationID || e.RecordedAt.IsZero() ||
		len(e.Hash) != eventstore.HashSize {
		t.Fatalf("event read back differs from the one appended: %+v", e)
	}
	// Headers only: ReadAll's events, paged alike, with four fields each.
	if hr, ok := s.(eventstore.HeaderReader); !ok {
		t.Errorf("%T is no eventstore.HeaderReader", s)
	} else {
		for after, limit := range map[int64]int{0: 0, 1: 2, 3: 5} {
			heads, err := hr.ReadAllHeaders(ctx, after, limit)
			full, err2 := s.ReadAll(ctx, after, limit)
			if err != nil || err2 != nil || len(heads) != len(full) {
				t.Fatalf("headers after %d, limit %d: %d events (%v), ReadAll %d (%v)", after, limit, len(heads), err, len(full), err2)
			}
			for i, h := range heads {
				f := full[i]
				want := eventstore.Event{Position: f.Position, StreamID: f.StreamID, Version: f.Version, Type: f.Type}
				if !reflect.DeepEqual(h, want) {
					t.Errorf("header after %d, limit %d: %+v, want %+v", after, limit, h, want)
				}
			}
		}
	}
	a := readStream(t, s, "a")
	if len(a) != 2 || a[0].Position != 1 || a[1].Position != 4 || a[1].Version != 2 {
		t.Fatalf("read stream a: %+v", a)
	}
	if tail, err := s.ReadStream(ctx, "a", 1, 1); err != nil || len(tail) != 1 || tail[0].Version != 2 {
		t.Fatalf("read stream a after version 1: %+v %v", tail, err)
	}
	// Several streams at once: global order, bounded by position, each
	// stream named once however often it is asked for; the package
	// function reads them through the store's StreamsReader, and through
	// ReadStream for a store without one.
	for name, st := range map[string]eventstore.Store{"the store": s, "a store without ReadStreams": plainStore{s}} {
		got, err := eventstore.ReadStreams(ctx, st, []string{"b", "a", "none", "b"}, 3)
		if err != nil || len(got) != 3 || got[0].Position != 1 || got[1].Position != 2 || got[2].Position != 3 {
			t.Fatalf("read streams b, a, none, b up to 3 from %s: %+v %v", name, got, err)
		}
	}
	if page, err := s.ReadAll(ctx, 1, 2); err != nil || len(page) != 2 || page[0].Position != 2 || page[1].Position != 3 {
		t.Fatalf("read all after 1, limit 2: %+v %v", page, err)
	}
	if head, err := s.Head(ctx); err != nil || head != 4 {
		t.Fatalf("head: %d %v", head, err)
	}
	big := make([]eventstore.NewEvent, 50)
	for i := range big {
		big[i] = ev(fmt.Sprintf(`{"i":%d}`, i))
	}
	if res := mustAppend(t, s, "big", eventstore.NoStream, big...); res.FirstPosition != 5 || res.LastPosition != 54 || res.Version != 50 {
		t.Fatalf("batch of 50 returned %+v", res)
	}
	for i, e := range readStream(t, s, "big") {
		if e.Position != int64(5+i) || e.Version != int64(i+1) || e.ID != big[i].ID {
			t.Fatalf("batch event %d read back as %+v", i, e)
		}
	}
	at := time.Date(2025, 3, 1, 8, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	given := ev(`{}`)
	given.RecordedAt = at
	mustAppend(t, s, "c", eventstore.NoStream, given)
	if got := readStream(t, s, "c")[0].RecordedAt; !got.Equal(at.Truncate(time.Microsecond)) || got.Location() != time.UTC {
		t.Fatalf("recorded time %v, want %v in UTC", got, at)
	}
	mustVerify(t, s, 55)
}

func testStaleVersion(t *testing.T, b Backend) {
	s := b.New(t, nil)
	mustAppend(t, s, "a", eventstore.NoStream, ev(`{}`), ev(`{}`))
	for _, expected := range []int64{eventstore.NoStream, 1, 3} {
		_, err := s.Append(ctx, "a", expected, []eventstore.NewEvent{ev(`{"stale":true}`)})
		var conflict *eventstore.ConflictError
		if !errors.As(err, &conflict) || !errors.Is(err, eventstore.ErrVersionConflict) {
			t.Fatalf("expected %d: want a ConflictError, got %v", expected, err)
		}
		if conflict.Stream != "a" || conflict.Expected != expected || conflict.Actual != 2 {
			t.Fatalf("conflict %+v", conflict)
		}
	}
	if all := readAll(t, s); len(all) != 2 {
		t.Fatalf("stale appends wrote events: %d in the log", len(all))
	}
	mustAppend(t, s, "a", 2, ev(`{}`))
	checkDense(t, readAll(t, s))
	mustVerify(t, s, 3)
}

func testAnyVersion(t *testing.T, b Backend) {
	s := b.New(t, nil)
	mustAppend(t, s, "a", eventstore.AnyVersion, ev(`{}`))
	res := mustAppend(t, s, "a", eventstore.AnyVersion, ev(`{}`), ev(`{}`))
	if res.Version != 3 {
		t.Fatalf("version after any-version appends: %d", res.Version)
	}
	mustVerify(t, s, 3)
}

func testOneWinnerPerVersion(t *testing.T, b Backend) {
	s := b.New(t, nil)
	const writers, rounds = 8, 6
	for round := int64(0); round < rounds; round++ {
		var wg sync.WaitGroup
		results := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Append(ctx, "contested", round, []eventstore.NewEvent{ev(fmt.Sprintf(`{"writer":%d}`, w))})
				results <- err
			}()
		}
		wg.Wait()
		close(results)
		wins := 0
		for err := range results {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, eventstore.ErrVersionConflict):
				t.Fatalf("round %d: a loser failed with %v, want a version conflict", round, err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d writers won, want exactly 1", round, wins)
		}
	}
	events := readStream(t, s, "contested")
	for i, e := range events {
		if e.Version != int64(i+1) {
			t.Fatalf("stream versions %v", events)
		}
	}
	if len(events) != rounds {
		t.Fatalf("%d events in the stream, want %d", len(events), rounds)
	}
	mustVerify(t, s, rounds)
}

func testConcurrentSubscriber(t *testing.T, b Backend) {
	s := b.New(t, nil)
	b.DelayAppends(t, s, 30*time.Millisecond)
	const writers, appends = 8, 12
	got := make(chan eventstore.Event, writers*appends*2)
	subCtx, stop := context.WithCancel(ctx)
	defer stop()
	subDone := make(chan error, 1)
	go func() {
		subDone <- s.Subscribe(subCtx, 0, func(_ context.Context, e eventstore.Event) error {
			got <- e
			return nil
		})
	}()
	var wg sync.WaitGroup
	ids := make(chan uuid.UUID, writers*appends*2)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("fast-%d", w)
			if w%3 == 0 { // every third writer holds its transactions open
				stream = fmt.Sprintf("slow-%d", w)
			}
			version := int64(0)
			for i := 0; i < appends; i++ {
				batch := []eventstore.NewEvent{ev(fmt.Sprintf(`{"w":%d,"i":%d}`, w, i))}
				if i%4 == 0 {
					batch = append(batch, ev(fmt.Sprintf(`{"w":%d,"i":%d,"second":true}`, w, i)))
				}
				// A bounded wait: a store that skipped this append would
				// otherwise keep it waiting for a position forever.
				actx, cancel := context.WithTimeout(ctx, 10*time.Second)
				res, err := s.Append(actx, stream, version, batch)
				cancel()
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				version = res.Version
				for _, e := range batch {
					ids <- e.ID
				}
			}
		}()
	}
	wg.Wait()
	close(ids)
	want := make(map[uuid.UUID]bool)
	for id := range ids {
		want[id] = true
	}
	seen := make(map[uuid.UUID]bool)
	versions := make(map[string]int64)
	var last int64
	deadline := time.After(20 * time.Second)
	for len(seen) < len(want) {
		select {
		case e := <-got:
			if seen[e.ID] {
				t.Fatalf("event %s delivered twice", e.ID)
			}
			if !want[e.ID] {
				t.Fatalf("event %s delivered but never appended", e.ID)
			}
			if e.Position != last+1 {
				t.Fatalf("position %d after %d: a position was skipped or repeated", e.Position, last)
			}
			if e.Version != versions[e.StreamID]+1 {
				t.Fatalf("stream %s: version %d after %d", e.StreamID, e.Version, versions[e.StreamID])
			}
			seen[e.ID], last, versions[e.StreamID] = true, e.Position, e.Version
		case <-deadline:
			t.Fatalf("subscriber got %d of %d events", len(seen), len(want))
		}
	}
	stop()
	if err := <-subDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("subscribe ended with %v, want context.Canceled", err)
	}
	select {
	case e := <-got:
		t.Fatalf("extra event delivered: %+v", e)
	default:
	}
	all := readAll(t, s)
	if len(all) != len(want) {
		t.Fatalf("read all: %d events, want %d", len(all), len(want))
	}
	checkDense(t, all)
	mustVerify(t, s, int64(len(want)))
}

func testManyWriters(t *testing.T, b Backend) {
	s := b.New(t, nil)
	const writers = 32
	end := time.Now().Add(time.Second)
	var mu sync.Mutex
	at := make(map[uuid.UUID]int64) // event id -> position Append returned
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream, version := fmt.Sprintf("writer-%d", w), int64(0)
			for time.Now().Before(end) {
				e := ev(`{}`)
				actx, cancel := context.WithTimeout(ctx, 10*time.Second)
				res, err := s.Append(actx, stream, version, []eventstore.NewEvent{e})
				cancel()
				if err != nil || res.FirstPosition == 0 {
					t.Errorf("writer %d: %+v %v", w, res, err)
					return
				}
				version = res.Version
				mu.Lock()
				at[e.ID] = res.FirstPosition
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	all := readAll(t, s)
	checkDense(t, all)
	if len(all) != len(at) {
		t.Fatalf("log holds %d events, %d were appended", len(all), len(at))
	}
	for _, e := range all {
		if at[e.ID] != e.Position {
			t.Fatalf("event %s: Append said position %d, the log has it at %d", e.ID, at[e.ID], e.Position)
		}
	}
	mustVerify(t, s, int64(len(all)))
}

func testRolledBack(t *testing.T, b Backend) {
	s := b.New(t, nil)
	stored := ev(`{"first":true}`)
	mustAppend(t, s, "a", eventstore.NoStream, stored)
	// The last event of each batch collides with a stored id, so the database
	// rolls the whole append back after writing its first rows. Small and
	// large batches may take different paths (one INSERT, COPY).
	for _, size := range []int{3, 40} {
		batch := make([]eventstore.NewEvent, size)
		for i := range batch {
			batch[i] = ev(`{}`)
		}
		batch[size-1].ID = stored.ID
		if _, err := s.Append(ctx, "b", eventstore.NoStream, batch); !errors.Is(err, eventstore.ErrDuplicateEvent) {
			t.Fatalf("batch of %d: want ErrDuplicateEvent, got %v", size, err)
		}
	}
	if events := readStream(t, s, "b"); len(events) != 0 {
		t.Fatalf("rolled-back append left %d events", len(events))
	}
	mustAppend(t, s, "b", eventstore.NoStream, ev(`{}`))
	all := readAll(t, s)
	checkDense(t, all)
	if len(all) != 2 {
		t.Fatalf("log has %d events, want 2", len(all))
	}
	mustVerify(t, s, 2)
}

func testCancelMidAppend(t *testing.T, b Backend) {
	s := b.New(t, nil)
	mustAppend(t, s, "before", eventstore.NoStream, ev(`{}`))
	b.DelayAppends(t, s, 40*time.Millisecond) // per event
	for _, size := range []int{2, 20} {
		batch := make([]eventstore.NewEvent, size)
		for i := range batch {
			batch[i] = ev(`{}`)
		}
		stream := fmt.Sprintf("slow-cancelled-%d", size)
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, err := s.Append(cctx, stream, eventstore.NoStream, batch)
		cancel()
		if err == nil {
			t.Fatalf("batch of %d: append under a cancelled context succeeded", size)
		}
		time.Sleep(time.Duration(size) * 40 * time.Millisecond) // let the database finish whatever it was doing
		if events := readStream(t, s, stream); len(events) != 0 {
			t.Fatalf("batch of %d: cancelled append left %d events", size, len(events))
		}
	}
	mustAppend(t, s, "after", eventstore.NoStream, ev(`{}`))
	checkDense(t, readAll(t, s))
	mustVerify(t, s, 2)
}

func testDuplicateID(t *testing.T, b Backend) {
	s := b.New(t, nil)
	e := ev(`{}`)
	mustAppend(t, s, "a", eventstore.NoStream, e)
	if _, err := s.Append(ctx, "a", 1, []eventstore.NewEvent{e}); !errors.Is(err, eventstore.ErrDuplicateEvent) {
		t.Fatalf("same stream: want ErrDuplicateEvent, got %v", err)
	}
	if _, err := s.Append(ctx, "b", eventstore.NoStream, []eventstore.NewEvent{e}); !errors.Is(err, eventstore.ErrDuplicateEvent) {
		t.Fatalf("other stream: want ErrDuplicateEvent, got %v", err)
	}
	twice := ev(`{}`)
	if _, err := s.Append(ctx, "c", eventstore.NoStream, []eventstore.NewEvent{twice, twice}); !errors.Is(err, eventstore.ErrDuplicateEvent) {
		t.Fatalf("one append: want ErrDuplicateEvent, got %v", err)
	}
	if all := readAll(t, s); len(all) != 1 {
		t.Fatalf("duplicates were stored: %d events", len(all))
	}
	mustAppend(t, s, "a", 1, ev(`{}`))
	mustVerify(t, s, 2)
}

func testInvalid(t *testing.T, b Backend) {
	s := b.New(t, nil)
	bad := map[string]func(e *eventstore.NewEvent){
		"no id":                 func(e *eventstore.NewEvent) { e.ID = uuid.Nil },
		"no type":               func(e *eventstore.NewEvent) { e.Type = "" },
		"schema version 0":      func(e *eventstore.NewEvent) { e.SchemaVersion = 0 },
		"payload not JSON":      func(e *eventstore.NewEvent) { e.Payload = json.RawMessage(`{"a":`) },
		"payload not an object": func(e *eventstore.NewEvent) { e.Payload = json.RawMessage(`[1,2]`) },
		"payload not UTF-8":     func(e *eventstore.NewEvent) { e.Payload = json.RawMessage("{\"a\":\"\xff\"}") },
		"NUL in the actor":      func(e *eventstore.NewEvent) { e.Actor.ID = "a\x00b" },
	}
	for name, spoil := range bad {
		e := ev(`{}`)
		spoil(&e)
		if _, err := s.Append(ctx, "a", eventstore.AnyVersion, []eventstore.NewEvent{e}); !errors.Is(err, eventstore.ErrInvalidEvent) {
			t.Errorf("%s: want ErrInvalidEvent, got %v", name, err)
		}
	}
	if _, err := s.Append(ctx, "", eventstore.AnyVersion, []eventstore.NewEvent{ev(`{}`)}); !errors.Is(err, eventstore.ErrInvalidEvent) {
		t.Errorf("empty stream id: want ErrInvalidEvent, got %v", err)
	}
	if _, err := s.Append(ctx, "a", eventstore.AnyVersion, nil); !errors.Is(err, eventstore.ErrInvalidEvent) {
		t.Errorf("no events: want ErrInvalidEvent, got %v", err)
	}
	if all := readAll(t, s); len(all) != 0 {
		t.Fatalf("invalid events were stored: %d", len(all))
	}
}

func testUnicode(t *testing.T, b Backend) {
	s := b.New(t, nil)
	payloads := []string{
		`{"comment":"绩效考核：工作态度良好，团队协作 优秀员工奖 🎉"}`,
		`{"name":"Zoë Ångström","rtl":"مرحبا","combining":"e\u0301","escaped":"\u0000\u001f\"\\/","astral":"𝄞"}`,
		`{"nested":{"list":["多","語",{"k":"ü"}],"n":-0.5e-3,"t":true,"f":false,"z":null}}`,
	}
	stream := "员工-42/周期 ✓"
	for i, p := range payloads {
		mustAppend(t, s, stream, int64(i), ev(p))
	}
	for i, e := range readStream(t, s, stream) {
		if string(e.Payload) != payloads[i] {
			t.Fatalf("payload %d:\n got %s\nwant %s", i, e.Payload, payloads[i])
		}
		if e.StreamID != stream {
			t.Fatalf("stream id %q, want %q", e.StreamID, stream)
		}
	}
	spaced := ev("{ \"a\" : [ 1 , 2 ] ,\n \"b\" : \"x y\" }")
	mustAppend(t, s, "spaced", eventstore.NoStream, spaced)
	if got := readStream(t, s, "spaced")[0].Payload; string(got) != `{"a":[1,2],"b":"x y"}` {
		t.Fatalf("payload is not stored compacted: %s", got)
	}
	mustVerify(t, s, 4)
}

func testSizeLimit(t *testing.T, b Backend) {
	s := b.New(t, nil)
	sized := func(n int) string {
		// {"s":"ééé...x"}: two-byte runes, padded to exactly n bytes.
		body := n - len(`{"s":""}`)
		return `{"s":"` + strings.Repeat("é", body/2) + strings.Repeat("x", body%2) + `"}`
	}
	at := sized(eventstore.MaxPayloadBytes)
	if len(at) != eventstore.MaxPayloadBytes {
		t.Fatalf("test payload is %d bytes", len(at))
	}
	mustAppend(t, s, "big", eventstore.NoStream, ev(at))
	if got := readStream(t, s, "big")[0].Payload; string(got) != at {
		t.Fatalf("payload at the limit did not round-trip (%d bytes back)", len(got))
	}
	if _, err := s.Append(ctx, "big", 1, []eventstore.NewEvent{ev(sized(eventstore.MaxPayloadBytes + 1))}); !errors.Is(err, eventstore.ErrInvalidEvent) {
		t.Fatalf("payload over the limit: want ErrInvalidEvent, got %v", err)
	}
	mustVerify(t, s, 1)
}

func testUpcasting(t *testing.T, b Backend) {
	var up eventstore.Upcasters
	// v1 had "score" as a number; v2 a decimal string; v3 renames it.
	up.Register("test.scored", 1, func(p json.RawMessage) (json.RawMessage, error) {
		var v struct{ Score json.Number }
		if err := json.Unmarshal(p, &v); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"score": v.Score.String()})
	})
	up.Register("test.scored", 2, func(p json.RawMessage) (json.RawMessage, error) {
		var v struct{ Score string }
		if err := json.Unmarshal(p, &v); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"final_score": v.Score})
	})
	s := b.New(t, &up)
	old := ev(`{"score":87.5}`)
	old.Type = "test.scored"
	current := ev(`{"final_score":"90.25"}`)
	current.Type, current.SchemaVersion = "test.scored", 3
	other := ev(`{"score":1}`)
	mustAppend(t, s, "a", eventstore.NoStream, old, current, other)
	check := func(how string, events []eventstore.Event) {
		t.Helper()
		want := []struct {
			v int
			p string
		}{{3, `{"final_score":"87.5"}`}, {3, `{"final_score":"90.25"}`}, {1, `{"score":1}`}}
		if len(events) != 3 {
			t.Fatalf("%s: %d events", how, len(events))
		}
		for i, w := range want {
			if events[i].SchemaVersion != w.v || string(events[i].Payload) != w.p {
				t.Fatalf("%s event %d: v%d %s, want v%d %s", how, i, events[i].SchemaVersion, events[i].Payload, w.v, w.p)
			}
		}
	}
	check("read stream", readStream(t, s, "a"))
	check("read all", readAll(t, s))
	var subscribed []eventstore.Event
	sctx, stop := context.WithCancel(ctx)
	err := s.Subscribe(sctx, 0, func(_ context.Context, e eventstore.Event) error {
		subscribed = append(subscribed, e)
		if len(subscribed) == 3 {
			stop()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("subscribe: %v", err)
	}
	check("subscribe", subscribed)
	mustVerify(t, s, 3)
}

func testGuards(t *testing.T, b Backend) {
	s := b.New(t, nil)
	mustAppend(t, s, "a", eventstore.NoStream, ev(`{}`))
	for _, q := range []string{`UPDATE events SET type = 'x'`, `DELETE FROM events`} {
		if err := b.Exec(s, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("%s: want the append-only guard to refuse it, got %v", q, err)
		}
	}
	mustVerify(t, s, 1)
}

func testVerifyIntact(t *testing.T, b Backend) {
	s := b.New(t, nil)
	mustVerify(t, s, 0)
	n := fixture(t, s)
	mustVerify(t, s, n)
}

// fixture writes the log the tamper tests attack:
//
//	position: 1  2  3  4  5  6  7  8  9  10
//	event:    a1 b1 a2 c1 b2 a3 c2 b3 a4 d1
func fixture(t *testing.T, s eventstore.Store) int64 {
	t.Helper()
	for i, name := range []string{"a", "b", "a", "c", "b", "a", "c", "b", "a", "d"} {
		events, err := s.ReadStream(ctx, name, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		res := mustAppend(t, s, name, int64(len(events)), ev(fmt.Sprintf(`{"i":%d}`, i+1)))
		if res.FirstPosition != int64(i+1) {
			t.Fatalf("fixture event %d landed at %d", i+1, res.FirstPosition)
		}
	}
	return 10
}

type tamper struct {
	name   string
	attack func(t *testing.T, s eventstore.Store) int64 // returns the position verify must name
}

func tampers(b Backend) []tamper {
	exec := mustExec(b.Exec)
	update := func(pos int64, set string) func(*testing.T, eventstore.Store) int64 {
		return func(t *testing.T, s eventstore.Store) int64 {
			exec(t, s, "UPDATE events SET "+set+" WHERE "+b.At(pos))
			return pos
		}
	}
	remove := func(first int64, positions ...int64) func(*testing.T, eventstore.Store) int64 {
		return func(t *testing.T, s eventstore.Store) int64 {
			for _, p := range positions {
				exec(t, s, "DELETE FROM events WHERE "+b.At(p))
			}
			return first
		}
	}
	swap := func(p1, p2 int64) func(*testing.T, eventstore.Store) int64 {
		return func(t *testing.T, s eventstore.Store) int64 {
			b.Swap(t, s, p1, p2)
			return p1
		}
	}
	return []tamper{
		{"payload altered", update(3, `payload = '{"i":300}'`)},
		{"type altered", update(5, `type = 'test.other'`)},
		{"actor altered", update(7, `actor_id = 'intruder'`)},
		{"schema version altered", update(2, `schema_version = 2`)},
		{"recorded time altered", update(9, `recorded_at = '2020-01-01T00:00:00.000000Z'`)},
		{"event removed from the middle of a stream", remove(3, 3)},
		{"last event of a stream removed", remove(8, 8)},
		{"whole stream removed", remove(4, 4, 7)},
		{"last event of the log removed", remove(10, 10)},
		{"events of two streams swapped", swap(2, 4)},
		{"events of one stream swapped", swap(3, 6)},
		{"forged event inserted", func(t *testing.T, s eventstore.Store) int64 {
			e := eventstore.Event{StreamID: "forged", Version: 1, ID: uuid.New(), Type: "test.thing_happened", SchemaVersion: 1,
				Payload: json.RawMessage(`{"bonus":"1000000"}`), RecordedAt: eventstore.StoredTime(time.Now()), PrevHash: eventstore.GenesisHash}
			e.Hash = eventstore.HashEvent(e.PrevHash, &e)
			return b.InsertForged(t, s, e)
		}},
	}
}

func testTamper(t *testing.T, b Backend, tc tamper) {
	s := b.New(t, nil)
	n := fixture(t, s)
	mustVerify(t, s, n)
	b.Unguard(t, s)
	want := tc.attack(t, s)
	r, err := s.Verify(ctx)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if r.OK {
		t.Fatalf("verify passed a tampered log: %+v", r)
	}
	if r.BadPosition != want {
		t.Fatalf("verify named position %d (%s), want %d", r.BadPosition, r.Problem, want)
	}
	if r.Problem == "" {
		t.Fatal("verify gave no reason")
	}
}

func testConditions(t *testing.T, b Backend) {
	s := b.New(t, nil)
	mustAppend(t, s, "other", eventstore.NoStream, ev(`{}`))
	if _, err := s.AppendIf(ctx, "a", eventstore.NoStream, []eventstore.NewEvent{ev(`{}`)}, []eventstore.Condition{{Stream: "other", Version: 1}}); err != nil {
		t.Fatalf("condition that holds: %v", err)
	}
	_, err := s.AppendIf(ctx, "a", 1, []eventstore.NewEvent{ev(`{}`)}, []eventstore.Condition{{Stream: "other", Version: 0}})
	var ce *eventstore.ConflictError
	if !errors.As(err, &ce) || ce.Stream != "other" || ce.Expected != 0 || ce.Actual != 1 {
		t.Fatalf("condition that does not hold: %v, want a conflict on other at 1, not 0", err)
	}
	if events := readStream(t, s, "a"); len(events) != 1 {
		t.Fatalf("the refused append wrote: stream a has %d events", len(events))
	}
	if _, err := s.AppendIf(ctx, "b", eventstore.NoStream, []eventstore.NewEvent{ev(`{}`)}, []eventstore.Condition{{Stream: "never-written", Version: 0}}); err != nil {
		t.Fatalf("condition on a stream with no events at 0: %v", err)
	}
	for _, bad := range [][]eventstore.Condition{{{Stream: "c", Version: 0}}, {{Stream: "other", Version: -1}}, {{Stream: "other", Version: 1}, {Stream: "other", Version: 1}}} {
		if _, err := s.AppendIf(ctx, "c", eventstore.NoStream, []eventstore.NewEvent{ev(`{}`)}, bad); !errors.Is(err, eventstore.ErrInvalidEvent) {
			t.Fatalf("conditions %+v: %v, want ErrInvalidEvent", bad, err)
		}
	}

	// Many writers at once, half of them on a condition that holds and half
	// on one that does not; on PostgreSQL they share group commits.
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := int64(1 + i%2*4)
			_, errs[i] = s.AppendIf(ctx, fmt.Sprintf("w-%d", i), eventstore.NoStream, []eventstore.NewEvent{ev(`{}`)}, []eventstore.Condition{{Stream: "other", Version: want}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		var ce *eventstore.ConflictError
		switch {
		case i%2 == 0 && err != nil:
			t.Fatalf("writer %d, condition holds: %v", i, err)
		case i%2 == 1 && (!errors.As(err, &ce) || ce.Stream != "other" || ce.Actual != 1):
			t.Fatalf("writer %d, condition does not hold: %v", i, err)
		}
	}

	// A conditioned append racing a change of the stream it names commits
	// before that change, or not at all.
	version := int64(1)
	for round := 0; round < 10; round++ {
		var moved, conditioned eventstore.AppendResult
		var movedErr, condErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			moved, movedErr = s.Append(ctx, "other", version, []eventstore.NewEvent{ev(`{}`)})
		}()
		go func() {
			defer wg.Done()
			conditioned, condErr = s.AppendIf(ctx, fmt.Sprintf("race-%d", round), eventstore.NoStream, []eventstore.NewEvent{ev(`{}`)}, []eventstore.Condition{{Stream: "other", Version: version}})
		}()
		wg.Wait()
		if movedErr != nil {
			t.Fatal(movedErr)
		}
		var ce *eventstore.ConflictError
		switch {
		case condErr == nil && conditioned.FirstPosition > moved.FirstPosition:
			t.Fatalf("round %d: the conditioned append landed at %d, after the change at %d it required not to have happened", round, conditioned.FirstPosition, moved.FirstPosition)
		case condErr != nil && !errors.As(condErr, &ce):
			t.Fatalf("round %d: %v", round, condErr)
		}
		version++
	}
	checkDense(t, readAll(t, s))
	mustVerify(t, s, int64(len(readAll(t, s))))
}
