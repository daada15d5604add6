package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// fixture is a small company (the source's commercial-operations unit) and
// one monthly cycle for November 2026, driven through the service.
//
//	management unit: head H (top of the hierarchy), heads both units
//	sales unit:      manager M (reports to H); E1, E2, E3 report to M;
//	                 S, a self-operated sales clerk, excluded by level
//
// The cycle's scope is the sales unit minus level "sales clerk": M, E1-E3.
type fixture struct {
	t   *testing.T
	ctx context.Context
	log *memLog
	svc *domain.Service
	now time.Time

	hr, auditor                    domain.Actor
	mgmt, sales                    uuid.UUID
	lvManager, lvSpecialist, lvClk uuid.UUID
	h, m, e1, e2, e3, s            uuid.UUID
	tpl, pol                       scoring.Template
	policy                         scoring.Policy
	cycle                          uuid.UUID
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

func as(role domain.Role, id uuid.UUID) domain.Actor { return domain.Actor{ID: id, Role: role} }

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), log: newMemLog(), now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	f.svc = domain.NewService(f.log, domain.WithClock(func() time.Time { return f.now }))
	f.hr, f.auditor = as(domain.RoleHR, uuid.New()), as(domain.RoleAuditor, uuid.New())
	f.mgmt, f.sales = uuid.New(), uuid.New()
	f.lvManager, f.lvSpecialist, f.lvClk = uuid.New(), uuid.New(), uuid.New()
	f.h, f.m, f.e1, f.e2, f.e3, f.s = uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	f.cycle = uuid.New()

	f.do(f.svc.CreateUnit(f.ctx, f.call(f.hr), domain.CreateUnit{UnitID: f.mgmt, Name: "Management"}))
	f.do(f.svc.CreateUnit(f.ctx, f.call(f.hr), domain.CreateUnit{UnitID: f.sales, Name: "Commercial operations", ParentID: f.mgmt}))
	f.do(f.svc.DefinePositionLevel(f.ctx, f.call(f.hr), domain.DefinePositionLevel{LevelID: f.lvManager, Name: "manager", MonthlyStandard: d("500")}))
	f.do(f.svc.DefinePositionLevel(f.ctx, f.call(f.hr), domain.DefinePositionLevel{LevelID: f.lvSpecialist, Name: "specialist", MonthlyStandard: d("300")}))
	f.do(f.svc.DefinePositionLevel(f.ctx, f.call(f.hr), domain.DefinePositionLevel{LevelID: f.lvClk, Name: "sales clerk", MonthlyStandard: d("50")}))
	f.hire(f.h, "H", f.mgmt, uuid.Nil, f.lvManager)
	f.hire(f.m, "M", f.sales, f.h, f.lvManager)
	for _, id := range []uuid.UUID{f.e1, f.e2, f.e3} {
		f.hire(id, "E", f.sales, f.m, f.lvSpecialist)
	}
	f.hire(f.s, "S", f.sales, f.m, f.lvClk)
	f.do(f.svc.AppointUnitHead(f.ctx, f.call(f.hr), domain.AppointUnitHead{UnitID: f.mgmt, HeadID: f.h}))
	f.do(f.svc.AppointUnitHead(f.ctx, f.call(f.hr), domain.AppointUnitHead{UnitID: f.sales, HeadID: f.h}))

	f.tpl = scoring.DefaultTemplate()
	f.policy = scoring.DefaultPolicy()
	f.do(f.svc.PublishTemplate(f.ctx, f.call(f.hr), f.tpl))
	f.do(f.svc.PublishPolicy(f.ctx, f.call(f.hr), f.policy))
	return f
}

func (f *fixture) hire(id uuid.UUID, name string, unit, manager, level uuid.UUID) {
	f.do(f.svc.HireEmployee(f.ctx, f.call(f.hr), domain.HireEmployee{EmployeeID: id, Name: name, UnitID: unit, ManagerID: manager, LevelID: level}))
}

func (f *fixture) call(a domain.Actor) domain.Call {
	return domain.Call{Actor: a, CorrelationID: uuid.New()}
}

// do fails the test when a setup step is refused.
func (f *fixture) do(o domain.Outcome, err error) domain.Outcome {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("setup step refused: %v", err)
	}
	return o
}

func (f *fixture) settings() domain.CycleSettings {
	return domain.CycleSettings{
		Name: "November 2026", Cadence: scoring.Monthly,
		PeriodStart: date(2026, 11, 1), PeriodEnd: date(2026, 11, 30),
		Scope:      domain.Scope{Units: []uuid.UUID{f.sales}, ExcludedLevels: []uuid.UUID{f.lvClk}},
		TemplateID: f.tpl.ID, PolicyID: f.policy.ID,
		Deadlines: domain.Deadlines{GoalsDue: date(2026, 11, 10), SelfReviewDue: date(2026, 11, 30),
			ReviewsDue: date(2026, 12, 2), PayrollDue: date(2026, 12, 4)},
	}
}

func (f *fixture) key(employee uuid.UUID) domain.ReviewKey {
	return domain.ReviewKey{CycleID: f.cycle, EmployeeID: employee}
}

// inScope are the cycle's participants and the manager of record of each.
func (f *fixture) inScope() map[uuid.UUID]uuid.UUID {
	return map[uuid.UUID]uuid.UUID{f.m: f.h, f.e1: f.m, f.e2: f.m, f.e3: f.m}
}

// at drives the cycle to state, doing the work each state needs so the
// next transition is allowed: every participant gets a manager evaluation
// of 85 on every criterion (4.4 on the five-point scale) and KPI actuals at
// 85% of target, so everyone is a B at exactly their standard and no unit
// budget or forced-pairing rule blocks approval.
func (f *fixture) at(state domain.CycleState) *fixture {
	f.t.Helper()
	steps := []struct {
		state domain.CycleState
		run   func()
	}{
		{domain.StateDraft, func() {
			f.do(f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: f.settings()}))
		}},
		{domain.StateGoalSetting, func() { f.do(f.svc.OpenCycle(f.ctx, f.call(f.hr), f.cycle)) }},
		{domain.StateSelfReview, func() { f.do(f.svc.StartSelfReview(f.ctx, f.call(f.hr), f.cycle)) }},
		{domain.StateReview, func() { f.do(f.svc.StartReview(f.ctx, f.call(f.hr), f.cycle)) }},
		{domain.StateCalibration, func() {
			f.completeReviews()
			f.do(f.svc.StartCalibration(f.ctx, f.call(f.hr), f.cycle))
		}},
		{domain.StateApproval, func() { f.do(f.svc.StartApproval(f.ctx, f.call(f.hr), f.cycle)) }},
		{domain.StatePublished, func() {
			f.signAll()
			f.do(f.svc.Publish(f.ctx, f.call(f.hr), f.cycle))
		}},
		{domain.StateClosed, func() {
			f.now = f.now.AddDate(0, 0, 8) // past the 7-day appeal window
			f.do(f.svc.Close(f.ctx, f.call(f.hr), f.cycle))
		}},
	}
	for _, s := range steps {
		s.run()
		if s.state == state {
			return f
		}
	}
	f.t.Fatalf("unknown state %s", state)
	return f
}

// completeReviews gives every participant a manager evaluation and KPIs.
func (f *fixture) completeReviews() {
	for emp, mgr := range f.inScope() {
		f.do(f.svc.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, mgr)), f.key(emp), f.managerEval(emp, "85", "4.4")))
		f.kpis(emp, "100", "85")
	}
}

// managerEval scores every manager criterion: score on 0-100, five on 1-5.
func (f *fixture) managerEval(emp uuid.UUID, score, five string) domain.SubmitEvaluation {
	return domain.SubmitEvaluation{EvaluationID: uuid.New(), Kind: scoring.RaterManager, Scores: f.scoresFor(scoring.RaterManager, score, five)}
}

// scoresFor lists every criterion kind k rates with the given scores.
func (f *fixture) scoresFor(k scoring.RaterKind, score, five string) []domain.ScoreEntry {
	var out []domain.ScoreEntry
	for _, dim := range f.tpl.Dimensions {
		for _, c := range dim.Criteria {
			if c.Kind != scoring.Rated || !contains(c.RatedBy, k) {
				continue
			}
			v := score
			if c.Scale == scoring.ScaleFivePoint {
				v = five
			}
			out = append(out, domain.ScoreEntry{Criterion: c.Key, Score: d(v)})
		}
	}
	return out
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// kpis sets target and actual of every measured criterion (in review).
func (f *fixture) kpis(emp uuid.UUID, target, actual string) {
	for _, dim := range f.tpl.Dimensions {
		for _, c := range dim.Criteria {
			if c.Kind == scoring.Measured {
				f.do(f.svc.SetKPITarget(f.ctx, f.call(f.hr), f.key(emp), c.Key, d(target)))
				f.do(f.svc.RecordKPIActual(f.ctx, f.call(f.hr), f.key(emp), c.Key, d(actual)))
			}
		}
	}
}

// signAll runs the whole sign-off chain.
func (f *fixture) signAll() {
	f.do(f.svc.SignOff(f.ctx, f.call(as(domain.RoleUnitHead, f.h)), f.cycle, domain.SignOff{Step: domain.StepUnitHead, UnitID: f.sales}))
	f.do(f.svc.SignOff(f.ctx, f.call(f.hr), f.cycle, domain.SignOff{Step: domain.StepOperationsHead}))
	f.do(f.svc.SignOff(f.ctx, f.call(f.hr), f.cycle, domain.SignOff{Step: domain.StepLeader}))
}
