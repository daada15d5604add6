package http

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
)

// loadResult is what a fixed-time load run measured.
type loadResult struct {
	ops      int
	errors   int
	elapsed  time.Duration
	p50, p99 time.Duration
	// cpu is the CPU time (user and system) the whole process used during
	// the run: clients, server, store, read side and runtime. Per operation
	// it is steadier than the rates on a machine shared with other work.
	cpu time.Duration
	// pg is what PostgreSQL did for the store over the run (not measured
	// on SQLite).
	pg pgWork
}

// cpuPerOp is the process CPU time per successful operation.
func (r loadResult) cpuPerOp() time.Duration {
	if r.ops == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.ops)
}

// processCPU is the CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r loadResult) rate() float64 { return float64(r.ops) / r.elapsed.Seconds() }

func (r loadResult) String() string {
	return fmt.Sprintf("%8.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  CPU %4.0f µs/op  (%d ops, %d errors)",
		r.rate(), ms(r.p50), ms(r.p99), float64(r.cpuPerOp())/float64(time.Microsecond), r.ops, r.errors)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// opTimeout bounds one operation of a load run.
const opTimeout = 10 * time.Second

// runLoad runs op from clients goroutines for d; op gets the client number
// and that client's sequence number so that each call can be distinct.
func runLoad(clients int, d time.Duration, pg *pgServer, op func(ctx context.Context, client, seq int) error) loadResult {
	pgStart := pg.sample(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	start, cpu := time.Now(), processCPU()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for seq := 0; ctx.Err() == nil; seq++ {
				t0 := time.Now()
				// An operation started before the deadline may finish after it,
				// but a stalled one must not hang the run.
				opCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opTimeout)
				err := op(opCtx, c, seq)
				cancel()
				if err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	res := summarize(lat, errs, time.Since(start), processCPU()-cpu)
	res.pg = pgStart.until(pg.sample(context.Background()))
	return res
}

// summarize makes a loadResult of a run's latencies.
func summarize(lat []time.Duration, errs int, elapsed, cpu time.Duration) loadResult {
	res := loadResult{ops: len(lat), errors: errs, elapsed: elapsed, cpu: cpu}
	if len(lat) > 0 {
		slices.Sort(lat)
		res.p50 = lat[len(lat)*50/100]
		res.p99 = lat[min(len(lat)*99/100, len(lat)-1)]
	}
	return res
}

// loadClients is the number of concurrent clients of the load benchmark.
const loadClients = 32

// loadDuration is how long each side of the benchmark runs
// (APPRAISAL_LOAD_SECONDS, default 5).
func loadDuration() time.Duration {
	if v, err := strconv.Atoi(os.Getenv("APPRAISAL_LOAD_SECONDS")); err == nil && v > 0 {
		return time.Duration(v) * time.Second
	}
	return 5 * time.Second
}

// BenchmarkLoad: 32 clients save evaluation drafts over loopback HTTP for a
// fixed time (each client is one employee saving their own self-evaluation
// draft, a full validated evaluation appended as an event to their review
// stream), side by side with 32 clients appending one event per call straight
// to the store in the same run. Run with -benchtime=1x.
//
// The HTTP clients run in a process of their own (this test binary started
// again, TestLoadGenerator): a lean HTTP/1.1 client in the manner of wrk,
// one keep-alive connection per client, each writing its prebuilt request
// and reading the answer's status line, headers and body. The server still
// parses real HTTP from a socket; what the separate process removes is the
// Go client's cost from the server's process, so that the process CPU per
// draft is the server's (with its read side) alone, reported next to the
// generator's. Both still share the machine's cores. APPRAISAL_LOAD_CLIENT=
// nethttp runs the clients as before instead: net/http's client in the
// server's own process, its CPU counted with the server's.
// APPRAISAL_LOAD_CPUPROFILE=file writes a CPU profile of the server process
// during the HTTP side.
func BenchmarkLoad(b *testing.B) {
	for name, open := range backends(nil) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if name == "postgres" {
					store, pg := servedPostgres(b)
					loadRun(b, store, pg)
				} else {
					loadRun(b, open(b), nil)
				}
			}
		})
	}
}

// servedPoolConns is the PostgreSQL pool serve opens by default
// (cmd/appraisal's defaultPoolConns); pgx's own default is max(4, CPUs), so a
// store from eventstoretest.NewPostgres would measure both sides of the run
// on a smaller pool than the service has.
const servedPoolConns = "16"

// servedPostgres is eventstoretest.NewPostgres with serve's pool size, and
// the probe of what the PostgreSQL server does for it.
func servedPostgres(tb testing.TB) (eventstore.Store, *pgServer) {
	pg, dsn := pgLoadServer(tb, eventstoretest.FreshSchema(tb))
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", servedPoolConns)
	u.RawQuery = q.Encode()
	ctx := context.Background()
	s, err := postgres.Open(ctx, u.String(), postgres.Options{})
	if err != nil {
		tb.Fatalf("open postgres store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx, nil); err != nil {
		tb.Fatalf("migrate postgres store: %v", err)
	}
	return s, pg
}

func loadRun(b *testing.B, store eventstore.Store, pg *pgServer) {
	h := newHarness(b, store, nil)
	employees, tokens, cycle := loadCompany(b, h)
	d := loadDuration()

	payload := []byte(`{"kind":"self","scores":[{"criterion":"service","score":"90"},{"criterion":"teamwork","score":"90"}],"summary":"draft"}`)
	bare := runLoad(loadClients, d, pg, func(ctx context.Context, client, seq int) error {
		_, err := store.Append(ctx, fmt.Sprintf("bench-%d", client), int64(seq), []eventstore.NewEvent{{
			ID: uuid.New(), Type: "bench.appended", SchemaVersion: 1, Payload: payload,
			Actor: eventstore.Actor{ID: uuid.NewString(), Role: "employee"}, CorrelationID: uuid.New(), CausationID: uuid.New(),
		}})
		return err
	})

	body := `{"scores":[{"criterion":"service","score":"90"},{"criterion":"teamwork","score":"90"}],"summary":"draft"}`
	path := func(c int) string {
		return fmt.Sprintf("/api/v1/cycles/%s/employees/%s/evaluations/self/draft", cycle, employees[c])
	}
	if f := os.Getenv("APPRAISAL_LOAD_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			b.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); _ = out.Close() }()
	}
	var overHTTP loadResult
	var generatorCPU time.Duration
	client := "separate process, lean HTTP/1.1 client"
	if os.Getenv("APPRAISAL_LOAD_CLIENT") == "nethttp" {
		client = "net/http client in this process"
		overHTTP = netHTTPLoad(h.base, path, tokens, body, d, pg)
	} else {
		addr := strings.TrimPrefix(h.base, "http://")
		reqs := make([]string, loadClients)
		for c := range reqs {
			reqs[c] = "PUT " + path(c) + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
				tokens[c] + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
		}
		overHTTP, generatorCPU = generatorLoad(b, addr, reqs, d, pg)
	}
	ratio := overHTTP.rate() / bare.rate()
	gen := ""
	if overHTTP.ops > 0 && generatorCPU > 0 {
		gen = fmt.Sprintf(", generator process %.0f µs/op", float64(generatorCPU/time.Duration(overHTTP.ops))/float64(time.Microsecond))
		b.ReportMetric(float64(generatorCPU/time.Duration(overHTTP.ops))/float64(time.Microsecond), "gen-cpu-µs/op")
	}
	pgLines := ""
	if pg != nil {
		pgLines = fmt.Sprintf("\n  bare: %s\n  HTTP: %s", bare.pg.perOp(bare.ops), overHTTP.pg.perOp(overHTTP.ops))
		b.ReportMetric(bare.pg.cpuPerOp(bare.ops), "bare-pg-cpu-µs/op")
		b.ReportMetric(overHTTP.pg.cpuPerOp(overHTTP.ops), "http-pg-cpu-µs/op")
	}
	b.Logf("\n  bare store append, 32 clients, 1 event/call: %s\n  HTTP evaluation drafts, 32 clients:          %s\n  HTTP clients: %s%s\n  HTTP / bare throughput: %.2f%s",
		bare, overHTTP, client, gen, ratio, pgLines)
	b.ReportMetric(bare.rate(), "bare-appends/s")
	b.ReportMetric(overHTTP.rate(), "http-submits/s")
	b.ReportMetric(ratio, "http/bare")
	b.ReportMetric(ms(overHTTP.p50), "http-p50-ms")
	b.ReportMetric(ms(overHTTP.p99), "http-p99-ms")
	b.ReportMetric(float64(bare.cpuPerOp())/float64(time.Microsecond), "bare-cpu-µs/op")
	b.ReportMetric(float64(overHTTP.cpuPerOp())/float64(time.Microsecond), "http-cpu-µs/op")
	if overHTTP.errors+bare.errors > 0 {
		b.Errorf("%d HTTP submissions and %d bare appends failed", overHTTP.errors, bare.errors)
	}
}

// loadCompany makes 32 employees in a cycle in self-review, with a token each.
func loadCompany(tb testing.TB, h *harness) ([]uuid.UUID, []string, uuid.UUID) {
	ctx := context.Background()
	app := h.srv.deps.App
	hr := domain.Call{Actor: domain.Actor{ID: BootstrapActorID, Role: domain.RoleHR}, CorrelationID: uuid.New()}
	must := func(_ domain.Outcome, err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	unit, level, boss := uuid.New(), uuid.New(), uuid.New()
	must(app.CreateUnit(ctx, hr, domain.CreateUnit{UnitID: unit, Name: "Load"}))
	must(app.DefinePositionLevel(ctx, hr, domain.DefinePositionLevel{LevelID: level, Name: "staff", MonthlyStandard: decimal.NewFromInt(50)}))
	must(app.HireEmployee(ctx, hr, domain.HireEmployee{EmployeeID: boss, Name: "Boss", UnitID: unit, LevelID: level}))
	var ids []uuid.UUID
	var tokens []string
	for i := range loadClients {
		id := uuid.New()
		must(app.HireEmployee(ctx, hr, domain.HireEmployee{EmployeeID: id, Name: fmt.Sprintf("P%d", i), UnitID: unit, ManagerID: boss, LevelID: level}))
		tok, err := IssueToken(ctx, h.srv.deps.DB, TokenRequest{EmployeeID: id, Role: domain.RoleEmployee, IssuedBy: "load"}, time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		ids, tokens = append(ids, id), append(tokens, tok)
	}
	pct := decimal.NewFromInt
	all := []scoring.RaterKind{scoring.RaterSelf, scoring.RaterPeer, scoring.RaterManager, scoring.RaterCustomer}
	tmpl := scoring.Template{ID: uuid.New(), Version: 1, Name: "Load", Dimensions: []scoring.Dimension{
		{Key: "results", Name: "Results", Weight: pct(60), Criteria: []scoring.Criterion{{Key: "service", Name: "Service", Weight: pct(100), Kind: scoring.Rated, RatedBy: all, Scale: scoring.ScalePercent}}},
		{Key: "attitude", Name: "Attitude", Weight: pct(40), Criteria: []scoring.Criterion{{Key: "teamwork", Name: "Teamwork", Weight: pct(100), Kind: scoring.Rated, RatedBy: all[:3], Scale: scoring.ScalePercent}}},
	}}
	must(app.PublishTemplate(ctx, hr, tmpl))
	pol := scoring.DefaultPolicy()
	pol.ID = uuid.New()
	must(app.PublishPolicy(ctx, hr, pol))
	cycle := uuid.New()
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	must(app.CreateCycle(ctx, hr, domain.CreateCycle{CycleID: cycle, Settings: domain.CycleSettings{
		Name: "Load", Cadence: scoring.Monthly, PeriodStart: day(1), PeriodEnd: day(31), Scope: domain.Scope{Units: []uuid.UUID{unit}},
		TemplateID: tmpl.ID, PolicyID: pol.ID,
		Deadlines: domain.Deadlines{GoalsDue: day(5), SelfReviewDue: day(25), ReviewsDue: day(31), PayrollDue: day(31).AddDate(0, 0, 4)}}}))
	must(app.OpenCycle(ctx, hr, cycle))
	must(app.StartSelfReview(ctx, hr, cycle))
	return ids, tokens, cycle
}
