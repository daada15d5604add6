// Package readside wires the read side of one process: the event index, the
// read-model projections, the Watermill relay and its notification handler,
// under one runner. serve, rebuild and replay build it the same way.
package readside
