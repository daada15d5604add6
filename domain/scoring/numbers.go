package scoring

import "github.com/shopspring/decimal"

// QuotientPlaces is how many decimal places a quotient with a non-terminating
// expansion keeps (a mean of three peers, a re-normalised weighted mean, a
// budget factor). Everything else is exact. 20 places sit 18 orders of
// magnitude below the 2-place rounding of final scores and pay.
const QuotientPlaces = 20

// Shared constants; decimal values are immutable, so sharing is safe.
var (
	one     = decimal.NewFromInt(1)
	five    = decimal.NewFromInt(5)
	hundred = decimal.NewFromInt(100)
	cent    = decimal.New(1, -2)
)
