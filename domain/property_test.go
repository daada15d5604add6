package domain_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// Random sequences of commands by random actors: whatever the domain
// accepts, the engine accepts too (the fold never hands Compute an input it
// refuses), a refused command never appends, and every recorded decision
// replays as a MATCH. The seeds are fixed, so a failure reproduces.
func TestRandomCommandSequencesStayComputable(t *testing.T) {
	replayed := 0
	for seed := range uint64(6) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			g := newGenerator(t, seed, 42)
			f := g.f
			accepted := map[string]int{}
			for step := range 600 {
				name, cmd := g.command()
				before := f.log.len()
				_, err := cmd()
				if testing.Verbose() {
					t.Logf("%s: %v", name, err)
				}
				if err != nil {
					if f.log.len() != before {
						t.Fatalf("step %d %s: refused (%v) but appended", step, name, err)
					}
					continue
				}
				accepted[name]++
				if _, err := f.svc.Evaluate(f.ctx, f.cycle, 0); err != nil {
					t.Fatalf("step %d %s: accepted, but the engine refuses the fold: %v", step, name, err)
				}
			}
			events, _ := f.log.ReadAll(f.ctx, 0)
			for _, d := range domain.Decisions(events) {
				if _, mismatches, err := domain.ReplayDecision(events, d); err != nil || len(mismatches) > 0 {
					t.Errorf("decision %s replays with %v %v", d.Kind, err, mismatches)
				}
				replayed++
			}
			// Guard against a vacuous run: enough accepted commands, of enough kinds.
			total := 0
			for _, n := range accepted {
				total += n
			}
			if total < 30 || len(accepted) < 6 {
				t.Errorf("accepted %v: the generator is too wild to test much", accepted)
			}
		})
	}
	if replayed == 0 {
		t.Error("no random run reached a decision to replay")
	}
}

// generator makes random commands: mostly by the actor who would plausibly
// send them (so that many are accepted), sometimes by anyone.
type generator struct {
	f        *fixture
	rng      *rand.Rand
	requests map[uuid.UUID][]uuid.UUID // customer requests issued, by employee
}

// newGenerator starts a fixture in goal setting and a generator over it,
// seeded with (seed, stream) so that a failure reproduces.
func newGenerator(t *testing.T, seed, stream uint64) *generator {
	t.Helper()
	return &generator{
		f:        newFixture(t).at(domain.StateGoalSetting),
		rng:      rand.New(rand.NewPCG(seed, stream)),
		requests: map[uuid.UUID][]uuid.UUID{},
	}
}

// actor is the plausible actor for role on employee three times in four,
// else a random role and person.
func (g *generator) actor(role domain.Role, employee uuid.UUID) domain.Actor {
	f, rng := g.f, g.rng
	people := []uuid.UUID{f.h, f.m, f.e1, f.e2, f.e3, f.s}
	if rng.IntN(4) == 0 {
		roles := []domain.Role{domain.RoleEmployee, domain.RoleManager, domain.RoleUnitHead, domain.RolePeer, domain.RoleHR}
		return as(roles[rng.IntN(len(roles))], people[rng.IntN(len(people))])
	}
	switch role {
	case domain.RoleHR:
		return f.hr
	case domain.RoleEmployee:
		return as(role, employee)
	case domain.RoleManager:
		org, _, _ := f.svc.Organisation(f.ctx)
		m, _ := org.Employee(employee)
		return as(role, m.ManagerID)
	case domain.RoleUnitHead:
		return as(role, f.h)
	case domain.RoleCustomer:
		if reqs := g.requests[employee]; len(reqs) > 0 {
			return as(role, reqs[rng.IntN(len(reqs))])
		}
	}
	return as(role, people[rng.IntN(len(people))])
}

// nextTransition is the transition the cycle's state calls for. Before
// leaving review it completes whoever lacks a manager evaluation or KPIs,
// before approval it calibrates everyone to 85, and before publication it
// signs what is unsigned, so that random runs get past the blockers (these
// are accepted commands, recorded before the transition is tried).
func (g *generator) nextTransition() func(c domain.Call) (domain.Outcome, error) {
	f := g.f
	c, _, _ := f.svc.Cycle(f.ctx, f.cycle)
	switch c.State() {
	case domain.StateReview:
		for emp, mgr := range f.inScope() {
			_, _ = f.svc.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, mgr)), f.key(emp), f.managerEval(emp, "85", "4.4"))
			f.kpis(emp, "100", "85")
		}
	case domain.StateCalibration:
		for emp := range f.inScope() {
			f.do(f.svc.AdjustScore(f.ctx, f.call(f.hr), f.key(emp), domain.AdjustScore{AdjustmentID: uuid.New(),
				Kind: scoring.AdjustOverride, Value: decimal.NewFromInt(85), Reason: "level the field"}))
		}
	case domain.StateApproval:
		for _, s := range []domain.SignOff{{Step: domain.StepUnitHead, UnitID: f.sales}, {Step: domain.StepOperationsHead}, {Step: domain.StepLeader}} {
			_, _ = f.svc.SignOff(f.ctx, f.call(f.hr), f.cycle, s)
		}
	}
	switch c.State() {
	case domain.StateGoalSetting:
		return func(c domain.Call) (domain.Outcome, error) { return f.svc.StartSelfReview(f.ctx, c, f.cycle) }
	case domain.StateSelfReview:
		return func(c domain.Call) (domain.Outcome, error) { return f.svc.StartReview(f.ctx, c, f.cycle) }
	case domain.StateReview:
		return func(c domain.Call) (domain.Outcome, error) { return f.svc.StartCalibration(f.ctx, c, f.cycle) }
	case domain.StateCalibration:
		return func(c domain.Call) (domain.Outcome, error) { return f.svc.StartApproval(f.ctx, c, f.cycle) }
	case domain.StateApproval:
		return func(c domain.Call) (domain.Outcome, error) { return f.svc.Publish(f.ctx, c, f.cycle) }
	}
	f.now = f.now.Add(24 * time.Hour)
	return func(c domain.Call) (domain.Outcome, error) { return f.svc.Close(f.ctx, c, f.cycle) }
}

// command picks a command, its actor and its input at random, valid or not.
func (g *generator) command() (string, func() (domain.Outcome, error)) {
	f, rng := g.f, g.rng
	people := []uuid.UUID{f.h, f.m, f.e1, f.e2, f.e3, f.s}
	pick := func() uuid.UUID { return people[rng.IntN(len(people))] }
	key := f.key(pick())
	actor := func(role domain.Role) domain.Actor { return g.actor(role, key.EmployeeID) }
	score := func() decimal.Decimal { return decimal.New(int64(rng.IntN(11000)-500), -2) }
	kinds := scoring.RaterKinds()
	ctx, cy := f.ctx, f.cycle
	// Transitions are rare, so that each state sees many commands.
	if rng.IntN(40) == 0 {
		step := g.nextTransition()
		return "next transition", func() (domain.Outcome, error) { return step(f.call(f.hr)) }
	}
	switch rng.IntN(15) {
	case 0, 14:
		steps := []func(c domain.Call) (domain.Outcome, error){
			func(c domain.Call) (domain.Outcome, error) { return f.svc.StartSelfReview(ctx, c, cy) },
			func(c domain.Call) (domain.Outcome, error) { return f.svc.StartReview(ctx, c, cy) },
			func(c domain.Call) (domain.Outcome, error) { return f.svc.StartCalibration(ctx, c, cy) },
			func(c domain.Call) (domain.Outcome, error) { return f.svc.StartApproval(ctx, c, cy) },
			func(c domain.Call) (domain.Outcome, error) { return f.svc.Publish(ctx, c, cy) },
			func(c domain.Call) (domain.Outcome, error) { return f.svc.Reopen(ctx, c, cy, "random reopen") },
			func(c domain.Call) (domain.Outcome, error) { return f.svc.Close(ctx, c, cy) },
		}
		step := steps[rng.IntN(len(steps))]
		return "transition", func() (domain.Outcome, error) { return step(f.call(f.hr)) }
	case 1, 2, 3:
		k := kinds[rng.IntN(len(kinds))]
		scores := f.scoresFor(k, score().String(), decimal.NewFromInt(int64(rng.IntN(7))).String())
		if rng.IntN(4) == 0 && len(scores) > 0 {
			scores = scores[1:]
		}
		a := actor(map[scoring.RaterKind]domain.Role{scoring.RaterSelf: domain.RoleEmployee, scoring.RaterPeer: domain.RolePeer,
			scoring.RaterManager: domain.RoleManager, scoring.RaterCustomer: domain.RoleCustomer}[k])
		return "submit " + string(k), func() (domain.Outcome, error) {
			return f.svc.SubmitEvaluation(ctx, f.call(a), key, domain.SubmitEvaluation{EvaluationID: uuid.New(), Kind: k, Scores: scores, Summary: "s"})
		}
	case 4:
		return "assign peer", func() (domain.Outcome, error) {
			return f.svc.AssignPeer(ctx, f.call(actor(domain.RoleManager)), key, domain.AssignPeer{PeerID: pick()})
		}
	case 5:
		id := uuid.New()
		return "customer request", func() (domain.Outcome, error) {
			o, err := f.svc.RequestCustomerFeedback(ctx, f.call(actor(domain.RoleHR)), key, domain.RequestCustomerFeedback{RequestID: id,
				Contact: domain.CustomerContact{Name: "c", Email: "c@x.example"}, ExpiresAt: f.now.Add(time.Duration(rng.IntN(48)-4) * time.Hour)})
			if err == nil {
				g.requests[key.EmployeeID] = append(g.requests[key.EmployeeID], id)
			}
			return o, err
		}
	case 6, 7:
		criterion := []string{"sales_revenue", "sales_profit", "new_customers", "teamwork"}[rng.IntN(4)]
		value := decimal.NewFromInt(int64(rng.IntN(300) - 20))
		if rng.IntN(2) == 0 {
			return "kpi target", func() (domain.Outcome, error) {
				return f.svc.SetKPITarget(ctx, f.call(actor(domain.RoleManager)), key, criterion, value)
			}
		}
		return "kpi actual", func() (domain.Outcome, error) {
			return f.svc.RecordKPIActual(ctx, f.call(actor(domain.RoleHR)), key, criterion, value)
		}
	case 8:
		kind := []scoring.AdjustmentKind{scoring.AdjustDelta, scoring.AdjustOverride}[rng.IntN(2)]
		return "adjust", func() (domain.Outcome, error) {
			return f.svc.AdjustScore(ctx, f.call(actor(domain.RoleUnitHead)), key, domain.AdjustScore{AdjustmentID: uuid.New(), Kind: kind, Value: score(), Reason: "r"})
		}
	case 9:
		return "override pairing", func() (domain.Outcome, error) {
			return f.svc.OverridePairing(ctx, f.call(f.hr), cy, domain.OverridePairing{UnitID: f.sales, Justification: "j"})
		}
	case 10:
		step := []domain.SignOffStep{domain.StepUnitHead, domain.StepOperationsHead, domain.StepLeader}[rng.IntN(3)]
		var unit uuid.UUID
		if step == domain.StepUnitHead {
			unit = f.sales
		}
		return "sign off", func() (domain.Outcome, error) {
			return f.svc.SignOff(ctx, f.call(f.hr), cy, domain.SignOff{Step: step, UnitID: unit})
		}
	case 11:
		return "appeal", func() (domain.Outcome, error) {
			return f.svc.FileAppeal(ctx, f.call(as(domain.RoleEmployee, key.EmployeeID)), key, domain.FileAppeal{AppealID: uuid.New(), Reason: "r"})
		}
	case 12:
		return "resolve appeals", func() (domain.Outcome, error) {
			events, _ := f.log.ReadAll(ctx, 0)
			var last domain.Outcome
			for _, r := range events {
				if a, ok := r.Event.(domain.AppealFiled); ok {
					o, err := f.svc.ResolveAppeal(ctx, f.call(f.hr), f.key(a.EmployeeID),
						domain.ResolveAppeal{AppealID: a.AppealID, Upheld: rng.IntN(2) == 0, NewScore: score(), Reason: "r"})
					if err == nil {
						last = o
					}
				}
			}
			if last.Stream == "" {
				return last, domain.ErrNotFound
			}
			return last, nil
		}
	default:
		return "award", func() (domain.Outcome, error) {
			return f.svc.GrantAward(ctx, f.call(actor(domain.RoleHR)), key, domain.PayItem{ItemID: uuid.New(), Type: domain.AwardTeamwork, Amount: decimal.NewFromInt(int64(rng.IntN(500))), Reason: "r"})
		}
	}
}
