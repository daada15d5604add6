package domain

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// EventLog is what the application service needs from the event store. The
// adapter (projections/eventlog) implements it over eventstore.Store.
type EventLog interface {
	// Load returns the events of stream with version > afterVersion, decoded,
	// and the stream's current version (0 for a stream with no events). The
	// service appends expecting the version of the last event it applied, so
	// when nothing is new an adapter may simply return afterVersion.
	Load(ctx context.Context, stream string, afterVersion int64) ([]Recorded, int64, error)
	// Append writes events to stream atomically if the stream is at
	// expectedVersion and every stream of meta.Requires at its version, and
	// returns the global position of the last one. A stale expectedVersion
	// must return an error wrapping ErrConflict (or an
	// *eventstore.ConflictError, which the HTTP layer maps the same way), a
	// requirement that does not hold one wrapping ErrMovedOn, and write
	// nothing.
	Append(ctx context.Context, stream string, expectedVersion int64, events []Event, meta Meta) (int64, error)
	// ReadAll returns every event at or below position upTo (upTo <= 0: all
	// that are safely visible now), decoded, in global order.
	ReadAll(ctx context.Context, upTo int64) ([]Recorded, error)
}

// Call is who makes a request and how: the actor, the request's correlation
// id (it lands on every event), the event or command that caused it, and the
// stream version the caller last saw (If-Match; 0 for no check).
type Call struct {
	Actor         Actor
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
	IfVersion     int64
}

// Outcome is where a command's events landed: the stream, its version after
// the append (the ETag) and the global position of the last event (for
// read-your-writes).
type Outcome struct {
	Stream   string
	Version  int64
	Position int64
	Events   []Event
}

// VersionError is a stale If-Match: the stream moved on since the caller
// read it. It unwraps to ErrConflict; the HTTP layer answers 412 for it.
type VersionError struct {
	Stream   string
	Expected int64
	Actual   int64
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("the resource is at version %d, not %d", e.Actual, e.Expected)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *VersionError) Unwrap() error { return ErrConflict }

// Service is the one entry point for every command: it loads the aggregates
// a command needs, runs the command (which authorises and validates), and
// appends the events with the version it loaded, so a concurrent change is
// a conflict rather than a lost update.
type Service struct {
	log     EventLog
	cache   sharedCache
	reviews *reviewCache
	now     func() time.Time
	newID   func() uuid.UUID
}

// ServiceOption adjusts a Service.
type ServiceOption func(*Service)

// WithClock sets the clock (tests, replays); the default is UTC wall time.
func WithClock(now func() time.Time) ServiceOption { return func(s *Service) { s.now = now } }

// WithIDs sets how the service makes ids it assigns itself (decisions,
// appeal adjustments); the default is random version-4 uuids.
func WithIDs(newID func() uuid.UUID) ServiceOption { return func(s *Service) { s.newID = newID } }

// NewService returns a service over log.
func NewService(log EventLog, opts ...ServiceOption) *Service {
	s := &Service{log: log, cache: sharedCache{entries: map[string]cached{}}, reviews: newReviewCache(reviewCacheSize), now: func() time.Time { return time.Now().UTC() }, newID: uuid.New}
	for _, o := range opts {
		o(s)
	}
	return s
}

// applier is an aggregate that can be rebuilt from its events.
type applier interface{ apply(Event) }

// review loads one employee's review in a cycle as it is now, with its
// version. The returned aggregate is shared: read it, never change it.
func (s *Service) review(ctx context.Context, cycleID, employeeID uuid.UUID) (*Review, int64, error) {
	return loadCached(ctx, s, s.reviews, ReviewStream(cycleID, employeeID), func() *Review { return NewReview(cycleID, employeeID) })
}

// commit appends the events a command returned, or passes on its refusal.
func (s *Service) commit(ctx context.Context, call Call, stream string, version int64, events []Event, err error) (Outcome, error) {
	return s.commitRequiring(ctx, call, stream, version, events, err, nil)
}

// commitRequiring is commit for a command that also decided on streams it
// does not write (Meta.Requires).
func (s *Service) commitRequiring(ctx context.Context, call Call, stream string, version int64, events []Event, err error, requires []Requirement) (Outcome, error) {
	if err != nil {
		return Outcome{}, err
	}
	if call.IfVersion != 0 && call.IfVersion != version {
		return Outcome{}, &VersionError{Stream: stream, Expected: call.IfVersion, Actual: version}
	}
	meta := Meta{Actor: call.Actor, CorrelationID: call.CorrelationID, CausationID: call.CausationID, At: s.now(), Requires: requires}
	pos, err := s.log.Append(ctx, stream, version, events, meta)
	if errors.Is(err, ErrConflict) && !errors.Is(err, ErrMovedOn) {
		// Someone appended after what this command saw. Loads read past
		// the cached version anyway; dropping the entry also covers a
		// stream that is not where the cache believes it is.
		s.cache.drop(stream)
		s.reviews.drop(stream)
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("append to %s: %w", stream, err)
	}
	return Outcome{Stream: stream, Version: version + int64(len(events)), Position: pos, Events: events}, nil
}

// Evaluate computes a cycle from the log up to position upTo (0: now).
func (s *Service) Evaluate(ctx context.Context, cycleID uuid.UUID, upTo int64) (Evaluation, error) {
	events, err := s.log.ReadAll(ctx, upTo)
	if err != nil {
		return Evaluation{}, fmt.Errorf("read log: %w", err)
	}
	return Evaluate(events, cycleID)
}

// Replay recomputes every recorded decision of a cycle from the log and
// lists the differences of each (an empty list is a MATCH).
func (s *Service) Replay(ctx context.Context, cycleID uuid.UUID) ([]ReplayReport, error) {
	events, err := s.log.ReadAll(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	var out []ReplayReport
	for _, d := range Decisions(events) {
		if d.CycleID != cycleID {
			continue
		}
		ev, mismatches, err := ReplayDecision(events, d)
		if err != nil {
			return nil, fmt.Errorf("replay decision %s: %w", d.DecisionID, err)
		}
		out = append(out, ReplayReport{Decision: d, Recomputed: ev, Mismatches: mismatches})
	}
	return out, nil
}

// ReplayReport is one decision's replay.
type ReplayReport struct {
	Decision   RecordedDecision
	Recomputed Evaluation
	Mismatches []Mismatch
}

// Match reports whether the replay reproduced the recorded decision.
func (r ReplayReport) Match() bool { return len(r.Mismatches) == 0 }
