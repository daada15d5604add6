package http

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestOperations(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t), nil)
			if r := h.do("GET", "/healthz", "", ""); r.status != 200 {
				t.Fatalf("healthz %d %s", r.status, r.body)
			}
			// Ready once the projections have registered and caught up.
			deadline := time.Now().Add(10 * time.Second)
			for r := h.do("GET", "/readyz", "", ""); r.status != 200; r = h.do("GET", "/readyz", "", "") {
				if r.problem(t).Status != 503 || time.Now().After(deadline) {
					t.Fatalf("readyz %d %s", r.status, r.body)
				}
				time.Sleep(20 * time.Millisecond)
			}
			r := h.do("GET", "/api/v1/openapi.json", "", "")
			var doc map[string]any
			if r.status != 200 || json.Unmarshal(r.body, &doc) != nil || doc["openapi"] != "3.1.0" {
				t.Fatalf("openapi %d %.200s", r.status, r.body)
			}
			r = h.do("GET", "/metrics", "", "")
			if r.status != 200 || !strings.Contains(string(r.body), "appraisal_http_request_duration_seconds") {
				t.Fatalf("metrics %d %.300s", r.status, r.body)
			}
		})
	}
}

func TestCorrelationIDIsEchoedAndStable(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), nil)
	given := "3f1f9b1e-3c4a-4e43-8b7b-6a1f0f7c2e10"
	if got := h.do("GET", "/healthz", "", "", headerCorrelation, given).header.Get(headerCorrelation); got != given {
		t.Fatalf("echoed %q, want %q", got, given)
	}
	a := h.do("GET", "/healthz", "", "", headerCorrelation, "client-req-7").header.Get(headerCorrelation)
	b := h.do("GET", "/healthz", "", "", headerCorrelation, "client-req-7").header.Get(headerCorrelation)
	if a == "" || a != b {
		t.Fatalf("non-UUID ids must map to one stable UUID: %q %q", a, b)
	}
	if fresh := h.do("GET", "/healthz", "", "").header.Get(headerCorrelation); fresh == "" || fresh == a {
		t.Fatalf("a request without an id gets a new one, got %q", fresh)
	}
}

func TestUnknownRouteIsAProblem(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), nil)
	r := h.do("GET", "/api/v1/nowhere", h.hr, "")
	if p := r.problem(t); p.Status != 404 || p.Type != problemTypePrefix+"not-found" || p.CorrelationID == "" {
		t.Fatalf("problem %+v", p)
	}
}

// TestCorrelationIDLandsOnEvents: the id a client sends is the correlation id
// of the events its request appends, so logs and history line up.
func TestCorrelationIDLandsOnEvents(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), nil)
	id := "7d1c2b9a-9d7e-4f61-8a1e-3c5d2e4f6a70"
	h.send("POST", "/api/v1/units", h.hr, map[string]any{"name": "Audit"}, 201, headerCorrelation, id)
	evs, err := h.store.ReadAll(context.Background(), 0, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v %v", evs, err)
	}
	if evs[0].CorrelationID.String() != id || evs[0].Actor.Role != "hr" || evs[0].Actor.ID != BootstrapActorID.String() {
		t.Fatalf("event correlation %s actor %+v", evs[0].CorrelationID, evs[0].Actor)
	}
}

// TestShutdownDrainsInFlightRequests: a request running when shutdown starts
// is answered, Serve returns cleanly, and the port stops answering.
func TestShutdownDrainsInFlightRequests(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), func(c *Config) { c.ReadWaitTimeout = 500 * time.Millisecond })
	answered := make(chan response, 1)
	go func() {
		// Waits the whole ReadWaitTimeout for a position the log never reaches.
		answered <- h.do("GET", "/api/v1/cycles?min_position=1000000", h.hr, "")
	}()
	time.Sleep(100 * time.Millisecond)
	if err := h.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	r := <-answered
	if p := r.problem(t); p.Status != 503 || p.Type != problemTypePrefix+"not-ready" {
		t.Fatalf("in-flight request: %+v", p)
	}
	if _, err := http.Get(h.base + "/healthz"); err == nil {
		t.Fatal("the server still answers after shutdown")
	}
}

// A connection that never sent a request (a client's spare keep-alive
// connection) does not hold a drain shorter than the 5 s net/http gives a
// new connection to speak: Serve closes it and returns cleanly, well
// before the drain would have waited for it.
func TestShutdownClosesConnectionsThatSentNothing(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), nil)
	if r := h.do("GET", "/healthz", "", ""); r.status != http.StatusOK {
		t.Fatalf("healthz: %d", r.status)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // accepted: the server holds it as new
	start := time.Now()
	if err := h.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if took := time.Since(start); took > 5500*time.Millisecond {
		t.Fatalf("shutdown took %s", took)
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("the connection that sent nothing is still open after shutdown")
	}
}
