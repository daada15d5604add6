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
)

func event() []eventstore.NewEvent {
	return []eventstore.NewEvent{{ID: uuid.New(), Type: "t", SchemaVersion: 1, Payload: []byte(`{}`)}}
}

// A slow append holds sealing back, and Lag says so.
func TestLagNamesTheSlowAppend(t *testing.T) {
	ctx := context.Background()
	s := eventstoretest.NewPostgres(t)
	eventstoretest.PostgresBackend().DelayAppends(t, s, 800*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx, "slow-1", eventstore.NoStream, event())
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	lag, err := s.Lag(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if lag.OldestTxPID == 0 || lag.OldestTxAge < 250*time.Millisecond {
		t.Fatalf("lag does not show the slow append: %+v", lag)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(s.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "appraisal_eventstore_oldest_transaction_seconds" && f.GetMetric()[0].GetGauge().GetValue() < 0.25 {
			t.Fatalf("metric %s = %v", f.GetName(), f.GetMetric()[0].GetGauge().GetValue())
		}
	}
	if len(families) != 2 {
		t.Fatalf("%d metric families, want 2", len(families))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if lag, err := s.Lag(ctx); err != nil || lag.Unsealed != 0 || lag.OldestTxPID != 0 {
		t.Fatalf("lag after the append: %+v %v", lag, err)
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

// Each schema has its own barrier: a slow append in another schema neither
// holds this store's appends back nor shows in its Lag.
func TestSlowAppendInAnotherSchemaIsNotThisStoresLag(t *testing.T) {
	ctx := context.Background()
	slow, s := eventstoretest.NewPostgres(t), eventstoretest.NewPostgres(t)
	eventstoretest.PostgresBackend().DelayAppends(t, slow, 800*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := slow.Append(ctx, "slow-1", eventstore.NoStream, event())
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if _, err := s.Append(ctx, "quick-1", eventstore.NoStream, event()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 400*time.Millisecond {
		t.Errorf("append waited %s behind another schema's slow append", waited)
	}
	if lag, err := s.Lag(ctx); err != nil || lag.OldestTxPID != 0 {
		t.Errorf("lag names another schema's append: %+v %v", lag, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
