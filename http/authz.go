package http

import (
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
)

// authorize is the gate for what the domain's commands do not cover (reads,
// token issue); it asks domain.Authorize, so SPEC §13 lives in one place.
// A person's token is tried in each capacity the route allows (own results
// as employee, a report's as manager, the unit's as unit head); HR and
// auditor tokens act in their office. The refusal says nothing about the
// target, so it never reveals whether it exists.
func authorize(c echo.Context, action domain.Action, target domain.Target, capacities ...domain.Role) (domain.Actor, error) {
	p, ok := principalOf(c)
	if !ok {
		return domain.Actor{}, newProblem(kindUnauthenticated, "")
	}
	if p.Role != domain.RoleEmployee {
		a := domain.Actor{ID: p.ID, Role: p.Role}
		return a, domain.Authorize(a, action, target)
	}
	for _, capacity := range capacities {
		a := actorFor(p, capacity)
		if domain.Authorize(a, action, target) == nil {
			return a, nil
		}
	}
	return domain.Actor{}, &domain.ForbiddenError{Action: action, Role: p.Role}
}

// seesEverything: HR and auditors see every rater's input (SPEC §4).
func seesEverything(a domain.Actor) bool {
	return a.Role == domain.RoleHR || a.Role == domain.RoleAuditor
}
