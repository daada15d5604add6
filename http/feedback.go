package http

import (
	"context"
	nethttp "net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// feedbackRoutes are the customer's side (SPEC §4): no account, only the
// single-use link. The form shows what to rate and nothing else: no scores,
// no other raters, not even the employee's unit.
func (s *Server) feedbackRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/feedback/:token", summary: "What a customer link asks to rate", tag: "customers", access: link, resp: FeedbackForm{}, handler: s.getFeedbackForm},
		{method: "POST", path: "/api/v1/feedback/:token", summary: "Answer a customer link (works once)", tag: "customers", access: link, body: FeedbackAnswer{}, status: nethttp.StatusCreated,
			handler: command(s, domain.RoleCustomer, nethttp.StatusCreated, s.answerFeedback)},
	}
}

// claimKey holds the opened link of a request.
const claimKey = "appraisal.link"

// linkAuth opens the link in the path and lets the request act as that
// customer request; every failure is the same 410, revealing nothing.
func (s *Server) linkAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		claim, err := s.links.open(c.Request().Context(), c.Param("token"))
		if err != nil {
			return err
		}
		c.Set(principalKey, principal{ID: claim.Request, Role: domain.RoleCustomer})
		c.Set(claimKey, claim)
		return next(c)
	}
}

// FeedbackForm is what the customer is asked.
type FeedbackForm struct {
	Employee string              `json:"employee"`
	Criteria []FeedbackCriterion `json:"criteria"`
}

// FeedbackCriterion is one criterion the customer rates.
type FeedbackCriterion struct {
	Key   string        `json:"key"`
	Name  string        `json:"name"`
	Scale scoring.Scale `json:"scale"`
}

// FeedbackAnswer is the customer's evaluation.
type FeedbackAnswer struct {
	Scores  []domain.ScoreEntry `json:"scores"`
	Summary string              `json:"summary"`
}

func (s *Server) getFeedbackForm(c echo.Context) error {
	claim := c.Get(claimKey).(linkClaim)
	rc, err := s.deps.App.ReviewContext(c.Request().Context(), claim.Cycle)
	if err != nil {
		return errLink
	}
	form := FeedbackForm{Criteria: []FeedbackCriterion{}}
	if e, ok := rc.Org.Employee(claim.Employee); ok {
		form.Employee = e.Name
	}
	for _, d := range rc.Template.Dimensions {
		for _, cr := range d.Criteria {
			if slices.Contains(cr.RatedBy, scoring.RaterCustomer) {
				form.Criteria = append(form.Criteria, FeedbackCriterion{Key: cr.Key, Name: cr.Name, Scale: cr.Scale})
			}
		}
	}
	return c.JSON(nethttp.StatusOK, form)
}

func (s *Server) answerFeedback(ctx context.Context, call domain.Call, c echo.Context, b *FeedbackAnswer) (Written, error) {
	claim := c.Get(claimKey).(linkClaim)
	k := domain.ReviewKey{CycleID: claim.Cycle, EmployeeID: claim.Employee}
	cmd := domain.SubmitEvaluation{EvaluationID: claim.Request, Kind: scoring.RaterCustomer, Scores: b.Scores, Summary: b.Summary}
	w, err := wroteID(claim.Request)(s.deps.App.SubmitEvaluation(ctx, call, k, cmd))
	if err != nil {
		return Written{}, err
	}
	return w, s.links.markUsed(ctx, claim.Request)
}
