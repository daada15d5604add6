package cycles

import (
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// summaryOf reads the cycle's own stream: settings, the approval chain and
// the recorded decisions. The state starts as draft; fillSummary replaces it
// with the domain's once the cycle can be evaluated.
func summaryOf(events []domain.Recorded, cycle uuid.UUID) Summary {
	s := Summary{CycleID: cycle, State: domain.StateDraft, Blockers: []scoring.Blocker{}, Flags: []scoring.Flag{},
		OpenAppeals: []uuid.UUID{}, Decisions: []DecisionRef{}, Distribution: []scoring.GradeCount{}}
	stream := domain.CycleStream(cycle)
	reviews := reviewPrefix + cycle.String() + "-"
	var units []uuid.UUID
	signed := map[uuid.UUID]bool{}
	for _, r := range events {
		if strings.HasPrefix(r.Stream, reviews) {
			if _, draft := r.Event.(domain.EvaluationDraftSaved); !draft {
				s.LastEventPosition = r.Position
			}
		}
		if r.Stream != stream {
			continue
		}
		s.LastEventPosition = r.Position
		switch e := r.Event.(type) {
		case domain.CycleCreated:
			s.applySettings(e.Settings)
		case domain.CycleRevised:
			s.applySettings(e.Settings)
		case domain.ApprovalStarted:
			s.Approval = Approval{Started: true}
			units, signed = e.Units, map[uuid.UUID]bool{}
		case domain.CycleSignedOff:
			switch e.Step {
			case domain.StepUnitHead:
				signed[e.UnitID] = true
			case domain.StepOperationsHead:
				s.Approval.OperationsSigned = true
			case domain.StepLeader:
				s.Approval.LeaderSigned = true
			}
		case domain.CycleReopened:
			s.Approval, units = Approval{}, nil
		case domain.DecisionRecorded:
			s.Decisions = append(s.Decisions, DecisionRef{DecisionID: e.DecisionID, Kind: e.Kind,
				Position: r.Position, LastInputPosition: e.LastInputPosition})
		}
	}
	s.Approval.UnitsSigned, s.Approval.UnitsPending = []uuid.UUID{}, []uuid.UUID{}
	for _, u := range units {
		if signed[u] {
			s.Approval.UnitsSigned = append(s.Approval.UnitsSigned, u)
		} else {
			s.Approval.UnitsPending = append(s.Approval.UnitsPending, u)
		}
	}
	s.Approval.Next = nextStep(s.Approval)
	return s
}

func (s *Summary) applySettings(set domain.CycleSettings) {
	s.Name, s.Cadence, s.PeriodStart, s.PeriodEnd = set.Name, set.Cadence, set.PeriodStart, set.PeriodEnd
	s.Deadlines, s.TemplateID, s.PolicyID = set.Deadlines, set.TemplateID, set.PolicyID
}

// nextStep is the signature the chain waits for.
func nextStep(a Approval) domain.SignOffStep {
	switch {
	case !a.Started:
		return ""
	case len(a.UnitsPending) > 0:
		return domain.StepUnitHead
	case !a.OperationsSigned:
		return domain.StepOperationsHead
	case !a.LeaderSigned:
		return domain.StepLeader
	}
	return ""
}

// progressOf reads the cycle's review streams: goals, assignments,
// submissions, acknowledgement and appeals per employee.
func progressOf(events []domain.Recorded, cycle uuid.UUID) map[uuid.UUID]*Progress {
	out := map[uuid.UUID]*Progress{}
	prefix := reviewPrefix + cycle.String() + "-"
	goals := map[uuid.UUID]map[uuid.UUID]bool{} // employee -> goal -> agreed
	for _, r := range events {
		if !strings.HasPrefix(r.Stream, prefix) {
			continue
		}
		emp := reviewEmployee(r)
		p := progressFor(out, emp)
		if goals[emp] == nil {
			goals[emp] = map[uuid.UUID]bool{}
		}
		switch e := r.Event.(type) {
		case domain.GoalDrafted:
			goals[emp][e.GoalID] = false // a rewrite needs agreeing again
		case domain.GoalAgreed:
			goals[emp][e.GoalID] = true
		case domain.PeerAssigned:
			p.PeersAssigned = appendOnce(p.PeersAssigned, e.PeerID)
		case domain.CustomerFeedbackRequested:
			p.CustomersRequested++
		case domain.EvaluationSubmitted:
			switch e.Kind {
			case scoring.RaterSelf:
				p.SelfSubmitted = true
			case scoring.RaterManager:
				p.ManagerSubmitted = true
			case scoring.RaterPeer:
				p.PeersSubmitted = appendOnce(p.PeersSubmitted, e.RaterID)
			case scoring.RaterCustomer:
				p.CustomersSubmitted++
			}
		case domain.ResultsAcknowledged:
			p.Acknowledged = true
		case domain.AppealFiled:
			p.AppealOpen = true
		case domain.AppealRejected, domain.AppealUpheld:
			p.AppealOpen = false
			p.AppealsResolved++
		}
	}
	for emp, gs := range goals {
		p := out[emp]
		p.GoalsDrafted = len(gs)
		for _, agreed := range gs {
			if agreed {
				p.GoalsAgreed++
			}
		}
	}
	return out
}

func progressFor(m map[uuid.UUID]*Progress, emp uuid.UUID) *Progress {
	p := m[emp]
	if p == nil {
		p = &Progress{EmployeeID: emp, PeersAssigned: []uuid.UUID{}, PeersSubmitted: []uuid.UUID{}}
		m[emp] = p
	}
	return p
}

func appendOnce(ids []uuid.UUID, id uuid.UUID) []uuid.UUID {
	if slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

// recommendationsOf joins the engine's recommendations with HR's latest
// decision on each.
func recommendationsOf(events []domain.Recorded, cycle uuid.UUID, res scoring.Result) []Recommendation {
	type key struct {
		employee uuid.UUID
		kind     scoring.RecommendationKind
	}
	decided := map[key]*HRDecision{}
	prefix := reviewPrefix + cycle.String() + "-"
	for _, r := range events {
		if e, ok := r.Event.(domain.RecommendationDecided); ok && strings.HasPrefix(r.Stream, prefix) {
			decided[key{e.EmployeeID, e.Kind}] = &HRDecision{Outcome: e.Outcome, Reason: e.Reason,
				ActorID: r.Actor.ID, At: r.At, EventID: r.ID, Position: r.Position}
		}
	}
	out := make([]Recommendation, len(res.Recommendations))
	for i, rec := range res.Recommendations {
		out[i] = Recommendation{Recommendation: rec, CycleID: cycle, Decision: decided[key{rec.EmployeeID, rec.Kind}]}
	}
	return out
}

// stripEmployee drops the derivation traces from a stored result: they cite
// every rater's event, which belongs to the as-of and replay views, and
// would make each document many times larger.
func stripEmployee(r scoring.EmployeeResult) scoring.EmployeeResult {
	r.Criteria = slices.Clone(r.Criteria)
	for i := range r.Criteria {
		c := &r.Criteria[i]
		c.Raters = slices.Clone(c.Raters)
		for j := range c.Raters {
			c.Raters[j].Mean.Trace = nil
		}
		c.Score.Trace = nil
	}
	r.Dimensions = slices.Clone(r.Dimensions)
	for i := range r.Dimensions {
		r.Dimensions[i].Score.Trace = nil
	}
	for _, d := range []*scoring.Derived{&r.Overall, &r.Final, &r.Standard, &r.PayBeforeBudget, &r.Pay} {
		d.Trace = nil
	}
	r.GradeTrace = nil
	return r
}

func stripUnit(u scoring.UnitResult) scoring.UnitResult {
	for _, d := range []*scoring.Derived{&u.Budget, &u.PayTotalBeforeBudget, &u.Factor} {
		d.Trace = nil
	}
	return u
}
