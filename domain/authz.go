package domain

import (
	"slices"

	"github.com/google/uuid"
)

// Role is the capacity a person (or a customer link) acts in. A person may
// hold several relationships (an employee who manages others and heads a
// unit); each request acts in one role, and the role is recorded on every
// event it causes (SPEC §12).
type Role string

// The roles of SPEC §13.
const (
	RoleEmployee Role = "employee"
	RoleManager  Role = "manager"
	RoleUnitHead Role = "unit_head"
	RolePeer     Role = "peer"
	RoleCustomer Role = "customer"
	RoleHR       Role = "hr"
	RoleAuditor  Role = "auditor"
	// RoleSystem is the service acting on its own (the scheduled start of
	// self-review); no person can authenticate as it, and Authorize refuses
	// it everything: the one command that accepts it checks it itself.
	RoleSystem Role = "system"
)

// SystemActor is the actor of events the service writes on its own.
var SystemActor = Actor{ID: uuid.MustParse("00000000-0000-4000-8000-000000000001"), Role: RoleSystem}

// Valid reports whether r is a role a caller may act in.
func (r Role) Valid() bool {
	switch r {
	case RoleEmployee, RoleManager, RoleUnitHead, RolePeer, RoleCustomer, RoleHR, RoleAuditor:
		return true
	}
	return false
}

// Actor is who is acting. ID is an employee id for people and the customer
// feedback request id for a customer answering through a link. HR and auditor
// roles come from the caller's credentials; every other role is checked here
// against the relationship it claims (the actor must really be the manager,
// the unit head, the assigned peer, the addressee of the request).
type Actor struct {
	ID   uuid.UUID `json:"id"`
	Role Role      `json:"role"`
}

// Target is what an action is on, with the relationships that decide who may
// act: the employee concerned, their manager of record (and HR's delegate),
// their unit and its head, the peers assigned to them and the customer
// requests open for them in the cycle. Build it with Organisation.Target and
// Review.Target rather than by hand, so HTTP reads and domain commands see the
// same facts.
type Target struct {
	Employee         uuid.UUID
	Manager          uuid.UUID
	Delegate         uuid.UUID
	Unit             uuid.UUID
	UnitHead         uuid.UUID
	Peers            []uuid.UUID
	CustomerRequests []uuid.UUID
}

// Action is something a caller wants to do, in the words of SPEC §13.
type Action string

// The actions. Reads are included so that the HTTP layer authorises them here
// too and authorisation lives in one place.
const (
	ActManageOrganisation   Action = "manage the organisation"
	ActManageTemplates      Action = "manage templates"
	ActManagePolicies       Action = "manage policies"
	ActManageCycles         Action = "manage cycles"
	ActPublish              Action = "publish or close a cycle"
	ActExportPayroll        Action = "export payroll"
	ActOverridePairing      Action = "override a forced-pairing warning"
	ActSignOffOperations    Action = "sign off as operations head or leader"
	ActResolveAppeal        Action = "resolve an appeal"
	ActGrantAward           Action = "grant awards and impose penalties"
	ActDecideRecommendation Action = "decide on a recommendation"
	ActDelegateManager      Action = "delegate a manager evaluation"
	ActOwnGoals             Action = "draft own goals"
	ActSelfEvaluate         Action = "submit a self-evaluation"
	ActAcknowledge          Action = "acknowledge results"
	ActAppeal               Action = "appeal results"
	ActAgreeGoals           Action = "agree goals"
	ActManagerEvaluate      Action = "evaluate a direct report"
	ActAssignPeers          Action = "assign peers"
	ActRequestCustomer      Action = "request customer feedback"
	ActRecordKPI            Action = "record KPI targets and actuals"
	ActPeerEvaluate         Action = "submit a peer evaluation"
	ActCustomerEvaluate     Action = "submit a customer evaluation"
	ActCalibrate            Action = "calibrate scores"
	ActSignOffUnit          Action = "sign off a unit"
	ActReadResults          Action = "read results"
	ActReadEverything       Action = "read everything"
	ActReplayAndVerify      Action = "replay decisions and verify the log"
)

// Authorize decides whether actor may perform action on target (SPEC §13).
// It returns nil or a *ForbiddenError that says nothing about the target, so
// a denial never reveals whether the target exists.
func Authorize(actor Actor, action Action, target Target) error {
	if actor.ID != uuid.Nil && actor.Role.Valid() && allowed(actor, action, target) {
		return nil
	}
	return &ForbiddenError{Action: action, Role: actor.Role}
}

func allowed(a Actor, action Action, t Target) bool {
	if isSelf(a, t) && !ownActions[action] {
		// Nobody calibrates, resolves, rewards or assigns raters for their
		// own record, whatever role they hold: a conflict of interest.
		return false
	}
	switch action {
	case ActManageOrganisation, ActManageTemplates, ActManagePolicies, ActManageCycles,
		ActPublish, ActExportPayroll, ActOverridePairing, ActSignOffOperations,
		ActResolveAppeal, ActGrantAward, ActDecideRecommendation, ActDelegateManager:
		return a.Role == RoleHR
	case ActOwnGoals, ActSelfEvaluate, ActAcknowledge, ActAppeal:
		return a.Role == RoleEmployee && isSelf(a, t)
	case ActAgreeGoals, ActManagerEvaluate:
		return a.Role == RoleManager && isManager(a, t)
	case ActAssignPeers, ActRequestCustomer, ActRecordKPI:
		return a.Role == RoleHR || (a.Role == RoleManager && isManager(a, t))
	case ActPeerEvaluate:
		return a.Role == RolePeer && slices.Contains(t.Peers, a.ID)
	case ActCustomerEvaluate:
		return a.Role == RoleCustomer && slices.Contains(t.CustomerRequests, a.ID)
	case ActCalibrate, ActSignOffUnit:
		return a.Role == RoleHR || (a.Role == RoleUnitHead && t.UnitHead != uuid.Nil && a.ID == t.UnitHead)
	case ActReadResults:
		return readsResults(a, t)
	case ActReadEverything:
		return a.Role == RoleHR || a.Role == RoleAuditor
	case ActReplayAndVerify:
		return a.Role == RoleAuditor || a.Role == RoleHR
	}
	return false
}

// ownActions are what a person does on their own record.
var ownActions = map[Action]bool{ActOwnGoals: true, ActSelfEvaluate: true, ActAcknowledge: true, ActAppeal: true,
	ActReadResults: true, ActReadEverything: true, ActReplayAndVerify: true}

func isSelf(a Actor, t Target) bool { return t.Employee != uuid.Nil && a.ID == t.Employee }

// isManager accepts the manager of record and the delegate HR named (SPEC §4:
// "HR can delegate").
func isManager(a Actor, t Target) bool {
	return (t.Manager != uuid.Nil && a.ID == t.Manager) || (t.Delegate != uuid.Nil && a.ID == t.Delegate)
}

// readsResults: employees see their own, managers their reports', unit heads
// their unit's, HR and auditors everything (SPEC §13).
func readsResults(a Actor, t Target) bool {
	switch a.Role {
	case RoleEmployee:
		return isSelf(a, t)
	case RoleManager:
		return isManager(a, t)
	case RoleUnitHead:
		return t.UnitHead != uuid.Nil && a.ID == t.UnitHead
	case RoleHR, RoleAuditor:
		return true
	}
	return false
}
