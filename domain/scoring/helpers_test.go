package scoring

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// id makes a readable, ordered test id: id(1) < id(2) < ...
func id(n int) uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], uint64(n))
	return u
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Ids by range, so that tests never collide: units 1-99, employees 100-999,
// raters 1000-9999, events 10000+, cycles 100000+.
var (
	unitA     = id(1)
	unitB     = id(2)
	cycleID   = id(100000)
	eventBase = 10000
)

// oneCriterionTemplate has a single criterion rated by every kind on 0-100,
// so that an employee's overall score is that criterion's score.
func oneCriterionTemplate() Template {
	return Template{ID: id(900000), Version: 1, Name: "one criterion", Dimensions: []Dimension{{
		Key: "work", Weight: dec("100"), Criteria: []Criterion{{
			Key: "quality", Weight: dec("100"), Kind: Rated, Scale: ScalePercent,
			RatedBy: []RaterKind{RaterSelf, RaterPeer, RaterManager, RaterCustomer},
		}},
	}}}
}

// builder assembles an Input for tests; events get ids in creation order.
type builder struct {
	in     Input
	events int
	raters int
}

func newBuilder(t Template) *builder {
	return &builder{in: Input{
		Cycle: Cycle{ID: cycleID, Name: "2026-10", Cadence: Monthly, Months: 1,
			PeriodStart: date(2026, 10, 1), PeriodEnd: date(2026, 10, 31), Status: Provisional},
		Template: t,
		Policy:   DefaultPolicy(),
		Units:    []Unit{{ID: unitA, Name: "A", HeadID: id(999)}, {ID: unitB, Name: "B", HeadID: id(998)}},
	}, raters: 1000}
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func (b *builder) event() uuid.UUID {
	b.events++
	return id(eventBase + b.events)
}

func (b *builder) employee(n int, unit uuid.UUID, monthly string) uuid.UUID {
	e := id(100 + n)
	b.in.Employees = append(b.in.Employees, Employee{ID: e, UnitID: unit, PositionLevel: "specialist", MonthlyStandard: dec(monthly)})
	return e
}

// rate adds one evaluation of kind by a new rater (or by the employee for
// self) scoring the given criterion=score pairs.
func (b *builder) rate(emp uuid.UUID, kind RaterKind, scores ...string) uuid.UUID {
	rater := emp
	if kind != RaterSelf {
		b.raters++
		rater = id(b.raters)
	}
	ev := Evaluation{EventID: b.event(), Kind: kind, RaterID: rater, EmployeeID: emp}
	for i := 0; i < len(scores); i += 2 {
		ev.Scores = append(ev.Scores, CriterionScore{Criterion: scores[i], Score: dec(scores[i+1])})
	}
	b.in.Evaluations = append(b.in.Evaluations, ev)
	return ev.EventID
}

// quality is rate for oneCriterionTemplate.
func (b *builder) quality(emp uuid.UUID, kind RaterKind, score string) uuid.UUID {
	return b.rate(emp, kind, "quality", score)
}

func (b *builder) adjust(emp uuid.UUID, kind AdjustmentKind, value string) uuid.UUID {
	ev := b.event()
	b.in.Adjustments = append(b.in.Adjustments, Adjustment{EventID: ev, Position: int64(b.events), EmployeeID: emp,
		Origin: FromCalibration, Kind: kind, Value: dec(value), AuthorID: id(999), Reason: "calibration meeting"})
	return ev
}

func (b *builder) compute(t *testing.T) Result {
	t.Helper()
	res, err := Compute(b.in)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return res
}

func employeeResult(t *testing.T, res Result, emp uuid.UUID) EmployeeResult {
	t.Helper()
	r, ok := res.Employee(emp)
	if !ok {
		t.Fatalf("no result for employee %s", emp)
	}
	return r
}

func unitResult(t *testing.T, res Result, unit uuid.UUID) UnitResult {
	t.Helper()
	u, ok := res.Unit(unit)
	if !ok {
		t.Fatalf("no result for unit %s", unit)
	}
	return u
}

// assertDec compares decimals by value.
func assertDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// assertCents requires a money or final-score value rounded to 2 places.
func assertCents(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if got.StringFixed(2) != want || got.Exponent() != -2 {
		t.Errorf("%s = %s (exponent %d), want %s with 2 places", what, got, got.Exponent(), want)
	}
}

// problemFields requires err to be a *ValidationError of kind and returns
// the field of each problem, in order.
func problemFields(t *testing.T, err, kind error) []string {
	t.Helper()
	var ve *ValidationError
	if !errors.Is(err, kind) || !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *ValidationError of %v", err, kind)
	}
	fields := make([]string, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	return fields
}
