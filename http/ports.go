package http

// Reads is what the API needs from the projections: lag for /readyz and
// /metrics.
type Reads interface {
	LagReporter
}
