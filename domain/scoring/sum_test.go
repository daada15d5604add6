package scoring

import (
	mathrand "math/rand"
	"testing"
	"testing/quick"

	"github.com/shopspring/decimal"
)

// TestSumMatchesDecimal: the int64 fast path and its overflow fallback give
// exactly what decimal arithmetic gives, including totals far past int64.
func TestSumMatchesDecimal(t *testing.T) {
	property := func(coefs []int64, exps []int8, weights []int32) bool {
		s, p := newSum(), newSum()
		wantSum, wantProducts := decimal.Zero, decimal.Zero
		for i, c := range coefs {
			e := int32(0)
			if i < len(exps) {
				e = int32(exps[i] % 12)
			}
			w := decimal.NewFromInt(1)
			if i < len(weights) {
				w = decimal.New(int64(weights[i]), -2)
			}
			v := decimal.New(c, e)
			s.add(v)
			p.addProduct(v, w)
			wantSum = wantSum.Add(v)
			wantProducts = wantProducts.Add(v.Mul(w))
		}
		return s.value().Equal(wantSum) && p.value().Equal(wantProducts)
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 2000, Rand: mathrand.New(mathrand.NewSource(2))}); err != nil {
		t.Error(err)
	}
}

func TestCompareMatchesDecimal(t *testing.T) {
	property := func(a, b int64, ea, eb int8) bool {
		x, y := decimal.New(a, int32(ea%20)), decimal.New(b, int32(eb%20))
		return compare(x, y) == x.Cmp(y)
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 2000, Rand: mathrand.New(mathrand.NewSource(3))}); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct{ a, b string }{{"96.995", "97"}, {"97.00", "97"}, {"70.99", "71"}, {"0", "-0.01"}} {
		x, y := dec(tc.a), dec(tc.b)
		if compare(x, y) != x.Cmp(y) {
			t.Errorf("compare(%s, %s) = %d, want %d", tc.a, tc.b, compare(x, y), x.Cmp(y))
		}
	}
}

func TestQuoIsExactWhenItTerminatesAndRoundsOtherwise(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"349", "4", "87.25"},
		{"5850", "70", "83.57142857142857142857"},
		{"200", "3", "66.66666666666666666667"},
		{"5300", "60", "88.33333333333333333333"},
		{"8700", "100", "87"},
		{"1", "0.8", "1.25"},
		{"900", "1005", "0.89552238805970149254"},
	} {
		if got := quo(dec(tc.a), dec(tc.b)); !got.Equal(dec(tc.want)) {
			t.Errorf("quo(%s, %s) = %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}
