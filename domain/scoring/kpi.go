package scoring

import "github.com/shopspring/decimal"

// scoreKPI is SPEC §3 for a measured criterion:
// min(actual / target × 100, cap), or target / actual × 100 for a
// lower-is-better KPI. Validate guarantees target > 0 for higher-is-better
// KPIs. For lower-is-better ones an actual of 0 (no complaints at all) is
// the best possible result and scores the cap (interpretation); a target of
// 0 with a positive actual scores 0.
func (e *engine) scoreKPI(cr *CriterionResult, ci int, k KPIRecord) {
	c := e.crits[ci]
	rec := k
	cr.KPI = &rec
	target := Term{Label: "target", Value: k.Target, EventID: k.TargetEventID}
	actual := Term{Label: "actual", Value: k.Actual, EventID: k.ActualEventID}
	cp := e.caps[ci]
	var ratio Step
	switch {
	case !c.LowerIsBetter:
		ratio = Step{Op: OpKPI, Label: c.Key, Terms: e.operands(actual, target),
			Value: quo(k.Actual.Mul(hundred), k.Target), Note: "actual / target × 100"}
	case k.Actual.IsZero():
		ratio = Step{Op: OpKPI, Label: c.Key, Terms: e.operands(target, actual),
			Value: cp, Note: "lower is better and the actual is 0: the best result, scored at the cap"}
	default:
		ratio = Step{Op: OpKPI, Label: c.Key, Terms: e.operands(target, actual),
			Value: quo(k.Target.Mul(hundred), k.Actual), Note: "lower is better: target / actual × 100"}
	}
	capped := decimal.Min(ratio.Value, cp)
	cr.Score = Derived{Value: capped, Trace: e.trace(ratio, Step{
		Op: OpCap, Label: c.Key, Value: capped, Note: "min(score, cap)",
		Terms: e.operands(Term{Label: "score", Value: ratio.Value}, Term{Label: "cap", Value: cp}),
	})}
}
