package cycles_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
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

// rig runs the index and the cycles and timeline projections on a store.
type rig struct {
	db      *projections.DB
	index   *cycles.Index
	runner  *projections.Runner
	proj    *cycles.Projection
	reader  *cycles.Reader
	auditor *cycles.Auditor
	stop    func() // stops the index and the runner (once; also at cleanup)
}

func newRig(t *testing.T, store eventstore.Store) *rig {
	t.Helper()
	return newRigWith(t, store, projections.RunnerConfig{Poll: 50 * time.Millisecond})
}

// newRigWith is newRig with the runner configured as cfg.
func newRigWith(t *testing.T, store eventstore.Store, cfg projections.RunnerConfig) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := projections.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	index := cycles.NewIndex(store, nil)
	proj := cycles.NewProjection(index)
	r := &rig{db: db, index: index, proj: proj, reader: cycles.NewReader(db), auditor: cycles.NewAuditor(index),
		runner: projections.NewRunner(db, store, cfg, proj,
			projections.NewTimeline(eventlog.Reason))}
	done := make(chan struct{}, 2)
	go func() { _ = index.Run(ctx); done <- struct{}{} }()
	go func() { _ = r.runner.Run(ctx); done <- struct{}{} }()
	r.stop = sync.OnceFunc(func() { cancel(); <-done; <-done })
	t.Cleanup(r.stop)
	return r
}

// liveEqualsRebuild checks that every projection's live read models equal
// a rebuild of them, byte for byte.
func (r *rig) liveEqualsRebuild(t *testing.T, store eventstore.Store) {
	t.Helper()
	for _, p := range r.runner.Projections() {
		if res, err := r.db.Check(context.Background(), store, p); err != nil || !res.Match() {
			t.Errorf("%s: live %s, rebuilt %s (%v)", p.Name(), res.Live, res.Rebuilt, err)
		}
	}
}

// sync waits until every projection applied position pos (read-your-writes
// after the scenario's last command).
func (r *rig) sync(t *testing.T, pos int64) {
	t.Helper()
	for _, p := range r.runner.Projections() {
		if err := r.runner.WaitFor(context.Background(), p.Name(), pos, 20*time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func eq(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// One unit: supervisor M (standard 400) and four specialists (standard 300)
// whom every rater scores 85, 90, 95 and 72 (M gets 85). Each employee's
// overall score is exactly that score, so by hand (SPEC §6, §7):
//
//	M  85 -> B  100% -> 400.00     E1 85 -> B  100% -> 300.00
//	E2 90 -> B+ 105% -> 315.00     E3 95 -> A  115% -> 345.00
//	E4 72 -> C   80% -> 240.00
//	budget 400 + 4 x 300 = 1600; pay total 1600.00: no overshoot.
func TestCycleReadModels(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		scores := []int{85, 90, 95, 72}
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 1, PerUnit: 4, Peers: 3, Customers: 1,
			Score: func(_, i int) int { return scores[i] }})
		r := newRig(t, store)
		unit := sc.Units[0]
		e1, e2, e3, e4 := unit.Members[0], unit.Members[1], unit.Members[2], unit.Members[3]

		sc.Open()
		sc.Review()
		sc.Calibrate()
		r.sync(t, sc.Outcome.Position)

		u, err := r.reader.Unit(ctx, sc.Cycle, unit.ID)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "budget", u.Budget.Value, dec("1600"))
		eq(t, "pay total before budget", u.PayTotalBeforeBudget.Value, dec("1600"))
		eq(t, "overshoot", u.Overshoot, dec("0"))
		if u.Blocked || u.PairingWarning || u.Employees != 5 {
			t.Errorf("unit = %+v, want 5 employees, not blocked, no pairing warning", u)
		}
		wantDist := map[string]int{"A": 1, "B+": 1, "B": 2, "C": 1}
		for _, g := range u.Distribution {
			if g.Count != wantDist[g.Grade] {
				t.Errorf("grade %s: %d employees, want %d", g.Grade, g.Count, wantDist[g.Grade])
			}
		}
		for _, want := range []struct {
			id    uuid.UUID
			final string
			grade string
			pay   string
		}{{unit.Manager, "85", "B", "400"}, {e1, "85", "B", "300"}, {e2, "90", "B+", "315"}, {e3, "95", "A", "345"}, {e4, "72", "C", "240"}} {
			res, err := r.reader.Result(ctx, sc.Cycle, want.id)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "final", res.Final.Value, dec(want.final))
			eq(t, "pay", res.Pay.Value, dec(want.pay))
			if res.Grade != want.grade || len(res.Dimensions) != 3 {
				t.Errorf("employee %s: grade %s with %d dimensions, want %s with 3", want.id, res.Grade, len(res.Dimensions), want.grade)
			}
		}

		t.Run("the stored result marks aggregates below the anonymity threshold hidden from the employee", func(t *testing.T) {
			// The HTTP layer builds the employee's view from these marks, so
			// the projection must store them as the engine set them.
			res, err := r.reader.Result(ctx, sc.Cycle, e1)
			if err != nil {
				t.Fatal(err)
			}
			counts, shown := map[scoring.RaterKind]int{}, map[scoring.RaterKind]bool{}
			for _, c := range res.Criteria {
				if c.Key == "communication" {
					for _, rs := range c.Raters {
						counts[rs.Kind], shown[rs.Kind] = rs.Count, rs.ShownToEmployee
					}
				}
			}
			// Communication is rated by self, 3 peers, manager and 1 customer;
			// the threshold is 3: peers shown, the lone customer hidden.
			if counts[scoring.RaterCustomer] != 1 || counts[scoring.RaterPeer] != 3 || counts[scoring.RaterSelf] != 1 || counts[scoring.RaterManager] != 1 {
				t.Fatalf("stored rater counts %v, want self 1, 3 peers, manager 1, customer 1", counts)
			}
			if shown[scoring.RaterCustomer] || !shown[scoring.RaterPeer] || !shown[scoring.RaterSelf] || !shown[scoring.RaterManager] {
				t.Fatalf("shown to the employee %v, want self, peers and manager, no customer", shown)
			}
		})

		t.Run("progress shows who submitted what and what is overdue", func(t *testing.T) {
			rows, err := r.reader.Progress(ctx, sc.Cycle, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 5 {
				t.Fatalf("%d progress rows, want 5", len(rows))
			}
			for _, row := range rows {
				if !row.InScope || !row.SelfSubmitted || !row.ManagerSubmitted || row.Overdue.SelfReview || row.Overdue.Manager {
					t.Errorf("progress %+v", row)
				}
				// Nobody drafted goals: overdue since 10 November.
				if !row.Overdue.Goals {
					t.Errorf("%s: goals not overdue", row.EmployeeID)
				}
			}
		})

		sc.Approve()
		sc.Publish()
		published := sc.Outcome.Position
		r.sync(t, published)
		sum, err := r.reader.Summary(ctx, sc.Cycle)
		if err != nil {
			t.Fatal(err)
		}
		if sum.State != domain.StatePublished || len(sum.Decisions) != 1 || sum.Approval.Next != "" || !sum.Approval.LeaderSigned {
			t.Fatalf("summary after publication = %+v", sum)
		}

		t.Run("HR's lists: every cycle, none waiting for a signature or an appeal", func(t *testing.T) {
			all, err := r.reader.Cycles(ctx)
			if err != nil || len(all) != 1 || all[0].CycleID != sc.Cycle {
				t.Fatalf("cycles = %+v, %v", all, err)
			}
			for _, list := range []func(context.Context) ([]cycles.Summary, error){r.reader.PendingApprovals, r.reader.PendingAppeals} {
				if pending, err := list(ctx); err != nil || len(pending) != 0 {
					t.Fatalf("pending = %+v, %v", pending, err)
				}
			}
		})

		t.Run("a unit and the recommendations as of the publication", func(t *testing.T) {
			u, err := r.auditor.Unit(ctx, sc.Cycle, unit.ID, cycles.AsOf{Position: published})
			if err != nil || len(u.Employees) != 5 || !u.Unit.Budget.Value.Equal(dec("1600")) || len(u.Unit.Budget.Trace) == 0 {
				t.Fatalf("unit as of publication = %d employees, budget %s, %v", len(u.Employees), u.Unit.Budget.Value, err)
			}
			recs, pos, err := r.auditor.Recommendations(ctx, sc.Cycle, cycles.AsOf{Position: published})
			if err != nil || pos != published || len(recs) != 1 || recs[0].EmployeeID != e4 {
				t.Fatalf("recommendations as of publication = %+v at %d, %v", recs, pos, err)
			}
		})

		t.Run("recommendations carry their evidence and HR's decision", func(t *testing.T) {
			sc.Do(sc.Svc.DecideRecommendation(ctx, sc.AsHR(), sc.Key(e4), domain.DecideRecommendation{
				Kind: scoring.RecommendTraining, Outcome: domain.RecommendationAccepted, Reason: "sales course in January"}))
			r.sync(t, sc.Outcome.Position)
			recs, err := r.reader.Recommendations(ctx, sc.Cycle)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || recs[0].EmployeeID != e4 || recs[0].Kind != scoring.RecommendTraining || len(recs[0].Evidence) == 0 {
				t.Fatalf("recommendations = %+v, want training for E4 (grade C) with evidence", recs)
			}
			if d := recs[0].Decision; d == nil || d.Outcome != domain.RecommendationAccepted || d.Reason != "sales course in January" {
				t.Fatalf("decision = %+v", recs[0].Decision)
			}
		})

		sc.Close()
		r.sync(t, sc.Outcome.Position)
		if sum, _ = r.reader.Summary(ctx, sc.Cycle); sum.State != domain.StateClosed || len(sum.Decisions) != 2 {
			t.Fatalf("summary after close = %+v", sum)
		}

		t.Run("as of the publication, an employee's result comes from the events with its derivation", func(t *testing.T) {
			got, err := r.auditor.Employee(ctx, sc.Cycle, e3, cycles.AsOf{Position: published})
			if err != nil {
				t.Fatal(err)
			}
			if got.Result.Grade != "A" || len(got.Result.Final.Trace) == 0 || len(got.Result.Pay.Trace) == 0 {
				t.Fatalf("as-of result = grade %s, %d final steps, %d pay steps", got.Result.Grade, len(got.Result.Final.Trace), len(got.Result.Pay.Trace))
			}
			whole, err := r.auditor.Cycle(ctx, sc.Cycle, cycles.AsOf{Position: published})
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range whole.Evaluation.Result.Employees {
				if row.EmployeeID == e3 && (!row.Pay.Value.Equal(got.Result.Pay.Value) || row.Grade != got.Result.Grade) {
					t.Fatalf("unit-only as-of %s/%s differs from the whole cycle's %s/%s", got.Result.Grade, got.Result.Pay.Value, row.Grade, row.Pay.Value)
				}
			}
			before, err := r.auditor.Employee(ctx, sc.Cycle, e3, cycles.AsOf{Time: sc.Now.AddDate(-1, 0, 0)})
			if err == nil {
				t.Fatalf("a year before the cycle existed: %+v", before)
			}
		})

		t.Run("every recorded decision replays as MATCH", func(t *testing.T) {
			reports, err := r.auditor.ReplayAll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(reports) != 2 {
				t.Fatalf("%d decisions replayed, want 2", len(reports))
			}
			for _, rep := range reports {
				if !rep.Match || len(rep.Derivation.Employees) != 5 {
					t.Errorf("%s decision: match %v, %v", rep.Kind, rep.Match, rep.Mismatches)
				}
			}
		})

		t.Run("a rebuild is byte-identical", func(t *testing.T) {
			for _, p := range r.runner.Projections() {
				res, err := r.db.Check(ctx, store, p)
				if err != nil || !res.Match() {
					t.Errorf("%s: %+v, %v", p.Name(), res, err)
				}
			}
		})

		t.Run("the employee's timeline shows every event about them, with actor and reason", func(t *testing.T) {
			entries, err := projections.NewTimeline(eventlog.Reason).Read(ctx, r.db, store, projections.SubjectEmployee, e4)
			if err != nil {
				t.Fatal(err)
			}
			var decided bool
			for _, e := range entries {
				decided = decided || (e.Type == "appraisal.recommendation_decided" && e.Reason == "sales course in January" && e.ActorRole == "hr")
			}
			if !decided || len(entries) < 10 {
				t.Fatalf("%d entries, recommendation decision found: %v", len(entries), decided)
			}
		})
	})
}

// A decision altered in the database (the specialist scored 95 recorded as
// A+ instead of A) with raw SQL no longer replays, and
// the store's verification names the altered event.
func TestTamperedDecisionIsAMismatch(t *testing.T) {
	projectionstest.ForEachBackend(t, func(t *testing.T, b eventstoretest.Backend, store eventstore.Store) {
		ctx := context.Background()
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 1, PerUnit: 3,
			Score: func(_, i int) int { return 85 + 5*i }, BudgetMode: scoring.BudgetProrate})
		sc.ThroughPublish()
		sc.Close()

		b.Unguard(t, store)
		alter := `UPDATE events SET payload = replace(payload, '"grade":"A"', '"grade":"A+"') WHERE type = 'appraisal.decision_part_recorded'`
		if b.Name == "postgres" {
			alter = `UPDATE events SET payload = replace(payload::text, '"grade":"A"', '"grade":"A+"')::json WHERE type = 'appraisal.decision_part_recorded'`
		}
		if err := b.Exec(store, alter); err != nil {
			t.Fatal(err)
		}

		index := cycles.NewIndex(store, nil)
		if err := index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		reports, err := cycles.NewAuditor(index).ReplayAll(ctx)
		if err != nil || len(reports) != 2 {
			t.Fatalf("replay: %d reports, %v", len(reports), err)
		}
		for _, rep := range reports {
			if rep.Match || len(rep.Mismatches) == 0 {
				t.Errorf("%s decision still matches after the tamper", rep.Kind)
			}
			for _, m := range rep.Mismatches {
				if m.Recorded != "A+" || m.Recomputed != "A" {
					t.Errorf("mismatch %+v, want grade A+ recorded against A recomputed", m)
				}
			}
		}
		v, err := store.Verify(ctx)
		if err != nil || v.OK {
			t.Fatalf("verify = %+v, %v; want the tamper reported", v, err)
		}
	})
}

// threeProratedUnits is a company of three units of three, graded apart
// (unit u, member i scores 75 + 6u + 4i) and paid under a prorated budget.
func threeProratedUnits(t *testing.T, store eventstore.Store) *projectionstest.Scenario {
	return projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 3, PerUnit: 3, Peers: 1,
		Score: func(u, i int) int { return 75 + 6*u + 4*i }, BudgetMode: scoring.BudgetProrate})
}

// publishedThreeUnits is threeProratedUnits through publication, projected
// by a rig that has caught up with it.
func publishedThreeUnits(t *testing.T, store eventstore.Store) (*projectionstest.Scenario, *rig) {
	sc := threeProratedUnits(t, store)
	r := newRig(t, store)
	sc.ThroughPublish()
	r.sync(t, sc.Outcome.Position)
	return sc, r
}

// Two monthly cycles in a row, projected live batch by batch: the live read
// models equal a rebuild byte for byte, every decision replays, and an
// organisation change after the first cycle closed leaves its results alone.
func TestConsecutiveCyclesLiveEqualsRebuild(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc := threeProratedUnits(t, store)
		r := newRig(t, store)
		first, member := sc.Cycle, sc.Units[0].Members[0]
		sc.ThroughPublish()
		sc.Close()
		r.sync(t, sc.Outcome.Position)
		result := func(cycle uuid.UUID) scoring.EmployeeResult {
			t.Helper()
			res, err := r.reader.Result(ctx, cycle, member)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		before := result(first)

		level := sc.Levels["specialist"]
		sc.Do(sc.Svc.ChangePayStandard(ctx, sc.AsHR(), domain.ChangePayStandard{LevelID: level, MonthlyStandard: dec("320"), Reason: "2027 pay round"}))
		sc.NextCycle()
		sc.ThroughPublish()
		r.sync(t, sc.Outcome.Position)

		eq(t, "closed cycle's standard after the pay round", result(first).Standard.Value, before.Standard.Value)
		eq(t, "new cycle's standard", result(sc.Cycle).Standard.Value, dec("320"))
		for _, id := range []uuid.UUID{first, sc.Cycle} {
			if s, err := r.reader.Summary(ctx, id); err != nil || len(s.Decisions) == 0 {
				t.Fatalf("summary of %s = %+v, %v", id, s, err)
			}
		}
		r.liveEqualsRebuild(t, store)
		reports, err := r.auditor.ReplayAll(ctx)
		if err != nil || len(reports) != 3 {
			t.Fatalf("%d decisions replayed, want 3 (%v)", len(reports), err)
		}
		for _, rep := range reports {
			if !rep.Match {
				t.Errorf("%s of %s: %v", rep.Kind, rep.CycleID, rep.Mismatches)
			}
		}
	})
}

// One batch holding review events of two open cycles takes the unit path
// for each: both cycles are brought up to date, not only the first (the
// live read models still equal a rebuild).
func TestOneBatchReviewsInTwoCycles(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 4, PerUnit: 2, Peers: 1,
			Score: func(u, i int) int { return 70 + 5*u + 3*i }, BudgetMode: scoring.BudgetProrate})
		first := sc.Cycle
		sc.Open()
		sc.Review()
		sc.NextCycle()
		second := sc.Cycle
		sc.Open()
		sc.Review()
		r := newRig(t, store)
		r.sync(t, sc.Outcome.Position)
		r.stop()

		kpi := measuredCriterion(t, sc)
		member := sc.Units[0].Members[0]
		for _, cycle := range []uuid.UUID{first, second} {
			sc.Cycle = cycle
			sc.Do(sc.Svc.RecordKPIActual(ctx, sc.AsHR(), sc.Key(member), kpi, dec("40")))
		}

		// A fresh runner catches up from the checkpoint: one batch, the two
		// review events.
		r = newRig(t, store)
		r.sync(t, sc.Outcome.Position)
		r.liveEqualsRebuild(t, store)
	})
}

// Upheld appeals after publication take the unit path: one lifts the grade
// that raised a training recommendation (the stored recommendation goes),
// another lowers a grade to the one that raises it (a recommendation comes);
// the read model lists exactly the engine's recommendations and the live
// read models still equal a rebuild.
func TestUpheldAppealsMoveRecommendationsUnitByUnit(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc, r := publishedThreeUnits(t, store)
		recommended := func() map[uuid.UUID]bool {
			t.Helper()
			recs, err := r.reader.Recommendations(ctx, sc.Cycle)
			if err != nil {
				t.Fatal(err)
			}
			out := map[uuid.UUID]bool{}
			for _, rec := range recs {
				if rec.Kind == scoring.RecommendTraining {
					out[rec.EmployeeID] = true
				}
			}
			return out
		}
		low, high := sc.Units[0].Members[0], sc.Units[0].Members[2]
		if got := recommended(); !got[low] || got[high] {
			t.Fatalf("training recommended for %v after publication, want %s and not %s", got, low, high)
		}
		appeal := func(emp uuid.UUID, score string) {
			t.Helper()
			id := uuid.New()
			sc.Do(sc.Svc.FileAppeal(ctx, sc.As(domain.RoleEmployee, emp), sc.Key(emp), domain.FileAppeal{AppealID: id, Reason: "my KPIs were late"}))
			sc.Do(sc.Svc.ResolveAppeal(ctx, sc.AsHR(), sc.Key(emp), domain.ResolveAppeal{AppealID: id, Upheld: true,
				NewScore: dec(score), Reason: "the late KPIs counted"}))
			r.sync(t, sc.Outcome.Position)
		}
		appeal(low, "90")
		appeal(high, "75")
		if got := recommended(); got[low] || !got[high] {
			t.Fatalf("training recommended for %v after the appeals, want %s and not %s", got, high, low)
		}
		want, _, err := r.auditor.Recommendations(ctx, sc.Cycle, cycles.AsOf{})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := r.reader.Recommendations(ctx, sc.Cycle)
		if err != nil || len(stored) != len(want) {
			t.Fatalf("%d recommendations stored, the engine raises %d (%v)", len(stored), len(want), err)
		}
		r.liveEqualsRebuild(t, store)
	})
}

// Batches of one employee's review events each take the unit path, which
// rewrites the touched employees' progress only (nobody else's can have
// changed) and reads back none of the documents the runner wrote itself:
// each batch shows the change at once, the others' progress stays as it
// was, and the live read models equal a rebuild.
func TestUnitBatchesRewriteTheTouchedProgressOnly(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc, r := publishedThreeUnits(t, store)
		acknowledged := func() map[uuid.UUID]bool {
			t.Helper()
			rows, err := r.reader.Progress(ctx, sc.Cycle, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			out := map[uuid.UUID]bool{}
			for _, p := range rows {
				if p.Acknowledged {
					out[p.EmployeeID] = true
				}
			}
			return out
		}
		want := map[uuid.UUID]bool{}
		for _, emp := range []uuid.UUID{sc.Units[0].Members[0], sc.Units[0].Members[1], sc.Units[2].Members[0], sc.Units[0].Manager} {
			sc.Do(sc.Svc.Acknowledge(ctx, sc.As(domain.RoleEmployee, emp), sc.Key(emp)))
			r.sync(t, sc.Outcome.Position)
			want[emp] = true
			if got := acknowledged(); len(got) != len(want) || !got[emp] {
				t.Fatalf("acknowledged %v, want %v", got, want)
			}
		}
		id := uuid.New()
		appellant := sc.Units[1].Members[2]
		sc.Do(sc.Svc.FileAppeal(ctx, sc.As(domain.RoleEmployee, appellant), sc.Key(appellant), domain.FileAppeal{AppealID: id, Reason: "my KPIs were late"}))
		r.sync(t, sc.Outcome.Position)
		if s, err := r.reader.Summary(ctx, sc.Cycle); err != nil || len(s.OpenAppeals) != 1 || s.OpenAppeals[0] != appellant {
			t.Fatalf("open appeals %v (%v), want %s", s.OpenAppeals, err, appellant)
		}
		r.liveEqualsRebuild(t, store)
	})
}

// A draft counts in no result, progress, recommendation or summary: a batch
// of drafts moves the checkpoint and changes no document (without
// recomputing a unit), and the live read models still equal a rebuild byte
// for byte.
func TestDraftBatchesChangeNoDocument(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc := threeProratedUnits(t, store)
		r := newRig(t, store)
		sc.Open()
		sc.Do(sc.Svc.StartSelfReview(ctx, sc.AsHR(), sc.Cycle))
		r.sync(t, sc.Outcome.Position)
		var draft []domain.ScoreEntry
		for _, dim := range sc.Tpl.Dimensions {
			for _, c := range dim.Criteria {
				if c.Kind == scoring.Rated && c.Rates(scoring.RaterSelf) && draft == nil {
					v := dec("80")
					if c.Scale == scoring.ScaleFivePoint {
						v = dec("4")
					}
					draft = []domain.ScoreEntry{{Criterion: c.Key, Score: v}}
				}
			}
		}
		progressBefore, err := r.reader.Progress(ctx, sc.Cycle, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		summaryBefore, err := r.reader.Summary(ctx, sc.Cycle)
		if err != nil {
			t.Fatal(err)
		}
		computed := r.proj.Computed()
		for _, emp := range []uuid.UUID{sc.Units[0].Members[0], sc.Units[2].Members[1], sc.Units[0].Members[0]} {
			sc.Do(sc.Svc.SaveEvaluationDraft(ctx, sc.As(domain.RoleEmployee, emp), sc.Key(emp),
				domain.SubmitEvaluation{Kind: scoring.RaterSelf, Scores: draft, Summary: "half done"}))
			r.sync(t, sc.Outcome.Position)
			s, err := r.reader.Summary(ctx, sc.Cycle)
			if err != nil || !reflect.DeepEqual(s, summaryBefore) {
				t.Fatalf("a draft at %d changed the summary (%v): last event position %d, was %d", sc.Outcome.Position, err,
					s.LastEventPosition, summaryBefore.LastEventPosition)
			}
			if n := r.proj.Computed() - computed; n != 0 {
				t.Fatalf("a batch of drafts ran the engine %d times, want none", n)
			}
		}
		progressAfter, err := r.reader.Progress(ctx, sc.Cycle, time.Now())
		if err != nil || !reflect.DeepEqual(progressBefore, progressAfter) {
			t.Fatalf("drafts changed progress (%v):\n%+v\n%+v", err, progressBefore, progressAfter)
		}
		r.liveEqualsRebuild(t, store)
	})
}

// One batch whose review events touch two units of a six-unit cycle, or
// three of a nine-unit one (more units than this machine has cores, which
// the batch computes side by side), takes the unit path for each: every
// unit's documents are brought up to date and the live read models equal a
// rebuild.
func TestOneBatchReviewsInTwoUnits(t *testing.T) {
	for _, c := range []struct {
		units   int
		touched []int
	}{{6, []int{0, 3}}, {9, []int{1, 4, 8}}} {
		t.Run(strconv.Itoa(len(c.touched))+" of "+strconv.Itoa(c.units)+" units", func(t *testing.T) {
			oneBatchInUnits(t, c.units, c.touched)
		})
	}
}

// oneBatchInUnits appends one KPI actual in each of the touched units of a
// cycle of the given units and has a fresh runner apply them in one batch.
func oneBatchInUnits(t *testing.T, units int, touchedUnits []int) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: units, PerUnit: 2, Peers: 1,
			Score: func(u, i int) int { return 70 + 2*u + 3*i }, BudgetMode: scoring.BudgetProrate})
		sc.Open()
		sc.Review()
		r := newRig(t, store)
		r.sync(t, sc.Outcome.Position)
		r.stop()

		kpi := measuredCriterion(t, sc)
		var touched []uuid.UUID
		for i, u := range touchedUnits {
			touched = append(touched, sc.Units[u].Members[i%2])
		}
		for _, emp := range touched {
			sc.Do(sc.Svc.RecordKPIActual(ctx, sc.AsHR(), sc.Key(emp), kpi, dec("40")))
		}

		// A fresh runner catches up from the checkpoint: one batch, the
		// review events, in len(touchedUnits) units.
		r = newRig(t, store)
		r.sync(t, sc.Outcome.Position)
		if n := r.proj.Computed(); n != int64(len(touchedUnits)) {
			t.Errorf("the batch ran the engine %d times, want once per touched unit (%d)", n, len(touchedUnits))
		}
		for _, emp := range touched {
			res, err := r.reader.Result(ctx, sc.Cycle, emp)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range res.Criteria {
				if c.Key == kpi && (c.KPI == nil || !c.KPI.Actual.Equal(dec("40"))) {
					t.Errorf("%s's %s = %+v, want the actual 40", emp, kpi, c.KPI)
				}
			}
		}
		r.liveEqualsRebuild(t, store)
	})
}

// measuredCriterion is a measured criterion of the scenario's template.
func measuredCriterion(t *testing.T, sc *projectionstest.Scenario) string {
	t.Helper()
	for _, d := range sc.Tpl.Dimensions {
		for _, c := range d.Criteria {
			if c.Kind == scoring.Measured {
				return c.Key
			}
		}
	}
	t.Fatal("the scenario's template has no measured criterion")
	return ""
}

// A unit batch compares and writes the results of the employees it has
// events of, and every member's only when the others' pay may have moved:
// in a unit that prorates its budget, when a touched member's pay before
// budget changed (the factor and the spare cents then move for everybody).
// Three KPI actuals, one batch each: a score that keeps its grade in a
// prorating unit, a grade that moves in it, and a grade that moves in a
// unit within budget. After each the untouched members' results are
// exactly as before or (the second) all of their pays moved, and the live
// read models equal a rebuild byte for byte.
func TestUnitBatchesRewriteOthersResultsOnlyWhenTheBudgetMoves(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		// Unit 0 scores A- (110%): over budget, prorated. Units 1 and 2
		// score B (100%), like their managers: exactly their budget. A
		// batch touching one unit of three takes the unit path.
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 3, PerUnit: 3, Peers: 1,
			Score: func(u, i int) int { return []int{92, 85, 85}[u] }, BudgetMode: scoring.BudgetProrate})
		sc.Open()
		sc.Review()
		r := newRig(t, store)
		r.sync(t, sc.Outcome.Position)
		kpi := measuredCriterion(t, sc)
		results := func() map[uuid.UUID]scoring.EmployeeResult {
			t.Helper()
			all, err := r.reader.Results(ctx, sc.Cycle)
			if err != nil {
				t.Fatal(err)
			}
			out := map[uuid.UUID]scoring.EmployeeResult{}
			for _, res := range all {
				out[res.EmployeeID] = res
			}
			return out
		}
		prorating := func(unit int) bool {
			t.Helper()
			u, err := r.reader.Unit(ctx, sc.Cycle, sc.Units[unit].ID)
			if err != nil {
				t.Fatal(err)
			}
			return u.Overshoot.IsPositive()
		}
		members := func(unit int) int {
			return len(sc.Units[unit].Members) + 1 // and the manager
		}
		if !prorating(0) || prorating(1) {
			t.Fatalf("unit 0 prorating %v, unit 1 %v: want unit 0 only", prorating(0), prorating(1))
		}

		for _, step := range []struct {
			name      string
			unit, who int
			actual    string
			grade     bool // the touched member's grade moves
			others    bool // the others' results move
		}{
			{"score moves within its grade, prorating unit", 0, 0, "95", false, false},
			{"grade moves, prorating unit", 0, 1, "0", true, true},
			{"grade moves, unit within budget", 1, 0, "0", true, false},
		} {
			before, synced := results(), r.proj.SyncedResults()
			emp := sc.Units[step.unit].Members[step.who]
			sc.Do(sc.Svc.RecordKPIActual(ctx, sc.AsHR(), sc.Key(emp), kpi, dec(step.actual)))
			r.sync(t, sc.Outcome.Position)
			after := results()
			if b, a := before[emp], after[emp]; b.Final.Value.Equal(a.Final.Value) || (b.Grade != a.Grade) != step.grade {
				t.Fatalf("%s: %s's final %s %s -> %s %s", step.name, emp, b.Final.Value, b.Grade, a.Final.Value, a.Grade)
			}
			for id, b := range before {
				if id == emp || b.UnitID != sc.Units[step.unit].ID {
					if !reflect.DeepEqual(b, after[id]) && id != emp {
						t.Errorf("%s: %s's result (another unit) moved", step.name, id)
					}
					continue
				}
				if moved := !b.Pay.Value.Equal(after[id].Pay.Value); moved != step.others {
					t.Errorf("%s: %s's pay %s -> %s, want moved %v", step.name, id, b.Pay.Value, after[id].Pay.Value, step.others)
				}
				if !step.others && !reflect.DeepEqual(b, after[id]) {
					t.Errorf("%s: %s's result moved", step.name, id)
				}
			}
			want := int64(1)
			if step.others {
				want = int64(members(step.unit))
			}
			if n := r.proj.SyncedResults() - synced; n != want {
				t.Errorf("%s: the batch compared %d results, want %d", step.name, n, want)
			}
			r.liveEqualsRebuild(t, store)
		}
	})
}

// Closing appends the closure and then the close decision, which a batch
// boundary may separate (batches are cut by size, not by append): the
// decision, on the stream of a cycle already closed, still reaches the
// summary. With one event per batch every boundary is exercised.
func TestCloseDecisionInABatchOfItsOwn(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 1, PerUnit: 3,
			Score: func(_, i int) int { return 80 + 5*i }})
		r := newRigWith(t, store, projections.RunnerConfig{Poll: 50 * time.Millisecond, Batch: 1})
		sc.ThroughPublish()
		sc.Close()
		r.sync(t, sc.Outcome.Position)
		s, err := r.reader.Summary(ctx, sc.Cycle)
		if err != nil {
			t.Fatal(err)
		}
		if s.State != domain.StateClosed || len(s.Decisions) != 2 || s.Decisions[1].Kind != domain.DecisionClose {
			t.Fatalf("summary after close: state %s, decisions %+v; want closed with the publication and the close decision", s.State, s.Decisions)
		}
		r.liveEqualsRebuild(t, store)
	})
}

// A KPI actual the engine refuses (negative: appended past the command,
// which would refuse it) leaves the cycle's summary showing the problem and
// nobody's progress in scope (the progress documents are first written as
// the fold gives them, while the engine runs, then written again); the
// live read models still equal a rebuild.
func TestRefusedInputShowsAProblem(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		sc := projectionstest.NewScenario(t, store, projectionstest.ScenarioConfig{Units: 2, PerUnit: 2, Peers: 1,
			Score: func(u, i int) int { return 70 + 5*u + 3*i }, BudgetMode: scoring.BudgetProrate})
		sc.Open()
		sc.Review()
		r := newRig(t, store)
		r.sync(t, sc.Outcome.Position)
		member := sc.Units[0].Members[0]
		stream := domain.ReviewStream(sc.Cycle, member)
		_, version, err := sc.Log.Load(ctx, stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		bad := domain.KPIActualRecorded{CycleID: sc.Cycle, EmployeeID: member, Criterion: measuredCriterion(t, sc), Actual: dec("-1")}
		pos, err := sc.Log.Append(ctx, stream, version, []domain.Event{bad}, domain.Meta{Actor: sc.HR, At: sc.Now})
		if err != nil {
			t.Fatal(err)
		}
		r.sync(t, pos)
		sum, err := r.reader.Summary(ctx, sc.Cycle)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sum.Problem, "must not be negative") {
			t.Errorf("summary problem %q", sum.Problem)
		}
		rows, err := r.reader.Progress(ctx, sc.Cycle, sc.Now)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Fatal("no progress")
		}
		for _, row := range rows {
			if row.InScope {
				t.Errorf("%s in scope although the engine refused the cycle", row.EmployeeID)
			}
		}
		r.liveEqualsRebuild(t, store)
	})
}
