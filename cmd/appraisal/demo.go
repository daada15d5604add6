package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	apphttp "github.com/appraisal-hr/appraisal/http"
)

// seedDemo fills an empty database with the source's commercial-operations
// unit (商管部): a general manager heading it, two supervisors, three
// specialists, a security team lead, three security guards and two cleaners,
// at the 500/400/300/50 standards; a closed September cycle whose unit was
// prorated to its budget, with an appeal upheld; and an October cycle in
// review. Everything goes through the application service, as over HTTP.
func seedDemo(ctx context.Context, a *app, out io.Writer) error {
	head, err := a.store.Head(ctx)
	if err != nil {
		return err
	}
	if head > 0 {
		fmt.Fprintln(out, "demo: the database already holds events; nothing seeded")
		return nil
	}
	d := &demo{svc: a.service, hr: domain.Call{Actor: domain.Actor{ID: apphttp.BootstrapActorID, Role: domain.RoleHR}, CorrelationID: uuid.New()}}
	d.organisation()
	d.versions()
	d.closedCycle()
	d.cycleInReview()
	if d.err != nil {
		return d.err
	}
	return d.printTokens(ctx, a, out)
}

// demo is the seeding in progress; the first error stops every later step.
type demo struct {
	svc     *domain.Service
	hr      domain.Call
	err     error
	unit    uuid.UUID
	gm      uuid.UUID
	auditor uuid.UUID
	people  []demoPerson // everyone appraised, in the order below
	tmpl    uuid.UUID
	policy  uuid.UUID
	closed  uuid.UUID // September, closed
	open    uuid.UUID // October, in review
}

type demoPerson struct {
	id, manager uuid.UUID
	name        string
	september   int64 // the score everyone gives them in September
}

func (d *demo) do(run func() (domain.Outcome, error)) {
	if d.err == nil {
		_, d.err = run()
	}
}

func (d *demo) as(id uuid.UUID, role domain.Role) domain.Call {
	return domain.Call{Actor: domain.Actor{ID: id, Role: role}, CorrelationID: d.hr.CorrelationID}
}

func (d *demo) organisation() {
	ctx := context.Background()
	levels := map[string]uuid.UUID{}
	for _, l := range []struct {
		name string
		std  int64
	}{{"manager", 500}, {"supervisor", 400}, {"specialist", 300}, {"security team lead", 300}, {"security and cleaning staff", 50}} {
		id := uuid.New()
		levels[l.name] = id
		d.do(func() (domain.Outcome, error) {
			return d.svc.DefinePositionLevel(ctx, d.hr, domain.DefinePositionLevel{LevelID: id, Name: l.name, MonthlyStandard: decimal.NewFromInt(l.std)})
		})
	}
	d.unit, d.gm, d.auditor = uuid.New(), uuid.New(), uuid.New()
	audit := uuid.New()
	d.do(func() (domain.Outcome, error) {
		return d.svc.CreateUnit(ctx, d.hr, domain.CreateUnit{UnitID: d.unit, Name: "商管部 Commercial operations"})
	})
	d.do(func() (domain.Outcome, error) {
		return d.svc.CreateUnit(ctx, d.hr, domain.CreateUnit{UnitID: audit, Name: "Internal audit"})
	})
	hire := func(id uuid.UUID, name, level string, unit, manager uuid.UUID) {
		d.do(func() (domain.Outcome, error) {
			return d.svc.HireEmployee(ctx, d.hr, domain.HireEmployee{EmployeeID: id, Name: name, UnitID: unit, ManagerID: manager, LevelID: levels[level]})
		})
	}
	hire(d.gm, "Zhang Wei (GM)", "manager", d.unit, uuid.Nil)
	hire(d.auditor, "Liu Yang (auditor)", "manager", audit, uuid.Nil)
	d.do(func() (domain.Outcome, error) {
		return d.svc.AppointUnitHead(ctx, d.hr, domain.AppointUnitHead{UnitID: d.unit, HeadID: d.gm})
	})
	sup1, sup2, lead := uuid.New(), uuid.New(), uuid.New()
	staff := []struct {
		id          uuid.UUID
		name, level string
		manager     uuid.UUID
		september   int64
	}{
		{sup1, "Wang Fang (supervisor)", "supervisor", d.gm, 95},
		{sup2, "Li Na (supervisor)", "supervisor", d.gm, 92},
		{uuid.New(), "Chen Jie (specialist)", "specialist", sup1, 96},
		{uuid.New(), "Zhao Lei (specialist)", "specialist", sup1, 94},
		{uuid.New(), "Sun Li (specialist)", "specialist", sup1, 93},
		{lead, "Zhou Qiang (security team lead)", "security team lead", sup2, 91},
		{uuid.New(), "Wu Gang (security)", "security and cleaning staff", lead, 95},
		{uuid.New(), "Zheng Hao (security)", "security and cleaning staff", lead, 93},
		{uuid.New(), "Feng Bo (security)", "security and cleaning staff", lead, 96},
		{uuid.New(), "He Mei (cleaning)", "security and cleaning staff", sup2, 92},
		{uuid.New(), "Ma Lan (cleaning)", "security and cleaning staff", sup2, 94},
	}
	for _, s := range staff {
		hire(s.id, s.name, s.level, d.unit, s.manager)
		d.people = append(d.people, demoPerson{id: s.id, manager: s.manager, name: s.name, september: s.september})
	}
}

// versions publishes the demo template (service quality rated by everyone,
// attendance measured, teamwork rated inside the company) and the SPEC
// default policy with budget mode prorate.
func (d *demo) versions() {
	ctx := context.Background()
	pct := decimal.NewFromInt
	all := []scoring.RaterKind{scoring.RaterSelf, scoring.RaterPeer, scoring.RaterManager, scoring.RaterCustomer}
	inside := all[:3]
	d.tmpl = uuid.New()
	t := scoring.Template{ID: d.tmpl, Version: 1, Name: "Commercial operations", Dimensions: []scoring.Dimension{
		{Key: "results", Name: "Results (业绩)", Weight: pct(60), Criteria: []scoring.Criterion{
			{Key: "service", Name: "Service quality", Weight: pct(50), Kind: scoring.Rated, RatedBy: all, Scale: scoring.ScalePercent},
			{Key: "attendance", Name: "Attendance against roster", Weight: pct(50), Kind: scoring.Measured},
		}},
		{Key: "attitude", Name: "Attitude (工作态度)", Weight: pct(40), Criteria: []scoring.Criterion{
			{Key: "teamwork", Name: "Teamwork", Weight: pct(100), Kind: scoring.Rated, RatedBy: inside, Scale: scoring.ScalePercent},
		}},
	}}
	d.do(func() (domain.Outcome, error) { return d.svc.PublishTemplate(ctx, d.hr, t) })
	p := scoring.DefaultPolicy()
	d.policy = uuid.New()
	p.ID, p.Version, p.Name, p.BudgetMode = d.policy, 1, "Commercial operations (prorate)", scoring.BudgetProrate
	d.do(func() (domain.Outcome, error) { return d.svc.PublishPolicy(ctx, d.hr, p) })
}

func (d *demo) newCycle(name string, start time.Time) uuid.UUID {
	id := uuid.New()
	end := start.AddDate(0, 1, -1)
	scope := make([]uuid.UUID, len(d.people))
	for i, p := range d.people {
		scope[i] = p.id
	}
	settings := domain.CycleSettings{Name: name, Cadence: scoring.Monthly, PeriodStart: start, PeriodEnd: end,
		Scope: domain.Scope{Employees: scope}, TemplateID: d.tmpl, PolicyID: d.policy,
		Deadlines: domain.Deadlines{GoalsDue: start.AddDate(0, 0, 4), SelfReviewDue: end.AddDate(0, 0, -5), ReviewsDue: end, PayrollDue: end.AddDate(0, 0, 4)}}
	d.do(func() (domain.Outcome, error) {
		return d.svc.CreateCycle(context.Background(), d.hr, domain.CreateCycle{CycleID: id, Settings: settings})
	})
	return id
}

// peersOf picks three colleagues after p in the list, never p's manager.
func (d *demo) peersOf(i int) []uuid.UUID {
	var out []uuid.UUID
	for j := 1; len(out) < 3; j++ {
		q := d.people[(i+j)%len(d.people)]
		if q.id != d.people[i].manager {
			out = append(out, q.id)
		}
	}
	return out
}

func demoScores(kind scoring.RaterKind, v int64) []domain.ScoreEntry {
	s := []domain.ScoreEntry{{Criterion: "service", Score: decimal.NewFromInt(v)}}
	if kind != scoring.RaterCustomer {
		s = append(s, domain.ScoreEntry{Criterion: "teamwork", Score: decimal.NewFromInt(v)})
	}
	return s
}

// prepare runs goal setting and self-review of a cycle: goals drafted and
// agreed, peers assigned, attendance targets, two customers asked each, and
// every self-evaluation.
func (d *demo) prepare(cycle uuid.UUID, score func(demoPerson) int64) map[uuid.UUID][]uuid.UUID {
	ctx := context.Background()
	customers := map[uuid.UUID][]uuid.UUID{}
	d.do(func() (domain.Outcome, error) { return d.svc.OpenCycle(ctx, d.hr, cycle) })
	for i, p := range d.people {
		k := domain.ReviewKey{CycleID: cycle, EmployeeID: p.id}
		goal := uuid.New()
		d.do(func() (domain.Outcome, error) {
			return d.svc.DraftGoal(ctx, d.as(p.id, domain.RoleEmployee), k, domain.DraftGoal{GoalID: goal, Title: "Zero unresolved tenant complaints"})
		})
		d.do(func() (domain.Outcome, error) {
			return d.svc.AgreeGoal(ctx, d.as(p.manager, domain.RoleManager), k, goal)
		})
		for _, peer := range d.peersOf(i) {
			d.do(func() (domain.Outcome, error) {
				return d.svc.AssignPeer(ctx, d.as(p.manager, domain.RoleManager), k, domain.AssignPeer{PeerID: peer})
			})
		}
		d.do(func() (domain.Outcome, error) {
			return d.svc.SetKPITarget(ctx, d.as(p.manager, domain.RoleManager), k, "attendance", decimal.NewFromInt(100))
		})
		for j := range 2 {
			req := uuid.New()
			customers[p.id] = append(customers[p.id], req)
			d.do(func() (domain.Outcome, error) {
				return d.svc.RequestCustomerFeedback(ctx, d.as(p.manager, domain.RoleManager), k, domain.RequestCustomerFeedback{
					RequestID: req, Contact: domain.CustomerContact{Name: fmt.Sprintf("Tenant %d", j+1), Email: fmt.Sprintf("tenant%d@example.com", j+1), Company: "Mall tenant"},
					ExpiresAt: time.Now().UTC().AddDate(0, 0, 30).Truncate(time.Second)})
			})
		}
	}
	d.do(func() (domain.Outcome, error) { return d.svc.StartSelfReview(ctx, d.hr, cycle) })
	for _, p := range d.people {
		k := domain.ReviewKey{CycleID: cycle, EmployeeID: p.id}
		d.do(func() (domain.Outcome, error) {
			return d.svc.SubmitEvaluation(ctx, d.as(p.id, domain.RoleEmployee), k, domain.SubmitEvaluation{EvaluationID: uuid.New(),
				Kind: scoring.RaterSelf, Scores: demoScores(scoring.RaterSelf, score(p)), Summary: "Kept every patrol and cleaning round on schedule."})
		})
	}
	d.do(func() (domain.Outcome, error) { return d.svc.StartReview(ctx, d.hr, cycle) })
	return customers
}

// rate submits the peers', the manager's and the customers' evaluations and
// the attendance actual of person i.
func (d *demo) rate(cycle uuid.UUID, i int, v int64, customers []uuid.UUID) {
	ctx := context.Background()
	p := d.people[i]
	k := domain.ReviewKey{CycleID: cycle, EmployeeID: p.id}
	submit := func(call domain.Call, kind scoring.RaterKind, id uuid.UUID) {
		d.do(func() (domain.Outcome, error) {
			return d.svc.SubmitEvaluation(ctx, call, k, domain.SubmitEvaluation{EvaluationID: id, Kind: kind, Scores: demoScores(kind, v), Summary: "Reliable."})
		})
	}
	for _, peer := range d.peersOf(i) {
		submit(d.as(peer, domain.RolePeer), scoring.RaterPeer, uuid.New())
	}
	submit(d.as(p.manager, domain.RoleManager), scoring.RaterManager, uuid.New())
	for _, req := range customers {
		submit(d.as(req, domain.RoleCustomer), scoring.RaterCustomer, req)
	}
	d.do(func() (domain.Outcome, error) {
		return d.svc.RecordKPIActual(ctx, d.as(p.manager, domain.RoleManager), k, "attendance", decimal.NewFromInt(v))
	})
}

// closedCycle: September, everyone graded A- or A, so the unit's pay
// overshoots its budget and is prorated; He Mei appeals and HR upholds her
// at 96.50; everyone else acknowledges; the cycle closes.
func (d *demo) closedCycle() {
	ctx := context.Background()
	cycle := d.newCycle("September 2026", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	d.closed = cycle
	customers := d.prepare(cycle, func(p demoPerson) int64 { return p.september })
	for i, p := range d.people {
		d.rate(cycle, i, p.september, customers[p.id])
	}
	d.do(func() (domain.Outcome, error) { return d.svc.StartCalibration(ctx, d.hr, cycle) })
	d.do(func() (domain.Outcome, error) { return d.svc.StartApproval(ctx, d.hr, cycle) })
	d.do(func() (domain.Outcome, error) {
		return d.svc.SignOff(ctx, d.as(d.gm, domain.RoleUnitHead), cycle, domain.SignOff{Step: domain.StepUnitHead, UnitID: d.unit, Comment: "签字确认"})
	})
	for _, step := range []domain.SignOffStep{domain.StepOperationsHead, domain.StepLeader} {
		d.do(func() (domain.Outcome, error) { return d.svc.SignOff(ctx, d.hr, cycle, domain.SignOff{Step: step}) })
	}
	d.do(func() (domain.Outcome, error) { return d.svc.Publish(ctx, d.hr, cycle) })
	appellant := d.people[9]
	for _, p := range d.people {
		if p.id != appellant.id {
			k := domain.ReviewKey{CycleID: cycle, EmployeeID: p.id}
			d.do(func() (domain.Outcome, error) { return d.svc.Acknowledge(ctx, d.as(p.id, domain.RoleEmployee), k) })
		}
	}
	k := domain.ReviewKey{CycleID: cycle, EmployeeID: appellant.id}
	appeal := uuid.New()
	d.do(func() (domain.Outcome, error) {
		return d.svc.FileAppeal(ctx, d.as(appellant.id, domain.RoleEmployee), k, domain.FileAppeal{AppealID: appeal, Reason: "Two extra weekend shifts were not counted in attendance."})
	})
	d.do(func() (domain.Outcome, error) {
		return d.svc.ResolveAppeal(ctx, d.hr, k, domain.ResolveAppeal{AppealID: appeal, Upheld: true, NewScore: decimal.RequireFromString("96.5"), Reason: "Roster confirms the weekend shifts."})
	})
	d.do(func() (domain.Outcome, error) { return d.svc.Close(ctx, d.hr, cycle) })
}

// cycleInReview: October, with self-reviews in and half the unit rated.
func (d *demo) cycleInReview() {
	cycle := d.newCycle("October 2026", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	d.open = cycle
	customers := d.prepare(cycle, func(p demoPerson) int64 { return p.september - 3 })
	for i, p := range d.people[:len(d.people)/2] {
		d.rate(cycle, i, p.september-3, customers[p.id])
	}
}

// printTokens issues tokens for one person in each role and prints them.
func (d *demo) printTokens(ctx context.Context, a *app, out io.Writer) error {
	fmt.Fprintln(out, "demo company seeded; tokens to try it with (Authorization: Bearer <token>):")
	for _, t := range []struct {
		who  string
		id   uuid.UUID
		role domain.Role
	}{
		{"general manager, unit head", d.gm, domain.RoleEmployee},
		{"supervisor (manager of the specialists)", d.people[0].id, domain.RoleEmployee},
		{"specialist (employee)", d.people[2].id, domain.RoleEmployee},
		{"internal auditor", d.auditor, domain.RoleAuditor},
	} {
		tok, err := apphttp.IssueToken(ctx, a.db, apphttp.TokenRequest{EmployeeID: t.id, Role: t.role, IssuedBy: "demo"}, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-42s %s  (employee id %s)\n", t.who, tok, t.id)
	}
	fmt.Fprintf(out, "cycles:\n  September 2026, closed    %s  (appraisal export payroll --cycle %s)\n  October 2026, in review   %s\n", d.closed, d.closed, d.open)
	return nil
}
