package http

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgServer measures what the PostgreSQL server does for one store during a
// load run: the CPU time of the backends serving the store's connections
// (found by the application_name servedPostgres gives them) and the rows
// written to each table of the store's schema. On this machine PostgreSQL
// shares the CPUs with the server and the generator, so its work per
// operation bounds throughput as much as the server's own CPU does; the
// process CPU the benchmark reports leaves it out.
//
// Backend CPU is read from /proc, so it is measured only when PostgreSQL
// runs on this machine and its processes are readable; otherwise the probe
// reports nothing. A backend that exits during the window takes its CPU
// time with it (the store's pool keeps its connections for the run).
type pgServer struct {
	probe  string // the probe's own connection string (another application_name)
	app    string // application_name of the store's connections
	schema string
}

// pgSample is what the server had done for the store at one moment.
type pgSample struct {
	cpu  map[int]time.Duration // per backend pid
	rows map[string]int64      // rows inserted, updated and deleted per table
	ok   bool
}

// clockTick is the unit of utime and stime in /proc/PID/stat (USER_HZ,
// 100 on Linux everywhere).
const clockTick = 10 * time.Millisecond

func (p *pgServer) sample(ctx context.Context) pgSample {
	s := pgSample{cpu: map[int]time.Duration{}, rows: map[string]int64{}}
	if p == nil {
		return s // not PostgreSQL
	}
	conn, err := pgx.Connect(ctx, p.probe)
	if err != nil {
		return s
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, p.app)
	if err != nil {
		return s
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return s
	}
	for _, pid := range pids {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if errors.Is(err, fs.ErrNotExist) {
			continue // the backend exited since pg_stat_activity listed it
		}
		if err != nil {
			return s
		}
		// The fields after the command name (which may hold spaces, so it
		// is skipped up to its closing parenthesis): state is field 3,
		// utime and stime are fields 14 and 15.
		_, rest, found := strings.Cut(string(raw), ") ")
		f := strings.Fields(rest)
		if !found || len(f) < 13 {
			return s
		}
		utime, err1 := strconv.ParseInt(f[11], 10, 64)
		stime, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			return s
		}
		s.cpu[int(pid)] = time.Duration(utime+stime) * clockTick
	}
	// Table statistics reach pg_stat_user_tables when a backend reports
	// them (at most once a second while busy); the snapshot is cleared so
	// that this sample reads what has been reported by now.
	if _, err := conn.Exec(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
		return s
	}
	tables, err := conn.Query(ctx, `SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables WHERE schemaname = $1`, p.schema)
	if err != nil {
		return s
	}
	for tables.Next() {
		var name string
		var n int64
		if err := tables.Scan(&name, &n); err != nil {
			return s
		}
		s.rows[name] = n
	}
	s.ok = tables.Err() == nil && len(s.cpu) > 0
	return s
}

// pgWork is what the server did for the store between two samples.
type pgWork struct {
	cpu  time.Duration
	rows map[string]int64
	ok   bool
}

func (a pgSample) until(b pgSample) pgWork {
	w := pgWork{rows: map[string]int64{}, ok: a.ok && b.ok}
	for pid, t := range b.cpu {
		w.cpu += t - a.cpu[pid] // a backend opened during the window started at 0
	}
	for name, n := range b.rows {
		if d := n - a.rows[name]; d != 0 {
			w.rows[name] = d
		}
	}
	return w
}

// perOp describes w per operation of ops, e.g. "PostgreSQL 120 µs/op, rows
// per op: events 1.00, projection_documents 2.10".
func (w pgWork) perOp(ops int) string {
	if !w.ok || ops == 0 {
		return "PostgreSQL: not measured"
	}
	names := make([]string, 0, len(w.rows))
	for name := range w.rows {
		names = append(names, name)
	}
	slices.Sort(names)
	var rows []string
	for _, name := range names {
		rows = append(rows, fmt.Sprintf("%s %.2f", name, float64(w.rows[name])/float64(ops)))
	}
	return fmt.Sprintf("PostgreSQL %.0f µs/op, rows written per op: %s",
		float64(w.cpu)/float64(ops)/float64(time.Microsecond), strings.Join(rows, ", "))
}

func (w pgWork) cpuPerOp(ops int) float64 {
	if !w.ok || ops == 0 {
		return 0
	}
	return float64(w.cpu) / float64(ops) / float64(time.Microsecond)
}

// pgLoadServer returns the probe of a store opened on dsn (a connection
// string of eventstoretest.FreshSchema, whose search_path names the schema),
// and dsn with the application_name the probe finds its connections by.
func pgLoadServer(tb testing.TB, dsn string) (*pgServer, string) {
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	p := &pgServer{app: "appraisal-load-" + schema, schema: schema}
	probe := *u
	pq := probe.Query()
	pq.Set("application_name", "appraisal-load-probe")
	probe.RawQuery = pq.Encode()
	p.probe = probe.String()
	q.Set("application_name", p.app)
	u.RawQuery = q.Encode()
	return p, u.String()
}
