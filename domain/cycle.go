package domain

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// CycleState is where a cycle is in the state machine of SPEC §2.
type CycleState string

// The states, in their forward order.
const (
	StateDraft       CycleState = "draft"
	StateGoalSetting CycleState = "goal_setting"
	StateSelfReview  CycleState = "self_review"
	StateReview      CycleState = "review"
	StateCalibration CycleState = "calibration"
	StateApproval    CycleState = "approval"
	StatePublished   CycleState = "published"
	StateClosed      CycleState = "closed"
)

// CycleStream is the stream of one cycle's lifecycle, sign-offs, overrides
// and recorded decisions.
func CycleStream(cycleID uuid.UUID) string { return streamOf("cycle-", cycleID) }

// Cycle is the aggregate of one appraisal cycle (考核周期).
type Cycle struct {
	id              uuid.UUID
	settings        CycleSettings
	state           CycleState
	templateVersion int
	policyVersion   int
	appealDays      int
	approvalUnits   []uuid.UUID
	unitSigned      map[uuid.UUID]bool
	operationsSaid  bool
	leaderSaid      bool
	overrides       map[uuid.UUID]bool
	publishedAt     time.Time
	appealsUntil    time.Time
	closedAt        time.Time
	// decided is the latest recorded decision's employees with the
	// recommendations it raised; HR decides on those (SPEC §9).
	decided map[uuid.UUID][]scoring.RecommendationKind
	// pendingDecision collects the rows of a decision as its parts arrive.
	pendingDecision uuid.UUID
}

// NewCycle returns a cycle before its first event.
func NewCycle() *Cycle {
	return &Cycle{unitSigned: map[uuid.UUID]bool{}, overrides: map[uuid.UUID]bool{},
		decided: map[uuid.UUID][]scoring.RecommendationKind{}}
}

// apply changes state by one event and never validates.
func (c *Cycle) apply(e Event) {
	switch e := e.(type) {
	case CycleCreated:
		c.id, c.settings, c.state = e.CycleID, e.Settings, StateDraft
	case CycleRevised:
		c.settings = e.Settings
	case CycleOpened:
		c.state, c.templateVersion, c.policyVersion = StateGoalSetting, e.TemplateVersion, e.PolicyVersion
		c.appealDays = e.AppealWindowDays
	case SelfReviewStarted:
		c.state = StateSelfReview
	case ReviewStarted:
		c.state = StateReview
	case CalibrationStarted:
		c.state = StateCalibration
	case ApprovalStarted:
		c.state, c.approvalUnits = StateApproval, e.Units
	case PairingOverrideGranted:
		c.overrides[e.UnitID] = true
	case CycleSignedOff:
		c.applySignOff(e)
	case CyclePublished:
		c.state, c.publishedAt, c.appealsUntil = StatePublished, e.PublishedAt, e.AppealsUntil
	case CycleReopened:
		// Every later step repeats, sign-offs included (SPEC §2).
		c.state, c.approvalUnits = StateCalibration, nil
		c.unitSigned, c.operationsSaid, c.leaderSaid = map[uuid.UUID]bool{}, false, false
	case CycleClosed:
		c.state, c.closedAt = StateClosed, e.ClosedAt
	case DecisionRecorded:
		c.pendingDecision = e.DecisionID
		c.decided = map[uuid.UUID][]scoring.RecommendationKind{}
	case DecisionPartRecorded:
		if e.DecisionID == c.pendingDecision {
			for _, m := range e.Employees {
				c.decided[m.EmployeeID] = m.Recommendations
			}
		}
	}
}

func (c *Cycle) applySignOff(e CycleSignedOff) {
	switch e.Step {
	case StepUnitHead:
		c.unitSigned[e.UnitID] = true
	case StepOperationsHead:
		c.operationsSaid = true
	case StepLeader:
		c.leaderSaid = true
	}
}

// Exists reports whether the cycle was created.
func (c *Cycle) Exists() bool { return c.id != uuid.Nil }

// State is the cycle's current state.
func (c *Cycle) State() CycleState { return c.state }

// Settings are the cycle's current settings.
func (c *Cycle) Settings() CycleSettings { return c.settings }

// PinnedVersions are the template and policy versions fixed when the cycle
// opened (zero while it is a draft).
func (c *Cycle) PinnedVersions() (template, policy int) { return c.templateVersion, c.policyVersion }

// PublishedAt is when the latest publication happened (zero before one).
func (c *Cycle) PublishedAt() time.Time { return c.publishedAt }

// AppealsUntil is the end of the appeal window of the latest publication.
func (c *Cycle) AppealsUntil() time.Time { return c.appealsUntil }

// Includes reports whether employee id is in the cycle's scope under org:
// employed now, in a scoped unit or named, and not excluded by level or name.
func (c *Cycle) Includes(org *Organisation, id uuid.UUID) bool {
	m, ok := org.Employee(id)
	if !ok || !m.Active {
		return false
	}
	return c.settings.Scope.includes(m)
}

// includes applies the scope to one employee record.
func (s Scope) includes(m Employee) bool {
	if slices.Contains(s.ExcludedEmployees, m.ID) || slices.Contains(s.ExcludedLevels, m.LevelID) {
		return false
	}
	return slices.Contains(s.Units, m.UnitID) || slices.Contains(s.Employees, m.ID)
}

// Participants lists the employees in scope under org, ordered by id.
func (c *Cycle) Participants(org *Organisation) []Employee { return c.settings.Scope.participants(org) }

func (s Scope) participants(org *Organisation) []Employee {
	var out []Employee
	for _, m := range org.Employees() {
		if m.Active && s.includes(m) {
			out = append(out, m)
		}
	}
	return out
}

// resultStatus maps the state to how final the results are.
func (c *Cycle) resultStatus() scoring.ResultStatus {
	switch c.state {
	case StatePublished:
		return scoring.Published
	case StateClosed:
		return scoring.Closed
	}
	return scoring.Provisional
}

// requireState refuses the action unless the cycle is in one of allowed.
func (c *Cycle) requireState(action string, allowed ...CycleState) error {
	if !c.Exists() {
		return &NotFoundError{Kind: "cycle", ID: ""}
	}
	if slices.Contains(allowed, c.state) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, s := range allowed {
		names[i] = string(s)
	}
	return &StateError{Action: action, State: string(c.state), Allowed: names}
}
