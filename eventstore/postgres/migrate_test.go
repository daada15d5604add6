package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
	"github.com/appraisal-hr/appraisal/migrations"
)

// A log written by the release before migration 00002 (positions in a
// ledger table, given by a sealer after the commit), with its last events
// committed but never sealed, comes through the upgrade whole: the unsealed
// events get the next positions, every event keeps its position and ledger
// hash, verify passes and appends carry on after it.
func TestMigrateFromTheSealerLedger(t *testing.T) {
	ctx := context.Background()
	dsn := eventstoretest.FreshSchema(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrations.ApplyUpTo(ctx, db, migrations.Postgres, 1); err != nil {
		t.Fatal(err)
	}
	// Five events on two streams as the old store wrote them; the ledger
	// covers the first three.
	streams := []string{"a", "b", "a", "b", "a"}
	heads := map[string][]byte{}
	versions := map[string]int64{}
	ledger := eventstore.GenesisHash
	var ids []uuid.UUID
	for i, stream := range streams {
		prev := heads[stream]
		if prev == nil {
			prev = eventstore.GenesisHash
		}
		ne := eventstore.NewEvent{ID: uuid.New(), Type: "test.thing_happened", SchemaVersion: 1, Payload: []byte(fmt.Sprintf(`{"i":%d}`, i))}
		prepared, err := eventstore.Prepare(stream, versions[stream], prev, []eventstore.NewEvent{ne}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		e := prepared[0]
		heads[stream], versions[stream] = e.Hash, e.Version
		ids = append(ids, e.ID)
		var txID string
		var seq int64
		err = db.QueryRowContext(ctx, `INSERT INTO events (stream_id, version, id, type, schema_version, payload, actor_id, actor_role,
			correlation_id, causation_id, recorded_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			RETURNING tx_id::text, seq`, e.StreamID, e.Version, e.ID, e.Type, e.SchemaVersion, string(e.Payload), e.Actor.ID, e.Actor.Role,
			e.CorrelationID, e.CausationID, e.RecordedAt, e.PrevHash, e.Hash).Scan(&txID, &seq)
		if err != nil {
			t.Fatal(err)
		}
		if i < 3 {
			ledger = eventstore.LedgerHash(ledger, int64(i+1), e.Hash)
			if _, err := db.ExecContext(ctx, `INSERT INTO ledger (position, tx_id, seq, ledger_hash) VALUES ($1, $2::xid8, $3, $4)`,
				i+1, txID, seq, ledger); err != nil {
				t.Fatal(err)
			}
		}
	}
	s, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Migrate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.From != 1 || res.To < 2 {
		t.Fatalf("migrate: %+v", res)
	}
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Fatalf("read %d events after the upgrade, want 5", len(all))
	}
	for i, e := range all {
		if e.Position != int64(i+1) || e.ID != ids[i] {
			t.Fatalf("event %d: position %d id %s, want position %d id %s", i, e.Position, e.ID, i+1, ids[i])
		}
	}
	if r, err := s.Verify(ctx); err != nil || !r.OK || r.Events != 5 {
		t.Fatalf("verify after the upgrade: %+v %v", r, err)
	}
	out, err := s.Append(ctx, "a", 3, event())
	if err != nil || out.FirstPosition != 6 || out.Version != 4 {
		t.Fatalf("append after the upgrade: %+v %v", out, err)
	}
	if r, err := s.Verify(ctx); err != nil || !r.OK || r.Events != 6 {
		t.Fatalf("verify after an append: %+v %v", r, err)
	}
}
