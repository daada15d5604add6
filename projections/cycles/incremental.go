package cycles

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/projections"
)

// maxUnitShare: a batch whose review events touch more than a third of a
// cycle's units recomputes the whole cycle, which is then cheaper.
const maxUnitShare = 3

// projectUnits brings a cycle up to date after a batch of review events
// only: it recomputes just the units of the employees concerned (units are
// independent in every rule, see scoring.Input.ForUnit) and patches the
// cycle summary, writing the same documents a whole recompute would. It
// reports false when the cycle is better (or only) recomputed whole; the
// whole recompute then rewrites whatever this wrote.
func (p *Projection) projectUnits(ctx context.Context, tx *projections.Tx, cycle uuid.UUID, upTo int64, touched []uuid.UUID) (bool, error) {
	scope, err := p.scopes.at(cycle, upTo)
	if err != nil {
		return false, nil
	}
	units := map[uuid.UUID][]uuid.UUID{} // unit -> its touched employees
	for _, e := range touched {
		u, ok := scope.unitOf[e]
		if !ok {
			return false, nil // progress of someone out of scope: rare, recompute whole
		}
		units[u] = append(units[u], e)
	}
	if len(units)*maxUnitShare > len(scope.scope.Input.Units) {
		return false, nil
	}
	sum, ok := storedSummary(ctx, tx, cycle)
	if !ok {
		return false, nil
	}
	order := slices.SortedFunc(maps.Keys(units), compareIDs)
	stored, ok, err := storedUnits(ctx, tx, cycle, order)
	if err != nil || !ok {
		return false, err
	}
	computed, ok := p.computeUnits(&scope, cycle, upTo, order, units)
	if !ok {
		return false, nil
	}
	fresh := map[uuid.UUID]unitUpdate{}
	for i, u := range order {
		up := computed[i]
		others, err := othersMayHaveMoved(ctx, tx, cycle, stored[u], up)
		if err != nil {
			return false, err
		}
		if err := p.write(ctx, tx, cycle, up, others); err != nil {
			return false, err
		}
		fresh[u] = up
	}
	if !patchSummary(&sum, fresh, stored) {
		return false, nil
	}
	return true, p.putSummary(ctx, tx, cycle, upTo, sum)
}

// computeUnits computes the given units (each with its touched employees)
// as of upTo, side by side on up to GOMAXPROCS goroutines: a batch that
// touches two units (people of two units at work together, or writers
// moving on to the next unit) took twice as long as one touching one, and
// the events that waited behind it made the lag's tail. The engine and the
// fold are pure and the Base and the Index may be read by several
// goroutines; what the batch writes is still written in unit order, by
// the batch's goroutine. It reports false when a unit cannot be computed
// (the cycle is then recomputed whole).
func (p *Projection) computeUnits(scope *scoped, cycle uuid.UUID, upTo int64, order []uuid.UUID, touched map[uuid.UUID][]uuid.UUID) ([]unitUpdate, bool) {
	out := make([]unitUpdate, len(order))
	errs := make([]error, len(order))
	next := atomic.Int64{}
	work := func() {
		for i := int(next.Add(1)) - 1; i < len(order); i = int(next.Add(1)) - 1 {
			u := order[i]
			out[i], errs[i] = p.computeUnit(scope.base, cycle, upTo, u, scope.members[u], touched[u])
		}
	}
	var wg sync.WaitGroup
	for range min(len(order), runtime.GOMAXPROCS(0)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, false
		}
	}
	return out, true
}

// storedUnits reads the stored documents of the given units of a cycle; it
// reports false when one is missing (the cycle is then recomputed whole).
func storedUnits(ctx context.Context, tx *projections.Tx, cycle uuid.UUID, units []uuid.UUID) (map[uuid.UUID]scoring.UnitResult, bool, error) {
	ids := make([]string, len(units))
	for i, u := range units {
		ids[i] = cycle.String() + "/" + u.String()
	}
	docs, err := tx.GetMany(ctx, collUnit, ids)
	if err != nil {
		return nil, false, err
	}
	out := make(map[uuid.UUID]scoring.UnitResult, len(units))
	for i, u := range units {
		body, ok := docs[ids[i]]
		if !ok {
			return nil, false, nil
		}
		var res scoring.UnitResult
		if err := json.Unmarshal(body, &res); err != nil {
			return nil, false, err
		}
		out[u] = res
	}
	return out, true, nil
}

// othersMayHaveMoved reports whether a unit's recompute may have changed
// the results of members the batch has no event of. A member's result
// depends on their own review events, on the scope and the cycle's
// template, policy and history (which only events outside the review
// streams change, and those recompute the cycle whole) and, through the
// budget (SPEC §7), on the unit: when it prorates, each member's pay and
// proration factor are their share of the budget by every member's pay
// before budget. So the others' results are as stored when the unit
// prorates neither before nor after the batch (each pay is then the
// member's own pay before budget, the factor 1), or when no touched
// member's pay before budget moved (the budget, the total and every share
// are then computed from the same numbers). Recommendations, flags and
// progress never depend on another member.
func othersMayHaveMoved(ctx context.Context, tx *projections.Tx, cycle uuid.UUID, before scoring.UnitResult, up unitUpdate) (bool, error) {
	if !prorates(before) && !prorates(up.unit) {
		return false, nil
	}
	ids := make([]string, len(up.touched))
	for i, m := range up.touched {
		ids[i] = employeeKey(cycle, m)
	}
	docs, err := tx.GetMany(ctx, collResult, ids)
	if err != nil {
		return false, err
	}
	now := make(map[uuid.UUID]decimal.Decimal, len(up.touched))
	for _, r := range up.result.Employees {
		now[r.EmployeeID] = r.PayBeforeBudget.Value
	}
	for i, m := range up.touched {
		var stored struct {
			PayBeforeBudget struct {
				Value json.RawMessage `json:"value"`
			} `json:"pay_before_budget"`
		}
		body, had := docs[ids[i]]
		pay, computed := now[m]
		if !had || !computed {
			return true, nil
		}
		if err := json.Unmarshal(body, &stored); err != nil {
			return false, err
		}
		// The encoded value, not the number: equal bytes are the same
		// coefficient and exponent, so the proration repeats exactly.
		enc, err := json.Marshal(pay)
		if err != nil {
			return false, err
		}
		if !bytes.Equal(stored.PayBeforeBudget.Value, enc) {
			return true, nil
		}
	}
	return false, nil
}

// prorates reports whether a unit's pays are scaled to its budget.
func prorates(u scoring.UnitResult) bool {
	return u.Mode == scoring.BudgetProrate && u.Overshoot.IsPositive()
}

// storedSummary is the cycle's stored summary, unless there is none or it
// holds a problem instead of numbers (the cycle is then recomputed whole).
func storedSummary(ctx context.Context, tx *projections.Tx, cycle uuid.UUID) (Summary, bool) {
	var sum Summary
	if err := tx.Get(ctx, collSummary, cycle.String(), &sum); err != nil || sum.Problem != "" {
		return Summary{}, false
	}
	return sum, true
}

// putSummary writes a patched summary, its last event position moved to the
// cycle's last review event up to upTo that is not a draft. The summary is its group's one
// document: syncing its id is syncing the group, without reading it back.
func (p *Projection) putSummary(ctx context.Context, tx *projections.Tx, cycle uuid.UUID, upTo int64, sum Summary) error {
	sum.LastEventPosition = max(sum.LastEventPosition, p.index.LastReview(cycle, upTo))
	grp := cycle.String()
	return tx.SyncIDs(ctx, collSummary, grp, []string{grp}, map[string]any{grp: sum})
}

// unitUpdate is one unit recomputed.
type unitUpdate struct {
	members []uuid.UUID
	// touched are the members the batch has review events of.
	touched []uuid.UUID
	unit    scoring.UnitResult
	result  scoring.Result
	// progress is the touched employees' only: progress reads nothing but
	// an employee's own review events and the scope, which a batch of
	// review events leaves alone, so everybody else's is unchanged.
	progress map[uuid.UUID]*Progress
	recs     []Recommendation
	open     []uuid.UUID
}

// computeUnit folds the unit's reviews on the cycle's base as of upTo and
// computes the unit. Recommendation decisions come from review events only,
// so the same list serves them.
func (p *Projection) computeUnit(base *domain.Base, cycle uuid.UUID, upTo int64, unit uuid.UUID, members, touched []uuid.UUID) (unitUpdate, error) {
	p.computed.Add(1)
	buf, _ := p.buffers.Get().(*unitBuffers)
	if buf == nil {
		buf = new(unitBuffers)
	}
	// Put back once everything below has read the events and the Input:
	// what this returns holds none of their memory (the engine's result
	// copies what it keeps; recommendations and progress copy values).
	defer p.buffers.Put(buf)
	buf.events = p.index.AppendReviewsOf(buf.events[:0], cycle, upTo, members)
	events := buf.events
	folded, err := base.FoldUnitsInto(&buf.fold, events, []uuid.UUID{unit})
	if err != nil {
		return unitUpdate{}, err
	}
	// The documents keep no trace (stripEmployee): compute none.
	res, err := scoring.ComputeUntraced(folded.Input)
	if err != nil {
		return unitUpdate{}, err
	}
	progress := progressOf(p.index.AppendReviewsOf(nil, cycle, upTo, touched), cycle)
	for _, m := range touched {
		pr := progressFor(progress, m)
		pr.InScope, pr.UnitID = true, unit
	}
	return unitUpdate{members: members, touched: slices.SortedFunc(slices.Values(touched), compareIDs),
		unit: stripUnit(res.Units[0]), result: res, progress: progress,
		recs: recommendationsOf(events, cycle, res), open: folded.Appeals.Open}, nil
}

// write stores the unit's documents: its summary, the touched members'
// results (every member's when others is set, see othersMayHaveMoved),
// recommendations (every kind they could have, so that one no longer
// raised is deleted) and progress. Nobody else's can differ from what is
// stored, so they are not encoded to find that out: encoding and
// fingerprinting a unit's 250 results cost more than the rest of a batch.
func (p *Projection) write(ctx context.Context, tx *projections.Tx, cycle uuid.UUID, up unitUpdate, others bool) error {
	grp := cycle.String()
	synced := up.touched
	if others {
		synced = up.members
	}
	want := make(map[uuid.UUID]bool, len(synced))
	var ids, recIDs, progressIDs []string
	results, progress, recs := map[string]any{}, map[string]any{}, map[string]any{}
	for _, m := range synced {
		want[m] = true
		ids = append(ids, employeeKey(cycle, m))
	}
	for _, m := range up.touched {
		key := employeeKey(cycle, m)
		for _, k := range recommendationKinds {
			recIDs = append(recIDs, key+"/"+string(k))
		}
	}
	for _, r := range up.result.Employees {
		if want[r.EmployeeID] {
			results[employeeKey(cycle, r.EmployeeID)] = stripEmployee(r)
		}
	}
	p.syncedResults.Add(int64(len(ids)))
	for _, id := range slices.SortedFunc(maps.Keys(up.progress), compareIDs) {
		key := employeeKey(cycle, id)
		progressIDs = append(progressIDs, key)
		progress[key] = up.progress[id]
	}
	for _, rec := range up.recs {
		recs[employeeKey(cycle, rec.EmployeeID)+"/"+string(rec.Kind)] = rec
	}
	unitKey := grp + "/" + up.unit.UnitID.String()
	for _, c := range []struct {
		collection string
		ids        []string
		docs       map[string]any
	}{
		{collResult, ids, results},
		{collProgress, progressIDs, progress},
		{collRecommendation, recIDs, recs},
		{collUnit, []string{unitKey}, map[string]any{unitKey: up.unit}},
	} {
		if err := tx.SyncIDs(ctx, c.collection, grp, c.ids, c.docs); err != nil {
			return err
		}
	}
	return nil
}

// recommendationKinds are every kind of SPEC §9.
var recommendationKinds = []scoring.RecommendationKind{scoring.RecommendPromotion, scoring.RecommendTraining,
	scoring.RecommendPositionReview, scoring.RecommendDemotionReview, scoring.RecommendExcellenceAward}

// patchSummary replaces the recomputed units' share of the summary: their
// blockers, their members' flags and open appeals, and the distribution
// (stored holds the units' documents before the batch). It reports false
// when the distribution cannot be patched (see patchDistribution).
func patchSummary(s *Summary, fresh map[uuid.UUID]unitUpdate, stored map[uuid.UUID]scoring.UnitResult) bool {
	redone := map[uuid.UUID]bool{}
	var blockers []scoring.Blocker
	var flags []scoring.Flag
	var open []uuid.UUID
	var before, after []scoring.UnitResult
	for u, up := range fresh {
		for _, m := range up.members {
			redone[m] = true
		}
		blockers = append(blockers, up.result.Blockers...)
		flags = append(flags, up.result.Flags...)
		open = append(open, up.open...)
		before, after = append(before, stored[u]), append(after, up.unit)
	}
	dist, ok := patchDistribution(s.Distribution, before, after)
	if !ok {
		return false
	}
	for _, b := range s.Blockers {
		if _, ok := fresh[b.UnitID]; !ok {
			blockers = append(blockers, b)
		}
	}
	for _, f := range s.Flags {
		if !redone[f.EmployeeID] {
			flags = append(flags, f)
		}
	}
	for _, id := range s.OpenAppeals {
		if !redone[id] {
			open = append(open, id)
		}
	}
	s.Blockers, s.Flags, s.OpenAppeals = byUnit(blockers), sortedFlags(flags), sortedIDs(open)
	s.Approvable = len(s.Blockers) == 0
	s.Distribution = dist
	return true
}

// patchDistribution is a cycle's distribution (the sum of its units',
// see distribution) with some units' counts replaced: before's taken away,
// after's added, without reading every other unit's document. That is the
// sum distribution gives when each recomputed unit lists the same grades
// in the same order as before (every unit lists every band of the policy,
// which a batch of review events does not change): the grades and their
// order are then what they were. It reports false otherwise.
func patchDistribution(dist []scoring.GradeCount, before, after []scoring.UnitResult) ([]scoring.GradeCount, bool) {
	out := slices.Clone(dist)
	at := make(map[string]int, len(out))
	for i, g := range out {
		at[g.Grade] = i
	}
	for i := range before {
		if !slices.EqualFunc(before[i].Distribution, after[i].Distribution,
			func(a, b scoring.GradeCount) bool { return a.Grade == b.Grade }) {
			return nil, false
		}
		for j, g := range before[i].Distribution {
			k, ok := at[g.Grade]
			if !ok || out[k].Count < g.Count {
				return nil, false
			}
			out[k].Count += after[i].Distribution[j].Count - g.Count
		}
	}
	return out, true
}

// byUnit orders blockers by unit, keeping the engine's order within a unit,
// so that a cycle patched unit by unit reads like one computed whole.
func byUnit(bs []scoring.Blocker) []scoring.Blocker {
	out := slices.Clone(bs)
	slices.SortStableFunc(out, func(a, b scoring.Blocker) int { return compareIDs(a.UnitID, b.UnitID) })
	if out == nil {
		out = []scoring.Blocker{}
	}
	return out
}

func sortedFlags(fs []scoring.Flag) []scoring.Flag {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b scoring.Flag) int {
		return cmp.Or(compareIDs(a.EmployeeID, b.EmployeeID), cmp.Compare(a.Kind, b.Kind))
	})
	if out == nil {
		out = []scoring.Flag{}
	}
	return out
}

func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, compareIDs)
	if out == nil {
		out = []uuid.UUID{}
	}
	return out
}

func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
