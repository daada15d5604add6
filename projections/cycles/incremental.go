package cycles

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/google/uuid"

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
// reports false, having written nothing, when the cycle is better (or only)
// recomputed whole.
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
	grp := cycle.String()
	unitDocs, err := tx.List(ctx, collUnit, grp)
	if err != nil {
		return false, err
	}
	stored := map[uuid.UUID]scoring.UnitResult{}
	for _, d := range unitDocs {
		var u scoring.UnitResult
		if err := json.Unmarshal(d.Body, &u); err != nil {
			return false, err
		}
		stored[u.UnitID] = u
	}
	fresh := map[uuid.UUID]unitUpdate{}
	for _, u := range slices.SortedFunc(maps.Keys(units), compareIDs) {
		up, err := p.computeUnit(scope.base, cycle, upTo, u, scope.members[u], units[u])
		if err != nil {
			return false, nil
		}
		if err := up.write(ctx, tx, cycle); err != nil {
			return false, err
		}
		fresh[u] = up
		stored[u] = up.unit
	}
	patchSummary(&sum, scope.scope.Input.Units, fresh, stored)
	return true, p.putSummary(ctx, tx, cycle, upTo, sum)
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
	events := p.index.AppendReviewsOf(nil, cycle, upTo, members)
	folded, err := base.FoldUnits(events, []uuid.UUID{unit})
	if err != nil {
		return unitUpdate{}, err
	}
	// The documents keep no trace (stripEmployee): compute none.
	res, err := scoring.ComputeTraced(folded.Input, func(uuid.UUID) bool { return false })
	if err != nil {
		return unitUpdate{}, err
	}
	progress := progressOf(p.index.AppendReviewsOf(nil, cycle, upTo, touched), cycle)
	for _, m := range touched {
		pr := progressFor(progress, m)
		pr.InScope, pr.UnitID = true, unit
	}
	return unitUpdate{members: members, unit: stripUnit(res.Units[0]), result: res, progress: progress,
		recs: recommendationsOf(events, cycle, res), open: folded.Appeals.Open}, nil
}

// write stores the unit's documents: its summary, its members' results and
// recommendations (every kind a member could have, so that one no longer
// raised is deleted), and the touched employees' progress.
func (up unitUpdate) write(ctx context.Context, tx *projections.Tx, cycle uuid.UUID) error {
	grp := cycle.String()
	var ids, recIDs, progressIDs []string
	results, progress, recs := map[string]any{}, map[string]any{}, map[string]any{}
	for _, m := range up.members {
		key := employeeKey(cycle, m)
		ids = append(ids, key)
		for _, k := range recommendationKinds {
			recIDs = append(recIDs, key+"/"+string(k))
		}
	}
	for _, r := range up.result.Employees {
		results[employeeKey(cycle, r.EmployeeID)] = stripEmployee(r)
	}
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
// blockers, their members' flags and open appeals, and the distribution.
func patchSummary(s *Summary, units []scoring.Unit, fresh map[uuid.UUID]unitUpdate, stored map[uuid.UUID]scoring.UnitResult) {
	redone := map[uuid.UUID]bool{}
	var blockers []scoring.Blocker
	var flags []scoring.Flag
	var open []uuid.UUID
	for _, up := range fresh {
		for _, m := range up.members {
			redone[m] = true
		}
		blockers = append(blockers, up.result.Blockers...)
		flags = append(flags, up.result.Flags...)
		open = append(open, up.open...)
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
	ids := make([]uuid.UUID, len(units))
	for i, u := range units {
		ids[i] = u.ID
	}
	slices.SortFunc(ids, compareIDs)
	all := make([]scoring.UnitResult, len(ids))
	for i, u := range ids {
		all[i] = stored[u]
	}
	s.Distribution = distribution(all)
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
