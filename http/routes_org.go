package http

import (
	"context"
	nethttp "net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// orgRoutes: the organisation, templates and policies (HR, SPEC §1, §3, §6-§10).
func (s *Server) orgRoutes() []route {
	app := s.deps.App
	hr := domain.RoleHR
	created := nethttp.StatusCreated
	return []route{
		{method: "POST", path: "/api/v1/units", summary: "Create a unit", tag: "organisation", body: domain.CreateUnit{}, status: created,
			handler: command(s, hr, created, func(ctx context.Context, call domain.Call, _ echo.Context, b *domain.CreateUnit) (Written, error) {
				id := orNew(&b.UnitID)
				return wroteID(id)(app.CreateUnit(ctx, call, *b))
			})},
		{method: "POST", path: "/api/v1/units/:unit/head", summary: "Appoint a unit's head", tag: "organisation", body: domain.AppointUnitHead{},
			handler: command(s, hr, nethttp.StatusOK, func(ctx context.Context, call domain.Call, c echo.Context, b *domain.AppointUnitHead) (Written, error) {
				if err := bindPath(c, "unit", "unit_id", &b.UnitID); err != nil {
					return Written{}, err
				}
				return wrote(app.AppointUnitHead(ctx, call, *b))
			})},
		{method: "POST", path: "/api/v1/levels", summary: "Define a position level with its monthly pay standard", tag: "organisation", body: domain.DefinePositionLevel{}, status: created,
			handler: command(s, hr, created, func(ctx context.Context, call domain.Call, _ echo.Context, b *domain.DefinePositionLevel) (Written, error) {
				id := orNew(&b.LevelID)
				return wroteID(id)(app.DefinePositionLevel(ctx, call, *b))
			})},
		{method: "POST", path: "/api/v1/levels/:level/standard", summary: "Change a level's monthly pay standard", tag: "organisation", body: domain.ChangePayStandard{},
			handler: command(s, hr, nethttp.StatusOK, func(ctx context.Context, call domain.Call, c echo.Context, b *domain.ChangePayStandard) (Written, error) {
				if err := bindPath(c, "level", "level_id", &b.LevelID); err != nil {
					return Written{}, err
				}
				return wrote(app.ChangePayStandard(ctx, call, *b))
			})},
		{method: "POST", path: "/api/v1/employees", summary: "Hire an employee", tag: "organisation", body: domain.HireEmployee{}, status: created,
			handler: command(s, hr, created, func(ctx context.Context, call domain.Call, _ echo.Context, b *domain.HireEmployee) (Written, error) {
				id := orNew(&b.EmployeeID)
				return wroteID(id)(app.HireEmployee(ctx, call, *b))
			})},
		employeeCommand(s, "transfer", "Transfer an employee to another unit and manager", app.TransferEmployee, func(b *domain.TransferEmployee) *uuid.UUID { return &b.EmployeeID }),
		employeeCommand(s, "manager", "Give an employee a new manager of record", app.ChangeManager, func(b *domain.ChangeManager) *uuid.UUID { return &b.EmployeeID }),
		employeeCommand(s, "level", "Move an employee to another position level", app.ChangeLevel, func(b *domain.ChangeLevel) *uuid.UUID { return &b.EmployeeID }),
		employeeCommand(s, "leave", "Record that an employee left (their bearer tokens stop working)", s.recordLeave, func(b *domain.RecordLeave) *uuid.UUID { return &b.EmployeeID }),
		{method: "POST", path: "/api/v1/employees/:employee/tokens", summary: "Issue a bearer token for an employee (HR); the token is shown once", tag: "auth", body: TokenBody{}, resp: IssuedToken{}, status: created, handler: s.issueToken},
		{method: "POST", path: "/api/v1/employees/:employee/tokens/revoke", summary: "Revoke every token of an employee (HR)", tag: "auth", resp: Revoked{}, handler: s.revokeTokens},
		{method: "POST", path: "/api/v1/templates", summary: "Publish a template version (weights in each level sum to 100%)", tag: "templates", body: scoring.Template{}, status: created,
			handler: command(s, hr, created, func(ctx context.Context, call domain.Call, _ echo.Context, b *scoring.Template) (Written, error) {
				id := orNew(&b.ID)
				return wroteID(id)(app.PublishTemplate(ctx, call, *b))
			})},
		{method: "POST", path: "/api/v1/policies", summary: "Publish a policy version (rater weights, grade bands, budget mode, rules)", tag: "templates", body: scoring.Policy{}, status: created,
			handler: command(s, hr, created, func(ctx context.Context, call domain.Call, _ echo.Context, b *scoring.Policy) (Written, error) {
				id := orNew(&b.ID)
				return wroteID(id)(app.PublishPolicy(ctx, call, *b))
			})},
		{method: "GET", path: "/api/v1/templates/:template", summary: "Every version of a template", tag: "templates", access: bearer, resp: []scoring.Template{}, handler: s.getTemplate},
		{method: "GET", path: "/api/v1/policies/:policy", summary: "Every version of a policy", tag: "templates", access: bearer, resp: []scoring.Policy{}, handler: s.getPolicy},
	}
}

// employeeCommand is an HR command on one employee, named by the path.
func employeeCommand[B any](s *Server, verb, summary string, run func(context.Context, domain.Call, B) (domain.Outcome, error), id func(*B) *uuid.UUID) route {
	var zero B
	return route{method: "POST", path: "/api/v1/employees/:employee/" + verb, summary: summary, tag: "organisation", body: zero,
		handler: command(s, domain.RoleHR, nethttp.StatusOK, func(ctx context.Context, call domain.Call, c echo.Context, b *B) (Written, error) {
			if err := bindPath(c, "employee", "employee_id", id(b)); err != nil {
				return Written{}, err
			}
			return wrote(run(ctx, call, *b))
		})}
}

// recordLeave records a leave and forgets this process's remembered token
// lookups, so the leaver's tokens are refused at once here (authenticator:
// within tokenCacheTTL in other processes).
func (s *Server) recordLeave(ctx context.Context, call domain.Call, b domain.RecordLeave) (domain.Outcome, error) {
	o, err := s.deps.App.RecordLeave(ctx, call, b)
	if err == nil {
		s.auth.forget()
	}
	return o, err
}

// bindPath puts the path's id into the command. A body may repeat the id,
// but not contradict the path.
func bindPath(c echo.Context, param, field string, dst *uuid.UUID) error {
	id, err := pathID(c, param)
	if err != nil {
		return err
	}
	if *dst != uuid.Nil && *dst != id {
		return fieldsProblem(kindValidation, []FieldProblem{{field, "must equal the id in the path or be left out"}})
	}
	*dst = id
	return nil
}

func (s *Server) getTemplate(c echo.Context) error {
	id, err := pathID(c, "template")
	if err != nil {
		return err
	}
	tv, v, err := s.deps.App.Template(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return listVersions(c, v, tv.Count(), tv.At)
}

func (s *Server) getPolicy(c echo.Context) error {
	id, err := pathID(c, "policy")
	if err != nil {
		return err
	}
	pv, v, err := s.deps.App.Policy(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return listVersions(c, v, pv.Count(), pv.At)
}

// listVersions answers every version of a template or policy; templates and
// policies are open to every authenticated person, since raters need to know
// what they rate and employees how they are graded.
func listVersions[T any](c echo.Context, streamVersion int64, n int, at func(int) (T, bool)) error {
	if n == 0 {
		return newProblem(kindNotFound, "")
	}
	out := make([]T, 0, n)
	for i := 1; i <= n; i++ {
		if t, ok := at(i); ok {
			out = append(out, t)
		}
	}
	setVersion(c, streamVersion, 0)
	return c.JSON(nethttp.StatusOK, out)
}
