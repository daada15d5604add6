package projectionstest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
)

// ScenarioConfig shapes a generated company and its monthly cycle.
type ScenarioConfig struct {
	Units     int // units under the head office, each with a manager (its head)
	PerUnit   int // specialists per unit, reporting to the unit's manager
	Peers     int // peer evaluations per specialist (from the same unit)
	Customers int // customer evaluations per specialist
	// Score is the score (0-100) every rater gives specialist i of unit u;
	// managers always get 85. Five-point criteria get the same score mapped
	// back, 1 + score/25, and KPIs an actual of score against a target of 100,
	// so each employee's overall score is exactly Score.
	Score      func(u, i int) int
	BudgetMode scoring.BudgetMode
	// Bulk writes hires and review events straight to the store (see
	// bulk.go) instead of one command each: for benchmark-sized companies.
	Bulk bool
}

// Unit is one generated unit.
type Unit struct {
	ID      uuid.UUID
	Manager uuid.UUID
	Members []uuid.UUID // specialists
}

// Scenario drives a generated company through a cycle with the domain's
// service, over the event store through the eventlog adapter, as the HTTP
// layer would.
type Scenario struct {
	T       testing.TB
	Ctx     context.Context
	Store   eventstore.Store
	Log     *eventlog.Log
	Svc     *domain.Service
	Now     time.Time
	HR      domain.Actor
	Head    uuid.UUID // head of the head office, manager of every unit manager
	HQ      uuid.UUID
	Units   []Unit
	Cycle   uuid.UUID
	Tpl     scoring.Template
	Policy  scoring.Policy
	cfg     ScenarioConfig
	Levels  map[string]uuid.UUID // position levels by name: manager, supervisor, specialist
	month   int                  // cycles opened before this one (each covers the next month)
	Outcome domain.Outcome       // of the last command
}

// NewScenario builds the organisation, template and policy.
func NewScenario(t testing.TB, store eventstore.Store, cfg ScenarioConfig) *Scenario {
	t.Helper()
	s := &Scenario{T: t, Ctx: context.Background(), Store: store, Log: eventlog.New(store),
		Now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), HR: domain.Actor{ID: uuid.New(), Role: domain.RoleHR},
		HQ: uuid.New(), Head: uuid.New(), Cycle: uuid.New(), cfg: cfg, Levels: map[string]uuid.UUID{}}
	s.Svc = domain.NewService(s.Log, domain.WithClock(func() time.Time { return s.Now }))
	s.Tpl, s.Policy = scoring.DefaultTemplate(), scoring.DefaultPolicy()
	if cfg.BudgetMode != "" {
		s.Policy.BudgetMode = cfg.BudgetMode
	}
	hr := s.call(s.HR)
	for _, lv := range []struct {
		name string
		std  string
	}{{"manager", "500"}, {"supervisor", "400"}, {"specialist", "300"}} {
		id := uuid.New()
		s.Levels[lv.name] = id
		s.Do(s.Svc.DefinePositionLevel(s.Ctx, hr, domain.DefinePositionLevel{LevelID: id, Name: lv.name, MonthlyStandard: decimal.RequireFromString(lv.std)}))
	}
	s.Do(s.Svc.CreateUnit(s.Ctx, hr, domain.CreateUnit{UnitID: s.HQ, Name: "Head office"}))
	s.Do(s.Svc.HireEmployee(s.Ctx, hr, domain.HireEmployee{EmployeeID: s.Head, Name: "GM", UnitID: s.HQ, LevelID: s.Levels["manager"]}))
	s.Do(s.Svc.AppointUnitHead(s.Ctx, hr, domain.AppointUnitHead{UnitID: s.HQ, HeadID: s.Head}))
	for u := range cfg.Units {
		unit := Unit{ID: uuid.New(), Manager: uuid.New()}
		s.Do(s.Svc.CreateUnit(s.Ctx, hr, domain.CreateUnit{UnitID: unit.ID, Name: fmt.Sprintf("Unit %d", u+1), ParentID: s.HQ}))
		s.Do(s.Svc.HireEmployee(s.Ctx, hr, domain.HireEmployee{EmployeeID: unit.Manager, Name: fmt.Sprintf("Supervisor %d", u+1),
			UnitID: unit.ID, ManagerID: s.Head, LevelID: s.Levels["supervisor"]}))
		s.Do(s.Svc.AppointUnitHead(s.Ctx, hr, domain.AppointUnitHead{UnitID: unit.ID, HeadID: unit.Manager}))
		for i := range cfg.PerUnit {
			id := uuid.New()
			unit.Members = append(unit.Members, id)
			if !cfg.Bulk {
				s.Do(s.Svc.HireEmployee(s.Ctx, hr, domain.HireEmployee{EmployeeID: id, Name: fmt.Sprintf("Specialist %d.%d", u+1, i+1),
					UnitID: unit.ID, ManagerID: unit.Manager, LevelID: s.Levels["specialist"]}))
			}
		}
		s.Units = append(s.Units, unit)
	}
	if cfg.Bulk {
		s.hireBulk()
	}
	s.Do(s.Svc.PublishTemplate(s.Ctx, hr, s.Tpl))
	s.Do(s.Svc.PublishPolicy(s.Ctx, hr, s.Policy))
	return s
}

func (s *Scenario) call(a domain.Actor) domain.Call {
	return domain.Call{Actor: a, CorrelationID: uuid.New(), CausationID: uuid.New()}
}

// As is a call by person id in role.
func (s *Scenario) As(role domain.Role, id uuid.UUID) domain.Call {
	return s.call(domain.Actor{ID: id, Role: role})
}

// AsHR is a call by HR.
func (s *Scenario) AsHR() domain.Call { return s.call(s.HR) }

// Do fails the test when a command is refused and keeps its outcome.
func (s *Scenario) Do(o domain.Outcome, err error) domain.Outcome {
	s.T.Helper()
	if err != nil {
		s.T.Fatalf("scenario step refused: %v", err)
	}
	s.Outcome = o
	return o
}

// Key is the review key of an employee in the scenario's cycle.
func (s *Scenario) Key(employee uuid.UUID) domain.ReviewKey {
	return domain.ReviewKey{CycleID: s.Cycle, EmployeeID: employee}
}

// Open creates the cycle over every unit (not the head office) and opens it.
func (s *Scenario) Open() {
	units := make([]uuid.UUID, len(s.Units))
	for i, u := range s.Units {
		units[i] = u.ID
	}
	first := time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC).AddDate(0, s.month, 0)
	day := func(months, d int) time.Time { return first.AddDate(0, months, d-1) }
	settings := domain.CycleSettings{Name: first.Format("January 2006"), Cadence: scoring.Monthly,
		PeriodStart: first, PeriodEnd: day(1, 0), Scope: domain.Scope{Units: units},
		TemplateID: s.Tpl.ID, PolicyID: s.Policy.ID,
		Deadlines: domain.Deadlines{GoalsDue: day(0, 10), SelfReviewDue: day(1, 0), ReviewsDue: day(1, 2), PayrollDue: day(1, 4)}}
	s.Do(s.Svc.CreateCycle(s.Ctx, s.AsHR(), domain.CreateCycle{CycleID: s.Cycle, Settings: settings}))
	s.Do(s.Svc.OpenCycle(s.Ctx, s.AsHR(), s.Cycle))
}

// score is what every rater gives employee i of unit u (-1: the manager).
func (s *Scenario) score(u, i int) int {
	if i < 0 || s.cfg.Score == nil {
		return 85
	}
	return s.cfg.Score(u, i)
}

// Review assigns peers and customers and runs self-review and review with
// every evaluation and KPI; the cycle stays in review.
func (s *Scenario) Review() {
	if s.cfg.Bulk {
		s.reviewBulk()
		return
	}
	for _, unit := range s.Units {
		for i, m := range unit.Members {
			for p := 1; p <= s.cfg.Peers; p++ {
				peer := unit.Members[(i+p)%len(unit.Members)]
				s.Do(s.Svc.AssignPeer(s.Ctx, s.AsHR(), s.Key(m), domain.AssignPeer{PeerID: peer}))
			}
			for c := range s.cfg.Customers {
				s.Do(s.Svc.RequestCustomerFeedback(s.Ctx, s.AsHR(), s.Key(m), domain.RequestCustomerFeedback{RequestID: customerID(m, c),
					Contact: domain.CustomerContact{Name: "Customer", Email: fmt.Sprintf("c%d@example.com", c), Company: "Tenant"}, ExpiresAt: s.Now.AddDate(0, 1, 0)}))
			}
			s.targets(m)
		}
		s.targets(unit.Manager)
	}
	s.Do(s.Svc.StartSelfReview(s.Ctx, s.AsHR(), s.Cycle))
	for u, unit := range s.Units {
		s.evaluate(unit.Manager, domain.RoleEmployee, unit.Manager, scoring.RaterSelf, 85)
		for i, m := range unit.Members {
			s.evaluate(m, domain.RoleEmployee, m, scoring.RaterSelf, s.score(u, i))
		}
	}
	s.Do(s.Svc.StartReview(s.Ctx, s.AsHR(), s.Cycle))
	for u, unit := range s.Units {
		s.evaluate(unit.Manager, domain.RoleManager, s.Head, scoring.RaterManager, 85)
		for i, m := range unit.Members {
			sc := s.score(u, i)
			s.evaluate(m, domain.RoleManager, unit.Manager, scoring.RaterManager, sc)
			for p := 1; p <= s.cfg.Peers; p++ {
				s.evaluate(m, domain.RolePeer, unit.Members[(i+p)%len(unit.Members)], scoring.RaterPeer, sc)
			}
			for c := range s.cfg.Customers {
				s.evaluate(m, domain.RoleCustomer, customerID(m, c), scoring.RaterCustomer, sc)
			}
			s.actuals(m, sc)
		}
		s.actuals(unit.Manager, 85)
	}
}

// Calibrate enters calibration.
func (s *Scenario) Calibrate() { s.Do(s.Svc.StartCalibration(s.Ctx, s.AsHR(), s.Cycle)) }

// customerID is a stable request id per employee and customer number.
func customerID(employee uuid.UUID, n int) uuid.UUID {
	return uuid.NewSHA1(employee, fmt.Appendf(nil, "customer-%d", n))
}

func (s *Scenario) evaluate(emp uuid.UUID, role domain.Role, rater uuid.UUID, kind scoring.RaterKind, score int) {
	s.Do(s.Svc.SubmitEvaluation(s.Ctx, s.As(role, rater), s.Key(emp), domain.SubmitEvaluation{
		EvaluationID: uuid.New(), Kind: kind, Scores: s.scores(kind, score), Summary: "summary"}))
}

// scores lists every criterion kind rates, at score (mapped for five-point).
func (s *Scenario) scores(kind scoring.RaterKind, score int) []domain.ScoreEntry {
	var out []domain.ScoreEntry
	for _, dim := range s.Tpl.Dimensions {
		for _, c := range dim.Criteria {
			if c.Kind != scoring.Rated || !c.Rates(kind) {
				continue
			}
			v := decimal.NewFromInt(int64(score))
			if c.Scale == scoring.ScaleFivePoint {
				v = v.Div(decimal.NewFromInt(25)).Add(decimal.NewFromInt(1))
			}
			out = append(out, domain.ScoreEntry{Criterion: c.Key, Score: v})
		}
	}
	return out
}

func (s *Scenario) measured(each func(key string)) {
	for _, dim := range s.Tpl.Dimensions {
		for _, c := range dim.Criteria {
			if c.Kind == scoring.Measured {
				each(c.Key)
			}
		}
	}
}

func (s *Scenario) targets(emp uuid.UUID) {
	s.measured(func(key string) {
		s.Do(s.Svc.SetKPITarget(s.Ctx, s.AsHR(), s.Key(emp), key, decimal.NewFromInt(100)))
	})
}

func (s *Scenario) actuals(emp uuid.UUID, score int) {
	s.measured(func(key string) {
		s.Do(s.Svc.RecordKPIActual(s.Ctx, s.AsHR(), s.Key(emp), key, decimal.NewFromInt(int64(score))))
	})
}

// Approve enters approval (after calibration) and signs the whole chain.
func (s *Scenario) Approve() {
	s.Do(s.Svc.StartApproval(s.Ctx, s.AsHR(), s.Cycle))
	for _, unit := range s.Units {
		s.Do(s.Svc.SignOff(s.Ctx, s.As(domain.RoleUnitHead, unit.Manager), s.Cycle, domain.SignOff{Step: domain.StepUnitHead, UnitID: unit.ID}))
	}
	s.Do(s.Svc.SignOff(s.Ctx, s.AsHR(), s.Cycle, domain.SignOff{Step: domain.StepOperationsHead}))
	s.Do(s.Svc.SignOff(s.Ctx, s.AsHR(), s.Cycle, domain.SignOff{Step: domain.StepLeader}))
}

// Publish publishes the results (recording a decision).
func (s *Scenario) Publish() { s.Do(s.Svc.Publish(s.Ctx, s.AsHR(), s.Cycle)) }

// ThroughPublish runs the cycle from opening to published results: Open,
// Review, Calibrate, Approve and Publish.
func (s *Scenario) ThroughPublish() {
	s.Open()
	s.Review()
	s.Calibrate()
	s.Approve()
	s.Publish()
}

// Close moves the clock past the appeal window and closes the cycle
// (recording a decision).
func (s *Scenario) Close() {
	s.Now = s.Now.AddDate(0, 0, s.Policy.AppealWindowDays+1)
	s.Do(s.Svc.Close(s.Ctx, s.AsHR(), s.Cycle))
}

// NextCycle makes the scenario's cycle a new one for the month after the
// current cycle's, with the clock moved into that month.
func (s *Scenario) NextCycle() {
	s.month++
	s.Cycle = uuid.New()
	s.Now = time.Date(2026, time.November, 2, 9, 0, 0, 0, time.UTC).AddDate(0, s.month, 0)
}

// Employees lists every employee in the cycle's scope: managers and members.
func (s *Scenario) Employees() []uuid.UUID {
	var out []uuid.UUID
	for _, u := range s.Units {
		out = append(out, u.Manager)
		out = append(out, u.Members...)
	}
	return out
}
