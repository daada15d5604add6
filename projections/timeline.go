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
//
// Each event is one document, whatever its subjects: its id is the
// employee's subject and the position ("employee:<id>@<position>", or the
// cycle's when it names no employee) and its group the cycle's subject, so
// an employee's timeline is the documents whose id starts with their
// subject (in id order, which is position order) and a cycle's the
// documents of its group. Version 1 wrote the entry once for each subject,
// two rows per review event for the database to write and index; its
// documents read the same way (an employee's under ids beginning with their
// subject, a cycle's in its group), so the timelines read right while a
// new process rebuilds version 2.
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

// Version of the timeline document shape (2: one document per event).
func (*Timeline) Version() int { return 2 }

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
	var cycle, employee string
	if id, ok := strings.CutPrefix(e.StreamID, "cycle-"); ok {
		cycle = subject(SubjectCycle, id)
	} else if keys.CycleID != uuid.Nil {
		cycle = subject(SubjectCycle, keys.CycleID.String())
	}
	if keys.EmployeeID != uuid.Nil {
		employee = subject(SubjectEmployee, keys.EmployeeID.String())
	}
	filed := employee // the subject the document's id begins with
	if filed == "" {
		filed = cycle
	}
	if filed == "" {
		return nil
	}
	reason, err := tl.reason(e)
	if err != nil {
		return err
	}
	entry := TimelineEntry{Position: e.Position, EventID: e.ID, Stream: e.StreamID, Version: e.Version,
		Type: e.Type, At: e.RecordedAt, ActorID: e.Actor.ID, ActorRole: e.Actor.Role, Reason: reason,
		CorrelationID: e.CorrelationID}
	return tx.Put(ctx, timelineEntries, filed+idSeparator+fmt.Sprintf("%020d", e.Position), cycle, entry)
}

func subject(kind, id string) string { return kind + ":" + id }

// idSeparator ends a subject in a document id. The byte after it ('A')
// bounds the ids that begin with a subject: "subject@" <= id < "subjectA"
// in byte order (the collation of doc_id on PostgreSQL, and SQLite's).
const (
	idSeparator = "@"
	idPastEnd   = "A"
)

// ReadTimeline returns a subject's timeline (kind SubjectEmployee or
// SubjectCycle) in global order.
func ReadTimeline(ctx context.Context, db *DB, kind string, id uuid.UUID) ([]TimelineEntry, error) {
	s := subject(kind, id.String())
	var query string
	var args []any
	if kind == SubjectEmployee {
		// The documents filed under the employee: a range of ids, whose
		// zero-padded positions put them in order.
		query = `SELECT doc_id, position, body FROM projection_documents
			WHERE projection = ? AND generation = ` + generationOf + ` AND collection = ? AND doc_id >= ? AND doc_id < ?
			ORDER BY doc_id`
		args = []any{TimelineName, TimelineName, timelineEntries, s + idSeparator, s + idPastEnd}
	} else {
		// The cycle's group holds its employees' documents too, whose ids
		// begin with each employee: ordered by position.
		query = `SELECT doc_id, position, body FROM projection_documents
			WHERE projection = ? AND generation = ` + generationOf + ` AND collection = ? AND grp = ?
			ORDER BY position`
		args = []any{TimelineName, TimelineName, timelineEntries, s}
	}
	rows, err := db.prepared(db.sql).QueryContext(ctx, db.rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("timeline %s %s: %w", kind, id, err)
	}
	defer rows.Close()
	docs, err := scanDocs(rows)
	if err != nil {
		return nil, fmt.Errorf("timeline %s %s: %w", kind, id, err)
	}
	out := make([]TimelineEntry, len(docs))
	for i, d := range docs {
		if err := json.Unmarshal(d.Body, &out[i]); err != nil {
			return nil, fmt.Errorf("timeline %s %s: %w", kind, id, err)
		}
	}
	return out, nil
}
