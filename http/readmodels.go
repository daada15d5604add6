package http

import (
	"fmt"
	nethttp "net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/cycles"
)

// readModelRoutes serve the projections' read models to HR and auditors:
// lists, progress against deadlines, recommendations, what awaits approval or
// an appeal decision, and timelines. ?min_position= waits until the read
// model has applied the caller's own write.
func (s *Server) readModelRoutes() []route {
	minQ := []param{queryMinPosition}
	return []route{
		{method: "GET", path: "/api/v1/cycles", summary: "Every cycle with its state, blockers and grade distribution", tag: "cycles", query: minQ, resp: []cycles.Summary{}, handler: s.listCycles},
		{method: "GET", path: "/api/v1/cycles/:cycle/summary", summary: "A cycle's read model: approvability, blockers, sign-offs, open appeals, decisions", tag: "cycles", query: minQ, resp: cycles.Summary{}, handler: s.cycleSummary},
		{method: "GET", path: "/api/v1/cycles/:cycle/progress", summary: "Who has submitted what, and what is overdue against each deadline", tag: "cycles", query: minQ, resp: []cycles.ProgressRow{}, handler: s.cycleProgress},
		{method: "GET", path: "/api/v1/cycles/:cycle/recommendations", summary: "Recommendations with their rule, evidence and HR's decision; with ?as_of= recomputed from the events as of then (without decisions)", tag: "recommendations", query: []param{queryMinPosition, queryAsOf}, resp: []cycles.Recommendation{}, handler: s.cycleRecommendations},
		{method: "GET", path: "/api/v1/approvals/pending", summary: "Cycles awaiting a sign-off", tag: "approval", query: minQ, resp: []cycles.Summary{}, handler: s.pendingApprovals},
		{method: "GET", path: "/api/v1/appeals/pending", summary: "Cycles with an open appeal", tag: "appeals", query: minQ, resp: []cycles.Summary{}, handler: s.pendingAppeals},
		{method: "GET", path: "/api/v1/cycles/:cycle/timeline", summary: "Every event of a cycle, in order, with actor, role, time and reason", tag: "audit", query: minQ, resp: []projections.TimelineEntry{}, handler: s.timeline(projections.SubjectCycle, "cycle")},
		{method: "GET", path: "/api/v1/employees/:employee/timeline", summary: "Every event about an employee, in order", tag: "audit", query: minQ, resp: []projections.TimelineEntry{}, handler: s.timeline(projections.SubjectEmployee, "employee")},
	}
}

// readable authorises a read-everything request and waits for the read
// model to reach ?min_position=.
func (s *Server) readable(c echo.Context, projection string) error {
	if _, err := authorize(c, domain.ActReadEverything, domain.Target{}); err != nil {
		return err
	}
	return s.caughtUp(c, projection)
}

// caughtUp waits for the read model of projection to reach ?min_position=,
// so a caller reads its own write.
func (s *Server) caughtUp(c echo.Context, projection string) error {
	pos, err := minPosition(c)
	if err != nil || pos == 0 {
		return err
	}
	if err := s.deps.Views.Runner.WaitFor(c.Request().Context(), projection, pos, s.cfg.ReadWaitTimeout); err != nil {
		return newProblem(kindNotReady, "the read model has not reached position %d yet; retry", pos)
	}
	return nil
}

// answer runs a read-model query and writes its result.
func answer[T any](c echo.Context, v T, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(nethttp.StatusOK, v)
}

func (s *Server) listCycles(c echo.Context) error {
	if err := s.readable(c, cycles.Name); err != nil {
		return err
	}
	v, err := s.deps.Views.Reader.Cycles(c.Request().Context())
	return answer(c, v, err)
}

func (s *Server) pendingApprovals(c echo.Context) error {
	if err := s.readable(c, cycles.Name); err != nil {
		return err
	}
	v, err := s.deps.Views.Reader.PendingApprovals(c.Request().Context())
	return answer(c, v, err)
}

func (s *Server) pendingAppeals(c echo.Context) error {
	if err := s.readable(c, cycles.Name); err != nil {
		return err
	}
	v, err := s.deps.Views.Reader.PendingAppeals(c.Request().Context())
	return answer(c, v, err)
}

// cycleRead is a read-everything query about the cycle in the path.
func (s *Server) cycleRead(c echo.Context, projection string) (uuid.UUID, error) {
	id, err := pathID(c, "cycle")
	if err != nil {
		return uuid.Nil, err
	}
	return id, s.readable(c, projection)
}

func (s *Server) cycleSummary(c echo.Context) error {
	id, err := s.cycleRead(c, cycles.Name)
	if err != nil {
		return err
	}
	v, err := s.deps.Views.Reader.Summary(c.Request().Context(), id)
	return answer(c, v, err)
}

func (s *Server) cycleProgress(c echo.Context) error {
	id, err := s.cycleRead(c, cycles.Name)
	if err != nil {
		return err
	}
	v, err := s.deps.Views.Reader.Progress(c.Request().Context(), id, s.deps.Now())
	return answer(c, v, err)
}

func (s *Server) cycleRecommendations(c echo.Context) error {
	id, err := s.cycleRead(c, cycles.Name)
	if err != nil {
		return err
	}
	if c.QueryParam("as_of") == "" {
		v, err := s.deps.Views.Reader.Recommendations(c.Request().Context(), id)
		return answer(c, v, err)
	}
	at, err := s.point(c)
	if err != nil {
		return err
	}
	v, pos, err := s.deps.Views.Auditor.Recommendations(c.Request().Context(), id, at)
	if err != nil {
		return err
	}
	c.Response().Header().Set("X-Position", fmt.Sprint(pos))
	return answer(c, v, nil)
}

func (s *Server) timeline(kind, param string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, param)
		if err != nil {
			return err
		}
		if err := s.readable(c, projections.TimelineName); err != nil {
			return err
		}
		v, err := s.deps.Views.Timeline(c.Request().Context(), kind, id)
		return answer(c, v, err)
	}
}
