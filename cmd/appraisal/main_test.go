package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
)

// backends runs f once on a fresh SQLite file and once on a fresh PostgreSQL
// schema (when APPRAISAL_TEST_DATABASE_URL is set), with
// APPRAISAL_DATABASE_URL pointing at it.
func backends(t *testing.T, f func(t *testing.T, url string, tamper func(sql string))) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "appraisal.db")
		t.Setenv("APPRAISAL_DATABASE_URL", path)
		f(t, path, func(stmt string) {
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := eventstoretest.FreshSchema(t)
		t.Setenv("APPRAISAL_DATABASE_URL", url)
		f(t, url, func(stmt string) {
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		})
	})
}

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, &out)
	return out.String(), err
}

func TestUsageAndUnknownCommand(t *testing.T) {
	out, err := runCmd(t)
	if !errors.Is(err, errUsage) || !strings.Contains(out, "commands:") || !strings.Contains(out, "serve") {
		t.Fatalf("no arguments: err %v, out %q", err, out)
	}
	_, err = runCmd(t, "frobnicate")
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %v", err)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for name := range commands() {
		t.Run(name, func(t *testing.T) {
			out, err := runCmd(t, name, "--help")
			if err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("--help returned %v", err)
			}
			if !strings.Contains(out, "usage: appraisal "+name) {
				t.Fatalf("--help printed %q", out)
			}
		})
	}
}

func TestInvalidConfigurationListsEveryProblemAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("APPRAISAL_DATABASE_URL", "mysql://nope")
	t.Setenv("APPRAISAL_ADDR", "no-port")
	t.Setenv("APPRAISAL_BUS", "kafka")
	t.Setenv("APPRAISAL_LOG_LEVEL", "loud")
	t.Setenv("APPRAISAL_REQUEST_TIMEOUT", "soon")
	t.Setenv("APPRAISAL_BOOTSTRAP_TOKEN", "short")
	_, err := runCmd(t, "serve")
	if err == nil {
		t.Fatal("serve started with an invalid configuration")
	}
	for _, want := range []string{"APPRAISAL_DATABASE_URL", "APPRAISAL_ADDR", "APPRAISAL_BUS", "APPRAISAL_LOG_LEVEL", "APPRAISAL_REQUEST_TIMEOUT", "APPRAISAL_BOOTSTRAP_TOKEN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if line := oneLine(err); strings.Contains(line, "\n") {
		t.Errorf("error is not one line: %q", line)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
		t.Errorf("files written: %v", m)
	}
	if _, err := runCmd(t, "migrate", "extra"); err == nil || !strings.Contains(err.Error(), `unexpected argument "extra"`) {
		t.Errorf("stray argument accepted: %v", err)
	}
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	backends(t, func(t *testing.T, _ string, _ func(string)) {
		out, err := runCmd(t, "migrate")
		if err != nil || !strings.HasPrefix(out, "migrated from 0 to ") {
			t.Fatalf("first migrate: %v %q", err, out)
		}
		out, err = runCmd(t, "migrate")
		if err != nil || !strings.HasPrefix(out, "database is up to date at migration ") {
			t.Fatalf("second migrate: %v %q", err, out)
		}
	})
}

func TestVerifyExitsTwoOnTamper(t *testing.T) {
	backends(t, func(t *testing.T, _ string, tamper func(string)) {
		// serve --demo writes a realistic log; verify must call it intact.
		serveUntilHealthy(t, "--demo")
		out, err := runCmd(t, "verify")
		if err != nil || !strings.HasPrefix(out, "ok: ") {
			t.Fatalf("verify on an intact log: %v %q", err, out)
		}
		// Raw SQL behind the store's back: disable the append-only guard and
		// rewrite the first organisation event.
		if strings.HasSuffix(t.Name(), "postgres") {
			tamper("DROP TRIGGER events_append_only ON events")
		} else {
			tamper("DROP TRIGGER events_no_update")
		}
		tamper(`UPDATE events SET payload = '{"tampered":true}' WHERE stream_id = 'organisation' AND version = 1`)
		_, err = runCmd(t, "verify")
		var ec exitCoder
		if !errors.As(err, &ec) || ec.ExitCode() != 2 || !strings.Contains(err.Error(), "TAMPERED at position ") {
			t.Fatalf("verify after tamper: %v", err)
		}
	})
}

func TestServePrintsTheBootstrapTokenOnceAndAnswersHealth(t *testing.T) {
	backends(t, func(t *testing.T, _ string, _ func(string)) {
		first, metrics := serveMetrics(t)
		if !strings.Contains(first, "bootstrap HR token (shown only this once)") {
			t.Fatalf("first start did not print the bootstrap token: %q", first)
		}
		if second := serveUntilHealthy(t); strings.Contains(second, "bootstrap HR token") {
			t.Fatalf("second start printed a token again: %q", second)
		}
		want := []string{"appraisal_http_request_duration_seconds", "appraisal_events_appended_total", "appraisal_projection_lag_events"}
		if strings.HasSuffix(t.Name(), "postgres") {
			want = append(want, "appraisal_eventstore_queued_appends", "appraisal_eventstore_oldest_append_seconds", "appraisal_eventstore_append_lock_held_seconds")
		}
		for _, m := range want {
			if !strings.Contains(metrics, m) {
				t.Errorf("/metrics lacks %s", m)
			}
		}
	})
}

// serveUntilHealthy starts serve on a free loopback port, waits until /healthz
// and /readyz answer 200, stops it with a cancelled context (as SIGTERM does)
// and returns what it printed.
func serveUntilHealthy(t *testing.T, extra ...string) string {
	t.Helper()
	out, _ := serveMetrics(t, extra...)
	return out
}

// serveMetrics is serveUntilHealthy that also returns what /metrics said
// while the service ran.
func serveMetrics(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve", "--addr", addr}, extra...), &out) }()
	for _, path := range []string{"/healthz", "/readyz"} {
		if err := waitOK(fmt.Sprintf("http://%s%s", addr, path), done); err != nil {
			cancel()
			t.Fatalf("%s: %v; output %q", path, err, out.String())
		}
	}
	metrics := get(t, fmt.Sprintf("http://%s/metrics", addr))
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}
	return out.String(), metrics
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := nethttp.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != nethttp.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

func waitOK(url string, done <-chan error) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			return fmt.Errorf("serve exited early: %v", err)
		default:
		}
		resp, err := nethttp.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == nethttp.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("no 200 within 60s")
}

func TestPostgresPoolDefault(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h:5432/db?sslmode=disable":                   "postgres://u@h:5432/db?pool_max_conns=16&sslmode=disable",
		"postgres://u@h:5432/db?pool_max_conns=40&sslmode=disable": "postgres://u@h:5432/db?pool_max_conns=40&sslmode=disable",
	} {
		if got := withPoolDefault(in); got != want {
			t.Errorf("withPoolDefault(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestReadOnlyCommandsRefuseAMissingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	t.Setenv("APPRAISAL_DATABASE_URL", path)
	for _, args := range [][]string{{"verify"}, {"replay", "--all"}} {
		if _, err := runCmd(t, args...); err == nil || !strings.Contains(err.Error(), "no database at") {
			t.Errorf("%v on a missing file: %v", args, err)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); len(m) != 0 {
		t.Errorf("files written: %v", m)
	}
}

func TestAPermanentPostgresErrorIsNotRetried(t *testing.T) {
	url := eventstoretest.FreshSchema(t)
	t.Setenv("APPRAISAL_DATABASE_URL", strings.Replace(url, "search_path=", "search_path=no_such_", 1))
	start := time.Now()
	_, err := runCmd(t, "verify")
	if err == nil || strings.Contains(err.Error(), "not reachable") {
		t.Fatalf("verify on a missing schema: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a permanent error took %s (retried?)", took)
	}
}
