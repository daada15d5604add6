package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Event is a past-tense fact. EventType returns the permanent type string it
// is stored under; it never changes once events of the type exist.
type Event interface {
	EventType() string
}

// reasoned is implemented by events that carry a written reason (amendments,
// adjustments, reopening, appeals, decisions); Recorded.Reason exposes it so
// timelines show why without knowing every event type.
type reasoned interface {
	eventReason() string
}

// ReasonOf returns the written reason an event carries, or "".
func ReasonOf(e Event) string {
	if r, ok := e.(reasoned); ok {
		return r.eventReason()
	}
	return ""
}

// Meta is what the application service hands the event log with every append:
// who acted, in which request, and when (the service's clock, so that the
// domain's time checks and the stored time agree).
type Meta struct {
	Actor         Actor
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
	At            time.Time
	// Requires names streams the command read but does not write, at the
	// versions it read: the events are appended only if each is still
	// there, else the append fails with ErrMovedOn and writes nothing.
	Requires []Requirement
}

// Requirement is a stream at a version.
type Requirement struct {
	Stream  string
	Version int64
}

// Recorded is a stored event decoded: the form the aggregates, the engine's
// fold and the projections read.
type Recorded struct {
	ID            uuid.UUID
	Position      int64 // global position in the log
	Stream        string
	Version       int64 // 1-based position within Stream
	Type          string
	SchemaVersion int
	At            time.Time
	Actor         Actor
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
	Reason        string // the event's written reason, if it carries one
	Event         Event
}

// ErrUnknownEvent is returned by Decode for a type string that is not
// registered or a schema version newer than the code knows.
var ErrUnknownEvent = errors.New("unknown event type or schema version")

// registration is how one event type is stored and read back.
type registration struct {
	eventType string
	schema    int
	decode    func(payload []byte) (Event, error)
	reasoned  bool // the type carries a written reason (ReasonOf)
}

// register builds the registration of event type E at schema version schema.
func register[E Event](schema int) registration {
	var zero E
	_, reasoned := any(zero).(reasoned)
	return registration{eventType: zero.EventType(), schema: schema, reasoned: reasoned, decode: func(payload []byte) (Event, error) {
		var e E
		if err := json.Unmarshal(payload, &e); err != nil {
			return nil, err
		}
		return e, nil
	}}
}

// newRegistry indexes registrations by type string. A type string listed
// twice is a programming error that would make history ambiguous, so it
// stops the program at start-up rather than corrupting the log later.
func newRegistry(regs ...registration) map[string]registration {
	m := make(map[string]registration, len(regs))
	for _, r := range regs {
		if _, dup := m[r.eventType]; dup {
			panic("domain: event type registered twice: " + r.eventType)
		}
		m[r.eventType] = r
	}
	return m
}

// Encode turns an event into what the store keeps: its permanent type string,
// its schema version and its JSON payload.
func Encode(e Event) (eventType string, schemaVersion int, payload []byte, err error) {
	eventType = e.EventType()
	reg, ok := registry[eventType]
	if !ok {
		return "", 0, nil, fmt.Errorf("encode %s: %w", eventType, ErrUnknownEvent)
	}
	if d, ok := e.(EvaluationDraftSaved); ok {
		if payload, ok := appendDraftJSON(make([]byte, 0, 320), d); ok {
			return eventType, reg.schema, payload, nil
		}
	}
	payload, err = json.Marshal(e)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode %s: %w", eventType, err)
	}
	return eventType, reg.schema, payload, nil
}

// Decode turns a stored (type, schema version, payload) back into its event.
// Older schema versions are upcast by the store before they reach Decode, so
// only the current version is accepted here.
func Decode(eventType string, schemaVersion int, payload []byte) (Event, error) {
	reg, ok := registry[eventType]
	if !ok || schemaVersion != reg.schema {
		return nil, fmt.Errorf("decode %s v%d: %w", eventType, schemaVersion, ErrUnknownEvent)
	}
	e, err := reg.decode(payload)
	if err != nil {
		return nil, fmt.Errorf("decode %s v%d: %w", eventType, schemaVersion, err)
	}
	return e, nil
}

// CarriesReason reports whether events of a registered type at this schema
// version carry a written reason. For every other event ReasonOf is "", so
// a reader after the reason alone (a timeline) need not decode them.
func CarriesReason(eventType string, schemaVersion int) bool {
	reg, ok := registry[eventType]
	return ok && reg.schema == schemaVersion && reg.reasoned
}

// SchemaVersion returns the current schema version of a registered event
// type, for the store's upcasters to aim at.
func SchemaVersion(eventType string) (int, bool) {
	reg, ok := registry[eventType]
	return reg.schema, ok
}

// EventTypes lists every registered type string (unordered), e.g. for a
// projection to check that it handles or deliberately ignores each one.
func EventTypes() []string {
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	return out
}
