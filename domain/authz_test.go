package domain_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
)

// The SPEC §13 matrix, action by role, with the relationships that matter:
// "self" acts on their own record, "manager" on a report, "head" on their
// unit, "peer"/"customer" on what they were asked for, "stranger" holds the
// role but no relationship to the target.
func TestAuthorizeMatrix(t *testing.T) {
	emp, mgr, delegate, head, peer, req, stranger := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	target := domain.Target{Employee: emp, Manager: mgr, Delegate: delegate, UnitHead: head, Unit: uuid.New(),
		Peers: []uuid.UUID{peer}, CustomerRequests: []uuid.UUID{req}}
	actors := map[string]domain.Actor{
		"self":              {ID: emp, Role: domain.RoleEmployee},
		"employee":          {ID: stranger, Role: domain.RoleEmployee},
		"manager":           {ID: mgr, Role: domain.RoleManager},
		"delegate":          {ID: delegate, Role: domain.RoleManager},
		"stranger manager":  {ID: stranger, Role: domain.RoleManager},
		"head":              {ID: head, Role: domain.RoleUnitHead},
		"stranger head":     {ID: stranger, Role: domain.RoleUnitHead},
		"peer":              {ID: peer, Role: domain.RolePeer},
		"stranger peer":     {ID: stranger, Role: domain.RolePeer},
		"customer":          {ID: req, Role: domain.RoleCustomer},
		"stranger customer": {ID: stranger, Role: domain.RoleCustomer},
		"hr":                {ID: stranger, Role: domain.RoleHR},
		"auditor":           {ID: stranger, Role: domain.RoleAuditor},
		"no role":           {ID: emp, Role: "admin"},
		"no id":             {Role: domain.RoleHR},
	}
	allowed := map[domain.Action][]string{
		domain.ActManageOrganisation:   {"hr"},
		domain.ActManageTemplates:      {"hr"},
		domain.ActManagePolicies:       {"hr"},
		domain.ActManageCycles:         {"hr"},
		domain.ActPublish:              {"hr"},
		domain.ActExportPayroll:        {"hr"},
		domain.ActOverridePairing:      {"hr"},
		domain.ActSignOffOperations:    {"hr"},
		domain.ActResolveAppeal:        {"hr"},
		domain.ActGrantAward:           {"hr"},
		domain.ActDecideRecommendation: {"hr"},
		domain.ActDelegateManager:      {"hr"},
		domain.ActOwnGoals:             {"self"},
		domain.ActSelfEvaluate:         {"self"},
		domain.ActAcknowledge:          {"self"},
		domain.ActAppeal:               {"self"},
		domain.ActAgreeGoals:           {"manager", "delegate"},
		domain.ActManagerEvaluate:      {"manager", "delegate"},
		domain.ActAssignPeers:          {"manager", "delegate", "hr"},
		domain.ActRequestCustomer:      {"manager", "delegate", "hr"},
		domain.ActRecordKPI:            {"manager", "delegate", "hr"},
		domain.ActPeerEvaluate:         {"peer"},
		domain.ActCustomerEvaluate:     {"customer"},
		domain.ActCalibrate:            {"head", "hr"},
		domain.ActSignOffUnit:          {"head", "hr"},
		domain.ActReadResults:          {"self", "manager", "delegate", "head", "hr", "auditor"},
		domain.ActReadEverything:       {"hr", "auditor"},
		domain.ActReplayAndVerify:      {"hr", "auditor"},
	}
	for action, who := range allowed {
		for name, actor := range actors {
			err := domain.Authorize(actor, action, target)
			want := contains(who, name)
			if (err == nil) != want {
				t.Errorf("%s may %q: got %v, want allowed=%v", name, action, err, want)
			}
			if err != nil && !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("%s / %q: %v is not ErrForbidden", name, action, err)
			}
		}
	}
	// Conflict of interest: HR and a unit head are refused on their own record
	// except for what every employee does on theirs.
	for _, role := range []domain.Role{domain.RoleHR, domain.RoleUnitHead, domain.RoleManager} {
		self := domain.Target{Employee: head, Manager: head, UnitHead: head}
		for _, action := range []domain.Action{domain.ActCalibrate, domain.ActResolveAppeal, domain.ActGrantAward, domain.ActAssignPeers, domain.ActManagerEvaluate} {
			if domain.Authorize(domain.Actor{ID: head, Role: role}, action, self) == nil {
				t.Errorf("%s may %q on their own record", role, action)
			}
		}
		if err := domain.Authorize(domain.Actor{ID: head, Role: role}, domain.ActReadResults, self); err != nil {
			t.Errorf("%s may not read their own results: %v", role, err)
		}
	}
	if err := domain.Authorize(actors["hr"], "launch missiles", target); err == nil {
		t.Error("an unknown action was allowed")
	}
}
