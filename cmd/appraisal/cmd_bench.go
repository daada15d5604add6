package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
	"github.com/appraisal-hr/appraisal/eventstore/sqlite"
)

// benchOptions are the flags of bench store.
type benchOptions struct {
	duration time.Duration // per append case and implementation
	clients  int           // the many-clients case
	batch    int           // events per transaction in the batch case
	readMax  int           // most events a catch-up read case reads
	profile  string        // CPU profile of the whole run, written here
}

// runBench runs `bench store`: the event store against the bare database and
// watermill-sql, side by side, in a scratch schema (PostgreSQL) or scratch
// file (SQLite) next to the configured database, removed afterwards.
func runBench(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := defaultConfig()
	fs := newFlagSet("bench", "Benchmark the event store against the configured database: appraisal bench store [flags].", &cfg, stdout)
	var o benchOptions
	fs.DurationVar(&o.duration, "duration", 2*time.Second, "how long each append case runs per implementation")
	fs.IntVar(&o.clients, "clients", 32, "concurrent clients in the many-clients case")
	fs.IntVar(&o.batch, "batch", 100, "events per transaction in the batch case")
	fs.IntVar(&o.readMax, "read-max", 200000, "most events read in the catch-up case")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the run (this process: store, baselines' clients) to this file, for go tool pprof")
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fs.Usage()
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "store" {
		fs.Usage()
		return errors.New("bench: the one target is store (appraisal bench store [flags])")
	}
	if err := fs.parse(args[1:], &cfg); err != nil {
		return err
	}
	if o.duration <= 0 || o.duration > time.Minute || o.clients < 1 || o.batch < 1 || o.readMax < 1 {
		return errors.New("bench: want 0 < duration <= 1m and clients, batch, read-max >= 1")
	}
	logger := newLogger(cfg, os.Stderr)
	if o.profile != "" {
		stop, err := startCPUProfile(o.profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	var suffix [4]byte
	rand.Read(suffix[:])
	scratch := "appraisal_bench_" + hex.EncodeToString(suffix[:])
	if cfg.IsPostgres() {
		return benchPostgres(ctx, cfg.DatabaseURL, scratch, o, logger, stdout)
	}
	return benchSQLite(ctx, filepath.Join(filepath.Dir(cfg.DatabaseURL), scratch+".db"), o, logger, stdout)
}

// startCPUProfile profiles this process's CPU into path until stop.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func benchPostgres(ctx context.Context, dsn, schema string, o benchOptions, logger *slog.Logger, stdout io.Writer) error {
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("bench: connect: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return fmt.Errorf("bench: create scratch schema: %w", err)
	}
	defer admin.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", fmt.Sprint(o.clients+4))
	u.RawQuery = q.Encode()
	store, err := postgres.Open(ctx, u.String(), postgres.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx, logger); err != nil {
		return err
	}
	var raws [2]rawBaseline
	for i, t := range []bareTable{keyedTable, pkOnlyTable} {
		if raws[i], err = newRawPG(ctx, store.Pool(), t); err != nil {
			return err
		}
	}
	wm, err := newWatermillPG(store.Pool())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "PostgreSQL, scratch schema %s, %s per case\n\n", schema, o.duration)
	return benchTable(ctx, o, benchSubjects{store: store, raws: raws, rawName: "raw pgx", watermill: wm, targets: true}, stdout)
}

func benchSQLite(ctx context.Context, path string, o benchOptions, logger *slog.Logger, stdout io.Writer) error {
	store, err := sqlite.Open(ctx, path, sqlite.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer func() {
		store.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
	}()
	if _, err := store.Migrate(ctx, logger); err != nil {
		return err
	}
	var raws [2]rawBaseline
	for i, t := range []bareTable{keyedTable, pkOnlyTable} {
		if raws[i], err = newRawSQLite(ctx, store.DB(), t); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "SQLite, scratch file %s, %s per case (watermill-sql has no SQLite adapter)\n\n", path, o.duration)
	return benchTable(ctx, o, benchSubjects{store: store, raws: raws, rawName: "raw database/sql"}, stdout)
}

// appender is one implementation under the append benchmark. Each client
// appends to its own stream; client numbers run from 0.
type appender interface {
	append(ctx context.Context, client int, events []eventstore.NewEvent) error
}

// reader reads up to limit events after a cursor and returns the next cursor.
type reader interface {
	read(ctx context.Context, after int64, limit int) (int, int64, error)
}

// rawBaseline writes and reads a bare table with raw SQL
// (cmd_bench_baselines.go).
type rawBaseline interface {
	appender
	reader
}

type benchSubjects struct {
	store eventstore.Store
	// raws are the baselines on the keyed table (the targets' baseline)
	// and on the table with the position's key only.
	raws      [2]rawBaseline
	rawName   string
	watermill appender // nil where watermill-sql does not apply
	targets   bool     // the targets are set for PostgreSQL only
}

func benchTable(ctx context.Context, o benchOptions, s benchSubjects, stdout io.Writer) error {
	cases := []struct {
		name           string
		clients, perTx int
		target         float64
	}{
		{"append 1 event/tx, 1 client", 1, 1, 0},
		{fmt.Sprintf("append 1 event/tx, %d clients", o.clients), o.clients, 1, 0.8},
		{fmt.Sprintf("append %d events/tx, 4 clients", o.batch), 4, o.batch, 0.6},
	}
	readTarget := 0.6
	if !s.targets {
		for i := range cases {
			cases[i].target = 0
		}
		readTarget = 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "case\tappraisal ev/s\t%s, same keys ev/s\tvs raw\ttarget\t%[1]s, key only ev/s\tvs key only\twatermill-sql ev/s\tvs watermill\t\n",
		s.rawName)
	subjects := []appender{newStoreAppender(s.store), s.raws[0], s.raws[1]}
	if s.watermill != nil {
		subjects = append(subjects, s.watermill)
	}
	var appendRates []float64
	for _, c := range cases {
		rates, err := measureInterleaved(ctx, subjects, c.clients, c.perTx, o.duration)
		if err != nil {
			return fmt.Errorf("bench %s: %w", c.name, err)
		}
		a, keyed, pkOnly := rates[0], rates[1], rates[2]
		wmRate, wmRatio := "n/a", "n/a"
		if s.watermill != nil {
			wmRate, wmRatio = fmt.Sprintf("%.0f", rates[3]), percent(a/rates[3])
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%s\t%s\t%.0f\t%s\t%s\t%s\t\n", c.name, a, keyed, percent(a/keyed), targetText(c.target),
			pkOnly, percent(a/pkOnly), wmRate, wmRatio)
		appendRates = append(appendRates, a)
	}
	reads, err := measureReads(ctx, []reader{storeReader{s.store}, s.raws[0], s.raws[1]}, o.readMax)
	if err != nil {
		return fmt.Errorf("bench catch-up read: %w", err)
	}
	fmt.Fprintf(tw, "catch-up read, pages of %d\t%.0f\t%.0f\t%s\t%s\t%.0f\t%s\tn/a\tn/a\t\n", benchPage, reads[0], reads[1],
		percent(reads[0]/reads[1]), targetText(readTarget), reads[2], percent(reads[0]/reads[2]))
	if err := tw.Flush(); err != nil {
		return err
	}
	perEvent := measureHashing(o.batch)
	fmt.Fprintf(stdout, "\nhash chain CPU (event hash + ledger hash, SHA-256): %.2f µs/event = %.1f%% of one core at the %d-client rate, %.1f%% at the batch rate (PostgreSQL target: <= 10%%)\n",
		float64(perEvent)/1e3, 100*perEvent.Seconds()*appendRates[1], o.clients, 100*perEvent.Seconds()*appendRates[2])
	return nil
}

func percent(r float64) string { return fmt.Sprintf("%.0f%%", 100*r) }

func targetText(t float64) string {
	if t == 0 {
		return "-"
	}
	return ">= " + percent(t)
}

// benchRounds splits each case into short turns taken in rotation, so that a
// load change on a shared machine hits every implementation alike.
const benchRounds = 4

// measureInterleaved measures every subject for d in total, in benchRounds
// turns each, and returns their events per second in order.
func measureInterleaved(ctx context.Context, subjects []appender, clients, perTx int, d time.Duration) ([]float64, error) {
	events := make([]int64, len(subjects))
	spent := make([]time.Duration, len(subjects))
	for round := 0; round < benchRounds; round++ {
		for i, a := range subjects {
			n, took, err := measureAppend(ctx, a, clients, perTx, d/benchRounds)
			if err != nil {
				return nil, err
			}
			events[i] += n
			spent[i] += took
		}
	}
	rates := make([]float64, len(subjects))
	for i := range subjects {
		rates[i] = float64(events[i]) / spent[i].Seconds()
	}
	return rates, nil
}

// measureAppend runs clients goroutines appending perTx events per
// transaction for d and returns events per second. Appends in flight at the
// deadline complete and count. It returns the events appended and the time.
func measureAppend(ctx context.Context, a appender, clients, perTx int, d time.Duration) (int64, time.Duration, error) {
	end := time.Now().Add(d)
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(end) {
				if err := a.append(ctx, c, benchEvents(perTx)); err != nil {
					errs <- err
					return
				}
				total.Add(int64(perTx))
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, 0, err
	}
	return total.Load(), time.Since(start), nil
}

// benchPage is the page size of every catch-up reader.
const benchPage = 1000

// measureReads reads every reader's table from the start in pages, up to
// max events each, in benchRounds turns taken in rotation (each turn reads
// the next max/benchRounds events), and returns their events per second.
func measureReads(ctx context.Context, readers []reader, max int) ([]float64, error) {
	type cursor struct {
		after     int64
		read      int
		spent     time.Duration
		exhausted bool
	}
	cursors := make([]cursor, len(readers))
	turn := (max + benchRounds - 1) / benchRounds
	for round := 0; round < benchRounds; round++ {
		for i, r := range readers {
			c := &cursors[i]
			start, goal := time.Now(), min(c.read+turn, max)
			for !c.exhausted && c.read < goal {
				n, next, err := r.read(ctx, c.after, min(benchPage, goal-c.read))
				if err != nil {
					return nil, err
				}
				c.read, c.after, c.exhausted = c.read+n, next, n == 0
			}
			c.spent += time.Since(start)
		}
	}
	rates := make([]float64, len(readers))
	for i, c := range cursors {
		if c.read == 0 {
			return nil, fmt.Errorf("reader %d: nothing to read", i)
		}
		rates[i] = float64(c.read) / c.spent.Seconds()
	}
	return rates, nil
}

// measureHashing times the hash chain alone: both hashes of one event.
func measureHashing(n int) time.Duration {
	events, err := eventstore.Prepare("bench-hash", 0, eventstore.GenesisHash, benchEvents(n), time.Now())
	if err != nil {
		panic(err) // benchEvents are valid by construction
	}
	const rounds = 200
	start := time.Now()
	ledger := eventstore.GenesisHash
	for r := 0; r < rounds; r++ {
		for i := range events {
			h := eventstore.HashEvent(events[i].PrevHash, &events[i])
			ledger = eventstore.LedgerHash(ledger, int64(i), h)
		}
	}
	return time.Since(start) / time.Duration(rounds*len(events))
}

// benchPayload is a typical evaluation event.
const benchPayload = `{"employee":"e-1042","cycle":"2026-Q3","criterion":"teamwork","rater":"peer","score":"87.50","comment":"steady work this quarter"}`

func benchEvents(n int) []eventstore.NewEvent {
	events := make([]eventstore.NewEvent, n)
	for i := range events {
		events[i] = eventstore.NewEvent{
			ID: eventstore.NewEventID(), Type: "bench.evaluation_submitted", SchemaVersion: 1, Payload: []byte(benchPayload),
			Actor: eventstore.Actor{ID: "bench", Role: "hr"}, CorrelationID: uuid.New(),
		}
	}
	return events
}

// storeAppender appends through the event store with optimistic
// concurrency, as the domain does.
type storeAppender struct {
	store    eventstore.Store
	run      string
	versions streamVersions
}

func newStoreAppender(s eventstore.Store) *storeAppender {
	return &storeAppender{store: s, run: uuid.NewString()[:8]}
}

func (a *storeAppender) append(ctx context.Context, client int, events []eventstore.NewEvent) error {
	stream := fmt.Sprintf("bench-%s-%d-%d", a.run, len(events), client)
	// A failed append ends the bench, so the version taken is never reused.
	_, err := a.store.Append(ctx, stream, a.versions.reserve(stream, len(events)), events)
	return err
}

type storeReader struct{ store eventstore.Store }

func (r storeReader) read(ctx context.Context, after int64, limit int) (int, int64, error) {
	events, err := r.store.ReadAll(ctx, after, limit)
	if err != nil || len(events) == 0 {
		return 0, after, err
	}
	return len(events), events[len(events)-1].Position, nil
}
