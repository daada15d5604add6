package scoring

import (
	"strings"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Trace is the derivation of one computed number: ordered steps, each taking
// earlier values or inputs to a new value; the last step's Value is the
// number itself. Tests compare traces; String renders one for auditors.
type Trace []Step

// Op names what a step did.
type Op string

// Trace operations.
const (
	// OpMean: the equally weighted mean of one rater kind's scores of one
	// criterion; each term is a rater's score with its rater and event.
	OpMean Op = "mean"
	// OpScaleMap: a five-point mean mapped to 0-100, (mean - 1) × 25.
	OpScaleMap Op = "scale_map"
	// OpRenormalise: the rater kinds present with their policy weights; the
	// value is the weight total the weighted mean divides by, and the note
	// names the absent kinds.
	OpRenormalise Op = "renormalise"
	// OpWeightedMean: Σ weight × value / Σ weight over the terms.
	OpWeightedMean Op = "weighted_mean"
	// OpKPI: a KPI ratio × 100 from a target and an actual.
	OpKPI Op = "kpi"
	// OpCap: the KPI score limited to the cap.
	OpCap Op = "cap"
	// OpAdjust: a calibration or appeal adjustment applied (label delta or
	// override), citing its event, author and reason.
	OpAdjust Op = "adjust"
	// OpClamp: the score limited to [0, 100].
	OpClamp Op = "clamp"
	// OpRound: half-up rounding to 2 decimal places.
	OpRound Op = "round"
	// OpBand: the grade band the rounded score falls in (label: grade,
	// value: the band's inclusive lower bound).
	OpBand Op = "band"
	// OpCoefficient: the band's pay coefficient.
	OpCoefficient Op = "coefficient"
	// OpStandard: monthly standard × months covered.
	OpStandard Op = "standard"
	// OpPay: standard × coefficient, rounded half-up to 0.01.
	OpPay Op = "pay"
	// OpBudgetFactor: unit budget / unit pay total.
	OpBudgetFactor Op = "budget_factor"
	// OpProrate: pay × budget / total rounded down to 0.01; the remainder
	// (in cents, over the total) ranks the employee for the spare cents.
	OpProrate Op = "prorate"
	// OpCent: one spare cent handed to the employee (largest remainders).
	OpCent Op = "cent"
	// OpSum: a total.
	OpSum Op = "sum"
)

// Step is one operation of a derivation.
type Step struct {
	Op    Op     `json:"op"`
	Label string `json:"label,omitempty"`
	// Ref is the person a step is about where that is not obvious (the
	// author of an adjustment).
	Ref   uuid.UUID       `json:"ref,omitzero"`
	Terms []Term          `json:"terms,omitempty"`
	Value decimal.Decimal `json:"value"`
	// EventIDs are the events the step's own inputs came from.
	EventIDs []uuid.UUID `json:"event_ids,omitempty"`
	Note     string      `json:"note,omitempty"`
}

// Term is one operand of a step. Weight is 1 in plain means.
type Term struct {
	Label string `json:"label,omitempty"`
	// Ref is a rater or employee the operand belongs to.
	Ref     uuid.UUID       `json:"ref,omitzero"`
	Value   decimal.Decimal `json:"value"`
	Weight  decimal.Decimal `json:"weight"`
	EventID uuid.UUID       `json:"event_id,omitzero"`
	// Amendments are the amendment events applied to EventID's scores.
	Amendments []uuid.UUID `json:"amendments,omitempty"`
}

// String renders the trace one step a line, for people.
func (t Trace) String() string {
	var b strings.Builder
	for i, s := range t {
		if i > 0 {
			b.WriteByte('\n')
		}
		s.write(&b)
	}
	return b.String()
}

func (s Step) write(b *strings.Builder) {
	b.WriteString(string(s.Op))
	if s.Label != "" {
		b.WriteString(" ")
		b.WriteString(s.Label)
	}
	if s.Ref != uuid.Nil {
		b.WriteString(" by ")
		b.WriteString(s.Ref.String())
	}
	if len(s.Terms) > 0 {
		b.WriteString(" (")
		for i, t := range s.Terms {
			if i > 0 {
				b.WriteString(", ")
			}
			t.write(b)
		}
		b.WriteString(")")
	}
	b.WriteString(" = ")
	b.WriteString(s.Value.String())
	for _, id := range s.EventIDs {
		b.WriteString(" [event ")
		b.WriteString(id.String())
		b.WriteString("]")
	}
	if s.Note != "" {
		b.WriteString(" — ")
		b.WriteString(s.Note)
	}
}

func (t Term) write(b *strings.Builder) {
	if t.Label != "" {
		b.WriteString(t.Label)
		b.WriteString(" ")
	}
	b.WriteString(t.Value.String())
	if !t.Weight.Equal(one) {
		b.WriteString(" × ")
		b.WriteString(t.Weight.String())
	}
	if t.Ref != uuid.Nil {
		b.WriteString(" from ")
		b.WriteString(t.Ref.String())
	}
	if t.EventID != uuid.Nil {
		b.WriteString(" [event ")
		b.WriteString(t.EventID.String())
		for _, a := range t.Amendments {
			b.WriteString(", amended ")
			b.WriteString(a.String())
		}
		b.WriteString("]")
	}
}
