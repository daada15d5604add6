package scoring

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Input is everything Compute needs for one cycle, as plain data. Package
// domain produces it by folding the cycle's events (up to some position for
// as-of queries and replay); the engine never sees events themselves, only
// the ids of the events each fact came from, so that traces can cite them.
//
// Slice order does not matter: Compute sorts what it iterates, so two folds
// that list the same facts in a different order get byte-identical results.
type Input struct {
	Cycle    Cycle    `json:"cycle"`
	Template Template `json:"template"`
	Policy   Policy   `json:"policy"`

	// Units and Employees are the organisation as it was for this cycle;
	// Employees holds only those in scope (exclusions already applied).
	Units     []Unit     `json:"units"`
	Employees []Employee `json:"employees"`

	Evaluations      []Evaluation      `json:"evaluations"`
	KPIs             []KPIRecord       `json:"kpis"`
	Adjustments      []Adjustment      `json:"adjustments"`
	PairingOverrides []PairingOverride `json:"pairing_overrides"`
	// PayItems are awards and penalties; they sit outside the unit budget
	// and are only carried through to the result for payroll (SPEC §7).
	PayItems []PayItem `json:"pay_items"`
	// History holds the employees' published and closed results of earlier
	// cycles, for the consecutive-grade flag and the recommendations.
	History []PastResult `json:"history"`
}

// Cycle identifies the cycle being computed.
type Cycle struct {
	ID      uuid.UUID `json:"id"`
	Name    string    `json:"name"`
	Cadence Cadence   `json:"cadence"`
	// Months covered; normally Cadence.Months(). The pay standard of the
	// cycle is the monthly standard times this.
	Months      int       `json:"months"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	// Status is how far the cycle has gone; recommendations and flags are
	// raised only from published (or closed) results.
	Status ResultStatus `json:"status"`
}

// Unit is a department or site; budget and distribution rules apply per unit.
type Unit struct {
	ID     uuid.UUID `json:"id"`
	Name   string    `json:"name"`
	HeadID uuid.UUID `json:"head_id"`
}

// Employee is one person in the cycle's scope, as the organisation stood
// for this cycle.
type Employee struct {
	ID            uuid.UUID `json:"id"`
	UnitID        uuid.UUID `json:"unit_id"`
	PositionLevel string    `json:"position_level"`
	// MonthlyStandard is the performance-pay standard (绩效工资标准) per month.
	MonthlyStandard decimal.Decimal `json:"monthly_standard"`
}

// Evaluation is one submitted evaluation. Amendments are applied by the
// fold: Scores are the scores in force after the last amendment, and
// AmendmentEventIDs lists the amendment events (oldest first) so that the
// trace cites every event that shaped the scores.
type Evaluation struct {
	// EventID is the id of the submission event.
	EventID           uuid.UUID        `json:"event_id"`
	AmendmentEventIDs []uuid.UUID      `json:"amendment_event_ids,omitempty"`
	Kind              RaterKind        `json:"kind"`
	RaterID           uuid.UUID        `json:"rater_id"`
	EmployeeID        uuid.UUID        `json:"employee_id"`
	Scores            []CriterionScore `json:"scores"`
}

// CriterionScore is a rater's score of one criterion on the criterion's scale.
type CriterionScore struct {
	Criterion string          `json:"criterion"`
	Score     decimal.Decimal `json:"score"`
}

// KPIRecord is the target and actual of one measured criterion for one
// employee, with the events that recorded them. The fold keeps the latest
// of each.
type KPIRecord struct {
	EmployeeID    uuid.UUID       `json:"employee_id"`
	Criterion     string          `json:"criterion"`
	Target        decimal.Decimal `json:"target"`
	Actual        decimal.Decimal `json:"actual"`
	TargetEventID uuid.UUID       `json:"target_event_id"`
	ActualEventID uuid.UUID       `json:"actual_event_id"`
}

// AdjustmentKind is how an adjustment changes a score.
type AdjustmentKind string

// Adjustment kinds.
const (
	// AdjustDelta adds a signed Value to the score so far.
	AdjustDelta AdjustmentKind = "delta"
	// AdjustOverride replaces the score so far with Value (0-100).
	AdjustOverride AdjustmentKind = "override"
)

// AdjustmentOrigin says which process produced an adjustment.
type AdjustmentOrigin string

// Adjustment origins.
const (
	// FromCalibration: a unit head's or HR's calibration (调整), SPEC §5.
	FromCalibration AdjustmentOrigin = "calibration"
	// FromAppeal: HR upheld an appeal with a new score, SPEC §10.
	FromAppeal AdjustmentOrigin = "appeal"
)

// Adjustment is a calibration or upheld-appeal change to an employee's
// overall score. Adjustments apply in Position order (the global event
// position), so an override followed by a delta means "this, plus that";
// the clamp to [0, 100] comes after the last one (SPEC §5).
type Adjustment struct {
	EventID    uuid.UUID        `json:"event_id"`
	Position   int64            `json:"position"`
	EmployeeID uuid.UUID        `json:"employee_id"`
	Origin     AdjustmentOrigin `json:"origin"`
	Kind       AdjustmentKind   `json:"kind"`
	Value      decimal.Decimal  `json:"value"`
	AuthorID   uuid.UUID        `json:"author_id"`
	Reason     string           `json:"reason"`
}

// PairingOverride is HR's written justification for a unit that breaks the
// forced-pairing rule (SPEC §8).
type PairingOverride struct {
	UnitID        uuid.UUID `json:"unit_id"`
	EventID       uuid.UUID `json:"event_id"`
	AuthorID      uuid.UUID `json:"author_id"`
	Justification string    `json:"justification"`
}

// PayItemKind separates awards from penalties.
type PayItemKind string

// Pay item kinds.
const (
	Award   PayItemKind = "award"
	Penalty PayItemKind = "penalty"
)

// PayItem is an award (优秀员工奖, 创新奖, ...) or penalty (警告, 罚款, 降职)
// decided by HR. Amount is zero for items without money (a warning).
type PayItem struct {
	EventID    uuid.UUID       `json:"event_id"`
	EmployeeID uuid.UUID       `json:"employee_id"`
	Kind       PayItemKind     `json:"kind"`
	Type       string          `json:"type"`
	Amount     decimal.Decimal `json:"amount"`
	Reason     string          `json:"reason"`
}

// PastResult is one employee's published or closed result of an earlier
// cycle, as recorded by that cycle's decision event.
type PastResult struct {
	EmployeeID  uuid.UUID    `json:"employee_id"`
	CycleID     uuid.UUID    `json:"cycle_id"`
	Cadence     Cadence      `json:"cadence"`
	PeriodStart time.Time    `json:"period_start"`
	PeriodEnd   time.Time    `json:"period_end"`
	Grade       string       `json:"grade"`
	Status      ResultStatus `json:"status"`
	// EventID is the decision event that recorded the result (after any
	// upheld appeals).
	EventID uuid.UUID `json:"event_id"`
}
