package eventlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
)

// readPage is how many events ReadAll fetches per round trip.
const readPage = 5000

// Log is the domain's EventLog over an event store.
type Log struct {
	store eventstore.Store
}

var _ domain.EventLog = (*Log)(nil)

// New returns the adapter over store.
func New(store eventstore.Store) *Log { return &Log{store: store} }

// Load implements domain.EventLog.
func (l *Log) Load(ctx context.Context, stream string, afterVersion int64) ([]domain.Recorded, int64, error) {
	events, err := l.store.ReadStream(ctx, stream, afterVersion, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("load %s: %w", stream, err)
	}
	if len(events) == 0 {
		// Nothing new. The domain service appends expecting the version of
		// the last event it applied, not this one, so re-reading the whole
		// stream to confirm afterVersion would only cost a round trip on
		// every command (the service catches its cached organisation and
		// cycle up with afterVersion > 0).
		return nil, afterVersion, nil
	}
	out := make([]domain.Recorded, len(events))
	for i, e := range events {
		if out[i], err = Decode(e); err != nil {
			return nil, 0, fmt.Errorf("load %s: %w", stream, err)
		}
	}
	return out, max(lastVersion(events), afterVersion), nil
}

func lastVersion(events []eventstore.Event) int64 {
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].Version
}

// Append implements domain.EventLog. A stale expected version returns the
// store's *eventstore.ConflictError, also matching domain.ErrConflict; a
// requirement (meta.Requires, the store's conditions) that no longer holds
// also matches domain.ErrMovedOn.
func (l *Log) Append(ctx context.Context, stream string, expectedVersion int64, events []domain.Event, meta domain.Meta) (int64, error) {
	batch := make([]eventstore.NewEvent, len(events))
	for i, e := range events {
		typ, schema, payload, err := domain.Encode(e)
		if err != nil {
			return 0, err
		}
		batch[i] = eventstore.NewEvent{ID: eventstore.NewEventID(), Type: typ, SchemaVersion: schema, Payload: payload,
			Actor:         eventstore.Actor{ID: meta.Actor.ID.String(), Role: string(meta.Actor.Role)},
			CorrelationID: meta.CorrelationID, CausationID: meta.CausationID, RecordedAt: meta.At}
	}
	var conds []eventstore.Condition
	if len(meta.Requires) > 0 {
		conds = make([]eventstore.Condition, 0, len(meta.Requires)) // one allocation, not one per growth
	}
	for _, r := range meta.Requires {
		conds = append(conds, eventstore.Condition{Stream: r.Stream, Version: r.Version})
	}
	res, err := l.store.AppendIf(ctx, stream, expectedVersion, batch, conds)
	var ce *eventstore.ConflictError
	if errors.As(err, &ce) && ce.Stream != stream {
		return 0, fmt.Errorf("%w: %w", domain.ErrMovedOn, err)
	}
	if errors.Is(err, eventstore.ErrVersionConflict) {
		return 0, fmt.Errorf("%w: %w", domain.ErrConflict, err)
	}
	if err != nil {
		return 0, err
	}
	return res.LastPosition, nil
}

// ReadAll implements domain.EventLog. Events of other areas (types the
// domain does not register) are left out.
func (l *Log) ReadAll(ctx context.Context, upTo int64) ([]domain.Recorded, error) {
	var out []domain.Recorded
	var after int64
	for upTo <= 0 || after < upTo {
		page, err := l.store.ReadAll(ctx, after, readPage)
		if err != nil {
			return nil, fmt.Errorf("read all after %d: %w", after, err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if upTo > 0 && e.Position > upTo {
				return out, nil
			}
			r, err := Decode(e)
			if errors.Is(err, domain.ErrUnknownEvent) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		after = page[len(page)-1].Position
	}
	return out, nil
}
