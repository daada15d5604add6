package scoring

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// same fails unless got is want with the same coefficient and exponent
// (decimal's Equal would let 1.50 pass for 1.5, which a trace shows).
func same(t *testing.T, what string, got wide, want decimal.Decimal) {
	t.Helper()
	g := got.decimal()
	if g.Exponent() != want.Exponent() || g.Coefficient().Cmp(want.Coefficient()) != 0 {
		t.Fatalf("%s: wide gives %s (exponent %d), decimal %s (exponent %d)", what, g, g.Exponent(), want, want.Exponent())
	}
}

// randomDecimal is a value like the engine's: scores, weights, targets,
// quotients at 20 places and their products, of either sign, including
// zero and coefficients near the 18 digits wideOf takes.
func randomDecimal(rng *rand.Rand) decimal.Decimal {
	switch rng.IntN(6) {
	case 0:
		return decimal.New(int64(rng.IntN(3))-1, int32(rng.IntN(5))-2) // -1, 0, 1 at various exponents
	case 1:
		return decimal.New(rng.Int64N(1e18)-5e17, -int32(rng.IntN(21)))
	case 2:
		return decimal.New(int64(rng.IntN(10001)), -2)
	case 3:
		return decimal.NewFromInt(int64(1 + rng.IntN(200)))
	case 4:
		return decimal.New(int64(rng.IntN(1000)), int32(rng.IntN(4))) // a positive exponent: 5E+2
	}
	return decimal.New(rng.Int64N(1e18), -20)
}

// Every wide operation gives exactly decimal's coefficient and exponent
// whenever it reports a result, on values like the engine's and on
// products of them (magnitudes beyond 64 bits); most succeed.
func TestWideArithmeticMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	done, tried := 0, 0
	for n := range 200_000 {
		a, b := randomDecimal(rng), randomDecimal(rng)
		wa, okA := wideOf(a)
		wb, okB := wideOf(b)
		if !okA || !okB {
			t.Fatalf("%s or %s has more than 18 digits", a, b)
		}
		// Half the time, widen a to a product of two values (a magnitude
		// beyond 64 bits, which wideOf never gives).
		if n%2 == 0 {
			c := randomDecimal(rng)
			wc, _ := wideOf(c)
			if p, ok := wa.mul(wc); ok {
				same(t, fmt.Sprintf("%s × %s", a, c), p, a.Mul(c))
				a, wa = a.Mul(c), p
			}
		}
		what := fmt.Sprintf("%s and %s", a, b)
		tried += 4
		if v, ok := wa.add(wb); ok {
			done++
			same(t, what+": add", v, a.Add(b))
		}
		if v, ok := wa.mul(wb); ok {
			done++
			same(t, what+": mul", v, a.Mul(b))
		}
		if c, ok := wa.cmp(wb); ok {
			done++
			if c != a.Cmp(b) {
				t.Fatalf("%s: cmp %d, decimal %d", what, c, a.Cmp(b))
			}
		}
		if !b.IsZero() {
			if v, ok := quoWide(wa, wb); ok {
				done++
				same(t, what+": quo", v, quo(a, b))
			}
			places := int32(rng.IntN(25))
			if v, ok := wa.divRound(wb, places); ok {
				same(t, fmt.Sprintf("%s: DivRound %d", what, places), v, a.DivRound(b, places))
			}
		}
	}
	if done < tried*3/4 {
		t.Errorf("only %d of %d operations stayed in wide arithmetic", done, tried)
	}
}

// Halfway quotients round away from zero, as DivRound rounds them, with
// either sign.
func TestWideDivRoundRoundsHalfAwayFromZero(t *testing.T) {
	for _, c := range []struct{ a, b string }{{"1", "8"}, {"-1", "8"}, {"5", "-16"}, {"-5", "-16"}, {"2.5", "1"}, {"-0.125", "1"}, {"1", "3"}, {"-2", "3"}} {
		a, b := dec(c.a), dec(c.b)
		wa, _ := wideOf(a)
		wb, _ := wideOf(b)
		for places := range int32(4) {
			v, ok := wa.divRound(wb, places)
			if !ok {
				t.Fatalf("%s / %s at %d: no result", a, b, places)
			}
			same(t, fmt.Sprintf("%s / %s at %d", a, b, places), v, a.DivRound(b, places))
		}
	}
}

// randomWeights gives the template and the policy random weights (each
// list still sums to 100, some in tenths), so that the weight totals the
// engine divides by, once absent raters and missing criteria are
// re-normalised away, are of every kind: 100 (a shift), a product of twos
// and fives (an exact reciprocal) and others (20 places).
func randomWeights(in *Input, rng *rand.Rand) {
	// parts splits 100 into n positive parts, in tenths or in units.
	parts := func(n int) []decimal.Decimal {
		unit, total := int32(-1), 1000
		if rng.IntN(2) == 0 {
			unit, total = 0, 100
		}
		cuts := []int{0, total}
		for len(cuts) < n+1 {
			c := 1 + rng.IntN(total-1)
			if !slices.Contains(cuts, c) {
				cuts = append(cuts, c)
			}
		}
		slices.Sort(cuts)
		out := make([]decimal.Decimal, n)
		for i := range out {
			out[i] = decimal.New(int64(cuts[i+1]-cuts[i]), unit)
		}
		return out
	}
	k := parts(4)
	in.Policy.RaterWeights = RaterWeights{Self: k[0], Peer: k[1], Manager: k[2], Customer: k[3]}
	dims := parts(len(in.Template.Dimensions))
	in.Template.Dimensions = slices.Clone(in.Template.Dimensions)
	for di := range in.Template.Dimensions {
		d := &in.Template.Dimensions[di]
		d.Weight = dims[di]
		d.Criteria = slices.Clone(d.Criteria)
		for ci, w := range parts(len(d.Criteria)) {
			d.Criteria[ci].Weight = w
		}
	}
}

// On random cycles, with the default weights and with random ones,
// scoreNumbers gives every employee exactly scoreEmployee's numbers
// (missing criteria, overall, final, grade, pay) for nearly all of them
// (the others, whose scores are too long, go the decimal way), and
// ComputeFor with it gives exactly what it gives without (with the scores
// of each evaluation listed in another order).
func TestScoreNumbersMatchesTheDecimalPath(t *testing.T) {
	wideOnes, all, longScores, fellBack := 0, 0, 0, 0
	for seed := range uint64(120) {
		in := randomInput(seed)
		rng := rand.New(rand.NewPCG(seed, 99))
		if seed%2 == 1 {
			randomWeights(&in, rng)
		}
		if seed%5 == 0 && len(in.Evaluations) > 0 {
			// A score of 20 digits or more leaves wide arithmetic: its employee
			// goes the decimal way.
			ev := &in.Evaluations[rng.IntN(len(in.Evaluations))]
			ev.Scores = slices.Clone(ev.Scores)
			tiny := decimal.New(1, -19)
			if ev.Scores[0].Score.GreaterThan(decimal.NewFromInt(2)) {
				tiny = tiny.Neg() // inside the scale either way
			}
			ev.Scores[0].Score = ev.Scores[0].Score.Add(tiny)
			longScores++
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		e := newEngine(in)
		e.prepareWide()
		if !e.wide.ok {
			t.Fatalf("seed %d: the weights did not fit wide arithmetic", seed)
		}
		for i, emp := range e.emps {
			all++
			got, ok := e.scoreNumbers(i, emp)
			if !ok {
				fellBack++
				continue
			}
			wideOnes++
			want := withoutTraces(e.scoreEmployee(i, emp))
			want.Criteria, want.Dimensions = nil, nil
			if g, w := encode(t, withoutTraces(got)), encode(t, want); g != w {
				t.Fatalf("seed %d, employee %s:\n got %s\nwant %s", seed, emp.ID, g, w)
			}
		}
		asked := in.Employees[rng.IntN(len(in.Employees))].ID
		useWide = false
		without := computeForJSON(t, in, asked)
		useWide = true
		// Each evaluation's scores in another order, for the criterion
		// lookups that do not find the criterion where they look first.
		in.Evaluations = withScoresShuffled(in.Evaluations, rng)
		withWide := computeForJSON(t, in, asked)
		if withWide != without {
			t.Fatalf("seed %d: ComputeFor with wide arithmetic\n%s\nwithout\n%s", seed, withWide, without)
		}
	}
	if wideOnes < all*9/10 {
		t.Errorf("only %d of %d employees were scored in wide arithmetic", wideOnes, all)
	}
	if fellBack < longScores {
		t.Errorf("%d employees with a score of 20 digits and more, %d went the decimal way", longScores, fellBack)
	}
}

func computeForJSON(t *testing.T, in Input, asked uuid.UUID) string {
	t.Helper()
	res, err := ComputeFor(in, asked)
	if err != nil {
		t.Fatal(err)
	}
	return encode(t, res)
}
