package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// The baselines write the same columns as the events table into a bare table
// (a serial key, no other index, no constraint, no hash, no ledger): the
// physical limit of the database for the same rows.

// rawColumns are the events table's columns, in insert order.
const rawColumns = `stream_id, version, id, type, schema_version, payload, actor_id, actor_role,
	correlation_id, causation_id, recorded_at, prev_hash, hash`

// rawArgs are one event's values for rawColumns, with fixed placeholder hashes.
func rawArgs(client int, version int64, e eventstore.NewEvent) []any {
	return []any{fmt.Sprintf("raw-%d", client), version, e.ID.String(), e.Type, e.SchemaVersion, string(e.Payload),
		e.Actor.ID, e.Actor.Role, e.CorrelationID.String(), e.CausationID.String(), time.Now().UTC(), rawHash, rawHash}
}

var rawHash = make([]byte, eventstore.HashSize)

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

// rawInsertSQL is a multi-row INSERT of n events.
func rawInsertSQL(n int, mark func(int) string) string {
	return `INSERT INTO bench_raw_events (` + rawColumns + `) VALUES ` + placeholders(n, 13, mark)
}

func rawInsertArgs(client int, events []eventstore.NewEvent) []any {
	args := make([]any, 0, 13*len(events))
	for i, e := range events {
		args = append(args, rawArgs(client, int64(i+1), e)...)
	}
	return args
}

type rawPG struct{ pool *pgxpool.Pool }

func newRawPG(ctx context.Context, pool *pgxpool.Pool) (*rawPG, error) {
	_, err := pool.Exec(ctx, `CREATE TABLE bench_raw_events (position bigserial PRIMARY KEY,
		stream_id text NOT NULL, version bigint NOT NULL, id uuid NOT NULL, type text NOT NULL, schema_version integer NOT NULL,
		payload json NOT NULL, actor_id text NOT NULL, actor_role text NOT NULL, correlation_id uuid NOT NULL,
		causation_id uuid NOT NULL, recorded_at timestamptz NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL)`)
	if err != nil {
		return nil, fmt.Errorf("bench: create bare table: %w", err)
	}
	return &rawPG{pool}, nil
}

func pgMark(i int) string { return fmt.Sprintf("$%d", i) }

func (r *rawPG) append(ctx context.Context, client int, events []eventstore.NewEvent) error {
	_, err := r.pool.Exec(ctx, rawInsertSQL(len(events), pgMark), rawInsertArgs(client, events)...)
	return err
}

func (r *rawPG) read(ctx context.Context, after int64, limit int) (int, int64, error) {
	rows, err := r.pool.Query(ctx, `SELECT position, `+rawColumns+` FROM bench_raw_events
		WHERE position > $1 ORDER BY position LIMIT $2`, after, limit)
	if err != nil {
		return 0, after, err
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (eventstore.Event, error) {
		var e eventstore.Event
		err := row.Scan(&e.Position, &e.StreamID, &e.Version, &e.ID, &e.Type, &e.SchemaVersion, &e.Payload, &e.Actor.ID,
			&e.Actor.Role, &e.CorrelationID, &e.CausationID, &e.RecordedAt, &e.PrevHash, &e.Hash)
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

type rawSQLite struct{ db *sql.DB }

func newRawSQLite(ctx context.Context, db *sql.DB) (*rawSQLite, error) {
	_, err := db.ExecContext(ctx, `CREATE TABLE bench_raw_events (position INTEGER PRIMARY KEY,
		stream_id TEXT NOT NULL, version INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,
		payload TEXT NOT NULL, actor_id TEXT NOT NULL, actor_role TEXT NOT NULL, correlation_id TEXT NOT NULL,
		causation_id TEXT NOT NULL, recorded_at TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)`)
	if err != nil {
		return nil, fmt.Errorf("bench: create bare table: %w", err)
	}
	return &rawSQLite{db}, nil
}

func (r *rawSQLite) append(ctx context.Context, client int, events []eventstore.NewEvent) error {
	args := rawInsertArgs(client, events)
	for i := range args {
		if t, ok := args[i].(time.Time); ok {
			args[i] = t.Format("2006-01-02T15:04:05.000000Z")
		}
	}
	_, err := r.db.ExecContext(ctx, rawInsertSQL(len(events), func(int) string { return "?" }), args...)
	return err
}

func (r *rawSQLite) read(ctx context.Context, after int64, limit int) (int, int64, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT position, `+rawColumns+` FROM bench_raw_events
		WHERE position > ? ORDER BY position LIMIT ?`, after, limit)
	if err != nil {
		return 0, after, err
	}
	defer rows.Close()
	n, last := 0, after
	for rows.Next() {
		var e eventstore.Event
		var id, corr, caus, at, payload string
		if err := rows.Scan(&e.Position, &e.StreamID, &e.Version, &id, &e.Type, &e.SchemaVersion, &payload, &e.Actor.ID,
			&e.Actor.Role, &corr, &caus, &at, &e.PrevHash, &e.Hash); err != nil {
			return 0, after, err
		}
		n, last = n+1, e.Position
	}
	return n, last, rows.Err()
}
