package eventstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Expected-version sentinels for Append.
const (
	// AnyVersion appends without a concurrency check.
	AnyVersion int64 = -1
	// NoStream requires that the stream has no events yet.
	NoStream int64 = 0
)

// MaxPayloadBytes is the largest JSON payload one event may carry.
const MaxPayloadBytes = 256 << 10

// Actor is who caused an event: a person's id and the role they acted in.
type Actor struct {
	ID   string `json:"id"`
	Role string `json:"role"`
}

// NewEventID returns a fresh event id: a UUIDv7, whose leading bits are the
// time it was made. The stores keep a unique index on event ids; ids made in
// time order land at that index's right-hand end, where a random (v4) id
// lands anywhere and makes the database touch (and, after each checkpoint,
// write in full to its WAL) a page of the index per event. Ids of any
// version are accepted.
func NewEventID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil { // the system's random source failed: a v4 id fails the same way
		panic(fmt.Sprintf("eventstore: new event id: %v", err))
	}
	return id
}

// NewEvent is an event on its way into the store.
type NewEvent struct {
	ID            uuid.UUID       // unique (NewEventID makes one); re-appending a stored id is an ErrDuplicateEvent
	Type          string          // permanent type string, e.g. "appraisal.cycle_opened"
	SchemaVersion int             // payload schema version, >= 1
	Payload       json.RawMessage // JSON object, at most MaxPayloadBytes
	Actor         Actor
	CorrelationID uuid.UUID // the request that caused it
	CausationID   uuid.UUID // the event or command that caused it
	RecordedAt    time.Time // zero: the store sets the current time (UTC, microseconds)
}

// Event is a stored event as read back.
type Event struct {
	Position      int64 // global position, increasing in commit-visible order
	StreamID      string
	Version       int64 // 1-based position within the stream
	ID            uuid.UUID
	Type          string
	SchemaVersion int
	Payload       json.RawMessage
	Actor         Actor
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
	RecordedAt    time.Time
	PrevHash      []byte // hash of the previous event of the same chain
	Hash          []byte // SHA-256 over PrevHash and the canonical encoding of this event
}

// AppendResult tells where appended events landed.
type AppendResult struct {
	FirstPosition int64
	LastPosition  int64
	Version       int64 // the stream's version after the append
}

// Handler receives events from Subscribe, one at a time, in global order.
// An error stops the subscription and is returned by Subscribe.
type Handler func(ctx context.Context, e Event) error

// Condition makes an append depend on another stream than the one it writes:
// the append commits only if that stream is then at Version (0: it has no
// events). A command that decided on what it read of a stream it does not
// write (a review command reads its cycle's state) passes the version it
// read, so that it cannot land after a change it did not see.
type Condition struct {
	Stream  string
	Version int64
}

// Store is the event store port. Every method takes the caller's context first.
type Store interface {
	// Append writes events to stream atomically if the stream is at
	// expectedVersion (or AnyVersion). A stale version returns a *ConflictError
	// and writes nothing.
	Append(ctx context.Context, stream string, expectedVersion int64, events []NewEvent) (AppendResult, error)
	// AppendIf is Append that also requires every condition to hold when the
	// events commit; one that does not returns a *ConflictError naming its
	// stream, and nothing is written. Conditions on the appended stream
	// itself are refused as invalid (expectedVersion says it).
	AppendIf(ctx context.Context, stream string, expectedVersion int64, events []NewEvent, conds []Condition) (AppendResult, error)
	// ReadStream returns up to limit events of stream with Version > afterVersion
	// (limit <= 0: all).
	ReadStream(ctx context.Context, stream string, afterVersion int64, limit int) ([]Event, error)
	// ReadAll returns up to limit events with Position > afterPosition in global
	// order, never past an event whose transaction may still commit.
	ReadAll(ctx context.Context, afterPosition int64, limit int) ([]Event, error)
	// Subscribe catches up from afterPosition, then follows live until ctx ends.
	Subscribe(ctx context.Context, afterPosition int64, h Handler) error
	// Head is the highest position a reader may safely have read up to now.
	Head(ctx context.Context) (int64, error)
	// Verify checks the hash chains and reports the first bad position.
	Verify(ctx context.Context) (VerifyReport, error)
	Close() error
}

// StreamsReader is a Store that reads the events of many streams in one
// query: a timeline of a cycle of 10,000 people reads that many review
// streams. Both stores implement it; ReadStreams falls back to ReadStream
// for one that does not.
type StreamsReader interface {
	// ReadStreams returns the events of the given streams whose Position
	// is at most upTo, in global order.
	ReadStreams(ctx context.Context, streams []string, upTo int64) ([]Event, error)
}

// HeaderReader is a Store that reads the log without the parts of an event
// some readers never look at. A rebuild of a projection that only sorts
// events by stream and type (the cycles projection, which reads its history
// from an index of its own) otherwise decodes every payload, id, time and
// hash of the log to use none of them. Both stores implement it.
type HeaderReader interface {
	// ReadAllHeaders is ReadAll keeping of each event its Position,
	// StreamID, Version and Type only: every other field is zero, and no
	// upcaster runs (an upcaster changes none of the four).
	ReadAllHeaders(ctx context.Context, afterPosition int64, limit int) ([]Event, error)
}

// ReadStreams reads the events of streams up to position upTo in global
// order, in one query when s is a StreamsReader.
func ReadStreams(ctx context.Context, s Store, streams []string, upTo int64) ([]Event, error) {
	if len(streams) == 0 {
		return nil, nil
	}
	streams = slices.Compact(slices.Sorted(slices.Values(streams)))
	if r, ok := s.(StreamsReader); ok {
		return r.ReadStreams(ctx, streams, upTo)
	}
	var out []Event
	for _, stream := range streams {
		events, err := s.ReadStream(ctx, stream, 0, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, events...)
	}
	return UpTo(out, upTo), nil
}

// UpTo keeps the events at positions up to upTo, in global order (it
// reorders events in place).
func UpTo(events []Event, upTo int64) []Event {
	events = slices.DeleteFunc(events, func(e Event) bool { return e.Position > upTo })
	slices.SortFunc(events, func(a, b Event) int { return cmp.Compare(a.Position, b.Position) })
	return events
}

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	Events      int64  // events checked
	OK          bool   // true when the whole log is intact
	BadPosition int64  // first bad global position (0 when OK)
	BadStream   string // stream of the first bad event, when known
	Problem     string // what is wrong there, in a sentence
	// LastPosition and LedgerHead are the last position checked and the
	// ledger hash there. A hash chain cannot prove its own end was not cut
	// off: recording these outside the database (and comparing them with a
	// later run's ledger hash at that position) can.
	LastPosition int64
	LedgerHead   []byte
}

// Errors callers can test with errors.Is.
var (
	ErrVersionConflict = errors.New("stream version conflict")
	ErrDuplicateEvent  = errors.New("event id already stored")
	ErrInvalidEvent    = errors.New("invalid event")
)

// ConflictError is returned when Append's expected version is stale.
type ConflictError struct {
	Stream   string
	Expected int64
	Actual   int64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("stream %s: expected version %d, actual %d", e.Stream, e.Expected, e.Actual)
}

// Unwrap makes errors.Is(err, ErrVersionConflict) true.
func (e *ConflictError) Unwrap() error { return ErrVersionConflict }
