// Package eventlog connects the domain to the event store: it decodes
// stored events into domain.Recorded and implements the application
// service's EventLog port over eventstore.Store.
package eventlog
