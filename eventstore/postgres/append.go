package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// anyVersionRetries bounds how often an AnyVersion append re-reads a head that
// moved under it before giving up with a conflict.
const anyVersionRetries = 10

// Append implements eventstore.Store. The events are committed by one
// statement; Append then waits for them to be sealed to return their
// positions. If ctx ends (or sealing fails) after the commit, the append has
// still happened: Append returns the new version, zero positions and no error.
func (s *Store) Append(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	for attempt := 0; ; attempt++ {
		version, head, err := s.streamHead(ctx, stream, expected)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: read head: %w", stream, err)
		}
		if expected != eventstore.AnyVersion && expected != version {
			return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: version}
		}
		prepared, err := eventstore.Prepare(stream, version, head, events, time.Now())
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		tx, last, ok, err := s.insert(ctx, stream, version, prepared)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		if !ok {
			s.heads.forget(stream)
			if expected == eventstore.AnyVersion && attempt < anyVersionRetries {
				continue
			}
			return eventstore.AppendResult{}, s.conflict(ctx, stream, expected)
		}
		end := prepared[len(prepared)-1]
		s.heads.put(stream, end.Version, end.Hash)
		res := eventstore.AppendResult{Version: end.Version}
		first, err := s.awaitSeal(ctx, tx, last)
		if err != nil {
			s.opts.Logger.Warn("append committed; its position is not known yet", "stream", stream, "version", end.Version, "err", err)
			return res, nil
		}
		res.FirstPosition, res.LastPosition = first, first+int64(len(prepared))-1
		return res, nil
	}
}

// streamHead returns the version and head hash an append builds on: the
// cached head when it matches, nothing for a new stream, else the stored row.
// A stale cache entry is harmless: the compare-and-set in insert refuses it.
func (s *Store) streamHead(ctx context.Context, stream string, expected int64) (int64, []byte, error) {
	if h, ok := s.heads.get(stream); ok && (expected == eventstore.AnyVersion || expected == h.version) {
		return h.version, h.hash, nil
	}
	if expected == eventstore.NoStream {
		return 0, eventstore.GenesisHash, nil
	}
	var version int64
	var hash []byte
	err := s.pool.QueryRow(ctx, `SELECT version, head_hash FROM streams WHERE stream_id = $1`, stream).Scan(&version, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, eventstore.GenesisHash, nil
	}
	return version, hash, err
}

func (s *Store) conflict(ctx context.Context, stream string, expected int64) error {
	var actual int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT version FROM streams WHERE stream_id = $1), 0)`, stream).Scan(&actual)
	if err != nil {
		return fmt.Errorf("append to %s: %w (reading the actual version: %v)", stream, eventstore.ErrVersionConflict, err)
	}
	return &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: actual}
}

// The insert is one statement: the compare-and-set of the stream's head (or
// the creation of the stream) feeds the insert of every event, so a lost race
// inserts nothing and the whole append commits or fails as one.
const (
	insertEventsTail = `INSERT INTO events (stream_id, version, id, type, schema_version, payload,
		actor_id, actor_role, correlation_id, causation_id, recorded_at, prev_hash, hash)
	SELECT head.stream_id, u.* FROM head, unnest($4::bigint[], $5::uuid[], $6::text[], $7::int[], $8::text[]::json[],
		$9::text[], $10::text[], $11::uuid[], $12::uuid[], $13::timestamptz[], $14::bytea[], $15::bytea[]) AS u
	RETURNING tx_id, seq`
	appendNewStreamSQL = `WITH head AS (
		INSERT INTO streams (stream_id, version, head_hash) VALUES ($1, $2, $3)
		ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id)
	` + insertEventsTail
	appendExistingSQL = `WITH head AS (
		UPDATE streams SET version = $2, head_hash = $3 WHERE stream_id = $1 AND version = $16
		RETURNING stream_id)
	` + insertEventsTail
)

// insert runs the append statement. ok is false when the stream's head moved.
func (s *Store) insert(ctx context.Context, stream string, from int64, events []eventstore.Event) (tx uint64, last key, ok bool, err error) {
	n := len(events)
	var (
		versions   = make([]int64, n)
		ids        = make([]uuid.UUID, n)
		types      = make([]string, n)
		schemas    = make([]int32, n)
		payloads   = make([]string, n)
		actorIDs   = make([]string, n)
		actorRoles = make([]string, n)
		corrs      = make([]uuid.UUID, n)
		causes     = make([]uuid.UUID, n)
		times      = make([]time.Time, n)
		prevs      = make([][]byte, n)
		hashes     = make([][]byte, n)
	)
	for i, e := range events {
		versions[i], ids[i], types[i], schemas[i], payloads[i] = e.Version, e.ID, e.Type, int32(e.SchemaVersion), string(e.Payload)
		actorIDs[i], actorRoles[i], corrs[i], causes[i] = e.Actor.ID, e.Actor.Role, e.CorrelationID, e.CausationID
		times[i], prevs[i], hashes[i] = e.RecordedAt, e.PrevHash, e.Hash
	}
	end := events[n-1]
	args := []any{stream, end.Version, end.Hash, versions, ids, types, schemas, payloads, actorIDs, actorRoles, corrs, causes, times, prevs, hashes}
	q := appendNewStreamSQL
	if from > 0 {
		q = appendExistingSQL
		args = append(args, from)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return 0, key{}, false, insertError(err)
	}
	count := 0
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.tx, &k.seq); err != nil {
			rows.Close()
			return 0, key{}, false, err
		}
		tx = k.tx
		if k.after(last) {
			last = k
		}
		count++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, key{}, false, insertError(err)
	}
	return tx, last, count == n, nil
}

// insertError names the constraint a failed append ran into.
func insertError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		switch pgErr.ConstraintName {
		case "events_id_key":
			return fmt.Errorf("%w: %s", eventstore.ErrDuplicateEvent, pgErr.Detail)
		case "events_stream_id_version_key":
			return fmt.Errorf("%w: %s", eventstore.ErrVersionConflict, pgErr.Detail)
		}
	}
	return err
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
