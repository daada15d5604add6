package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// Projection folds events into read-model documents. Apply must be
// deterministic: the same events in the same order must write the same
// documents byte for byte, because rebuilds are checked against the live
// generation by digest.
type Projection interface {
	// Name is permanent: it keys the checkpoint, the documents and the
	// leader lock.
	Name() string
	// Version changes when the read model's shape changes; the runner then
	// rebuilds the projection into a new generation before following live.
	Version() int
	// Apply writes what event e changes, through tx only.
	Apply(ctx context.Context, tx *Tx, e eventstore.Event) error
}

// Apply and Finish run inside the batch transaction, while the batch holds the
// SQLite store's write lock (sqlite.Store.WriteLock): they must never append
// to the event store, which would wait for that lock forever. Work that
// appends belongs in a handler of the relay's messages (Preparer and Sender
// run before the lock) or in a loop of its own, as projections/deadlines does.

// Finisher is a Projection that does part of its work once per batch, after
// the last Apply and before the commit (for example recomputing each cycle
// touched by the batch once instead of once per event).
type Finisher interface {
	Finish(ctx context.Context, tx *Tx) error
}

// RebuildBatcher is a Projection that wants rebuild batches of its own
// size: one whose Finish costs much per batch (a whole cycle recomputed)
// and so gains from few, large batches when replaying history.
type RebuildBatcher interface {
	RebuildBatch() int
}

// rebuildBatchOf is p's rebuild batch size.
func rebuildBatchOf(p Projection) int {
	if b, ok := p.(RebuildBatcher); ok && b.RebuildBatch() > 0 {
		return b.RebuildBatch()
	}
	return rebuildBatch
}

// Rememberer is a Projection whose rebuilds keep a memory of the generation
// they fill from one batch to the next (known.go), as live batches keep one
// of the active generation: one that looks documents up (Tx.Claim), so that
// a rebuild reads none of them back. Other projections' rebuilds, which
// write far more documents than they look up, keep none.
type Rememberer interface {
	RemembersInRebuild()
}

// HeaderApplier is a Projection whose Apply and Prepare read of an event
// only its Position, StreamID, Version and Type. Its rebuilds and checks
// read the log through eventstore.HeaderReader when the store is one (and
// the projection no Sender, which hands the events on): decoding the
// payloads, ids, times and hashes of every event was most of a catch-up
// read's cost, for nothing.
type HeaderApplier interface {
	AppliesHeadersOnly()
}

// Preparer is a Projection that must wait for something outside the
// database before it can apply a batch (the cycles projection waits for its
// event index to hold the batch). Prepare runs before the batch transaction
// opens, so no transaction holds a pooled connection while it waits.
type Preparer interface {
	Prepare(ctx context.Context, events []eventstore.Event) error
}

// Sender is a Projection whose effect lies outside the database, such as
// publishing to a message bus. Send gets the batch before its transaction
// begins, so a slow or re-entrant side effect (an in-process consumer writing
// to the same SQLite file) never runs under the database's write lock; the
// checkpoint commits only after Send returned, so delivery is at least once
// and a crash in between sends the batch again.
type Sender interface {
	Send(ctx context.Context, events []eventstore.Event) error
}

// Tx is a projection's view of one batch transaction: documents of its own
// active generation only.
type Tx struct {
	db *DB
	// batch is the batch's transaction (its statements prepared on
	// SQLite), begun at the first read or write when it is not yet.
	batch      *batchTx
	projection string
	generation int64
	position   int64 // position of the event being applied
	touched    map[string]struct{}
	// pending are the documents Put since the last statement: they go to
	// the database together (writeMany), before anything else the batch
	// reads or writes and before its checkpoint, so that a batch costs a
	// round trip per writeRows documents rather than one per document.
	// pendingAt indexes them by collection and id: a document Put twice
	// is written once, as last Put.
	pending   []row
	pendingAt map[[2]string]int
	// known is what this process knows the generation's documents hold as
	// of checkpoint from (nil in rebuilds; see known.go); staged is what
	// this batch learnt and wrote since (nil: forget the document), kept
	// once the batch commits.
	known  *knownDocs
	from   int64
	staged map[docKey]*docState
	// knowsNothing: the process knew no document of the generation when
	// the batch began (known is empty, or nil). knowsAll: known holds every
	// document of the generation (knownDocs.complete), and must go on
	// doing so: a Put is remembered rather than forgotten.
	knowsNothing, knowsAll bool
}

// lookup is what the batch knows of a document: what it wrote or read
// itself, else what the process knew when the batch began.
func (t *Tx) lookup(key docKey) (docState, bool) {
	if s, ok := t.staged[key]; ok {
		if s == nil {
			return docState{}, false
		}
		return *s, true
	}
	if t.known == nil {
		return docState{}, false
	}
	return t.db.known.lookup(t.known, t.generation, t.from, key)
}

// learn stages what the batch now knows of a document (nil: nothing).
func (t *Tx) learn(key docKey, s *docState) {
	if t.known != nil {
		t.staged[key] = s
	}
}

// ErrNotFound is returned when a document does not exist.
var ErrNotFound = errors.New("read-model document not found")

// Position is the global position of the event being applied (after Finish
// starts: the batch's last position).
func (t *Tx) Position() int64 { return t.position }

// Touch remembers a key (for example a cycle id) for Finish.
func (t *Tx) Touch(key string) { t.touched[key] = struct{}{} }

// Touched lists the keys remembered during this batch in sorted order, so
// that Finish works in a deterministic order.
func (t *Tx) Touched() []string {
	keys := make([]string, 0, len(t.touched))
	for k := range t.touched {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Put stores v as the JSON document (collection, id) in group grp (a key to
// list documents by, such as an employee id; "" for none). The write itself
// may wait for the batch's next statement (Tx.pending); what the batch reads
// afterwards sees it all the same.
func (t *Tx) Put(ctx context.Context, collection, id, grp string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", collection, id, err)
	}
	// What a Put writes is not remembered (known.go): only SyncIDs reads
	// what is known, and the documents projections Put (one per event on a
	// timeline) are never synced, so remembering each would cost two
	// digests and a map entry per document for nothing. A document the
	// process may know is forgotten instead, so that what it knew is never
	// taken for what the document holds now. A memory that holds every
	// document (a rebuild's) must stay whole, so it remembers the Put.
	if t.knowsAll {
		s := stateOf(body)
		t.learn(keyOf(collection, id), &s)
		return t.stage(ctx, row{collection: collection, id: id, grp: grp, pos: t.position, body: body, state: s})
	}
	if !t.knowsNothing || len(t.staged) > 0 {
		t.learn(keyOf(collection, id), nil)
	}
	return t.stage(ctx, row{collection: collection, id: id, grp: grp, pos: t.position, body: body, unlearnt: true})
}

// Claimed is what Tx.Claim found.
type Claimed int

const (
	// ClaimedNow: there was no such document; the claim wrote it.
	ClaimedNow Claimed = iota
	// ClaimedAlready: the document holds exactly the claim.
	ClaimedAlready
	// ClaimedOther: the document holds something else, left as it is.
	ClaimedOther
)

// Claim writes v as document (collection, id) in group grp if there is no
// such document yet, and reports what it found. It is for documents written
// once and then only looked up, such as the timeline's registrations of
// streams: the process remembers them (known.go), live and in rebuilds, so a
// claim made again costs a lookup in memory rather than a read.
func (t *Tx) Claim(ctx context.Context, collection, id, grp string, v any) (Claimed, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("encode %s/%s: %w", collection, id, err)
	}
	key, now := keyOf(collection, id), stateOf(body)
	before, known := t.lookup(key)
	if !known {
		// What is read must include what this batch wrote.
		if err := t.flush(ctx); err != nil {
			return 0, err
		}
		old, err := t.bodies(ctx, collection, []string{id})
		if err != nil {
			return 0, err
		}
		if prev, had := old[id]; had {
			before = stateOf([]byte(prev))
		}
		t.learn(key, &before)
	}
	switch {
	case !before.present:
		t.learn(key, &now)
		return ClaimedNow, t.stage(ctx, row{collection: collection, id: id, grp: grp, pos: t.position, body: body, state: now})
	case before.sum == now.sum:
		return ClaimedAlready, nil
	}
	return ClaimedOther, nil
}

// stage adds r to the pending documents, in place of a pending document
// with its collection and id, and writes them once writeRows are pending.
func (t *Tx) stage(ctx context.Context, r row) error {
	key := [2]string{r.collection, r.id}
	if i, ok := t.pendingAt[key]; ok {
		t.pending[i] = r
		return nil
	}
	if t.pendingAt == nil {
		t.pendingAt = map[[2]string]int{}
	}
	t.pendingAt[key] = len(t.pending)
	t.pending = append(t.pending, r)
	if len(t.pending) >= writeRows {
		return t.flush(ctx)
	}
	return nil
}

// flush writes the pending documents.
func (t *Tx) flush(ctx context.Context) error {
	if len(t.pending) == 0 {
		return nil
	}
	rows := t.pending
	t.pending = t.pending[:0:0]
	clear(t.pendingAt)
	return t.writeMany(ctx, rows)
}

// Get decodes document (collection, id) into v; ErrNotFound when absent.
func (t *Tx) Get(ctx context.Context, collection, id string, v any) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	q, err := t.batch.begin(ctx)
	if err != nil {
		return err
	}
	return getDoc(ctx, t.db, q, t.projection, t.generation, collection, id, v)
}

// GetMany reads the raw JSON of the documents of a collection with the
// given ids, in one statement per writeRows ids; an id with no document is
// absent from the map.
func (t *Tx) GetMany(ctx context.Context, collection string, ids []string) (map[string]json.RawMessage, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	bodies, err := t.bodies(ctx, collection, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(bodies))
	for id, body := range bodies {
		out[id] = json.RawMessage(body)
	}
	return out, nil
}

// Delete removes document (collection, id) if it exists.
func (t *Tx) Delete(ctx context.Context, collection, id string) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	q, err := t.batch.begin(ctx)
	if err != nil {
		return err
	}
	t.learn(keyOf(collection, id), &docState{})
	_, err = q.ExecContext(ctx, t.db.rebind(`DELETE FROM projection_documents
		WHERE projection = ? AND generation = ? AND collection = ? AND doc_id = ?`),
		t.projection, t.generation, collection, id)
	if err != nil {
		return fmt.Errorf("delete %s/%s: %w", collection, id, err)
	}
	return nil
}

// List returns the raw JSON documents of a collection's group in id order.
func (t *Tx) List(ctx context.Context, collection, grp string) ([]Document, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	q, err := t.batch.begin(ctx)
	if err != nil {
		return nil, err
	}
	return listDocs(ctx, t.db, q, t.projection, t.generation, collection, grp)
}

// Sync makes a group of a collection hold exactly docs (id -> value):
// documents whose JSON is unchanged are left alone, changed ones rewritten,
// missing ones deleted. Synced documents are derived from many events at
// once, so they carry position 0 rather than a position that would depend on
// how events were batched; that keeps a rebuild byte-identical.
func (t *Tx) Sync(ctx context.Context, collection, grp string, docs map[string]any) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	q, err := t.batch.begin(ctx)
	if err != nil {
		return err
	}
	existing, err := listDocs(ctx, t.db, q, t.projection, t.generation, collection, grp)
	if err != nil {
		return err
	}
	old := make(map[string]string, len(existing))
	for _, d := range existing {
		old[d.ID] = string(d.Body)
	}
	ids := make([]string, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	// The documents are encoded on other goroutines, writeRows at a time
	// in id order, while this one compares and writes the chunks already
	// encoded: encoding a whole cycle's 10,000 results (50 MB), then
	// writing them, took half a second of a 10k rebuild on PostgreSQL;
	// side by side, about a third.
	enc := encodeDocs(ids, docs)
	defer enc.stop()
	var changed []row
	for c := 0; c*writeRows < len(ids); c++ {
		lo, hi := c*writeRows, min(len(ids), (c+1)*writeRows)
		if err := enc.wait(c); err != nil {
			return fmt.Errorf("encode %s/%w", collection, err)
		}
		for i, id := range ids[lo:hi] {
			body := enc.bodies[lo+i]
			prev, had := old[id]
			delete(old, id)
			if !had || prev != string(body) {
				changed = append(changed, row{collection: collection, id: id, grp: grp, body: body})
			} else {
				s := stateOf(body)
				t.learn(keyOf(collection, id), &s)
			}
		}
		if len(changed) >= writeRows {
			if err := t.writeMany(ctx, changed); err != nil {
				return err
			}
			changed = changed[:0]
		}
	}
	if err := t.writeMany(ctx, changed); err != nil {
		return err
	}
	for id := range old {
		if err := t.Delete(ctx, collection, id); err != nil {
			return err
		}
	}
	return nil
}

// encodedDocs is the JSON of documents encoded by encodeDocs: bodies[i] is
// that of ids[i], once wait returned nil for its chunk.
type encodedDocs struct {
	bodies [][]byte
	done   []chan struct{} // closed once a chunk of writeRows is encoded
	errs   []error         // per chunk ("id: error"), read after its done
	next   atomic.Int64    // the next chunk to encode
	halt   atomic.Bool
	wg     sync.WaitGroup
}

// encodeDocs encodes docs[id] for each of ids, chunk by chunk in id order,
// on up to GOMAXPROCS goroutines; a group of one chunk or less is encoded
// on the caller's goroutine. The documents are only read, by json.Marshal.
func encodeDocs(ids []string, docs map[string]any) *encodedDocs {
	chunks := (len(ids) + writeRows - 1) / writeRows
	e := &encodedDocs{bodies: make([][]byte, len(ids)), done: make([]chan struct{}, chunks), errs: make([]error, chunks)}
	for c := range e.done {
		e.done[c] = make(chan struct{})
	}
	work := func() {
		for c := int(e.next.Add(1)) - 1; c < chunks && !e.halt.Load(); c = int(e.next.Add(1)) - 1 {
			for i := c * writeRows; i < min(len(ids), (c+1)*writeRows); i++ {
				body, err := json.Marshal(docs[ids[i]])
				if err != nil {
					e.errs[c] = fmt.Errorf("%s: %w", ids[i], err)
					break
				}
				e.bodies[i] = body
			}
			close(e.done[c])
		}
	}
	if chunks <= 1 {
		work()
		return e
	}
	for range min(chunks, runtime.GOMAXPROCS(0)) {
		e.wg.Go(work)
	}
	return e
}

// wait waits until chunk c is encoded and returns its error.
func (e *encodedDocs) wait(c int) error {
	<-e.done[c]
	return e.errs[c]
}

// stop makes the goroutines encode no further chunk and waits for them.
func (e *encodedDocs) stop() {
	e.halt.Store(true)
	e.wg.Wait()
}

// row is one document to write at position pos.
type row struct {
	collection, id, grp string
	pos                 int64
	body                []byte
	state               docState // what to remember of it, when already known
	unlearnt            bool     // written by Put: not remembered
}

// writeRows is how many documents one INSERT carries at most: a round trip
// per document would dominate a rebuild that writes tens of thousands.
const writeRows = 256

// chunkSize is how many of n remaining rows the next statement carries:
// writeRows, or the largest power of two not above n. Statements are
// prepared and kept per text (stmts.go, and pgx's cache), so their sizes
// come from a set of nine rather than every count up to writeRows.
func chunkSize(n int) int {
	if n >= writeRows {
		return writeRows
	}
	size := 1
	for size*2 <= n {
		size *= 2
	}
	return size
}

func (t *Tx) writeMany(ctx context.Context, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	tx, err := t.batch.begin(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.unlearnt {
			continue
		}
		s := r.state
		if !s.present {
			s = stateOf(r.body)
		}
		t.learn(keyOf(r.collection, r.id), &s)
	}
	if t.db.dialect == Postgres {
		return t.writeArrays(ctx, tx, rows)
	}
	for len(rows) > 0 {
		chunk := rows[:chunkSize(len(rows))]
		rows = rows[len(chunk):]
		var q strings.Builder
		q.WriteString(`INSERT INTO projection_documents (projection, generation, collection, doc_id, grp, position, body) VALUES `)
		args := make([]any, 0, 7*len(chunk))
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, t.projection, t.generation, r.collection, r.id, r.grp, r.pos, string(r.body))
		}
		q.WriteString(` ON CONFLICT (projection, generation, collection, doc_id)
			DO UPDATE SET grp = excluded.grp, position = excluded.position, body = excluded.body`)
		if _, err := tx.ExecContext(ctx, t.db.rebind(q.String()), args...); err != nil {
			return fmt.Errorf("put %d documents of %s: %w", len(chunk), chunk[0].collection, err)
		}
	}
	return nil
}

// writeArraysSQL writes documents on PostgreSQL: one array per column, so
// that the statement's text and its seven parameters are the same for any
// number of rows. As a multi-row VALUES list, each document took seven
// parameters to encode and bind, PostgreSQL planned a statement of up to
// 1,792 of them on every batch, and a batch's documents went in as many
// statements as its count has bits (chunkSize).
const writeArraysSQL = `INSERT INTO projection_documents (projection, generation, collection, doc_id, grp, position, body)
	SELECT $1::text, $2::bigint, d.collection, d.doc_id, d.grp, d.position, d.body
	FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[]) AS d(collection, doc_id, grp, position, body)
	ON CONFLICT (projection, generation, collection, doc_id)
	DO UPDATE SET grp = excluded.grp, position = excluded.position, body = excluded.body`

// writeArrays is writeMany's statement on PostgreSQL, writeRows documents
// at a time.
func (t *Tx) writeArrays(ctx context.Context, tx querier, rows []row) error {
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), writeRows)]
		rows = rows[len(chunk):]
		collections, ids, grps := make([]string, len(chunk)), make([]string, len(chunk)), make([]string, len(chunk))
		positions, bodies := make([]int64, len(chunk)), make([]string, len(chunk))
		for i, r := range chunk {
			collections[i], ids[i], grps[i], positions[i], bodies[i] = r.collection, r.id, r.grp, r.pos, string(r.body)
		}
		if _, err := tx.ExecContext(ctx, writeArraysSQL, t.projection, t.generation, collections, ids, grps, positions, bodies); err != nil {
			return fmt.Errorf("put %d documents of %s: %w", len(chunk), chunk[0].collection, err)
		}
	}
	return nil
}

// SyncIDs is Sync limited to the given ids of a group: each id present in
// docs is written when its JSON changed, each id absent from docs deleted.
// It reads only those ids, and of them only the ones whose content the
// process does not know already (known.go), so a few documents of a large
// group are kept up to date without listing the group or reading back what
// the previous batch wrote. The changed documents join the pending ones
// (Tx.pending) rather than going to the database at once: a batch that
// syncs a few documents of several collections (the cycles projection's
// unit path: results, progress, recommendations, the unit and the summary)
// then writes them in one or two statements instead of one to three per
// collection, and those round trips were a third of such a batch's time.
func (t *Tx) SyncIDs(ctx context.Context, collection, grp string, ids []string, docs map[string]any) error {
	keys := make([]docKey, len(ids))
	var unknown []string
	for i, id := range ids {
		keys[i] = keyOf(collection, id)
		if _, ok := t.lookup(keys[i]); !ok {
			unknown = append(unknown, id)
		}
	}
	var old map[string]string
	if len(unknown) > 0 {
		// What is read must include what this batch wrote.
		if err := t.flush(ctx); err != nil {
			return err
		}
		var err error
		if old, err = t.bodies(ctx, collection, unknown); err != nil {
			return err
		}
	}
	var scratch []byte
	for i, id := range ids {
		before, known := t.lookup(keys[i])
		if !known {
			if prev, had := old[id]; had {
				before = stateOf([]byte(prev))
			}
		}
		var now docState // absent unless docs has it
		var body []byte
		if v, want := docs[id]; want {
			var fp [16]byte
			var ok bool
			fp, scratch, ok = fingerprint(scratch, v)
			if ok && before.same(fp) {
				continue // the value encoded last time: the same bytes
			}
			var err error
			if body, err = json.Marshal(v); err != nil {
				return fmt.Errorf("encode %s/%s: %w", collection, id, err)
			}
			now = stateOf(body)
			now.fp, now.hasFP = fp, ok
		}
		switch {
		case now.present == before.present && now.sum == before.sum:
			t.learn(keys[i], &now)
		case now.present:
			// Known as it will be: whatever reads it flushes it first.
			t.learn(keys[i], &now)
			if err := t.stage(ctx, row{collection: collection, id: id, grp: grp, body: body, state: now}); err != nil {
				return err
			}
		default:
			if err := t.Delete(ctx, collection, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// bodies reads the stored JSON of the given ids of a collection.
func (t *Tx) bodies(ctx context.Context, collection string, ids []string) (map[string]string, error) {
	tx, err := t.batch.begin(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ids))
	for len(ids) > 0 {
		chunk := ids[:chunkSize(len(ids))]
		ids = ids[len(chunk):]
		args := []any{t.projection, t.generation, collection}
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			marks[i] = "?"
			args = append(args, id)
		}
		rows, err := tx.QueryContext(ctx, t.db.rebind(`SELECT doc_id, body FROM projection_documents
			WHERE projection = ? AND generation = ? AND collection = ? AND doc_id IN (`+strings.Join(marks, ", ")+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("read %s documents: %w", collection, err)
		}
		for rows.Next() {
			var id, body string
			if err := rows.Scan(&id, &body); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read %s documents: %w", collection, err)
			}
			out[id] = body
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read %s documents: %w", collection, err)
		}
	}
	return out, nil
}

// Document is one stored read-model document.
type Document struct {
	ID       string
	Position int64 // position of the last event that wrote it
	Body     json.RawMessage
}

// generationOf selects the active generation inside the reading statement
// itself, so a reader never mixes a generation with a concurrent swap.
const generationOf = `(SELECT active_generation FROM projection_state WHERE projection = ?)`

// getDoc reads one document of generation gen, or of the active generation
// when gen is activeGeneration.
func getDoc(ctx context.Context, db *DB, q querier, projection string, gen int64, collection, id string, v any) error {
	var body string
	genSQL, genArg := generationArg(projection, gen)
	err := q.QueryRowContext(ctx, db.rebind(`SELECT body FROM projection_documents
		WHERE projection = ? AND generation = `+genSQL+` AND collection = ? AND doc_id = ?`),
		projection, genArg, collection, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s/%s: %w", projection, collection, id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("get %s %s/%s: %w", projection, collection, id, err)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return fmt.Errorf("decode %s %s/%s: %w", projection, collection, id, err)
	}
	return nil
}

func generationArg(projection string, gen int64) (string, any) {
	if gen == activeGeneration {
		return generationOf, projection
	}
	return "?", gen
}

// listDocs reads a group's documents of generation gen (or the active one).
func listDocs(ctx context.Context, db *DB, q querier, projection string, gen int64, collection, grp string) ([]Document, error) {
	genSQL, genArg := generationArg(projection, gen)
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT doc_id, position, body FROM projection_documents
		WHERE projection = ? AND generation = `+genSQL+` AND collection = ? AND grp = ? ORDER BY doc_id`),
		projection, genArg, collection, grp)
	if err != nil {
		return nil, fmt.Errorf("list %s %s/%s: %w", projection, collection, grp, err)
	}
	defer rows.Close()
	return scanDocs(rows)
}

func scanDocs(rows *sql.Rows) ([]Document, error) {
	var docs []Document
	for rows.Next() {
		var d Document
		var body string
		if err := rows.Scan(&d.ID, &d.Position, &body); err != nil {
			return nil, fmt.Errorf("read documents: %w", err)
		}
		d.Body = json.RawMessage(body)
		docs = append(docs, d)
	}
	return docs, rows.Err()
}
