package http

import (
	"bytes"
	"context"
	"fmt"
	nethttp "net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/projections/cycles"
)

// readRoutes are the reads. Results are computed from the events through the
// domain engine (the one path from history to numbers), so they are never
// stale and any of them can be asked as of an earlier point.
func (s *Server) readRoutes() []route {
	asOfQ := []param{queryAsOf, queryMinPosition}
	return []route{
		{method: "GET", path: "/api/v1/organisation", summary: "Units, position levels and employees (HR, auditors)", tag: "organisation", access: bearer, resp: OrganisationView{}, handler: s.getOrganisation},
		{method: "GET", path: "/api/v1/cycles/:cycle", summary: "A cycle: state, settings, pinned versions (ETag: cycle version)", tag: "cycles", access: bearer, resp: CycleView{}, handler: s.getCycle},
		{method: "GET", path: "/api/v1/cycles/:cycle/results", summary: "Every result of a cycle with derivation traces (HR, auditors)", tag: "results", access: bearer, query: asOfQ, resp: scoring.Result{}, handler: s.getCycleResults},
		{method: "GET", path: "/api/v1/cycles/:cycle/employees/:employee/results", summary: "One employee's result: anonymised for the employee, manager and unit head; full for HR and auditors", tag: "results", access: bearer, query: asOfQ, resp: EmployeeView{}, handler: s.getEmployeeResult},
		{method: "GET", path: "/api/v1/cycles/:cycle/units/:unit/summary", summary: "A unit's grade distribution, budget, proration and forced-pairing state (HR, auditors, the unit head)", tag: "results", access: bearer, query: asOfQ, resp: scoring.UnitResult{}, handler: s.getUnitSummary},
		{method: "GET", path: "/api/v1/cycles/:cycle/replay", summary: "Replay every recorded decision of the cycle: MATCH or the differing fields (auditors, HR)", tag: "audit", access: bearer, resp: []ReplayView{}, handler: s.getReplay},
		{method: "GET", path: "/api/v1/audit/verify", summary: "Verify the hash chains of the whole log (auditors, HR)", tag: "audit", access: bearer, resp: VerifyView{}, handler: s.getVerify},
		{method: "GET", path: "/api/v1/cycles/:cycle/payroll", summary: "Payroll export of a closed cycle (format=csv|xlsx|json)", tag: "payroll", access: bearer, query: []param{{"format", "csv (default), xlsx or json"}}, resp: PayrollExport{}, handler: s.getPayroll},
	}
}

// point resolves the point in history a result read asks for: ?as_of= (a
// position or a time) or, by default, the head of the log, after waiting for
// ?min_position= to be readable, so a caller always sees its own writes.
func (s *Server) point(c echo.Context) (cycles.AsOf, error) {
	least, err := minPosition(c)
	if err != nil {
		return cycles.AsOf{}, err
	}
	at, err := asOf(c)
	if err != nil {
		return at, err
	}
	head, err := s.waitForHead(c.Request().Context(), least)
	switch {
	case err != nil:
		return at, err
	case at.Position > head:
		return at, fieldsProblem(kindValidation, []FieldProblem{{"as_of", fmt.Sprintf("is beyond the end of the log (position %d)", head)}})
	case at.Position > 0 || !at.Time.IsZero():
		return at, nil
	}
	return cycles.AsOf{Position: head}, nil
}

// resultsOpen are the cycle states in which each capacity may see results:
// employees and managers once they are published (SPEC §10), unit heads from
// calibration on, since they calibrate and sign off their unit (SPEC §2).
var resultsOpen = map[domain.Role][]domain.CycleState{
	domain.RoleEmployee: {domain.StatePublished, domain.StateClosed},
	domain.RoleManager:  {domain.StatePublished, domain.StateClosed},
	domain.RoleUnitHead: {domain.StateCalibration, domain.StateApproval, domain.StatePublished, domain.StateClosed},
}

// resultPoint is point for a result read, with what a person may see: only
// results of a cycle in a state that shows them, and only as they are now;
// reading history as of an earlier point is for HR and auditors.
func (s *Server) resultPoint(c echo.Context, actor domain.Actor, cycleID uuid.UUID) (cycles.AsOf, error) {
	if seesEverything(actor) {
		return s.point(c)
	}
	if c.QueryParam("as_of") != "" {
		return cycles.AsOf{}, &domain.ForbiddenError{Action: "read results as of an earlier point", Role: actor.Role}
	}
	cy, _, err := s.deps.App.Cycle(c.Request().Context(), cycleID)
	if err != nil {
		return cycles.AsOf{}, err
	}
	if !slices.Contains(resultsOpen[actor.Role], cy.State()) {
		open := make([]string, len(resultsOpen[actor.Role]))
		for i, st := range resultsOpen[actor.Role] {
			open[i] = string(st)
		}
		return cycles.AsOf{}, &domain.StateError{Action: "see results", State: string(cy.State()), Allowed: open}
	}
	return s.point(c)
}

// waitForHead waits, at most ReadWaitTimeout, until the log's readable head
// reaches least, and returns the head.
func (s *Server) waitForHead(ctx context.Context, least int64) (int64, error) {
	deadline := time.Now().Add(s.cfg.ReadWaitTimeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		head, err := s.deps.Store.Head(ctx)
		if err != nil {
			return 0, fmt.Errorf("read head: %w", err)
		}
		if head >= least {
			return head, nil
		}
		if time.Now().After(deadline) {
			return 0, newProblem(kindNotReady, "position %d is not readable yet; retry", least)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// OrganisationView lists the organisation as it is now.
type OrganisationView struct {
	Version   int64             `json:"version"`
	Units     []domain.Unit     `json:"units"`
	Employees []domain.Employee `json:"employees"`
}

func (s *Server) getOrganisation(c echo.Context) error {
	if _, err := authorize(c, domain.ActReadEverything, domain.Target{}); err != nil {
		return err
	}
	org, v, err := s.deps.App.Organisation(c.Request().Context())
	if err != nil {
		return err
	}
	setVersion(c, v, 0)
	return c.JSON(nethttp.StatusOK, OrganisationView{Version: v, Units: org.Units(), Employees: org.Employees()})
}

// CycleView is a cycle as everyone taking part may see it.
type CycleView struct {
	ID              uuid.UUID            `json:"id"`
	Version         int64                `json:"version"`
	State           domain.CycleState    `json:"state"`
	Settings        domain.CycleSettings `json:"settings"`
	TemplateVersion int                  `json:"template_version"`
	PolicyVersion   int                  `json:"policy_version"`
	AppealsUntil    time.Time            `json:"appeals_until,omitzero"`
}

// getCycle is open to every authenticated person: the schedule of a cycle
// is what everybody needs to take part, and it holds nobody's scores.
func (s *Server) getCycle(c echo.Context) error {
	id, err := pathID(c, "cycle")
	if err != nil {
		return err
	}
	cy, v, err := s.deps.App.Cycle(c.Request().Context(), id)
	if err != nil {
		return err
	}
	tv, pv := cy.PinnedVersions()
	setVersion(c, v, 0)
	return c.JSON(nethttp.StatusOK, CycleView{ID: id, Version: v, State: cy.State(), Settings: cy.Settings(),
		TemplateVersion: tv, PolicyVersion: pv, AppealsUntil: cy.AppealsUntil()})
}

func (s *Server) getCycleResults(c echo.Context) error {
	id, err := pathID(c, "cycle")
	if err != nil {
		return err
	}
	if _, err := authorize(c, domain.ActReadEverything, domain.Target{}); err != nil {
		return err
	}
	at, err := s.point(c)
	if err != nil {
		return err
	}
	res, err := s.deps.Views.Auditor.Cycle(c.Request().Context(), id, at)
	if err != nil {
		return err
	}
	c.Response().Header().Set("X-Position", fmt.Sprint(res.Position))
	return c.JSON(nethttp.StatusOK, res.Evaluation.Result)
}

// getEmployeeResult authorises before it looks anything up, so a refusal is
// the same whether or not the employee or the cycle exists.
func (s *Server) getEmployeeResult(c echo.Context) error {
	cycleID, err := pathID(c, "cycle")
	if err != nil {
		return err
	}
	empID, err := pathID(c, "employee")
	if err != nil {
		return err
	}
	org, _, err := s.deps.App.Organisation(c.Request().Context())
	if err != nil {
		return err
	}
	actor, err := authorize(c, domain.ActReadResults, org.Target(empID), domain.RoleEmployee, domain.RoleManager, domain.RoleUnitHead)
	if err != nil {
		return err
	}
	at, err := s.resultPoint(c, actor, cycleID)
	if err != nil {
		return err
	}
	res, err := s.deps.Views.Auditor.Employee(c.Request().Context(), cycleID, empID, at)
	if err != nil {
		return err
	}
	c.Response().Header().Set("X-Position", fmt.Sprint(res.Position))
	if seesEverything(actor) {
		return c.JSON(nethttp.StatusOK, res)
	}
	return c.JSON(nethttp.StatusOK, employeeView(res.Result))
}

func (s *Server) getUnitSummary(c echo.Context) error {
	cycleID, err := pathID(c, "cycle")
	if err != nil {
		return err
	}
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	org, _, err := s.deps.App.Organisation(c.Request().Context())
	if err != nil {
		return err
	}
	actor, err := authorize(c, domain.ActReadResults, org.UnitTarget(unitID), domain.RoleUnitHead)
	if err != nil {
		return err
	}
	at, err := s.resultPoint(c, actor, cycleID)
	if err != nil {
		return err
	}
	res, err := s.deps.Views.Auditor.Unit(c.Request().Context(), cycleID, unitID, at)
	if err != nil {
		return err
	}
	c.Response().Header().Set("X-Position", fmt.Sprint(res.Position))
	return c.JSON(nethttp.StatusOK, res.Unit)
}

// ReplayView is one recorded decision replayed.
type ReplayView struct {
	DecisionID uuid.UUID         `json:"decision_id"`
	Kind       string            `json:"kind"`
	LastInput  int64             `json:"last_input_position"`
	Match      bool              `json:"match"`
	Mismatches []domain.Mismatch `json:"mismatches"`
	Recomputed scoring.Result    `json:"recomputed"`
}

func (s *Server) getReplay(c echo.Context) error {
	id, err := pathID(c, "cycle")
	if err != nil {
		return err
	}
	if _, err := authorize(c, domain.ActReplayAndVerify, domain.Target{}); err != nil {
		return err
	}
	reports, err := s.deps.App.Replay(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := make([]ReplayView, 0, len(reports))
	for _, r := range reports {
		out = append(out, ReplayView{DecisionID: r.Decision.DecisionID, Kind: string(r.Decision.Kind), LastInput: r.Decision.LastInputPosition,
			Match: r.Match(), Mismatches: r.Mismatches, Recomputed: r.Recomputed.Result})
	}
	return c.JSON(nethttp.StatusOK, out)
}

// VerifyView is the outcome of verifying the hash chains.
type VerifyView struct {
	OK           bool   `json:"ok"`
	Events       int64  `json:"events"`
	LastPosition int64  `json:"last_position"`
	BadPosition  int64  `json:"bad_position,omitempty"`
	BadStream    string `json:"bad_stream,omitempty"`
	Problem      string `json:"problem,omitempty"`
}

func (s *Server) getVerify(c echo.Context) error {
	if _, err := authorize(c, domain.ActReplayAndVerify, domain.Target{}); err != nil {
		return err
	}
	rep, err := s.deps.Store.Verify(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(nethttp.StatusOK, VerifyView{OK: rep.OK, Events: rep.Events, LastPosition: rep.LastPosition,
		BadPosition: rep.BadPosition, BadStream: rep.BadStream, Problem: rep.Problem})
}

// getPayroll exports a closed cycle (SPEC §11), computed from the events up
// to the cycle's last input, and names that position in the file.
func (s *Server) getPayroll(c echo.Context) error {
	id, err := pathID(c, "cycle")
	if err != nil {
		return err
	}
	if _, err := authorize(c, domain.ActExportPayroll, domain.Target{}); err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "xlsx" && format != "json" {
		return fieldsProblem(kindValidation, []FieldProblem{{"format", "must be csv, xlsx or json"}})
	}
	exp, err := s.Payroll(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("X-Position", fmt.Sprint(exp.Position))
	var buf bytes.Buffer
	switch format {
	case "json":
		return c.JSON(nethttp.StatusOK, exp)
	case "xlsx":
		err = exp.WriteXLSX(&buf)
	default:
		err = exp.WriteCSV(&buf)
	}
	if err != nil {
		return err
	}
	ct := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[format]
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="payroll-%s.%s"`, id, format))
	return c.Blob(nethttp.StatusOK, ct, buf.Bytes())
}

// Payroll builds the payroll export of a closed cycle; the CLI calls it too.
func (s *Server) Payroll(ctx context.Context, cycleID uuid.UUID) (PayrollExport, error) {
	ev, err := s.deps.App.Evaluate(ctx, cycleID, 0)
	if err != nil {
		return PayrollExport{}, err
	}
	if ev.State != domain.StateClosed {
		return PayrollExport{}, &domain.StateError{Action: "export payroll", State: string(ev.State), Allowed: []string{string(domain.StateClosed)}}
	}
	org, _, err := s.deps.App.Organisation(ctx)
	if err != nil {
		return PayrollExport{}, err
	}
	exp := PayrollExport{CycleID: cycleID.String(), Position: ev.LastPosition}
	for _, r := range ev.Result.Employees {
		exp.Rows = append(exp.Rows, payrollRow(org, r))
	}
	sort.Slice(exp.Rows, func(i, j int) bool {
		a, b := exp.Rows[i], exp.Rows[j]
		return a.Unit < b.Unit || (a.Unit == b.Unit && a.EmployeeID < b.EmployeeID)
	})
	return exp, nil
}

func payrollRow(org *domain.Organisation, r scoring.EmployeeResult) PayrollRow {
	row := PayrollRow{
		EmployeeID: r.EmployeeID.String(), PositionLevel: r.PositionLevel, Standard: r.Standard.Value,
		FinalScore: r.Final.Value, Grade: r.Grade, Coefficient: r.Coefficient, PerformancePay: r.Pay.Value,
		ProrationFactor: r.ProrationFactor, Awards: decimal.Zero, Penalties: decimal.Zero,
	}
	if e, ok := org.Employee(r.EmployeeID); ok {
		row.Name = e.Name
	}
	if u, ok := org.Unit(r.UnitID); ok {
		row.Unit = u.Name
	}
	var notes []string
	for _, p := range r.PayItems {
		switch p.Kind {
		case scoring.Award:
			row.Awards = row.Awards.Add(p.Amount)
		case scoring.Penalty:
			row.Penalties = row.Penalties.Add(p.Amount)
		}
		notes = append(notes, p.Type)
	}
	row.Notes = strings.Join(notes, "; ")
	return row
}
