package domain

import (
	"strconv"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// SubmitEvaluation is an evaluation of one employee by the acting rater.
// SaveEvaluationDraft takes the same fields; its EvaluationID is unused.
type SubmitEvaluation struct {
	EvaluationID uuid.UUID
	Kind         scoring.RaterKind
	Scores       []ScoreEntry
	Summary      string
}

// AmendEvaluation replaces a submitted evaluation's scores, with a reason.
type AmendEvaluation struct {
	EvaluationID uuid.UUID
	Scores       []ScoreEntry
	Summary      string
	Reason       string
}

// evaluateAction is the SPEC §13 action behind giving an evaluation of kind k.
func evaluateAction(k scoring.RaterKind) (Action, bool) {
	switch k {
	case scoring.RaterSelf:
		return ActSelfEvaluate, true
	case scoring.RaterManager:
		return ActManagerEvaluate, true
	case scoring.RaterPeer:
		return ActPeerEvaluate, true
	case scoring.RaterCustomer:
		return ActCustomerEvaluate, true
	}
	return "", false
}

// SaveEvaluationDraft records work in progress. Drafts may be incomplete,
// but what they hold must already be valid, so a later submission does not
// surprise the rater.
func (r *Review) SaveEvaluationDraft(actor Actor, ctx ReviewContext, c SubmitEvaluation) ([]Event, error) {
	e := EvaluationDraftSaved{CycleID: r.cycleID, EmployeeID: r.employeeID, Kind: c.Kind,
		RaterID: actor.ID, Scores: c.Scores, Summary: c.Summary}
	if err := r.guardEvaluation(actor, ctx, c.Kind, "save an evaluation draft", e); err != nil {
		return nil, err
	}
	if err := r.checkSlotFree(ctx, actor, c.Kind); err != nil {
		return nil, err
	}
	var p problems
	validateScores(&p, ctx.Template, c.Kind, c.Scores, false)
	checkOptionalText(&p, "summary", c.Summary, MaxCommentLen)
	return single(e, p.err())
}

// SubmitEvaluation records a final evaluation: every criterion the rater
// kind must rate is present, each score is in its scale's range, comments
// are bounded; one submission per rater, one manager evaluation per
// employee, a customer answers an unexpired request once.
func (r *Review) SubmitEvaluation(actor Actor, ctx ReviewContext, c SubmitEvaluation) ([]Event, error) {
	e := EvaluationSubmitted{CycleID: r.cycleID, EmployeeID: r.employeeID, EvaluationID: c.EvaluationID,
		Kind: c.Kind, RaterID: actor.ID, Scores: c.Scores, Summary: c.Summary}
	if err := r.guardEvaluation(actor, ctx, c.Kind, "submit an evaluation", e); err != nil {
		return nil, err
	}
	if err := r.checkSlotFree(ctx, actor, c.Kind); err != nil {
		return nil, err
	}
	var p problems
	checkID(&p, "evaluation_id", c.EvaluationID)
	if r.evaluations[c.EvaluationID] != nil {
		p.add("evaluation_id", "is already used")
	}
	validateScores(&p, ctx.Template, c.Kind, c.Scores, true)
	checkSummary(&p, c.Kind, c.Summary)
	return single(e, p.err())
}

// AmendEvaluation records a change to a submitted evaluation by its own
// rater, with a reason, until calibration ends.
func (r *Review) AmendEvaluation(actor Actor, ctx ReviewContext, c AmendEvaluation) ([]Event, error) {
	ev := r.evaluations[c.EvaluationID]
	kind := scoring.RaterKind("")
	if ev != nil {
		kind = ev.kind
	}
	e := EvaluationAmended{CycleID: r.cycleID, EmployeeID: r.employeeID, EvaluationID: c.EvaluationID,
		Scores: c.Scores, Summary: c.Summary, Reason: c.Reason}
	if err := r.guardEvaluation(actor, ctx, kind, "amend an evaluation", e); err != nil {
		return nil, err
	}
	if ev.rater != actor.ID {
		return nil, &ForbiddenError{Action: "amend another rater's evaluation", Role: actor.Role}
	}
	var p problems
	validateScores(&p, ctx.Template, ev.kind, c.Scores, true)
	checkSummary(&p, ev.kind, c.Summary)
	checkReason(&p, "reason", c.Reason)
	return single(e, p.err())
}

// guardEvaluation authorises the rater for kind (an unknown kind, or an
// unknown evaluation when amending, authorises nobody), then applies the
// review guard.
func (r *Review) guardEvaluation(actor Actor, ctx ReviewContext, kind scoring.RaterKind, what string, pending Event) error {
	action, ok := evaluateAction(kind)
	if !ok {
		return &ForbiddenError{Action: Action(what), Role: actor.Role}
	}
	return r.guard(actor, action, ctx, what, pending)
}

// checkSlotFree refuses a rater who already submitted (they amend instead),
// a second manager evaluation of the employee, and an expired customer
// request.
func (r *Review) checkSlotFree(ctx ReviewContext, actor Actor, kind scoring.RaterKind) error {
	if _, done := r.byRater[raterSlot{kind, actor.ID}]; done {
		return &ConflictError{Reason: "this evaluation is already submitted; amend it instead"}
	}
	if kind == scoring.RaterManager && r.managerDone {
		return &ConflictError{Reason: "the employee's manager evaluation is already submitted"}
	}
	if req := r.requests[actor.ID]; kind == scoring.RaterCustomer && req != nil && !ctx.Now.Before(req.expiresAt) {
		return &StateError{Action: "answer the customer request", State: "expired"}
	}
	return nil
}

// checkSummary bounds the summary; a self-evaluation needs one, because the
// self-summary against the goals is the point of it (SPEC §4).
func checkSummary(p *problems, kind scoring.RaterKind, summary string) {
	if kind == scoring.RaterSelf {
		checkText(p, "summary", summary, MaxCommentLen)
		return
	}
	checkOptionalText(p, "summary", summary, MaxCommentLen)
}

// validateScores records every problem with a rater's scores: unknown
// criteria, criteria this kind does not rate, duplicates, scores outside the
// scale or finer than 0.01, overlong comments and, when complete is set,
// every criterion the kind must rate that is missing.
func validateScores(p *problems, t scoring.Template, kind scoring.RaterKind, scores []ScoreEntry, complete bool) {
	seen := map[string]bool{}
	for i, s := range scores {
		// A score's field names ("scores[1].score") are spelled out only for
		// a problem: valid scores, the usual case, cost no strings.
		f := func(leaf string) string { return "scores[" + strconv.Itoa(i) + "]." + leaf }
		c, ok := criterionOf(t, s.Criterion)
		switch {
		case !ok:
			p.add(f("criterion"), "%q is not a criterion of the cycle's template", s.Criterion)
			continue
		case c.Kind != scoring.Rated || !c.Rates(kind):
			p.add(f("criterion"), "%q is not rated by %s raters", s.Criterion, kind)
			continue
		case seen[s.Criterion]:
			p.add(f("criterion"), "%q is scored twice", s.Criterion)
		}
		seen[s.Criterion] = true
		if lo, hi, ok := c.Scale.Bounds(); ok && (s.Score.LessThan(lo) || s.Score.GreaterThan(hi)) {
			p.add(f("score"), "%s is outside the %s scale (%s to %s)", s.Score, c.Scale, lo, hi)
		}
		if !s.Score.Equal(s.Score.Truncate(2)) {
			p.add(f("score"), "must have at most 2 decimal places")
		}
		if !optionalTextOK(s.Comment, MaxCommentLen) {
			checkOptionalText(p, f("comment"), s.Comment, MaxCommentLen)
		}
	}
	if !complete {
		return
	}
	for _, d := range t.Dimensions {
		for _, c := range d.Criteria {
			if c.Kind == scoring.Rated && c.Rates(kind) && !seen[c.Key] {
				p.add("scores", "criterion %q must be scored by %s raters", c.Key, kind)
			}
		}
	}
}
