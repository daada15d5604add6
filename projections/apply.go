package projections

import (
	"context"
	"fmt"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// activeGeneration selects the projection's active generation in applyBatch.
const activeGeneration int64 = 0

// applyBatch applies events to one generation of p in a single transaction
// that also moves the generation's checkpoint, and returns the checkpoint as
// committed. from is where the caller believes the checkpoint stands: when
// the stored checkpoint differs (another process advanced it, or a rebuild
// swapped in a generation that stands elsewhere), nothing is applied and the
// stored checkpoint is returned so the caller reads again from there. That
// compare-and-set is what makes a lost leader lease harmless. Events past
// upTo (when > 0) are left for later.
func (db *DB) applyBatch(ctx context.Context, p Projection, gen, from, upTo int64, events []eventstore.Event) (int64, error) {
	name := p.Name()
	if s, ok := p.(Sender); ok {
		if err := s.Send(ctx, pending(events, from, upTo)); err != nil {
			return from, fmt.Errorf("projection %s: send after %d: %w", name, from, err)
		}
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return from, fmt.Errorf("projection %s: begin: %w", name, err)
	}
	defer tx.Rollback()
	if gen == activeGeneration {
		// The row lock orders this batch against a rebuild's swap.
		st, err := db.readState(ctx, tx, name, true)
		if err != nil {
			return from, err
		}
		gen = st.generation
	}
	cp, err := db.readCheckpoint(ctx, tx, name, gen)
	if err != nil {
		return from, err
	}
	if cp != from {
		return cp, nil
	}
	t := &Tx{db: db, tx: tx, projection: name, generation: gen, touched: map[string]struct{}{}}
	last := cp
	for _, e := range pending(events, cp, upTo) {
		t.position = e.Position
		if err := p.Apply(ctx, t, e); err != nil {
			return from, fmt.Errorf("projection %s: apply event %d (%s): %w", name, e.Position, e.Type, err)
		}
		last = e.Position
	}
	if last == cp {
		return cp, nil
	}
	if f, ok := p.(Finisher); ok {
		t.position = last
		if err := f.Finish(ctx, t); err != nil {
			return from, fmt.Errorf("projection %s: finish batch at %d: %w", name, last, err)
		}
	}
	if err := db.writeCheckpoint(ctx, tx, name, gen, last); err != nil {
		return from, err
	}
	if err := tx.Commit(); err != nil {
		return from, fmt.Errorf("projection %s: commit at %d: %w", name, last, err)
	}
	return last, nil
}

// catchUp applies every event after the generation's checkpoint up to upTo
// (0: up to the head as it moves), in batches, and returns the final
// checkpoint.
func (db *DB) catchUp(ctx context.Context, store eventstore.Store, p Projection, gen, upTo int64, batch int) (int64, error) {
	cp, err := db.readCheckpoint(ctx, db.sql, p.Name(), gen)
	if err != nil {
		return 0, err
	}
	for upTo == 0 || cp < upTo {
		events, err := store.ReadAll(ctx, cp, batch)
		if err != nil {
			return cp, fmt.Errorf("projection %s: read after %d: %w", p.Name(), cp, err)
		}
		if len(events) == 0 {
			break
		}
		next, err := db.applyBatch(ctx, p, gen, cp, upTo, events)
		if err != nil {
			return cp, err
		}
		if next == cp {
			break
		}
		cp = next
	}
	return cp, nil
}

// pending is the part of events after position from and, when upTo > 0, not
// past upTo.
func pending(events []eventstore.Event, from, upTo int64) []eventstore.Event {
	i := 0
	for i < len(events) && events[i].Position <= from {
		i++
	}
	j := i
	for j < len(events) && (upTo <= 0 || events[j].Position <= upTo) {
		j++
	}
	return events[i:j]
}
