// Package cycles holds the read models of appraisal cycles (progress,
// per-employee results, per-unit summaries, recommendations, pending
// approvals and appeals), the as-of queries and the audit replay of recorded
// decisions.
//
// Every number comes from the domain's one path from history to results,
// domain.Evaluate, over the events held in an Index: the projection, the
// as-of queries and the replay differ only in where they cut the log. The
// paths that compute one unit (an as-of query of one person or unit, a
// projection batch that touches a few units) fold that unit's reviews on a
// domain.Base, the shared events folded once per last shared event (scope.go),
// which equals the whole fold narrowed to the unit.
package cycles
