package eventstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxStreamIDBytes bounds a stream id.
const MaxStreamIDBytes = 200

// Prepare validates an append and turns its events into stored form: payload
// compacted (its canonical bytes, hashed and stored as such), time set and
// truncated to the store's precision, versions numbered after fromVersion and
// each event hash-chained to prev. Every backend calls it inside its append
// transaction once it knows the stream's head, so the rules are one.
func Prepare(stream string, fromVersion int64, prev []byte, events []NewEvent, now time.Time) ([]Event, error) {
	if err := ValidateAppend(stream, events); err != nil {
		return nil, err
	}
	out := make([]Event, len(events))
	for i, ne := range events {
		var buf bytes.Buffer
		if err := json.Compact(&buf, ne.Payload); err != nil {
			return nil, fmt.Errorf("%w: event %d payload: %v", ErrInvalidEvent, i, err)
		}
		at := ne.RecordedAt
		if at.IsZero() {
			at = now
		}
		e := Event{
			StreamID:      stream,
			Version:       fromVersion + int64(i) + 1,
			ID:            ne.ID,
			Type:          ne.Type,
			SchemaVersion: ne.SchemaVersion,
			Payload:       buf.Bytes(),
			Actor:         ne.Actor,
			CorrelationID: ne.CorrelationID,
			CausationID:   ne.CausationID,
			RecordedAt:    StoredTime(at),
			PrevHash:      prev,
		}
		e.Hash = HashEvent(prev, &e)
		prev = e.Hash
		out[i] = e
	}
	return out, nil
}

// ValidateAppend checks an append before any database work, reporting the
// first problem wrapped in ErrInvalidEvent.
func ValidateAppend(stream string, events []NewEvent) error {
	if stream == "" || len(stream) > MaxStreamIDBytes || !validText(stream) {
		return fmt.Errorf("%w: stream id must be 1-%d bytes of UTF-8 without NUL", ErrInvalidEvent, MaxStreamIDBytes)
	}
	if len(events) == 0 {
		return fmt.Errorf("%w: nothing to append to %s", ErrInvalidEvent, stream)
	}
	seen := make(map[uuid.UUID]bool, len(events))
	for i, e := range events {
		if problem := validateEvent(e); problem != "" {
			return fmt.Errorf("%w: stream %s event %d: %s", ErrInvalidEvent, stream, i, problem)
		}
		if seen[e.ID] {
			return fmt.Errorf("%w: stream %s: event id %s appears twice in one append", ErrDuplicateEvent, stream, e.ID)
		}
		seen[e.ID] = true
	}
	return nil
}

// ValidateConditions checks an append's conditions: each names another
// stream, once, at a version of 0 or more.
func ValidateConditions(stream string, conds []Condition) error {
	seen := make(map[string]bool, len(conds))
	for _, c := range conds {
		switch {
		case c.Stream == "" || len(c.Stream) > MaxStreamIDBytes || !validText(c.Stream):
			return fmt.Errorf("%w: a condition's stream id must be 1-%d bytes of UTF-8 without NUL", ErrInvalidEvent, MaxStreamIDBytes)
		case c.Stream == stream:
			return fmt.Errorf("%w: a condition on %s, the stream appended to (the expected version is that)", ErrInvalidEvent, stream)
		case c.Version < 0:
			return fmt.Errorf("%w: condition on %s at version %d", ErrInvalidEvent, c.Stream, c.Version)
		case seen[c.Stream]:
			return fmt.Errorf("%w: two conditions on %s", ErrInvalidEvent, c.Stream)
		}
		seen[c.Stream] = true
	}
	return nil
}

func validateEvent(e NewEvent) string {
	switch {
	case e.ID == uuid.Nil:
		return "id is empty"
	case e.Type == "" || !validText(e.Type):
		return "type is empty or not UTF-8"
	case e.SchemaVersion < 1:
		return "schema version must be at least 1"
	case len(e.Payload) > MaxPayloadBytes:
		return fmt.Sprintf("payload is %d bytes, over the limit of %d", len(e.Payload), MaxPayloadBytes)
	case !utf8.Valid(e.Payload) || !json.Valid(e.Payload):
		return "payload is not valid UTF-8 JSON"
	case firstByte(e.Payload) != '{':
		return "payload is not a JSON object"
	case !validText(e.Actor.ID) || !validText(e.Actor.Role):
		return "actor is not UTF-8 without NUL"
	}
	return ""
}

// validText is what both databases store in a text column: UTF-8 without NUL.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
