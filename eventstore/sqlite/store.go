package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/internal/follow"
)

// Options tune a Store. The zero value is usable.
type Options struct {
	// Upcasters convert old event schema versions on read.
	Upcasters *eventstore.Upcasters
	// Logger receives warnings; nil discards them.
	Logger *slog.Logger
	// BusyTimeout is how long a writer waits for another process's write lock
	// (default 10s).
	BusyTimeout time.Duration
	// PollInterval is how often a subscription looks for events appended by
	// another process, which cannot signal it (default 1s).
	PollInterval time.Duration
}

// Store is the SQLite event store.
type Store struct {
	db       *sql.DB
	opts     Options
	appendMu sync.Mutex // one in-process writer at a time, so none busy-waits (see WriteLock)
	appended follow.Broadcast

	stmts stmtCache // prepared once: parsing is a fifth of an append's CPU

	// The read models' handle (ReadModels), opened on first use.
	path   string
	rmOnce sync.Once
	rm     stmtCache
	rmErr  error
}

var _ eventstore.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database file at path in WAL mode
// with a busy timeout. It does not migrate: call migrations.Apply on DB() first.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if path == "" || strings.Contains(path, "?") {
		return nil, fmt.Errorf("sqlite: invalid database path %q", path)
	}
	db, err := openHandle(ctx, path, opts, "FULL")
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, opts: opts}
	s.stmts.db = db
	return s, nil
}

// openHandle opens a database/sql handle on the file at path with the given
// synchronous setting.
func openHandle(ctx context.Context, path string, opts Options, synchronous string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// ReadModels is a second handle on the same database, for read models
// whose rows and checkpoint commit in one transaction, with the statement
// cache that goes with it. It commits with synchronous=NORMAL: no fsync of
// its own (on this machine an fsync costs about a millisecond and a half,
// held under the write lock that every append queues on). That is safe
// for what the log can rebuild and nothing else: a power cut can roll back
// the last such commits, each whole, with its checkpoint, and they are
// applied again from the log, whose appends are synchronous=FULL (and
// each of whose commits flushes the write-ahead log, earlier read-model
// commits included). Rows that are not derived from the log (tokens,
// idempotency records, the notification outbox) belong on DB.
func (s *Store) ReadModels(ctx context.Context) (*sql.DB, func(context.Context, string) (*sql.Stmt, error), error) {
	s.rmOnce.Do(func() {
		s.rm.db, s.rmErr = openHandle(ctx, s.path, s.opts, "NORMAL")
	})
	if s.rmErr != nil {
		return nil, nil, s.rmErr
	}
	return s.rm.db, s.rm.prepare, nil
}

// DB is the underlying handle, for read models that must commit their rows and
// checkpoint in one transaction on the same database. Every transaction begun
// on it takes the write lock at BEGIN (IMMEDIATE), which is what such writers
// need and what keeps them from deadlocking with appends.
func (s *Store) DB() *sql.DB { return s.db }

// WriteLock is the lock each append holds around its transaction. Read models
// that write to this database from the same process hold it around theirs,
// so that appends and read-model batches queue here for the write lock.
// Otherwise they meet at SQLite's lock, whose busy handler polls with sleeps
// of 1, 2, 5, 10 ms and more: a load profile showed appends sleeping there
// for a third of the time they held appendMu, with every other append
// queued behind the sleeper.
func (s *Store) WriteLock() sync.Locker { return &s.appendMu }

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.close()
	s.rm.close()
	if s.rm.db != nil {
		s.rm.db.Close()
	}
	return s.db.Close()
}

// Prepare returns the statement for q, prepared on first use (not at Open:
// the tables may not be migrated yet) and kept until Close. The driver keeps
// no statement cache and parsing is about a fifth of an append's CPU; the
// projections, which share this database, prepare their queries here too.
func (s *Store) Prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	return s.stmts.prepare(ctx, q)
}

// stmtCache keeps the statements prepared on one handle.
type stmtCache struct {
	mu    sync.Mutex
	db    *sql.DB
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = make(map[string]*sql.Stmt)
	}
	c.stmts[q] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

// txStmt is stmt bound to a transaction.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	st, err := s.Prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st), nil
}

// query runs a prepared query outside any transaction.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.Prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent) (eventstore.AppendResult, error) {
	return s.AppendIf(ctx, stream, expected, events, nil)
}

// AppendIf implements eventstore.Store: appends are serialised, so the
// conditions read in the append's transaction still hold at its commit.
func (s *Store) AppendIf(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent, conds []eventstore.Condition) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateConditions(stream, conds); err != nil {
		return eventstore.AppendResult{}, err
	}
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	res, err := s.appendTx(ctx, stream, expected, events, conds)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
	}
	s.appended.Notify()
	return res, nil
}

func (s *Store) appendTx(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent, conds []eventstore.Condition) (eventstore.AppendResult, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	defer tx.Rollback()

	if len(conds) > 0 {
		versionOf, err := s.txStmt(ctx, tx, streamVersionSQL)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		for _, c := range conds {
			var actual int64
			if err := versionOf.QueryRowContext(ctx, c.Stream).Scan(&actual); err != nil {
				return eventstore.AppendResult{}, err
			}
			if actual != c.Version {
				return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: c.Stream, Expected: c.Version, Actual: actual}
			}
		}
	}

	heads, err := s.txStmt(ctx, tx, headsSQL)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	var version, position int64
	var head, ledger []byte
	if err := heads.QueryRowContext(ctx, stream).Scan(&version, &head, &position, &ledger); err != nil {
		return eventstore.AppendResult{}, err
	}
	if expected != eventstore.AnyVersion && expected != version {
		return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: version}
	}
	prepared, err := eventstore.Prepare(stream, version, head, events, time.Now())
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	res := eventstore.AppendResult{FirstPosition: position + 1}
	args := make([]any, 0, insertChunk*insertColumns)
	for start := 0; start < len(prepared); start += insertChunk {
		chunk := prepared[start:min(start+insertChunk, len(prepared))]
		args = args[:0]
		for i := range chunk {
			e := &chunk[i]
			position++
			ledger = eventstore.LedgerHash(ledger, position, e.Hash)
			args = append(args, position, e.StreamID, e.Version, e.ID.String(), e.Type, e.SchemaVersion,
				string(e.Payload), e.Actor.ID, e.Actor.Role, e.CorrelationID.String(), e.CausationID.String(),
				formatTime(e.RecordedAt), e.PrevHash, e.Hash, ledger)
		}
		stmt, err := s.txStmt(ctx, tx, insertEventsSQL(len(chunk)))
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			if isUniqueViolation(err, "events.id") {
				return eventstore.AppendResult{}, fmt.Errorf("%w: %v", eventstore.ErrDuplicateEvent, err)
			}
			return eventstore.AppendResult{}, err
		}
	}
	last := prepared[len(prepared)-1]
	upsert, err := s.txStmt(ctx, tx, upsertStreamSQL)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if _, err := upsert.ExecContext(ctx, stream, last.Version, last.Hash); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := tx.Commit(); err != nil {
		return eventstore.AppendResult{}, err
	}
	res.LastPosition = position
	res.Version = last.Version
	return res, nil
}

// headsSQL reads, in one statement, the stream's head and the log's last
// position and ledger hash (genesis values when there are none).
const headsSQL = `SELECT coalesce(s.version, 0), coalesce(s.head_hash, zeroblob(32)),
	coalesce(e.position, 0), coalesce(e.ledger_hash, zeroblob(32))
	FROM (SELECT 1) LEFT JOIN streams s ON s.stream_id = ?
	LEFT JOIN (SELECT position, ledger_hash FROM events ORDER BY position DESC LIMIT 1) e ON true`

// streamVersionSQL reads a stream's version (0 for none).
const streamVersionSQL = `SELECT coalesce((SELECT version FROM streams WHERE stream_id = ?), 0)`

const upsertStreamSQL = `INSERT INTO streams (stream_id, version, head_hash) VALUES (?, ?, ?)
	ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, head_hash = excluded.head_hash`

// Events go in as multi-row INSERTs of up to insertChunk rows, so a batch
// costs a few statements, not one per event, and at most insertChunk
// distinct statements are ever prepared.
const (
	insertChunk   = 32
	insertColumns = 15
)

// insertEventsSQL inserts n events.
func insertEventsSQL(n int) string {
	row := "(?" + strings.Repeat(", ?", insertColumns-1) + ")"
	return `INSERT INTO events (position, stream_id, version, id, type, schema_version, payload,
	actor_id, actor_role, correlation_id, causation_id, recorded_at, prev_hash, hash, ledger_hash)
	VALUES ` + row + strings.Repeat(", "+row, n-1)
}

const selectEventSQL = `SELECT position, stream_id, version, id, type, schema_version, payload,
	actor_id, actor_role, correlation_id, causation_id, recorded_at, prev_hash, hash, ledger_hash FROM events `

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.query(ctx, selectEventSQL+`WHERE stream_id = ? AND version > ? ORDER BY version LIMIT ?`, stream, afterVersion, sqlLimit(limit))
	events, _, err := scanEvents(rows, err)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	return events, s.opts.Upcasters.UpcastAll(events)
}

// ReadStreams implements eventstore.StreamsReader: the stream ids go in as
// one JSON array, so the statement is the same for any number of them. The
// events are found by stream alone, then bounded and put in global order
// here, so that the planner has no reason to walk the log by position.
func (s *Store) ReadStreams(ctx context.Context, streams []string, upTo int64) ([]eventstore.Event, error) {
	ids, err := json.Marshal(streams)
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(streams), err)
	}
	rows, err := s.query(ctx, selectEventSQL+`WHERE stream_id IN (SELECT value FROM json_each(?))`, string(ids))
	events, _, err := scanEvents(rows, err)
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(streams), err)
	}
	events = eventstore.UpTo(events, upTo)
	return events, s.opts.Upcasters.UpcastAll(events)
}

// ReadAll implements eventstore.Store. Appends are serialised, so every
// position below the highest visible one is already committed.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.query(ctx, selectEventSQL+`WHERE position > ? ORDER BY position LIMIT ?`, after, sqlLimit(limit))
	events, _, err := scanEvents(rows, err)
	if err != nil {
		return nil, fmt.Errorf("read all after %d: %w", after, err)
	}
	return events, s.opts.Upcasters.UpcastAll(events)
}

// ReadAllHeaders implements eventstore.HeaderReader: ReadAll's query and
// order, reading four columns of each event.
func (s *Store) ReadAllHeaders(ctx context.Context, after int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.query(ctx, `SELECT position, stream_id, version, type FROM events
		WHERE position > ? ORDER BY position LIMIT ?`, after, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read all headers after %d: %w", after, err)
	}
	defer rows.Close()
	var events []eventstore.Event
	for rows.Next() {
		var e eventstore.Event
		if err := rows.Scan(&e.Position, &e.StreamID, &e.Version, &e.Type); err != nil {
			return nil, fmt.Errorf("read all headers after %d: %w", after, err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read all headers after %d: %w", after, err)
	}
	return events, nil
}

// Subscribe implements eventstore.Store: woken in-process by every append,
// and by polling for appends made by other processes.
func (s *Store) Subscribe(ctx context.Context, after int64, h eventstore.Handler) error {
	return follow.Run(ctx, after, h, s.ReadAll, s.appended.Wait, s.opts.PollInterval)
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var head int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) FROM events`).Scan(&head); err != nil {
		return 0, fmt.Errorf("read head: %w", err)
	}
	return head, nil
}

// scanEvents reads the rows of a selectEventSQL query (and its error) into
// events with their stored ledger hashes.
func scanEvents(rows *sql.Rows, err error) ([]eventstore.Event, [][]byte, error) {
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var events []eventstore.Event
	var ledger [][]byte
	for rows.Next() {
		var e eventstore.Event
		var id, corr, caus, at, payload string
		var lh []byte
		if err := rows.Scan(&e.Position, &e.StreamID, &e.Version, &id, &e.Type, &e.SchemaVersion, &payload,
			&e.Actor.ID, &e.Actor.Role, &corr, &caus, &at, &e.PrevHash, &e.Hash, &lh); err != nil {
			return nil, nil, err
		}
		e.Payload = []byte(payload)
		if err := parseRow(&e, id, corr, caus, at); err != nil {
			return nil, nil, fmt.Errorf("position %d: %w", e.Position, err)
		}
		events = append(events, e)
		ledger = append(ledger, lh)
	}
	return events, ledger, rows.Err()
}

func parseRow(e *eventstore.Event, id, corr, caus, at string) error {
	var err error
	if e.ID, err = uuid.Parse(id); err != nil {
		return err
	}
	if e.CorrelationID, err = uuid.Parse(corr); err != nil {
		return err
	}
	if e.CausationID, err = uuid.Parse(caus); err != nil {
		return err
	}
	e.RecordedAt, err = time.Parse(timeLayout, at)
	return err
}

// timeLayout is fixed-width so that recorded_at sorts as time in SQL.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// sqlLimit maps "no limit" to SQLite's -1.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

func isUniqueViolation(err error, column string) bool {
	return strings.Contains(err.Error(), "UNIQUE constraint failed") && strings.Contains(err.Error(), column)
}
