package scoring

// An employee whose result keeps numbers only (ComputeFor's everybody but
// the one asked about) needs no criterion, rater or dimension result: only
// which criteria are missing and the overall score, from which final, grade
// and pay follow. scoreNumbers computes those two in wide arithmetic, which
// gives decimal's exact coefficients and exponents without allocating, so
// that the hundreds of colleagues an as-of query of one person computes
// cost a fraction of their decimal derivations. Anything that leaves wide
// (a score of more than 18 digits, a quotient beyond 127 bits) sends the
// employee through scoreEmployee instead; TestComputeForKeepsOnePersonsDetail
// holds both to the same results.

// wideWeights is the template's and policy's weights as wides, once per
// Compute; ok is false when one of them does not fit.
type wideWeights struct {
	ok       bool
	criteria []wide // per criterion, template order
	caps     []wide // effective KPI cap per criterion
	dims     []wide // per dimension
	kinds    [numRaterKinds]wide
	// sums and counts are scratch per (criterion, kind) bucket, reused
	// between employees.
	sums   []wideSum
	counts []int
	terms  []wideTerm
	scores []wide // per criterion; valid where !missing
	// missing per criterion
	missing []bool
}

// prepareWide fills e.wide from the template and policy.
func (e *engine) prepareWide() {
	w := &e.wide
	w.ok = true
	of := func(v wide, ok bool) wide {
		w.ok = w.ok && ok
		return v
	}
	w.criteria = make([]wide, len(e.crits))
	w.caps = make([]wide, len(e.crits))
	for i, c := range e.crits {
		w.criteria[i] = of(wideOf(c.Weight))
		w.caps[i] = of(wideOf(e.caps[i]))
	}
	w.dims = make([]wide, len(e.in.Template.Dimensions))
	for i, d := range e.in.Template.Dimensions {
		w.dims[i] = of(wideOf(d.Weight))
	}
	for i := range w.kinds {
		w.kinds[i] = of(wideOf(e.weights[i]))
	}
	w.sums = make([]wideSum, len(e.crits)*numRaterKinds)
	w.counts = make([]int, len(w.sums))
	w.scores = make([]wide, len(e.crits))
	w.missing = make([]bool, len(e.crits))
	w.terms = make([]wideTerm, 0, max(len(e.crits), numRaterKinds, len(w.dims)))
}

// scoreNumbers is scoreEmployee for a result of numbers only (no criteria,
// dimensions or traces), or false when the numbers leave wide arithmetic.
func (e *engine) scoreNumbers(i int, emp Employee) (EmployeeResult, bool) {
	if !e.wide.ok {
		return EmployeeResult{}, false
	}
	overall, ok := e.overallWide(e.evals[i], e.kpis[i])
	if !ok {
		return EmployeeResult{}, false
	}
	r := e.resultFor(i, emp)
	for ci, c := range e.crits {
		if e.wide.missing[ci] {
			r.Complete = false
			r.Missing = append(r.Missing, c.Key)
		}
	}
	r.Overall = Derived{Value: overall.decimal()}
	r.Adjustments, r.Final = e.final(r.Overall.Value, e.adjustments[i])
	e.grade(&r)
	e.pay(&r)
	return r, true
}

// overallWide is overall(scoreDimensions(scoreCriteria(evals, kpis))),
// leaving which criteria are missing in e.wide.missing.
func (e *engine) overallWide(evals, kpis []int32) (wide, bool) {
	w := &e.wide
	if !e.sumBuckets(evals) {
		return wide{}, false
	}
	k := 0
	for ci, c := range e.crits {
		w.missing[ci] = false
		var ok bool
		if c.Kind == Measured {
			for k < len(kpis) && e.critIdx[e.in.KPIs[kpis[k]].Criterion] < ci {
				k++
			}
			if k < len(kpis) && e.in.KPIs[kpis[k]].Criterion == c.Key {
				w.scores[ci], ok = e.kpiWide(ci, &e.in.KPIs[kpis[k]])
			} else {
				w.missing[ci], ok = true, true
			}
		} else {
			w.scores[ci], w.missing[ci], ok = e.ratedWide(ci, c)
		}
		if !ok {
			return wide{}, false
		}
	}
	// The dimensions' scores, then their weighted mean; a dimension without
	// any scored criterion is missing and left out, as in overall.
	dims := make([]wideTerm, 0, 8)
	start := 0
	for di, d := range e.in.Template.Dimensions {
		terms := w.terms[:0]
		for ci := start; ci < start+len(d.Criteria); ci++ {
			if !w.missing[ci] {
				terms = append(terms, wideTerm{value: w.scores[ci], weight: w.criteria[ci]})
			}
		}
		start += len(d.Criteria)
		if len(terms) == 0 {
			continue
		}
		v, ok := weightedMeanWide(terms)
		if !ok {
			return wide{}, false
		}
		dims = append(dims, wideTerm{value: v, weight: w.dims[di]})
	}
	return weightedMeanWide(dims)
}

// sumBuckets totals the employee's scores per (criterion, rater kind), as
// bucketScores groups them.
func (e *engine) sumBuckets(evals []int32) bool {
	w := &e.wide
	clear(w.counts)
	for b := range w.sums {
		w.sums[b] = newWideSum()
	}
	for _, j := range evals {
		ev := &e.in.Evaluations[j]
		kind := ev.Kind.index()
		ci := -1
		for _, s := range ev.Scores {
			v, ok := wideOf(s.Score)
			if !ok {
				return false
			}
			ci = e.criterionOf(s.Criterion, ci+1)
			b := ci*numRaterKinds + kind
			w.sums[b].add(v)
			w.counts[b]++
		}
	}
	return true
}

// ratedWide is scoreRated's score (and whether the criterion is missing).
func (e *engine) ratedWide(ci int, c Criterion) (score wide, missing, ok bool) {
	w := &e.wide
	present := w.terms[:0]
	for ki, kind := range raterKindOrder {
		b := ci*numRaterKinds + ki
		if !c.Rates(kind) || w.counts[b] == 0 {
			continue
		}
		// raterMean: one score is its own mean; more are totalled and
		// divided; a five-point mean maps to 0-100 as (mean - 1) × 25.
		mean, ok := w.sums[b].value()
		if ok && w.counts[b] > 1 {
			mean, ok = quoWide(mean, wideInt(int64(w.counts[b]), 0))
		}
		if ok && c.Scale == ScaleFivePoint {
			if mean, ok = mean.add(wideInt(-1, 0)); ok {
				mean, ok = mean.mul(wideInt(25, 0))
			}
		}
		if !ok {
			return wide{}, false, false
		}
		present = append(present, wideTerm{value: mean, weight: w.kinds[ki]})
	}
	if len(present) == 0 {
		return wide{}, true, true
	}
	score, ok = weightedMeanWide(present)
	return score, false, ok
}

// kpiWide is scoreKPI's capped score.
func (e *engine) kpiWide(ci int, k *KPIRecord) (wide, bool) {
	cp := e.wide.caps[ci]
	target, okT := wideOf(k.Target)
	actual, okA := wideOf(k.Actual)
	if !okT || !okA {
		return wide{}, false
	}
	var ratio wide
	var ok bool
	switch {
	case !e.crits[ci].LowerIsBetter:
		if ratio, ok = actual.mul(wideHundred); ok {
			ratio, ok = quoWide(ratio, target)
		}
	case actual.isZero():
		ratio, ok = cp, true
	default:
		if ratio, ok = target.mul(wideHundred); ok {
			ratio, ok = quoWide(ratio, actual)
		}
	}
	if !ok {
		return wide{}, false
	}
	// decimal.Min(ratio, cap) keeps the ratio unless the cap is smaller.
	c, ok := cp.cmp(ratio)
	if !ok {
		return wide{}, false
	}
	if c < 0 {
		return cp, true
	}
	return ratio, true
}
