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

// Append implements eventstore.Store. The events are committed by one INSERT;
// Append then waits for them to be sealed to return their positions. If ctx
// ends (or sealing fails) after the commit, the append has still happened:
// Append returns the new version, zero positions and no error.
//
// The unique (stream_id, version) key is the optimistic-concurrency check:
// an append at expected version v writes version v+1, which only one writer
// can; that version v exists is known from the head read (or this process's
// last append), and events are never deleted, so it stays true.
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
			return eventstore.AppendResult{}, s.conflict(ctx, stream, expected)
		}
		prepared, err := eventstore.Prepare(stream, version, head, events, time.Now())
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		tx, last, err := s.insert(ctx, prepared)
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

const insertColumns = `INSERT INTO events (stream_id, version, id, type, schema_version, payload,
	actor_id, actor_role, correlation_id, causation_id, recorded_at, prev_hash, hash) `

// insertOneSQL is the common case, one event, without arrays.
const insertOneSQL = insertColumns + `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING tx_id, seq`

// insertManySQL inserts a small batch from one array per column.
const insertManySQL = insertColumns + `SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::int[],
	$6::text[]::json[], $7::text[], $8::text[], $9::uuid[], $10::uuid[], $11::timestamptz[], $12::bytea[], $13::bytea[])
	RETURNING tx_id, seq`

// copyThreshold is the batch size from which COPY beats one INSERT.
const copyThreshold = 16

// appendingSQL takes the schema's append lock, shared: appends never wait for
// each other, only for a seal in progress (see package doc). It runs before
// the append writes, so before its transaction has an id.
const appendingSQL = `SELECT pg_advisory_xact_lock_shared($1)`

// insert writes an append's events atomically and returns the transaction
// id and the last key: the append lock and one INSERT sent together as one
// implicit transaction (one round trip) for small appends, COPY inside a
// transaction for batches.
func (s *Store) insert(ctx context.Context, events []eventstore.Event) (uint64, key, error) {
	if len(events) >= copyThreshold {
		return s.insertCopy(ctx, events)
	}
	b := &pgx.Batch{}
	b.Queue(appendingSQL, s.appendLock)
	if len(events) == 1 {
		e := events[0]
		b.Queue(insertOneSQL, e.StreamID, e.Version, e.ID, e.Type, e.SchemaVersion, string(e.Payload),
			e.Actor.ID, e.Actor.Role, e.CorrelationID, e.CausationID, e.RecordedAt, e.PrevHash, e.Hash)
	} else {
		b.Queue(insertManySQL, columns(events)...)
	}
	results := s.pool.SendBatch(ctx, b)
	defer results.Close()
	if _, err := results.Exec(); err != nil {
		return 0, key{}, err
	}
	rows, err := results.Query()
	if err != nil {
		return 0, key{}, insertError(err)
	}
	var last key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.tx, &k.seq); err != nil {
			rows.Close()
			return 0, key{}, err
		}
		if k.after(last) {
			last = k
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, key{}, insertError(err)
	}
	// The implicit transaction commits at the batch's end: only a clean
	// Close means the events are stored.
	if err := results.Close(); err != nil {
		return 0, key{}, insertError(err)
	}
	return last.tx, last, nil
}

// insertCopy writes a batch with COPY, then reads back its transaction id and
// last sequence number before committing.
func (s *Store) insertCopy(ctx context.Context, events []eventstore.Event) (uint64, key, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, key{}, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, appendingSQL, s.appendLock); err != nil {
		return 0, key{}, err
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"events"}, copyColumns, pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
		e := &events[i]
		return []any{e.StreamID, e.Version, e.ID, e.Type, int32(e.SchemaVersion), string(e.Payload), e.Actor.ID, e.Actor.Role,
			e.CorrelationID, e.CausationID, e.RecordedAt, e.PrevHash, e.Hash}, nil
	}))
	if err != nil {
		return 0, key{}, insertError(err)
	}
	var last key
	if err := tx.QueryRow(ctx, `SELECT pg_current_xact_id(), max(seq) FROM events WHERE tx_id = pg_current_xact_id()`).
		Scan(&last.tx, &last.seq); err != nil {
		return 0, key{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, key{}, insertError(err)
	}
	return last.tx, last, nil
}

// copyColumns are the columns insertCopy fills, in order.
var copyColumns = []string{"stream_id", "version", "id", "type", "schema_version", "payload",
	"actor_id", "actor_role", "correlation_id", "causation_id", "recorded_at", "prev_hash", "hash"}

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

// columns turns events into one array per column of insertManySQL.
func columns(events []eventstore.Event) []any {
	n := len(events)
	var (
		streams    = make([]string, n)
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
		streams[i], versions[i], ids[i], types[i], schemas[i] = e.StreamID, e.Version, e.ID, e.Type, int32(e.SchemaVersion)
		payloads[i], actorIDs[i], actorRoles[i], corrs[i], causes[i] = string(e.Payload), e.Actor.ID, e.Actor.Role, e.CorrelationID, e.CausationID
		times[i], prevs[i], hashes[i] = e.RecordedAt, e.PrevHash, e.Hash
	}
	return []any{streams, versions, ids, types, schemas, payloads, actorIDs, actorRoles, corrs, causes, times, prevs, hashes}
}
