package scoring

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// EngineVersion identifies the scoring rules implemented here. Decision
// events record it; a replay with a different engine version says so rather
// than pretending to match.
const EngineVersion = "scoring/1"

// Result is everything Compute derives for one cycle. Employees are sorted
// by employee id, units by unit id, flags and recommendations by employee
// id then kind.
type Result struct {
	EngineVersion   string       `json:"engine_version"`
	CycleID         uuid.UUID    `json:"cycle_id"`
	Status          ResultStatus `json:"status"`
	TemplateID      uuid.UUID    `json:"template_id"`
	TemplateVersion int          `json:"template_version"`
	PolicyID        uuid.UUID    `json:"policy_id"`
	PolicyVersion   int          `json:"policy_version"`

	Employees       []EmployeeResult `json:"employees"`
	Units           []UnitResult     `json:"units"`
	Flags           []Flag           `json:"flags"`
	Recommendations []Recommendation `json:"recommendations"`
	// Blockers are why the cycle cannot pass approval now; empty means it can.
	Blockers []Blocker `json:"blockers"`
}

// Approvable reports whether nothing blocks approval.
func (r Result) Approvable() bool { return len(r.Blockers) == 0 }

// Derived is a computed number with its derivation.
type Derived struct {
	Value decimal.Decimal `json:"value"`
	Trace Trace           `json:"trace"`
}

// EmployeeResult is one employee's scores, grade and pay.
type EmployeeResult struct {
	EmployeeID    uuid.UUID `json:"employee_id"`
	UnitID        uuid.UUID `json:"unit_id"`
	PositionLevel string    `json:"position_level"`

	// Complete is false when some criterion has no score at all (no rater
	// and no KPI record); the remaining criteria and dimensions are then
	// re-normalised like absent rater kinds, Missing names the criteria, and
	// the cycle cannot pass approval. With nothing scored at all the overall
	// score is 0: a provisional figure, never an approvable one.
	Complete bool     `json:"complete"`
	Missing  []string `json:"missing,omitempty"`

	Criteria   []CriterionResult `json:"criteria"`
	Dimensions []DimensionResult `json:"dimensions"`
	// Overall is the weighted mean of the dimensions at full precision.
	Overall Derived `json:"overall"`
	// Adjustments lists the adjustments applied, in order, with the score
	// before and after each.
	Adjustments []AppliedAdjustment `json:"adjustments"`
	// Final is clamp(overall + adjustments, 0, 100) rounded half-up to 2 places.
	Final       Derived         `json:"final"`
	Grade       string          `json:"grade"`
	Coefficient decimal.Decimal `json:"coefficient"`
	// GradeTrace shows the band and coefficient chosen for Final.
	GradeTrace Trace `json:"grade_trace"`

	MonthlyStandard decimal.Decimal `json:"monthly_standard"`
	Months          int             `json:"months"`
	// Standard is the monthly standard × months covered.
	Standard Derived `json:"standard"`
	// PayBeforeBudget is standard × coefficient rounded to 0.01.
	PayBeforeBudget Derived `json:"pay_before_budget"`
	// Pay is what payroll pays: PayBeforeBudget, or its prorated share when
	// the unit prorates; its trace continues PayBeforeBudget's.
	Pay Derived `json:"pay"`
	// ProrationFactor is the unit's budget / total when prorated, else 1.
	ProrationFactor decimal.Decimal `json:"proration_factor"`

	// PayItems are the awards and penalties, outside the budget.
	PayItems []PayItem `json:"pay_items"`
}

// CriterionResult is one criterion's score for one employee.
type CriterionResult struct {
	Key       string          `json:"key"`
	Dimension string          `json:"dimension"`
	Kind      CriterionKind   `json:"kind"`
	Weight    decimal.Decimal `json:"weight"`
	// Raters has one entry per rater kind that rated, in RaterKinds order.
	Raters []RaterScore `json:"raters,omitempty"`
	// AbsentRaters are the kinds the template asks for that gave no score;
	// their weight was re-normalised away rather than counted as zero.
	AbsentRaters []RaterKind `json:"absent_raters,omitempty"`
	// KPI holds the target and actual of a measured criterion.
	KPI *KPIRecord `json:"kpi,omitempty"`
	// Missing is true when nothing scored the criterion; Score is then zero
	// and unused.
	Missing bool    `json:"missing"`
	Score   Derived `json:"score"`
}

// RaterScore is the mean of one rater kind's scores of a criterion, mapped
// to 0-100.
type RaterScore struct {
	Kind  RaterKind `json:"kind"`
	Count int       `json:"count"`
	Mean  Derived   `json:"mean"`
	// Weight is the policy weight of the kind before re-normalisation.
	Weight decimal.Decimal `json:"weight"`
	// ShownToEmployee is false for peer and customer means resting on fewer
	// evaluations than the policy's anonymity threshold (SPEC §4).
	ShownToEmployee bool `json:"shown_to_employee"`
}

// DimensionResult is one dimension's score for one employee.
type DimensionResult struct {
	Key     string          `json:"key"`
	Weight  decimal.Decimal `json:"weight"`
	Missing bool            `json:"missing"`
	Score   Derived         `json:"score"`
}

// AppliedAdjustment is an adjustment with its effect.
type AppliedAdjustment struct {
	Adjustment
	Before decimal.Decimal `json:"before"`
	After  decimal.Decimal `json:"after"`
}

// UnitResult is one unit's budget check and grade distribution.
type UnitResult struct {
	UnitID    uuid.UUID `json:"unit_id"`
	HeadID    uuid.UUID `json:"head_id"`
	Employees int       `json:"employees"`

	// Budget is Σ standard over the unit's employees (SPEC §7).
	Budget Derived `json:"budget"`
	// PayTotalBeforeBudget is Σ pay before budget.
	PayTotalBeforeBudget Derived `json:"pay_total_before_budget"`
	// PayTotal is Σ pay after the budget rule (equal to Budget when prorated).
	PayTotal decimal.Decimal `json:"pay_total"`
	// Overshoot is PayTotalBeforeBudget - Budget when positive, else 0.
	Overshoot decimal.Decimal `json:"overshoot"`
	Mode      BudgetMode      `json:"mode"`
	// Blocked: block mode and an overshoot; approval is refused.
	Blocked bool `json:"blocked"`
	// Factor is budget / total when prorated, else 1.
	Factor Derived `json:"factor"`
	// Drivers are the people paid above their standard, the ones driving
	// an overshoot, largest excess first (reported when Blocked).
	Drivers []BudgetDriver `json:"drivers,omitempty"`

	Distribution []GradeCount `json:"distribution"`
	// PairingWarning: the unit has the forced-pairing high grade and not the
	// low grade (SPEC §8). PairingOverride, when set, clears it.
	PairingWarning  bool             `json:"pairing_warning"`
	PairingOverride *PairingOverride `json:"pairing_override,omitempty"`
}

// BudgetDriver is an employee paid more than their standard.
type BudgetDriver struct {
	EmployeeID uuid.UUID       `json:"employee_id"`
	Grade      string          `json:"grade"`
	Standard   decimal.Decimal `json:"standard"`
	Pay        decimal.Decimal `json:"pay"`
	Excess     decimal.Decimal `json:"excess"`
}

// GradeCount is how many of a unit's employees got a grade; every band of
// the policy is listed, best first.
type GradeCount struct {
	Grade string `json:"grade"`
	Count int    `json:"count"`
}

// FlagKind names a flag.
type FlagKind string

// Flag kinds.
const (
	// FlagConsecutiveGrade: the policy's consecutive flag (three monthly C).
	FlagConsecutiveGrade FlagKind = "consecutive_grade"
)

// Flag is raised by this cycle's published result (SPEC §8).
type Flag struct {
	Kind       FlagKind        `json:"kind"`
	EmployeeID uuid.UUID       `json:"employee_id"`
	Rule       ConsecutiveRule `json:"rule"`
	Evidence   []Evidence      `json:"evidence"`
}

// RecommendationKind names a recommendation of SPEC §9.
type RecommendationKind string

// Recommendation kinds.
const (
	RecommendPromotion       RecommendationKind = "promotion"
	RecommendTraining        RecommendationKind = "training"
	RecommendPositionReview  RecommendationKind = "position_review"
	RecommendDemotionReview  RecommendationKind = "demotion_review"
	RecommendExcellenceAward RecommendationKind = "excellence_award"
)

// Recommendation is derived, never decided: HR accepts or dismisses it.
type Recommendation struct {
	Kind          RecommendationKind `json:"kind"`
	EmployeeID    uuid.UUID          `json:"employee_id"`
	Rule          string             `json:"rule"`
	Parameters    []Parameter        `json:"parameters"`
	PolicyID      uuid.UUID          `json:"policy_id"`
	PolicyVersion int                `json:"policy_version"`
	Evidence      []Evidence         `json:"evidence"`
}

// Parameter is one rule parameter as it was in force.
type Parameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Evidence is one cycle result a flag or recommendation rests on. EventIDs
// holds the decision event of an earlier cycle; for the cycle being computed
// it holds the adjustment events behind the grade, if any.
type Evidence struct {
	CycleID   uuid.UUID    `json:"cycle_id"`
	Cadence   Cadence      `json:"cadence"`
	PeriodEnd time.Time    `json:"period_end"`
	Grade     string       `json:"grade"`
	Status    ResultStatus `json:"status"`
	EventIDs  []uuid.UUID  `json:"event_ids,omitempty"`
}

// BlockerKind names why approval is refused.
type BlockerKind string

// Blocker kinds.
const (
	BlockBudget     BlockerKind = "budget_overshoot"
	BlockPairing    BlockerKind = "forced_pairing"
	BlockIncomplete BlockerKind = "incomplete"
)

// Blocker is one reason the cycle cannot pass approval.
type Blocker struct {
	Kind       BlockerKind `json:"kind"`
	UnitID     uuid.UUID   `json:"unit_id"`
	EmployeeID uuid.UUID   `json:"employee_id,omitzero"`
	Message    string      `json:"message"`
}

// Derivation is the employee's whole derivation in the order it was
// computed, for an auditor to read top to bottom: every rater mean and
// criterion score, the dimensions, the overall score, the adjustments,
// clamp and rounding, the band and coefficient, the standard and the pay
// (with the budget steps when the unit prorated).
func (r EmployeeResult) Derivation() Trace {
	var t Trace
	for _, c := range r.Criteria {
		for _, rs := range c.Raters {
			t = append(t, rs.Mean.Trace...)
		}
		t = append(t, c.Score.Trace...)
	}
	for _, d := range r.Dimensions {
		t = append(t, d.Score.Trace...)
	}
	t = append(t, r.Overall.Trace...)
	t = append(t, r.Final.Trace...)
	t = append(t, r.GradeTrace...)
	t = append(t, r.Standard.Trace...)
	return append(t, r.Pay.Trace...)
}

// dropTraces sets every trace of a result the engine built to nil, in
// place (the criteria, raters and dimensions are the engine's own pieces).
func (r *EmployeeResult) dropTraces() {
	for i := range r.Criteria {
		c := &r.Criteria[i]
		for j := range c.Raters {
			c.Raters[j].Mean.Trace = nil
		}
		c.Score.Trace = nil
	}
	for i := range r.Dimensions {
		r.Dimensions[i].Score.Trace = nil
	}
	for _, d := range []*Derived{&r.Overall, &r.Final, &r.Standard, &r.PayBeforeBudget, &r.Pay} {
		d.Trace = nil
	}
	r.GradeTrace = nil
}

// Employee finds one employee's result (Employees is sorted by id).
func (r Result) Employee(id uuid.UUID) (EmployeeResult, bool) {
	i, ok := slices.BinarySearchFunc(r.Employees, id, func(e EmployeeResult, id uuid.UUID) int { return compareIDs(e.EmployeeID, id) })
	if !ok {
		return EmployeeResult{}, false
	}
	return r.Employees[i], true
}

// Unit finds one unit's result (Units is sorted by id).
func (r Result) Unit(id uuid.UUID) (UnitResult, bool) {
	i, ok := slices.BinarySearchFunc(r.Units, id, func(u UnitResult, id uuid.UUID) int { return compareIDs(u.UnitID, id) })
	if !ok {
		return UnitResult{}, false
	}
	return r.Units[i], true
}
