package scoring

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// wide is an exact decimal, a coefficient times 10^exp, whose coefficient
// is a sign and a magnitude of up to 127 bits. Its operations give exactly
// the coefficient and exponent decimal.Decimal's do (Add aligns to the
// smaller exponent, Mul adds exponents, DivRound rounds half away from
// zero at the places asked), without allocating; each reports false
// instead when its result would not fit, and the caller then computes with
// decimal. 127 bits hold the quotients of QuotientPlaces places (about
// 10^22 for a score) times the weights (10^24), with room to sum them.
type wide struct {
	hi, lo uint64 // magnitude, below 2^127
	neg    bool   // never set on zero
	exp    int32
}

// wideOf is d as a wide, when its coefficient has at most 18 digits.
func wideOf(d decimal.Decimal) (wide, bool) {
	c, ok := small(d)
	if !ok {
		return wide{}, false
	}
	return wideInt(c, d.Exponent()), true
}

// wideInt is c × 10^exp.
func wideInt(c int64, exp int32) wide {
	return wide{lo: absU(c), neg: c < 0, exp: exp}
}

func (w wide) isZero() bool { return w.hi == 0 && w.lo == 0 }

// signed is w with neg cleared on zero.
func signed(hi, lo uint64, neg bool, exp int32) wide {
	return wide{hi: hi, lo: lo, neg: neg && hi|lo != 0, exp: exp}
}

// decimal is w as a decimal.Decimal, built as decimal.New builds it when
// the coefficient fits an int64.
func (w wide) decimal() decimal.Decimal {
	if w.hi == 0 && w.lo <= math.MaxInt64 {
		c := int64(w.lo)
		if w.neg {
			c = -c
		}
		return decimal.New(c, w.exp)
	}
	x := new(big.Int).SetUint64(w.hi)
	x.Lsh(x, 64)
	x.Or(x, new(big.Int).SetUint64(w.lo))
	if w.neg {
		x.Neg(x)
	}
	return decimal.NewFromBigInt(x, w.exp)
}

// fits reports whether a magnitude stays below 2^127.
func fits(hi uint64) bool { return hi < 1<<63 }

// mulWord is the magnitude hi:lo × m.
func mulWord(hi, lo, m uint64) (uint64, uint64, bool) {
	h1, l1 := bits.Mul64(lo, m)
	h2, l2 := bits.Mul64(hi, m)
	if h2 != 0 {
		return 0, 0, false
	}
	h, carry := bits.Add64(h1, l2, 0)
	if carry != 0 || !fits(h) {
		return 0, 0, false
	}
	return h, l1, true
}

// mulPow10 is the magnitude hi:lo × 10^n for n ≥ 0.
func mulPow10(hi, lo uint64, n int64) (uint64, uint64, bool) {
	if hi|lo == 0 {
		return 0, 0, true
	}
	if n > 38 { // 10^39 > 2^127
		return 0, 0, false
	}
	for n > 0 {
		k := min(n, 18)
		var ok bool
		if hi, lo, ok = mulWord(hi, lo, pow10[k]); !ok {
			return 0, 0, false
		}
		n -= k
	}
	return hi, lo, true
}

// aligned is a's and b's magnitudes at the smaller of their exponents,
// as decimal's Add and Cmp align them.
func aligned(a, b wide) (ah, al, bh, bl uint64, exp int32, ok bool) {
	exp = min(a.exp, b.exp)
	if ah, al, ok = mulPow10(a.hi, a.lo, int64(a.exp)-int64(exp)); !ok {
		return
	}
	bh, bl, ok = mulPow10(b.hi, b.lo, int64(b.exp)-int64(exp))
	return
}

// cmpMag compares two magnitudes.
func cmpMag(ah, al, bh, bl uint64) int {
	if ah != bh {
		if ah < bh {
			return -1
		}
		return 1
	}
	switch {
	case al < bl:
		return -1
	case al > bl:
		return 1
	}
	return 0
}

// add is a.Add(b).
func (a wide) add(b wide) (wide, bool) {
	ah, al, bh, bl, exp, ok := aligned(a, b)
	if !ok {
		return wide{}, false
	}
	if a.neg == b.neg {
		lo, carry := bits.Add64(al, bl, 0)
		hi, _ := bits.Add64(ah, bh, carry) // both below 2^127: no carry out
		if !fits(hi) {
			return wide{}, false
		}
		return signed(hi, lo, a.neg, exp), true
	}
	if cmpMag(ah, al, bh, bl) < 0 {
		ah, al, bh, bl = bh, bl, ah, al
		a.neg = b.neg
	}
	lo, borrow := bits.Sub64(al, bl, 0)
	hi, _ := bits.Sub64(ah, bh, borrow)
	return signed(hi, lo, a.neg, exp), true
}

// cmp is a.Cmp(b).
func (a wide) cmp(b wide) (int, bool) {
	ah, al, bh, bl, _, ok := aligned(a, b)
	if !ok {
		return 0, false
	}
	switch {
	case a.neg && !b.neg:
		return -1, true
	case !a.neg && b.neg:
		return 1, true
	case a.neg:
		return cmpMag(bh, bl, ah, al), true
	}
	return cmpMag(ah, al, bh, bl), true
}

// mul is a.Mul(b).
func (a wide) mul(b wide) (wide, bool) {
	exp := int64(a.exp) + int64(b.exp)
	if exp > math.MaxInt32 || exp < math.MinInt32 {
		return wide{}, false
	}
	var hi, lo uint64
	var ok bool
	switch {
	case a.hi == 0:
		hi, lo, ok = mulWord(b.hi, b.lo, a.lo)
	case b.hi == 0:
		hi, lo, ok = mulWord(a.hi, a.lo, b.lo)
	}
	if !ok {
		return wide{}, false
	}
	return signed(hi, lo, a.neg != b.neg, int32(exp)), true
}

// shift is a.Shift(n).
func (a wide) shift(n int32) (wide, bool) {
	exp := int64(a.exp) + int64(n)
	if exp > math.MaxInt32 || exp < math.MinInt32 {
		return wide{}, false
	}
	a.exp = int32(exp)
	return a, true
}

// divRound is a.DivRound(b, places): a / b truncated at places, plus one
// unit of the last place away from zero when twice the remainder reaches
// the divisor. The divisor, once aligned, must fit 64 bits.
func (a wide) divRound(b wide, places int32) (wide, bool) {
	e := int64(a.exp) - int64(b.exp) + int64(places)
	ah, al, bh, bl := a.hi, a.lo, b.hi, b.lo
	var ok bool
	if e < 0 {
		bh, bl, ok = mulPow10(bh, bl, -e)
	} else {
		ah, al, ok = mulPow10(ah, al, e)
	}
	if !ok || bh != 0 || bl == 0 {
		return wide{}, false
	}
	qh, r := ah/bl, ah%bl
	ql, r := bits.Div64(r, al, bl)
	if r >= bl-r { // 2r ≥ b, without overflowing
		var carry uint64
		ql, carry = bits.Add64(ql, 1, 0)
		qh += carry
	}
	if !fits(qh) {
		return wide{}, false
	}
	return signed(qh, ql, a.neg != b.neg, -places), true
}

// wideHundred is hundred as a wide.
var wideHundred = wideInt(100, 0)

// quoWide is quo(a, b), step for step.
func quoWide(a, b wide) (wide, bool) {
	if c, ok := b.cmp(wideHundred); !ok {
		return wide{}, false
	} else if c == 0 {
		return a.shift(-2)
	}
	if b.hi != 0 || b.lo > math.MaxInt64 {
		return a.divRound(b, QuotientPlaces)
	}
	n := int64(b.lo)
	if b.neg {
		n = -n
	}
	if n > 0 && n < int64(len(reciprocals)) && b.exp == 0 && reciprocals[n].ok {
		r, ok := wideOf(reciprocals[n].d)
		if !ok {
			return wide{}, false
		}
		return a.mul(r)
	}
	extra, ok := terminating(n)
	if !ok {
		return a.divRound(b, QuotientPlaces)
	}
	places := extra + b.exp
	if a.exp < 0 {
		places -= a.exp
	}
	return a.divRound(b, max(places, 0))
}

// wideSum is sum in wide: the first term sets the exponent, as sum's does.
type wideSum struct {
	total wide
	empty bool
	ok    bool
}

func newWideSum() wideSum { return wideSum{empty: true, ok: true} }

func (s *wideSum) add(v wide) {
	switch {
	case !s.ok:
	case s.empty:
		s.total, s.empty = v, false
	default:
		s.total, s.ok = s.total.add(v)
	}
}

// value is the total (zero's wide for an empty sum, as sum's value).
func (s *wideSum) value() (wide, bool) {
	if s.empty {
		return wideZero, true
	}
	return s.total, s.ok
}

// wideZero is zero as a wide, at zero's exponent.
var wideZero = wide{exp: zero.Exponent()}

// wideTerm is one term of a weighted mean.
type wideTerm struct{ value, weight wide }

// weightedMeanWide is weightedMean's mean.
func weightedMeanWide(terms []wideTerm) (wide, bool) {
	num, den := newWideSum(), newWideSum()
	for _, t := range terms {
		p, ok := t.value.mul(t.weight)
		if !ok {
			return wide{}, false
		}
		num.add(p)
		den.add(t.weight)
	}
	w, okW := den.value()
	n, okN := num.value()
	if !okW || !okN {
		return wide{}, false
	}
	if w.isZero() {
		return wideZero, true
	}
	return quoWide(n, w)
}
