package domain_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
)

// memLog is an in-memory domain.EventLog for tests. Every append goes
// through Encode and Decode, so a test also proves each event it records
// survives the store's round trip.
type memLog struct {
	mu       sync.Mutex
	events   []domain.Recorded
	byStream map[string][]int // indexes into events
	versions map[string]int64
	loads    int // Load calls, for benchmarks to report round trips
}

func newMemLog() *memLog { return &memLog{versions: map[string]int64{}, byStream: map[string][]int{}} }

func (m *memLog) Load(_ context.Context, stream string, after int64) ([]domain.Recorded, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	idx := m.byStream[stream]
	out := make([]domain.Recorded, 0, len(idx)-int(min(after, int64(len(idx)))))
	for _, i := range idx[min(after, int64(len(idx))):] {
		out = append(out, m.events[i])
	}
	return out, m.versions[stream], nil
}

func (m *memLog) Append(_ context.Context, stream string, expected int64, events []domain.Event, meta domain.Meta) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.versions[stream] != expected {
		return 0, fmt.Errorf("stream %s at %d, expected %d: %w", stream, m.versions[stream], expected, domain.ErrConflict)
	}
	for _, r := range meta.Requires {
		if m.versions[r.Stream] != r.Version {
			return 0, fmt.Errorf("stream %s at %d, required at %d: %w", r.Stream, m.versions[r.Stream], r.Version, domain.ErrMovedOn)
		}
	}
	if len(events) == 0 {
		return 0, fmt.Errorf("append nothing to %s", stream)
	}
	var decoded []domain.Recorded
	for i, e := range events {
		typ, schema, payload, err := domain.Encode(e)
		if err != nil {
			return 0, err
		}
		back, err := domain.Decode(typ, schema, payload)
		if err != nil {
			return 0, err
		}
		decoded = append(decoded, domain.Recorded{
			ID: uuid.New(), Position: int64(len(m.events) + i + 1), Stream: stream, Version: expected + int64(i) + 1,
			Type: typ, SchemaVersion: schema, At: meta.At, Actor: meta.Actor,
			CorrelationID: meta.CorrelationID, CausationID: meta.CausationID, Reason: domain.ReasonOf(back), Event: back,
		})
	}
	m.store(decoded)
	return decoded[len(decoded)-1].Position, nil
}

// store adds recorded events of one stream (positions and versions set).
func (m *memLog) store(rs []domain.Recorded) {
	for _, r := range rs {
		m.byStream[r.Stream] = append(m.byStream[r.Stream], len(m.events))
		m.events = append(m.events, r)
		m.versions[r.Stream] = r.Version
	}
}

// appendRaw appends events without encoding them, for benchmark set-up
// where a million round trips would only measure encoding/json.
func (m *memLog) appendRaw(stream string, actor domain.Actor, events ...domain.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rs := make([]domain.Recorded, len(events))
	for i, e := range events {
		rs[i] = domain.Recorded{ID: uuid.New(), Position: int64(len(m.events) + i + 1), Stream: stream,
			Version: m.versions[stream] + int64(i) + 1, Type: e.EventType(), SchemaVersion: 1, Actor: actor, Event: e}
	}
	m.store(rs)
}

func (m *memLog) ReadAll(_ context.Context, upTo int64) ([]domain.Recorded, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if upTo <= 0 {
		return append([]domain.Recorded(nil), m.events...), nil
	}
	return append([]domain.Recorded(nil), domain.UpToPosition(m.events, upTo)...), nil
}

func (m *memLog) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.events)
}

// since returns the events appended after the first n.
func (m *memLog) since(n int) []domain.Recorded {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]domain.Recorded(nil), m.events[n:]...)
}
