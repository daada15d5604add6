package scoring

import "slices"

// RaterKind is who gave an evaluation (SPEC §4).
type RaterKind string

// The four rater kinds of SPEC §4.
const (
	RaterSelf     RaterKind = "self"
	RaterPeer     RaterKind = "peer"
	RaterManager  RaterKind = "manager"
	RaterCustomer RaterKind = "customer"
)

// RaterKinds lists every rater kind in the fixed order used for iteration and
// output, so that results never depend on map order.
func RaterKinds() []RaterKind {
	return slices.Clone(raterKindOrder[:])
}

// raterKindOrder backs RaterKinds; index() is a kind's position in it.
var raterKindOrder = [numRaterKinds]RaterKind{RaterSelf, RaterPeer, RaterManager, RaterCustomer}

// Valid reports whether k is one of the four rater kinds.
func (k RaterKind) Valid() bool {
	return k.index() >= 0
}

// index is k's position in RaterKinds, or -1.
func (k RaterKind) index() int {
	switch k {
	case RaterSelf:
		return 0
	case RaterPeer:
		return 1
	case RaterManager:
		return 2
	case RaterCustomer:
		return 3
	}
	return -1
}

// numRaterKinds sizes per-kind arrays in the engine.
const numRaterKinds = 4

// Cadence is how often a cycle recurs (SPEC §2).
type Cadence string

// The cadences of SPEC §2.
const (
	Monthly   Cadence = "monthly"
	Quarterly Cadence = "quarterly"
	Annual    Cadence = "annual"
)

// Months is the number of months a cycle of this cadence covers; the pay
// standard of a cycle is the monthly standard times this (SPEC §1
// interpretation). It is 0 for an unknown cadence.
func (c Cadence) Months() int {
	switch c {
	case Monthly:
		return 1
	case Quarterly:
		return 3
	case Annual:
		return 12
	}
	return 0
}

// Valid reports whether c is a known cadence.
func (c Cadence) Valid() bool {
	return c.Months() > 0
}

// ResultStatus is how far a cycle's results have gone. Recommendations and
// flags look only at published and closed results (SPEC §8, §9).
type ResultStatus string

// Result statuses.
const (
	// Provisional results are still open to evaluation and calibration.
	Provisional ResultStatus = "provisional"
	// Published results are visible to employees; appeals may still change them.
	Published ResultStatus = "published"
	// Closed results are final; payroll export is allowed.
	Closed ResultStatus = "closed"
)

// Valid reports whether s is a known status.
func (s ResultStatus) Valid() bool {
	return s == Provisional || s == Published || s == Closed
}

// atLeastPublished is true for published and closed results.
func (s ResultStatus) atLeastPublished() bool {
	return s == Published || s == Closed
}
