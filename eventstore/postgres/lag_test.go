package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
	"github.com/appraisal-hr/appraisal/migrations"
)

func event() []eventstore.NewEvent {
	return []eventstore.NewEvent{{ID: uuid.New(), Type: "t", SchemaVersion: 1, Payload: []byte(`{}`)}}
}

// gauges reads the store's Prometheus gauges by name.
func gauges(t *testing.T, s *postgres.Store) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(s.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		out[f.GetName()] = f.GetMetric()[0].GetGauge().GetValue()
	}
	if len(out) != 3 {
		t.Fatalf("%d metric families, want 3: %v", len(out), out)
	}
	return out
}

// A slow append (its rows take 800 ms to insert) holds the append lock, and
// with it every other append of the schema, until it commits; Lag and the
// metrics name it.
func TestSlowAppendHoldsAppendsBack(t *testing.T) {
	ctx := context.Background()
	s := eventstoretest.NewPostgres(t)
	eventstoretest.PostgresBackend().DelayAppends(t, s, 800*time.Millisecond)
	slow := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx, "slow-1", eventstore.NoStream, event())
		slow <- err
	}()
	time.Sleep(200 * time.Millisecond)
	quick := make(chan eventstore.AppendResult, 1)
	go func() {
		res, err := s.Append(ctx, "quick-1", eventstore.NoStream, event())
		if err != nil {
			t.Error(err)
		}
		quick <- res
	}()
	time.Sleep(200 * time.Millisecond)
	lag, err := s.Lag(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if lag.Queued != 2 || lag.OldestAppendAge < 350*time.Millisecond || lag.LockHolderPID == 0 || lag.LockHolderAge < 350*time.Millisecond {
		t.Fatalf("lag does not show the slow append holding the quick one back: %+v", lag)
	}
	if g := gauges(t, s); g["appraisal_eventstore_queued_appends"] != 2 || g["appraisal_eventstore_append_lock_held_seconds"] < 0.35 {
		t.Fatalf("metrics do not show the slow append: %v", g)
	}
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	if res := <-quick; res.FirstPosition != 2 {
		t.Fatalf("the quick append landed at %d, want 2 (after the slow one)", res.FirstPosition)
	}
	if lag, err := s.Lag(ctx); err != nil || lag.Queued != 0 || lag.OldestAppendAge != 0 || lag.LockHolderPID != 0 {
		t.Fatalf("lag after the appends: %+v %v", lag, err)
	}
}

// A transaction holding the schema's append lock holds every append back,
// and Lag names it.
func TestLagNamesTheAppendLockHolder(t *testing.T) {
	ctx := context.Background()
	s := eventstoretest.NewPostgres(t)
	holder, err := s.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Release()
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrations.LockID("append", s.Schema())); err != nil {
		t.Fatal(err)
	}
	var pid int32
	if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	done := make(chan eventstore.AppendResult, 1)
	go func() {
		res, err := s.Append(ctx, "held", eventstore.NoStream, event())
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case res := <-done:
		t.Fatalf("append committed while another transaction held the append lock: %+v", res)
	default:
	}
	lag, err := s.Lag(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if lag.LockHolderPID != pid || lag.LockHolderAge < 250*time.Millisecond || lag.Queued != 1 {
		t.Fatalf("lag does not name the lock holder (pid %d): %+v", pid, lag)
	}
	if g := gauges(t, s); g["appraisal_eventstore_append_lock_held_seconds"] < 0.25 {
		t.Fatalf("metrics do not show the lock holder: %v", g)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if res := <-done; res.FirstPosition != 1 {
		t.Fatalf("append after the lock was released: %+v", res)
	}
}

// A write transaction that is not an append (here: another schema's table,
// kept open) holds neither appends nor readers back.
func TestOtherWritersDoNotHoldAppendsBack(t *testing.T) {
	ctx := context.Background()
	s := eventstoretest.NewPostgres(t)
	other, err := pgx.Connect(ctx, eventstoretest.FreshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `CREATE TABLE busy (n int); INSERT INTO busy VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	actx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	res, err := s.Append(actx, "a", eventstore.NoStream, event())
	if err != nil || res.FirstPosition != 1 {
		t.Fatalf("append beside an open foreign transaction: %+v %v", res, err)
	}
	if events, err := s.ReadAll(ctx, 0, 0); err != nil || len(events) != 1 {
		t.Fatalf("read all: %d events, %v", len(events), err)
	}
}

// Each schema has its own append lock: another schema's lock holder neither
// holds this store's appends back nor shows in its Lag.
func TestAnotherSchemasLockHolderIsNotThisStoresLag(t *testing.T) {
	ctx := context.Background()
	other, s := eventstoretest.NewPostgres(t), eventstoretest.NewPostgres(t)
	tx, err := other.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrations.LockID("append", other.Schema())); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := s.Append(ctx, "quick-1", eventstore.NoStream, event()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 400*time.Millisecond {
		t.Errorf("append waited %s behind another schema's append lock", waited)
	}
	if lag, err := s.Lag(ctx); err != nil || lag.LockHolderPID != 0 {
		t.Errorf("lag names another schema's lock holder: %+v %v", lag, err)
	}
}
