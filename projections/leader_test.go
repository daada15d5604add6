package projections

import (
	"context"
	"log/slog"
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
	stopB := runRunner(t, rb)

	first := appendN(t, a.store, "s-lead", 40)
	if err := rb.WaitFor(ctx, name, first, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	wantPositions(t, readCount(t, a.db, name, "s-lead"), first-39, first)

	leader, follower, stopLeader := ra, rb, stopA
	if leaderPID(ra) == 0 {
		leader, follower, stopLeader = rb, ra, stopB
	}
	if leaderPID(leader) == 0 || leaderPID(follower) != 0 {
		t.Fatalf("want exactly one leader, got lock sessions %d and %d", leaderPID(ra), leaderPID(rb))
	}

	// The leader's process goes away; the follower carries on from the
	// committed checkpoint without re-applying or skipping anything.
	stopLeader()
	last := appendN(t, b.store, "s-lead", 40)
	if err := follower.WaitFor(ctx, name, last, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	wantPositions(t, readCount(t, b.db, name, "s-lead"), first-39, last)
}

// A lock session that dies (its process crashed, the network dropped) ends
// the lease at the next ping, and another process takes over at its next try.
func TestLeaseEndsWhenTheLockSessionDies(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, eventstoretest.NewPostgres(t))
	interval := 100 * time.Millisecond
	e1 := b.db.NewElector(slog.New(slog.DiscardHandler), interval)
	e2 := b.db.NewElector(slog.New(slog.DiscardHandler), interval)
	t.Cleanup(e1.Close)
	t.Cleanup(e2.Close)
	lead1, _, err := e1.Acquire(ctx, "worker")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 3*interval)
	defer cancel()
	if _, _, err := e2.Acquire(short, "worker"); err == nil {
		t.Fatal("a second process acquired a held lease")
	}

	a1 := e1.(*advisoryElector)
	a1.mu.Lock()
	pid := a1.conn.PgConn().PID()
	a1.mu.Unlock()
	killed := time.Now()
	if _, err := b.db.sql.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lead1.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the lease outlived its lock session")
	}
	takeover, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	if _, _, err := e2.Acquire(takeover, "worker"); err != nil {
		t.Fatalf("no take-over after the session died: %v", err)
	}
	t.Logf("take-over %s after the lock session died", time.Since(killed))
}
