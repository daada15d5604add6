// Package projectionstest holds the helpers every projections test shares:
// running a test against each event store backend and appending test events.
package projectionstest
