package http

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
	"github.com/appraisal-hr/appraisal/projections/readside"
)

// harness is a real server on a loopback port over a fresh store.
type harness struct {
	t     testing.TB
	srv   *Server
	store eventstore.Store
	base  string
	hr    string       // the bootstrap HR token
	stop  func() error // shuts the server down as SIGTERM does; returns Serve's error
}

// backends lists the stores every end-to-end test runs on.
func backends(testing.TB) map[string]func(t testing.TB) eventstore.Store {
	return map[string]func(t testing.TB) eventstore.Store{
		"sqlite":   func(t testing.TB) eventstore.Store { return eventstoretest.NewSQLite(t) },
		"postgres": func(t testing.TB) eventstore.Store { return eventstoretest.NewPostgres(t) },
	}
}

// eachBackend runs f as a subtest on every backend.
func eachBackend(t *testing.T, f func(t *testing.T, store eventstore.Store)) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) { f(t, open(t)) })
	}
}

func newHarness(t testing.TB, store eventstore.Store, tune func(*Config)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var srv *Server
	cfg := DefaultConfig()
	cfg.BootstrapToken = "bootstrap-token-for-tests"
	if tune != nil {
		tune(&cfg)
	}
	db, err := OpenDB(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	counted, err := InstrumentStore(store, reg)
	if err != nil {
		t.Fatal(err)
	}
	app := domain.NewService(eventlog.New(counted))
	views, err := readside.New(ctx, store, readside.Config{Runner: projections.RunnerConfig{Poll: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	viewsDone := make(chan error, 1)
	go func() { viewsDone <- views.Run(ctx) }()
	t.Cleanup(func() { <-viewsDone })
	// Server errors (5xx) are logged into the test's output, so a failure
	// says why.
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err = New(ctx, cfg, Deps{Store: store, DB: db, App: app, Views: views, Registry: reg, Logger: logger})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	tok, created, err := EnsureBootstrapToken(ctx, db, cfg.BootstrapToken, time.Now())
	if err != nil || !created || tok != cfg.BootstrapToken {
		t.Fatalf("bootstrap token: %q %v %v", tok, created, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 5*time.Second) }()
	h := &harness{t: t, srv: srv, store: store, base: "http://" + ln.Addr().String(), hr: tok}
	var once sync.Once
	var serveErr error
	h.stop = func() error {
		once.Do(func() { cancel(); serveErr = <-done })
		return serveErr
	}
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return h
}

// response is what a test request got back.
type response struct {
	status int
	header nethttp.Header
	body   []byte
}

func (r response) problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, r.body)
	}
	var p Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("decode problem: %v: %s", err, r.body)
	}
	return p
}

// do sends one request; headers come in name, value pairs.
func (h *harness) do(method, path, token, body string, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := nethttp.NewRequest(method, h.base+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// head is the current log position: tests compare it before and after a
// refused request to prove nothing was written.
func (h *harness) head() int64 {
	h.t.Helper()
	pos, err := h.store.Head(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return pos
}

// send marshals body as JSON, sends it and checks the status.
func (h *harness) send(method, path, token string, body any, want int, headers ...string) response {
	h.t.Helper()
	var raw string
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		raw = string(b)
	}
	r := h.do(method, path, token, raw, headers...)
	if r.status != want {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

// written decodes a command's answer.
func (r response) written(t testing.TB) Written {
	t.Helper()
	var w Written
	if err := json.Unmarshal(r.body, &w); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return w
}

// refusedAny is refused for the authorisation matrix: exactly want (a
// refusal is 403, never a 404 that would tell whether the target exists), and
// a wrong status is reported without stopping, so one run lists every hole.
func (h *harness) refusedAny(method, path, token string, body any, want int) {
	h.t.Helper()
	before := h.head()
	var raw string
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		raw = string(b)
	}
	r := h.do(method, path, token, raw)
	if r.status != want {
		h.t.Errorf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
		return
	}
	r.problem(h.t)
	if after := h.head(); after != before {
		h.t.Fatalf("%s %s was refused but the log moved from %d to %d", method, path, before, after)
	}
}

// refused sends a request that must be refused with want and write nothing.
func (h *harness) refused(method, path, token string, body any, want int, slug string) Problem {
	h.t.Helper()
	before := h.head()
	r := h.send(method, path, token, body, want)
	p := r.problem(h.t)
	if slug != "" && p.Type != problemTypePrefix+slug {
		h.t.Fatalf("%s %s: problem %s, want %s: %s", method, path, p.Type, slug, r.body)
	}
	if after := h.head(); after != before {
		h.t.Fatalf("%s %s was refused but the log moved from %d to %d", method, path, before, after)
	}
	return p
}
