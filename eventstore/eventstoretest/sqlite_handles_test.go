package eventstoretest

import (
	"context"
	"testing"
)

// The SQLite store's read-model handle commits without an fsync of its own
// (synchronous=NORMAL) on the same database, while appends and everything
// else on DB() keep synchronous=FULL; what one handle commits the other
// reads at once.
func TestSQLiteReadModelHandle(t *testing.T) {
	ctx := context.Background()
	s := NewSQLite(t)
	rm, prepare, err := s.ReadModels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var main, models int
	if err := s.DB().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&main); err != nil {
		t.Fatal(err)
	}
	if err := rm.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&models); err != nil {
		t.Fatal(err)
	}
	if main != 2 || models != 1 {
		t.Fatalf("synchronous: store %d, read models %d; want 2 (FULL) and 1 (NORMAL)", main, models)
	}
	if _, err := rm.ExecContext(ctx, `CREATE TABLE rm_probe (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	ins, err := prepare(ctx, `INSERT INTO rm_probe (n) VALUES (?)`)
	if err != nil {
		t.Fatal(err)
	}
	again, err := prepare(ctx, `INSERT INTO rm_probe (n) VALUES (?)`)
	if err != nil || again != ins {
		t.Fatalf("second prepare: %p, %v; want the cached statement %p", again, err, ins)
	}
	tx, err := rm.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.StmtContext(ctx, ins).ExecContext(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT n FROM rm_probe`).Scan(&n); err != nil || n != 7 {
		t.Fatalf("the store's handle reads %d, %v; want the read-model handle's 7", n, err)
	}
	if again, _, err := s.ReadModels(ctx); err != nil || again != rm {
		t.Fatalf("ReadModels opened a second handle (%v)", err)
	}
}
