package http

import (
	"context"
	nethttp "net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

const reviewPath = "/api/v1/cycles/:cycle/employees/:employee"

// reviewRoutes: one employee's review in one cycle (SPEC §4, §8-§10).
func (s *Server) reviewRoutes() []route {
	app := s.deps.App
	created := nethttp.StatusCreated
	rc := func(method, sub, summary, tag string, body any, status int, h echo.HandlerFunc) route {
		return route{method: method, path: reviewPath + sub, summary: summary, tag: tag, body: body, status: status, handler: h}
	}
	return []route{
		rc("POST", "/goals", "Draft or redraft one of your goals (employee)", "goals", domain.DraftGoal{}, created,
			reviewCommand(s, domain.RoleEmployee, created, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *domain.DraftGoal) (Written, error) {
				id := orNew(&b.GoalID)
				return wroteID(id)(app.DraftGoal(ctx, call, k, *b))
			})),
		rc("POST", "/goals/:goal/agree", "Agree a report's goal as drafted (manager)", "goals", nil, 0,
			reviewAction(s, domain.RoleManager, func(ctx context.Context, call domain.Call, k domain.ReviewKey, c echo.Context) (domain.Outcome, error) {
				goal, err := pathID(c, "goal")
				if err != nil {
					return domain.Outcome{}, err
				}
				return app.AgreeGoal(ctx, call, k, goal)
			})),
		rc("POST", "/delegate", "Delegate the manager evaluation to someone else (HR)", "evaluations", domain.DelegateManager{}, 0,
			reviewCommand(s, domain.RoleHR, nethttp.StatusOK, plain(app.DelegateManager))),
		rc("POST", "/peers", "Assign a peer (manager or HR; not the employee, not the manager)", "evaluations", domain.AssignPeer{}, 0,
			reviewCommand(s, domain.RoleManager, nethttp.StatusOK, plain(app.AssignPeer))),
		{method: "POST", path: reviewPath + "/customer-requests", summary: "Ask a customer for feedback; the answer comes through the returned single-use link (manager or HR)",
			tag: "customers", body: domain.RequestCustomerFeedback{}, resp: CustomerRequestIssued{}, status: created, handler: s.requestCustomer},
		rc("PUT", "/evaluations/:kind/draft", "Save your evaluation draft (kind self, peer or manager)", "evaluations", domain.SubmitEvaluation{}, 0,
			reviewCommand(s, "", nethttp.StatusOK, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *domain.SubmitEvaluation) (Written, error) {
				return wrote(app.SaveEvaluationDraft(ctx, call, k, *b))
			})),
		rc("POST", "/evaluations/:kind", "Submit your evaluation (kind self, peer or manager); it is then immutable", "evaluations", domain.SubmitEvaluation{}, created,
			reviewCommand(s, "", created, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *domain.SubmitEvaluation) (Written, error) {
				id := orNew(&b.EvaluationID)
				return wroteID(id)(app.SubmitEvaluation(ctx, call, k, *b))
			})),
		rc("POST", "/evaluations/:kind/:evaluation/amendments", "Amend your submitted evaluation with a reason (until calibration ends)", "evaluations", domain.AmendEvaluation{}, 0,
			reviewCommand(s, "", nethttp.StatusOK, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *domain.AmendEvaluation) (Written, error) {
				return wrote(app.AmendEvaluation(ctx, call, k, *b))
			})),
		rc("PUT", "/kpis/:criterion/target", "Set a measured criterion's target (manager or HR)", "kpis", KPIValue{}, 0,
			reviewCommand(s, domain.RoleManager, nethttp.StatusOK, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *KPIValue) (Written, error) {
				return wrote(app.SetKPITarget(ctx, call, k, b.criterion, b.Value))
			})),
		rc("PUT", "/kpis/:criterion/actual", "Record a measured criterion's actual (manager or HR)", "kpis", KPIValue{}, 0,
			reviewCommand(s, domain.RoleManager, nethttp.StatusOK, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *KPIValue) (Written, error) {
				return wrote(app.RecordKPIActual(ctx, call, k, b.criterion, b.Value))
			})),
		rc("POST", "/adjustments", "Calibrate: a signed delta or an override with a reason (unit head of the unit, or HR)", "calibration", domain.AdjustScore{}, created,
			reviewCommand(s, domain.RoleUnitHead, created, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *domain.AdjustScore) (Written, error) {
				id := orNew(&b.AdjustmentID)
				return wroteID(id)(app.AdjustScore(ctx, call, k, *b))
			})),
		rc("POST", "/acknowledgement", "Acknowledge your published results (employee)", "results", nil, 0,
			reviewAction(s, domain.RoleEmployee, func(ctx context.Context, call domain.Call, k domain.ReviewKey, _ echo.Context) (domain.Outcome, error) {
				return app.Acknowledge(ctx, call, k)
			})),
		rc("POST", "/appeals", "Appeal your published results within the window, with a reason (employee)", "appeals", domain.FileAppeal{}, created,
			reviewCommand(s, domain.RoleEmployee, created, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *domain.FileAppeal) (Written, error) {
				id := orNew(&b.AppealID)
				return wroteID(id)(app.FileAppeal(ctx, call, k, *b))
			})),
		rc("POST", "/appeals/:appeal/resolution", "Resolve an appeal: rejected, or upheld with a new score (HR)", "appeals", domain.ResolveAppeal{}, 0,
			reviewCommand(s, domain.RoleHR, nethttp.StatusOK, func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *domain.ResolveAppeal) (Written, error) {
				return wrote(app.ResolveAppeal(ctx, call, k, *b))
			})),
		rc("POST", "/awards", "Grant an award, paid outside the unit budget (HR)", "awards", domain.PayItem{}, created,
			reviewCommand(s, domain.RoleHR, created, payItem(app.GrantAward))),
		rc("POST", "/penalties", "Impose a penalty (HR)", "awards", domain.PayItem{}, created,
			reviewCommand(s, domain.RoleHR, created, payItem(app.ImposePenalty))),
		rc("POST", "/recommendations/decisions", "Accept or dismiss a recommendation with a reason (HR)", "recommendations", domain.DecideRecommendation{}, 0,
			reviewCommand(s, domain.RoleHR, nethttp.StatusOK, plain(app.DecideRecommendation))),
	}
}

// KPIValue is a KPI target or actual; the criterion is in the path.
type KPIValue struct {
	Value     decimal.Decimal `json:"value"`
	criterion string
}

type reviewRun[B any] func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *B) (Written, error)

// reviewCommand is a command on the review named by the path. An empty
// capacity means "the rater kind in the path decides" (evaluations).
func reviewCommand[B any](s *Server, capacity domain.Role, status int, run reviewRun[B]) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b B
		if err := decodeJSON(c.Request(), &b); err != nil {
			return err
		}
		k, capacity, err := reviewTarget(c, capacity, &b)
		if err != nil {
			return err
		}
		return execute(s, c, capacity, status, &b, func(ctx context.Context, call domain.Call, _ echo.Context, b *B) (Written, error) {
			return run(ctx, call, k, b)
		})
	}
}

// reviewAction is a body-less command on the review named by the path.
func reviewAction(s *Server, capacity domain.Role, run func(ctx context.Context, call domain.Call, k domain.ReviewKey, c echo.Context) (domain.Outcome, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		k, capacity, err := reviewTarget(c, capacity, &struct{}{})
		if err != nil {
			return err
		}
		return execute(s, c, capacity, nethttp.StatusOK, &struct{}{}, func(ctx context.Context, call domain.Call, c echo.Context, _ *struct{}) (Written, error) {
			return wrote(run(ctx, call, k, c))
		})
	}
}

// raterCapacity is the capacity a person rates in for each kind in a path;
// customers rate only through their link.
var raterCapacity = map[scoring.RaterKind]domain.Role{
	scoring.RaterSelf: domain.RoleEmployee, scoring.RaterPeer: domain.RolePeer, scoring.RaterManager: domain.RoleManager,
}

// reviewTarget reads the cycle and employee of the path, the rater kind of an
// evaluation path, and the KPI criterion of a KPI path into the body.
func reviewTarget(c echo.Context, capacity domain.Role, body any) (domain.ReviewKey, domain.Role, error) {
	cycle, err := pathID(c, "cycle")
	if err != nil {
		return domain.ReviewKey{}, "", err
	}
	emp, err := pathID(c, "employee")
	if err != nil {
		return domain.ReviewKey{}, "", err
	}
	switch b := body.(type) {
	case *domain.SubmitEvaluation:
		kind := scoring.RaterKind(c.Param("kind"))
		if capacity = raterCapacity[kind]; capacity == "" {
			return domain.ReviewKey{}, "", newProblem(kindNotFound, "rater kind must be self, peer or manager")
		}
		if b.Kind != "" && b.Kind != kind {
			return domain.ReviewKey{}, "", fieldsProblem(kindValidation, []FieldProblem{{"kind", "must equal the kind in the path or be left out"}})
		}
		b.Kind = kind
	case *domain.AmendEvaluation:
		if capacity = raterCapacity[scoring.RaterKind(c.Param("kind"))]; capacity == "" {
			return domain.ReviewKey{}, "", newProblem(kindNotFound, "rater kind must be self, peer or manager")
		}
		if err := bindPath(c, "evaluation", "evaluation_id", &b.EvaluationID); err != nil {
			return domain.ReviewKey{}, "", err
		}
	case *KPIValue:
		b.criterion = c.Param("criterion")
	case *domain.ResolveAppeal:
		if err := bindPath(c, "appeal", "appeal_id", &b.AppealID); err != nil {
			return domain.ReviewKey{}, "", err
		}
	}
	return domain.ReviewKey{CycleID: cycle, EmployeeID: emp}, capacity, nil
}

// plain adapts a service command whose body is the domain command itself.
func plain[B any](run func(context.Context, domain.Call, domain.ReviewKey, B) (domain.Outcome, error)) reviewRun[B] {
	return func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *B) (Written, error) {
		return wrote(run(ctx, call, k, *b))
	}
}

// payItem adapts award and penalty commands, naming the item created.
func payItem(run func(context.Context, domain.Call, domain.ReviewKey, domain.PayItem) (domain.Outcome, error)) reviewRun[domain.PayItem] {
	return func(ctx context.Context, call domain.Call, k domain.ReviewKey, b *domain.PayItem) (Written, error) {
		id := orNew(&b.ItemID)
		return wroteID(id)(run(ctx, call, k, *b))
	}
}

// CustomerRequestIssued is a customer request with its link. The link is
// shown once, to whoever asked; send it to the customer.
type CustomerRequestIssued struct {
	Written
	Link      string    `json:"link"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) requestCustomer(c echo.Context) error {
	var b domain.RequestCustomerFeedback
	if err := decodeJSON(c.Request(), &b); err != nil {
		return err
	}
	k, _, err := reviewTarget(c, domain.RoleManager, &b)
	if err != nil {
		return err
	}
	call, err := s.call(c, domain.RoleManager)
	if err != nil {
		return err
	}
	id := orNew(&b.RequestID)
	if b.ExpiresAt.IsZero() {
		b.ExpiresAt = s.deps.Now().Add(s.cfg.LinkTTL).UTC().Truncate(time.Second)
	}
	w, err := wroteID(id)(s.deps.App.RequestCustomerFeedback(c.Request().Context(), call, k, b))
	if err != nil {
		return err
	}
	setVersion(c, w.Version, w.Position)
	token := s.links.sign(linkClaim{Cycle: k.CycleID, Employee: k.EmployeeID, Request: id}, b.ExpiresAt)
	return c.JSON(nethttp.StatusCreated, CustomerRequestIssued{Written: w, Link: "/api/v1/feedback/" + token, ExpiresAt: b.ExpiresAt})
}
