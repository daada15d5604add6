package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/internal/follow"
)

const eventColumns = `stream_id, version, id, type, schema_version, payload, actor_id, actor_role,
	correlation_id, causation_id, recorded_at, prev_hash, hash, position`

// scanEvent scans eventColumns, plus any extra destinations after them.
// The payload is scanned as bytes: into a json.RawMessage pgx would run it
// through json.Unmarshal, validating every payload read again (a few
// percent of the server's CPU under load), although the json column holds
// only valid JSON and Prepare stored it compact, so the bytes are the same.
func scanEvent(rows pgx.Rows, e *eventstore.Event, extra ...any) error {
	dest := append([]any{&e.StreamID, &e.Version, &e.ID, &e.Type, &e.SchemaVersion, (*[]byte)(&e.Payload), &e.Actor.ID, &e.Actor.Role,
		&e.CorrelationID, &e.CausationID, &e.RecordedAt, &e.PrevHash, &e.Hash, &e.Position}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	e.RecordedAt = e.RecordedAt.UTC()
	return nil
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	events, err := s.query(ctx, `SELECT `+eventColumns+` FROM events
		WHERE stream_id = $1 AND version > $2 ORDER BY version LIMIT $3`, stream, afterVersion, pgLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	return events, s.opts.Upcasters.UpcastAll(events)
}

// ReadStreams implements eventstore.StreamsReader. The events are found by
// stream alone, then bounded and put in global order here: given the bound
// or the order, the planner walks the whole log's position index as well.
func (s *Store) ReadStreams(ctx context.Context, streams []string, upTo int64) ([]eventstore.Event, error) {
	events, err := s.query(ctx, `SELECT `+eventColumns+` FROM events WHERE stream_id = ANY($1)`, streams)
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(streams), err)
	}
	events = eventstore.UpTo(events, upTo)
	return events, s.opts.Upcasters.UpcastAll(events)
}

// ReadAll implements eventstore.Store: events in position order. Positions
// commit in order (see the package doc), so what a reader sees has no gaps.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]eventstore.Event, error) {
	events, err := s.query(ctx, `SELECT `+eventColumns+` FROM events
		WHERE position > $1 ORDER BY position LIMIT $2`, after, pgLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read all after %d: %w", after, err)
	}
	return events, s.opts.Upcasters.UpcastAll(events)
}

// ReadAllHeaders implements eventstore.HeaderReader: ReadAll's query and
// order, reading four columns of each event.
func (s *Store) ReadAllHeaders(ctx context.Context, after int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT position, stream_id, version, type FROM events
		WHERE position > $1 ORDER BY position LIMIT $2`, after, pgLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read all headers after %d: %w", after, err)
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (eventstore.Event, error) {
		var e eventstore.Event
		err := r.Scan(&e.Position, &e.StreamID, &e.Version, &e.Type)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read all headers after %d: %w", after, err)
	}
	return events, nil
}

func (s *Store) query(ctx context.Context, sql string, args ...any) ([]eventstore.Event, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (eventstore.Event, error) {
		var e eventstore.Event
		err := scanEvent(r.(pgx.Rows), &e)
		return e, err
	})
}

// Subscribe implements eventstore.Store: woken by this process's commits and
// the NOTIFY every commit sends, and by polling as a safety net.
func (s *Store) Subscribe(ctx context.Context, after int64, h eventstore.Handler) error {
	return follow.Run(ctx, after, h, s.ReadAll, s.appended.Wait, s.opts.PollInterval)
}

// Head implements eventstore.Store: the last position, which covers every
// append that has returned.
func (s *Store) Head(ctx context.Context) (int64, error) {
	head, err := readHead(ctx, s.pool)
	if err != nil {
		return 0, fmt.Errorf("read head: %w", err)
	}
	return head.position, nil
}

// pgLimit maps "no limit" to NULL, which LIMIT takes as none.
func pgLimit(limit int) *int {
	if limit <= 0 {
		return nil
	}
	return &limit
}
