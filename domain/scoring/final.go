package scoring

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// final is SPEC §5 steps 5-6: the adjustments in order, the clamp to
// [0, 100], and half-up rounding to 2 places. Clamping comes once, after the
// last adjustment, so that two deltas that cancel out leave the score where
// it was even if the first went past a limit.
func (e *engine) final(overall decimal.Decimal, adjs []Adjustment) ([]AppliedAdjustment, Derived) {
	trace := e.steps.room(len(adjs) + 2)
	applied := make([]AppliedAdjustment, 0, len(adjs))
	v := overall
	for _, a := range adjs {
		before := v
		if a.Kind == AdjustOverride {
			v = a.Value
		} else {
			v = v.Add(a.Value)
		}
		applied = append(applied, AppliedAdjustment{Adjustment: a, Before: before, After: v})
		trace = append(trace, Step{
			Op: OpAdjust, Label: string(a.Kind), Ref: a.AuthorID, Value: v,
			Terms:    e.operands(Term{Label: "before", Value: before}, Term{Label: string(a.Kind), Value: a.Value}),
			EventIDs: []uuid.UUID{a.EventID},
			Note:     string(a.Origin) + ": " + a.Reason,
		})
	}
	clamped := clamp(v, zero, hundred)
	rounded := clamped.Round(2)
	trace = append(trace,
		Step{Op: OpClamp, Value: clamped, Note: "limited to [0, 100]", Terms: e.operands(Term{Label: "score", Value: v})},
		Step{Op: OpRound, Value: rounded, Note: "half-up to 2 places", Terms: e.operands(Term{Label: "score", Value: clamped})},
	)
	return applied, Derived{Value: rounded, Trace: trace}
}

// grade is SPEC §6: the band of the rounded final score and its coefficient.
func (e *engine) grade(r *EmployeeResult) {
	b := e.in.Policy.Grades[e.in.Policy.band(r.Final.Value)]
	r.Grade, r.Coefficient = b.Grade, b.Coefficient
	r.GradeTrace = e.trace(
		Step{Op: OpBand, Label: b.Grade, Value: b.LowerBound, Note: "first band whose lower bound (inclusive) the final score reaches",
			Terms: e.operands(Term{Label: "final", Value: r.Final.Value})},
		Step{Op: OpCoefficient, Label: b.Grade, Value: b.Coefficient},
	)
}
