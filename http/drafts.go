package http

import (
	nethttp "net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
)

// DraftView is a rater's last saved draft: drafts are the rater's own, so
// only they read them back.
type DraftView struct {
	Kind     scoring.RaterKind   `json:"kind"`
	Scores   []domain.ScoreEntry `json:"scores"`
	Summary  string              `json:"summary"`
	SavedAt  time.Time           `json:"saved_at"`
	Position int64               `json:"position"`
}

// raterAction is the SPEC §13 action of rating as each kind in a path.
var raterAction = map[scoring.RaterKind]domain.Action{
	scoring.RaterSelf: domain.ActSelfEvaluate, scoring.RaterPeer: domain.ActPeerEvaluate, scoring.RaterManager: domain.ActManagerEvaluate,
}

func (s *Server) draftRoutes() []route {
	return []route{{method: "GET", path: reviewPath + "/evaluations/:kind/draft", summary: "Read back your last saved evaluation draft",
		tag: "evaluations", resp: DraftView{}, handler: s.getDraft}}
}

// getDraft reads the review stream for the caller's latest draft of the
// kind in the path.
func (s *Server) getDraft(c echo.Context) error {
	k, capacity, err := reviewTarget(c, "", &domain.SubmitEvaluation{})
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	target, err := s.deps.App.Target(ctx, k.CycleID, k.EmployeeID)
	if err != nil {
		return err
	}
	kind := scoring.RaterKind(c.Param("kind"))
	actor, err := authorize(c, raterAction[kind], target, capacity)
	if err != nil {
		return err
	}
	events, err := s.deps.Store.ReadStream(ctx, domain.ReviewStream(k.CycleID, k.EmployeeID), 0, 0)
	if err != nil {
		return err
	}
	var found *DraftView
	for _, e := range events {
		r, err := eventlog.Decode(e)
		if err != nil {
			continue // events of other areas carry no drafts
		}
		if d, ok := r.Event.(domain.EvaluationDraftSaved); ok && d.Kind == kind && d.RaterID == actor.ID {
			found = &DraftView{Kind: d.Kind, Scores: d.Scores, Summary: d.Summary, SavedAt: r.At, Position: r.Position}
		}
	}
	if found == nil {
		return newProblem(kindNotFound, "no draft saved")
	}
	return c.JSON(nethttp.StatusOK, found)
}
