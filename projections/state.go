package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// state is a projection's row in projection_state.
type state struct {
	version    int
	generation int64
}

// ensureState registers a projection the first time it is seen: version as
// given, generation 1 at position 0. An existing row is left alone.
func (db *DB) ensureState(ctx context.Context, name string, version int) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("register projection %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO projection_state (projection, version, active_generation)
		VALUES (?, ?, 1) ON CONFLICT (projection) DO NOTHING`), name, version); err != nil {
		return fmt.Errorf("register projection %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO projection_checkpoints (projection, generation, position)
		VALUES (?, 1, 0) ON CONFLICT (projection, generation) DO NOTHING`), name); err != nil {
		return fmt.Errorf("register projection %s: %w", name, err)
	}
	return tx.Commit()
}

// readState reads a projection's version and active generation; lock holds
// the row until the transaction ends so that a swap and a batch of the live
// runner never interleave.
func (db *DB) readState(ctx context.Context, q querier, name string, lock bool) (state, error) {
	query := `SELECT version, active_generation FROM projection_state WHERE projection = ?`
	if lock {
		query += db.forUpdate()
	}
	var s state
	err := q.QueryRowContext(ctx, db.rebind(query), name).Scan(&s.version, &s.generation)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("projection %s: %w", name, ErrUnknownProjection)
	}
	if err != nil {
		return s, fmt.Errorf("read state of projection %s: %w", name, err)
	}
	return s, nil
}

// readCheckpoint is the last position applied to a generation.
func (db *DB) readCheckpoint(ctx context.Context, q querier, name string, gen int64) (int64, error) {
	var pos int64
	err := q.QueryRowContext(ctx, db.rebind(`SELECT position FROM projection_checkpoints
		WHERE projection = ? AND generation = ?`), name, gen).Scan(&pos)
	if err != nil {
		return 0, fmt.Errorf("read checkpoint of %s generation %d: %w", name, gen, err)
	}
	return pos, nil
}

func (db *DB) writeCheckpoint(ctx context.Context, q querier, name string, gen, pos int64) error {
	_, err := q.ExecContext(ctx, db.rebind(`UPDATE projection_checkpoints SET position = ?
		WHERE projection = ? AND generation = ?`), pos, name, gen)
	if err != nil {
		return fmt.Errorf("write checkpoint of %s generation %d: %w", name, gen, err)
	}
	return nil
}

// advance moves the checkpoint of generation gen from from to to in one
// statement, if gen is still the active generation and its checkpoint still
// stands at from: a batch that wrote nothing needs no more. The state row is
// locked for the statement, as a batch's transaction locks it, so that a
// rebuild's swap never reads a checkpoint this moves past. When it did not
// move, it reports the active generation's checkpoint.
func (db *DB) advance(ctx context.Context, name string, gen, from, to int64) (moved bool, stored int64, err error) {
	if db.writeLock != nil {
		db.writeLock.Lock()
		defer db.writeLock.Unlock()
	}
	res, err := db.prepared(db.sql).ExecContext(ctx, db.rebind(`UPDATE projection_checkpoints SET position = ?
		WHERE projection = ? AND generation = ? AND position = ?
		AND generation = (SELECT active_generation FROM projection_state WHERE projection = ?`+db.forUpdate()+`)`),
		to, name, gen, from, name)
	if err != nil {
		return false, from, fmt.Errorf("move checkpoint of %s generation %d to %d: %w", name, gen, to, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		stored, err := db.Checkpoint(ctx, name)
		if err != nil {
			return false, from, err
		}
		return false, stored, nil
	}
	return true, to, nil
}

// Checkpoint is the last position applied to a projection's active
// generation, as committed (any process may ask, leader or not).
func (db *DB) Checkpoint(ctx context.Context, name string) (int64, error) {
	var pos int64
	err := db.prepared(db.sql).QueryRowContext(ctx, db.rebind(`SELECT c.position FROM projection_checkpoints c
		JOIN projection_state s ON s.projection = c.projection AND s.active_generation = c.generation
		WHERE c.projection = ?`), name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("projection %s: %w", name, ErrUnknownProjection)
	}
	if err != nil {
		return 0, fmt.Errorf("read checkpoint of %s: %w", name, err)
	}
	return pos, nil
}

// ErrUnknownProjection is returned for a projection name never registered.
var ErrUnknownProjection = errors.New("unknown projection")

// newGeneration allocates an empty generation for a rebuild, at position 0.
func (db *DB) newGeneration(ctx context.Context, name string) (int64, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("new generation of %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := db.readState(ctx, tx, name, true); err != nil {
		return 0, err
	}
	var gen int64
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COALESCE(MAX(generation), 0) + 1
		FROM projection_checkpoints WHERE projection = ?`), name).Scan(&gen); err != nil {
		return 0, fmt.Errorf("new generation of %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO projection_checkpoints (projection, generation, position)
		VALUES (?, ?, 0)`), name, gen); err != nil {
		return 0, fmt.Errorf("new generation of %s: %w", name, err)
	}
	return gen, tx.Commit()
}

// dropGeneration deletes a generation's documents and checkpoint.
func (db *DB) dropGeneration(ctx context.Context, name string, gen int64) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("drop generation %d of %s: %w", gen, name, err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM projection_documents WHERE projection = ? AND generation = ?`,
		`DELETE FROM projection_checkpoints WHERE projection = ? AND generation = ?`,
	} {
		if _, err := tx.ExecContext(ctx, db.rebind(q), name, gen); err != nil {
			return fmt.Errorf("drop generation %d of %s: %w", gen, name, err)
		}
	}
	return tx.Commit()
}

// dropAbandoned drops every generation but the active one: what a rebuild
// or check that died half-way left behind. Rebuilds of one projection are
// meant to run one at a time; a concurrent one loses its generation and
// fails at its swap rather than swapping in anything wrong.
func (db *DB) dropAbandoned(ctx context.Context, name string) error {
	st, err := db.readState(ctx, db.sql, name, false)
	if err != nil {
		return err
	}
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT generation FROM projection_checkpoints
		WHERE projection = ? AND generation <> ?`), name, st.generation)
	if err != nil {
		return fmt.Errorf("find abandoned generations of %s: %w", name, err)
	}
	var gens []int64
	for rows.Next() {
		var g int64
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return fmt.Errorf("find abandoned generations of %s: %w", name, err)
		}
		gens = append(gens, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find abandoned generations of %s: %w", name, err)
	}
	for _, g := range gens {
		if err := db.dropGeneration(ctx, name, g); err != nil {
			return err
		}
	}
	return nil
}
