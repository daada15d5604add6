package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// anyVersionRetries bounds how often an AnyVersion append re-reads a head that
// moved under it before giving up with a conflict.
const anyVersionRetries = 10

// Append implements eventstore.Store. The events are prepared (numbered and
// hash-chained to the stream's head) here and committed by the store's writer
// together with every other append queued meanwhile (see the package doc);
// Append returns once they are committed, with their positions.
//
// The unique (stream_id, version) key is the optimistic-concurrency check:
// an append at expected version v writes version v+1, which only one writer
// can; that version v exists is known from the head read (or this process's
// last append), and events are never deleted, so it stays true.
func (s *Store) Append(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent) (eventstore.AppendResult, error) {
	return s.AppendIf(ctx, stream, expected, events, nil)
}

// AppendIf implements eventstore.Store: the conditions are checked by the
// group commit under the append lock, before its insert (see take for how a
// group keeps them true for its own members).
func (s *Store) AppendIf(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent, conds []eventstore.Condition) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateConditions(stream, conds); err != nil {
		return eventstore.AppendResult{}, err
	}
	for attempt := 0; ; attempt++ {
		version, head, err := s.streamHead(ctx, stream, expected)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: read head: %w", stream, err)
		}
		if expected != eventstore.AnyVersion && expected != version {
			return eventstore.AppendResult{}, s.conflict(ctx, stream, expected)
		}
		prepared, err := eventstore.Prepare(stream, version, head, events, time.Now())
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		first, err := s.submit(ctx, prepared, conds)
		var ce *eventstore.ConflictError
		if errors.As(err, &ce) && ce.Stream != stream {
			// A condition failed: that is the caller's to handle.
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		if errors.Is(err, eventstore.ErrVersionConflict) {
			s.heads.forget(stream)
			if expected == eventstore.AnyVersion && attempt < anyVersionRetries {
				continue
			}
			return eventstore.AppendResult{}, s.conflict(ctx, stream, expected)
		}
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		return eventstore.AppendResult{
			Version:       prepared[len(prepared)-1].Version,
			FirstPosition: first,
			LastPosition:  first + int64(len(prepared)) - 1,
		}, nil
	}
}

// streamHead returns the version and head hash an append builds on: the
// cached head when it matches, nothing for a new stream, the stream's event
// at the expected version, or (AnyVersion) its last event. A stale cache
// entry is harmless: the unique version key refuses the append.
func (s *Store) streamHead(ctx context.Context, stream string, expected int64) (int64, []byte, error) {
	if h, ok := s.heads.get(stream); ok && (expected == eventstore.AnyVersion || expected == h.version) {
		return h.version, h.hash, nil
	}
	if expected == eventstore.NoStream {
		return 0, eventstore.GenesisHash, nil
	}
	q := `SELECT version, hash FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1`
	args := []any{stream}
	if expected != eventstore.AnyVersion {
		q = `SELECT version, hash FROM events WHERE stream_id = $1 AND version = $2`
		args = append(args, expected)
	}
	var version int64
	var hash []byte
	err := s.pool.QueryRow(ctx, q, args...).Scan(&version, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, eventstore.GenesisHash, nil
	}
	return version, hash, err
}

func (s *Store) conflict(ctx context.Context, stream string, expected int64) error {
	var actual int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1`, stream).Scan(&actual)
	if err != nil {
		return fmt.Errorf("append to %s: %w (reading the actual version: %v)", stream, eventstore.ErrVersionConflict, err)
	}
	return &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: actual}
}

// headCache remembers the head this process last wrote to each stream, so an
// append that continues its own stream needs no read first.
type headCache struct {
	mu sync.Mutex
	m  map[string]cachedHead
}

type cachedHead struct {
	version int64
	hash    []byte
}

const headCacheCap = 1 << 16

func (c *headCache) get(stream string) (cachedHead, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[stream]
	return h, ok
}

func (c *headCache) put(stream string, version int64, hash []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= headCacheCap {
		c.m = make(map[string]cachedHead)
	}
	c.m[stream] = cachedHead{version, hash}
}

func (c *headCache) forget(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, stream)
}
