package eventlog

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
)

// Decode turns a stored event into the domain's form. Events of other areas
// (types the domain does not register) return domain.ErrUnknownEvent.
func Decode(e eventstore.Event) (domain.Recorded, error) {
	ev, err := domain.Decode(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		return domain.Recorded{}, fmt.Errorf("event %d: %w", e.Position, err)
	}
	return DecodeAs(e, ev), nil
}

// DecodeAs is Decode with the domain event given instead of decoded from
// the payload, for a reader that needs an event's place and envelope but
// not its content.
func DecodeAs(e eventstore.Event, ev domain.Event) domain.Recorded {
	// An actor id that is not a uuid (a system process) is kept out of the
	// domain's typed actor; the role still says who acted.
	actorID, _ := uuid.Parse(e.Actor.ID)
	return domain.Recorded{
		ID: e.ID, Position: e.Position, Stream: e.StreamID, Version: e.Version, Type: e.Type,
		SchemaVersion: e.SchemaVersion, At: e.RecordedAt,
		Actor:         domain.Actor{ID: actorID, Role: domain.Role(e.Actor.Role)},
		CorrelationID: e.CorrelationID, CausationID: e.CausationID,
		Reason: domain.ReasonOf(ev), Event: ev,
	}
}

// Reason is the timeline's ReasonFunc: the written reason of a domain event,
// "" for events the domain does not know. Only the types that carry a
// reason are decoded: the timeline asks for every event, and decoding a
// reasonless payload (a saved draft with all its scores) only to find ""
// was most of the timeline's CPU per event.
func Reason(e eventstore.Event) (string, error) {
	if !domain.CarriesReason(e.Type, e.SchemaVersion) {
		return "", nil
	}
	ev, err := domain.Decode(e.Type, e.SchemaVersion, e.Payload)
	if errors.Is(err, domain.ErrUnknownEvent) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("event %d: %w", e.Position, err)
	}
	return domain.ReasonOf(ev), nil
}
