// Package http is Appraisal's JSON API: an echo/v4 server under /api/v1 with
// its OpenAPI document, bearer-token authentication, signed single-use links
// for customers, the one place where SPEC §13's authorisation and every typed
// error's HTTP mapping live, idempotent mutating requests, and the operational
// endpoints (/healthz, /readyz, /metrics).
//
// The package is named after its folder in the manner of benbjohnson/wtf; the
// standard library's net/http is imported as nethttp.
package http
