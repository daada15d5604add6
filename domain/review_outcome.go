package domain

import (
	"slices"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// AdjustScore is a calibration adjustment (调整): a signed delta to the
// overall score or an override of it, with a written reason.
type AdjustScore struct {
	AdjustmentID uuid.UUID
	Kind         scoring.AdjustmentKind
	Value        decimal.Decimal
	Reason       string
}

// FileAppeal is an employee's appeal (申诉) of published results.
type FileAppeal struct {
	AppealID uuid.UUID
	Reason   string
}

// ResolveAppeal is HR's answer to an open appeal: rejected, or upheld with a
// new final score that becomes an appeal adjustment (AdjustmentID).
type ResolveAppeal struct {
	AppealID     uuid.UUID
	Upheld       bool
	NewScore     decimal.Decimal
	AdjustmentID uuid.UUID
	Reason       string
}

// PayItem is an award or penalty HR records for the employee in the cycle.
type PayItem struct {
	ItemID uuid.UUID
	Type   string
	Amount decimal.Decimal
	Reason string
}

// DecideRecommendation is HR's decision on a recommendation of the cycle.
type DecideRecommendation struct {
	Kind    scoring.RecommendationKind
	Outcome RecommendationOutcome
	Reason  string
}

// Award and penalty types of SPEC §7.
const (
	AwardExcellentEmployee   = "excellent_employee"   // 优秀员工奖
	AwardInnovation          = "innovation"           // 创新奖
	AwardTeamwork            = "teamwork"             // 团队协作奖
	AwardSpecialContribution = "special_contribution" // 特殊贡献奖
	PenaltyWarning           = "warning"              // 警告
	PenaltyFine              = "fine"                 // 罚款
	PenaltyDemotion          = "demotion"             // 降职
)

var (
	awardTypes = []string{AwardExcellentEmployee, AwardInnovation, AwardTeamwork, AwardSpecialContribution}
	// penaltyTypes maps each penalty to whether it carries money.
	penaltyTypes = map[string]bool{PenaltyWarning: false, PenaltyFine: true, PenaltyDemotion: false}
)

// hundred bounds scores.
var hundred = decimal.NewFromInt(100)

// AdjustScore records a calibration adjustment by the employee's unit head
// or HR during calibration.
func (r *Review) AdjustScore(actor Actor, ctx ReviewContext, c AdjustScore) ([]Event, error) {
	e := ScoreAdjusted{CycleID: r.cycleID, EmployeeID: r.employeeID, AdjustmentID: c.AdjustmentID,
		Origin: scoring.FromCalibration, Kind: c.Kind, Value: c.Value, Reason: c.Reason}
	if err := r.guard(actor, ActCalibrate, ctx, "adjust a score", e); err != nil {
		return nil, err
	}
	var p problems
	r.checkNewID(&p, "adjustment_id", c.AdjustmentID)
	switch c.Kind {
	case scoring.AdjustDelta:
		p.check(!c.Value.IsZero() && c.Value.Abs().LessThanOrEqual(hundred), "value", "a delta must be non-zero and between -100 and 100")
	case scoring.AdjustOverride:
		checkScore(&p, "value", c.Value)
	default:
		p.add("kind", "must be %q or %q", scoring.AdjustDelta, scoring.AdjustOverride)
	}
	p.check(c.Value.Equal(c.Value.Truncate(2)), "value", "must have at most 2 decimal places")
	checkReason(&p, "reason", c.Reason)
	return single(e, p.err())
}

// Acknowledge records the employee's signature under their results.
func (r *Review) Acknowledge(actor Actor, ctx ReviewContext) ([]Event, error) {
	e := ResultsAcknowledged{CycleID: r.cycleID, EmployeeID: r.employeeID, PublishedAt: ctx.Cycle.PublishedAt()}
	if err := r.guard(actor, ActAcknowledge, ctx, "acknowledge results", e); err != nil {
		return nil, err
	}
	switch {
	case r.acknowledgedFor.Equal(e.PublishedAt):
		return nil, &ConflictError{Reason: "the results are already acknowledged"}
	case r.HasOpenAppeal():
		return nil, &BlockedError{Action: "acknowledge", Reasons: []string{"an appeal is open"}}
	}
	return []Event{e}, nil
}

// FileAppeal records an appeal within the window, by an employee who has
// neither acknowledged nor appealed these results yet.
func (r *Review) FileAppeal(actor Actor, ctx ReviewContext, c FileAppeal) ([]Event, error) {
	e := AppealFiled{CycleID: r.cycleID, EmployeeID: r.employeeID, AppealID: c.AppealID,
		PublishedAt: ctx.Cycle.PublishedAt(), Reason: c.Reason}
	if err := r.guard(actor, ActAppeal, ctx, "appeal", e); err != nil {
		return nil, err
	}
	switch {
	case ctx.Now.After(ctx.Cycle.AppealsUntil()):
		return nil, &StateError{Action: "appeal", State: "appeal window closed at " + ctx.Cycle.AppealsUntil().Format("2006-01-02 15:04 MST")}
	case r.acknowledgedFor.Equal(e.PublishedAt):
		return nil, &ConflictError{Reason: "the results were acknowledged"}
	case r.HasOpenAppeal():
		return nil, &ConflictError{Reason: "an appeal is already open"}
	case r.appealedFor.Equal(e.PublishedAt):
		return nil, &ConflictError{Reason: "these results were already appealed"}
	}
	var p problems
	r.checkNewID(&p, "appeal_id", c.AppealID)
	checkReason(&p, "reason", c.Reason)
	return single(e, p.err())
}

// ResolveAppeal records HR's resolution; an upheld appeal also records the
// new score as an appeal adjustment in the same append.
func (r *Review) ResolveAppeal(actor Actor, ctx ReviewContext, c ResolveAppeal) ([]Event, error) {
	var e Event = AppealRejected{CycleID: r.cycleID, EmployeeID: r.employeeID, AppealID: c.AppealID, Reason: c.Reason}
	if c.Upheld {
		e = AppealUpheld{CycleID: r.cycleID, EmployeeID: r.employeeID, AppealID: c.AppealID, NewScore: c.NewScore, Reason: c.Reason}
	}
	if err := r.guard(actor, ActResolveAppeal, ctx, "resolve an appeal", e); err != nil {
		return nil, err
	}
	if open, ok := r.appeals[c.AppealID]; !ok {
		return nil, &NotFoundError{Kind: "appeal", ID: c.AppealID.String()}
	} else if !open {
		return nil, &ConflictError{Reason: "the appeal is already resolved"}
	}
	var p problems
	checkReason(&p, "reason", c.Reason)
	if !c.Upheld {
		return single(e, p.err())
	}
	checkScore(&p, "new_score", c.NewScore)
	p.check(c.NewScore.Equal(c.NewScore.Truncate(2)), "new_score", "must have at most 2 decimal places")
	r.checkNewID(&p, "adjustment_id", c.AdjustmentID)
	if err := p.err(); err != nil {
		return nil, err
	}
	adj := ScoreAdjusted{CycleID: r.cycleID, EmployeeID: r.employeeID, AdjustmentID: c.AdjustmentID,
		Origin: scoring.FromAppeal, Kind: scoring.AdjustOverride, Value: c.NewScore, Reason: c.Reason, AppealID: c.AppealID}
	return []Event{e, adj}, nil
}

// GrantAward records an award with its amount.
func (r *Review) GrantAward(actor Actor, ctx ReviewContext, c PayItem) ([]Event, error) {
	e := AwardGranted{CycleID: r.cycleID, EmployeeID: r.employeeID, AwardID: c.ItemID, Type: c.Type, Amount: c.Amount, Reason: c.Reason}
	if err := r.guard(actor, ActGrantAward, ctx, "grant an award", e); err != nil {
		return nil, err
	}
	var p problems
	r.checkNewID(&p, "award_id", c.ItemID)
	p.check(slices.Contains(awardTypes, c.Type), "type", "must be one of %v", awardTypes)
	checkMoney(&p, "amount", c.Amount)
	p.check(c.Amount.IsPositive(), "amount", "must be positive")
	checkReason(&p, "reason", c.Reason)
	return single(e, p.err())
}

// ImposePenalty records a penalty; only a fine carries an amount.
func (r *Review) ImposePenalty(actor Actor, ctx ReviewContext, c PayItem) ([]Event, error) {
	e := PenaltyImposed{CycleID: r.cycleID, EmployeeID: r.employeeID, PenaltyID: c.ItemID, Type: c.Type, Amount: c.Amount, Reason: c.Reason}
	if err := r.guard(actor, ActGrantAward, ctx, "impose a penalty", e); err != nil {
		return nil, err
	}
	var p problems
	r.checkNewID(&p, "penalty_id", c.ItemID)
	checkMoney(&p, "amount", c.Amount)
	switch money, ok := penaltyTypes[c.Type]; {
	case !ok:
		p.add("type", "must be %q, %q or %q", PenaltyWarning, PenaltyFine, PenaltyDemotion)
	case money:
		p.check(c.Amount.IsPositive(), "amount", "a fine must have a positive amount")
	default:
		p.check(c.Amount.IsZero(), "amount", "a %s carries no amount", c.Type)
	}
	checkReason(&p, "reason", c.Reason)
	return single(e, p.err())
}

// DecideRecommendation records HR's decision on a recommendation that the
// cycle's latest recorded decision raised for this employee.
func (r *Review) DecideRecommendation(actor Actor, ctx ReviewContext, c DecideRecommendation) ([]Event, error) {
	e := RecommendationDecided{CycleID: r.cycleID, EmployeeID: r.employeeID, Kind: c.Kind, Outcome: c.Outcome, Reason: c.Reason}
	if err := r.guard(actor, ActDecideRecommendation, ctx, "decide on a recommendation", e); err != nil {
		return nil, err
	}
	if !slices.Contains(ctx.Cycle.decided[r.employeeID], c.Kind) {
		return nil, &NotFoundError{Kind: "recommendation", ID: string(c.Kind)}
	}
	if r.decidedRecs[c.Kind] {
		return nil, &ConflictError{Reason: "this recommendation is already decided"}
	}
	var p problems
	p.check(c.Outcome == RecommendationAccepted || c.Outcome == RecommendationDismissed, "outcome",
		"must be %q or %q", RecommendationAccepted, RecommendationDismissed)
	checkReason(&p, "reason", c.Reason)
	return single(e, p.err())
}

// checkNewID records a missing id or one already used in this review.
func (r *Review) checkNewID(p *problems, field string, id uuid.UUID) {
	checkID(p, field, id)
	p.check(id == uuid.Nil || !r.ids[id], field, "is already used")
}

// checkScore records a score outside 0-100.
func checkScore(p *problems, field string, v decimal.Decimal) {
	p.check(!v.IsNegative() && v.LessThanOrEqual(hundred), field, "must be between 0 and 100")
}
