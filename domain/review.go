package domain

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// ReviewStream is the stream of one employee in one cycle.
func ReviewStream(cycleID, employeeID uuid.UUID) string {
	var room [96]byte
	b := appendUUID(append(room[:0], "review-"...), cycleID)
	return string(appendUUID(append(b, '-'), employeeID))
}

// reviewStreamPrefix starts the name of every review stream of a cycle; the
// fold recognises them by it and parses the employee id after it.
func reviewStreamPrefix(cycleID uuid.UUID) string {
	var room [64]byte
	return string(append(appendUUID(append(room[:0], "review-"...), cycleID), '-'))
}

// Review is the aggregate of one employee's appraisal in one cycle: goals,
// who rates them, the evaluations, KPIs, adjustments and what follows
// publication.
type Review struct {
	cycleID    uuid.UUID
	employeeID uuid.UUID

	goals    map[uuid.UUID]*goal
	delegate uuid.UUID
	peers    []uuid.UUID
	requests map[uuid.UUID]*customerRequest
	// evaluations by id, and by rater so that nobody submits twice.
	evaluations map[uuid.UUID]*evaluation
	byRater     map[raterSlot]uuid.UUID
	managerDone bool
	kpiTargets  map[string]decimal.Decimal
	kpiActuals  map[string]decimal.Decimal
	ids         map[uuid.UUID]bool // adjustment, appeal, award and penalty ids in use

	// acknowledgedFor and appealedFor are the publications (by time) the
	// employee acknowledged or appealed: each publication may be answered
	// once, and a republication after reopening may be answered again.
	acknowledgedFor time.Time
	appealedFor     time.Time
	openAppeal      uuid.UUID
	appeals         map[uuid.UUID]bool // appeal id -> still open
	decidedRecs     map[scoring.RecommendationKind]bool
}

type goal struct {
	title  string
	agreed bool
}

type customerRequest struct {
	expiresAt time.Time
	answered  bool
}

type evaluation struct {
	kind  scoring.RaterKind
	rater uuid.UUID
}

// raterSlot is one rater of one kind; each gets one submission.
type raterSlot struct {
	kind  scoring.RaterKind
	rater uuid.UUID
}

// NewReview returns the review of employeeID in cycleID before any event.
func NewReview(cycleID, employeeID uuid.UUID) *Review {
	return &Review{
		cycleID: cycleID, employeeID: employeeID,
		goals: map[uuid.UUID]*goal{}, requests: map[uuid.UUID]*customerRequest{},
		evaluations: map[uuid.UUID]*evaluation{}, byRater: map[raterSlot]uuid.UUID{},
		kpiTargets: map[string]decimal.Decimal{}, kpiActuals: map[string]decimal.Decimal{},
		ids: map[uuid.UUID]bool{}, appeals: map[uuid.UUID]bool{},
		decidedRecs: map[scoring.RecommendationKind]bool{},
	}
}

// apply changes state by one event and never validates.
func (r *Review) apply(e Event) {
	switch e := e.(type) {
	case GoalDrafted:
		r.goals[e.GoalID] = &goal{title: e.Title}
	case GoalAgreed:
		if g := r.goals[e.GoalID]; g != nil {
			g.agreed = true
		}
	case ManagerDelegated:
		r.delegate = e.DelegateID
	case PeerAssigned:
		r.peers = append(r.peers, e.PeerID)
	case CustomerFeedbackRequested:
		r.requests[e.RequestID] = &customerRequest{expiresAt: e.ExpiresAt}
	case EvaluationSubmitted:
		r.applySubmission(e)
	case KPITargetSet:
		r.kpiTargets[e.Criterion] = e.Target
	case KPIActualRecorded:
		r.kpiActuals[e.Criterion] = e.Actual
	case ScoreAdjusted:
		r.ids[e.AdjustmentID] = true
	case ResultsAcknowledged:
		r.acknowledgedFor = e.PublishedAt
	case AppealFiled:
		r.ids[e.AppealID], r.appeals[e.AppealID], r.openAppeal = true, true, e.AppealID
		r.appealedFor = e.PublishedAt
	case AppealRejected:
		r.closeAppeal(e.AppealID)
	case AppealUpheld:
		r.closeAppeal(e.AppealID)
	case AwardGranted:
		r.ids[e.AwardID] = true
	case PenaltyImposed:
		r.ids[e.PenaltyID] = true
	case RecommendationDecided:
		r.decidedRecs[e.Kind] = true
	}
}

func (r *Review) applySubmission(e EvaluationSubmitted) {
	r.evaluations[e.EvaluationID] = &evaluation{kind: e.Kind, rater: e.RaterID}
	r.byRater[raterSlot{e.Kind, e.RaterID}] = e.EvaluationID
	if e.Kind == scoring.RaterManager {
		r.managerDone = true
	}
	if req := r.requests[e.RaterID]; e.Kind == scoring.RaterCustomer && req != nil {
		req.answered = true
	}
}

func (r *Review) closeAppeal(id uuid.UUID) {
	r.appeals[id] = false
	if r.openAppeal == id {
		r.openAppeal = uuid.Nil
	}
}

// Target adds this review's relationships (HR's delegate, the assigned
// peers, the unanswered customer requests) to the organisation's.
func (r *Review) Target(org *Organisation) Target {
	t := org.Target(r.employeeID)
	t.Delegate = r.delegate
	t.Peers = append([]uuid.UUID(nil), r.peers...)
	for id, req := range r.requests {
		if !req.answered {
			t.CustomerRequests = append(t.CustomerRequests, id)
		}
	}
	return t
}

// HasOpenAppeal reports whether an appeal awaits HR.
func (r *Review) HasOpenAppeal() bool { return r.openAppeal != uuid.Nil }

// Settled reports whether the employee has answered the publication at
// publishedAt for good: they acknowledged it, or appealed it and the appeal
// was resolved.
func (r *Review) Settled(publishedAt time.Time) bool {
	return r.acknowledgedFor.Equal(publishedAt) || (r.appealedFor.Equal(publishedAt) && !r.HasOpenAppeal())
}

// reviewStates are the cycle states in which a review event may be
// recorded. Commands refuse outside them, and the fold ignores an event that
// reached the log outside them (a command that raced a state change), so the
// rule lives here once. The fold asks for every event, hence the shared,
// never-modified slices.
func reviewStates(e Event) []CycleState {
	switch e := e.(type) {
	case GoalDrafted, GoalAgreed:
		return goalStates
	case PeerAssigned, CustomerFeedbackRequested, KPITargetSet:
		return preparationStates
	case ManagerDelegated:
		return delegationStates
	case EvaluationDraftSaved:
		return submissionStates(e.Kind)
	case EvaluationSubmitted:
		return submissionStates(e.Kind)
	case EvaluationAmended:
		return amendmentStates
	case KPIActualRecorded:
		return reviewOnly
	case ScoreAdjusted:
		if e.Origin == scoring.FromAppeal {
			return publishedOnly
		}
		return calibrationOnly
	case ResultsAcknowledged, AppealFiled, AppealRejected, AppealUpheld:
		return publishedOnly
	case AwardGranted, PenaltyImposed:
		return payItemStates
	case RecommendationDecided:
		return decidedStates
	}
	return nil
}

var (
	goalStates        = []CycleState{StateGoalSetting}
	preparationStates = []CycleState{StateGoalSetting, StateSelfReview, StateReview}
	delegationStates  = []CycleState{StateGoalSetting, StateSelfReview, StateReview, StateCalibration}
	// Until calibration ends (SPEC §4); a reopened cycle is in calibration again.
	amendmentStates = []CycleState{StateSelfReview, StateReview, StateCalibration}
	selfReviewOnly  = []CycleState{StateSelfReview}
	reviewOnly      = []CycleState{StateReview}
	calibrationOnly = []CycleState{StateCalibration}
	publishedOnly   = []CycleState{StatePublished}
	payItemStates   = []CycleState{StateGoalSetting, StateSelfReview, StateReview, StateCalibration, StateApproval, StatePublished}
	decidedStates   = []CycleState{StatePublished, StateClosed}
)

// submissionStates: self-evaluations in self-review, every other kind in
// review (SPEC §2).
func submissionStates(k scoring.RaterKind) []CycleState {
	if k == scoring.RaterSelf {
		return selfReviewOnly
	}
	return reviewOnly
}
