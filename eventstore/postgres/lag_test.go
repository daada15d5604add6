package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
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
	// Other transactions of the cluster count too, so the oldest may be
	// older than ours, never younger.
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
	if lag, err := s.Lag(ctx); err != nil || lag.Unsealed != 0 {
		t.Fatalf("lag after the append: %+v %v", lag, err)
	}
}
