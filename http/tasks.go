package http

import (
	nethttp "net/http"
	"slices"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/projections/cycles"
)

// Task is something the caller is asked to do in an open cycle.
type Task struct {
	CycleID    uuid.UUID         `json:"cycle_id"`
	Cycle      string            `json:"cycle"`
	State      domain.CycleState `json:"state"`
	EmployeeID uuid.UUID         `json:"employee_id"`
	Employee   string            `json:"employee"`
	What       string            `json:"what"` // self_review, peer_evaluation, manager_evaluation, acknowledge
	Path       string            `json:"path"` // where to do it
}

func (s *Server) taskRoutes() []route {
	return []route{{method: "GET", path: "/api/v1/me/tasks", summary: "What the caller is asked to do: self-reviews, peer and manager evaluations, acknowledgements",
		tag: "auth", query: []param{queryMinPosition}, resp: []Task{}, handler: s.myTasks}}
}

// myTasks reads the cycles' progress read model for the caller's open
// items; it shows a person only their own assignments.
func (s *Server) myTasks(c echo.Context) error {
	p, ok := principalOf(c)
	if !ok {
		return newProblem(kindUnauthenticated, "")
	}
	if err := s.caughtUp(c, cycles.Name); err != nil {
		return err
	}
	ctx := c.Request().Context()
	org, _, err := s.deps.App.Organisation(ctx)
	if err != nil {
		return err
	}
	all, err := s.deps.Views.Reader.Cycles(ctx)
	if err != nil {
		return err
	}
	tasks := []Task{}
	for _, cy := range all {
		rows, err := s.deps.Views.Reader.Progress(ctx, cy.CycleID, s.deps.Now())
		if err != nil {
			return err
		}
		for _, r := range rows {
			for _, what := range tasksIn(cy.State, r.Progress, p.ID, org.Target(r.EmployeeID)) {
				name := ""
				if e, ok := org.Employee(r.EmployeeID); ok {
					name = e.Name
				}
				tasks = append(tasks, Task{CycleID: cy.CycleID, Cycle: cy.Name, State: cy.State, EmployeeID: r.EmployeeID, Employee: name,
					What: what.name, Path: "/api/v1/cycles/" + cy.CycleID.String() + "/employees/" + r.EmployeeID.String() + what.path})
			}
		}
	}
	return c.JSON(nethttp.StatusOK, tasks)
}

type taskKind struct{ name, path string }

// tasksIn is what person me still has to do on one employee's review.
func tasksIn(state domain.CycleState, pr cycles.Progress, me uuid.UUID, t domain.Target) []taskKind {
	if !pr.InScope {
		return nil
	}
	var out []taskKind
	self := pr.EmployeeID == me
	switch state {
	case domain.StateSelfReview:
		if self && !pr.SelfSubmitted {
			out = append(out, taskKind{"self_review", "/evaluations/self"})
		}
	case domain.StateReview:
		if slices.Contains(pr.PeersAssigned, me) && !slices.Contains(pr.PeersSubmitted, me) {
			out = append(out, taskKind{"peer_evaluation", "/evaluations/peer"})
		}
		if (t.Manager == me || t.Delegate == me) && !self && !pr.ManagerSubmitted {
			out = append(out, taskKind{"manager_evaluation", "/evaluations/manager"})
		}
	case domain.StatePublished:
		if self && !pr.Acknowledged && !pr.AppealOpen {
			out = append(out, taskKind{"acknowledge", "/acknowledgement"})
		}
	}
	return out
}
