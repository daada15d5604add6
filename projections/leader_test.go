package projections

import (
	"context"
	"testing"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
)

// leaderPID is the backend pid of a runner's lock session, 0 when it holds
// no lease.
func leaderPID(r *Runner) uint32 {
	e, ok := r.elector.(*advisoryElector)
	if !ok {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil || len(e.leases) == 0 {
		return 0
	}
	return e.conn.PgConn().PID()
}

// Two "processes" (each its own pool, runner and lock session) share one
// PostgreSQL schema.
func TestLeaderElectionOnPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := eventstoretest.FreshSchema(t)
	process := func() backend {
		s, err := postgres.Open(ctx, dsn, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		return newBackend(t, s)
	}
	a, b := process(), process()
	const name = "count_leader"
	ra := NewRunner(a.db, a.store, testRunnerConfig(), &counter{name: name, version: 1})
	rb := NewRunner(b.db, b.store, testRunnerConfig(), &counter{name: name, version: 1})
	stopA := runRunner(t, ra)
	runRunner(t, rb)

	first := appendN(t, a.store, "s-lead", 40)
	if err := rb.WaitFor(ctx, name, first, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	wantPositions(t, readCount(t, a.db, name, "s-lead"), first-39, first)

	leader, follower := ra, rb
	if leaderPID(ra) == 0 {
		leader, follower = rb, ra
	}
	pid := leaderPID(leader)
	if pid == 0 || leaderPID(follower) != 0 {
		t.Fatalf("want exactly one leader, got lock sessions %d and %d", leaderPID(ra), leaderPID(rb))
	}

	// The leader's session dies as it would with its process.
	killed := time.Now()
	if _, err := a.db.sql.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the follower to take over", func() bool { return leaderPID(follower) != 0 })
	if took := time.Since(killed); took > 5*time.Second {
		t.Fatalf("take-over took %s", took)
	}
	if leader == ra {
		stopA()
	}
	last := appendN(t, b.store, "s-lead", 40)
	if err := follower.WaitFor(ctx, name, last, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	wantPositions(t, readCount(t, b.db, name, "s-lead"), first-39, last)
}
