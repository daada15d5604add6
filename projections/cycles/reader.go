package cycles

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/projections"
)

// Reader answers the queries of the cycles read models.
type Reader struct {
	db *projections.DB
}

// NewReader returns a reader over the read-model database.
func NewReader(db *projections.DB) *Reader { return &Reader{db: db} }

// Summary is one cycle's summary.
func (r *Reader) Summary(ctx context.Context, cycle uuid.UUID) (Summary, error) {
	var s Summary
	err := r.db.Get(ctx, Name, collSummary, cycle.String(), &s)
	return s, err
}

// Cycles lists every cycle's summary, in cycle id order.
func (r *Reader) Cycles(ctx context.Context) ([]Summary, error) {
	docs, err := r.db.ListCollection(ctx, Name, collSummary)
	if err != nil {
		return nil, err
	}
	return decodeAll[Summary](docs)
}

// PendingApprovals lists the cycles whose sign-off chain waits for someone.
func (r *Reader) PendingApprovals(ctx context.Context) ([]Summary, error) {
	return r.cyclesWhere(ctx, func(s Summary) bool { return s.Approval.Next != "" })
}

// PendingAppeals lists the cycles with appeals open.
func (r *Reader) PendingAppeals(ctx context.Context) ([]Summary, error) {
	return r.cyclesWhere(ctx, func(s Summary) bool { return len(s.OpenAppeals) > 0 })
}

func (r *Reader) cyclesWhere(ctx context.Context, keep func(Summary) bool) ([]Summary, error) {
	all, err := r.Cycles(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(s Summary) bool { return !keep(s) }), nil
}

// Progress lists who has submitted what in a cycle, with what is overdue at
// now (SPEC §2 deadlines; a deadline is the whole of its day).
func (r *Reader) Progress(ctx context.Context, cycle uuid.UUID, now time.Time) ([]ProgressRow, error) {
	sum, err := r.Summary(ctx, cycle)
	if err != nil {
		return nil, err
	}
	docs, err := r.db.List(ctx, Name, collProgress, cycle.String())
	if err != nil {
		return nil, err
	}
	progress, err := decodeAll[Progress](docs)
	if err != nil {
		return nil, err
	}
	rows := make([]ProgressRow, len(progress))
	for i, p := range progress {
		rows[i] = ProgressRow{Progress: p, Overdue: overdue(p, sum.Deadlines.GoalsDue, sum.Deadlines.SelfReviewDue, sum.Deadlines.ReviewsDue, now)}
	}
	return rows, nil
}

// overdue compares one employee's progress with the deadlines.
func overdue(p Progress, goalsDue, selfDue, reviewsDue, now time.Time) Overdue {
	past := func(due time.Time) bool { return !due.IsZero() && now.After(due.AddDate(0, 0, 1)) }
	var o Overdue
	o.Goals = past(goalsDue) && (p.GoalsDrafted == 0 || p.GoalsAgreed < p.GoalsDrafted)
	o.SelfReview = past(selfDue) && !p.SelfSubmitted
	if past(reviewsDue) {
		o.Manager = !p.ManagerSubmitted
		for _, peer := range p.PeersAssigned {
			if !slices.Contains(p.PeersSubmitted, peer) {
				o.Peers = append(o.Peers, peer)
			}
		}
		o.Customers = max(p.CustomersRequested-p.CustomersSubmitted, 0)
	}
	return o
}

// Result is one employee's full result (HR, auditors, the manager): every
// rater kind's aggregate, adjustments with authors and reasons, pay.
func (r *Reader) Result(ctx context.Context, cycle, employee uuid.UUID) (scoring.EmployeeResult, error) {
	var res scoring.EmployeeResult
	err := r.db.Get(ctx, Name, collResult, employeeKey(cycle, employee), &res)
	return res, err
}

// Results lists every employee's full result in a cycle.
func (r *Reader) Results(ctx context.Context, cycle uuid.UUID) ([]scoring.EmployeeResult, error) {
	docs, err := r.db.List(ctx, Name, collResult, cycle.String())
	if err != nil {
		return nil, err
	}
	return decodeAll[scoring.EmployeeResult](docs)
}

// Units lists a cycle's unit summaries (budget, total, overshoot, proration
// factor, distribution, forced-pairing warning and override).
func (r *Reader) Units(ctx context.Context, cycle uuid.UUID) ([]scoring.UnitResult, error) {
	docs, err := r.db.List(ctx, Name, collUnit, cycle.String())
	if err != nil {
		return nil, err
	}
	return decodeAll[scoring.UnitResult](docs)
}

// Unit is one unit's summary in a cycle.
func (r *Reader) Unit(ctx context.Context, cycle, unit uuid.UUID) (scoring.UnitResult, error) {
	var u scoring.UnitResult
	err := r.db.Get(ctx, Name, collUnit, cycle.String()+"/"+unit.String(), &u)
	return u, err
}

// Recommendations lists a cycle's recommendations with their evidence and
// HR's decision.
func (r *Reader) Recommendations(ctx context.Context, cycle uuid.UUID) ([]Recommendation, error) {
	docs, err := r.db.List(ctx, Name, collRecommendation, cycle.String())
	if err != nil {
		return nil, err
	}
	return decodeAll[Recommendation](docs)
}

func decodeAll[T any](docs []projections.Document) ([]T, error) {
	out := make([]T, len(docs))
	for i, d := range docs {
		if err := json.Unmarshal(d.Body, &out[i]); err != nil {
			return nil, fmt.Errorf("decode %s: %w", d.ID, err)
		}
	}
	return out, nil
}
