package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// RunnerConfig tunes a Runner; zero values take the defaults.
type RunnerConfig struct {
	Batch int           // events per live transaction (default 500)
	Poll  time.Duration // safety-net poll when no wake-up arrives (default 1s)
	// Linger is how long after a live batch that took less than Linger a
	// projection waits before its next (default 10ms; a negative value:
	// not at all): events that arrive meanwhile go in one batch. Under a
	// steady stream of cheap batches each batch then holds more events, so
	// per-batch costs (a statement or a transaction, a unit's recompute;
	// on SQLite, the store's write lock that appends wait for) are paid at
	// most once per Linger, where a batch that writes nothing, over in a
	// fraction of a millisecond, would otherwise follow every group
	// commit. A batch that took Linger or longer gathered its successor's
	// events for that long already, so the next starts at once: waiting
	// more would add to every event's lag (a 10,000-employee cycle's unit
	// batch takes 10-40 ms) for a batch only a little larger. A projection
	// idle for Linger applies an event at once, so a lone write's
	// read-your-writes wait is unchanged; under load it grows by at most
	// Linger.
	Linger         time.Duration
	LeaderInterval time.Duration // how often a follower tries to take over (default 1s)
	Logger         *slog.Logger
	// Feed is the feed the projections read new events from, shared with
	// the process's other followers; its owner runs it. Nil: the runner
	// makes and runs one of its own.
	Feed *Feed
}

func (c *RunnerConfig) setDefaults() {
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Linger == 0 {
		c.Linger = defaultLinger
	}
	if c.LeaderInterval <= 0 {
		c.LeaderInterval = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// defaultLinger is RunnerConfig.Linger's default.
const defaultLinger = 10 * time.Millisecond

// Runner keeps a set of projections up to date: for each one it waits to
// lead, catches up from the checkpoint, then follows the store live, woken
// by a subscription and polling as a safety net.
type Runner struct {
	db          *DB
	store       eventstore.Store
	projections []Projection
	cfg         RunnerConfig
	elector     Elector

	feed     *Feed  // new events, read once for every projection
	ownFeed  bool   // the runner runs feed
	advanced signal // some checkpoint moved in this process

	mu          sync.Mutex
	checkpoints map[string]int64 // committed checkpoints seen by this process
	// read is each projection's committed checkpoint as WaitFor last read
	// it from the database, shared by every waiter; reading (a one-slot
	// semaphore, so that a waiter whose context ends stops queueing)
	// serialises those reads.
	read    map[string]readCheckpoint
	reading chan struct{}
}

// readCheckpoint is a checkpoint read from the database, and when.
type readCheckpoint struct {
	pos int64
	at  time.Time
}

// NewRunner builds a runner for projections over store, whose read models
// live in db.
func NewRunner(db *DB, store eventstore.Store, cfg RunnerConfig, projections ...Projection) *Runner {
	cfg.setDefaults()
	r := &Runner{db: db, store: store, projections: projections, cfg: cfg, feed: cfg.Feed,
		elector: db.NewElector(cfg.Logger, cfg.LeaderInterval), checkpoints: map[string]int64{},
		read: map[string]readCheckpoint{}, reading: make(chan struct{}, 1)}
	if r.feed == nil {
		r.feed, r.ownFeed = NewFeed(store, cfg.Poll, cfg.Logger), true
	}
	return r
}

// Projections lists the runner's projections.
func (r *Runner) Projections() []Projection { return r.projections }

// DB is the database the runner's batches write to.
func (r *Runner) DB() *DB { return r.db }

// Run registers every projection and runs them until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	for _, p := range r.projections {
		if err := r.db.ensureState(ctx, p.Name(), p.Version()); err != nil {
			return err
		}
	}
	defer r.elector.Close()
	var wg sync.WaitGroup
	if r.ownFeed {
		wg.Go(func() { r.feed.Run(ctx) })
	}
	for _, p := range r.projections {
		wg.Go(func() { r.lead(ctx, p) })
	}
	wg.Wait()
	return nil
}

// lead runs p whenever this process leads it.
func (r *Runner) lead(ctx context.Context, p Projection) {
	for ctx.Err() == nil {
		lead, release, err := r.elector.Acquire(ctx, p.Name())
		if err != nil {
			return
		}
		err = r.follow(lead, p)
		release()
		if err != nil && lead.Err() == nil {
			r.cfg.Logger.Error("projection stopped; retrying", "projection", p.Name(), "err", err)
			sleep(ctx, r.cfg.Poll)
		}
	}
}

// follow rebuilds p if its version changed, then applies batches until ctx
// ends or an error occurs.
func (r *Runner) follow(ctx context.Context, p Projection) error {
	name := p.Name()
	st, err := r.db.readState(ctx, r.db.sql, name, false)
	if err != nil {
		return err
	}
	if st.version != p.Version() {
		r.cfg.Logger.Info("projection version changed; rebuilding", "projection", name,
			"stored", st.version, "code", p.Version())
		if err := r.db.Rebuild(ctx, r.store, p); err != nil {
			return err
		}
	}
	cp, err := r.db.Checkpoint(ctx, name)
	if err != nil {
		return err
	}
	r.setCheckpoint(name, cp)
	size := r.cfg.Batch
	polled := false
	// ended is when the last batch that took less than Linger ended.
	var ended time.Time
	for {
		// New events come from the feed, which read them once for every
		// projection; the store is read when the feed does not hold them
		// (far behind, or the feed not running) and on every poll, the
		// safety net should the feed have stalled.
		woken := r.feed.more.wait()
		events, fed := r.feed.read(cp, size)
		var err error
		if !fed || polled {
			events, err = r.store.ReadAll(ctx, cp, size)
		}
		polled = false
		if err != nil {
			return ignoreDone(ctx, fmt.Errorf("projection %s: read after %d: %w", name, cp, err))
		}
		// Far behind (a full batch came back), batches grow up to the
		// rebuild size: a projection's per-batch cost is paid less often
		// while it catches up, and its documents do not depend on where
		// batches end. Caught up, they shrink back for low latency.
		if len(events) == size {
			size = min(size*4, max(rebuildBatchOf(p), r.cfg.Batch))
		} else {
			size = r.cfg.Batch
		}
		if len(events) > 0 {
			if wait := r.cfg.Linger - time.Since(ended); wait > 0 && len(events) < size {
				// A quick batch ended less than Linger ago: let what
				// arrives meanwhile join this one, then read again.
				sleep(ctx, wait)
				continue
			}
			started := time.Now()
			next, err := r.db.applyBatch(ctx, p, batch{gen: activeGeneration, from: cp}, events)
			if err != nil {
				return ignoreDone(ctx, err)
			}
			cp = next
			r.setCheckpoint(name, cp)
			if now := time.Now(); now.Sub(started) < r.cfg.Linger {
				ended = now
			} else {
				ended = time.Time{}
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-woken:
		case <-time.After(r.cfg.Poll):
			polled = true
		}
	}
}

func (r *Runner) setCheckpoint(name string, cp int64) {
	r.mu.Lock()
	r.checkpoints[name] = cp
	r.mu.Unlock()
	r.advanced.notify()
}

func (r *Runner) localCheckpoint(name string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.checkpoints[name]
}

// Lag is, per projection, how many positions its committed checkpoint is
// behind the store's head.
func (r *Runner) Lag(ctx context.Context) (map[string]int64, error) {
	head, cps, err := r.positions(ctx)
	if err != nil {
		return nil, err
	}
	lag := make(map[string]int64, len(cps))
	for name, cp := range cps {
		lag[name] = max(head-cp, 0)
	}
	return lag, nil
}

// positions reads the store's head and every projection's committed
// checkpoint.
func (r *Runner) positions(ctx context.Context) (int64, map[string]int64, error) {
	head, err := r.store.Head(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("lag: %w", err)
	}
	cps := make(map[string]int64, len(r.projections))
	for _, p := range r.projections {
		cp, err := r.db.Checkpoint(ctx, p.Name())
		if err != nil {
			return 0, nil, fmt.Errorf("lag: %w", err)
		}
		cps[p.Name()] = cp
	}
	return head, cps, nil
}

// ErrWaitTimeout is returned by WaitFor when the projection did not reach
// the position in time.
var ErrWaitTimeout = errors.New("projection did not reach the position in time")

// waitPoll is how often WaitFor re-reads a checkpoint another process may be
// moving; a local advance wakes it at once.
const waitPoll = 20 * time.Millisecond

// WaitFor blocks until projection name has applied position pos (the
// position an append returned), for read-your-writes, or until timeout.
func (r *Runner) WaitFor(ctx context.Context, name string, pos int64, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		advanced := r.advanced.wait()
		if r.localCheckpoint(name) >= pos {
			return nil
		}
		cp, err := r.committedCheckpoint(ctx, name)
		if err == nil && cp >= pos {
			return nil
		}
		// A projection not registered yet (the runner is starting) is
		// simply not there yet.
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrUnknownProjection) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("projection %s at %d, waiting for %d: %w", name, cp, pos, ErrWaitTimeout)
		case <-advanced:
		case <-time.After(waitPoll):
		}
	}
}

// committedCheckpoint is the projection's committed checkpoint, which
// another process may be moving, read from the database at most once per
// waitPoll for all of this process's waiters together. Each WaitFor used to
// read it on every local advance: with a thousand requests waiting for their
// writes, every batch the runner committed set off a thousand queries on the
// pool the runner's next batch and the writers need, and the lag fed itself.
func (r *Runner) committedCheckpoint(ctx context.Context, name string) (int64, error) {
	select {
	case r.reading <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-r.reading }()
	r.mu.Lock()
	last, ok := r.read[name]
	r.mu.Unlock()
	if ok && time.Since(last.at) < waitPoll {
		return last.pos, nil
	}
	cp, err := r.db.Checkpoint(ctx, name)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	r.read[name] = readCheckpoint{pos: cp, at: time.Now()}
	r.mu.Unlock()
	return cp, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// ignoreDone drops an error caused by the context ending (shutdown or a
// lost lease), which is not a failure of the projection.
func ignoreDone(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
