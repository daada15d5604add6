package domain

import (
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// A decision larger than one part is split into parts in one append and
// read back whole, in order; replaying the same result against it matches.
func TestLargeDecisionsSplitIntoPartsAndReassemble(t *testing.T) {
	res := scoring.Result{CycleID: uuid.New(), EngineVersion: scoring.EngineVersion}
	for i := range 2*DecisionPartSize + 1 {
		res.Employees = append(res.Employees, scoring.EmployeeResult{EmployeeID: uuid.New(), Grade: "B",
			Final: scoring.Derived{Value: decimal.NewFromInt(int64(80 + i%10))}})
	}
	events := newDecision(DecisionPublication, scoring.Published, uuid.New(), res, 41)
	if len(events) != 4 {
		t.Fatalf("%d events, want a head and 3 parts", len(events))
	}
	recorded := make([]Recorded, len(events))
	for i, e := range events {
		recorded[i] = Recorded{Position: int64(42 + i), Event: e}
	}
	ds := Decisions(recorded)
	if len(ds) != 1 || ds[0].Parts != 3 || len(ds[0].Rows) != len(res.Employees) || ds[0].LastInputPosition != 41 {
		t.Fatalf("read back %d decisions, %d parts, %d rows", len(ds), ds[0].Parts, len(ds[0].Rows))
	}
	for i, row := range ds[0].Rows {
		if row.EmployeeID != res.Employees[i].EmployeeID {
			t.Fatalf("row %d out of order", i)
		}
	}
	if m := CompareDecision(ds[0], res); len(m) != 0 {
		t.Errorf("the same result mismatches: %v", m)
	}
}
