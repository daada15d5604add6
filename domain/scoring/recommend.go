package scoring

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/google/uuid"
)

// outcome is one graded cycle of an employee: an earlier cycle from the
// history, or the cycle being computed (current), whose evidence is the
// adjustments behind its grade rather than a decision event.
type outcome struct {
	PastResult
	current     bool
	adjustments []uuid.UUID
}

func (o outcome) evidence() Evidence {
	ids := o.adjustments
	if !o.current {
		ids = []uuid.UUID{o.EventID}
	}
	return Evidence{CycleID: o.CycleID, Cadence: o.Cadence, PeriodEnd: o.PeriodEnd, Grade: o.Grade, Status: o.Status, EventIDs: ids}
}

func evidenceOf(os []outcome) []Evidence {
	out := make([]Evidence, len(os))
	for i, o := range os {
		out[i] = o.evidence()
	}
	return out
}

// followUp raises the §8 flag and the §9 recommendations that this cycle's
// result triggers for one employee. Nothing is raised before publication:
// a provisional grade may still change.
func (e *engine) followUp(res *Result, r *EmployeeResult) {
	c := e.in.Cycle
	if !c.Status.atLeastPublished() {
		return
	}
	hist := e.history[e.empIdx[r.EmployeeID]]
	seq := make([]outcome, 0, len(hist)+1)
	for _, h := range hist {
		seq = append(seq, outcome{PastResult: h})
	}
	var adjEvents []uuid.UUID
	for _, a := range r.Adjustments {
		adjEvents = append(adjEvents, a.EventID)
	}
	cur := outcome{PastResult: PastResult{
		EmployeeID: r.EmployeeID, CycleID: c.ID, Cadence: c.Cadence, PeriodStart: c.PeriodStart,
		PeriodEnd: c.PeriodEnd, Grade: r.Grade, Status: c.Status,
	}, current: true, adjustments: adjEvents}
	seq = append(seq, cur) // history ends no later than this cycle (Validate)

	p := e.in.Policy
	flag := e.consecutive(seq, p.ConsecutiveFlag)
	if flag != nil {
		res.Flags = append(res.Flags, Flag{Kind: FlagConsecutiveGrade, EmployeeID: r.EmployeeID, Rule: p.ConsecutiveFlag, Evidence: evidenceOf(flag)})
	}
	rules := p.Recommendations
	add := func(kind RecommendationKind, rule string, params []Parameter, ev []outcome) {
		res.Recommendations = append(res.Recommendations, Recommendation{
			Kind: kind, EmployeeID: r.EmployeeID, Rule: rule, Parameters: params,
			PolicyID: p.ID, PolicyVersion: p.Version, Evidence: evidenceOf(ev),
		})
	}
	if ev := e.promotion(seq); ev != nil {
		add(RecommendPromotion, "promotion.closed_window", e.promotionParams(), ev)
	}
	if gradeRuleMatches(rules.Training, cur) {
		add(RecommendTraining, "training.grade", gradeRuleParams(rules.Training), []outcome{cur})
	}
	switch pr := rules.PositionReview; {
	case pr.Enabled && cur.Grade == pr.Grade:
		add(RecommendPositionReview, "position_review.grade", []Parameter{{"grade", pr.Grade}}, []outcome{cur})
	case pr.Enabled && pr.OnConsecutiveFlag && flag != nil:
		add(RecommendPositionReview, "position_review.consecutive_flag", consecutiveParams(p.ConsecutiveFlag, c.Cadence), flag)
	}
	if ev := e.consecutive(seq, rules.DemotionReview); ev != nil {
		add(RecommendDemotionReview, "demotion_review.consecutive_grade", consecutiveParams(rules.DemotionReview, c.Cadence), ev)
	}
	if gradeRuleMatches(rules.ExcellenceAward, cur) {
		add(RecommendExcellenceAward, "excellence_award.grade", gradeRuleParams(rules.ExcellenceAward), []outcome{cur})
	}
}

// consecutive returns the run of rule.Count results of rule.Grade that ends
// with this cycle (the last of seq), or nil. Only results of the rule's
// cadence count, and this cycle must be of it: the flag is raised by the
// publication that completes the run.
func (e *engine) consecutive(seq []outcome, rule ConsecutiveRule) []outcome {
	cadence := cmp.Or(rule.Cadence, e.in.Cycle.Cadence)
	if !rule.Enabled || e.in.Cycle.Cadence != cadence {
		return nil
	}
	var run []outcome
	for i := len(seq) - 1; i >= 0 && len(run) < rule.Count; i-- {
		if seq[i].Cadence != cadence {
			continue
		}
		if seq[i].Grade != rule.Grade {
			return nil
		}
		run = append(run, seq[i])
	}
	if len(run) < rule.Count {
		return nil
	}
	slices.Reverse(run)
	return run
}

// promotion applies the promotion rule when this cycle closes: the last N
// closed results of this cycle's cadence are all MinGrade or better, and no
// closed result of any cadence inside their span is below FloorGrade. The
// evidence is every closed result inside the span.
func (e *engine) promotion(seq []outcome) []outcome {
	rule := e.in.Policy.Recommendations.Promotion
	c := e.in.Cycle
	if !rule.Enabled || c.Status != Closed {
		return nil
	}
	n := e.promotionWindow()
	if n == 0 {
		return nil
	}
	p := e.in.Policy
	window := make([]outcome, 0, n)
	for i := len(seq) - 1; i >= 0 && len(window) < n; i-- {
		if seq[i].Cadence == c.Cadence && seq[i].Status == Closed {
			window = append(window, seq[i])
		}
	}
	if len(window) < n {
		return nil
	}
	start := window[len(window)-1].PeriodStart
	evidence := make([]outcome, 0, len(seq))
	for _, o := range seq {
		if o.Status != Closed || o.PeriodStart.Before(start) {
			continue
		}
		evidence = append(evidence, o)
		if p.rank(o.Grade) > p.rank(rule.FloorGrade) {
			return nil
		}
	}
	for _, o := range window {
		if p.rank(o.Grade) > p.rank(rule.MinGrade) {
			return nil
		}
	}
	return evidence
}

// promotionWindow is the number of closed cycles looked at for this
// cycle's cadence, 0 when the policy has no window for it.
func (e *engine) promotionWindow() int {
	for _, w := range e.in.Policy.Recommendations.Promotion.Windows {
		if w.Cadence == e.in.Cycle.Cadence {
			return w.Cycles
		}
	}
	return 0
}

func (e *engine) promotionParams() []Parameter {
	rule := e.in.Policy.Recommendations.Promotion
	return []Parameter{
		{"cadence", string(e.in.Cycle.Cadence)},
		{"cycles", strconv.Itoa(e.promotionWindow())},
		{"min_grade", rule.MinGrade},
		{"floor_grade", rule.FloorGrade},
	}
}

func gradeRuleMatches(rule GradeRule, cur outcome) bool {
	if !rule.Enabled || cur.Grade != rule.Grade {
		return false
	}
	return cur.Status == Closed || rule.MinStatus == Published
}

func gradeRuleParams(rule GradeRule) []Parameter {
	return []Parameter{{"grade", rule.Grade}, {"min_status", string(rule.MinStatus)}}
}

func consecutiveParams(rule ConsecutiveRule, cycleCadence Cadence) []Parameter {
	return []Parameter{
		{"cadence", string(cmp.Or(rule.Cadence, cycleCadence))},
		{"grade", rule.Grade},
		{"count", strconv.Itoa(rule.Count)},
	}
}
