package relay

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// Envelope is the JSON body of a relayed message: the whole stored event,
// so that a consumer needs nothing but the bus.
type Envelope struct {
	Position      int64            `json:"position"`
	Stream        string           `json:"stream"`
	Version       int64            `json:"version"`
	ID            uuid.UUID        `json:"id"`
	Type          string           `json:"type"`
	SchemaVersion int              `json:"schema_version"`
	Payload       json.RawMessage  `json:"payload"`
	Actor         eventstore.Actor `json:"actor"`
	RecordedAt    time.Time        `json:"recorded_at"`
	CorrelationID uuid.UUID        `json:"correlation_id"`
	CausationID   uuid.UUID        `json:"causation_id"`
}

// Metadata keys set on every message, for routing without decoding.
const (
	MetaEventType = "event_type"
	MetaPosition  = "position"
	MetaStream    = "stream"
)

// ToMessage turns a stored event into a Watermill message whose UUID is the
// event id, so a consumer can tell a redelivery from a new event.
func ToMessage(e eventstore.Event) (*message.Message, error) {
	body, err := json.Marshal(Envelope{
		Position: e.Position, Stream: e.StreamID, Version: e.Version, ID: e.ID, Type: e.Type,
		SchemaVersion: e.SchemaVersion, Payload: e.Payload, Actor: e.Actor, RecordedAt: e.RecordedAt,
		CorrelationID: e.CorrelationID, CausationID: e.CausationID,
	})
	if err != nil {
		return nil, fmt.Errorf("encode event %d: %w", e.Position, err)
	}
	msg := message.NewMessage(e.ID.String(), body)
	msg.Metadata.Set(MetaEventType, e.Type)
	msg.Metadata.Set(MetaPosition, strconv.FormatInt(e.Position, 10))
	msg.Metadata.Set(MetaStream, e.StreamID)
	return msg, nil
}

// FromMessage decodes a relayed message.
func FromMessage(msg *message.Message) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(msg.Payload, &env); err != nil {
		return env, fmt.Errorf("decode message %s: %w", msg.UUID, err)
	}
	if env.ID.String() != msg.UUID {
		return env, fmt.Errorf("message %s carries event %s: %w", msg.UUID, env.ID, ErrBadMessage)
	}
	return env, nil
}
