package scoring

import (
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Validate checks the template, the policy and every fact against them and
// against each other, reporting every problem at once. Compute calls it; the
// domain's commands should have refused anything it finds.
func (in Input) Validate() error {
	p := problems{kind: ErrInvalidInput}
	m := in.validationMaps()
	defer m.put()
	in.validateCycle(&p)
	units := in.validateUnits(&p)
	emps := in.validateEmployees(&p, units, m.emps)
	crits := criterionIndex(in.Template)
	in.validateEvaluations(&p, emps, crits, m)
	in.validateKPIs(&p, emps, crits, m.kpis)
	in.validateAdjustments(&p, emps, m.events)
	in.validateOverrides(&p, units)
	in.validatePayItems(&p, emps)
	in.validateHistory(&p, emps)
	return errors.Join(in.Template.Validate(), in.Policy.Validate(), p.err())
}

// validationMaps are the sets Validate fills to find what is listed twice
// and to look employees up. They go back to a pool, emptied, for the next
// Validate: each Compute (an as-of query of one person among them) fills
// them with every evaluation of its unit, and allocating them afresh was a
// third of what a query allocated. Nothing outside one Validate holds them.
type validationMaps struct {
	emps     map[uuid.UUID]bool
	events   map[uuid.UUID]bool
	raters   map[raterKey]bool
	managers map[uuid.UUID]bool
	kpis     map[kpiKey]bool
}

var validationPool sync.Pool

// maxPooledEntries bounds the sets kept for reuse: emptying a map costs its
// size, so the sets of a whole 10,000-person cycle are left to the
// collector rather than emptied for every unit after them.
const maxPooledEntries = 1 << 14

// validationMaps are empty sets for Validate of in: from the pool unless in
// is too large for them to go back to it, else new ones sized for in.
func (in Input) validationMaps() *validationMaps {
	events := len(in.Evaluations) + len(in.Adjustments)
	if max(events, len(in.Employees), len(in.KPIs)) <= maxPooledEntries {
		if m, ok := validationPool.Get().(*validationMaps); ok {
			return m
		}
	}
	return &validationMaps{emps: make(map[uuid.UUID]bool, len(in.Employees)), events: make(map[uuid.UUID]bool, events),
		raters: make(map[raterKey]bool, len(in.Evaluations)), managers: make(map[uuid.UUID]bool, len(in.Employees)),
		kpis: make(map[kpiKey]bool, len(in.KPIs))}
}

// put empties the sets and gives them back to the pool, unless one grew
// beyond maxPooledEntries.
func (m *validationMaps) put() {
	if max(len(m.emps), len(m.events), len(m.raters), len(m.managers), len(m.kpis)) > maxPooledEntries {
		return
	}
	clear(m.emps)
	clear(m.events)
	clear(m.raters)
	clear(m.managers)
	clear(m.kpis)
	validationPool.Put(m)
}

// criterionIndex maps criterion keys to their flat index in template order.
// A template with duplicate keys is refused by Template.Validate; here the
// first occurrence wins so that indexing itself never fails.
func criterionIndex(t Template) map[string]int {
	idx := map[string]int{}
	n := 0
	for _, d := range t.Dimensions {
		for _, c := range d.Criteria {
			if _, dup := idx[c.Key]; !dup {
				idx[c.Key] = n
			}
			n++
		}
	}
	return idx
}

// criteria lists the template's criteria flat, in template order, with the
// index of their dimension.
func criteria(t Template) ([]Criterion, []int) {
	var cs []Criterion
	var dims []int
	for i, d := range t.Dimensions {
		for _, c := range d.Criteria {
			cs = append(cs, c)
			dims = append(dims, i)
		}
	}
	return cs, dims
}

func (in Input) validateCycle(p *problems) {
	c := in.Cycle
	if c.ID == uuid.Nil {
		p.add("cycle.id", "is required")
	}
	if !c.Cadence.Valid() {
		p.add("cycle.cadence", fmt.Sprintf("unknown cadence %q", c.Cadence))
	}
	if c.Months < 1 || c.Months > 12 {
		p.add("cycle.months", "must be within 1-12")
	}
	if c.PeriodEnd.Before(c.PeriodStart) {
		p.add("cycle.period_end", "is before period_start")
	}
	if !c.Status.Valid() {
		p.add("cycle.status", fmt.Sprintf("unknown status %q", c.Status))
	}
}

func (in Input) validateUnits(p *problems) map[uuid.UUID]bool {
	units := map[uuid.UUID]bool{}
	for i, u := range in.Units {
		at := path{"units", i}
		checkID(p, at.of(".id"), u.ID, units)
	}
	return units
}

func (in Input) validateEmployees(p *problems, units map[uuid.UUID]bool, emps map[uuid.UUID]bool) map[uuid.UUID]bool {
	for i, e := range in.Employees {
		at := path{"employees", i}
		checkID(p, at.of(".id"), e.ID, emps)
		if !units[e.UnitID] {
			p.add(at.f(".unit_id"), "is not one of the units")
		}
		checkMoney(p, at.of(".monthly_standard"), e.MonthlyStandard)
	}
	return emps
}

// raterKey identifies one rater's evaluation of one employee; kind is the
// kind's index, so that the key is plain bytes (a string in a key is
// hashed field by field, and this map sees every evaluation of the cycle).
// Evaluations of unknown kinds are keyed by otherRaterKey, in a map of
// their own, so that two unknown kinds stay apart as before.
type raterKey struct {
	employee, rater uuid.UUID
	kind            int8
}

type otherRaterKey struct {
	employee, rater uuid.UUID
	kind            RaterKind
}

// scoreBounds is a criterion's scale bounds (ok: it has a scale), also as
// wides (wide: both fit), for the bounds check of every score.
type scoreBounds struct {
	lo, hi         decimal.Decimal
	wideLo, wideHi wide
	ok, wideOK     bool
}

// outside reports whether v is outside the bounds: in wide arithmetic
// when v fits it (one look at v's digits instead of four), else as
// compare does.
func (b scoreBounds) outside(v decimal.Decimal) bool {
	if w, ok := wideOf(v); ok && b.wideOK {
		below, okLo := w.cmp(b.wideLo)
		above, okHi := w.cmp(b.wideHi)
		if okLo && okHi {
			return below < 0 || above > 0
		}
	}
	return compare(v, b.lo) < 0 || compare(v, b.hi) > 0
}

func (in Input) validateEvaluations(p *problems, emps map[uuid.UUID]bool, crits map[string]int, m *validationMaps) {
	events, raters, managers := m.events, m.raters, m.managers
	cs, _ := criteria(in.Template)
	bounds := make([]scoreBounds, len(cs))
	for ci, c := range cs {
		b := &bounds[ci]
		b.lo, b.hi, b.ok = c.Scale.Bounds()
		var okLo, okHi bool
		b.wideLo, okLo = wideOf(b.lo)
		b.wideHi, okHi = wideOf(b.hi)
		b.wideOK = okLo && okHi
	}
	var otherRaters map[otherRaterKey]bool
	// scoredBy[c] == i+1 when evaluation i scored criterion c: a reusable
	// duplicate check, because this loop sees every score of the cycle.
	scoredBy := make([]int, len(cs))
	// As the engine's criterionOf, each score's criterion is first looked
	// for after the last score's, where it mostly is, then in the map; only
	// when no key names two criteria (else the map's first one counts).
	unique := len(crits) == len(cs)
	for i, ev := range in.Evaluations {
		at := path{"evaluations", i}
		checkID(p, at.of(".event_id"), ev.EventID, events)
		if !ev.Kind.Valid() {
			p.add(at.f(".kind"), fmt.Sprintf("unknown rater kind %q", ev.Kind))
		}
		if !emps[ev.EmployeeID] {
			p.add(at.f(".employee_id"), "is not an employee in scope")
		}
		if ev.RaterID == uuid.Nil {
			p.add(at.f(".rater_id"), "is required")
		}
		switch {
		case ev.Kind == RaterSelf && ev.RaterID != ev.EmployeeID:
			p.add(at.f(".rater_id"), "a self evaluation is by the employee")
		case ev.Kind != RaterSelf && ev.RaterID == ev.EmployeeID:
			p.add(at.f(".rater_id"), "only a self evaluation may be by the employee")
		case ev.Kind == RaterManager && managers[ev.EmployeeID]:
			p.add(at.f(".kind"), "a second manager evaluation of the same employee")
		}
		if ev.Kind == RaterManager {
			managers[ev.EmployeeID] = true
		}
		var again bool
		if kind := ev.Kind.index(); kind >= 0 {
			k := raterKey{ev.EmployeeID, ev.RaterID, int8(kind)}
			again = raters[k]
			raters[k] = true
		} else {
			if otherRaters == nil {
				otherRaters = map[otherRaterKey]bool{}
			}
			k := otherRaterKey{ev.EmployeeID, ev.RaterID, ev.Kind}
			again = otherRaters[k]
			otherRaters[k] = true
		}
		if again {
			p.add(at.f(""), "a second evaluation by the same rater of the same kind (the fold applies amendments)")
		}
		ci := -1
		for j, s := range ev.Scores {
			sf := func(name string) string { return at.f(fmt.Sprintf(".scores[%d].%s", j, name)) }
			next, ok := ci+1, true
			if unique && next < len(cs) && cs[next].Key == s.Criterion {
				ci = next
			} else {
				ci, ok = crits[s.Criterion]
			}
			switch {
			case !ok:
				p.add(sf("criterion"), fmt.Sprintf("%q is not in the template", s.Criterion))
				continue
			case scoredBy[ci] == i+1:
				p.add(sf("criterion"), fmt.Sprintf("%q scored twice", s.Criterion))
			case cs[ci].Kind != Rated || !cs[ci].Rates(ev.Kind):
				p.add(sf("criterion"), fmt.Sprintf("%q is not rated by %s raters", s.Criterion, ev.Kind))
			}
			scoredBy[ci] = i + 1
			if b := &bounds[ci]; b.ok && b.outside(s.Score) {
				p.add(sf("score"), fmt.Sprintf("%s is outside the %s scale", s.Score, cs[ci].Scale))
			}
		}
	}
}

// kpiKey identifies one employee's record of one measured criterion.
type kpiKey struct {
	employee  uuid.UUID
	criterion string
}

func (in Input) validateKPIs(p *problems, emps map[uuid.UUID]bool, crits map[string]int, seen map[kpiKey]bool) {
	cs, _ := criteria(in.Template)
	for i, k := range in.KPIs {
		at := path{"kpis", i}
		if !emps[k.EmployeeID] {
			p.add(at.f(".employee_id"), "is not an employee in scope")
		}
		ci, ok := crits[k.Criterion]
		if !ok || cs[ci].Kind != Measured {
			p.add(at.f(".criterion"), fmt.Sprintf("%q is not a measured criterion of the template", k.Criterion))
			continue
		}
		if seen[kpiKey{k.EmployeeID, k.Criterion}] {
			p.add(at.f(""), "a second record for the same employee and criterion (the fold keeps the latest)")
		}
		seen[kpiKey{k.EmployeeID, k.Criterion}] = true
		if k.Actual.IsNegative() {
			p.add(at.f(".actual"), "must not be negative")
		}
		switch {
		case cs[ci].LowerIsBetter && k.Target.IsNegative():
			p.add(at.f(".target"), "must not be negative")
		case !cs[ci].LowerIsBetter && !k.Target.IsPositive():
			p.add(at.f(".target"), "must be positive (the score divides by it)")
		}
	}
}

func (in Input) validateAdjustments(p *problems, emps map[uuid.UUID]bool, events map[uuid.UUID]bool) {
	for i, a := range in.Adjustments {
		at := path{"adjustments", i}
		checkID(p, at.of(".event_id"), a.EventID, events)
		if !emps[a.EmployeeID] {
			p.add(at.f(".employee_id"), "is not an employee in scope")
		}
		if a.Origin != FromCalibration && a.Origin != FromAppeal {
			p.add(at.f(".origin"), fmt.Sprintf("unknown origin %q", a.Origin))
		}
		switch a.Kind {
		case AdjustDelta:
		case AdjustOverride:
			if a.Value.IsNegative() || a.Value.GreaterThan(hundred) {
				p.add(at.f(".value"), "an override must be within [0, 100]")
			}
		default:
			p.add(at.f(".kind"), fmt.Sprintf("unknown kind %q", a.Kind))
		}
		if a.AuthorID == uuid.Nil {
			p.add(at.f(".author_id"), "is required")
		}
		if a.Reason == "" {
			p.add(at.f(".reason"), "is required")
		}
	}
}

func (in Input) validateOverrides(p *problems, units map[uuid.UUID]bool) {
	seen := map[uuid.UUID]bool{}
	for i, o := range in.PairingOverrides {
		at := path{"pairing_overrides", i}
		if !units[o.UnitID] {
			p.add(at.f(".unit_id"), "is not one of the units")
		} else if seen[o.UnitID] {
			p.add(at.f(".unit_id"), "a second override for the unit (the fold keeps the latest)")
		}
		seen[o.UnitID] = true
		if o.Justification == "" {
			p.add(at.f(".justification"), "is required")
		}
	}
}

func (in Input) validatePayItems(p *problems, emps map[uuid.UUID]bool) {
	for i, it := range in.PayItems {
		at := path{"pay_items", i}
		if !emps[it.EmployeeID] {
			p.add(at.f(".employee_id"), "is not an employee in scope")
		}
		if it.Kind != Award && it.Kind != Penalty {
			p.add(at.f(".kind"), fmt.Sprintf("unknown kind %q", it.Kind))
		}
		checkMoney(p, at.of(".amount"), it.Amount)
	}
}

// validateHistory requires history grades to be grades of the current
// policy: rules compare them by the current policy's band order.
func (in Input) validateHistory(p *problems, emps map[uuid.UUID]bool) {
	for i, h := range in.History {
		at := path{"history", i}
		if !emps[h.EmployeeID] {
			p.add(at.f(".employee_id"), "is not an employee in scope")
		}
		if h.CycleID == in.Cycle.ID {
			p.add(at.f(".cycle_id"), "is the cycle being computed")
		}
		if !h.Cadence.Valid() {
			p.add(at.f(".cadence"), fmt.Sprintf("unknown cadence %q", h.Cadence))
		}
		if h.PeriodEnd.After(in.Cycle.PeriodEnd) {
			p.add(at.f(".period_end"), "is after the period end of the cycle being computed")
		}
		if in.Policy.rank(h.Grade) < 0 {
			p.add(at.f(".grade"), fmt.Sprintf("%q is not a grade of the policy", h.Grade))
		}
		if !h.Status.atLeastPublished() {
			p.add(at.f(".status"), "history holds published and closed results only")
		}
	}
}

func checkID(p *problems, field func() string, id uuid.UUID, seen map[uuid.UUID]bool) {
	switch {
	case id == uuid.Nil:
		p.add(field(), "is required")
	case seen[id]:
		p.add(field(), fmt.Sprintf("%s is used twice", id))
	}
	seen[id] = true
}

// checkMoney requires a non-negative amount in whole cents.
func checkMoney(p *problems, field func() string, v decimal.Decimal) {
	if v.IsNegative() {
		p.add(field(), "must not be negative")
	}
	if v.Exponent() < -2 && !v.Equal(v.Truncate(2)) {
		p.add(field(), "must be in whole cents")
	}
}

// path names an element of one of Input's lists. The name is built only when
// a problem is found: Validate sees every fact of a cycle, and formatting a
// name for each would cost more than checking it.
type path struct {
	list string
	i    int
}

func (p path) f(name string) string { return fmt.Sprintf("%s[%d]%s", p.list, p.i, name) }

// of defers f(name), for the helpers shared by several lists.
func (p path) of(name string) func() string { return func() string { return p.f(name) } }
