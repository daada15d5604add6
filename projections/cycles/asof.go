package cycles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// AsOf is a point in history: a global position or a time; the zero value
// is now.
type AsOf struct {
	Position int64
	Time     time.Time
}

// asOfWait bounds how long a query for a position the index has not reached
// yet waits for it.
const asOfWait = 5 * time.Second

// ErrBeyondHead is a position the log has not reached.
var ErrBeyondHead = errors.New("position is beyond the end of the log")

// Auditor computes results as of any point straight from the events through
// the domain engine (never from the read models), with their derivation
// traces, and replays recorded decisions.
type Auditor struct {
	index *Index

	scopes *scopes
	// buffers holds the memory of finished unit folds (*unitBuffers): a
	// fold reads its event list and keeps none of it, and the Input it
	// folds into the fold buffers is done with once the engine has run (the
	// result holds none of it), so the next query refills them instead of
	// allocating what would only feed the collector.
	buffers sync.Pool
}

// unitBuffers is what one query of a unit reuses: the unit's review events
// and the fold's facts.
type unitBuffers struct {
	events []domain.Recorded
	fold   domain.FoldBuffers
}

// NewAuditor returns an auditor over index.
func NewAuditor(index *Index) *Auditor {
	return &Auditor{index: index, scopes: newScopes(index)}
}

// cut resolves an AsOf to a position the index holds.
func (a *Auditor) cut(ctx context.Context, at AsOf) (int64, error) {
	switch {
	case at.Position > 0:
		if err := a.index.WaitFor(ctx, at.Position, asOfWait); err != nil {
			return 0, fmt.Errorf("as of %d: %w", at.Position, ErrBeyondHead)
		}
		return at.Position, nil
	case !at.Time.IsZero():
		return a.index.PositionAt(at.Time), nil
	default:
		return a.index.Position(), nil
	}
}

// CycleAsOf is a whole cycle computed as of a position.
type CycleAsOf struct {
	Position   int64             `json:"position"`
	Evaluation domain.Evaluation `json:"evaluation"`
}

// Cycle computes a whole cycle as of at.
func (a *Auditor) Cycle(ctx context.Context, cycle uuid.UUID, at AsOf) (CycleAsOf, error) {
	pos, err := a.cut(ctx, at)
	if err != nil {
		return CycleAsOf{}, err
	}
	ev, err := domain.Evaluate(a.index.Events(cycle, pos), cycle)
	return CycleAsOf{Position: pos, Evaluation: ev}, err
}

// EmployeeAsOf is one employee's result, with traces, as of a position.
type EmployeeAsOf struct {
	Position        int64                    `json:"position"`
	Result          scoring.EmployeeResult   `json:"result"`
	Unit            scoring.UnitResult       `json:"unit"`
	Recommendations []scoring.Recommendation `json:"recommendations"`
	Flags           []scoring.Flag           `json:"flags"`
}

// Employee computes one employee's result as of at. Only the employee's unit
// is computed: budget, proration and pairing are per unit, so the unit is
// all the engine needs, and a 10,000-employee cycle answers in milliseconds.
func (a *Auditor) Employee(ctx context.Context, cycle, employee uuid.UUID, at AsOf) (EmployeeAsOf, error) {
	pos, err := a.cut(ctx, at)
	if err != nil {
		return EmployeeAsOf{}, err
	}
	// The unit's other people count (budget, pairing), but only this
	// employee's result and derivation are answered: the engine keeps that
	// detail alone.
	compute := func(in scoring.Input) (scoring.Result, error) { return scoring.ComputeFor(in, employee) }
	res, err := a.unitOf(cycle, pos, compute, func(s scoped) (uuid.UUID, bool) {
		u, ok := s.unitOf[employee]
		return u, ok
	})
	if err != nil {
		return EmployeeAsOf{}, fmt.Errorf("employee %s: %w", employee, err)
	}
	out := EmployeeAsOf{Position: pos, Unit: res.Units[0]}
	for _, r := range res.Employees {
		if r.EmployeeID == employee {
			out.Result = r
		}
	}
	for _, r := range res.Recommendations {
		if r.EmployeeID == employee {
			out.Recommendations = append(out.Recommendations, r)
		}
	}
	for _, f := range res.Flags {
		if f.EmployeeID == employee {
			out.Flags = append(out.Flags, f)
		}
	}
	return out, nil
}

// UnitAsOf is one unit's summary and its employees' results as of a position.
type UnitAsOf struct {
	Position        int64                    `json:"position"`
	Unit            scoring.UnitResult       `json:"unit"`
	Employees       []scoring.EmployeeResult `json:"employees"`
	Recommendations []scoring.Recommendation `json:"recommendations"`
}

// Unit computes one unit of a cycle as of at.
func (a *Auditor) Unit(ctx context.Context, cycle, unit uuid.UUID, at AsOf) (UnitAsOf, error) {
	pos, err := a.cut(ctx, at)
	if err != nil {
		return UnitAsOf{}, err
	}
	res, err := a.unitOf(cycle, pos, scoring.Compute, func(s scoped) (uuid.UUID, bool) {
		return unit, slices.ContainsFunc(s.scope.Input.Units, func(u scoring.Unit) bool { return u.ID == unit })
	})
	if err != nil {
		return UnitAsOf{}, fmt.Errorf("unit %s: %w", unit, err)
	}
	return UnitAsOf{Position: pos, Unit: res.Units[0], Employees: res.Employees, Recommendations: res.Recommendations}, nil
}

// Recommendations computes a cycle's recommendations as of at.
func (a *Auditor) Recommendations(ctx context.Context, cycle uuid.UUID, at AsOf) ([]scoring.Recommendation, int64, error) {
	c, err := a.Cycle(ctx, cycle, at)
	if err != nil {
		return nil, 0, err
	}
	return c.Evaluation.Result.Recommendations, c.Position, nil
}

// ErrNotInScope is an employee or unit the cycle does not appraise (as of
// the position asked).
var ErrNotInScope = errors.New("not in the cycle's scope")

// unitOf folds the cycle up to pos reading only the review streams of the
// unit that pick chooses, with the organisation narrowed to that unit
// (domain.Base.FoldUnits), and computes that unit alone with compute.
func (a *Auditor) unitOf(cycle uuid.UUID, pos int64, compute func(scoring.Input) (scoring.Result, error), pick func(scoped) (uuid.UUID, bool)) (scoring.Result, error) {
	// First the organisation and the cycle without any review, as of pos:
	// the base the unit's reviews are folded on, and the scope.
	scoped, err := a.scopes.at(cycle, pos)
	if err != nil {
		return scoring.Result{}, err
	}
	unit, ok := pick(scoped)
	if !ok {
		return scoring.Result{}, ErrNotInScope
	}
	members := scoped.members[unit]
	buf, _ := a.buffers.Get().(*unitBuffers)
	if buf == nil {
		buf = new(unitBuffers)
	}
	// Put back only once compute has returned: until then the Input is
	// the buffers' memory.
	defer a.buffers.Put(buf)
	buf.events = a.index.AppendReviewsOf(buf.events[:0], cycle, pos, members)
	folded, err := scoped.base.FoldUnitsInto(&buf.fold, buf.events, []uuid.UUID{unit})
	if err != nil {
		return scoring.Result{}, err
	}
	res, err := compute(folded.Input)
	if err != nil {
		return scoring.Result{}, fmt.Errorf("compute unit %s of cycle %s: %w", unit, cycle, err)
	}
	return res, nil
}
