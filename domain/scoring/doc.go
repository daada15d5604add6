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
// decision has exactly one derivation. Input.ForUnit narrows a cycle to one
// unit when only that unit (or one of its people) is wanted.
//
// Every computed number carries a Trace, the ordered steps an auditor reads
// (inputs with their event ids, means, weights, re-normalisation, adjustments,
// rounding, band, coefficient, budget factor); EmployeeResult.Derivation joins
// them in computing order. All arithmetic is decimal; the only inexact
// operations are quotients whose decimal expansion does not terminate,
// carried to QuotientPlaces decimal places. ComputeFor scores the employees
// whose results keep numbers only in wide (wide.go), an exact 127-bit form
// of the same decimal arithmetic that gives decimal's coefficients and
// exponents without allocating, and in decimal whenever a number does not
// fit it.
//
// Choices the SPEC leaves open, made here (each documented where it lives):
//   - a criterion nobody scored is left out and the remaining weights
//     re-normalised, like an absent rater kind, but the employee is marked
//     incomplete and the cycle cannot pass approval;
//   - a lower-is-better KPI with an actual of 0 scores its cap;
//   - adjustments apply in event order and the clamp to [0, 100] comes once,
//     after the last;
//   - "consecutive" means adjacent among the employee's own results of that
//     cadence; promotion's "none below B" covers every closed result of any
//     cadence inside the window's span;
//   - flags and recommendations are raised only from published or closed
//     results; the forced-pairing rule looks for the low grade itself.
//
// Imports are limited to the standard library, uuid and decimal: the engine
// must run anywhere the domain runs, with nothing to mock.
package scoring
