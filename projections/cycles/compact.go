package cycles

import (
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// internedDecimals bounds how many distinct decimals an interner keeps;
// past it, new values are kept as decoded.
const internedDecimals = 1 << 16

// interner keeps one copy of each string and small decimal that the index's
// events repeat. A 10,000-employee cycle decodes some 150,000 events holding
// over a million separately allocated stream names, criterion keys, rater
// kinds and score decimals (a decimal is a pointer to a big.Int and its
// words), nearly all of them equal to one another: the collector marked
// every one of them on every cycle while as-of queries waited on it.
// Decimals are values nobody mutates (every decimal operation returns a
// new one), so equal ones can share their big.Int.
type interner struct {
	strs map[string]string
	decs map[decimalKey]decimal.Decimal
	// wide holds decimals of more than 18 digits (a full-precision mean or
	// proration factor), keyed by their coefficient's digits.
	wide map[wideKey]decimal.Decimal
	// chunk is where evaluations' scores are copied to (see scores).
	chunk []domain.ScoreEntry
}

// decimalKey is a decimal whose coefficient fits an int64.
type decimalKey struct {
	coef int64
	exp  int32
}

// wideKey is any decimal.
type wideKey struct {
	coef string
	exp  int32
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, decs: map[decimalKey]decimal.Decimal{}, wide: map[wideKey]decimal.Decimal{}}
}

// str is s, or the equal string kept before.
func (in *interner) str(s string) string {
	if t, ok := in.strs[s]; ok {
		return t
	}
	in.strs[s] = s
	return s
}

// dec is d, or the equal decimal (same coefficient and exponent) kept
// before.
func (in *interner) dec(d decimal.Decimal) decimal.Decimal {
	if d.NumDigits() > 18 {
		return internIn(in.wide, wideKey{d.Coefficient().String(), d.Exponent()}, d)
	}
	return internIn(in.decs, decimalKey{d.CoefficientInt64(), d.Exponent()}, d)
}

// internIn is m's decimal for key, else d, kept for key while m has room.
func internIn[K comparable](m map[K]decimal.Decimal, key K, d decimal.Decimal) decimal.Decimal {
	if e, ok := m[key]; ok {
		return e
	}
	if len(m) < internedDecimals {
		m[key] = d
	}
	return d
}

// recorded returns r with its repeated strings and decimals interned; the
// event is equal to r's (the same JSON, the same values).
func (in *interner) recorded(r domain.Recorded) domain.Recorded {
	r.Stream, r.Type = in.str(r.Stream), in.str(r.Type)
	r.Actor.Role = domain.Role(in.str(string(r.Actor.Role)))
	switch e := r.Event.(type) {
	case domain.EvaluationSubmitted:
		e.Kind = scoring.RaterKind(in.str(string(e.Kind)))
		e.Scores = in.scores(e.Scores)
		r.Event = e
	case domain.EvaluationAmended:
		e.Scores = in.scores(e.Scores)
		r.Event = e
	case domain.KPITargetSet:
		e.Criterion, e.Target = in.str(e.Criterion), in.dec(e.Target)
		r.Event = e
	case domain.KPIActualRecorded:
		e.Criterion, e.Actual = in.str(e.Criterion), in.dec(e.Actual)
		r.Event = e
	case domain.DecisionPartRecorded:
		// A decision of 10,000 people holds 70,000 decimals, most of them
		// repeating a few scores, coefficients, standards and factors.
		for i := range e.Employees {
			in.decided(&e.Employees[i])
		}
	}
	return r
}

// decided interns one recorded row in place (the decoded event owns it).
func (in *interner) decided(row *domain.DecidedEmployee) {
	row.PositionLevel, row.Grade = in.str(row.PositionLevel), in.str(row.Grade)
	for _, d := range []*decimal.Decimal{&row.Overall, &row.Final, &row.Coefficient, &row.Standard,
		&row.PayBeforeBudget, &row.Pay, &row.ProrationFactor} {
		*d = in.dec(*d)
	}
	for i, f := range row.Flags {
		row.Flags[i] = scoring.FlagKind(in.str(string(f)))
	}
	for i, k := range row.Recommendations {
		row.Recommendations[i] = scoring.RecommendationKind(in.str(string(k)))
	}
}

// scoresChunk is how many score entries one allocation of an interner
// holds.
const scoresChunk = 4096

// scores copies entries into the interner's current chunk with their
// criteria and scores interned, and returns the copy: 80,000 evaluations
// hold their scores in some 160 chunks rather than 80,000 small arrays for
// the collector to mark one by one. The copy is capped, so appending to it
// never reaches the next evaluation's.
func (in *interner) scores(entries []domain.ScoreEntry) []domain.ScoreEntry {
	if len(entries) == 0 {
		return entries
	}
	if cap(in.chunk)-len(in.chunk) < len(entries) {
		in.chunk = make([]domain.ScoreEntry, 0, max(scoresChunk, len(entries)))
	}
	at := len(in.chunk)
	for _, s := range entries {
		s.Criterion, s.Score = in.str(s.Criterion), in.dec(s.Score)
		in.chunk = append(in.chunk, s)
	}
	return in.chunk[at:len(in.chunk):len(in.chunk)]
}
