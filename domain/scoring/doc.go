// Package scoring is the appraisal scoring engine of SPEC §3 and §5-§10: a
// pure, deterministic function from one cycle's facts (Input) to its scores,
// grades, performance pay, unit budget checks, distribution warnings, flags and
// recommendations (Result).
//
// The package owns the value types the rest of the domain speaks in: rater
// kinds, cadences, templates (dimensions and criteria) and policies (rater
// weights, grade bands, budget mode and every other SPEC interpretation as
// data). Package domain folds events into an Input and calls Compute;
// projections, as-of queries and audit replay call the same Compute, so one
// decision has exactly one derivation.
//
// Every computed number carries a Trace, the ordered steps an auditor reads
// (inputs with their event ids, means, weights, re-normalisation, adjustments,
// rounding, band, coefficient, budget factor). All arithmetic is
// decimal.Decimal; the only inexact operations are quotients whose decimal
// expansion does not terminate, carried to QuotientPlaces decimal places.
//
// Imports are limited to the standard library, uuid and decimal: the engine
// must run anywhere the domain runs, with nothing to mock.
package scoring
