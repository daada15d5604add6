package eventstoretest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
	sqlitestore "github.com/appraisal-hr/appraisal/eventstore/sqlite"
)

// Backend is a store implementation under the conformance suite, with the raw
// SQL access the suite needs to attack it from behind.
type Backend struct {
	Name string
	// New returns a fresh, migrated, empty store.
	New func(t *testing.T, up *eventstore.Upcasters) eventstore.Store
	// Exec runs raw SQL on the store's database, bypassing the store.
	Exec func(s eventstore.Store, sql string, args ...any) error
	// At is an SQL condition on the events table selecting the event at a
	// global position.
	At func(position int64) string
	// Unguard drops the append-only triggers, as an attacker would.
	Unguard func(t *testing.T, s eventstore.Store)
	// Swap exchanges the global positions of two events.
	Swap func(t *testing.T, s eventstore.Store, p1, p2 int64)
	// InsertForged slips a self-consistent forged event into the middle of the
	// log and returns the position it now occupies.
	InsertForged func(t *testing.T, s eventstore.Store, e eventstore.Event) int64
	// DelayAppends makes every append to a stream named slow-* hold its
	// transaction open for d after its rows are written.
	DelayAppends func(t *testing.T, s eventstore.Store, d time.Duration)
}

// SQLiteBackend runs the suite on a fresh SQLite file per test.
func SQLiteBackend() Backend {
	raw := func(s eventstore.Store, q string, args ...any) error {
		_, err := s.(*sqlitestore.Store).DB().ExecContext(context.Background(), q, args...)
		return err
	}
	exec := mustExec(raw)
	return Backend{
		Name: "sqlite",
		New: func(t *testing.T, up *eventstore.Upcasters) eventstore.Store {
			return NewSQLiteWith(t, sqlitestore.Options{Upcasters: up, PollInterval: 50 * time.Millisecond})
		},
		Exec: raw,
		At:   func(p int64) string { return fmt.Sprintf("position = %d", p) },
		Unguard: func(t *testing.T, s eventstore.Store) {
			exec(t, s, `DROP TRIGGER events_no_update`)
			exec(t, s, `DROP TRIGGER events_no_delete`)
		},
		Swap: func(t *testing.T, s eventstore.Store, p1, p2 int64) {
			exec(t, s, `UPDATE events SET position = -1 WHERE position = ?`, p1)
			exec(t, s, `UPDATE events SET position = ? WHERE position = ?`, p1, p2)
			exec(t, s, `UPDATE events SET position = ? WHERE position = -1`, p2)
		},
		InsertForged: func(t *testing.T, s eventstore.Store, e eventstore.Event) int64 {
			// Shift the second half of the log up by one to free position 5.
			exec(t, s, `UPDATE events SET position = position + 1000000 WHERE position >= 5`)
			exec(t, s, `UPDATE events SET position = position - 999999 WHERE position >= 1000000`)
			exec(t, s, `INSERT INTO events (position, stream_id, version, id, type, schema_version, payload, actor_id, actor_role,
				correlation_id, causation_id, recorded_at, prev_hash, hash, ledger_hash)
				VALUES (5, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.StreamID, e.Version, e.ID.String(), e.Type, e.SchemaVersion, string(e.Payload), e.Actor.ID, e.Actor.Role,
				e.CorrelationID.String(), e.CausationID.String(), e.RecordedAt.Format("2006-01-02T15:04:05.000000Z"), e.PrevHash, e.Hash, e.Hash)
			exec(t, s, `INSERT INTO streams (stream_id, version, head_hash) VALUES (?, ?, ?)`, e.StreamID, e.Version, e.Hash)
			return 5
		},
		DelayAppends: func(t *testing.T, s eventstore.Store, d time.Duration) {
			exec(t, s, fmt.Sprintf(`CREATE TRIGGER slow_appends BEFORE INSERT ON events WHEN NEW.stream_id LIKE 'slow-%%'
				BEGIN SELECT appraisal_test_sleep(%d); END`, d.Milliseconds()))
		},
	}
}

// The SQLite delay trigger calls this function; it must be registered before
// the first connection opens.
func init() {
	sqlite.MustRegisterScalarFunction("appraisal_test_sleep", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		time.Sleep(time.Duration(args[0].(int64)) * time.Millisecond)
		return nil, nil
	})
}

// PostgresBackend runs the suite in a fresh schema per test.
func PostgresBackend() Backend {
	raw := func(s eventstore.Store, q string, args ...any) error {
		_, err := s.(*postgres.Store).Pool().Exec(context.Background(), q, args...)
		return err
	}
	exec := mustExec(raw)
	return Backend{
		Name: "postgres",
		New: func(t *testing.T, up *eventstore.Upcasters) eventstore.Store {
			return NewPostgresWith(t, postgres.Options{Upcasters: up, PollInterval: 50 * time.Millisecond})
		},
		Exec: raw,
		At:   func(p int64) string { return fmt.Sprintf("position = %d", p) },
		Unguard: func(t *testing.T, s eventstore.Store) {
			exec(t, s, `ALTER TABLE events DISABLE TRIGGER USER`)
			exec(t, s, `ALTER TABLE commits DISABLE TRIGGER USER`)
		},
		Swap: func(t *testing.T, s eventstore.Store, p1, p2 int64) {
			exec(t, s, `UPDATE events SET position = -1 WHERE position = $1`, p1)
			exec(t, s, `UPDATE events SET position = $1 WHERE position = $2`, p1, p2)
			exec(t, s, `UPDATE events SET position = $1 WHERE position = -1`, p2)
		},
		InsertForged: func(t *testing.T, s eventstore.Store, e eventstore.Event) int64 {
			// Shift the second half of the log up by one to free position 5.
			exec(t, s, `UPDATE events SET position = position + 1000000 WHERE position >= 5`)
			exec(t, s, `UPDATE events SET position = position - 999999 WHERE position >= 1000000`)
			exec(t, s, `INSERT INTO events (position, stream_id, version, id, type, schema_version, payload, actor_id, actor_role,
				correlation_id, causation_id, recorded_at, prev_hash, hash, ledger_hash)
				VALUES (5, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
				e.StreamID, e.Version, e.ID, e.Type, e.SchemaVersion, string(e.Payload), e.Actor.ID, e.Actor.Role,
				e.CorrelationID, e.CausationID, e.RecordedAt, e.PrevHash, e.Hash)
			return 5
		},
		DelayAppends: func(t *testing.T, s eventstore.Store, d time.Duration) {
			exec(t, s, fmt.Sprintf(`CREATE FUNCTION slow_appends() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					IF NEW.stream_id LIKE 'slow-%%' THEN PERFORM pg_sleep(%f); END IF;
					RETURN NEW;
				END $$`, d.Seconds()))
			exec(t, s, `CREATE TRIGGER slow_appends BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION slow_appends()`)
		},
	}
}

// mustExec turns a raw Exec into one that fails the test on error.
func mustExec(raw func(eventstore.Store, string, ...any) error) func(*testing.T, eventstore.Store, string, ...any) {
	return func(t *testing.T, s eventstore.Store, q string, args ...any) {
		t.Helper()
		if err := raw(s, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
