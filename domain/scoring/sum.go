package scoring

import (
	"cmp"
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// sum adds decimals (and products of two decimals) exactly. It keeps the
// running total as an int64 coefficient and an exponent while everything
// fits, which allocates nothing, and moves to decimal.Decimal for good the
// moment anything would overflow. The result equals decimal arithmetic's;
// the speed matters because every score of a cycle passes through here.
type sum struct {
	coef  int64
	exp   int32
	empty bool // no term yet: exp is not set
	slow  bool // total lives in big
	big   decimal.Decimal
}

func newSum() sum { return sum{empty: true} }

// add adds v.
func (s *sum) add(v decimal.Decimal) {
	if c, ok := small(v); ok && !s.slow && s.addSmall(c, v.Exponent()) {
		return
	}
	s.toSlow()
	s.big = s.big.Add(v)
}

// addProduct adds v × w.
func (s *sum) addProduct(v, w decimal.Decimal) {
	if !s.slow {
		cv, okv := small(v)
		cw, okw := small(w)
		if okv && okw {
			if p, ok := mulSmall(cv, cw); ok && s.addSmall(p, v.Exponent()+w.Exponent()) {
				return
			}
		}
	}
	s.toSlow()
	s.big = s.big.Add(v.Mul(w))
}

// value is the total; zero for an empty sum.
func (s *sum) value() decimal.Decimal {
	switch {
	case s.slow:
		return s.big
	case s.empty:
		return zero
	}
	return decimal.New(s.coef, s.exp)
}

// addSmall adds c × 10^e, reporting false (and changing nothing) when the
// total would leave int64.
func (s *sum) addSmall(c int64, e int32) bool {
	if s.empty {
		s.coef, s.exp, s.empty = c, e, false
		return true
	}
	total, exp := s.coef, s.exp
	var ok bool
	if e < exp {
		if total, ok = scale(total, exp-e); !ok {
			return false
		}
		exp = e
	} else if e > exp {
		if c, ok = scale(c, e-exp); !ok {
			return false
		}
	}
	r := total + c
	if (total^r)&(c^r) < 0 { // both operands' signs differ from the result's: overflow
		return false
	}
	s.coef, s.exp = r, exp
	return true
}

// toSlow moves the total into decimal.Decimal.
func (s *sum) toSlow() {
	if !s.slow {
		s.big = s.value()
		s.slow = true
	}
}

// small is v's coefficient when it fits in 18 digits (so int64 with room).
func small(v decimal.Decimal) (int64, bool) {
	if v.NumDigits() > 18 {
		return 0, false
	}
	return v.CoefficientInt64(), true
}

// scale is c × 10^n, or false on overflow.
func scale(c int64, n int32) (int64, bool) {
	if n > 18 {
		return 0, c == 0
	}
	return mulSmall(c, int64(pow10[n]))
}

// mulSmall is a × b, or false on overflow.
func mulSmall(a, b int64) (int64, bool) {
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(absU(a), absU(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

func absU(a int64) uint64 {
	if a < 0 {
		return uint64(-a)
	}
	return uint64(a)
}

var pow10 = [19]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// compare is a.Cmp(b) without the allocation decimal makes to align
// exponents, for the small values scores and bounds are.
func compare(a, b decimal.Decimal) int {
	ca, okA := small(a)
	cb, okB := small(b)
	if okA && okB {
		ea, eb := a.Exponent(), b.Exponent()
		if ea >= eb {
			if s, ok := scale(ca, ea-eb); ok {
				return cmp.Compare(s, cb)
			}
		} else if s, ok := scale(cb, eb-ea); ok {
			return cmp.Compare(ca, s)
		}
	}
	return a.Cmp(b)
}
