// Package follow is the subscription loop both backends share: catch up in
// batches, then sleep until the backend signals new events (LISTEN/NOTIFY or
// an in-process broadcast) or the polling interval passes, whichever is first.
// Polling is the safety net for a lost or never-sent signal.
package follow
