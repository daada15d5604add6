package cycles

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections"
)

// Name is the cycles projection's permanent name.
const Name = "cycles"

// Collections of the cycles projection; each document's group is its cycle id.
const (
	collSummary        = "summary"        // id: cycle
	collProgress       = "progress"       // id: cycle/employee
	collResult         = "result"         // id: cycle/employee
	collUnit           = "unit"           // id: cycle/unit
	collRecommendation = "recommendation" // id: cycle/employee/kind
)

// indexWait bounds how long a batch waits for the index to reach it; the
// index follows the same store, so it is normally there already.
const indexWait = 30 * time.Second

// Projection keeps every cycle's read models. Apply only notes which cycles
// an event concerns; Finish recomputes each of them once per batch through
// domain.Evaluate over the Index, and stores what changed. Review events
// concern their cycle; organisation, template, policy and cycle events may
// change any cycle not closed yet (scope, standards, history), so they
// concern all of those. The rule reads nothing but the events, so a rebuild
// touches exactly what the live runner touched.
type Projection struct {
	index  *Index
	scopes *scopes
	// computed counts the engine runs of Finish (a unit or a whole cycle):
	// what tests check a batch did not need.
	computed atomic.Int64
	// syncedResults counts the results the unit path handed to the store
	// to compare and write: what tests check a batch did not need.
	syncedResults atomic.Int64
	// buffers holds the memory of finished unit recomputes (*unitBuffers),
	// as the Auditor's does for queries: a batch of one KPI actual in a
	// unit of 250 allocated some 5 MB, most of it the fold's lists, and
	// the collector ran four times a second at 500 events/s.
	buffers sync.Pool
}

var (
	_ projections.Projection     = (*Projection)(nil)
	_ projections.Finisher       = (*Projection)(nil)
	_ projections.RebuildBatcher = (*Projection)(nil)
	_ projections.Preparer       = (*Projection)(nil)
	_ projections.HeaderApplier  = (*Projection)(nil)
)

// NewProjection returns the cycles projection reading history from index.
func NewProjection(index *Index) *Projection {
	return &Projection{index: index, scopes: newScopes(index)}
}

// Name is Name.
func (p *Projection) Name() string { return Name }

// Version of the documents' shape: 2 since the summary's position counts
// the cycle's own events only and its lists are ordered unit by unit.
func (p *Projection) Version() int { return 3 }

// rebuildBatch: a rebuild recomputes each cycle once per batch, so it reads
// history in batches this large (tens of megabytes of events at most).
const rebuildBatch = 50000

// RebuildBatch implements projections.RebuildBatcher.
func (p *Projection) RebuildBatch() int { return rebuildBatch }

// AppliesHeadersOnly implements projections.HeaderApplier: Apply reads an
// event's type, stream and position, Prepare its position; the history
// Finish computes from comes from the Index.
func (p *Projection) AppliesHeadersOnly() {}

// Prepare waits, outside the batch transaction, until the index holds the
// batch's last event.
func (p *Projection) Prepare(ctx context.Context, events []eventstore.Event) error {
	if len(events) == 0 {
		return nil
	}
	return p.index.WaitFor(ctx, events[len(events)-1].Position, indexWait)
}

// Apply notes the cycles e concerns.
func (p *Projection) Apply(ctx context.Context, tx *projections.Tx, e eventstore.Event) error {
	if _, known := domain.SchemaVersion(e.Type); !known {
		return nil
	}
	if cycle, ok := reviewCycle(e.StreamID); ok {
		if e.Type == draftSaved {
			// A draft counts in no result, progress or recommendation
			// (the fold ignores it), nor in the summary's last event
			// position: it changes no document, and a batch of drafts
			// writes nothing but the checkpoint.
			return nil
		}
		tx.Touch(cycle.String() + "/" + e.StreamID[len(e.StreamID)-36:])
		return nil
	}
	// Prepare made the index hold every cycle created up to e.
	for _, c := range p.index.OpenCycles(e.Position) {
		tx.Touch(c.String())
	}
	// An event on a cycle's own stream concerns that cycle even once it is
	// closed: closing appends the closure, then the close decision, which
	// a batch boundary may separate from it.
	if cycle, ok := cycleOf(e.StreamID); ok {
		tx.Touch(cycle.String())
	}
	return nil
}

// Finish recomputes the touched cycles as of the batch's last event.
func (p *Projection) Finish(ctx context.Context, tx *projections.Tx) error {
	upTo := tx.Position()
	touched, order, err := touchedCycles(tx.Touched())
	if err != nil {
		return err
	}
	for _, cycle := range order {
		employees := touched[cycle]
		if len(employees) > 0 {
			done, err := p.projectUnits(ctx, tx, cycle, upTo, employees)
			if err != nil {
				return err
			}
			if done {
				continue
			}
		}
		if err := p.project(ctx, tx, cycle, upTo); err != nil {
			return err
		}
	}
	return nil
}

// draftSaved is the type of the review events Apply passes over.
var draftSaved = domain.EvaluationDraftSaved{}.EventType()

// touchedCycles reads the keys Apply noted: "cycle" for a whole cycle,
// "cycle/employee" for one employee's reviews. A cycle touched whole maps to
// nil; otherwise to its touched employees.
func touchedCycles(keys []string) (map[uuid.UUID][]uuid.UUID, []uuid.UUID, error) {
	out := map[uuid.UUID][]uuid.UUID{}
	var order []uuid.UUID
	for _, key := range keys {
		c, e, one := strings.Cut(key, "/")
		cycle, err := uuid.Parse(c)
		if err != nil {
			return nil, nil, fmt.Errorf("touched cycle %q: %w", key, err)
		}
		list, seen := out[cycle]
		if !seen {
			order = append(order, cycle)
		}
		switch {
		case !one:
			out[cycle] = nil
		case seen && list == nil:
		default:
			emp, err := uuid.Parse(e)
			if err != nil {
				return nil, nil, fmt.Errorf("touched employee %q: %w", key, err)
			}
			out[cycle] = append(list, emp)
		}
	}
	return out, order, nil
}

// project writes one cycle's documents as of upTo.
func (p *Projection) project(ctx context.Context, tx *projections.Tx, cycle uuid.UUID, upTo int64) error {
	p.computed.Add(1)
	events := p.index.Events(cycle, upTo)
	folded, err := domain.FoldCycle(events, cycle)
	var notFound *domain.NotFoundError
	if errors.As(err, &notFound) && notFound.Kind == "cycle" {
		return nil // created after upTo
	}
	grp := cycle.String()
	sum := summaryOf(events, cycle)
	var ev domain.Evaluation
	if err == nil {
		// The engine runs (computing no trace: the documents keep none,
		// stripEmployee) while the progress documents are written: they
		// need the fold only, as long as the engine accepts the input.
		// Writing them took a tenth of a 10k rebuild, the engine a
		// sixth, one after the other.
		done := make(chan struct{})
		go func() {
			defer close(done)
			ev, err = domain.ComputeUntraced(folded, cycle)
		}()
		progress := progressOf(events, cycle)
		for _, m := range folded.Input.Employees {
			pr := progressFor(progress, m.ID)
			pr.InScope, pr.UnitID = true, m.UnitID
		}
		syncErr := syncProgress(ctx, tx, cycle, progress)
		<-done
		if syncErr != nil {
			return syncErr
		}
	}
	results, units, recs := map[string]any{}, map[string]any{}, map[string]any{}
	if err != nil {
		// A draft has nothing to compute yet; an input the engine refuses
		// is shown rather than stopping every other read model, and
		// nobody's progress shows them in scope (written again when the
		// engine refused what the fold gave).
		sum.Problem = err.Error()
		if err := syncProgress(ctx, tx, cycle, progressOf(events, cycle)); err != nil {
			return err
		}
	} else {
		fillSummary(&sum, ev)
		for _, r := range ev.Result.Employees {
			results[employeeKey(cycle, r.EmployeeID)] = stripEmployee(r)
		}
		for _, u := range ev.Result.Units {
			units[cycle.String()+"/"+u.UnitID.String()] = stripUnit(u)
		}
		for _, rec := range recommendationsOf(events, cycle, ev.Result) {
			recs[employeeKey(cycle, rec.EmployeeID)+"/"+string(rec.Kind)] = rec
		}
	}
	for _, c := range []struct {
		collection string
		docs       map[string]any
	}{
		{collSummary, map[string]any{grp: sum}},
		{collResult, results},
		{collUnit, units},
		{collRecommendation, recs},
	} {
		if err := tx.Sync(ctx, c.collection, grp, c.docs); err != nil {
			return fmt.Errorf("cycle %s: %w", cycle, err)
		}
	}
	return nil
}

// syncProgress makes a cycle's progress documents those of progress.
func syncProgress(ctx context.Context, tx *projections.Tx, cycle uuid.UUID, progress map[uuid.UUID]*Progress) error {
	docs := make(map[string]any, len(progress))
	for id, pr := range progress {
		docs[employeeKey(cycle, id)] = pr
	}
	if err := tx.Sync(ctx, collProgress, cycle.String(), docs); err != nil {
		return fmt.Errorf("cycle %s: %w", cycle, err)
	}
	return nil
}

func employeeKey(cycle, employee uuid.UUID) string { return cycle.String() + "/" + employee.String() }

// fillSummary adds what the evaluation computed.
func fillSummary(s *Summary, ev domain.Evaluation) {
	res := ev.Result
	s.State = ev.State
	s.TemplateVersion, s.PolicyVersion = res.TemplateVersion, res.PolicyVersion
	s.EngineVersion = res.EngineVersion
	s.Employees = len(res.Employees)
	s.Approvable = res.Approvable()
	s.Blockers, s.Flags = byUnit(res.Blockers), sortedFlags(res.Flags)
	s.OpenAppeals = sortedIDs(ev.Appeals.Open)
	s.Distribution = distribution(res.Units)
}

// distribution adds up the units' grade counts (every band, best first).
func distribution(units []scoring.UnitResult) []scoring.GradeCount {
	var out []scoring.GradeCount
	at := map[string]int{}
	for _, u := range units {
		for _, g := range u.Distribution {
			i, ok := at[g.Grade]
			if !ok {
				i = len(out)
				at[g.Grade] = i
				out = append(out, scoring.GradeCount{Grade: g.Grade})
			}
			out[i].Count += g.Count
		}
	}
	return out
}
