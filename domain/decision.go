package domain

import (
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// DecisionPartSize is how many employee rows one DecisionPartRecorded holds:
// 250 of the longest rows (full-precision decimals, every flag and
// recommendation) take about 110 KiB, half the store's 256 KiB limit.
const DecisionPartSize = 250

// newDecision turns an engine result into the events that record it: the
// head and its parts, to be appended with the publication or close event.
func newDecision(kind DecisionKind, status scoring.ResultStatus, id uuid.UUID, res scoring.Result, lastInput int64) []Event {
	head, rows := decisionRows(kind, status, res, lastInput)
	head.DecisionID = id
	head.Parts = (len(rows) + DecisionPartSize - 1) / DecisionPartSize
	events := []Event{head}
	for part := 0; part*DecisionPartSize < len(rows); part++ {
		chunk := rows[part*DecisionPartSize : min(len(rows), (part+1)*DecisionPartSize)]
		events = append(events, DecisionPartRecorded{DecisionID: id, CycleID: res.CycleID, Part: part + 1, Employees: chunk})
	}
	return events
}

// decisionRows is the recorded form of a result; replay builds the same form
// from a recomputed result and compares, so both sides use this function.
func decisionRows(kind DecisionKind, status scoring.ResultStatus, res scoring.Result, lastInput int64) (DecisionRecorded, []DecidedEmployee) {
	head := DecisionRecorded{
		CycleID: res.CycleID, Kind: kind, Status: status,
		TemplateID: res.TemplateID, TemplateVersion: res.TemplateVersion,
		PolicyID: res.PolicyID, PolicyVersion: res.PolicyVersion,
		EngineVersion: res.EngineVersion, LastInputPosition: lastInput,
		Employees: len(res.Employees),
	}
	for _, u := range res.Units {
		head.Units = append(head.Units, DecidedUnit{
			UnitID: u.UnitID, Employees: u.Employees, Budget: u.Budget.Value,
			PayTotalBeforeBudget: u.PayTotalBeforeBudget.Value, PayTotal: u.PayTotal,
			Overshoot: u.Overshoot, Factor: u.Factor.Value,
			PairingWarning: u.PairingWarning, PairingOverridden: u.PairingOverride != nil,
		})
	}
	flags := map[uuid.UUID][]scoring.FlagKind{}
	for _, f := range res.Flags {
		flags[f.EmployeeID] = append(flags[f.EmployeeID], f.Kind)
	}
	recs := map[uuid.UUID][]scoring.RecommendationKind{}
	for _, r := range res.Recommendations {
		recs[r.EmployeeID] = append(recs[r.EmployeeID], r.Kind)
	}
	rows := make([]DecidedEmployee, len(res.Employees))
	for i, e := range res.Employees {
		rows[i] = DecidedEmployee{
			EmployeeID: e.EmployeeID, UnitID: e.UnitID, PositionLevel: e.PositionLevel,
			Overall: e.Overall.Value, Final: e.Final.Value, Grade: e.Grade, Coefficient: e.Coefficient,
			Standard: e.Standard.Value, PayBeforeBudget: e.PayBeforeBudget.Value, Pay: e.Pay.Value,
			ProrationFactor: e.ProrationFactor,
			Flags:           flags[e.EmployeeID], Recommendations: recs[e.EmployeeID],
		}
	}
	return head, rows
}

// RecordedDecision is a decision read back from the log: its head, where it
// was stored, and all its employee rows in order.
type RecordedDecision struct {
	DecisionRecorded
	EventID  uuid.UUID
	Position int64
	Rows     []DecidedEmployee
}

// Decisions collects the recorded decisions in events (any mix of streams),
// in log order. A decision whose parts are not all present (events cut at a
// position inside its append cannot happen, but a filtered list can) is
// returned with the rows that are.
func Decisions(events []Recorded) []RecordedDecision {
	var out []RecordedDecision
	index := map[uuid.UUID]int{}
	for _, r := range events {
		switch e := r.Event.(type) {
		case DecisionRecorded:
			index[e.DecisionID] = len(out)
			out = append(out, RecordedDecision{DecisionRecorded: e, EventID: r.ID, Position: r.Position})
		case DecisionPartRecorded:
			if i, ok := index[e.DecisionID]; ok {
				out[i].Rows = append(out[i].Rows, e.Employees...)
			}
		}
	}
	return out
}

// Mismatch is one difference between a recorded decision and its replay.
type Mismatch struct {
	Field      string `json:"field"`
	Recorded   string `json:"recorded"`
	Recomputed string `json:"recomputed"`
}

// CompareDecision lists every field where a recomputed result differs from
// the recorded decision; an empty list is a MATCH.
func CompareDecision(d RecordedDecision, res scoring.Result) []Mismatch {
	head, rows := decisionRows(d.Kind, d.Status, res, d.LastInputPosition)
	var out []Mismatch
	diff := func(field, recorded, recomputed string) {
		if recorded != recomputed {
			out = append(out, Mismatch{Field: field, Recorded: recorded, Recomputed: recomputed})
		}
	}
	diff("engine_version", d.EngineVersion, head.EngineVersion)
	diff("template", versionOf(d.TemplateID, d.TemplateVersion), versionOf(head.TemplateID, head.TemplateVersion))
	diff("policy", versionOf(d.PolicyID, d.PolicyVersion), versionOf(head.PolicyID, head.PolicyVersion))
	diff("employees", strconv.Itoa(len(d.Rows)), strconv.Itoa(len(rows)))
	compareRows(diff, "units", d.Units, head.Units, func(u DecidedUnit) uuid.UUID { return u.UnitID }, unitFields)
	compareRows(diff, "employees", d.Rows, rows, func(e DecidedEmployee) uuid.UUID { return e.EmployeeID }, employeeFields)
	return out
}

func versionOf(id uuid.UUID, v int) string { return fmt.Sprintf("%s v%d", id, v) }

// field names one compared value of a row and renders it; decimals render
// through String, which drops trailing zeros, so they compare by value.
type field[T any] struct {
	name string
	get  func(T) string
}

var unitFields = []field[DecidedUnit]{
	{"employees", func(u DecidedUnit) string { return strconv.Itoa(u.Employees) }},
	{"budget", func(u DecidedUnit) string { return u.Budget.String() }},
	{"pay_total_before_budget", func(u DecidedUnit) string { return u.PayTotalBeforeBudget.String() }},
	{"pay_total", func(u DecidedUnit) string { return u.PayTotal.String() }},
	{"overshoot", func(u DecidedUnit) string { return u.Overshoot.String() }},
	{"factor", func(u DecidedUnit) string { return u.Factor.String() }},
	{"pairing_warning", func(u DecidedUnit) string { return strconv.FormatBool(u.PairingWarning) }},
	{"pairing_overridden", func(u DecidedUnit) string { return strconv.FormatBool(u.PairingOverridden) }},
}

var employeeFields = []field[DecidedEmployee]{
	{"unit_id", func(e DecidedEmployee) string { return e.UnitID.String() }},
	{"position_level", func(e DecidedEmployee) string { return e.PositionLevel }},
	{"overall", func(e DecidedEmployee) string { return e.Overall.String() }},
	{"final", func(e DecidedEmployee) string { return e.Final.String() }},
	{"grade", func(e DecidedEmployee) string { return e.Grade }},
	{"coefficient", func(e DecidedEmployee) string { return e.Coefficient.String() }},
	{"standard", func(e DecidedEmployee) string { return e.Standard.String() }},
	{"pay_before_budget", func(e DecidedEmployee) string { return e.PayBeforeBudget.String() }},
	{"pay", func(e DecidedEmployee) string { return e.Pay.String() }},
	{"proration_factor", func(e DecidedEmployee) string { return e.ProrationFactor.String() }},
	{"flags", func(e DecidedEmployee) string { return fmt.Sprint(e.Flags) }},
	{"recommendations", func(e DecidedEmployee) string { return fmt.Sprint(e.Recommendations) }},
}

// compareRows matches rows by id and reports rows only on one side and every
// differing field of rows on both.
func compareRows[T any](diff func(string, string, string), what string, recorded, recomputed []T, id func(T) uuid.UUID, fields []field[T]) {
	fresh := map[uuid.UUID]T{}
	for _, r := range recomputed {
		fresh[id(r)] = r
	}
	seen := map[uuid.UUID]bool{}
	for _, r := range recorded {
		key := id(r)
		seen[key] = true
		f, ok := fresh[key]
		if !ok {
			diff(what+"["+key.String()+"]", "present", "absent")
			continue
		}
		for _, fd := range fields {
			diff(what+"["+key.String()+"]."+fd.name, fd.get(r), fd.get(f))
		}
	}
	for _, r := range recomputed {
		if key := id(r); !seen[key] {
			diff(what+"["+key.String()+"]", "absent", "present")
		}
	}
}
