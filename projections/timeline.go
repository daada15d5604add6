package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// TimelineName is the timeline projection's permanent name.
const TimelineName = "timeline"

const timelineEntries = "entries"

// Subject kinds a timeline can be asked for.
const (
	SubjectEmployee = "employee"
	SubjectCycle    = "cycle"
)

// TimelineEntry is one event on an employee's or a cycle's timeline (SPEC
// §12 "History"): who did what, when, and why.
type TimelineEntry struct {
	Position      int64     `json:"position"`
	EventID       uuid.UUID `json:"event_id"`
	Stream        string    `json:"stream"`
	Version       int64     `json:"version"`
	Type          string    `json:"type"`
	At            time.Time `json:"at"`
	ActorID       string    `json:"actor_id"`
	ActorRole     string    `json:"actor_role"`
	Reason        string    `json:"reason,omitempty"`
	CorrelationID uuid.UUID `json:"correlation_id"`
}

// Timeline files every event under the employees and cycles it concerns: the
// cycle whose stream it is on or whose id it names (cycle_id), and the
// employee it names (employee_id). Keys are read from the payload rather than
// from each event type, so new event types land on timelines unchanged.
type Timeline struct {
	reason ReasonFunc
}

// ReasonFunc extracts the written reason an event carries ("" for none);
// the domain knows which field that is for each event type.
type ReasonFunc func(eventstore.Event) (string, error)

var _ Projection = (*Timeline)(nil)

// NewTimeline returns the timeline projection.
func NewTimeline(reason ReasonFunc) *Timeline { return &Timeline{reason: reason} }

// Name is TimelineName.
func (*Timeline) Name() string { return TimelineName }

// Version of the timeline document shape.
func (*Timeline) Version() int { return 1 }

// subjectKeys are the payload fields that name a timeline's subject.
type subjectKeys struct {
	CycleID    uuid.UUID `json:"cycle_id"`
	EmployeeID uuid.UUID `json:"employee_id"`
}

// Apply adds e to each timeline it belongs to.
func (tl *Timeline) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error {
	var keys subjectKeys
	// A payload whose keys are not uuids concerns no timeline subject.
	_ = json.Unmarshal(e.Payload, &keys)
	subjects := make([]string, 0, 2)
	if id, ok := strings.CutPrefix(e.StreamID, "cycle-"); ok {
		subjects = append(subjects, subject(SubjectCycle, id))
	} else if keys.CycleID != uuid.Nil {
		subjects = append(subjects, subject(SubjectCycle, keys.CycleID.String()))
	}
	if keys.EmployeeID != uuid.Nil {
		subjects = append(subjects, subject(SubjectEmployee, keys.EmployeeID.String()))
	}
	if len(subjects) == 0 {
		return nil
	}
	reason, err := tl.reason(e)
	if err != nil {
		return err
	}
	entry := TimelineEntry{Position: e.Position, EventID: e.ID, Stream: e.StreamID, Version: e.Version,
		Type: e.Type, At: e.RecordedAt, ActorID: e.Actor.ID, ActorRole: e.Actor.Role, Reason: reason,
		CorrelationID: e.CorrelationID}
	// One entry, filed under each subject: encoded once.
	body, err := json.Marshal(entry)
	if err != nil {
		return fmt.Errorf("encode timeline entry %d: %w", e.Position, err)
	}
	for _, s := range subjects {
		if err := tx.PutJSON(ctx, timelineEntries, fmt.Sprintf("%s@%020d", s, e.Position), s, body); err != nil {
			return err
		}
	}
	return nil
}

func subject(kind, id string) string { return kind + ":" + id }

// ReadTimeline returns a subject's timeline (kind SubjectEmployee or
// SubjectCycle) in global order.
func ReadTimeline(ctx context.Context, db *DB, kind string, id uuid.UUID) ([]TimelineEntry, error) {
	docs, err := db.List(ctx, TimelineName, timelineEntries, subject(kind, id.String()))
	if err != nil {
		return nil, err
	}
	out := make([]TimelineEntry, len(docs))
	for i, d := range docs {
		if err := json.Unmarshal(d.Body, &out[i]); err != nil {
			return nil, fmt.Errorf("timeline %s %s: %w", kind, id, err)
		}
	}
	return out, nil
}
