package http

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
)

// idemEcho is a bare echo with the idempotency middleware in front of a
// handler that counts how often it really ran.
func idemEcho(t *testing.T, store eventstore.Store, runs *atomic.Int64) *echo.Echo {
	t.Helper()
	db, err := OpenDB(t.Context(), store)
	if err != nil {
		t.Fatal(err)
	}
	m := &idempotency{db: db, now: time.Now, stale: time.Minute}
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) { writeProblem(c, problemFor(err)) }
	who := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(principalKey, principal{ID: uuid.NewSHA1(uuid.Nil, []byte(c.Request().Header.Get("X-Who"))), Role: domain.RoleEmployee})
			return next(c)
		}
	}
	e.POST("/things", func(c echo.Context) error {
		n := runs.Add(1)
		time.Sleep(20 * time.Millisecond) // hold the claim so duplicates must wait
		c.Response().Header().Set("ETag", `"7"`)
		return c.JSON(201, map[string]int64{"run": n})
	}, who, m.middleware)
	return e
}

func post(e *echo.Echo, who, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/things", strings.NewReader(body)).WithContext(context.Background())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Who", who)
	if key != "" {
		req.Header.Set(headerIdempotencyKey, key)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestIdempotencyTwentyConcurrentSendsRunOnce(t *testing.T) {
	eachBackend(t, twentyConcurrentSends)
}

func twentyConcurrentSends(t *testing.T, store eventstore.Store) {
	var runs atomic.Int64
	e := idemEcho(t, store, &runs)
	var wg sync.WaitGroup
	bodies := make([]string, 20)
	for i := range 20 {
		wg.Go(func() {
			rec := post(e, "ann", "key-1", `{"a":1}`)
			if rec.Code != 201 || rec.Header().Get("ETag") != `"7"` {
				t.Errorf("send %d: %d %s", i, rec.Code, rec.Body)
			}
			bodies[i] = rec.Body.String()
		})
	}
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("handler ran %d times, want 1", runs.Load())
	}
	for i, b := range bodies {
		if b != bodies[0] {
			t.Fatalf("send %d got %q, first got %q", i, b, bodies[0])
		}
	}
}

func TestIdempotencyKeys(t *testing.T) {
	var runs atomic.Int64
	e := idemEcho(t, backends(t)["sqlite"](t), &runs)
	if rec := post(e, "ann", "k", `{"a":1}`); rec.Code != 201 {
		t.Fatalf("first: %d", rec.Code)
	}
	t.Run("a retry replays the first response", func(t *testing.T) {
		rec := post(e, "ann", "k", `{"a":1}`)
		if rec.Code != 201 || rec.Header().Get("Idempotent-Replayed") != "true" || runs.Load() != 1 {
			t.Fatalf("retry: %d %v runs=%d", rec.Code, rec.Header(), runs.Load())
		}
	})
	t.Run("the same key with another body is refused", func(t *testing.T) {
		rec := post(e, "ann", "k", `{"a":2}`)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "idempotency-key-reused") || runs.Load() != 1 {
			t.Fatalf("reuse: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("keys are per caller", func(t *testing.T) {
		if rec := post(e, "bob", "k", `{"a":1}`); rec.Code != 201 || runs.Load() != 2 {
			t.Fatalf("other caller: %d runs=%d", rec.Code, runs.Load())
		}
	})
	t.Run("no key: every send runs", func(t *testing.T) {
		post(e, "ann", "", `{"a":1}`)
		post(e, "ann", "", `{"a":1}`)
		if runs.Load() != 4 {
			t.Fatalf("runs=%d", runs.Load())
		}
	})
}
