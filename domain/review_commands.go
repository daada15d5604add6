package domain

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// ReviewContext is what review commands check against besides the review
// itself: the cycle (state, scope, appeal window), the organisation
// (relationships), the cycle's pinned template and the service's clock.
type ReviewContext struct {
	Cycle        *Cycle
	CycleVersion int64 // the cycle stream's version Cycle reflects
	Org          *Organisation
	OrgVersion   int64 // the organisation stream's version Org reflects
	Template     scoring.Template
	Now          time.Time
}

// DraftGoal writes or rewrites one of the employee's goals.
type DraftGoal struct {
	GoalID      uuid.UUID
	Title       string
	Description string
}

// AssignPeer asks a colleague for a peer evaluation.
type AssignPeer struct{ PeerID uuid.UUID }

// DelegateManager lets someone else act as the employee's manager.
type DelegateManager struct {
	DelegateID uuid.UUID
	Reason     string
}

// RequestCustomerFeedback asks an external contact for an evaluation.
type RequestCustomerFeedback struct {
	RequestID uuid.UUID
	Contact   CustomerContact
	ExpiresAt time.Time
}

// MaxCustomerRequestDays bounds how long a customer link may stay valid.
const MaxCustomerRequestDays = 90

// guard is the common gate of review commands: the actor may perform action
// on this employee, the cycle exists and its state allows the event the
// command would record, and the employee is in the cycle. It runs before
// any input validation, so a refused caller learns nothing else.
func (r *Review) guard(actor Actor, action Action, ctx ReviewContext, what string, pending Event) error {
	if err := Authorize(actor, action, r.Target(ctx.Org)); err != nil {
		return err
	}
	if err := ctx.Cycle.requireState(what, reviewStates(pending)...); err != nil {
		return err
	}
	if !r.inCycle(ctx) {
		return &NotFoundError{Kind: "employee in cycle", ID: r.employeeID.String()}
	}
	return nil
}

// inCycle: before publication the scope decides; from publication on, the
// recorded decision does (someone who left afterwards may still appeal).
func (r *Review) inCycle(ctx ReviewContext) bool {
	if ctx.Cycle.State() == StatePublished || ctx.Cycle.State() == StateClosed {
		_, ok := ctx.Cycle.decided[r.employeeID]
		return ok
	}
	return ctx.Cycle.Includes(ctx.Org, r.employeeID)
}

// DraftGoal validates and records a goal of the employee's own.
func (r *Review) DraftGoal(actor Actor, ctx ReviewContext, c DraftGoal) ([]Event, error) {
	e := GoalDrafted{CycleID: r.cycleID, EmployeeID: r.employeeID, GoalID: c.GoalID, Title: c.Title, Description: c.Description}
	if err := r.guard(actor, ActOwnGoals, ctx, "draft a goal", e); err != nil {
		return nil, err
	}
	var p problems
	checkID(&p, "goal_id", c.GoalID)
	checkText(&p, "title", c.Title, MaxNameLen)
	checkOptionalText(&p, "description", c.Description, MaxCommentLen)
	return single(e, p.err())
}

// AgreeGoal records the manager's agreement to a goal as last drafted.
func (r *Review) AgreeGoal(actor Actor, ctx ReviewContext, goalID uuid.UUID) ([]Event, error) {
	e := GoalAgreed{CycleID: r.cycleID, EmployeeID: r.employeeID, GoalID: goalID}
	if err := r.guard(actor, ActAgreeGoals, ctx, "agree a goal", e); err != nil {
		return nil, err
	}
	g := r.goals[goalID]
	if g == nil {
		return nil, &NotFoundError{Kind: "goal", ID: goalID.String()}
	}
	if g.agreed {
		return nil, &ConflictError{Reason: "the goal is already agreed as drafted"}
	}
	return []Event{e}, nil
}

// DelegateManager records HR's delegate for the manager's part.
func (r *Review) DelegateManager(actor Actor, ctx ReviewContext, c DelegateManager) ([]Event, error) {
	e := ManagerDelegated{CycleID: r.cycleID, EmployeeID: r.employeeID, DelegateID: c.DelegateID, Reason: c.Reason}
	if err := r.guard(actor, ActDelegateManager, ctx, "delegate the manager evaluation", e); err != nil {
		return nil, err
	}
	var p problems
	switch {
	case !ctx.Org.activeEmployee(c.DelegateID):
		p.add("delegate_id", "is not a current employee")
	case c.DelegateID == r.employeeID:
		p.add("delegate_id", "an employee cannot manage themself")
	case slices.Contains(r.peers, c.DelegateID):
		p.add("delegate_id", "is assigned as a peer of the employee")
	case r.managerDone:
		p.add("delegate_id", "the manager evaluation is already submitted")
	}
	checkReason(&p, "reason", c.Reason)
	return single(e, p.err())
}

// AssignPeer records a peer assignment: never the employee, never their
// manager (of record or delegated), never twice (SPEC §4).
func (r *Review) AssignPeer(actor Actor, ctx ReviewContext, c AssignPeer) ([]Event, error) {
	e := PeerAssigned{CycleID: r.cycleID, EmployeeID: r.employeeID, PeerID: c.PeerID}
	if err := r.guard(actor, ActAssignPeers, ctx, "assign a peer", e); err != nil {
		return nil, err
	}
	t := r.Target(ctx.Org)
	var p problems
	switch {
	case c.PeerID == r.employeeID:
		p.add("peer_id", "an employee cannot be their own peer")
	case c.PeerID == t.Manager || c.PeerID == t.Delegate:
		p.add("peer_id", "the employee's manager cannot be a peer")
	case !ctx.Org.activeEmployee(c.PeerID):
		p.add("peer_id", "is not a current employee")
	case slices.Contains(r.peers, c.PeerID):
		p.add("peer_id", "is already assigned")
	}
	return single(e, p.err())
}

// RequestCustomerFeedback records a request to an external contact.
func (r *Review) RequestCustomerFeedback(actor Actor, ctx ReviewContext, c RequestCustomerFeedback) ([]Event, error) {
	e := CustomerFeedbackRequested{CycleID: r.cycleID, EmployeeID: r.employeeID,
		RequestID: c.RequestID, Contact: c.Contact, ExpiresAt: c.ExpiresAt}
	if err := r.guard(actor, ActRequestCustomer, ctx, "request customer feedback", e); err != nil {
		return nil, err
	}
	var p problems
	checkID(&p, "request_id", c.RequestID)
	if r.requests[c.RequestID] != nil {
		p.add("request_id", "is already used")
	}
	checkText(&p, "contact.name", c.Contact.Name, MaxNameLen)
	checkOptionalText(&p, "contact.company", c.Contact.Company, MaxNameLen)
	p.check(plainEmail(c.Contact.Email), "contact.email", "is not a plain e-mail address")
	p.check(c.ExpiresAt.After(ctx.Now), "expires_at", "must be in the future")
	p.check(!c.ExpiresAt.After(ctx.Now.AddDate(0, 0, MaxCustomerRequestDays)), "expires_at",
		"must be within %d days", MaxCustomerRequestDays)
	return single(e, p.err())
}

// SetKPITarget records the target of a measured criterion.
func (r *Review) SetKPITarget(actor Actor, ctx ReviewContext, criterion string, target decimal.Decimal) ([]Event, error) {
	e := KPITargetSet{CycleID: r.cycleID, EmployeeID: r.employeeID, Criterion: criterion, Target: target}
	if err := r.guard(actor, ActRecordKPI, ctx, "set a KPI target", e); err != nil {
		return nil, err
	}
	var p problems
	checkMeasured(&p, ctx.Template, criterion)
	// A zero target would divide by zero in actual / target.
	p.check(target.IsPositive(), "target", "must be positive")
	return single(e, p.err())
}

// RecordKPIActual records the actual of a measured criterion whose target
// is set.
func (r *Review) RecordKPIActual(actor Actor, ctx ReviewContext, criterion string, actual decimal.Decimal) ([]Event, error) {
	e := KPIActualRecorded{CycleID: r.cycleID, EmployeeID: r.employeeID, Criterion: criterion, Actual: actual}
	if err := r.guard(actor, ActRecordKPI, ctx, "record a KPI actual", e); err != nil {
		return nil, err
	}
	var p problems
	if checkMeasured(&p, ctx.Template, criterion) {
		_, ok := r.kpiTargets[criterion]
		p.check(ok, "criterion", "has no target yet; set the target first")
	}
	p.check(!actual.IsNegative(), "actual", "must not be negative")
	return single(e, p.err())
}

// checkMeasured records a criterion that is not a measured one of t.
func checkMeasured(p *problems, t scoring.Template, key string) bool {
	c, ok := criterionOf(t, key)
	switch {
	case !ok:
		p.add("criterion", "%q is not a criterion of the cycle's template", key)
	case c.Kind != scoring.Measured:
		p.add("criterion", "%q is rated, not measured", key)
	default:
		return true
	}
	return false
}

// criterionOf finds a criterion by key (keys are unique in a template).
func criterionOf(t scoring.Template, key string) (scoring.Criterion, bool) {
	for _, d := range t.Dimensions {
		for _, c := range d.Criteria {
			if c.Key == key {
				return c, true
			}
		}
	}
	return scoring.Criterion{}, false
}

// plainEmail is a deliberately small check (one @, a dotted domain, no
// spaces, at most 254 characters): the link is mailed by the HTTP layer,
// which is where deliverability shows; the domain only refuses obvious typos.
func plainEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && len(s) <= 254 && local != "" && !strings.ContainsAny(s, " \t\r\n<>,;") &&
		!strings.Contains(domain, "@") && strings.Contains(strings.Trim(domain, "."), ".")
}

// single returns e alone, or nothing when validation failed.
func single(e Event, err error) ([]Event, error) {
	if err != nil {
		return nil, err
	}
	return []Event{e}, nil
}
