package projections

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/jsonwalk"
)

// TimelineName is the timeline projection's permanent name.
const TimelineName = "timeline"

// The timeline's collections: one document per event filed on its own, and
// one per registered stream.
const (
	timelineEntries = "entries"
	timelineStreams = "streams"
)

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
// An event is filed under one subject: the employee it names, else its
// cycle; its cycle, if any, is the group it is listed in, so an employee's
// timeline is what is filed under them and a cycle's what is grouped under
// it. Most events are on a stream of their subject's own (an employee's
// review in a cycle, "review-<cycle>-<employee>"), and one document per such
// event was most of what the timeline wrote: a draft saved cost a row and
// two index entries for a history the event log holds already. So a stream
// whose name holds the id of the subject its first event is filed under is
// registered once (collection "streams", id "<subject>@<stream>", the
// subject and cycle in its body), and its events with that same subject and
// cycle are read from the event log with the timeline rather than written.
// Every other event is one document (collection "entries", id
// "<subject>@<position>", grouped by its cycle), as in version 2: events on
// shared streams (the organisation's, a cycle's naming an employee) and
// events on a registered stream whose subjects differ from the stream's.
//
// Registrations are looked up in the process's memory of its documents
// (Tx.Claim), so a registered stream's later events cost no database work.
// A timeline reads its documents and registrations and the checkpoint they
// stand at in one statement, then the registered streams' events up to that
// checkpoint. Versions 1 and 2 wrote an entry for every event; their
// documents read the same way (an employee's under ids beginning with their
// subject, a cycle's in its group) and they have no registrations, so the
// timelines read right while a new process rebuilds version 3.
type Timeline struct {
	reason ReasonFunc
}

// ReasonFunc extracts the written reason an event carries ("" for none);
// the domain knows which field that is for each event type.
type ReasonFunc func(eventstore.Event) (string, error)

var (
	_ Projection = (*Timeline)(nil)
	_ Rememberer = (*Timeline)(nil)
)

// RemembersInRebuild: a rebuild claims each registered stream from memory.
func (*Timeline) RemembersInRebuild() {}

// NewTimeline returns the timeline projection.
func NewTimeline(reason ReasonFunc) *Timeline { return &Timeline{reason: reason} }

// Name is TimelineName.
func (*Timeline) Name() string { return TimelineName }

// Version of the timeline document shape (3: streams of one subject are
// registered rather than written event by event).
func (*Timeline) Version() int { return 3 }

// subjectKeys are the payload fields that name a timeline's subject.
type subjectKeys struct {
	CycleID    uuid.UUID `json:"cycle_id"`
	EmployeeID uuid.UUID `json:"employee_id"`
}

// subjectKeysOf is what json.Unmarshal of payload into subjectKeys gives
// (zero keys when it fails: a payload whose keys are not uuids concerns no
// timeline subject), found by walking the payload's top-level members
// rather than decoding it all: decoding a saved draft with its scores to
// find two keys was most of the timeline's CPU per event. Payloads in the
// log are valid JSON; anything out of the ordinary in one (a key spelled
// in another case or with escapes, a value that is not a plain uuid
// string) is left to json.Unmarshal, whose result the fuzz test compares.
func subjectKeysOf(payload []byte) subjectKeys {
	var keys subjectKeys
	plain := true
	object := jsonwalk.Members(payload, func(key, value []byte) bool {
		if len(key) < 2 {
			plain = false
			return false
		}
		name := key[1 : len(key)-1]
		var dst *uuid.UUID
		switch string(name) {
		case cycleIDKey:
			dst = &keys.CycleID
		case employeeIDKey:
			dst = &keys.EmployeeID
		default:
			// encoding/json matches keys without regard to case.
			plain = bytes.IndexByte(name, '\\') < 0 && !bytes.EqualFold(name, []byte(cycleIDKey)) && !bytes.EqualFold(name, []byte(employeeIDKey))
			return plain
		}
		if len(value) < 2 || value[0] != '"' || bytes.IndexByte(value, '\\') >= 0 {
			plain = false
			return false
		}
		id, err := uuid.ParseBytes(value[1 : len(value)-1])
		if err != nil {
			plain = false
			return false
		}
		*dst = id
		return true
	})
	if !object || !plain {
		keys = subjectKeys{}
		_ = json.Unmarshal(payload, &keys)
	}
	return keys
}

// The payload keys that name a timeline's subjects (subjectKeys' tags).
const (
	cycleIDKey    = "cycle_id"
	employeeIDKey = "employee_id"
)

// registration is a registered stream's document: the subject its events
// are filed under and the cycle they are grouped in.
type registration struct {
	Subject string `json:"subject"`
	Stream  string `json:"stream"`
	Cycle   string `json:"cycle,omitempty"`
}

// filing is where an event goes: the subject it is filed under ("" for no
// timeline) and its cycle's subject, and the id in the filed subject.
type filing struct {
	filed, cycle, id string
}

// fileOf tells where e belongs.
func fileOf(e eventstore.Event) filing {
	keys := subjectKeysOf(e.Payload)
	var f filing
	if id, ok := strings.CutPrefix(e.StreamID, "cycle-"); ok {
		f.cycle, f.id = subject(SubjectCycle, id), id
	} else if keys.CycleID != uuid.Nil {
		f.id = keys.CycleID.String()
		f.cycle = subject(SubjectCycle, f.id)
	}
	f.filed = f.cycle
	if keys.EmployeeID != uuid.Nil {
		f.id = keys.EmployeeID.String()
		f.filed = subject(SubjectEmployee, f.id)
	}
	return f
}

// Apply files e on its timelines: nothing when its stream is registered for
// its subjects (registering the stream if it is its subject's own and new),
// else one entry.
func (tl *Timeline) Apply(ctx context.Context, tx *Tx, e eventstore.Event) error {
	f := fileOf(e)
	if f.filed == "" {
		return nil
	}
	if strings.Contains(e.StreamID, f.id) {
		claimed, err := tx.Claim(ctx, timelineStreams, f.filed+idSeparator+e.StreamID, f.cycle,
			registration{Subject: f.filed, Stream: e.StreamID, Cycle: f.cycle})
		if err != nil {
			return err
		}
		if claimed != ClaimedOther {
			return nil
		}
	}
	entry, err := tl.entry(e)
	if err != nil {
		return err
	}
	return tx.Put(ctx, timelineEntries, f.filed+idSeparator+fmt.Sprintf("%020d", e.Position), f.cycle, entry)
}

// entry is e as a timeline shows it.
func (tl *Timeline) entry(e eventstore.Event) (TimelineEntry, error) {
	reason, err := tl.reason(e)
	if err != nil {
		return TimelineEntry{}, err
	}
	return TimelineEntry{Position: e.Position, EventID: e.ID, Stream: e.StreamID, Version: e.Version,
		Type: e.Type, At: e.RecordedAt, ActorID: e.Actor.ID, ActorRole: e.Actor.Role, Reason: reason,
		CorrelationID: e.CorrelationID}, nil
}

func subject(kind, id string) string { return kind + ":" + id }

// idSeparator ends a subject in a document id. The byte after it ('A')
// bounds the ids that begin with a subject: "subject@" <= id < "subjectA"
// in byte order (the collation of doc_id on PostgreSQL, and SQLite's).
const (
	idSeparator = "@"
	idPastEnd   = "A"
)

// Read returns a subject's timeline (kind SubjectEmployee or SubjectCycle)
// in global order, as of the position the timeline stands at: its documents,
// and the events of the streams registered for the subject, which it reads
// from store.
func (tl *Timeline) Read(ctx context.Context, db *DB, store eventstore.Store, kind string, id uuid.UUID) ([]TimelineEntry, error) {
	s := subject(kind, id.String())
	// An employee's documents are a range of ids, which begin with their
	// subject; a cycle's are its group. The checkpoint comes in the same
	// statement, so it is the one the documents stand at. Each collection
	// is a branch of its own, in id order: given both at once, or joined
	// with the checkpoint, PostgreSQL's planner scanned the generation's
	// whole group index for the range of ids.
	where, keys := `doc_id >= ? AND doc_id < ?`, []any{s + idSeparator, s + idPastEnd}
	if kind == SubjectCycle {
		where, keys = `grp = ?`, []any{s}
	}
	branch := `SELECT * FROM (SELECT collection, body,
		(SELECT position FROM projection_checkpoints WHERE projection = ? AND generation = ` + generationOf + `) AS checkpoint
		FROM projection_documents WHERE projection = ? AND generation = ` + generationOf + ` AND collection = ? AND ` + where + `
		ORDER BY doc_id) AS `
	query := branch + `entries UNION ALL ` + branch + `streams`
	var args []any
	for _, collection := range []string{timelineEntries, timelineStreams} {
		args = append(append(args, TimelineName, TimelineName, TimelineName, TimelineName, collection), keys...)
	}
	fail := func(err error) ([]TimelineEntry, error) { return nil, fmt.Errorf("timeline %s %s: %w", kind, id, err) }
	rows, err := db.prepared(db.sql).QueryContext(ctx, db.rebind(query), args...)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var out []TimelineEntry
	registered := map[string][]registration{} // by stream
	var checkpoint int64
	for rows.Next() {
		var collection, body string
		if err := rows.Scan(&collection, &body, &checkpoint); err != nil {
			return fail(err)
		}
		if collection == timelineStreams {
			var r registration
			if err := json.Unmarshal([]byte(body), &r); err != nil {
				return fail(err)
			}
			registered[r.Stream] = append(registered[r.Stream], r)
			continue
		}
		var entry TimelineEntry
		if err := json.Unmarshal([]byte(body), &entry); err != nil {
			return fail(err)
		}
		out = append(out, entry)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	rows.Close()
	events, err := eventstore.ReadStreams(ctx, store, slices.Collect(maps.Keys(registered)), checkpoint)
	if err != nil {
		return fail(err)
	}
	for _, e := range events {
		f := fileOf(e)
		if !slices.ContainsFunc(registered[e.StreamID], func(r registration) bool { return r.Subject == f.filed && r.Cycle == f.cycle }) {
			continue // filed elsewhere, or an entry of its own
		}
		entry, err := tl.entry(e)
		if err != nil {
			return fail(err)
		}
		out = append(out, entry)
	}
	slices.SortFunc(out, func(a, b TimelineEntry) int { return cmp.Compare(a.Position, b.Position) })
	return out, nil
}
