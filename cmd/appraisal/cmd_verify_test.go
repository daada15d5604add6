package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/eventstore/sqlite"
)

func TestMigrateVerifyAndTamper(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "a.db")
	var out bytes.Buffer
	for _, want := range []string{"migrated from 0", "up to date"} {
		out.Reset()
		if err := runMigrate(ctx, []string{"--database-url", db}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Fatalf("migrate printed %q, want %q", out.String(), want)
		}
	}
	s, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		e := eventstore.NewEvent{ID: uuid.New(), Type: "t", SchemaVersion: 1, Payload: []byte(`{"i":1}`)}
		if _, err := s.Append(ctx, "a", int64(i), []eventstore.NewEvent{e}); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := runVerify(ctx, []string{"--database-url", db}, &out); err != nil || !strings.HasPrefix(out.String(), "ok: 3 events intact") {
		t.Fatalf("verify of an intact log: %q %v", out.String(), err)
	}
	for _, q := range []string{`DROP TRIGGER events_no_update`, `UPDATE events SET payload = '{"i":2}' WHERE position = 2`} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	err = runVerify(ctx, []string{"--database-url", db}, &out)
	var ec exitCoder
	if !errors.As(err, &ec) || ec.ExitCode() != 2 || !strings.Contains(err.Error(), "position 2") {
		t.Fatalf("verify of a tampered log: %v", err)
	}
}

func TestBenchStorePrintsItsTable(t *testing.T) {
	args := []string{"store", "--duration", "40ms", "--clients", "4", "--batch", "10", "--read-max", "500"}
	wants := []string{"append 1 event/tx, 1 client", "append 1 event/tx, 4 clients", "append 10 events/tx", "catch-up read",
		"same keys ev/s", "key only ev/s", "hash chain CPU"}
	t.Run("sqlite", func(t *testing.T) {
		var out bytes.Buffer
		db := filepath.Join(t.TempDir(), "a.db")
		profile := filepath.Join(t.TempDir(), "cpu.prof")
		if err := runBench(context.Background(), append(args, "--database-url", db, "--cpuprofile", profile), &out); err != nil {
			t.Fatal(err)
		}
		benchPrinted(t, out.String(), wants)
		if fi, err := os.Stat(profile); err != nil || fi.Size() == 0 {
			t.Fatalf("--cpuprofile wrote no profile: %v", err)
		}
		if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "appraisal_bench_*")); len(matches) != 0 {
			t.Fatalf("bench left its scratch files: %v", matches)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		url := eventstoretest.PostgresURL(t)
		var out bytes.Buffer
		if err := runBench(context.Background(), append(args, "--database-url", url), &out); err != nil {
			t.Fatal(err)
		}
		benchPrinted(t, out.String(), append(wants, "watermill-sql ev/s", ">= 80%", ">= 60%"))
		scratch := regexp.MustCompile(`scratch schema (appraisal_bench_[0-9a-f]+)`).FindStringSubmatch(out.String())
		if scratch == nil {
			t.Fatalf("bench output names no scratch schema:\n%s", out.String())
		}
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var left bool
		if err := conn.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)`, scratch[1]).Scan(&left); err != nil || left {
			t.Fatalf("bench left its scratch schema %s (%v)", scratch[1], err)
		}
	})
}

// benchPrinted checks that the bench's table has every wanted text and that
// every append and read row has a rate and a ratio.
func benchPrinted(t *testing.T, out string, wants []string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Fatalf("bench output lacks %q:\n%s", want, out)
		}
	}
	row := regexp.MustCompile(`(?m)^\s*(append|catch-up)[^\n]*?\s+(\d+)\s+(\d+)\s+(\d+)%`)
	if n := len(row.FindAllString(out, -1)); n != 4 {
		t.Fatalf("want 4 rows with rates and a ratio, found %d:\n%s", n, out)
	}
}
