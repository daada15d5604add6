package projections

import (
	"context"
	"fmt"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// rebuildBatch is larger than the live batch: a rebuild is pure catch-up.
// A RebuildBatcher chooses its own.
const rebuildBatch = 2000

// maxSwapAttempts bounds how often Rebuild chases a live runner that keeps
// moving ahead of the new generation before it gives up.
const maxSwapAttempts = 100

// Rebuild replays p from position 0 into a fresh generation while readers
// keep reading the active one, then swaps the new generation in with one
// update and drops the old one. It never swaps in a generation behind the
// live one, so readers never see the read model go back in time. The stored
// version becomes p.Version().
func (db *DB) Rebuild(ctx context.Context, store eventstore.Store, p Projection) error {
	name := p.Name()
	if err := db.ensureState(ctx, name, p.Version()); err != nil {
		return err
	}
	if err := db.dropAbandoned(ctx, name); err != nil {
		return err
	}
	gen, err := db.newGeneration(ctx, name)
	if err != nil {
		return err
	}
	for range maxSwapAttempts {
		if _, err := db.catchUp(ctx, store, p, gen, 0, rebuildBatchOf(p)); err != nil {
			_ = db.dropGeneration(context.WithoutCancel(ctx), name, gen)
			return err
		}
		old, swapped, err := db.swap(ctx, p, gen)
		if err != nil {
			_ = db.dropGeneration(context.WithoutCancel(ctx), name, gen)
			return err
		}
		if swapped {
			return db.dropGeneration(ctx, name, old)
		}
	}
	_ = db.dropGeneration(context.WithoutCancel(ctx), name, gen)
	return fmt.Errorf("rebuild %s: the live projection kept moving ahead of the rebuild", name)
}

// swap makes gen the active generation if it is at least as far as the
// active one; it reports the generation replaced.
func (db *DB) swap(ctx context.Context, p Projection, gen int64) (old int64, swapped bool, err error) {
	name := p.Name()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("swap %s: %w", name, err)
	}
	defer tx.Rollback()
	st, err := db.readState(ctx, tx, name, true)
	if err != nil {
		return 0, false, err
	}
	live, err := db.readCheckpoint(ctx, tx, name, st.generation)
	if err != nil {
		return 0, false, err
	}
	rebuilt, err := db.readCheckpoint(ctx, tx, name, gen)
	if err != nil {
		return 0, false, err
	}
	if rebuilt < live {
		return 0, false, nil
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE projection_state SET active_generation = ?, version = ?
		WHERE projection = ?`), gen, p.Version(), name); err != nil {
		return 0, false, fmt.Errorf("swap %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("swap %s: %w", name, err)
	}
	return st.generation, true, nil
}

// CheckResult compares a projection's live read model with one rebuilt from
// position 0 up to the same position.
type CheckResult struct {
	Projection string
	Position   int64
	Live       Digest
	Rebuilt    Digest
	// StoredVersion is the version the live read model was built with; when
	// it is not the code's, a mismatch means "rebuild", not "corrupted".
	StoredVersion int
}

// Match tells whether the rebuilt read model is byte-identical to the live one.
func (c CheckResult) Match() bool { return c.Live == c.Rebuilt }

// Check rebuilds p into a scratch generation up to the live checkpoint and
// compares digests. The live digest and checkpoint are read in one snapshot,
// so the live runner may keep going meanwhile.
func (db *DB) Check(ctx context.Context, store eventstore.Store, p Projection) (CheckResult, error) {
	name := p.Name()
	res := CheckResult{Projection: name}
	st, err := db.readState(ctx, db.sql, name, false)
	if err != nil {
		return res, err
	}
	res.StoredVersion = st.version
	live, pos, err := db.liveDigest(ctx, name)
	if err != nil {
		return res, err
	}
	res.Live, res.Position = live, pos
	gen, err := db.newGeneration(ctx, name)
	if err != nil {
		return res, err
	}
	defer func() { _ = db.dropGeneration(context.WithoutCancel(ctx), name, gen) }()
	if pos > 0 {
		if _, err := db.catchUp(ctx, store, p, gen, pos, rebuildBatchOf(p)); err != nil {
			return res, err
		}
	}
	res.Rebuilt, err = db.digest(ctx, db.sql, name, gen)
	return res, err
}
