package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/internal/follow"
)

const eventColumns = `e.stream_id, e.version, e.id, e.type, e.schema_version, e.payload, e.actor_id, e.actor_role,
	e.correlation_id, e.causation_id, e.recorded_at, e.prev_hash, e.hash`

// scanEvent scans eventColumns, plus any extra destinations after them.
func scanEvent(rows pgx.Rows, e *eventstore.Event, extra ...any) error {
	dest := append([]any{&e.StreamID, &e.Version, &e.ID, &e.Type, &e.SchemaVersion, &e.Payload, &e.Actor.ID, &e.Actor.Role,
		&e.CorrelationID, &e.CausationID, &e.RecordedAt, &e.PrevHash, &e.Hash}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	e.RecordedAt = e.RecordedAt.UTC()
	return nil
}

// ReadStream implements eventstore.Store. It reads every committed event of
// the stream, so an append's expected version can be taken from it at once.
// An event committed but not sealed yet gets a seal first; only when an older
// append in flight holds sealing back is it returned with Position 0.
func (s *Store) ReadStream(ctx context.Context, stream string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	events, err := s.readStream(ctx, stream, afterVersion, limit)
	if err == nil && len(events) > 0 && events[len(events)-1].Position == 0 {
		if _, err = s.sealNow(ctx, true); err == nil {
			events, err = s.readStream(ctx, stream, afterVersion, limit)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	return events, s.opts.Upcasters.UpcastAll(events)
}

func (s *Store) readStream(ctx context.Context, stream string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+`, coalesce(l.position, 0) FROM events e
		LEFT JOIN ledger l ON l.tx_id = e.tx_id AND l.seq = e.seq
		WHERE e.stream_id = $1 AND e.version > $2 ORDER BY e.version LIMIT $3`, stream, afterVersion, pgLimit(limit))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (eventstore.Event, error) {
		var e eventstore.Event
		err := scanEvent(r.(pgx.Rows), &e, &e.Position)
		return e, err
	})
}

// ReadAll implements eventstore.Store: sealed events only, in position order.
// A reader at the end of the log seals first, so it never waits for an
// appender to do it.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]eventstore.Event, error) {
	events, err := s.readAll(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read all after %d: %w", after, err)
	}
	return events, s.opts.Upcasters.UpcastAll(events)
}

func (s *Store) readAll(ctx context.Context, after int64, limit int) ([]eventstore.Event, error) {
	if after >= s.known.Load() {
		if err := s.trySeal(ctx); err != nil {
			return nil, err
		}
	}
	// The events after position `after` are, in (tx_id, seq) order, exactly
	// the ledger positions after+1, after+2, ... up to the sealed head, so one
	// range scan of the primary key reads them without joining the ledger.
	var anchor, head key
	var headPos int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(a.tx_id, '0'::xid8), coalesce(a.seq, 0), h.position, h.tx_id, h.seq
		FROM (SELECT position, tx_id, seq FROM ledger ORDER BY position DESC LIMIT 1) h
		LEFT JOIN ledger a ON a.position = $1`, after).Scan(&anchor.tx, &anchor.seq, &headPos, &head.tx, &head.seq)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && headPos <= after) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.noteHead(headPos)
	if after > 0 && anchor == (key{}) {
		return nil, fmt.Errorf("position %d has no ledger row", after)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM events e
		WHERE (e.tx_id, e.seq) > ($1::xid8, $2::bigint) AND (e.tx_id, e.seq) <= ($3::xid8, $4::bigint)
		ORDER BY e.tx_id, e.seq LIMIT $5`, anchor.tx, anchor.seq, head.tx, head.seq, pgLimit(limit))
	if err != nil {
		return nil, err
	}
	pos := after
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (eventstore.Event, error) {
		var e eventstore.Event
		err := scanEvent(r.(pgx.Rows), &e)
		pos++
		e.Position = pos
		return e, err
	})
}

// noteHead records the highest sealed position this process has seen.
func (s *Store) noteHead(pos int64) {
	for {
		cur := s.known.Load()
		if pos <= cur || s.known.CompareAndSwap(cur, pos) {
			return
		}
	}
}

// Subscribe implements eventstore.Store: woken by the NOTIFY each seal sends,
// and by polling as a safety net.
func (s *Store) Subscribe(ctx context.Context, after int64, h eventstore.Handler) error {
	return follow.Run(ctx, after, h, s.ReadAll, s.sealed.Wait, s.opts.PollInterval)
}

// Head implements eventstore.Store: the last sealed position. Appends seal
// before they return, so it covers every append that has returned.
func (s *Store) Head(ctx context.Context) (int64, error) {
	if err := s.trySeal(ctx); err != nil {
		return 0, fmt.Errorf("read head: %w", err)
	}
	head, err := readHead(ctx, s.pool)
	if err != nil {
		return 0, fmt.Errorf("read head: %w", err)
	}
	s.noteHead(head.position)
	return head.position, nil
}

// pgLimit maps "no limit" to NULL, which LIMIT takes as none.
func pgLimit(limit int) *int {
	if limit <= 0 {
		return nil
	}
	return &limit
}
