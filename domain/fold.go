package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// Folded is one cycle's facts folded from the log: the engine's input and
// what the application service needs beside it.
type Folded struct {
	Input scoring.Input
	// State is the cycle's state after the last event folded.
	State CycleState
	// LastPosition is the position of the last event folded: the decision's
	// "last input position" when the result is recorded.
	LastPosition int64
	// Appeals says who has an appeal open and who may still appeal.
	Appeals AppealStatus
}

// Evaluation is a computed cycle result with the facts it came from. It is
// not scoring.Evaluation, which is one rater's submitted scores (an input
// the fold collects from EvaluationSubmitted and EvaluationAmended).
type Evaluation struct {
	Folded
	Result scoring.Result
}

// Evaluate folds events (in global order, cut at the position or time of
// interest) into the cycle's input and computes it. It is the one path from
// history to numbers: projections, as-of queries, the service's approval and
// publication checks and audit replay all call it.
func Evaluate(events []Recorded, cycleID uuid.UUID) (Evaluation, error) {
	return evaluateAs(events, cycleID, "")
}

// evaluateAs computes with the result status forced to status (when set):
// a publication is computed before CyclePublished exists, yet must raise the
// recommendations a published result raises, and its replay must do the same.
func evaluateAs(events []Recorded, cycleID uuid.UUID, status scoring.ResultStatus) (Evaluation, error) {
	f, err := FoldCycle(events, cycleID)
	if err != nil {
		return Evaluation{}, err
	}
	if status != "" {
		f.Input.Cycle.Status = status
	}
	res, err := scoring.Compute(f.Input)
	if err != nil {
		return Evaluation{}, evaluateError(cycleID, err)
	}
	return Evaluation{Folded: f, Result: res}, nil
}

// ComputeUntraced is Evaluate's second half for a caller that has folded
// the cycle itself (FoldCycle) and keeps no employee's derivation traces
// (the cycles projection strips them from what it stores): FoldCycle, then
// this, gives Evaluate's evaluation with each employee's traces nil
// (scoring.ComputeUntraced), with Evaluate's errors. f is only read.
func ComputeUntraced(f Folded, cycleID uuid.UUID) (Evaluation, error) {
	res, err := scoring.ComputeUntraced(f.Input)
	if err != nil {
		return Evaluation{}, evaluateError(cycleID, err)
	}
	return Evaluation{Folded: f, Result: res}, nil
}

// evaluateError is how Evaluate reports an error of the engine.
func evaluateError(cycleID uuid.UUID, err error) error {
	return fmt.Errorf("evaluate cycle %s: %w", cycleID, err)
}

// ReplayDecision recomputes a recorded decision from the events up to its
// last input position and lists every difference (none: MATCH).
func ReplayDecision(events []Recorded, d RecordedDecision) (Evaluation, []Mismatch, error) {
	ev, err := evaluateAs(UpToPosition(events, d.LastInputPosition), d.CycleID, d.Status)
	if err != nil {
		return Evaluation{}, nil, err
	}
	return ev, CompareDecision(d, ev.Result), nil
}

// UpToPosition returns the prefix of events (in global order) at or below
// position.
func UpToPosition(events []Recorded, position int64) []Recorded {
	n, _ := slices.BinarySearchFunc(events, position+1, func(r Recorded, p int64) int {
		switch {
		case r.Position < p:
			return -1
		case r.Position > p:
			return 1
		}
		return 0
	})
	return events[:n]
}

// UpToTime returns the prefix of events recorded at or before t. Recorded
// times follow global order closely but not strictly (clocks of several
// writers), so the cut is the last event at or before t, scanning forward.
func UpToTime(events []Recorded, t time.Time) []Recorded {
	n := 0
	for i, r := range events {
		if !r.At.After(t) {
			n = i + 1
		}
	}
	return events[:n]
}

// FoldCycle builds the engine input of cycleID from events in global order.
// The events must include the organisation, template and policy streams,
// every cycle stream (earlier decisions are history) and cycleID's review
// streams; other streams are skipped, so a caller may leave them out.
//
// The organisation is the one in force for the cycle: as of the last input
// of its latest publication (unless reopened since), else as it is at the
// end of events. The template and policy are the versions the cycle pinned.
// Review events count only if the cycle's state at that point of the log
// allowed them, so a command that raced a state change never counts.
// History is every other cycle's latest recorded decision ending no later
// than this cycle.
func FoldCycle(events []Recorded, cycleID uuid.UUID) (Folded, error) {
	return fold(events, cycleID, nil)
}

// FoldUnits is FoldCycle narrowed to the employees in scope in the given
// units: for one unit its Input is exactly FoldCycle's Input.ForUnit(unit),
// for several the same filter over all of them, and Appeals covers those
// employees only. It never lists or sorts the rest of the organisation, so
// computing one unit of a large cycle costs about what the unit's own
// events cost. Units are independent in every rule (see
// scoring.Input.ForUnit), so the unit computed alone is the unit computed
// within the whole cycle.
func FoldUnits(events []Recorded, cycleID uuid.UUID, units []uuid.UUID) (Folded, error) {
	only := make(map[uuid.UUID]bool, len(units))
	for _, u := range units {
		only[u] = true
	}
	return fold(events, cycleID, only)
}

// fold is FoldCycle, narrowed to the units in only unless only is nil.
func fold(events []Recorded, cycleID uuid.UUID, only map[uuid.UUID]bool) (Folded, error) {
	fd := newFolder(cycleID, orgCutoff(events, cycleID))
	fd.only = only
	fd.expect(events)
	for _, r := range events {
		fd.add(r)
	}
	return fd.finish(Decisions(events))
}

// orgCutoff is the last input position of the cycle's latest publication
// that no reopening followed, or -1 when the organisation stays live.
func orgCutoff(events []Recorded, cycleID uuid.UUID) int64 {
	cut := int64(-1)
	stream := CycleStream(cycleID)
	for _, r := range events {
		if r.Stream != stream {
			continue
		}
		switch e := r.Event.(type) {
		case DecisionRecorded:
			if e.Kind == DecisionPublication {
				cut = e.LastInputPosition
			}
		case CycleReopened:
			cut = -1
		}
	}
	return cut
}

// folder accumulates one fold.
type folder struct {
	cycleID      uuid.UUID
	cycleStream  string
	reviewPrefix string
	cutoff       int64
	last         int64
	// only narrows the input to employees of these units (nil: every unit).
	only map[uuid.UUID]bool
	// inScope is the cycle's participants when a Base computed them once
	// (nil: list them from org).
	inScope *participantList
	// bufs, when set, lends expect the lists and maps of an earlier fold
	// (see FoldBuffers); nil: expect allocates them.
	bufs *FoldBuffers

	org       *Organisation
	templates map[uuid.UUID]*TemplateVersions
	policies  map[uuid.UUID]*PolicyVersions
	cycles    map[uuid.UUID]*Cycle
	reviews   map[uuid.UUID]*Review

	foldFacts // what FoldBuffers lends from one fold to the next

	adjust    []scoring.Adjustment
	overrides map[uuid.UUID]scoring.PairingOverride
	payItems  []scoring.PayItem
}

// foldFacts are a fold's review facts and the indexes over them.
type foldFacts struct {
	// streamEmployee caches the employee id parsed from each review stream.
	streamEmployee map[string]uuid.UUID
	// evalList holds each evaluation once (a resubmitted id replaces its
	// entry), evals its index by evaluation id, and evalOrder the entries in
	// the order submitted; kpiList holds each (employee, criterion) record
	// in the order first seen, kpis its index. Values in lists rather than
	// pointers in maps: a fold of one unit holds thousands of them.
	evals     map[uuid.UUID]int32
	evalList  []scoring.Evaluation
	evalOrder []int32
	kpis      map[kpiKey]int32
	kpiList   []scoring.KPIRecord
	// scores is where the evaluations' scores are copied to, one
	// allocation for the fold rather than one per evaluation.
	scores []scoring.CriterionScore
}

type kpiKey struct {
	employee  uuid.UUID
	criterion string
}

func newFolder(cycleID uuid.UUID, cutoff int64) *folder {
	return &folder{
		cycleID: cycleID, cycleStream: CycleStream(cycleID),
		reviewPrefix: reviewStreamPrefix(cycleID), cutoff: cutoff,
		org: NewOrganisation(), templates: map[uuid.UUID]*TemplateVersions{},
		policies: map[uuid.UUID]*PolicyVersions{}, cycles: map[uuid.UUID]*Cycle{},
		reviews: map[uuid.UUID]*Review{}, overrides: map[uuid.UUID]scoring.PairingOverride{},
		foldFacts: foldFacts{streamEmployee: map[string]uuid.UUID{}, evals: map[uuid.UUID]int32{}, kpis: map[kpiKey]int32{}},
	}
}

// add folds one event.
func (fd *folder) add(r Recorded) {
	fd.last = r.Position
	switch {
	case r.Stream == OrganisationStream:
		if fd.cutoff < 0 || r.Position <= fd.cutoff {
			fd.org.apply(r.Event)
		}
	case strings.HasPrefix(r.Stream, "template-"):
		if e, ok := r.Event.(TemplateVersionPublished); ok {
			getOrNew(fd.templates, e.Template.ID).apply(e)
		}
	case strings.HasPrefix(r.Stream, "policy-"):
		if e, ok := r.Event.(PolicyVersionPublished); ok {
			getOrNew(fd.policies, e.Policy.ID).apply(e)
		}
	case strings.HasPrefix(r.Stream, "cycle-"):
		fd.addCycleEvent(r)
	case strings.HasPrefix(r.Stream, fd.reviewPrefix):
		fd.addReviewEvent(r)
	}
}

// getOrNew returns m[k], adding a zero value first if it is missing.
func getOrNew[K comparable, V any](m map[K]*V, k K) *V {
	if m[k] == nil {
		m[k] = new(V)
	}
	return m[k]
}

// addCycleEvent applies any cycle's events (other cycles give history) and
// collects this cycle's pairing overrides.
func (fd *folder) addCycleEvent(r Recorded) {
	id, err := uuid.Parse(strings.TrimPrefix(r.Stream, "cycle-"))
	if err != nil {
		return
	}
	c := fd.cycles[id]
	if c == nil {
		c = NewCycle()
		fd.cycles[id] = c
	}
	c.apply(r.Event)
	if e, ok := r.Event.(PairingOverrideGranted); ok && id == fd.cycleID {
		fd.overrides[e.UnitID] = scoring.PairingOverride{UnitID: e.UnitID, EventID: r.ID, AuthorID: r.Actor.ID, Justification: e.Justification}
	}
}

// addReviewEvent folds one event of this cycle's review streams, if the
// cycle's state allowed it when it was recorded.
func (fd *folder) addReviewEvent(r Recorded) {
	if c := fd.cycles[fd.cycleID]; c != nil {
		fd.addReviewIn(r, c.State())
	}
}

// addReviewIn folds one review event recorded while the cycle was in state.
func (fd *folder) addReviewIn(r Recorded, state CycleState) {
	if !slices.Contains(reviewStates(r.Event), state) {
		return
	}
	employee, ok := fd.employeeOf(r.Stream)
	if !ok {
		return
	}
	switch r.Event.(type) {
	case ResultsAcknowledged, AppealFiled, AppealRejected, AppealUpheld:
		fd.reviewOf(employee).apply(r.Event)
	default:
		fd.addFact(r, employee)
	}
}

// addFact collects the engine's facts from one review event.
func (fd *folder) addFact(r Recorded, employee uuid.UUID) {
	switch e := r.Event.(type) {
	case EvaluationSubmitted:
		ev := scoring.Evaluation{EventID: r.ID, Kind: e.Kind, RaterID: e.RaterID,
			EmployeeID: employee, Scores: fd.criterionScores(e.Scores)}
		i, again := fd.evals[e.EvaluationID]
		if again {
			fd.evalList[i] = ev
		} else {
			i = int32(len(fd.evalList))
			fd.evals[e.EvaluationID] = i
			fd.evalList = append(fd.evalList, ev)
		}
		fd.evalOrder = append(fd.evalOrder, i)
	case EvaluationAmended:
		if i, ok := fd.evals[e.EvaluationID]; ok {
			ev := &fd.evalList[i]
			ev.Scores = fd.criterionScores(e.Scores)
			ev.AmendmentEventIDs = append(ev.AmendmentEventIDs, r.ID)
		}
	case KPITargetSet:
		k := fd.kpi(employee, e.Criterion)
		k.Target, k.TargetEventID = e.Target, r.ID
	case KPIActualRecorded:
		k := fd.kpi(employee, e.Criterion)
		k.Actual, k.ActualEventID = e.Actual, r.ID
	case ScoreAdjusted:
		fd.adjust = append(fd.adjust, scoring.Adjustment{EventID: r.ID, Position: r.Position, EmployeeID: employee,
			Origin: e.Origin, Kind: e.Kind, Value: e.Value, AuthorID: r.Actor.ID, Reason: e.Reason})
	case AwardGranted:
		fd.payItems = append(fd.payItems, scoring.PayItem{EventID: r.ID, EmployeeID: employee, Kind: scoring.Award,
			Type: e.Type, Amount: e.Amount, Reason: e.Reason})
	case PenaltyImposed:
		fd.payItems = append(fd.payItems, scoring.PayItem{EventID: r.ID, EmployeeID: employee, Kind: scoring.Penalty,
			Type: e.Type, Amount: e.Amount, Reason: e.Reason})
	}
}

// employeeOf parses the employee id out of a review stream name, once per
// stream.
func (fd *folder) employeeOf(stream string) (uuid.UUID, bool) {
	if id, ok := fd.streamEmployee[stream]; ok {
		return id, true
	}
	id, err := uuid.Parse(strings.TrimPrefix(stream, fd.reviewPrefix))
	if err != nil {
		return uuid.Nil, false
	}
	fd.streamEmployee[stream] = id
	return id, true
}

// reviewOf is the employee's review, which the fold keeps only for what
// follows publication (acknowledgement and appeals).
func (fd *folder) reviewOf(employee uuid.UUID) *Review {
	rv := fd.reviews[employee]
	if rv == nil {
		rv = NewReview(fd.cycleID, employee)
		fd.reviews[employee] = rv
	}
	return rv
}

// kpi is the employee's record of criterion (the pointer is good until the
// next record is added).
func (fd *folder) kpi(employee uuid.UUID, criterion string) *scoring.KPIRecord {
	key := kpiKey{employee, criterion}
	i, ok := fd.kpis[key]
	if !ok {
		i = int32(len(fd.kpiList))
		fd.kpis[key] = i
		fd.kpiList = append(fd.kpiList, scoring.KPIRecord{EmployeeID: employee, Criterion: criterion})
	}
	return &fd.kpiList[i]
}

// criterionScores copies entries into the fold's scores, capped so that
// no later copy can overwrite them.
func (fd *folder) criterionScores(entries []ScoreEntry) []scoring.CriterionScore {
	if cap(fd.scores)-len(fd.scores) < len(entries) {
		fd.scores = make([]scoring.CriterionScore, 0, max(len(entries), 2*cap(fd.scores)))
	}
	at := len(fd.scores)
	for _, s := range entries {
		fd.scores = append(fd.scores, scoring.CriterionScore{Criterion: s.Criterion, Score: s.Score})
	}
	return fd.scores[at:len(fd.scores):len(fd.scores)]
}

// expect sizes the fold's lists and maps for the review events it is about
// to add, so that they are allocated once instead of growing; with bufs,
// it empties and reuses those of the last fold that had them, growing only
// what is too small.
func (fd *folder) expect(reviews []Recorded) {
	var evals, scores, kpis int
	for _, r := range reviews {
		switch e := r.Event.(type) {
		case EvaluationSubmitted:
			evals++
			scores += len(e.Scores)
		case KPITargetSet:
			kpis++
		}
	}
	if fd.bufs == nil || fd.bufs.facts.evals == nil {
		fd.foldFacts = foldFacts{
			streamEmployee: map[string]uuid.UUID{},
			evals:          make(map[uuid.UUID]int32, evals), kpis: make(map[kpiKey]int32, kpis),
			evalList: make([]scoring.Evaluation, 0, evals), evalOrder: make([]int32, 0, evals),
			kpiList: make([]scoring.KPIRecord, 0, kpis), scores: make([]scoring.CriterionScore, 0, scores),
		}
		return
	}
	// A cleared map keeps its room, and grows on its own if this fold has
	// more to hold.
	b := fd.bufs.facts
	clear(b.evals)
	clear(b.kpis)
	clear(b.streamEmployee)
	fd.foldFacts = foldFacts{streamEmployee: b.streamEmployee, evals: b.evals, kpis: b.kpis,
		evalList: slices.Grow(b.evalList[:0], evals), evalOrder: slices.Grow(b.evalOrder[:0], evals),
		kpiList: slices.Grow(b.kpiList[:0], kpis), scores: slices.Grow(b.scores[:0], scores)}
}

// FoldBuffers is the memory of one fold's facts (its evaluations, their
// scores, KPI records and the indexes over them), handed from one fold to
// the next of the same caller: an as-of query folds a unit of hundreds of
// people per call, and without them allocates all of it afresh each time,
// most of what the query allocates.
//
// The Input of a Folded made with buffers holds their memory: it is good
// until the buffers' next fold, and a caller must be done with it by then.
// The engine's results hold none of an Input's slices (it copies what it
// groups and keeps values, never slices, of the facts), so a Result
// computed from the Input stays good; the tests fold another unit into the
// same buffers and check that the first unit's result did not change.
// Buffers serve one fold at a time.
type FoldBuffers struct {
	// facts are emptied before each fold, streamEmployee too: it would
	// only grow with every stream of every unit folded into the buffers.
	facts foldFacts
	// inKPIs is the narrowed Input's KPI list (facts).
	inKPIs []scoring.KPIRecord
}

// keep hands the fold's lists and maps (as they grew) back to its buffers.
func (fd *folder) keep() {
	if fd.bufs != nil {
		fd.bufs.facts = fd.foldFacts
	}
}

// finish assembles the input, keeping only facts about employees in scope.
func (fd *folder) finish(decisions []RecordedDecision) (Folded, error) {
	c := fd.cycles[fd.cycleID]
	if c == nil || !c.Exists() {
		return Folded{}, &NotFoundError{Kind: "cycle", ID: fd.cycleID.String()}
	}
	s := c.Settings()
	tv, pv := c.PinnedVersions()
	if tv == 0 {
		return Folded{}, &StateError{Action: "evaluate", State: string(c.State()), Allowed: []string{"any state after draft"}}
	}
	tpl, okT := fd.templates[s.TemplateID].versionAt(tv)
	pol, okP := fd.policies[s.PolicyID].versionAt(pv)
	if !okT || !okP {
		return Folded{}, fmt.Errorf("cycle %s pins template v%d and policy v%d, not in the events given: %w", fd.cycleID, tv, pv, ErrNotFound)
	}
	in := scoring.Input{
		Cycle: scoring.Cycle{ID: fd.cycleID, Name: s.Name, Cadence: s.Cadence, Months: s.Cadence.Months(),
			PeriodStart: s.PeriodStart, PeriodEnd: s.PeriodEnd, Status: c.resultStatus()},
		Template: tpl, Policy: pol,
	}
	inScope := fd.scope(c, &in)
	fd.facts(&in, inScope)
	in.History = fd.history(s, pol, inScope, decisions)
	return Folded{Input: in, State: c.State(), LastPosition: fd.last, Appeals: fd.appeals(in.Employees, c.PublishedAt())}, nil
}

// versionAt is At on a possibly missing aggregate.
func (v *Versions[T]) versionAt(n int) (T, bool) {
	if v == nil {
		var zero T
		return zero, false
	}
	return v.At(n)
}

// scope fills the employees in scope and their units.
func (fd *folder) scope(c *Cycle, in *scoring.Input) map[uuid.UUID]bool {
	participants := fd.participants(c)
	// Sized once: a unit of hundreds grew each through several copies.
	inScope := make(map[uuid.UUID]bool, len(participants))
	units := map[uuid.UUID]bool{}
	if len(participants) > 0 { // none leaves the list nil, as before
		in.Employees = make([]scoring.Employee, 0, len(participants))
	}
	for _, m := range participants {
		level, _ := fd.org.Level(m.LevelID)
		in.Employees = append(in.Employees, scoring.Employee{ID: m.ID, UnitID: m.UnitID,
			PositionLevel: level.Name, MonthlyStandard: level.MonthlyStandard})
		inScope[m.ID] = true
		if !units[m.UnitID] {
			units[m.UnitID] = true
			u, _ := fd.org.Unit(m.UnitID)
			in.Units = append(in.Units, scoring.Unit{ID: u.ID, Name: u.Name, HeadID: u.HeadID})
		}
	}
	for _, unit := range sortedIDs(fd.overrides) {
		if units[unit] {
			in.PairingOverrides = append(in.PairingOverrides, fd.overrides[unit])
		}
	}
	return inScope
}

// participants is the cycle's participants, ordered by id, in the units
// folded: with only set, just those units' employees are copied and sorted.
// A fold on a Base filters the base's list instead of the organisation.
func (fd *folder) participants(c *Cycle) []Employee {
	if fd.inScope != nil {
		if fd.only == nil {
			return fd.inScope.all
		}
		if len(fd.only) == 1 {
			for unit := range fd.only {
				return fd.inScope.byUnit[unit] // read only, like all
			}
		}
		n := countIn(fd.inScope.all, func(m Employee) bool { return fd.only[m.UnitID] })
		if n == 0 {
			return nil
		}
		out := make([]Employee, 0, n)
		for _, m := range fd.inScope.all {
			if fd.only[m.UnitID] {
				out = append(out, m)
			}
		}
		return out
	}
	if fd.only == nil {
		return c.Participants(fd.org)
	}
	var out []Employee
	for _, m := range fd.org.employees {
		if fd.only[m.UnitID] && m.Active && c.settings.Scope.includes(*m) {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(a, b Employee) int { return compareIDs(a.ID, b.ID) })
	return out
}

// facts copies evaluations, KPIs, adjustments and pay items of employees in
// scope, in the order they were recorded.
func (fd *folder) facts(in *scoring.Input, inScope map[uuid.UUID]bool) {
	in.Evaluations = fd.evaluations(inScope)
	switch {
	case fd.only == nil:
		// The whole cycle lists no KPI as empty, not absent; a narrowed
		// input leaves it nil, as ForUnit does.
		in.KPIs = make([]scoring.KPIRecord, 0, len(fd.kpiList))
	case fd.bufs != nil:
		in.KPIs = fd.bufs.inKPIs[:0]
	}
	for _, k := range fd.kpiList {
		// A KPI without an actual has no score yet: the engine reports the
		// criterion missing rather than scoring zero.
		if inScope[k.EmployeeID] && k.ActualEventID != uuid.Nil && k.TargetEventID != uuid.Nil {
			in.KPIs = append(in.KPIs, k)
		}
	}
	if fd.bufs != nil && fd.only != nil {
		fd.bufs.inKPIs = in.KPIs
		if len(in.KPIs) == 0 {
			in.KPIs = nil // as without buffers
		}
	}
	for _, a := range fd.adjust {
		if inScope[a.EmployeeID] {
			in.Adjustments = append(in.Adjustments, a)
		}
	}
	for _, it := range fd.payItems {
		if inScope[it.EmployeeID] {
			in.PayItems = append(in.PayItems, it)
		}
	}
}

// evaluations lists the evaluations of employees in scope in the order
// submitted. The whole cycle lists none as empty, not absent; a narrowed
// input leaves the list nil when nobody's is in scope, as ForUnit does.
// When every evaluation is in scope and none was submitted twice (a fold of
// one unit's reviews), the fold's own list is that list.
func (fd *folder) evaluations(inScope map[uuid.UUID]bool) []scoring.Evaluation {
	n := countIn(fd.evalOrder, func(i int32) bool { return inScope[fd.evalList[i].EmployeeID] })
	switch {
	case n > 0 && n == len(fd.evalList) && n == len(fd.evalOrder):
		return fd.evalList
	case n == 0 && fd.only != nil:
		return nil
	}
	out := make([]scoring.Evaluation, 0, n)
	for _, i := range fd.evalOrder {
		if ev := fd.evalList[i]; inScope[ev.EmployeeID] {
			out = append(out, ev)
		}
	}
	return out
}

// countIn counts the items in keeps.
func countIn[T any](items []T, keep func(T) bool) int {
	n := 0
	for _, it := range items {
		if keep(it) {
			n++
		}
	}
	return n
}

// history lists in-scope employees' results of other cycles' latest
// decisions that end no later than this cycle, graded under this policy.
func (fd *folder) history(s CycleSettings, pol scoring.Policy, inScope map[uuid.UUID]bool, decisions []RecordedDecision) []scoring.PastResult {
	grades := map[string]bool{}
	for _, g := range pol.Grades {
		grades[g.Grade] = true
	}
	latest := map[uuid.UUID]int{}
	for i, d := range decisions {
		latest[d.CycleID] = i
	}
	var out []scoring.PastResult
	for i, d := range decisions {
		cid := d.CycleID
		c := fd.cycles[cid]
		if c == nil || latest[cid] != i || cid == fd.cycleID || c.Settings().PeriodEnd.After(s.PeriodEnd) {
			continue
		}
		other := c.Settings()
		for _, row := range d.Rows {
			if inScope[row.EmployeeID] && grades[row.Grade] {
				out = append(out, scoring.PastResult{EmployeeID: row.EmployeeID, CycleID: cid, Cadence: other.Cadence,
					PeriodStart: other.PeriodStart, PeriodEnd: other.PeriodEnd, Grade: row.Grade,
					Status: d.Status, EventID: d.EventID})
			}
		}
	}
	return out
}

// appeals reports open appeals and the employees who may still appeal.
func (fd *folder) appeals(emps []scoring.Employee, publishedAt time.Time) AppealStatus {
	var st AppealStatus
	for _, m := range emps {
		rv := fd.reviews[m.ID]
		switch {
		case rv != nil && rv.HasOpenAppeal():
			st.Open = append(st.Open, m.ID)
		case rv == nil || !rv.Settled(publishedAt):
			st.Unsettled = append(st.Unsettled, m.ID)
		}
	}
	return st
}

// sortedIDs returns a map's keys in id order.
func sortedIDs[V any](m map[uuid.UUID]V) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.SortFunc(out, compareIDs)
	return out
}
