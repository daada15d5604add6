package http

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// EmployeeView is an employee's result as the employee, their manager and
// their unit head see it (SPEC §4, §10): scores, grade, pay and breakdown,
// with rater kinds only as aggregates and peer/customer aggregates hidden
// below the anonymity threshold. It carries no derivation traces, because
// traces name the events and so the raters behind each score; HR and
// auditors read the full result instead.
type EmployeeView struct {
	EmployeeID      uuid.UUID            `json:"employee_id"`
	UnitID          uuid.UUID            `json:"unit_id"`
	PositionLevel   string               `json:"position_level"`
	Complete        bool                 `json:"complete"`
	Final           decimal.Decimal      `json:"final_score"`
	Grade           string               `json:"grade"`
	Coefficient     decimal.Decimal      `json:"coefficient"`
	Standard        decimal.Decimal      `json:"standard"`
	Pay             decimal.Decimal      `json:"performance_pay"`
	ProrationFactor decimal.Decimal      `json:"proration_factor"`
	Dimensions      []DimensionView      `json:"dimensions"`
	Criteria        []CriterionView      `json:"criteria"`
	Adjustments     []AdjustmentView     `json:"adjustments"`
	PayItems        []PayItemView        `json:"pay_items"`
	HiddenKinds     []scoring.RaterKind  `json:"hidden_rater_kinds,omitempty"`
	Status          scoring.ResultStatus `json:"status"`
}

// DimensionView is one dimension's score.
type DimensionView struct {
	Key     string          `json:"key"`
	Weight  decimal.Decimal `json:"weight"`
	Score   decimal.Decimal `json:"score"`
	Missing bool            `json:"missing"`
}

// CriterionView is one criterion's score with the rater-kind means the
// employee may see.
type CriterionView struct {
	Key       string                `json:"key"`
	Dimension string                `json:"dimension"`
	Kind      scoring.CriterionKind `json:"kind"`
	Weight    decimal.Decimal       `json:"weight"`
	Score     decimal.Decimal       `json:"score"`
	Missing   bool                  `json:"missing"`
	Raters    []RaterMeanView       `json:"raters"`
}

// RaterMeanView is the mean of one rater kind, never one rater.
type RaterMeanView struct {
	Kind  scoring.RaterKind `json:"kind"`
	Count int               `json:"count"`
	Mean  decimal.Decimal   `json:"mean"`
}

// AdjustmentView is a calibration or appeal adjustment with its reason.
type AdjustmentView struct {
	Origin scoring.AdjustmentOrigin `json:"origin"`
	Kind   scoring.AdjustmentKind   `json:"kind"`
	Value  decimal.Decimal          `json:"value"`
	Reason string                   `json:"reason"`
	Before decimal.Decimal          `json:"before"`
	After  decimal.Decimal          `json:"after"`
}

// PayItemView is an award or penalty.
type PayItemView struct {
	Kind   scoring.PayItemKind `json:"kind"`
	Type   string              `json:"type"`
	Amount decimal.Decimal     `json:"amount"`
	Reason string              `json:"reason"`
}

// employeeView anonymises a result for the employee's side.
func employeeView(r scoring.EmployeeResult) EmployeeView {
	v := EmployeeView{
		EmployeeID: r.EmployeeID, UnitID: r.UnitID, PositionLevel: r.PositionLevel, Complete: r.Complete,
		Final: r.Final.Value, Grade: r.Grade, Coefficient: r.Coefficient, Standard: r.Standard.Value,
		Pay: r.Pay.Value, ProrationFactor: r.ProrationFactor,
		Dimensions: []DimensionView{}, Criteria: []CriterionView{}, Adjustments: []AdjustmentView{}, PayItems: []PayItemView{},
	}
	hidden := map[scoring.RaterKind]bool{}
	for _, d := range r.Dimensions {
		v.Dimensions = append(v.Dimensions, DimensionView{Key: d.Key, Weight: d.Weight, Score: d.Score.Value, Missing: d.Missing})
	}
	for _, c := range r.Criteria {
		cv := CriterionView{Key: c.Key, Dimension: c.Dimension, Kind: c.Kind, Weight: c.Weight, Score: c.Score.Value, Missing: c.Missing, Raters: []RaterMeanView{}}
		for _, rs := range c.Raters {
			if !rs.ShownToEmployee {
				hidden[rs.Kind] = true
				continue
			}
			cv.Raters = append(cv.Raters, RaterMeanView{Kind: rs.Kind, Count: rs.Count, Mean: rs.Mean.Value})
		}
		v.Criteria = append(v.Criteria, cv)
	}
	for _, k := range scoring.RaterKinds() {
		if hidden[k] {
			v.HiddenKinds = append(v.HiddenKinds, k)
		}
	}
	for _, a := range r.Adjustments {
		v.Adjustments = append(v.Adjustments, AdjustmentView{Origin: a.Origin, Kind: a.Kind, Value: a.Value, Reason: a.Reason, Before: a.Before, After: a.After})
	}
	for _, p := range r.PayItems {
		v.PayItems = append(v.PayItems, PayItemView{Kind: p.Kind, Type: p.Type, Amount: p.Amount, Reason: p.Reason})
	}
	return v
}
