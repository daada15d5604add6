package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
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
	var out bytes.Buffer
	db := filepath.Join(t.TempDir(), "a.db")
	err := runBench(context.Background(), []string{"store", "--database-url", db, "--duration", "40ms", "--clients", "4", "--batch", "10", "--read-max", "500"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"append 1 event/tx, 1 client", "append 1 event/tx, 4 clients", "append 10 events/tx", "catch-up read", "hash chain CPU"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("bench output lacks %q:\n%s", want, out.String())
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "appraisal_bench_*")); len(matches) != 0 {
		t.Fatalf("bench left its scratch files: %v", matches)
	}
}
