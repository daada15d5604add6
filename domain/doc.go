// Package domain is the business of Appraisal (SPEC §1-§13) in pure Go: the
// aggregates, their commands and events, who may do what, the application
// service every API call goes through, and the fold that turns the event log
// into the scoring engine's input (package scoring computes from it).
//
// It imports the standard library, uuid, decimal and domain/scoring only;
// imports_test.go fails the build otherwise.
//
// # Aggregates and commands
//
// Aggregates keep their state unexported and are rebuilt by applying their
// events; apply never validates, because history is fact. Command methods
// authorise the actor first (so a refusal reveals nothing), then validate
// against state and input, and return new events or a typed error: a
// *ValidationError listing every bad field, a *StateError, a *BlockedError,
// a *ForbiddenError, a *NotFoundError or a *ConflictError, each unwrapping
// to one sentinel (ErrValidation, ErrWrongState, ErrForbidden, ErrNotFound,
// ErrConflict). A refused command returns no event.
//
// # Streams
//
// Every command appends to exactly one stream, with the version it read:
//
//	organisation               units, heads, position levels and standards, employees,
//	                           reporting lines, transfers, level changes, leavers
//	template-<template id>     TemplateVersionPublished, one per version
//	policy-<policy id>         PolicyVersionPublished, one per version
//	cycle-<cycle id>           creation, draft revisions, every state change, forced-pairing
//	                           overrides, sign-offs, publication and close, each of those two
//	                           with its DecisionRecorded and DecisionPartRecorded rows
//	review-<cycle>-<employee>  one employee in one cycle: goals, manager delegation, peer
//	                           assignments, customer requests, evaluation drafts, submissions
//	                           and amendments of every rater kind, KPI targets and actuals,
//	                           calibration adjustments, acknowledgement, appeals and their
//	                           resolution, awards and penalties, recommendation decisions
//
// The review stream is per employee and cycle so that thousands of raters
// submitting at once contend only when they rate the same person, while every
// rule about one employee's review (one self-evaluation, peers not the
// manager, an appeal open at most once) is checked against one consistent
// state. Commands on a review stream read the cycle, the organisation and the
// template as they are, without locking them; the fold (fold.go) ignores a
// review event that reached the log after the cycle had left the state that
// allowed it, so a race with a state change can never count.
//
// # Application service
//
// Service (service.go, service_commands.go) is the one entry point the HTTP
// layer calls: one method per command, each loading what the command reads,
// running it and appending to one stream with the version it loaded, and
// returning an Outcome with the stream's new version (ETag) and the global
// position (read-your-writes). It depends only on the EventLog port it
// defines. The shared aggregates (organisation, cycles, templates,
// policies) and, in a bounded least-recently-used cache, the reviews are
// cached and caught up from their streams, reading only the events after
// the cached version (cache.go). A review command, whose append's expected
// version guards the review, first runs on the cached review without a
// read; a conflict or a refusal there runs it again on the review as read
// now (reviewCommand), so a stale cache never decides a command. When the
// cycle, the organisation and the template are cached too, it reads
// nothing at all: its append then also requires the cycle and the
// organisation to be at the versions it was decided on, and any of them
// having moved sends it down the reading path.
//
// # From history to numbers
//
// Evaluate (fold.go) folds the log, cut at any position or time, into
// scoring.Input and calls scoring.Compute: projections, as-of queries, the
// approval and publication checks and audit replay (ReplayDecision,
// CompareDecision) all use it. FoldUnits is the same fold narrowed to some
// units, without listing or sorting the rest of the organisation. A Base
// (fold_base.go) holds the fold of the shared events (organisation,
// templates, policies, cycles) up to a position, built once; its Fold and
// FoldUnits add review events alone and equal FoldCycle and FoldUnits of
// the merged events: the per-unit paths (as-of queries of one person or
// unit, the incremental projection) fold on a Base cached per last shared
// event. Publication and close record the result as
// DecisionRecorded plus DecisionPartRecorded rows in the same append as
// CyclePublished or CycleClosed (decision.go).
//
// # Events and time
//
// Event type strings are permanent and registered in events.go with their
// schema version; Encode and Decode convert between events and what the
// store keeps. Times that rules depend on (publication, appeal deadline,
// request expiry) are carried in payloads, set from the service's clock.
package domain
