package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// CycleRefs are the other aggregates a cycle's settings point at: the
// organisation (scope) and the latest versions of the chosen template and
// policy (zero values when they do not exist).
type CycleRefs struct {
	Org      *Organisation
	Template scoring.Template
	Policy   scoring.Policy
}

// CreateCycle asks for a new draft cycle.
type CreateCycle struct {
	CycleID  uuid.UUID
	Settings CycleSettings
}

// OverridePairing asks to accept a unit's forced-pairing warning.
type OverridePairing struct {
	UnitID        uuid.UUID
	Justification string
}

// SignOff asks to sign one step of the approval chain; UnitID only for the
// unit-head step.
type SignOff struct {
	Step    SignOffStep
	UnitID  uuid.UUID
	Comment string
}

// AppealStatus is what the fold knows about appeals when HR closes a cycle:
// who has an appeal open, and who could still appeal (neither acknowledged
// nor had an appeal resolved).
type AppealStatus struct {
	Open      []uuid.UUID
	Unsettled []uuid.UUID
}

// MaxAppealWindowDays bounds the appeal window a cycle may set.
const MaxAppealWindowDays = 90

// Create validates and records a new draft cycle.
func (c *Cycle) Create(actor Actor, cmd CreateCycle, refs CycleRefs) ([]Event, error) {
	if err := Authorize(actor, ActManageCycles, Target{}); err != nil {
		return nil, err
	}
	if c.Exists() {
		return nil, &ConflictError{Reason: "a cycle with this id already exists"}
	}
	var p problems
	checkID(&p, "cycle_id", cmd.CycleID)
	validateSettings(&p, cmd.Settings, refs)
	return single(CycleCreated(cmd), p.err())
}

// Revise validates and records new settings of a draft cycle.
func (c *Cycle) Revise(actor Actor, s CycleSettings, refs CycleRefs) ([]Event, error) {
	if err := c.authorizedIn(actor, ActManageCycles, "revise the cycle", StateDraft); err != nil {
		return nil, err
	}
	var p problems
	validateSettings(&p, s, refs)
	return single(CycleRevised{CycleID: c.id, Settings: s}, p.err())
}

// Open starts goal setting, pinning the template and policy versions in
// force now. The settings are checked again: the organisation, template or
// policy may have changed since the draft was written.
func (c *Cycle) Open(actor Actor, refs CycleRefs) ([]Event, error) {
	if err := c.authorizedIn(actor, ActManageCycles, "open the cycle", StateDraft); err != nil {
		return nil, err
	}
	var p problems
	validateSettings(&p, c.settings, refs)
	if err := p.err(); err != nil {
		return nil, err
	}
	days := c.settings.Deadlines.AppealWindowDays
	if days == 0 {
		days = refs.Policy.AppealWindowDays
	}
	return []Event{CycleOpened{CycleID: c.id, TemplateVersion: refs.Template.Version,
		PolicyVersion: refs.Policy.Version, AppealWindowDays: days}}, nil
}

// StartSelfReview moves goal setting on to self-review: HR at any time, or
// the service itself (SystemActor) once the goals deadline day has passed
// (SPEC §2: "HR, or automatically at the date").
func (c *Cycle) StartSelfReview(actor Actor, now time.Time) ([]Event, error) {
	if actor != SystemActor {
		if err := c.authorizedIn(actor, ActManageCycles, "start self-review", StateGoalSetting); err != nil {
			return nil, err
		}
		return []Event{SelfReviewStarted{CycleID: c.id}}, nil
	}
	if err := c.requireState("start self-review", StateGoalSetting); err != nil {
		return nil, err
	}
	if !GoalsOverdue(c.settings.Deadlines, now) {
		return nil, &BlockedError{Action: "start self-review automatically", Reasons: []string{"goals are due until " + c.settings.Deadlines.GoalsDue.AddDate(0, 0, 1).Format(time.RFC3339)}}
	}
	return []Event{SelfReviewStarted{CycleID: c.id}}, nil
}

// GoalsOverdue tells whether the goals deadline day has passed at now: from
// then on the service starts self-review by itself.
func GoalsOverdue(d Deadlines, now time.Time) bool {
	return !now.Before(d.GoalsDue.AddDate(0, 0, 1))
}

// StartReview moves self-review on to review.
func (c *Cycle) StartReview(actor Actor) ([]Event, error) {
	if err := c.authorizedIn(actor, ActManageCycles, "start review", StateSelfReview); err != nil {
		return nil, err
	}
	return []Event{ReviewStarted{CycleID: c.id}}, nil
}

// StartCalibration moves review on to calibration.
func (c *Cycle) StartCalibration(actor Actor) ([]Event, error) {
	if err := c.authorizedIn(actor, ActManageCycles, "start calibration", StateReview); err != nil {
		return nil, err
	}
	return []Event{CalibrationStarted{CycleID: c.id}}, nil
}

// StartApproval moves calibration on to approval if the engine's current
// result has no blocker (a block-mode unit over budget, a forced-pairing
// warning without override, an incomplete employee). The units whose heads
// must sign are taken from the same result.
func (c *Cycle) StartApproval(actor Actor, res scoring.Result) ([]Event, error) {
	if err := c.authorizedIn(actor, ActManageCycles, "start approval", StateCalibration); err != nil {
		return nil, err
	}
	if err := c.checkResult("start approval", res); err != nil {
		return nil, err
	}
	units := make([]uuid.UUID, len(res.Units))
	for i, u := range res.Units {
		units[i] = u.UnitID
	}
	return []Event{ApprovalStarted{CycleID: c.id, Units: units}}, nil
}

// OverridePairing records HR's justification for a unit's A+ without a C.
func (c *Cycle) OverridePairing(actor Actor, cmd OverridePairing, org *Organisation) ([]Event, error) {
	if err := c.authorizedIn(actor, ActOverridePairing, "override forced pairing", StateCalibration); err != nil {
		return nil, err
	}
	var p problems
	if _, ok := org.Unit(cmd.UnitID); !ok {
		p.add("unit_id", "is not a known unit")
	} else if c.overrides[cmd.UnitID] {
		p.add("unit_id", "already has a forced-pairing override in this cycle")
	}
	checkText(&p, "justification", cmd.Justification, MaxReasonLen)
	return single(PairingOverrideGranted{CycleID: c.id, UnitID: cmd.UnitID, Justification: cmd.Justification}, p.err())
}

// SignOff records one step of the chain, in order: each unit head (or HR
// for them), then the operations head, then the leader (HR roles).
func (c *Cycle) SignOff(actor Actor, cmd SignOff, org *Organisation) ([]Event, error) {
	action := ActSignOffOperations
	if cmd.Step == StepUnitHead {
		action = ActSignOffUnit
	}
	if err := Authorize(actor, action, org.UnitTarget(cmd.UnitID)); err != nil {
		return nil, err
	}
	if err := c.requireState("sign off", StateApproval); err != nil {
		return nil, err
	}
	var p problems
	checkOptionalText(&p, "comment", cmd.Comment, MaxCommentLen)
	switch cmd.Step {
	case StepUnitHead:
		p.check(slices.Contains(c.approvalUnits, cmd.UnitID), "unit_id", "is not a unit awaiting sign-off in this cycle")
	case StepOperationsHead, StepLeader:
		p.check(cmd.UnitID == uuid.Nil, "unit_id", "applies to the unit-head step only")
	default:
		p.add("step", "must be %q, %q or %q", StepUnitHead, StepOperationsHead, StepLeader)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := c.checkSignOffOrder(cmd); err != nil {
		return nil, err
	}
	return []Event{CycleSignedOff{CycleID: c.id, Step: cmd.Step, UnitID: cmd.UnitID, Comment: cmd.Comment}}, nil
}

// checkSignOffOrder refuses a step signed twice or before the one it follows.
func (c *Cycle) checkSignOffOrder(cmd SignOff) error {
	switch {
	case cmd.Step == StepUnitHead && c.unitSigned[cmd.UnitID]:
		return &ConflictError{Reason: "this unit has already signed off"}
	case cmd.Step == StepUnitHead && c.operationsSaid:
		return &BlockedError{Action: "sign off", Reasons: []string{"the operations head has already signed"}}
	case cmd.Step == StepOperationsHead && c.operationsSaid, cmd.Step == StepLeader && c.leaderSaid:
		return &ConflictError{Reason: fmt.Sprintf("step %s is already signed", cmd.Step)}
	case cmd.Step == StepOperationsHead:
		var waiting []string
		for _, u := range c.approvalUnits {
			if !c.unitSigned[u] {
				waiting = append(waiting, "unit "+u.String()+" has not signed")
			}
		}
		if len(waiting) > 0 {
			return &BlockedError{Action: "operations sign-off", Reasons: waiting}
		}
	case cmd.Step == StepLeader && !c.operationsSaid:
		return &BlockedError{Action: "leader approval", Reasons: []string{"the operations head has not signed"}}
	}
	return nil
}

// Publish records publication together with the decision it publishes:
// CyclePublished, DecisionRecorded and its parts, in one append.
func (c *Cycle) Publish(actor Actor, now time.Time, res scoring.Result, lastInput int64, decisionID uuid.UUID) ([]Event, error) {
	if err := c.authorizedIn(actor, ActPublish, "publish", StateApproval); err != nil {
		return nil, err
	}
	if !c.leaderSaid {
		return nil, &BlockedError{Action: "publish", Reasons: []string{"the leader has not approved"}}
	}
	if err := c.checkResult("publish", res); err != nil {
		return nil, err
	}
	published := CyclePublished{CycleID: c.id, PublishedAt: now, AppealsUntil: now.AddDate(0, 0, c.appealDays)}
	return append([]Event{published}, newDecision(DecisionPublication, scoring.Published, decisionID, res, lastInput)...), nil
}

// Reopen sends published results back to calibration with a reason.
func (c *Cycle) Reopen(actor Actor, reason string) ([]Event, error) {
	if err := c.authorizedIn(actor, ActManageCycles, "reopen", StatePublished); err != nil {
		return nil, err
	}
	var p problems
	checkReason(&p, "reason", reason)
	return single(CycleReopened{CycleID: c.id, Reason: reason}, p.err())
}

// Close makes results final and records the final decision. It is refused
// while an appeal is open, and before the appeal window ends unless nobody
// is left who could still appeal (SPEC §2, §10).
func (c *Cycle) Close(actor Actor, now time.Time, res scoring.Result, appeals AppealStatus, lastInput int64, decisionID uuid.UUID) ([]Event, error) {
	if err := c.authorizedIn(actor, ActPublish, "close", StatePublished); err != nil {
		return nil, err
	}
	var reasons []string
	for _, id := range appeals.Open {
		reasons = append(reasons, "employee "+id.String()+" has an open appeal")
	}
	if now.Before(c.appealsUntil) && len(appeals.Unsettled) > 0 {
		reasons = append(reasons, fmt.Sprintf("the appeal window runs until %s and %d employees may still appeal",
			c.appealsUntil.Format(time.RFC3339), len(appeals.Unsettled)))
	}
	if len(reasons) > 0 {
		return nil, &BlockedError{Action: "close", Reasons: reasons}
	}
	if err := c.checkResultCycle(res); err != nil {
		return nil, err
	}
	closed := CycleClosed{CycleID: c.id, ClosedAt: now}
	return append([]Event{closed}, newDecision(DecisionClose, scoring.Closed, decisionID, res, lastInput)...), nil
}

// authorizedIn authorises an HR-level action, then checks the state.
func (c *Cycle) authorizedIn(actor Actor, action Action, what string, allowed ...CycleState) error {
	if err := Authorize(actor, action, Target{}); err != nil {
		return err
	}
	return c.requireState(what, allowed...)
}

// checkResult refuses a result of another cycle or one with blockers.
func (c *Cycle) checkResult(action string, res scoring.Result) error {
	if err := c.checkResultCycle(res); err != nil {
		return err
	}
	if res.Approvable() {
		return nil
	}
	reasons := make([]string, len(res.Blockers))
	for i, b := range res.Blockers {
		reasons[i] = string(b.Kind) + ": " + b.Message
	}
	return &BlockedError{Action: action, Reasons: reasons}
}

// checkResultCycle guards against the service passing another cycle's
// result, which would record a wrong decision.
func (c *Cycle) checkResultCycle(res scoring.Result) error {
	if res.CycleID != c.id {
		return fmt.Errorf("result of cycle %s given for cycle %s: %w", res.CycleID, c.id, ErrConflict)
	}
	return nil
}

// validateSettings records every problem with a cycle's settings.
func validateSettings(p *problems, s CycleSettings, refs CycleRefs) {
	checkText(p, "name", s.Name, MaxNameLen)
	p.check(s.Cadence.Valid(), "cadence", "must be %q, %q or %q", scoring.Monthly, scoring.Quarterly, scoring.Annual)
	checkDate(p, "period_start", s.PeriodStart)
	checkDate(p, "period_end", s.PeriodEnd)
	if s.Cadence.Valid() && isDate(s.PeriodStart) && isDate(s.PeriodEnd) {
		checkPeriod(p, s)
	}
	p.check(refs.Template.Version > 0 && refs.Template.ID == s.TemplateID, "template_id", "is not a known template")
	p.check(refs.Policy.Version > 0 && refs.Policy.ID == s.PolicyID, "policy_id", "is not a known policy")
	validateScope(p, s.Scope, refs.Org)
	validateDeadlines(p, s)
}

// checkPeriod requires whole calendar months matching the cadence, because
// the pay standard is the monthly standard times the months covered.
func checkPeriod(p *problems, s CycleSettings) {
	if s.PeriodStart.Day() != 1 {
		p.add("period_start", "must be the first day of a month")
		return
	}
	want := s.PeriodStart.AddDate(0, s.Cadence.Months(), -1)
	p.check(s.PeriodEnd.Equal(want), "period_end", "must be %s for a %s cycle starting %s",
		want.Format(time.DateOnly), s.Cadence, s.PeriodStart.Format(time.DateOnly))
}

func validateScope(p *problems, s Scope, org *Organisation) {
	if len(s.Units) == 0 && len(s.Employees) == 0 {
		p.add("scope", "name at least one unit or employee")
		return
	}
	before := len(p.fields)
	checkKnown(p, "scope.units", s.Units, org.Unit, "unit")
	checkKnown(p, "scope.employees", s.Employees, org.Employee, "employee")
	checkKnown(p, "scope.excluded_levels", s.ExcludedLevels, org.Level, "position level")
	checkKnown(p, "scope.excluded_employees", s.ExcludedEmployees, org.Employee, "employee")
	// Only a scope whose ids are all known can be judged empty.
	if len(p.fields) == before && len(s.participants(org)) == 0 {
		p.add("scope", "contains no current employee after exclusions")
	}
}

// checkKnown adds a problem for each of ids that lookup does not find,
// named field[i].
func checkKnown[T any](p *problems, field string, ids []uuid.UUID, lookup func(uuid.UUID) (T, bool), what string) {
	for i, id := range ids {
		_, ok := lookup(id)
		p.check(ok, fmt.Sprintf("%s[%d]", field, i), "is not a known %s", what)
	}
}

func validateDeadlines(p *problems, s CycleSettings) {
	d := s.Deadlines
	checkDate(p, "deadlines.goals_due", d.GoalsDue)
	checkDate(p, "deadlines.self_review_due", d.SelfReviewDue)
	checkDate(p, "deadlines.reviews_due", d.ReviewsDue)
	checkDate(p, "deadlines.payroll_due", d.PayrollDue)
	p.check(!d.SelfReviewDue.Before(d.GoalsDue), "deadlines.self_review_due", "must not be before goals_due")
	p.check(!d.ReviewsDue.Before(d.SelfReviewDue), "deadlines.reviews_due", "must not be before self_review_due")
	p.check(d.PayrollDue.After(d.ReviewsDue), "deadlines.payroll_due", "must be after reviews_due")
	p.check(d.PayrollDue.After(s.PeriodEnd), "deadlines.payroll_due", "must be after period_end")
	p.check(d.AppealWindowDays >= 0 && d.AppealWindowDays <= MaxAppealWindowDays,
		"deadlines.appeal_window_days", "must be between 0 (the policy's window) and %d", MaxAppealWindowDays)
}
