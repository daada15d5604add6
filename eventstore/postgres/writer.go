package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/appraisal-hr/appraisal/eventstore"
)

const (
	// Limits of one group: a single append larger than these still goes
	// through, alone.
	maxGroupEvents = 2000
	maxGroupBytes  = 8 << 20
	// groupTimeout bounds one group commit whatever its callers' contexts say.
	groupTimeout = time.Minute
	// settleTimeout bounds finding out whether an undecided commit happened.
	settleTimeout = 30 * time.Second
)

// ErrClosed is returned by appends still queued when the store closes.
var ErrClosed = errors.New("postgres: event store closed")

// An appendReq is one Append waiting for the writer.
type appendReq struct {
	ctx    context.Context
	events []eventstore.Event // prepared: versions and stream hashes set
	conds  []eventstore.Condition
	bytes  int
	since  time.Time
	state  atomic.Int32 // reqQueued, then reqTaken by the writer or reqAbandoned by its caller
	done   chan appendOutcome
}

const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
	reqAnswered // by the writer, after reqTaken
)

type appendOutcome struct {
	first int64 // position of the request's first event
	err   error
}

func (r *appendReq) stream() string { return r.events[0].StreamID }

// writer turns this process's appends into group commits (see the package
// doc).
type writer struct {
	mu       sync.Mutex
	queue    []*appendReq
	inFlight []*appendReq // the group being committed
	closed   bool
	wake     chan struct{} // capacity 1

	// Owned by the writer goroutine: where this process's last commit left
	// the log, unless stale (at start, or after a group failed).
	head  logHead
	stale bool
}

func (w *writer) init() {
	w.wake = make(chan struct{}, 1)
	w.stale = true
}

// submit queues prepared events and waits for their first position. Until the
// writer has taken the request, a done ctx withdraws it and nothing is
// written; once taken, submit reports what became of it (a group commit is
// cancelled only when every caller in it has given up).
func (s *Store) submit(ctx context.Context, events []eventstore.Event, conds []eventstore.Condition) (int64, error) {
	r := &appendReq{ctx: ctx, events: events, conds: conds, since: time.Now(), done: make(chan appendOutcome, 1)}
	for _, e := range events {
		r.bytes += len(e.Payload)
	}
	w := &s.writer
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return 0, ErrClosed
	}
	w.queue = append(w.queue, r)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	select {
	case out := <-r.done:
		return out.first, out.err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return 0, ctx.Err()
		}
		out := <-r.done
		return out.first, out.err
	}
}

// writeLoop runs while the store is open: whenever appends are queued it
// commits them as a group, then the ones queued meanwhile, and so on.
func (s *Store) writeLoop(ctx context.Context) {
	defer s.done.Done()
	w := &s.writer
	for {
		select {
		case <-ctx.Done():
			s.closeWriter()
			return
		case <-w.wake:
		}
		for {
			group := s.take()
			if len(group) == 0 {
				break
			}
			s.commitGroup(group)
			w.mu.Lock()
			w.inFlight = nil
			w.mu.Unlock()
		}
	}
}

// closeWriter refuses new appends and fails the queued ones.
func (s *Store) closeWriter() {
	w := &s.writer
	w.mu.Lock()
	w.closed = true
	rest := w.queue
	w.queue = nil
	w.mu.Unlock()
	for _, r := range rest {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			r.done <- appendOutcome{err: ErrClosed}
		}
	}
}

// take removes the next group from the queue: requests in arrival order up
// to the group limits, at most one per stream (a second append to a stream
// waits for the next group, where it is refused as stale unless the first
// failed), and none that writes a stream another member's condition names or
// names a stream another member writes (its condition is checked before the
// group's insert, so it must not depend on the group itself). A request for
// a version this process has already written is answered as a conflict at
// once.
func (s *Store) take() []*appendReq {
	w := &s.writer
	w.mu.Lock()
	defer w.mu.Unlock()
	var (
		group   []*appendReq
		streams = map[string]bool{} // written by the group
		named   = map[string]bool{} // named by the group's conditions
		n, size int
		kept    = w.queue[:0]
	)
	clashes := func(r *appendReq) bool {
		if streams[r.stream()] || named[r.stream()] {
			return true
		}
		for _, c := range r.conds {
			if streams[c.Stream] {
				return true
			}
		}
		return false
	}
	for _, r := range w.queue {
		full := len(group) > 0 && (n+len(r.events) > maxGroupEvents || size+r.bytes > maxGroupBytes)
		if full || clashes(r) {
			kept = append(kept, r)
			continue
		}
		if !r.state.CompareAndSwap(reqQueued, reqTaken) {
			continue // withdrawn by its caller
		}
		if h, ok := s.heads.get(r.stream()); ok && h.version >= r.events[0].Version {
			r.done <- appendOutcome{err: eventstore.ErrVersionConflict}
			continue
		}
		group = append(group, r)
		streams[r.stream()] = true
		for _, c := range r.conds {
			named[c.Stream] = true
		}
		n, size = n+len(r.events), size+r.bytes
	}
	clear(w.queue[len(kept):])
	w.queue = kept
	w.inFlight = group
	return group
}

// commitGroup commits a group and answers its callers. Where this process
// knows the log ends, the group goes in one round trip, checked under the
// lock to start there (see plan); otherwise, or if that check or a member
// refuses it, it is committed reading the head under the lock.
func (s *Store) commitGroup(group []*appendReq) {
	w := &s.writer
	if !w.stale {
		end, firsts, q := s.plan(w.head, group, true)
		ctx, cancel := s.groupContext(group)
		err := s.roundTrip(func() error { return s.pool.SendBatch(ctx, q).Close() }, nil)
		cancel()
		if undecided(err) {
			err = s.settleUndecided(group, firsts, err)
		}
		if err == nil {
			w.head = end
			s.answer(group, firsts)
			return
		}
		w.stale = true
		if err = insertError(err); !errors.Is(err, errHeadMoved) && !isRefusal(err) {
			// A lost connection or a cancelled group that wrote nothing
			// (settled above): nothing to retry.
			s.answerErr(group, err)
			return
		}
	}
	if head, ok := s.commitLocked(group); ok {
		w.head, w.stale = head, false
	}
}

// commitLocked commits a group reading the head under the lock and answers
// its callers. If the group is refused for one member's sake (a stale
// version, a duplicate id), each member is committed on its own so that
// only the guilty fail. It returns the head after the last commit it made
// and whether it made one.
func (s *Store) commitLocked(group []*appendReq) (logHead, bool) {
	ctx, cancel := s.groupContext(group)
	defer cancel()
	head, firsts, err := s.commitInTx(ctx, group)
	if err != nil && len(group) > 1 && isRefusal(err) {
		var last logHead
		var ok bool
		for _, r := range group {
			if h, done := s.commitLocked([]*appendReq{r}); done {
				last, ok = h, true
			}
		}
		return last, ok
	}
	if err != nil {
		s.answerErr(group, err)
		return logHead{}, false
	}
	s.answer(group, firsts)
	return head, true
}

// answer hands each request its first position.
func (s *Store) answer(group []*appendReq, firsts []int64) {
	s.appended.Notify()
	for _, r := range group {
		last := r.events[len(r.events)-1]
		s.heads.put(last.StreamID, last.Version, last.Hash)
	}
	s.settle(group)
	for i, r := range group {
		r.done <- appendOutcome{first: firsts[i]}
	}
}

func (s *Store) answerErr(group []*appendReq, err error) {
	s.settle(group)
	for _, r := range group {
		r.done <- appendOutcome{err: err}
	}
}

// settle takes requests about to be answered out of the group in flight, so
// that no caller holding its answer is still counted by Lag. The group's
// slice itself is left alone: commitLocked may still be going through it.
func (s *Store) settle(answered []*appendReq) {
	for _, r := range answered {
		r.state.Store(reqAnswered)
	}
	w := &s.writer
	w.mu.Lock()
	defer w.mu.Unlock()
	var rest []*appendReq
	for _, r := range w.inFlight {
		if r.state.Load() != reqAnswered {
			rest = append(rest, r)
		}
	}
	w.inFlight = rest
}

// isRefusal tells an append refused for its own content, which leaves the
// log as it was.
func isRefusal(err error) bool {
	return errors.Is(err, eventstore.ErrVersionConflict) || errors.Is(err, eventstore.ErrDuplicateEvent)
}

// groupContext is cancelled when every caller in the group has given up (so a
// lone cancelled append writes nothing) or after groupTimeout. A group still
// running after StuckAfter is logged with what holds it back.
func (s *Store) groupContext(group []*appendReq) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	stuck := time.AfterFunc(s.opts.StuckAfter, func() { s.warnHeldBack(context.Background(), s.opts.StuckAfter) })
	remaining := atomic.Int32{}
	remaining.Store(int32(len(group)))
	stops := make([]func() bool, len(group))
	for i, r := range group {
		stops[i] = context.AfterFunc(r.ctx, func() {
			if remaining.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		stuck.Stop()
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// commitInTx writes a group in a transaction that takes the schema's append
// lock, then (a statement of its own, so with a snapshot taken after the
// lock) reads where the log ends, then writes the events after it.
func (s *Store) commitInTx(ctx context.Context, group []*appendReq) (logHead, []int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return logHead{}, nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, lockSQL, s.appendLock); err != nil {
		return logHead{}, nil, err
	}
	head, err := readHead(ctx, tx)
	if err != nil {
		return logHead{}, nil, err
	}
	head, firsts, q := s.plan(head, group, false)
	if err := tx.SendBatch(ctx, q).Close(); err != nil {
		return logHead{}, nil, insertError(err)
	}
	err = s.roundTrip(func() error { return tx.Commit(ctx) }, func() { tx.Conn().Close(context.WithoutCancel(ctx)) })
	if undecided(err) {
		err = s.settleUndecided(group, firsts, err)
	}
	if err != nil {
		return logHead{}, nil, insertError(err)
	}
	return head, firsts, nil
}

// undecided tells a failed commit that may nevertheless have happened: the
// request may have reached the server and no ERROR came back to say the
// transaction was rolled back (a lost connection, a group cancelled or
// timed out in flight, the server process ended by a FATAL).
func undecided(err error) bool {
	if err == nil || pgconn.SafeToRetry(err) {
		return false
	}
	var pgErr *pgconn.PgError
	return !errors.As(err, &pgErr) || (pgErr.Severity != "ERROR" && pgErr.Severity != "WARNING")
}

// settleUndecided finds out what became of a group whose commit is
// undecided, so that an append is reported failed only when nothing of it
// was written (its caller may then retry) and never lost when it was. On
// another connection it takes the append lock, which the group's
// transaction holds until it commits or rolls back (its server process ends
// with the connection), so the outcome is final, then looks for the first
// event of each request. It returns nil if every request is in the log at
// the position planned for it, cause if none is, and an error saying the
// outcome is unknown if the check fails or finds anything else.
func (s *Store) settleUndecided(group []*appendReq, firsts []int64, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), settleTimeout)
	defer cancel()
	ids := make([][16]byte, len(group))
	want := make(map[[16]byte]int64, len(group))
	for i, r := range group {
		ids[i] = r.events[0].ID
		want[ids[i]] = firsts[i]
	}
	found, err := s.positionsOf(ctx, ids)
	switch {
	case err != nil:
		return fmt.Errorf("%w (whether the append was written is unknown: %v)", cause, err)
	case len(found) == 0:
		s.opts.Logger.Warn("postgres: a group commit failed undecided and wrote nothing", "appends", len(group), "error", cause)
		return cause
	}
	for id, pos := range want {
		if found[id] != pos {
			return fmt.Errorf("%w (whether the append was written is unknown: %d of %d appends found, not all where planned)", cause, len(found), len(group))
		}
	}
	s.opts.Logger.Warn("postgres: a group commit lost its answer but is in the log", "appends", len(group), "error", cause)
	return nil
}

// positionsOf waits for the append lock and reads the positions of the
// events with the given ids.
func (s *Store) positionsOf(ctx context.Context, ids [][16]byte) (map[[16]byte]int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, lockSQL, s.appendLock); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT id, position FROM events WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	found := map[[16]byte]int64{}
	for rows.Next() {
		var id [16]byte
		var pos int64
		if err := rows.Scan(&id, &pos); err != nil {
			return nil, err
		}
		found[id] = pos
	}
	return found, rows.Err()
}

// roundTrip runs a group's commit round trip, unless a test's commit fault
// stands in for a connection lost before it (nothing sent; lose, if given,
// closes the connection, whose transaction ends with it, as the loss would)
// or after it (the commit done, the connection back in the pool, the answer
// lost).
func (s *Store) roundTrip(commit func() error, lose func()) error {
	f := s.commitFault
	if f != nil && f.before != nil {
		if err := f.before(); err != nil {
			if lose != nil {
				lose()
			}
			return err
		}
	}
	err := commit()
	if err == nil && f != nil && f.after != nil {
		err = f.after()
	}
	return err
}

// commitFault is a test's stand-in for a connection lost around a group's
// commit (see roundTrip); nil outside tests.
type commitFault struct{ before, after func() error }

// plan numbers the group's events after head and chains their ledger hashes,
// and returns the head after them, each request's first position and the
// statements that write them: the members' conditions checked first, then
// the events and the commits row. With check set they are one implicit
// transaction that first takes the append lock and checks that the log ends
// at head (position and ledger hash, so another history of the same length
// cannot pass): if another process wrote since this one's last commit, the
// group stops before it writes.
func (s *Store) plan(head logHead, group []*appendReq, check bool) (logHead, []int64, *pgx.Batch) {
	q := &pgx.Batch{}
	if check {
		q.Queue(lockSQL, s.appendLock)
		q.Queue(expectHeadSQL, head.position, head.hash)
	}
	// Each distinct condition is checked once: the members of a group of
	// review commands all name the same cycle and organisation at the same
	// versions, and each check is a query of its own inside
	// appraisal_expect_versions. The first occurrence keeps its place, so
	// the first condition that fails is the one it was.
	var condStreams []string
	var condVersions []int64
	seen := map[eventstore.Condition]bool{}
	for _, r := range group {
		for _, c := range r.conds {
			if !seen[c] {
				seen[c] = true
				condStreams, condVersions = append(condStreams, c.Stream), append(condVersions, c.Version)
			}
		}
	}
	if len(condStreams) > 0 {
		q.Queue(expectVersionsSQL, condStreams, condVersions)
	}
	n := 0
	for _, r := range group {
		n += len(r.events)
	}
	cols := newColumnArrays(n)
	firsts := make([]int64, len(group))
	for i, r := range group {
		firsts[i] = head.position + 1
		for j := range r.events {
			head.position++
			head.hash = eventstore.LedgerHash(head.hash, head.position, r.events[j].Hash)
			cols.add(head.position, &r.events[j], head.hash)
		}
	}
	q.Queue(insertGroupSQL, cols.args()...)
	q.Queue(commitRowSQL, head.position, head.hash, s.channelName(appendedChannel), strconv.FormatInt(head.position, 10))
	return head, firsts, q
}

// expectHeadSQL stops the transaction (SQLSTATE AH001) unless the log ends
// at the given position with the given ledger hash.
const expectHeadSQL = `SELECT appraisal_expect_head($1, $2)`

// expectVersionsSQL stops the transaction (SQLSTATE AV001) unless each
// stream a condition names is at its version.
const expectVersionsSQL = `SELECT appraisal_expect_versions($1, $2)`

// lockSQL takes the schema's append lock until the transaction ends. Locks
// are released after a commit becomes visible, so the next holder's
// positions follow the last ones with nothing left to commit in between.
// Taking it again in the same transaction is a no-op.
const lockSQL = `SELECT pg_advisory_xact_lock($1)`

// insertGroupSQL writes a group's events with their positions and ledger
// hashes.
const insertGroupSQL = `INSERT INTO events (position, stream_id, version, id, type, schema_version, payload,
	actor_id, actor_role, correlation_id, causation_id, recorded_at, prev_hash, hash, ledger_hash)
	SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::int[],
	$7::text[]::json[], $8::text[], $9::text[], $10::uuid[], $11::uuid[], $12::timestamptz[], $13::bytea[], $14::bytea[],
	$15::bytea[])`

// commitRowSQL records where the group ends and wakes every process's
// readers when the transaction commits.
const commitRowSQL = `WITH c AS (INSERT INTO commits (position, ledger_hash) VALUES ($1, $2))
	SELECT pg_notify($3, $4)`

// columnArrays gathers events into one array per column of insertGroupSQL.
type columnArrays struct {
	positions  []int64
	streams    []string
	versions   []int64
	ids        [][16]byte // uuid.UUID encodes through driver.Valuer, element by element; [16]byte is pgx's own uuid
	types      []string
	schemas    []int32
	payloads   []string
	actorIDs   []string
	actorRoles []string
	corrs      [][16]byte
	causes     [][16]byte
	times      []time.Time
	prevs      [][]byte
	hashes     [][]byte
	ledger     [][]byte
}

func newColumnArrays(n int) *columnArrays {
	return &columnArrays{
		positions: make([]int64, 0, n), streams: make([]string, 0, n), versions: make([]int64, 0, n),
		ids: make([][16]byte, 0, n), types: make([]string, 0, n), schemas: make([]int32, 0, n),
		payloads: make([]string, 0, n), actorIDs: make([]string, 0, n), actorRoles: make([]string, 0, n),
		corrs: make([][16]byte, 0, n), causes: make([][16]byte, 0, n), times: make([]time.Time, 0, n),
		prevs: make([][]byte, 0, n), hashes: make([][]byte, 0, n), ledger: make([][]byte, 0, n),
	}
}

func (c *columnArrays) add(position int64, e *eventstore.Event, ledgerHash []byte) {
	c.positions, c.streams, c.versions = append(c.positions, position), append(c.streams, e.StreamID), append(c.versions, e.Version)
	c.ids, c.types, c.schemas = append(c.ids, e.ID), append(c.types, e.Type), append(c.schemas, int32(e.SchemaVersion))
	c.payloads, c.actorIDs, c.actorRoles = append(c.payloads, string(e.Payload)), append(c.actorIDs, e.Actor.ID), append(c.actorRoles, e.Actor.Role)
	c.corrs, c.causes, c.times = append(c.corrs, e.CorrelationID), append(c.causes, e.CausationID), append(c.times, e.RecordedAt)
	c.prevs, c.hashes, c.ledger = append(c.prevs, e.PrevHash), append(c.hashes, e.Hash), append(c.ledger, ledgerHash)
}

func (c *columnArrays) args() []any {
	return []any{c.positions, c.streams, c.versions, c.ids, c.types, c.schemas, c.payloads, c.actorIDs, c.actorRoles,
		c.corrs, c.causes, c.times, c.prevs, c.hashes, c.ledger}
}

// errHeadMoved: the log did not end where a group expected.
var errHeadMoved = errors.New("the log head moved")

// insertError names the constraint a failed append ran into.
func insertError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "AH001" {
		return fmt.Errorf("%w: %s", errHeadMoved, pgErr.Message)
	}
	if errors.As(err, &pgErr) && pgErr.Code == "AV001" {
		ce := &eventstore.ConflictError{Stream: pgErr.Detail}
		if _, err := fmt.Sscanf(pgErr.Hint, "%d/%d", &ce.Actual, &ce.Expected); err != nil {
			return fmt.Errorf("%w: %s", eventstore.ErrVersionConflict, pgErr.Message)
		}
		return ce
	}
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		switch pgErr.ConstraintName {
		case "events_id_key":
			return fmt.Errorf("%w: %s", eventstore.ErrDuplicateEvent, pgErr.Detail)
		case "events_stream_id_version_key":
			return fmt.Errorf("%w: %s", eventstore.ErrVersionConflict, pgErr.Detail)
		}
	}
	return err
}
