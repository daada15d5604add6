package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// activeGeneration selects the projection's active generation in applyBatch.
const activeGeneration int64 = 0

// batch says where a batch goes and how its Finish runs.
type batch struct {
	gen  int64 // generation, or activeGeneration
	from int64 // where the caller believes the checkpoint stands
	upTo int64 // events past upTo (when > 0) are left for later
	// pending carries touched keys from batch to batch of a rebuild, whose
	// generation nobody reads until the swap: Finish then runs once, on the
	// final batch, instead of after every batch. Nil for live batches.
	pending map[string]struct{}
	final   bool
	// memory is a rebuild's own memory of its generation (known.go), kept
	// from batch to batch of one catch-up; nil for live batches, which use
	// the process's memory of the active generation.
	memory *knownDocs
}

// applyBatch applies events to one generation of p in a single transaction
// that also moves the generation's checkpoint, and returns the checkpoint as
// committed. When the stored checkpoint differs from b.from (another process
// advanced it, or a rebuild swapped in a generation that stands elsewhere),
// nothing is applied and the stored checkpoint is returned so the caller
// reads again from there. That compare-and-set is what makes a lost leader
// lease harmless.
//
// A live batch that starts where this process last committed leaves its
// transaction to the projection's first read or write of a document
// (batchTx): a batch of events that change nothing of the read model (a
// storm of saved drafts, for the cycles projection and the timeline alike)
// then moves the checkpoint with one conditional statement (DB.advance)
// instead of five round trips (begin, lock, read, write, commit), each
// paid by this process and by the database.
func (db *DB) applyBatch(ctx context.Context, p Projection, b batch, events []eventstore.Event) (int64, error) {
	name := p.Name()
	if pr, ok := p.(Preparer); ok {
		if err := pr.Prepare(ctx, window(events, b.from, b.upTo)); err != nil {
			return b.from, fmt.Errorf("projection %s: prepare after %d: %w", name, b.from, err)
		}
	}
	if s, ok := p.(Sender); ok {
		if err := s.Send(ctx, window(events, b.from, b.upTo)); err != nil {
			return b.from, fmt.Errorf("projection %s: send after %d: %w", name, b.from, err)
		}
	}
	bt := &batchTx{db: db, name: name, gen: b.gen, from: b.from, active: b.gen == activeGeneration}
	defer bt.end()
	lazy := false
	if bt.active {
		bt.gen, lazy = db.known.standing(name, b.from)
	}
	if !lazy {
		if _, err := bt.begin(ctx); err != nil {
			return bt.outcome(b.from, err)
		}
	}
	gen, cp := bt.gen, b.from
	touched := b.pending
	if touched == nil {
		touched = map[string]struct{}{}
	}
	t := &Tx{db: db, batch: bt, projection: name, generation: gen, touched: touched}
	t.knowsNothing = true
	switch {
	case bt.active:
		t.known = db.known.begin(name, gen, cp)
	case b.memory != nil:
		t.known = b.memory
	}
	if t.known != nil {
		t.from, t.staged = cp, map[docKey]*docState{}
		t.knowsNothing, t.knowsAll = db.known.describe(t.known)
	}
	last := cp
	for _, e := range window(events, cp, b.upTo) {
		t.position = e.Position
		if err := p.Apply(ctx, t, e); err != nil {
			return bt.outcome(b.from, fmt.Errorf("projection %s: apply event %d (%s): %w", name, e.Position, e.Type, err))
		}
		last = e.Position
	}
	if last == cp && !(b.final && len(touched) > 0) {
		return bt.outcome(cp, nil)
	}
	if f, ok := p.(Finisher); ok && (b.pending == nil || b.final) {
		t.position = last
		if err := f.Finish(ctx, t); err != nil {
			return bt.outcome(b.from, fmt.Errorf("projection %s: finish batch at %d: %w", name, last, err))
		}
		clear(touched)
	}
	if err := t.flush(ctx); err != nil {
		return bt.outcome(b.from, fmt.Errorf("projection %s: write batch at %d: %w", name, last, err))
	}
	if bt.err != nil {
		// A read or write found the generation elsewhere, and the
		// projection went on without it.
		return bt.outcome(b.from, bt.err)
	}
	if bt.q == nil {
		moved, stored, err := db.advance(ctx, name, gen, cp, last)
		if err != nil {
			db.known.forget(name) // the statement's outcome is not known
			return b.from, err
		}
		if !moved {
			bt.err, bt.stored = errStaleBatch, stored
			return bt.outcome(b.from, nil)
		}
	} else {
		if err := db.writeCheckpoint(ctx, bt.q, name, gen, last); err != nil {
			return b.from, err
		}
		if err := bt.tx.Commit(); err != nil {
			return b.from, fmt.Errorf("projection %s: commit at %d: %w", name, last, err)
		}
	}
	if t.known != nil {
		db.known.commit(t.known, gen, cp, last, t.staged)
	}
	return last, nil
}

// batchTx is a batch's transaction, begun when the batch starts or, for a
// live batch that starts where this process last committed, at its first
// read or write of a document.
type batchTx struct {
	db   *DB
	name string
	// gen is the generation the batch applies to; from is where it
	// believes that generation's checkpoint stands. active: gen is (or is
	// believed to be) the active generation, which begin locks.
	gen, from int64
	active    bool
	tx        *sql.Tx
	q         querier // the transaction, once begun and checked
	unlock    func()
	// err: the begin failed, or found the checkpoint elsewhere (stale);
	// every later read or write of the batch fails with it.
	err    error
	stored int64 // the checkpoint found, when stale
}

// errStaleBatch: the generation's checkpoint is not where the batch began.
var errStaleBatch = errors.New("the checkpoint moved")

// begin begins the transaction and checks that the batch's generation and
// checkpoint stand where it believes; it returns the transaction.
func (bt *batchTx) begin(ctx context.Context) (querier, error) {
	if bt.q != nil || bt.err != nil {
		return bt.q, bt.err
	}
	db := bt.db
	if db.writeLock != nil {
		db.writeLock.Lock()
		bt.unlock = db.writeLock.Unlock
	}
	db.begins.Add(1)
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		bt.err = fmt.Errorf("projection %s: begin: %w", bt.name, err)
		return nil, bt.err
	}
	bt.tx = tx
	q := db.prepared(tx)
	if !bt.active && db.lz4 {
		// A rebuild writes every document of the generation, most of them
		// over the 2 kB past which PostgreSQL compresses a value (the
		// 10,000 results of a cycle are 50 MB). Inserting 10,000 JSON-like
		// values of 4 kB took 153 ms with pglz, the default, and 54 ms
		// with lz4, which stored them in 21 MB against 14 MB; the 10k
		// rebuild ran some 17 % faster. The documents read back byte for
		// byte either way. Live batches, which write a few documents
		// each, keep the server's default.
		if _, err := q.ExecContext(ctx, `SET LOCAL default_toast_compression = lz4`); err != nil {
			bt.err = fmt.Errorf("projection %s: begin: %w", bt.name, err)
			return nil, bt.err
		}
	}
	gen := bt.gen
	if bt.active {
		// The row lock orders this batch against a rebuild's swap.
		st, err := db.readState(ctx, q, bt.name, true)
		if err != nil {
			bt.err = err
			return nil, err
		}
		gen = st.generation
	}
	cp, err := db.readCheckpoint(ctx, q, bt.name, gen)
	if err != nil {
		bt.err = err
		return nil, err
	}
	if cp != bt.from || (bt.gen != activeGeneration && gen != bt.gen) {
		bt.err, bt.stored = errStaleBatch, cp
		return nil, bt.err
	}
	bt.gen, bt.q = gen, q
	return q, nil
}

// outcome is what applyBatch returns for checkpoint cp and err: the stored
// checkpoint, and no error, when the batch found it elsewhere. The process
// then forgets what it knew of the projection: that may describe a
// generation a rebuild swapped out at the very checkpoint the new one
// stands at, and would send every next batch down the same path.
func (bt *batchTx) outcome(cp int64, err error) (int64, error) {
	if errors.Is(bt.err, errStaleBatch) {
		bt.db.known.forget(bt.name)
		return bt.stored, nil
	}
	return cp, err
}

// end rolls back what was not committed and lets go of SQLite's write lock.
func (bt *batchTx) end() {
	if bt.tx != nil {
		_ = bt.tx.Rollback()
	}
	if bt.unlock != nil {
		bt.unlock()
	}
}

// catchUp applies every event after the generation's checkpoint up to upTo
// (0: up to the head as it moves) to a generation being rebuilt, in batches
// whose Finish is deferred to the last one, and returns the final
// checkpoint.
func (db *DB) catchUp(ctx context.Context, store eventstore.Store, p Projection, gen, upTo int64, size int) (int64, error) {
	cp, err := db.readCheckpoint(ctx, db.sql, p.Name(), gen)
	if err != nil {
		return 0, err
	}
	read := store.ReadAll
	if hr, ok := store.(eventstore.HeaderReader); ok {
		_, headers := p.(HeaderApplier)
		_, sends := p.(Sender)
		if headers && !sends {
			read = hr.ReadAllHeaders
		}
	}
	b := batch{gen: gen, upTo: upTo, pending: map[string]struct{}{}}
	if _, ok := p.(Rememberer); ok {
		// The generation is new and nobody else writes it: what the
		// batches write and read of it can be remembered from one to the
		// next. A batch that fails ends the rebuild, and its generation
		// with it. From checkpoint 0 the generation is empty, and the
		// memory knows all of it: a document it does not hold is absent,
		// not to be read.
		b.memory = &knownDocs{generation: gen, checkpoint: cp, docs: map[docKey]docState{}, complete: cp == 0}
	}
	for {
		events, err := read(ctx, cp, size)
		if err != nil {
			return cp, fmt.Errorf("projection %s: read after %d: %w", p.Name(), cp, err)
		}
		b.from = cp
		b.final = len(events) < size || (upTo > 0 && events[len(events)-1].Position >= upTo)
		if len(events) == 0 && len(b.pending) == 0 {
			return cp, nil
		}
		if cp, err = db.applyBatch(ctx, p, b, events); err != nil {
			return cp, err
		}
		if b.final {
			return cp, nil
		}
	}
}

// window is the part of events after position from and, when upTo > 0, not
// past upTo.
func window(events []eventstore.Event, from, upTo int64) []eventstore.Event {
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
