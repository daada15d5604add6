package http

import (
	"context"
	nethttp "net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
)

// cycleRoutes: cycles and their transitions (SPEC §2, §8, §10).
func (s *Server) cycleRoutes() []route {
	app := s.deps.App
	created := nethttp.StatusCreated
	rs := []route{
		{method: "POST", path: "/api/v1/cycles", summary: "Create a cycle in draft", tag: "cycles", body: domain.CreateCycle{}, status: created,
			handler: command(s, domain.RoleHR, created, func(ctx context.Context, call domain.Call, _ echo.Context, b *domain.CreateCycle) (Written, error) {
				id := orNew(&b.CycleID)
				return wroteID(id)(app.CreateCycle(ctx, call, *b))
			})},
		{method: "PUT", path: "/api/v1/cycles/:cycle/settings", summary: "Revise a draft cycle's template, scope, policy and deadlines", tag: "cycles", body: domain.CycleSettings{},
			handler: cycleCommand(s, domain.RoleHR, app.ReviseCycle)},
		{method: "POST", path: "/api/v1/cycles/:cycle/reopen", summary: "Reopen a published cycle back to calibration, with a reason", tag: "cycles", body: ReasonBody{},
			handler: cycleCommand(s, domain.RoleHR, func(ctx context.Context, call domain.Call, id uuid.UUID, b ReasonBody) (domain.Outcome, error) {
				return app.Reopen(ctx, call, id, b.Reason)
			})},
		{method: "POST", path: "/api/v1/cycles/:cycle/pairing-overrides", summary: "Override a unit's forced-pairing warning with a written justification (HR)", tag: "calibration", body: domain.OverridePairing{},
			handler: cycleCommand(s, domain.RoleHR, app.OverridePairing)},
		{method: "POST", path: "/api/v1/cycles/:cycle/sign-offs", summary: "Sign off: unit head (own unit), then operations head, then leader", tag: "approval", body: domain.SignOff{},
			handler: cycleCommand(s, domain.RoleUnitHead, app.SignOff)},
	}
	transitions := []struct {
		verb, summary string
		run           func(context.Context, domain.Call, uuid.UUID) (domain.Outcome, error)
	}{
		{"open", "Open goal setting", app.OpenCycle},
		{"self-review", "Start self-review", app.StartSelfReview},
		{"review", "Start review (peers, managers, customers, KPIs)", app.StartReview},
		{"calibration", "Start calibration", app.StartCalibration},
		{"approval", "Start approval (refused while a unit is over budget or missing a pairing override)", app.StartApproval},
		{"publish", "Publish results after the last sign-off (records the decision)", app.Publish},
		{"close", "Close the cycle when no appeal is open (records the decision)", app.Close},
	}
	for _, t := range transitions {
		run := t.run
		rs = append(rs, route{method: "POST", path: "/api/v1/cycles/:cycle/" + t.verb, summary: t.summary, tag: "cycles",
			handler: action(s, domain.RoleHR, func(ctx context.Context, call domain.Call, c echo.Context, _ *struct{}) (Written, error) {
				id, err := pathID(c, "cycle")
				if err != nil {
					return Written{}, err
				}
				return wrote(run(ctx, call, id))
			})})
	}
	return rs
}

// ReasonBody is a command whose only input is a written reason.
type ReasonBody struct {
	Reason string `json:"reason"`
}

// cycleCommand is a command on the cycle named by the path.
func cycleCommand[B any](s *Server, capacity domain.Role, run func(context.Context, domain.Call, uuid.UUID, B) (domain.Outcome, error)) echo.HandlerFunc {
	return command(s, capacity, nethttp.StatusOK, func(ctx context.Context, call domain.Call, c echo.Context, b *B) (Written, error) {
		id, err := pathID(c, "cycle")
		if err != nil {
			return Written{}, err
		}
		return wrote(run(ctx, call, id, *b))
	})
}
