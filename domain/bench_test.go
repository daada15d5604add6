package domain_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// largeCycle is a synthetic company in one monthly cycle, in review, with
// (when evaluated) every evaluation of SPEC §4 submitted: per employee a self, a manager,
// 4 peer and 2 customer evaluations and 3 KPIs. Each unit's head reports to
// a leader outside the scope; everyone else reports to their unit's head.
type largeCycle struct {
	log       *memLog
	cycle     uuid.UUID
	employees []uuid.UUID
	managerOf map[uuid.UUID]uuid.UUID
	hr        domain.Actor
}

func newLargeCycle(tb testing.TB, employees, units int, evaluated bool) *largeCycle {
	tb.Helper()
	l := &largeCycle{log: newMemLog(), cycle: uuid.New(), managerOf: map[uuid.UUID]uuid.UUID{},
		hr: domain.Actor{ID: uuid.New(), Role: domain.RoleHR}}
	org := func(e ...domain.Event) { l.log.appendRaw(domain.OrganisationStream, l.hr, e...) }
	hq, leader, level := uuid.New(), uuid.New(), uuid.New()
	org(domain.UnitCreated{UnitID: hq, Name: "HQ"},
		domain.PositionLevelDefined{LevelID: level, Name: "specialist", MonthlyStandard: decimal.NewFromInt(300)},
		domain.EmployeeHired{EmployeeID: leader, Name: "leader", UnitID: hq, LevelID: level})
	var scope []uuid.UUID
	perUnit := employees / units
	for u := range units {
		unit := uuid.New()
		scope = append(scope, unit)
		org(domain.UnitCreated{UnitID: unit, Name: fmt.Sprintf("unit %d", u), ParentID: hq})
		var head uuid.UUID
		for i := range perUnit {
			id, manager := uuid.New(), head
			if i == 0 {
				head, manager = id, leader
			}
			org(domain.EmployeeHired{EmployeeID: id, Name: "e", UnitID: unit, ManagerID: manager, LevelID: level})
			l.employees = append(l.employees, id)
			l.managerOf[id] = manager
		}
		org(domain.UnitHeadAppointed{UnitID: unit, HeadID: head})
	}
	tpl, pol := scoring.DefaultTemplate(), scoring.DefaultPolicy()
	l.log.appendRaw(domain.TemplateStream(tpl.ID), l.hr, domain.TemplateVersionPublished{Template: tpl})
	l.log.appendRaw(domain.PolicyStream(pol.ID), l.hr, domain.PolicyVersionPublished{Policy: pol})
	cyc := func(e domain.Event) { l.log.appendRaw(domain.CycleStream(l.cycle), l.hr, e) }
	cyc(domain.CycleCreated{CycleID: l.cycle, Settings: domain.CycleSettings{Name: "bench", Cadence: scoring.Monthly,
		PeriodStart: date(2026, 11, 1), PeriodEnd: date(2026, 11, 30), Scope: domain.Scope{Units: scope},
		TemplateID: tpl.ID, PolicyID: pol.ID}})
	cyc(domain.CycleOpened{CycleID: l.cycle, TemplateVersion: 1, PolicyVersion: 1, AppealWindowDays: 7})
	cyc(domain.SelfReviewStarted{CycleID: l.cycle})
	if !evaluated {
		cyc(domain.ReviewStarted{CycleID: l.cycle})
		return l
	}
	for i, id := range l.employees {
		l.review(id, l.evaluation(id, scoring.RaterSelf, id, i))
	}
	cyc(domain.ReviewStarted{CycleID: l.cycle})
	for i, id := range l.employees {
		unit := l.employees[i/perUnit*perUnit : (i/perUnit+1)*perUnit]
		events := []domain.Event{l.evaluation(id, scoring.RaterManager, l.managerOf[id], i)}
		for p := 1; p <= 4; p++ {
			peer := unit[(i%perUnit+p)%perUnit]
			if peer == l.managerOf[id] {
				peer = unit[(i%perUnit+p+4)%perUnit]
			}
			events = append(events, domain.PeerAssigned{CycleID: l.cycle, EmployeeID: id, PeerID: peer},
				l.evaluation(id, scoring.RaterPeer, peer, i+p))
		}
		for c := range 2 {
			events = append(events, l.evaluation(id, scoring.RaterCustomer, uuid.New(), i+c))
		}
		for k, key := range []string{"sales_revenue", "sales_profit", "new_customers"} {
			events = append(events,
				domain.KPITargetSet{CycleID: l.cycle, EmployeeID: id, Criterion: key, Target: decimal.NewFromInt(100)},
				domain.KPIActualRecorded{CycleID: l.cycle, EmployeeID: id, Criterion: key, Actual: decimal.NewFromInt(int64(70 + (i+k)%50))})
		}
		l.review(id, events...)
	}
	return l
}

func (l *largeCycle) review(employee uuid.UUID, events ...domain.Event) {
	l.log.appendRaw(domain.ReviewStream(l.cycle, employee), l.hr, events...)
}

// evaluation scores every criterion kind k rates between 60 and 100 (on
// the five-point scale between 3 and 5), varied by seed.
func (l *largeCycle) evaluation(employee uuid.UUID, k scoring.RaterKind, rater uuid.UUID, seed int) domain.EvaluationSubmitted {
	var scores []domain.ScoreEntry
	for _, d := range scoring.DefaultTemplate().Dimensions {
		for j, c := range d.Criteria {
			if c.Kind != scoring.Rated || !contains(c.RatedBy, k) {
				continue
			}
			v := decimal.NewFromInt(int64(60 + (seed*7+j*13)%41))
			if c.Scale == scoring.ScaleFivePoint {
				v = decimal.NewFromInt(int64(3 + (seed+j)%3))
			}
			scores = append(scores, domain.ScoreEntry{Criterion: c.Key, Score: v})
		}
	}
	return domain.EvaluationSubmitted{CycleID: l.cycle, EmployeeID: employee, EvaluationID: uuid.New(), Kind: k, RaterID: rater, Scores: scores}
}

// BenchmarkEvaluate measures the one path from history to numbers on a
// 10,000-employee cycle (SPEC §4 volumes, 40 units), against the engine's
// Compute alone on the same input: the fold's share is the difference.
func BenchmarkEvaluate(b *testing.B) {
	const employees = 10000
	l := newLargeCycle(b, employees, 40, true)
	events, _ := l.log.ReadAll(context.Background(), 0)
	folded, err := domain.FoldCycle(events, l.cycle)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(folded.Input.Evaluations); n != employees*8 {
		b.Fatalf("%d evaluations folded", n)
	}
	b.Run("fold+compute", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := domain.Evaluate(events, l.cycle); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(employees*b.N)/b.Elapsed().Seconds(), "employees/s")
	})
	b.Run("fold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := domain.FoldCycle(events, l.cycle); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(events)*b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("compute-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := scoring.Compute(folded.Input); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(employees*b.N)/b.Elapsed().Seconds(), "employees/s")
	})
}

// BenchmarkSaveDraft measures one command through the service (load the
// shared aggregates from cache, load the review, authorise, validate,
// append) in a 10,000-employee organisation, against appending the same
// event to the same in-memory log directly: the service's overhead.
func BenchmarkSaveDraft(b *testing.B) {
	l := newLargeCycle(b, 10000, 40, false)
	ctx := context.Background()
	svc := domain.NewService(l.log, domain.WithClock(func() time.Time { return date(2026, 12, 1) }))
	draft := func(i int) (domain.Actor, domain.ReviewKey, domain.SubmitEvaluation) {
		emp := l.employees[i%len(l.employees)]
		ev := l.evaluation(emp, scoring.RaterManager, l.managerOf[emp], i)
		return domain.Actor{ID: l.managerOf[emp], Role: domain.RoleManager}, domain.ReviewKey{CycleID: l.cycle, EmployeeID: emp},
			domain.SubmitEvaluation{Kind: scoring.RaterManager, Scores: ev.Scores[:3]}
	}
	b.Run("service", func(b *testing.B) {
		b.ReportAllocs()
		i, loads := 0, l.log.loads
		for b.Loop() {
			actor, key, c := draft(i)
			if _, err := svc.SaveEvaluationDraft(ctx, domain.Call{Actor: actor}, key, c); err != nil {
				b.Fatal(err)
			}
			i++
		}
		// Stream reads per command: the cycle and the organisation (caught
		// up from cache) and the employee's review.
		b.ReportMetric(float64(l.log.loads-loads)/float64(b.N), "loads/op")
	})
	b.Run("append-baseline", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			actor, key, c := draft(i)
			stream := domain.ReviewStream(key.CycleID, key.EmployeeID)
			_, v, _ := l.log.Load(ctx, stream, 1<<62)
			e := domain.EvaluationDraftSaved{CycleID: key.CycleID, EmployeeID: key.EmployeeID, Kind: c.Kind, RaterID: actor.ID, Scores: c.Scores}
			if _, err := l.log.Append(ctx, stream, v, []domain.Event{e}, domain.Meta{Actor: actor}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
