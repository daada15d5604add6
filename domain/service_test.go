package domain_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// Raters of different employees submit at once while HR changes the
// organisation: every submission lands once, on its own stream, and the
// shared aggregates are never written while read (run with -race).
func TestConcurrentSubmissionsShareAggregatesSafely(t *testing.T) {
	f := newFixture(t).at(domain.StateReview)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for emp, mgr := range f.inScope() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, mgr)), f.key(emp), f.managerEval(emp, "85", "4.4"))
			errs <- err
		}()
	}
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unit := uuid.New()
			for {
				_, err := f.svc.CreateUnit(f.ctx, f.call(f.hr), domain.CreateUnit{UnitID: unit, Name: "Site " + string(rune('A'+i))})
				if !errors.Is(err, domain.ErrConflict) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	org, _, err := f.svc.Organisation(f.ctx)
	if err != nil || len(org.Units()) != 6 {
		t.Errorf("%d units after 4 concurrent creations (%v)", len(org.Units()), err)
	}
}

// Two service instances on one log (two serve processes) see each other's
// appends: the cache reads what was appended since, and a stale expected
// version is a conflict, never a lost update.
func TestTwoServicesOnOneLog(t *testing.T) {
	f := newFixture(t).at(domain.StateReview)
	other := domain.NewService(f.log)
	if _, _, err := other.Organisation(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.do(f.svc.DelegateManager(f.ctx, f.call(f.hr), f.key(f.e1), domain.DelegateManager{DelegateID: f.h, Reason: "M travels"}))
	f.do(f.svc.ChangeManager(f.ctx, f.call(f.hr), domain.ChangeManager{EmployeeID: f.e2, ManagerID: f.h, Reason: "reorganisation"}))
	if _, err := other.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, f.h)), f.key(f.e2), f.managerEval(f.e2, "90", "4")); err != nil {
		t.Fatalf("the other instance missed the new reporting line: %v", err)
	}
	if _, err := other.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, f.m)), f.key(f.e2), f.managerEval(f.e2, "90", "4")); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("the former manager evaluated: %v", err)
	}
	cycle, v, err := other.Cycle(f.ctx, f.cycle)
	if err != nil || cycle.State() != domain.StateReview {
		t.Fatalf("cycle %v at %d: %v", cycle.State(), v, err)
	}
	c := f.call(f.hr)
	c.IfVersion = v - 1
	var ve *domain.VersionError
	if _, err := other.StartCalibration(f.ctx, c, f.cycle); !errors.As(err, &ve) || ve.Actual != v {
		t.Errorf("stale If-Match gave %v", err)
	}
}

func TestOutcomeCarriesStreamVersionAndPosition(t *testing.T) {
	f := newFixture(t).at(domain.StateReview)
	o := f.do(f.svc.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, f.m)), f.key(f.e1), f.managerEval(f.e1, "85", "4.4")))
	if o.Stream != domain.ReviewStream(f.cycle, f.e1) || o.Version != 1 || o.Position != int64(f.log.len()) {
		t.Errorf("outcome %+v", o)
	}
	if len(o.Events) != 1 || o.Events[0].(domain.EvaluationSubmitted).Kind != scoring.RaterManager {
		t.Errorf("events %+v", o.Events)
	}
	target, err := f.svc.Target(f.ctx, f.cycle, f.e1)
	if err != nil || target.Manager != f.m || target.UnitHead != f.h || target.Unit != f.sales {
		t.Errorf("target %+v %v", target, err)
	}
}

// racyLog lets another writer in just before each of the next appends.
type racyLog struct {
	domain.EventLog
	before []func()
}

// racing returns a service over a racyLog on the fixture's log, and another
// service (another serve process) writing to the same log directly.
func (f *fixture) racing() (log *racyLog, svc, other *domain.Service) {
	log = &racyLog{EventLog: f.log}
	return log, domain.NewService(log), domain.NewService(f.log)
}

func (l *racyLog) Append(ctx context.Context, stream string, expected int64, events []domain.Event, meta domain.Meta) (int64, error) {
	if len(l.before) > 0 {
		f := l.before[0]
		l.before = l.before[1:]
		f()
	}
	return l.EventLog.Append(ctx, stream, expected, events, meta)
}

// The service caches review aggregates and runs a review command on the
// cached review without reading its stream, the append's expected version
// guarding it. A command is still decided on what another writer (another
// serve process) appended since the cache was filled: the append conflicts
// and the command runs again on the review read up to now. A conflict on
// that second run is the caller's, as it always was.
func TestReviewCacheSeesOtherWriters(t *testing.T) {
	f := newFixture(t).at(domain.StateReview)
	log, svc, other := f.racing()
	manager := f.call(as(domain.RoleManager, f.m))
	var refused *domain.ConflictError

	// Another instance submitted since the review was cached.
	f.do(svc.SaveEvaluationDraft(f.ctx, manager, f.key(f.e1), f.managerEval(f.e1, "70", "3"))) // e1's review is cached
	f.do(other.SubmitEvaluation(f.ctx, manager, f.key(f.e1), f.managerEval(f.e1, "85", "4.4")))
	if _, err := svc.SubmitEvaluation(f.ctx, manager, f.key(f.e1), f.managerEval(f.e1, "90", "4.5")); !errors.As(err, &refused) {
		t.Errorf("a second manager evaluation after another instance's submission: %v, want it refused", err)
	}

	// Another instance submits between this one's command and its append.
	f.do(svc.SaveEvaluationDraft(f.ctx, manager, f.key(f.e2), f.managerEval(f.e2, "70", "3")))
	log.before = []func(){func() { f.do(other.SubmitEvaluation(f.ctx, manager, f.key(f.e2), f.managerEval(f.e2, "85", "4.4"))) }}
	if _, err := svc.SubmitEvaluation(f.ctx, manager, f.key(f.e2), f.managerEval(f.e2, "90", "4.5")); !errors.As(err, &refused) {
		t.Errorf("a submission racing another instance's: %v, want it refused", err)
	}

	// Another instance writes before both runs' appends: a version conflict.
	o := f.do(svc.SaveEvaluationDraft(f.ctx, manager, f.key(f.e3), f.managerEval(f.e3, "70", "3")))
	race := func() { f.do(other.SaveEvaluationDraft(f.ctx, manager, f.key(f.e3), f.managerEval(f.e3, "75", "3"))) }
	log.before = []func(){race, race}
	_, err := svc.SaveEvaluationDraft(f.ctx, manager, f.key(f.e3), f.managerEval(f.e3, "80", "4"))
	if !errors.Is(err, domain.ErrConflict) || errors.As(err, &refused) {
		t.Errorf("a draft racing two of another instance's: %v, want a version conflict", err)
	}
	if o = f.do(svc.SaveEvaluationDraft(f.ctx, manager, f.key(f.e3), f.managerEval(f.e3, "80", "4"))); o.Version != 4 {
		t.Errorf("draft after the conflict at version %d, want 4", o.Version)
	}
	// A stale If-Match is refused whether or not the cache holds the review.
	stale := manager
	stale.IfVersion = 3
	var ve *domain.VersionError
	if _, err := svc.SaveEvaluationDraft(f.ctx, stale, f.key(f.e3), f.managerEval(f.e3, "80", "4")); !errors.As(err, &ve) || ve.Actual != 4 {
		t.Errorf("If-Match 3 on version 4: %v", err)
	}
	race()
	current := manager
	current.IfVersion = 4 // what this instance's cache holds; the stream is at 5
	if _, err := svc.SaveEvaluationDraft(f.ctx, current, f.key(f.e3), f.managerEval(f.e3, "80", "4")); !errors.As(err, &ve) || ve.Actual != 5 {
		t.Errorf("If-Match 4 on version 5: %v", err)
	}

	// The delegate another instance named may evaluate at once: the cached
	// review's refusal is not the answer.
	if _, err := svc.Target(f.ctx, f.cycle, f.m); err != nil { // m's review is cached
		t.Fatal(err)
	}
	f.do(other.DelegateManager(f.ctx, f.call(f.hr), f.key(f.m), domain.DelegateManager{DelegateID: f.e1, Reason: "H travels"}))
	f.do(svc.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, f.e1)), f.key(f.m), f.managerEval(f.m, "80", "4")))
	target, err := svc.Target(f.ctx, f.cycle, f.m)
	if err != nil || target.Delegate != f.e1 {
		t.Errorf("target after another instance's delegation: %+v %v", target, err)
	}
}

// Requests of one process on one review share its cached aggregate: each
// draft either lands once on the version it appended at or is a version
// conflict, and the review's stream holds exactly the drafts that landed
// (run with -race).
func TestConcurrentCommandsOnOneCachedReview(t *testing.T) {
	f := newFixture(t).at(domain.StateReview)
	manager := f.call(as(domain.RoleManager, f.m))
	f.do(f.svc.SaveEvaluationDraft(f.ctx, manager, f.key(f.e1), f.managerEval(f.e1, "70", "3"))) // cached at version 1
	var mu sync.Mutex
	versions := map[int64]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			o, err := f.svc.SaveEvaluationDraft(f.ctx, manager, f.key(f.e1), f.managerEval(f.e1, "80", "4"))
			if err != nil && !errors.Is(err, domain.ErrConflict) {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				if versions[o.Version] {
					t.Errorf("two drafts at version %d", o.Version)
				}
				versions[o.Version] = true
			}
		})
	}
	wg.Wait()
	events, v, err := f.log.Load(f.ctx, domain.ReviewStream(f.cycle, f.e1), 0)
	if err != nil || len(events) != 1+len(versions) || v != int64(len(events)) {
		t.Errorf("%d events at version %d after %d drafts landed (%v)", len(events), v, len(versions), err)
	}
	// The next draft lands on the version after.
	if o := f.do(f.svc.SaveEvaluationDraft(f.ctx, manager, f.key(f.e1), f.managerEval(f.e1, "80", "4"))); o.Version != v+1 {
		t.Errorf("next draft at version %d, want %d", o.Version, v+1)
	}
}

// A review command races a cycle transition: the employee's self-evaluation
// is decided while the cycle is in self-review, but HR starts the review
// just before its append. Appended after the transition, the event would
// count for nothing (the fold takes review events by the cycle's state when
// they were recorded) while the employee was told it was accepted. The
// append requires the cycle at the version the command decided on, so it
// fails, the command is decided again on the cycle as it is now, and the
// employee is refused; nothing is written.
func TestReviewCommandRacingACycleTransitionIsDecidedAgain(t *testing.T) {
	f := newFixture(t).at(domain.StateSelfReview)
	log, svc, other := f.racing()
	employee := f.call(as(domain.RoleEmployee, f.e1))
	stream := domain.ReviewStream(f.cycle, f.e1)
	_, before, err := f.log.Load(f.ctx, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	log.before = []func(){func() { f.do(other.StartReview(f.ctx, f.call(f.hr), f.cycle)) }}
	_, err = svc.SubmitEvaluation(f.ctx, employee, f.key(f.e1), selfEval(f))
	if !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("a self-evaluation racing the start of the review: %v, want it refused for the cycle's state", err)
	}
	if _, after, err := f.log.Load(f.ctx, stream, 0); err != nil || after != before {
		t.Fatalf("the refused self-evaluation wrote to the review: version %d -> %d (%v)", before, after, err)
	}

	// Decided on a cycle that does not move, a command appends at once.
	f.do(svc.SaveEvaluationDraft(f.ctx, f.call(as(domain.RoleManager, f.m)), f.key(f.e1), f.managerEval(f.e1, "70", "3")))
}

// With the review, the cycle, the organisation and the template cached, a
// review command is decided without reading any of them, and its append
// requires the cycle and the organisation to be still at the versions it
// was decided on. A reporting line another instance changed meanwhile is
// therefore never decided on stale: the former manager is refused and the
// new one accepted, whether the change landed before the command or between
// its decision and its append.
func TestCachedReviewCommandSeesOtherInstancesOrganisation(t *testing.T) {
	f := newFixture(t).at(domain.StateReview)
	log, svc, other := f.racing()
	former, next := f.call(as(domain.RoleManager, f.m)), f.call(as(domain.RoleManager, f.h))

	f.do(svc.SaveEvaluationDraft(f.ctx, former, f.key(f.e2), f.managerEval(f.e2, "70", "3"))) // everything cached
	f.do(other.ChangeManager(f.ctx, f.call(f.hr), domain.ChangeManager{EmployeeID: f.e2, ManagerID: f.h, Reason: "reorganisation"}))
	if _, err := svc.SaveEvaluationDraft(f.ctx, former, f.key(f.e2), f.managerEval(f.e2, "75", "3")); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("the former manager saved a draft on a cached organisation: %v, want it refused", err)
	}
	f.do(svc.SaveEvaluationDraft(f.ctx, next, f.key(f.e2), f.managerEval(f.e2, "80", "4")))

	// The reporting line changes between the decision and the append.
	f.do(svc.SaveEvaluationDraft(f.ctx, former, f.key(f.e3), f.managerEval(f.e3, "70", "3")))
	stream := domain.ReviewStream(f.cycle, f.e3)
	_, before, err := f.log.Load(f.ctx, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	log.before = []func(){func() {
		f.do(other.ChangeManager(f.ctx, f.call(f.hr), domain.ChangeManager{EmployeeID: f.e3, ManagerID: f.h, Reason: "reorganisation"}))
	}}
	if _, err := svc.SaveEvaluationDraft(f.ctx, former, f.key(f.e3), f.managerEval(f.e3, "75", "3")); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a draft racing a change of manager: %v, want it refused", err)
	}
	if _, after, err := f.log.Load(f.ctx, stream, 0); err != nil || after != before {
		t.Errorf("the refused draft wrote to the review: version %d -> %d (%v)", before, after, err)
	}
}

// A review command decided on what it read (nothing of the review cached)
// requires the organisation, too, to be where it was decided on: a
// reporting line changed between the decision and the append makes it
// decided again, and the former manager is refused with nothing written.
func TestReadReviewCommandRacingAChangeOfManagerIsDecidedAgain(t *testing.T) {
	f := newFixture(t).at(domain.StateReview)
	log, svc, other := f.racing()
	former := f.call(as(domain.RoleManager, f.m))
	stream := domain.ReviewStream(f.cycle, f.e2)
	_, before, err := f.log.Load(f.ctx, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	log.before = []func(){func() {
		f.do(other.ChangeManager(f.ctx, f.call(f.hr), domain.ChangeManager{EmployeeID: f.e2, ManagerID: f.h, Reason: "reorganisation"}))
	}}
	if _, err := svc.SaveEvaluationDraft(f.ctx, former, f.key(f.e2), f.managerEval(f.e2, "75", "3")); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a draft decided on a read organisation, racing a change of manager: %v, want it refused", err)
	}
	if _, after, err := f.log.Load(f.ctx, stream, 0); err != nil || after != before {
		t.Errorf("the refused draft wrote to the review: version %d -> %d (%v)", before, after, err)
	}
	f.do(svc.SaveEvaluationDraft(f.ctx, f.call(as(domain.RoleManager, f.h)), f.key(f.e2), f.managerEval(f.e2, "80", "4")))
}
