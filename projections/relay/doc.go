// Package relay carries committed events from the store to the Watermill
// bus and runs the handlers that react to them.
//
// The relay is a projection of the runner: it reads the store in global
// order from its own checkpoint, publishes each event, and only then commits
// the checkpoint, so a crash between publishing and committing delivers the
// event again rather than losing it. Every message's UUID is the event id,
// and consumers (the notification handler here) are idempotent by event id,
// which turns at-least-once delivery into exactly-once effects.
//
// Topic layout: one topic for every event. The consumers that matter here
// (notifications today; payroll and HRIS integrations later) need events of
// several families in the order they happened, which one topic keeps and
// per-family topics would lose; they filter by the event_type metadata.
package relay
