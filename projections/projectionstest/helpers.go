package projectionstest

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
)

// ForEachStore runs fn against a fresh SQLite store always and a fresh
// PostgreSQL store (own schema) when APPRAISAL_TEST_DATABASE_URL is set; the
// eventstoretest helpers skip or, under APPRAISAL_REQUIRE_POSTGRES=1, fail.
func ForEachStore(t *testing.T, fn func(t *testing.T, store eventstore.Store)) {
	ForEachBackend(t, func(t *testing.T, _ eventstoretest.Backend, store eventstore.Store) { fn(t, store) })
}

// ForEachBackend is ForEachStore with the backend's raw SQL access, for
// tests that tamper with the log behind the store's back.
func ForEachBackend(t *testing.T, fn func(t *testing.T, b eventstoretest.Backend, store eventstore.Store)) {
	for _, b := range []eventstoretest.Backend{eventstoretest.SQLiteBackend(), eventstoretest.PostgresBackend()} {
		t.Run(b.Name, func(t *testing.T) { fn(t, b, b.New(t, nil)) })
	}
}

// AppendN appends n small events of type "test.counted" to stream, one per
// append, and returns the last position.
func AppendN(t testing.TB, s eventstore.Store, stream string, n int) int64 {
	t.Helper()
	var last int64
	for i := range n {
		payload, _ := json.Marshal(map[string]any{"n": i})
		res, err := s.Append(context.Background(), stream, eventstore.AnyVersion, []eventstore.NewEvent{{
			ID: uuid.New(), Type: "test.counted", SchemaVersion: 1, Payload: payload,
			Actor: eventstore.Actor{ID: "tester", Role: "hr"}, CorrelationID: uuid.New(), CausationID: uuid.New(),
		}})
		if err != nil {
			t.Fatalf("append: %v", err)
		}
		last = res.LastPosition
	}
	return last
}

// NATSURL is the NATS server for relay tests: APPRAISAL_TEST_NATS_URL. When
// unset the test is skipped with how to enable it, or fails when
// APPRAISAL_REQUIRE_NATS=1 (CI).
func NATSURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("APPRAISAL_TEST_NATS_URL")
	if url == "" {
		if os.Getenv("APPRAISAL_REQUIRE_NATS") == "1" {
			t.Fatal("APPRAISAL_REQUIRE_NATS=1 but APPRAISAL_TEST_NATS_URL is not set")
		}
		t.Skip("NATS JetStream tests skipped: set APPRAISAL_TEST_NATS_URL=nats://127.0.0.1:4222 to run them")
	}
	return url
}
