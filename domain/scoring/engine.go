package scoring

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Compute derives one cycle's results from its facts. It is pure and
// deterministic: the same Input (in any slice order) gives a Result whose
// JSON encoding is byte-identical. An Input that fails Validate is refused
// with a *ValidationError wrapping ErrInvalidInput, ErrInvalidTemplate or
// ErrInvalidPolicy.
func Compute(in Input) (Result, error) {
	return compute(in, nil, false)
}

// ComputeTraced is Compute keeping derivation traces only for the employees
// traced reports true for: every other employee's result is Compute's with
// each Trace and the GradeTrace nil (all a read model keeps of it), and
// everything else (their numbers, the units with their traces, flags,
// recommendations, blockers) is exactly Compute's. Traces are most of what
// Compute allocates; the memory of each untraced employee's is reused for
// the next, so computing one unit to show one person's derivation allocates
// that person's traces only.
func ComputeTraced(in Input, traced func(employee uuid.UUID) bool) (Result, error) {
	return compute(in, traced, false)
}

// ComputeUntraced is ComputeTraced keeping no employee's traces, for a
// reader that stores none (the cycles projection's documents).
func ComputeUntraced(in Input) (Result, error) {
	return compute(in, func(uuid.UUID) bool { return false }, false)
}

// ComputeFor is Compute for one employee's view of the cycle: that
// employee's result exactly as Compute gives it, traces included, and the
// units, flags, recommendations and blockers as Compute gives them. Every
// other employee's result holds their numbers only (score, grade,
// coefficient, pay, adjustments), without traces, criteria or dimensions:
// the unit's budget and pairing need those numbers of everyone, but nobody
// else's detail, and an as-of query of one person in a unit of hundreds
// then allocates about one person's detail.
func ComputeFor(in Input, employee uuid.UUID) (Result, error) {
	return compute(in, func(id uuid.UUID) bool { return id == employee }, true)
}

// compute is Compute, with traces kept only for the traced employees
// unless traced is nil; with numbersOnly, the untraced employees' criteria
// and dimensions are dropped too.
func compute(in Input, traced func(uuid.UUID) bool, numbersOnly bool) (Result, error) {
	if err := in.Validate(); err != nil {
		return Result{}, fmt.Errorf("compute cycle %s: %w", in.Cycle.ID, err)
	}
	e := newEngine(in)
	e.sizeSlabs(traced != nil, numbersOnly)
	if numbersOnly && useWide {
		e.prepareWide()
	}
	res := Result{
		EngineVersion:   EngineVersion,
		CycleID:         in.Cycle.ID,
		Status:          in.Cycle.Status,
		TemplateID:      in.Template.ID,
		TemplateVersion: in.Template.Version,
		PolicyID:        in.Policy.ID,
		PolicyVersion:   in.Policy.Version,
		Employees:       make([]EmployeeResult, len(e.emps)),
		Flags:           []Flag{},
		Recommendations: []Recommendation{},
		Blockers:        []Blocker{},
	}
	for i, emp := range e.emps {
		steps, terms := e.steps.mark(), e.terms.mark()
		criteria, raters, dimensions := e.criteria.mark(), e.raters.mark(), e.dimensions.mark()
		numbers := numbersOnly && !traced(emp.ID)
		var ok bool
		if numbers {
			res.Employees[i], ok = e.scoreNumbers(i, emp)
		}
		if !ok {
			res.Employees[i] = e.scoreEmployee(i, emp)
		}
		if traced != nil && !traced(emp.ID) {
			// Steps and terms are trace only: once the result drops its
			// traces nothing refers to them, and the next employee reuses
			// their memory; so with criteria and dimensions when those go.
			res.Employees[i].dropTraces()
			e.steps.release(steps)
			e.terms.release(terms)
			if numbersOnly {
				res.Employees[i].Criteria, res.Employees[i].Dimensions = nil, nil
				e.criteria.release(criteria)
				e.raters.release(raters)
				e.dimensions.release(dimensions)
			}
		}
	}
	res.Units = e.budgetUnits(res.Employees)
	for i := range res.Employees {
		e.followUp(&res, &res.Employees[i])
		if traced != nil && !traced(res.Employees[i].EmployeeID) {
			res.Employees[i].dropTraces() // proration extends the pay's trace
		}
	}
	res.Blockers = blockers(res)
	return res, nil
}

// engine holds Input re-indexed for one Compute: everything per employee is
// grouped and sorted once, so that scoring never iterates a map.
type engine struct {
	in      Input
	crits   []Criterion
	critDim []int
	critIdx map[string]int
	caps    []decimal.Decimal // effective KPI cap per criterion
	weights [numRaterKinds]decimal.Decimal

	emps   []Employee // sorted by id
	empIdx map[uuid.UUID]int

	evals       [][]int32      // per employee, indexes into in.Evaluations by kind, rater, event
	kpis        [][]int32      // per employee, indexes into in.KPIs by criterion index
	adjustments [][]Adjustment // per employee, by position, event
	payItems    [][]PayItem    // per employee, by event
	history     [][]PastResult // per employee, by period end, cycle

	// bucketSizes, bucketOf and buckets are scratch space for bucketScores,
	// reused between employees: the size of each (criterion, kind) bucket,
	// the bucket of each score in evaluation order, and the buckets (whose
	// terms the traces keep; the list of them nobody keeps).
	bucketSizes []int
	bucketOf    []int
	buckets     [][]Term
	// Slabs for the many small slices of the results' traces.
	steps      slab[Step]
	terms      slab[Term]
	raters     slab[RaterScore]
	criteria   slab[CriterionResult]
	dimensions slab[DimensionResult]
	// wide is what scoreNumbers needs, prepared for ComputeFor only.
	wide wideWeights
}

// useWide lets tests turn scoreNumbers off, to compare with the decimal
// path alone.
var useWide = true

func newEngine(in Input) *engine {
	e := &engine{in: in, critIdx: criterionIndex(in.Template)}
	e.crits, e.critDim = criteria(in.Template)
	e.caps = make([]decimal.Decimal, len(e.crits))
	for i, c := range e.crits {
		e.caps[i] = c.Cap
		if c.Cap.IsZero() {
			e.caps[i] = in.Policy.KPICap
		}
	}
	for i, k := range raterKindOrder {
		e.weights[i] = in.Policy.RaterWeights.Of(k)
	}
	e.emps = slices.Clone(in.Employees)
	slices.SortFunc(e.emps, func(a, b Employee) int { return compareIDs(a.ID, b.ID) })
	e.empIdx = make(map[uuid.UUID]int, len(e.emps))
	for i, emp := range e.emps {
		e.empIdx[emp.ID] = i
	}
	e.bucketSizes = make([]int, len(e.crits)*numRaterKinds)
	e.buckets = make([][]Term, len(e.bucketSizes))

	e.evals = groupIndexes(e, in.Evaluations, func(v *Evaluation) uuid.UUID { return v.EmployeeID }, func(a, b *Evaluation) int {
		return cmp.Or(cmp.Compare(a.Kind.index(), b.Kind.index()), compareIDs(a.RaterID, b.RaterID), compareIDs(a.EventID, b.EventID))
	})
	e.kpis = groupIndexes(e, in.KPIs, func(k *KPIRecord) uuid.UUID { return k.EmployeeID }, func(a, b *KPIRecord) int {
		return cmp.Compare(e.critIdx[a.Criterion], e.critIdx[b.Criterion])
	})
	e.adjustments = groupSorted(e, in.Adjustments, func(a Adjustment) uuid.UUID { return a.EmployeeID }, func(a, b Adjustment) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), compareIDs(a.EventID, b.EventID))
	})
	e.payItems = groupSorted(e, in.PayItems, func(p PayItem) uuid.UUID { return p.EmployeeID }, func(a, b PayItem) int {
		return compareIDs(a.EventID, b.EventID)
	})
	e.history = groupSorted(e, in.History, func(h PastResult) uuid.UUID { return h.EmployeeID }, comparePast)
	return e
}

// sizeSlabs sizes the slabs' chunks for this cycle: the criteria, rater
// and dimension results it will hold exactly, and the trace pieces by a
// generous estimate, or, when only some employees keep traces (the others'
// pieces are released and reused), small chunks.
func (e *engine) sizeSlabs(someTraced, numbersOnly bool) {
	n := len(e.emps)
	if numbersOnly {
		n = 1 // the pieces of the others are released and reused
	}
	ratedBy := 0
	for _, c := range e.crits {
		ratedBy += len(c.RatedBy)
	}
	e.criteria.expect(n * len(e.crits))
	e.raters.expect(n * ratedBy)
	e.dimensions.expect(n * len(e.in.Template.Dimensions))
	perEmployee := traceTermsPerEmployee
	if someTraced {
		perEmployee = 1
	}
	e.steps.expect(max(64, perEmployee*len(e.emps)))
	e.terms.expect(max(64, perEmployee*len(e.emps)))
}

// traceTermsPerEmployee is about how many trace steps, and terms, one
// employee's derivation takes with the default template and a full set of
// raters; a slab chunk is never larger than slabChunk anyway.
const traceTermsPerEmployee = 128

// groupSorted splits items by employee (indexed as e.emps) and sorts each
// group. The groups share one backing array, capped so appends cannot spill.
func groupSorted[T any](e *engine, items []T, employee func(T) uuid.UUID, order func(a, b T) int) [][]T {
	counts := make([]int, len(e.emps)+1)
	for _, it := range items {
		counts[e.empIdx[employee(it)]+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	backing := make([]T, len(items))
	next := slices.Clone(counts[:len(e.emps)])
	for _, it := range items {
		i := e.empIdx[employee(it)]
		backing[next[i]] = it
		next[i]++
	}
	groups := make([][]T, len(e.emps))
	for i := range groups {
		groups[i] = backing[counts[i]:counts[i+1]:counts[i+1]]
		slices.SortFunc(groups[i], order)
	}
	return groups
}

// groupIndexes is groupSorted for the two long lists, the evaluations and
// the KPI records: each group holds the items' indexes in items instead of
// copies of them, a few bytes rather than a hundred an item, on every
// Compute (the items are read in place, never changed).
func groupIndexes[T any](e *engine, items []T, employee func(*T) uuid.UUID, order func(a, b *T) int) [][]int32 {
	counts := make([]int, len(e.emps)+1)
	for i := range items {
		counts[e.empIdx[employee(&items[i])]+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	backing := make([]int32, len(items))
	next := slices.Clone(counts[:len(e.emps)])
	for i := range items {
		g := e.empIdx[employee(&items[i])]
		backing[next[g]] = int32(i)
		next[g]++
	}
	groups := make([][]int32, len(e.emps))
	for i := range groups {
		groups[i] = backing[counts[i]:counts[i+1]:counts[i+1]]
		slices.SortFunc(groups[i], func(a, b int32) int { return order(&items[a], &items[b]) })
	}
	return groups
}

// criterionOf is the index of the criterion key names, trying next first:
// a rater's scores usually list criteria in template order, so the one
// after the last score's criterion is mostly the right one, and comparing
// one key costs less than hashing it for the map. Compute has validated
// the template, so no key names two criteria.
func (e *engine) criterionOf(key string, next int) int {
	if next < len(e.crits) && e.crits[next].Key == key {
		return next
	}
	return e.critIdx[key]
}

func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

func comparePast(a, b PastResult) int {
	return cmp.Or(a.PeriodEnd.Compare(b.PeriodEnd), compareIDs(a.CycleID, b.CycleID))
}
