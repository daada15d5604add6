package scoring

import (
	"strings"
)

// resultFor is employee i's result before any score: who, their standard
// and pay items, complete until a criterion says otherwise.
func (e *engine) resultFor(i int, emp Employee) EmployeeResult {
	return EmployeeResult{
		EmployeeID:      emp.ID,
		UnitID:          emp.UnitID,
		PositionLevel:   emp.PositionLevel,
		Complete:        true,
		MonthlyStandard: emp.MonthlyStandard,
		Months:          e.in.Cycle.Months,
		PayItems:        e.payItems[i],
	}
}

// scoreEmployee runs SPEC §5 and §6 and the pay of §7 before any budget rule
// for employee i.
func (e *engine) scoreEmployee(i int, emp Employee) EmployeeResult {
	r := e.resultFor(i, emp)
	r.Criteria = e.scoreCriteria(e.evals[i], e.kpis[i])
	for _, c := range r.Criteria {
		if c.Missing {
			r.Complete = false
			r.Missing = append(r.Missing, c.Key)
		}
	}
	r.Dimensions = e.scoreDimensions(r.Criteria)
	r.Overall = e.overall(r.Dimensions)
	r.Adjustments, r.Final = e.final(r.Overall.Value, e.adjustments[i])
	e.grade(&r)
	e.pay(&r)
	return r
}

// scoreCriteria scores every criterion of the template, in template order.
func (e *engine) scoreCriteria(evals, kpis []int32) []CriterionResult {
	buckets := e.bucketScores(evals)
	out := e.criteria.take(len(e.crits))
	k := 0
	for ci, c := range e.crits {
		cr := &out[ci]
		cr.Key, cr.Kind, cr.Weight = c.Key, c.Kind, c.Weight
		cr.Dimension = e.in.Template.Dimensions[e.critDim[ci]].Key
		if c.Kind == Measured {
			for k < len(kpis) && e.critIdx[e.in.KPIs[kpis[k]].Criterion] < ci {
				k++
			}
			if k < len(kpis) && e.in.KPIs[kpis[k]].Criterion == c.Key {
				e.scoreKPI(cr, ci, e.in.KPIs[kpis[k]])
			} else {
				cr.Missing = true
			}
			continue
		}
		e.scoreRated(cr, c, buckets[ci*numRaterKinds:(ci+1)*numRaterKinds])
	}
	return out
}

// bucketScores turns the employee's evaluations (indexes into
// in.Evaluations) into mean-step terms, one bucket per (criterion, rater
// kind), each in rater order. All terms share one allocation.
func (e *engine) bucketScores(evals []int32) [][]Term {
	clear(e.bucketSizes)
	e.bucketOf = e.bucketOf[:0]
	for _, j := range evals {
		ev := &e.in.Evaluations[j]
		kind := ev.Kind.index()
		ci := -1
		for _, s := range ev.Scores {
			ci = e.criterionOf(s.Criterion, ci+1)
			b := ci*numRaterKinds + kind
			e.bucketSizes[b]++
			e.bucketOf = append(e.bucketOf, b)
		}
	}
	total := len(e.bucketOf)
	terms := e.terms.take(total)
	buckets := e.buckets
	start := 0
	for b, n := range e.bucketSizes {
		buckets[b] = terms[start : start : start+n]
		start += n
	}
	n := 0
	for _, j := range evals {
		ev := &e.in.Evaluations[j]
		for _, s := range ev.Scores {
			b := e.bucketOf[n]
			n++
			buckets[b] = append(buckets[b], Term{
				Ref: ev.RaterID, Value: s.Score, Weight: one,
				EventID: ev.EventID, Amendments: ev.AmendmentEventIDs,
			})
		}
	}
	return buckets
}

// scoreRated is SPEC §5 steps 1-2: the mean per rater kind, then the mean
// of those weighted by the policy, re-normalised over the kinds present.
func (e *engine) scoreRated(cr *CriterionResult, c Criterion, buckets [][]Term) {
	present := e.terms.room(len(c.RatedBy))
	cr.Raters = e.raters.room(len(c.RatedBy))
	for ki, kind := range raterKindOrder {
		if !c.Rates(kind) {
			continue
		}
		scores := buckets[ki]
		if len(scores) == 0 {
			cr.AbsentRaters = append(cr.AbsentRaters, kind)
			continue
		}
		mean := e.raterMean(kind, c.Scale, scores)
		cr.Raters = append(cr.Raters, mean)
		present = append(present, Term{Label: string(kind), Value: mean.Mean.Value, Weight: e.weights[ki]})
	}
	if len(present) == 0 {
		cr.Missing = true
		return
	}
	score, weights := weightedMean(present)
	renorm := Step{Op: OpRenormalise, Label: c.Key, Terms: present, Value: weights}
	if len(cr.AbsentRaters) > 0 {
		renorm.Note = "absent, weight re-normalised away: " + joinKinds(cr.AbsentRaters)
	}
	trace := e.steps.take(2)
	trace[0] = renorm
	trace[1] = Step{Op: OpWeightedMean, Label: c.Key, Terms: present, Value: score}
	cr.Score = Derived{Value: score, Trace: trace}
}

// raterMean is the mean of one kind's scores, mapped to 0-100.
func (e *engine) raterMean(kind RaterKind, scale Scale, scores []Term) RaterScore {
	mean := scores[0].Value
	if len(scores) > 1 {
		total := newSum()
		for _, t := range scores {
			total.add(t.Value)
		}
		mean = quo(total.value(), count(len(scores)))
	}
	steps := 1
	if scale == ScaleFivePoint {
		steps = 2
	}
	trace := e.steps.take(steps)
	trace[0] = Step{Op: OpMean, Label: string(kind), Terms: scores, Value: mean}
	if scale == ScaleFivePoint {
		mapped := mean.Sub(one).Mul(twentyFive)
		trace[1] = Step{
			Op: OpScaleMap, Label: string(kind), Value: mapped, Note: "(mean - 1) × 25",
			Terms: e.operands(Term{Label: "mean", Value: mean}),
		}
		mean = mapped
	}
	shown := kind == RaterSelf || kind == RaterManager || len(scores) >= e.in.Policy.AnonymityThreshold
	return RaterScore{
		Kind: kind, Count: len(scores), Weight: e.weights[kind.index()], ShownToEmployee: shown,
		Mean: Derived{Value: mean, Trace: trace},
	}
}

// scoreDimensions is SPEC §5 step 4 for dimensions: the weighted mean of
// the criteria that have a score.
func (e *engine) scoreDimensions(crits []CriterionResult) []DimensionResult {
	out := e.dimensions.take(len(e.in.Template.Dimensions))
	start := 0
	for di, d := range e.in.Template.Dimensions {
		mine := crits[start : start+len(d.Criteria)]
		start += len(d.Criteria)
		terms := e.terms.room(len(mine))
		var missing []string
		for _, c := range mine {
			if c.Missing {
				missing = append(missing, c.Key)
				continue
			}
			terms = append(terms, Term{Label: c.Key, Value: c.Score.Value, Weight: c.Weight})
		}
		out[di] = DimensionResult{Key: d.Key, Weight: d.Weight, Missing: len(terms) == 0}
		out[di].Score = e.meanStep(d.Key, terms, missing)
	}
	return out
}

// overall is SPEC §5 step 4 for the whole: the weighted mean of the
// dimensions that have a score.
func (e *engine) overall(dims []DimensionResult) Derived {
	terms := e.terms.room(len(dims))
	var missing []string
	for _, d := range dims {
		if d.Missing {
			missing = append(missing, d.Key)
			continue
		}
		terms = append(terms, Term{Label: d.Key, Value: d.Score.Value, Weight: d.Weight})
	}
	return e.meanStep("overall", terms, missing)
}

// meanStep is a weighted mean with its one-step trace; missing parts are
// named in the note because their weight was re-normalised away.
func (e *engine) meanStep(label string, terms []Term, missing []string) Derived {
	v, _ := weightedMean(terms)
	s := Step{Op: OpWeightedMean, Label: label, Terms: terms, Value: v}
	if len(missing) > 0 {
		s.Note = "missing, weight re-normalised away: " + strings.Join(missing, ", ")
	}
	return Derived{Value: v, Trace: e.trace(s)}
}

// trace copies steps into a slab piece.
func (e *engine) trace(steps ...Step) Trace {
	t := e.steps.take(len(steps))
	copy(t, steps)
	return t
}

// operands makes a step's terms from plain values: a zero Weight becomes 1,
// the weight of a plain operand.
func (e *engine) operands(terms ...Term) []Term {
	t := e.terms.take(len(terms))
	for i, term := range terms {
		if term.Weight.IsZero() {
			term.Weight = one
		}
		t[i] = term
	}
	return t
}

func joinKinds(kinds []RaterKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
