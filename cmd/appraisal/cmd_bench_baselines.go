package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// The raw baselines write the events table's rows, with raw SQL and no store
// around them (no lock, no head check, no hash chain, no commits row), into a
// bare table of the same columns. Two bare tables:
//
//   - keyed: identical to the events table, with its primary key on the
//     position and its two unique keys, (stream_id, version) and id. This is
//     the physical limit for storing these rows with the guarantees every
//     event store gives (one event per stream version, ids unique), and the
//     baseline of the targets.
//   - key only: the position's key only. It shows what the two unique keys cost
//     the database, whoever writes the rows.
type bareTable struct {
	name  string // table name in the scratch schema
	keyed bool   // has the events table's unique keys
}

var (
	keyedTable  = bareTable{name: "bench_raw_keyed", keyed: true}
	pkOnlyTable = bareTable{name: "bench_raw_events"}
)

// rawColumns are the events table's columns, in insert order.
const rawColumns = `stream_id, version, id, type, schema_version, payload, actor_id, actor_role,
	correlation_id, causation_id, recorded_at, prev_hash, hash, ledger_hash`

const rawWidth = 14 // placeholders per row of rawColumns

// rawArgs are one event's values for rawColumns, with fixed placeholder hashes.
func rawArgs(stream string, version int64, e eventstore.NewEvent) []any {
	return []any{stream, version, e.ID.String(), e.Type, e.SchemaVersion, string(e.Payload),
		e.Actor.ID, e.Actor.Role, e.CorrelationID.String(), e.CausationID.String(), time.Now().UTC(), rawHash, rawHash, rawHash}
}

var rawHash = make([]byte, eventstore.HashSize)

// streamVersions hands out each bench stream's next versions. A stream is
// written by one client goroutine at a time; the lock guards the map.
type streamVersions struct {
	mu sync.Mutex
	m  map[string]int64
}

// reserve returns the stream's current version and advances it by n.
func (v *streamVersions) reserve(stream string, n int) int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = make(map[string]int64)
	}
	cur := v.m[stream]
	v.m[stream] = cur + int64(n)
	return cur
}

// rawRows are the statement and arguments that insert events as the next
// versions of client's stream in the table.
type rawRows struct {
	t        bareTable
	versions streamVersions
}

func (r *rawRows) insert(client int, events []eventstore.NewEvent, mark func(int) string) (string, []any) {
	stream := fmt.Sprintf("raw-%d-%d", len(events), client)
	first := r.versions.reserve(stream, len(events)) + 1
	args := make([]any, 0, rawWidth*len(events))
	for i, e := range events {
		args = append(args, rawArgs(stream, first+int64(i), e)...)
	}
	return `INSERT INTO ` + r.t.name + ` (` + rawColumns + `) VALUES ` + placeholders(len(events), rawWidth, mark), args
}

// rawKeysSQL are the unique keys of the events table, for a keyed table.
func rawKeysSQL(t bareTable) string {
	if !t.keyed {
		return ""
	}
	return `, UNIQUE (stream_id, version), UNIQUE (id)`
}

// placeholders renders n rows of width parameters: ($1,...),($k,...).
func placeholders(rows, width int, mark func(int) string) string {
	var b strings.Builder
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < width; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteString(mark(r*width + c + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

type rawPG struct {
	pool *pgxpool.Pool
	rows rawRows
}

func newRawPG(ctx context.Context, pool *pgxpool.Pool, t bareTable) (*rawPG, error) {
	_, err := pool.Exec(ctx, `CREATE TABLE `+t.name+` (position bigserial PRIMARY KEY,
		stream_id text NOT NULL, version bigint NOT NULL, id uuid NOT NULL, type text NOT NULL, schema_version integer NOT NULL,
		payload json NOT NULL, actor_id text NOT NULL, actor_role text NOT NULL, correlation_id uuid NOT NULL,
		causation_id uuid NOT NULL, recorded_at timestamptz NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL,
		ledger_hash bytea NOT NULL`+rawKeysSQL(t)+`)`)
	if err != nil {
		return nil, fmt.Errorf("bench: create bare table: %w", err)
	}
	return &rawPG{pool: pool, rows: rawRows{t: t}}, nil
}

func pgMark(i int) string { return fmt.Sprintf("$%d", i) }

func (r *rawPG) append(ctx context.Context, client int, events []eventstore.NewEvent) error {
	q, args := r.rows.insert(client, events, pgMark)
	_, err := r.pool.Exec(ctx, q, args...)
	return err
}

func (r *rawPG) read(ctx context.Context, after int64, limit int) (int, int64, error) {
	rows, err := r.pool.Query(ctx, `SELECT position, `+rawColumns+` FROM `+r.rows.t.name+`
		WHERE position > $1 ORDER BY position LIMIT $2`, after, limit)
	if err != nil {
		return 0, after, err
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (eventstore.Event, error) {
		var e eventstore.Event
		var ledger []byte
		err := row.Scan(&e.Position, &e.StreamID, &e.Version, &e.ID, &e.Type, &e.SchemaVersion, &e.Payload, &e.Actor.ID,
			&e.Actor.Role, &e.CorrelationID, &e.CausationID, &e.RecordedAt, &e.PrevHash, &e.Hash, &ledger)
		return e, err
	})
	if err != nil || len(events) == 0 {
		return 0, after, err
	}
	return len(events), events[len(events)-1].Position, nil
}

// watermillPG publishes through watermill-sql's Publisher with its default
// PostgreSQL schema (rows ordered by transaction id and read below the
// snapshot's xmin), one Publish call per transaction.
type watermillPG struct{ pub *wmsql.Publisher }

func newWatermillPG(pool *pgxpool.Pool) (*watermillPG, error) {
	pub, err := wmsql.NewPublisher(stdlib.OpenDBFromPool(pool), wmsql.PublisherConfig{
		SchemaAdapter: wmsql.DefaultPostgreSQLSchema{}, AutoInitializeSchema: true,
	}, watermill.NopLogger{})
	if err != nil {
		return nil, fmt.Errorf("bench: watermill-sql publisher: %w", err)
	}
	return &watermillPG{pub}, nil
}

func (w *watermillPG) append(_ context.Context, _ int, events []eventstore.NewEvent) error {
	msgs := make([]*message.Message, len(events))
	for i, e := range events {
		m := message.NewMessage(e.ID.String(), message.Payload(e.Payload))
		meta, err := json.Marshal(e.Actor)
		if err != nil {
			return err
		}
		m.Metadata.Set("type", e.Type)
		m.Metadata.Set("actor", string(meta))
		m.Metadata.Set("correlation_id", e.CorrelationID.String())
		msgs[i] = m
	}
	return w.pub.Publish("bench_events", msgs...)
}

type rawSQLite struct {
	db   *sql.DB
	rows rawRows
}

func newRawSQLite(ctx context.Context, db *sql.DB, t bareTable) (*rawSQLite, error) {
	_, err := db.ExecContext(ctx, `CREATE TABLE `+t.name+` (position INTEGER PRIMARY KEY,
		stream_id TEXT NOT NULL, version INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,
		payload TEXT NOT NULL, actor_id TEXT NOT NULL, actor_role TEXT NOT NULL, correlation_id TEXT NOT NULL,
		causation_id TEXT NOT NULL, recorded_at TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,
		ledger_hash BLOB NOT NULL`+rawKeysSQL(t)+`)`)
	if err != nil {
		return nil, fmt.Errorf("bench: create bare table: %w", err)
	}
	return &rawSQLite{db: db, rows: rawRows{t: t}}, nil
}

func (r *rawSQLite) append(ctx context.Context, client int, events []eventstore.NewEvent) error {
	q, args := r.rows.insert(client, events, func(int) string { return "?" })
	for i := range args {
		if t, ok := args[i].(time.Time); ok {
			args[i] = t.Format("2006-01-02T15:04:05.000000Z")
		}
	}
	_, err := r.db.ExecContext(ctx, q, args...)
	return err
}

func (r *rawSQLite) read(ctx context.Context, after int64, limit int) (int, int64, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT position, `+rawColumns+` FROM `+r.rows.t.name+`
		WHERE position > ? ORDER BY position LIMIT ?`, after, limit)
	if err != nil {
		return 0, after, err
	}
	defer rows.Close()
	n, last := 0, after
	for rows.Next() {
		var e eventstore.Event
		var id, corr, caus, at, payload string
		var ledger []byte
		if err := rows.Scan(&e.Position, &e.StreamID, &e.Version, &id, &e.Type, &e.SchemaVersion, &payload, &e.Actor.ID,
			&e.Actor.Role, &corr, &caus, &at, &e.PrevHash, &e.Hash, &ledger); err != nil {
			return 0, after, err
		}
		n, last = n+1, e.Position
	}
	return n, last, rows.Err()
}
