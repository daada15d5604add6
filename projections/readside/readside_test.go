package readside_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/notify"
	"github.com/appraisal-hr/appraisal/projections/projectionstest"
	"github.com/appraisal-hr/appraisal/projections/readside"
	"github.com/appraisal-hr/appraisal/projections/relay"
)

// The whole read side of one process over the in-process bus: a cycle run
// through the domain service ends with every read model current and the
// notifications a user expects in the outbox, once each.
func TestReadSideNotifies(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		rs, err := readside.New(ctx, store, readside.Config{Bus: relay.BusConfig{Kind: relay.BusGoChannel},
			Runner: projections.RunnerConfig{Poll: 50 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- rs.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("read side: %v", err)
			}
			_ = rs.Close()
		})

		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 1, PerUnit: 3, Peers: 1,
			Customers: 1, BudgetMode: scoring.BudgetProrate})
		sc.ThroughPublish()
		emp := sc.Units[0].Members[0]
		appeal := uuid.New()
		sc.Do(sc.Svc.FileAppeal(sc.Ctx, sc.As(domain.RoleEmployee, emp), sc.Key(emp), domain.FileAppeal{AppealID: appeal, Reason: "my KPIs were late"}))
		sc.Do(sc.Svc.ResolveAppeal(sc.Ctx, sc.AsHR(), sc.Key(emp), domain.ResolveAppeal{AppealID: appeal, Reason: "KPIs were on time"}))
		last := sc.Outcome.Position
		for _, p := range rs.Runner.Projections() {
			if err := rs.Runner.WaitFor(ctx, p.Name(), last, 20*time.Second); err != nil {
				t.Fatal(err)
			}
		}

		kinds := map[string]int{}
		deadline := time.Now().Add(10 * time.Second)
		for {
			list, err := relay.Pending(ctx, rs.DB, 1000)
			if err != nil {
				t.Fatal(err)
			}
			kinds = map[string]int{}
			for _, n := range list {
				kinds[n.Kind]++
			}
			if kinds[notify.KindAppealResolved] == 1 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		// 3 peers asked, 3 customers asked, 4 results published (the
		// supervisor and 3 specialists), 1 appeal resolved.
		want := map[string]int{notify.KindEvaluationRequested: 3, notify.KindCustomerFeedbackRequested: 3,
			notify.KindResultsPublished: 4, notify.KindAppealResolved: 1}
		for k, n := range want {
			if kinds[k] != n {
				t.Errorf("%d %s notifications, want %d (all: %v)", kinds[k], k, n, kinds)
			}
		}
		// The mail integration marks what it sent; it is no longer pending.
		list, err := relay.Pending(ctx, rs.DB, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if err := relay.MarkSent(ctx, rs.DB, list[0].EventID, list[0].RecipientID, list[0].Kind, sc.Now); err != nil {
			t.Fatal(err)
		}
		if rest, err := relay.Pending(ctx, rs.DB, 1000); err != nil || len(rest) != len(list)-1 {
			t.Fatalf("%d pending after marking one of %d sent (%v)", len(rest), len(list), err)
		}
		sum, err := rs.Reader.Summary(ctx, sc.Cycle)
		if err != nil || sum.State != domain.StatePublished || len(sum.OpenAppeals) != 0 {
			t.Fatalf("summary = %+v, %v", sum, err)
		}
	})
}

// On SQLite the runner's batches commit on the store's read-model handle
// (synchronous=NORMAL, no fsync of their own), while the read side's own
// handle, which the outbox and the API's tables use, stays FULL.
func TestReadSideRunnerWritesWithoutFsyncOnSQLite(t *testing.T) {
	ctx := context.Background()
	rs, err := readside.New(ctx, eventstoretest.NewSQLite(t), readside.Config{})
	if err != nil {
		t.Fatal(err)
	}
	synchronous := func(db *projections.DB) int {
		t.Helper()
		var n int
		if err := db.SQL().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if runner, own := synchronous(rs.Runner.DB()), synchronous(rs.DB); runner != 1 || own != 2 {
		t.Fatalf("synchronous: runner %d, read side %d; want 1 (NORMAL) and 2 (FULL)", runner, own)
	}
}
