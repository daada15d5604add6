package cycles_test

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/cycles"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
	"github.com/appraisal-hr/appraisal/projections/projectionstest"
)

// The projection benchmarks run on PostgreSQL when
// APPRAISAL_TEST_DATABASE_URL is set, else on SQLite. Sizes come from
// APPRAISAL_BENCH_UNITS and APPRAISAL_BENCH_PER_UNIT (default 40 units of a
// supervisor and 249 specialists: 10,000 employees, each rated by self,
// manager, 4 peers and 2 customers, with 3 KPIs).
//
//	go test -run '^$' -bench . -benchtime 1x ./projections/cycles/

func benchStore(b *testing.B) eventstore.Store {
	if os.Getenv(eventstoretest.DatabaseURLEnv) != "" {
		return eventstoretest.NewPostgres(b)
	}
	return eventstoretest.NewSQLite(b)
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func percentile(ds []time.Duration, p float64) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func benchScore(u, i int) int { return 72 + (u*7+i*5)%25 }

// rawReadAndRebuild times a read of the whole log, as a catch-up reads it,
// then a rebuild of p.
func rawReadAndRebuild(b *testing.B, db *projections.DB, store eventstore.Store, p projections.Projection) (raw, rebuild time.Duration) {
	ctx := context.Background()
	start := time.Now()
	if _, err := eventstoretest.ReadWholeLog(ctx, store); err != nil {
		b.Fatal(err)
	}
	raw = time.Since(start)
	start = time.Now()
	if err := db.Rebuild(ctx, store, p); err != nil {
		b.Fatal(err)
	}
	return raw, time.Since(start)
}

// BenchmarkCyclesOn10kEmployees builds one published 10,000-employee cycle,
// then measures side by side: the raw catch-up read of the whole log, the
// cycles projection's rebuild, an as-of replay of one employee's decided
// result, and a replay of the whole decision.
func BenchmarkCyclesOn10kEmployees(b *testing.B) {
	ctx := context.Background()
	store := benchStore(b)
	setup := time.Now()
	sc := projectionstest.NewScenario(b, store, projectionstest.ScenarioConfig{
		Units: envInt("APPRAISAL_BENCH_UNITS", 40), PerUnit: envInt("APPRAISAL_BENCH_PER_UNIT", 249),
		Peers: 4, Customers: 2, Score: benchScore, BudgetMode: scoring.BudgetProrate, Bulk: true})
	sc.ThroughPublish()
	head, err := store.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	index := cycles.NewIndex(store, nil)
	if err := index.CatchUp(ctx); err != nil {
		b.Fatal(err)
	}
	auditor := cycles.NewAuditor(index)
	decision := auditor.Decisions()[0]
	b.Logf("setup: %d employees, %d events, %s", len(decision.Rows), head, time.Since(setup).Round(time.Millisecond))

	b.Run("rebuild_vs_raw_read", func(b *testing.B) {
		db, err := projections.Open(ctx, store)
		if err != nil {
			b.Fatal(err)
		}
		proj := cycles.NewProjection(index)
		var raw, rebuild time.Duration
		for b.Loop() {
			r, rb := rawReadAndRebuild(b, db, store, proj)
			raw, rebuild = raw+r, rebuild+rb
		}
		rawRate := float64(head) * float64(b.N) / raw.Seconds()
		rebuildRate := float64(head) * float64(b.N) / rebuild.Seconds()
		b.ReportMetric(rawRate, "raw-read-events/s")
		b.ReportMetric(rebuildRate, "rebuild-events/s")
		b.ReportMetric(100*rebuildRate/rawRate, "rebuild-%-of-raw")
	})

	// The timeline: its rebuild against the same raw read, then reads of
	// the whole cycle's timeline and of one employee's, from the rebuilt
	// read model.
	b.Run("timeline", func(b *testing.B) {
		db, err := projections.Open(ctx, store)
		if err != nil {
			b.Fatal(err)
		}
		tl := projections.NewTimeline(eventlog.Reason)
		var raw, rebuild, cycleRead, employeeRead time.Duration
		var cycleEntries int
		rng := rand.New(rand.NewPCG(3, 4))
		for b.Loop() {
			r, rb := rawReadAndRebuild(b, db, store, tl)
			raw, rebuild = raw+r, rebuild+rb
			start := time.Now()
			entries, err := tl.Read(ctx, db, store, projections.SubjectCycle, decision.CycleID)
			if err != nil {
				b.Fatal(err)
			}
			cycleRead += time.Since(start)
			cycleEntries = len(entries)
			start = time.Now()
			const employees = 20
			for range employees {
				row := decision.Rows[rng.IntN(len(decision.Rows))]
				if entries, err := tl.Read(ctx, db, store, projections.SubjectEmployee, row.EmployeeID); err != nil || len(entries) == 0 {
					b.Fatalf("timeline of %s: %d entries, %v", row.EmployeeID, len(entries), err)
				}
			}
			employeeRead += (time.Since(start) + employees - 1) / employees
		}
		n := float64(b.N)
		b.ReportMetric(100*raw.Seconds()/rebuild.Seconds(), "rebuild-%-of-raw")
		b.ReportMetric(float64(head)*n/rebuild.Seconds(), "rebuild-events/s")
		b.ReportMetric(cycleRead.Seconds()*1000/n, "cycle-read-ms")
		b.ReportMetric(float64(cycleEntries), "cycle-entries")
		b.ReportMetric(employeeRead.Seconds()*1000/n, "employee-read-ms")
	})

	b.Run("asof_one_employee_decision", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		var ds []time.Duration
		gc := newGCMeter()
		for b.Loop() {
			row := decision.Rows[rng.IntN(len(decision.Rows))]
			start := time.Now()
			got, err := auditor.Employee(ctx, decision.CycleID, row.EmployeeID, cycles.AsOf{Position: decision.LastInputPosition})
			ds = append(ds, time.Since(start))
			if err != nil || got.Result.Grade != row.Grade || !got.Result.Pay.Value.Equal(row.Pay) {
				b.Fatalf("as-of %s: %s %s, recorded %s %s (%v)", row.EmployeeID, got.Result.Grade, got.Result.Pay.Value, row.Grade, row.Pay, err)
			}
		}
		gc.report(b)
		b.ReportMetric(float64(percentile(ds, 0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(ds, 0.99).Microseconds())/1000, "p99-ms")
	})

	b.Run("replay_whole_decision", func(b *testing.B) {
		for b.Loop() {
			rep, err := auditor.Replay(ctx, decision.DecisionID)
			if err != nil || !rep.Match {
				b.Fatalf("replay: %v %v", err, rep.Mismatches)
			}
		}
	})
}

// BenchmarkLagAt500EventsPerSecond appends KPI actuals (each changes a
// result) to an open cycle in review at a steady 500 events/s (APPRAISAL_BENCH_RATE) for
// APPRAISAL_BENCH_SECONDS (default 10) and measures, per event, the time
// from its append returning to the cycles projection committing it, and the
// process's CPU time per event over the same span (cpu-µs/event: the
// projection's and the writers' together, the database server's not; CPU
// time does not depend on how the shared machine schedules the process, so
// it compares runs under different loads better than the latencies do).
// APPRAISAL_BENCH_LAG_UNITS units (default 20) of a supervisor and
// APPRAISAL_BENCH_LAG_PER_UNIT specialists (default 9): 200 employees. The
// writers go through the employees unit by unit, as a unit's people tend to
// work together, so most batches touch one or two units and take the
// per-unit path.
func BenchmarkLagAt500EventsPerSecond(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sc, r := lagRig(ctx, b)
	rate := envInt("APPRAISAL_BENCH_RATE", 500)
	seconds := envInt("APPRAISAL_BENCH_SECONDS", 10)
	employees := sc.Employees()
	var mu sync.Mutex
	var lags []time.Duration
	var wg sync.WaitGroup
	for b.Loop() {
		// Appends take a few milliseconds each, so several writers share the
		// schedule; the rate is the ticker's.
		jobs := make(chan int)
		var writers sync.WaitGroup
		for range lagWriters {
			writers.Go(func() {
				for n := range jobs {
					emp := employees[n%len(employees)]
					pos := sc.AppendReview(emp, domain.KPIActualRecorded{CycleID: sc.Cycle, EmployeeID: emp, Criterion: "sales_revenue",
						Actual: decimal.NewFromInt(int64(70 + n%30))})
					appended := time.Now()
					wg.Go(func() {
						if err := r.runner.WaitFor(ctx, cycles.Name, pos, time.Minute); err != nil {
							b.Error(err)
							return
						}
						mu.Lock()
						lags = append(lags, time.Since(appended))
						mu.Unlock()
					})
				}
			})
		}
		start, cpu := time.Now(), processCPU()
		tick := time.NewTicker(time.Second / time.Duration(rate))
		for n := range rate * seconds {
			<-tick.C
			jobs <- n
		}
		tick.Stop()
		close(jobs)
		writers.Wait()
		b.ReportMetric(float64(rate*seconds)/time.Since(start).Seconds(), "appended-events/s")
		wg.Wait()
		b.ReportMetric(float64((processCPU()-cpu)/time.Duration(rate*seconds))/float64(time.Microsecond), "cpu-µs/event")
	}
	b.ReportMetric(float64(percentile(lags, 0.5).Microseconds())/1000, "lag-p50-ms")
	b.ReportMetric(float64(percentile(lags, 0.99).Microseconds())/1000, "lag-p99-ms")
	b.ReportMetric(float64(len(sc.Employees())), "employees")
}

// processCPU is the CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOneEventBatch times the cycles projection's batch of one review
// event on a lag benchmark's cycle (same sizes and environment): each
// operation appends a KPI actual (each changes a result) for the next
// employee, unit by unit, and waits until the projection committed it, so
// each is one batch of one event through the unit path. It reports the
// process's CPU per batch, which apart from the append (the same in every
// version) is the batch's: a measure of the per-batch cost that the lag
// benchmark's latencies show only through the machine's load.
func BenchmarkOneEventBatch(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sc, r := lagRig(ctx, b)
	employees := sc.Employees()
	n := 0
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		emp := employees[n%len(employees)]
		pos := sc.AppendReview(emp, domain.KPIActualRecorded{CycleID: sc.Cycle, EmployeeID: emp, Criterion: "sales_revenue",
			Actual: decimal.NewFromInt(int64(70 + n%30))})
		if err := r.runner.WaitFor(ctx, cycles.Name, pos, time.Minute); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64((processCPU()-cpu)/time.Duration(b.N))/float64(time.Microsecond), "cpu-µs/op")
}

// lagRig builds the lag benchmarks' cycle in review (sized by
// APPRAISAL_BENCH_LAG_UNITS and APPRAISAL_BENCH_LAG_PER_UNIT) and a runner
// over it, and returns once the projection has applied every event of the
// setup: the bulk review events come after the scenario's last command,
// and the measure must time the steady stream, not their catch-up.
func lagRig(ctx context.Context, b *testing.B) (*projectionstest.Scenario, benchRig) {
	store := benchStore(b)
	sc := projectionstest.NewScenario(b, store, projectionstest.ScenarioConfig{Units: envInt("APPRAISAL_BENCH_LAG_UNITS", 20),
		PerUnit: envInt("APPRAISAL_BENCH_LAG_PER_UNIT", 9), Peers: 2, Customers: 1, Score: benchScore,
		BudgetMode: scoring.BudgetProrate, Bulk: true})
	sc.Open()
	sc.Review()
	r := newBenchRig(ctx, b, store)
	head, err := store.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := r.runner.WaitFor(ctx, cycles.Name, head, 5*time.Minute); err != nil {
		b.Fatal(err)
	}
	return sc, r
}

// lagWriters is how many goroutines append in the lag benchmark.
const lagWriters = 16

type benchRig struct{ runner *projections.Runner }

func newBenchRig(ctx context.Context, b *testing.B, store eventstore.Store) benchRig {
	db, err := projections.Open(ctx, store)
	if err != nil {
		b.Fatal(err)
	}
	index := cycles.NewIndex(store, nil)
	// APPRAISAL_BENCH_LINGER (a Go duration, negative: none) overrides the
	// runner's linger, to weigh it against the default.
	var cfg projections.RunnerConfig
	if d, err := time.ParseDuration(os.Getenv("APPRAISAL_BENCH_LINGER")); err == nil {
		cfg.Linger = d
	}
	runner := projections.NewRunner(db, store, cfg, cycles.NewProjection(index))
	go func() { _ = index.Run(ctx) }()
	go func() { _ = runner.Run(ctx) }()
	return benchRig{runner: runner}
}

// gcMeter measures the garbage collector's share of a benchmark: the CPU it
// spent (marking the live heap, assists included) and how many cycles ran,
// per operation, and the heap live after the last cycle. CPU time does not
// depend on how the shared machine schedules the process, so it compares
// runs taken under different loads better than latencies do.
type gcMeter struct{ samples []metrics.Sample }

var gcMetrics = []string{"/cpu/classes/gc/total:cpu-seconds", "/gc/cycles/total:gc-cycles", "/gc/heap/live:bytes"}

func newGCMeter() *gcMeter {
	m := &gcMeter{samples: make([]metrics.Sample, len(gcMetrics))}
	for i, name := range gcMetrics {
		m.samples[i].Name = name
	}
	metrics.Read(m.samples)
	return m
}

func (m *gcMeter) report(b *testing.B) {
	before := []float64{m.samples[0].Value.Float64(), float64(m.samples[1].Value.Uint64())}
	metrics.Read(m.samples)
	b.ReportMetric((m.samples[0].Value.Float64()-before[0])*1000/float64(b.N), "gc-cpu-ms/op")
	b.ReportMetric((float64(m.samples[1].Value.Uint64())-before[1])/float64(b.N), "gc-cycles/op")
	b.ReportMetric(float64(m.samples[2].Value.Uint64())/1e6, "heap-live-MB")
}
