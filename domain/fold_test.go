package domain_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

func employeeResult(t *testing.T, ev domain.Evaluation, id uuid.UUID) scoring.EmployeeResult {
	t.Helper()
	for _, e := range ev.Result.Employees {
		if e.EmployeeID == id {
			return e
		}
	}
	t.Fatalf("employee %s not in the result", id)
	return scoring.EmployeeResult{}
}

// The fold builds the engine input the SPEC describes: participants with
// their standards, the pinned versions, every submitted evaluation with its
// amendments applied, KPIs with both event ids, adjustments with author and
// position.
func TestFoldBuildsTheEngineInput(t *testing.T) {
	f := newFixture(t).at(domain.StateReview)
	peerAssigned := func() {
		f.do(f.svc.AssignPeer(f.ctx, f.call(f.hr), f.key(f.e1), domain.AssignPeer{PeerID: f.e2}))
	}
	peerAssigned()
	evalID := uuid.New()
	pe := peerEval(f)
	pe.EvaluationID = evalID
	f.do(f.svc.SubmitEvaluation(f.ctx, f.call(as(domain.RolePeer, f.e2)), f.key(f.e1), pe))
	f.do(f.svc.AmendEvaluation(f.ctx, f.call(as(domain.RolePeer, f.e2)), f.key(f.e1), domain.AmendEvaluation{
		EvaluationID: evalID, Scores: f.scoresFor(scoring.RaterPeer, "70", "3"), Reason: "second thoughts"}))
	f.completeReviews()
	f.do(f.svc.StartCalibration(f.ctx, f.call(f.hr), f.cycle))
	f.do(adjust(domain.RoleUnitHead, headH, scoring.AdjustDelta, "1.5", "helped other units")(f))

	events, _ := f.log.ReadAll(f.ctx, 0)
	fold, err := domain.FoldCycle(events, f.cycle)
	if err != nil {
		t.Fatal(err)
	}
	in := fold.Input
	if fold.State != domain.StateCalibration || fold.LastPosition != events[len(events)-1].Position {
		t.Errorf("state %s at %d", fold.State, fold.LastPosition)
	}
	if in.Template.Version != 1 || in.Policy.Version != 1 || in.Cycle.Months != 1 || in.Cycle.Status != scoring.Provisional {
		t.Errorf("cycle %+v template v%d policy v%d", in.Cycle, in.Template.Version, in.Policy.Version)
	}
	if len(in.Employees) != 4 || len(in.Units) != 1 || in.Units[0].HeadID != f.h {
		t.Fatalf("employees %+v units %+v", in.Employees, in.Units)
	}
	for _, e := range in.Employees {
		if e.ID == f.s {
			t.Error("the excluded sales clerk is in scope")
		}
		if e.ID == f.e1 && (e.PositionLevel != "specialist" || !e.MonthlyStandard.Equal(d("300"))) {
			t.Errorf("E1 as %+v", e)
		}
	}
	var peer *scoring.Evaluation
	for i, e := range in.Evaluations {
		if e.Kind == scoring.RaterPeer {
			peer = &in.Evaluations[i]
		}
	}
	if peer == nil || len(peer.AmendmentEventIDs) != 1 || !peer.Scores[0].Score.Equal(d("70")) || peer.RaterID != f.e2 {
		t.Fatalf("peer evaluation %+v", peer)
	}
	if len(in.Evaluations) != 5 || len(in.KPIs) != 12 {
		t.Errorf("%d evaluations, %d KPI records; want 5 and 12", len(in.Evaluations), len(in.KPIs))
	}
	if len(in.Adjustments) != 1 || in.Adjustments[0].AuthorID != f.h || in.Adjustments[0].Position == 0 {
		t.Errorf("adjustments %+v", in.Adjustments)
	}
}

// As-of: the same cycle computed at an earlier position shows the score as
// it was then (SPEC §12).
func TestEvaluateAsOfAnEarlierPosition(t *testing.T) {
	f := newFixture(t).at(domain.StateCalibration)
	before, _ := f.log.ReadAll(f.ctx, 0)
	cut := before[len(before)-1].Position
	f.do(adjust(domain.RoleHR, nil, scoring.AdjustOverride, "95", "best month")(f))

	then, err := f.svc.Evaluate(f.ctx, f.cycle, cut)
	if err != nil {
		t.Fatal(err)
	}
	now, err := f.svc.Evaluate(f.ctx, f.cycle, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g := employeeResult(t, then, f.e1).Grade; g != "B" {
		t.Errorf("as of %d E1 is %s, want B", cut, g)
	}
	if g := employeeResult(t, now, f.e1).Grade; g != "A" {
		t.Errorf("now E1 is %s, want A", g)
	}
	all, _ := f.log.ReadAll(f.ctx, 0)
	byTime := domain.UpToTime(all, all[0].At.Add(-time.Second))
	if len(byTime) != 0 {
		t.Errorf("%d events before the first", len(byTime))
	}
}

// A review event that reached the log after the cycle left the state that
// allowed it (a command racing a transition) never counts.
func TestFoldIgnoresEventsThatRacedATransition(t *testing.T) {
	f := newFixture(t).at(domain.StateApproval)
	stream := domain.ReviewStream(f.cycle, f.e1)
	_, version, _ := f.log.Load(f.ctx, stream, 0)
	late := domain.ScoreAdjusted{CycleID: f.cycle, EmployeeID: f.e1, AdjustmentID: uuid.New(), Origin: scoring.FromCalibration,
		Kind: scoring.AdjustOverride, Value: d("100"), Reason: "raced the approval"}
	if _, err := f.log.Append(f.ctx, stream, version, []domain.Event{late}, domain.Meta{Actor: f.hr, At: f.now}); err != nil {
		t.Fatal(err)
	}
	ev, err := f.svc.Evaluate(f.ctx, f.cycle, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Input.Adjustments) != 0 || employeeResult(t, ev, f.e1).Grade != "B" {
		t.Errorf("the raced adjustment counted: %+v", ev.Input.Adjustments)
	}
}

// An earlier cycle's recorded decision is history for the next one: a C in
// October is evidence when November is computed.
func TestEarlierDecisionsBecomeHistory(t *testing.T) {
	f := newFixture(t)
	october := f.cycle
	s := f.settings()
	s.Name, s.PeriodStart, s.PeriodEnd = "October 2026", date(2026, 10, 1), date(2026, 10, 31)
	s.Deadlines.GoalsDue, s.Deadlines.SelfReviewDue, s.Deadlines.ReviewsDue, s.Deadlines.PayrollDue =
		date(2026, 10, 10), date(2026, 10, 31), date(2026, 11, 2), date(2026, 11, 4)
	f.do(f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: october, Settings: s}))
	f.do(f.svc.OpenCycle(f.ctx, f.call(f.hr), october))
	f.do(f.svc.StartSelfReview(f.ctx, f.call(f.hr), october))
	f.do(f.svc.StartReview(f.ctx, f.call(f.hr), october))
	f.completeReviews()
	f.do(f.svc.StartCalibration(f.ctx, f.call(f.hr), october))
	f.do(adjust(domain.RoleHR, nil, scoring.AdjustOverride, "75", "weak month")(f))
	f.do(f.svc.StartApproval(f.ctx, f.call(f.hr), october))
	f.signAll()
	f.do(f.svc.Publish(f.ctx, f.call(f.hr), october))

	f.cycle = uuid.New()
	f.at(domain.StateReview)
	events, _ := f.log.ReadAll(f.ctx, 0)
	fold, err := domain.FoldCycle(events, f.cycle)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, h := range fold.Input.History {
		if h.CycleID == october && h.EmployeeID == f.e1 {
			found = h.Grade == "C" && h.Status == scoring.Published && h.EventID != uuid.Nil
		}
	}
	if len(fold.Input.History) != 4 || !found {
		t.Errorf("history %+v, want October's four results with E1's C", fold.Input.History)
	}
}

// Replay reports every field where a recorded decision differs from the
// recomputation: here a decision whose payload was altered.
func TestReplayReportsAlteredDecisions(t *testing.T) {
	f := newFixture(t).at(domain.StatePublished)
	events, _ := f.log.ReadAll(f.ctx, 0)
	decisions := domain.Decisions(events)
	if len(decisions) != 1 {
		t.Fatalf("%d decisions", len(decisions))
	}
	dec := decisions[0]
	dec.Rows = append([]domain.DecidedEmployee(nil), dec.Rows...)
	dec.Rows[0].Grade, dec.Rows[0].Pay = "A+", d("360")
	dec.Rows = dec.Rows[:3]
	_, mismatches, err := domain.ReplayDecision(events, dec)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	for _, m := range mismatches {
		fields[m.Field] = true
	}
	id := dec.Rows[0].EmployeeID.String()
	if len(mismatches) != 4 || !fields["employees"] || !fields["employees["+id+"].grade"] || !fields["employees["+id+"].pay"] {
		t.Errorf("mismatches %+v", mismatches)
	}
	reports, err := f.svc.Replay(f.ctx, f.cycle)
	if err != nil || len(reports) != 1 || !reports[0].Match() {
		t.Errorf("replay of the stored decision: %v %+v", err, reports)
	}
}

func TestEvaluateUnknownOrDraftCycle(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.Evaluate(f.ctx, f.cycle, 0); err == nil {
		t.Error("evaluated a cycle that does not exist")
	}
	f.at(domain.StateDraft)
	if _, err := f.svc.Evaluate(f.ctx, f.cycle, 0); err == nil {
		t.Error("evaluated a draft without pinned versions")
	}
}

// untraced is FoldCycle then ComputeUntraced, as the cycles projection
// evaluates a cycle.
func untraced(events []domain.Recorded, cycle uuid.UUID) (domain.Evaluation, error) {
	folded, err := domain.FoldCycle(events, cycle)
	if err != nil {
		return domain.Evaluation{}, err
	}
	return domain.ComputeUntraced(folded, cycle)
}

// FoldCycle then ComputeUntraced is Evaluate without the employees' traces:
// the same folded input, units, flags, recommendations and blockers, each
// employee's result the same once its traces are gone, and the same errors.
func TestComputeUntracedIsEvaluateWithoutTraces(t *testing.T) {
	f := newFixture(t)
	events, _ := f.log.ReadAll(f.ctx, 0)
	_, err1 := domain.Evaluate(events, f.cycle)
	_, err2 := untraced(events, f.cycle)
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("unknown cycle: %v, untraced %v", err1, err2)
	}
	f.at(domain.StateCalibration)
	events, _ = f.log.ReadAll(f.ctx, 0)
	full, err := domain.Evaluate(events, f.cycle)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := untraced(events, f.cycle)
	if err != nil {
		t.Fatal(err)
	}
	for i := range full.Result.Employees {
		r := &full.Result.Employees[i]
		if r.Overall.Trace == nil {
			t.Fatalf("Evaluate kept no trace of %s", r.EmployeeID)
		}
		for j := range r.Criteria {
			c := &r.Criteria[j]
			for k := range c.Raters {
				c.Raters[k].Mean.Trace = nil
			}
			c.Score.Trace = nil
		}
		for j := range r.Dimensions {
			r.Dimensions[j].Score.Trace = nil
		}
		for _, d := range []*scoring.Derived{&r.Overall, &r.Final, &r.Standard, &r.PayBeforeBudget, &r.Pay} {
			d.Trace = nil
		}
		r.GradeTrace = nil
	}
	a, _ := json.Marshal(full)
	b, _ := json.Marshal(bare)
	if string(a) != string(b) {
		t.Errorf("untraced evaluation differs:\n%s\n%s", a, b)
	}
}
