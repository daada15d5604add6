package eventstore

import (
	"encoding/json"
	"fmt"
	"sync"
)

// UpcastFunc converts the payload of one event type from one schema version to
// the next. It must be pure: the same stored event always reads the same.
type UpcastFunc func(payload json.RawMessage) (json.RawMessage, error)

// Upcasters is the registry of payload conversions applied on read, so that
// code only ever sees the newest schema of an event type while the stored
// (and hashed) event never changes. The zero value is ready to use; a nil
// *Upcasters upcasts nothing.
type Upcasters struct {
	mu    sync.RWMutex
	funcs map[upcastKey]UpcastFunc
}

type upcastKey struct {
	eventType string
	from      int
}

// Register adds the conversion of eventType from schema version from to
// from+1. Registering the same step twice is a programming error and panics,
// because two conversions for one step would make reads ambiguous.
func (u *Upcasters) Register(eventType string, from int, fn UpcastFunc) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.funcs == nil {
		u.funcs = make(map[upcastKey]UpcastFunc)
	}
	k := upcastKey{eventType, from}
	if _, dup := u.funcs[k]; dup {
		panic(fmt.Sprintf("eventstore: upcaster for %s v%d registered twice", eventType, from))
	}
	u.funcs[k] = fn
}

// Upcast applies every registered step to e in order, returning e with the
// newest payload and schema version it can reach. Hash and PrevHash still
// describe the stored event.
func (u *Upcasters) Upcast(e Event) (Event, error) {
	if u == nil {
		return e, nil
	}
	u.mu.RLock()
	defer u.mu.RUnlock()
	for {
		fn, ok := u.funcs[upcastKey{e.Type, e.SchemaVersion}]
		if !ok {
			return e, nil
		}
		p, err := fn(e.Payload)
		if err != nil {
			return e, fmt.Errorf("upcast %s v%d at position %d: %w", e.Type, e.SchemaVersion, e.Position, err)
		}
		e.Payload = p
		e.SchemaVersion++
	}
}

// UpcastAll upcasts a slice in place.
func (u *Upcasters) UpcastAll(events []Event) error {
	for i := range events {
		e, err := u.Upcast(events[i])
		if err != nil {
			return err
		}
		events[i] = e
	}
	return nil
}
