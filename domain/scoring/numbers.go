package scoring

import "github.com/shopspring/decimal"

// QuotientPlaces is how many decimal places a quotient with a non-terminating
// expansion keeps (a mean of three peers, a re-normalised weighted mean, a
// budget factor). Quotients that terminate are exact, and everything else is
// addition and multiplication, which decimal does exactly. 20 places sit 18
// orders of magnitude below the 2-place rounding of final scores and pay.
const QuotientPlaces = 20

// Shared constants; decimal values are immutable, so sharing is safe.
var (
	zero        = decimal.Zero
	one         = decimal.NewFromInt(1)
	five        = decimal.NewFromInt(5)
	twentyFive  = decimal.NewFromInt(25)
	hundred     = decimal.NewFromInt(100)
	centsPerOne = decimal.NewFromInt(100)
	oneCent     = decimal.New(1, -2)
)

// quo is a / b for b > 0: exact when the quotient terminates, else rounded
// half-up at QuotientPlaces. Exact quotients keep only the places they need,
// so that traces read 87.25 rather than 87.25000000000000000000.
func quo(a, b decimal.Decimal) decimal.Decimal {
	if b.Equal(hundred) {
		return a.Shift(-2) // the common case: weights that sum to 100
	}
	n := b.CoefficientInt64()
	if !decimal.New(n, b.Exponent()).Equal(b) {
		return a.DivRound(b, QuotientPlaces)
	}
	if n > 0 && n < int64(len(reciprocals)) && b.Exponent() == 0 && reciprocals[n].ok {
		// Multiplying by an exact 1/n gives the same digits as DivRound at
		// the places computed below, for one multiplication.
		return a.Mul(reciprocals[n].d)
	}
	extra, ok := terminating(n)
	if !ok {
		return a.DivRound(b, QuotientPlaces)
	}
	// a/b = (A/n) × 10^(ea-eb); A/n needs extra places.
	places := extra + b.Exponent()
	if a.Exponent() < 0 {
		places -= a.Exponent()
	}
	return a.DivRound(b, max(places, 0))
}

// reciprocals holds 1/n exactly for the small n whose reciprocal
// terminates (the usual counts of peers and customers, weight totals).
var reciprocals = func() (r [129]struct {
	d  decimal.Decimal
	ok bool
}) {
	for n := int64(1); n < int64(len(r)); n++ {
		if extra, ok := terminating(n); ok {
			r[n].d, r[n].ok = one.DivRound(decimal.NewFromInt(n), extra), true
		}
	}
	return r
}()

// terminating reports whether 1/n has a finite decimal expansion (n = 2^i 5^j)
// and how many places it needs (max(i, j)).
func terminating(n int64) (int32, bool) {
	if n <= 0 {
		return 0, false
	}
	var twos, fives int32
	for n%2 == 0 {
		n /= 2
		twos++
	}
	for n%5 == 0 {
		n /= 5
		fives++
	}
	return max(twos, fives), n == 1
}

// weightedMean is Σ weight × value / Σ weight over terms, and Σ weight. It
// is zero when the weights sum to zero (nothing present).
func weightedMean(terms []Term) (mean, weights decimal.Decimal) {
	num, den := newSum(), newSum()
	for _, t := range terms {
		num.addProduct(t.Value, t.Weight)
		den.add(t.Weight)
	}
	w := den.value()
	if w.IsZero() {
		return zero, zero
	}
	return quo(num.value(), w), w
}

// clamp limits v to [lo, hi].
func clamp(v, lo, hi decimal.Decimal) decimal.Decimal {
	if v.LessThan(lo) {
		return lo
	}
	if v.GreaterThan(hi) {
		return hi
	}
	return v
}

// smallInts holds the small integers means divide by, so that a mean does
// not allocate its divisor.
var smallInts = func() (c [33]decimal.Decimal) {
	for n := range c {
		c[n] = decimal.NewFromInt(int64(n))
	}
	return c
}()

func count(n int) decimal.Decimal {
	if n < len(smallInts) {
		return smallInts[n]
	}
	return decimal.NewFromInt(int64(n))
}
