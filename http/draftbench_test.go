package http

import (
	"cmp"
	"context"
	"fmt"
	nethttp "net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
)

// BenchmarkDraftRequest runs the load benchmark's request (one employee
// saving their self-evaluation draft) through the server's handler in this
// goroutine, without sockets: the per-request CPU and allocations of the
// HTTP path with the store's append, one request at a time. On PostgreSQL
// the append's round trip dominates ns/op; allocs/op (the read side's
// included) is the figure to compare.
func BenchmarkDraftRequest(b *testing.B) {
	for name, open := range backends(b) {
		b.Run(name, func(b *testing.B) {
			h := newHarness(b, open(b), nil)
			employees, tokens, cycle := loadCompany(b, h)
			saveDrafts(b, h.srv.Handler(), cycle, employees[0], tokens[0])
		})
	}
}

// saveDrafts has employee save their self-evaluation draft through
// handler b.N times, in this goroutine.
func saveDrafts(b *testing.B, handler nethttp.Handler, cycle, employee uuid.UUID, token string) {
	body := `{"scores":[{"criterion":"service","score":"90"},{"criterion":"teamwork","score":"90"}],"summary":"draft"}`
	path := fmt.Sprintf("/api/v1/cycles/%s/employees/%s/evaluations/self/draft", cycle, employee)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("PUT", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != nethttp.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkDraftHandler is BenchmarkDraftRequest without a store: the
// service appends to memLog, an in-memory log that encodes each event as
// the store's adapter does and keeps it, and no read side runs. What is
// left is the HTTP and domain work of a draft in this goroutine (router,
// middlewares, bearer lookup, decoding, the service's checks, the event's
// encoding, the answer), so ns/op is its CPU time.
func BenchmarkDraftHandler(b *testing.B) {
	ctx := context.Background()
	store := eventstoretest.NewSQLite(b) // for the API's own tables (tokens)
	db, err := OpenDB(ctx, store)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(ctx, DefaultConfig(), Deps{Store: store, DB: db, App: domain.NewService(newMemLog()), Registry: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	employees, tokens, cycle := loadCompany(b, &harness{t: b, srv: srv, store: store})
	saveDrafts(b, srv.Handler(), cycle, employees[0], tokens[0])
}

// memLog is a domain.EventLog in memory: streams at their versions, the
// conditions of an append checked, each event encoded as the store's
// adapter (eventlog) encodes it and kept as it was given.
type memLog struct {
	mu       sync.Mutex
	streams  map[string][]domain.Recorded
	position int64
}

func newMemLog() *memLog { return &memLog{streams: map[string][]domain.Recorded{}} }

func (m *memLog) Load(_ context.Context, stream string, after int64) ([]domain.Recorded, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rs := m.streams[stream]
	return slices.Clone(rs[min(after, int64(len(rs))):]), int64(len(rs)), nil
}

func (m *memLog) Append(_ context.Context, stream string, expected int64, events []domain.Event, meta domain.Meta) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v := int64(len(m.streams[stream])); v != expected {
		return 0, fmt.Errorf("stream %s at %d, expected %d: %w", stream, v, expected, domain.ErrConflict)
	}
	for _, r := range meta.Requires {
		if v := int64(len(m.streams[r.Stream])); v != r.Version {
			return 0, fmt.Errorf("stream %s at %d, required at %d: %w", r.Stream, v, r.Version, domain.ErrMovedOn)
		}
	}
	for _, e := range events {
		typ, schema, _, err := domain.Encode(e)
		if err != nil {
			return 0, err
		}
		m.position++
		m.streams[stream] = append(m.streams[stream], domain.Recorded{ID: uuid.New(), Position: m.position, Stream: stream,
			Version: int64(len(m.streams[stream])) + 1, Type: typ, SchemaVersion: schema, At: meta.At, Actor: meta.Actor,
			CorrelationID: meta.CorrelationID, CausationID: meta.CausationID, Event: e})
	}
	return m.position, nil
}

func (m *memLog) ReadAll(_ context.Context, upTo int64) ([]domain.Recorded, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Recorded
	for _, rs := range m.streams {
		for _, r := range rs {
			if upTo <= 0 || r.Position <= upTo {
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b domain.Recorded) int { return cmp.Compare(a.Position, b.Position) })
	return out, nil
}
