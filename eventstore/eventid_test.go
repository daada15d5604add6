package eventstore

import (
	"bytes"
	"testing"
)

// Event ids come out as UUIDv7 in the order they were made, so that the
// stores' unique index on ids grows at its end.
func TestNewEventIDsAreVersion7InTheOrderMade(t *testing.T) {
	prev := NewEventID()
	for i := 0; i < 10000; i++ {
		id := NewEventID()
		if id.Version() != 7 {
			t.Fatalf("id %s is version %d, want 7", id, id.Version())
		}
		if bytes.Compare(prev[:], id[:]) >= 0 {
			t.Fatalf("id %s made after %s sorts before it", id, prev)
		}
		prev = id
	}
}
