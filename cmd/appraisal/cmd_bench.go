package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// runBench dispatches `bench <target>`; only the store has a benchmark.
func runBench(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := defaultConfig()
	fs := newFlagSet("bench", "Benchmark against the configured database: appraisal bench store [flags].", &cfg, stdout)
	duration := fs.Duration("duration", 3*time.Second, "how long each append case runs")
	if len(args) == 0 || args[0] != "store" {
		fs.Usage()
		return errors.New("bench: the one target is store (appraisal bench store [flags])")
	}
	if err := fs.parse(args[1:], &cfg); err != nil {
		return err
	}
	logger := newLogger(cfg, os.Stderr)
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	return benchStore(ctx, store, *duration, stdout)
}

// benchCase is one row of the table.
type benchCase struct {
	name    string
	clients int
	perTx   int
}

func benchStore(ctx context.Context, store *openedStore, d time.Duration, stdout io.Writer) error {
	run := uuid.NewString()[:8]
	cases := []benchCase{{"append 1 event/tx, 1 client", 1, 1}, {"append 1 event/tx, 32 clients", 32, 1}, {"append 100 events/tx, 4 clients", 4, 100}}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tevents/s\t")
	for _, c := range cases {
		n, err := benchAppend(ctx, store, run, c, d)
		if err != nil {
			return fmt.Errorf("bench %s: %w", c.name, err)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t\n", c.name, n)
	}
	return tw.Flush()
}

// benchAppend appends from c.clients goroutines, each to its own stream, for d.
func benchAppend(ctx context.Context, store eventstore.Store, run string, c benchCase, d time.Duration) (float64, error) {
	// Appends run to completion; only starting new ones stops at the deadline.
	end := time.Now().Add(d)
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, c.clients)
	start := time.Now()
	for i := 0; i < c.clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("bench-%s-%dx%d-%d", run, c.clients, c.perTx, i)
			version := int64(0)
			for ctx.Err() == nil && time.Now().Before(end) {
				res, err := store.Append(ctx, stream, version, benchEvents(c.perTx))
				if err != nil {
					errs <- err
					return
				}
				version = res.Version
				total.Add(int64(c.perTx))
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(total.Load()) / time.Since(start).Seconds(), nil
}

func benchEvents(n int) []eventstore.NewEvent {
	events := make([]eventstore.NewEvent, n)
	for i := range events {
		events[i] = eventstore.NewEvent{
			ID: uuid.New(), Type: "bench.event_recorded", SchemaVersion: 1,
			Payload: []byte(`{"employee":"e-1042","criterion":"teamwork","score":"87.50","comment":"steady work this quarter"}`),
			Actor:   eventstore.Actor{ID: "bench", Role: "hr"}, CorrelationID: uuid.New(),
		}
	}
	return events
}
