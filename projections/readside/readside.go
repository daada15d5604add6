package readside

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/cycles"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
	"github.com/appraisal-hr/appraisal/projections/notify"
	"github.com/appraisal-hr/appraisal/projections/relay"
)

// minPool is how many connections the read side may hold at once on
// PostgreSQL: one batch transaction per projection and the relay, the index
// and the runner's subscriptions, the notification handler. With fewer they
// queue for connections (slower, never deadlocked: no transaction waits on
// anything but the database).
const minPool = 8

// Config configures the read side.
type Config struct {
	Bus    relay.BusConfig // Kind "": no bus, no relay (one-shot commands)
	Runner projections.RunnerConfig
	Logger *slog.Logger
}

// ReadSide is everything a process reads through.
type ReadSide struct {
	DB      *projections.DB
	Index   *cycles.Index
	Runner  *projections.Runner
	Reader  *cycles.Reader
	Auditor *cycles.Auditor
	// Log is the domain service's EventLog over the store.
	Log *eventlog.Log

	readModels []projections.Projection
	timeline   *projections.Timeline
	store      eventstore.Store
	feed       *projections.Feed
	bus        *relay.Bus
	router     *message.Router
	logger     *slog.Logger
}

// New builds the read side over store.
func New(ctx context.Context, store eventstore.Store, cfg Config) (*ReadSide, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Runner.Logger = cfg.Logger
	db, err := projections.Open(ctx, store)
	if err != nil {
		return nil, err
	}
	if size := db.PoolSize(); db.Dialect() == projections.Postgres && size < minPool {
		cfg.Logger.Warn("the database pool is small for the read side: add pool_max_conns=16 (or more) to APPRAISAL_DATABASE_URL",
			"pool_max_conns", size, "read side uses up to", minPool)
	}
	// One feed reads each new event once for the index and every
	// projection of the runner.
	feed := projections.NewFeed(store, cfg.Runner.Poll, cfg.Logger)
	cfg.Runner.Feed = feed
	index := cycles.NewIndex(feed.Store(), cfg.Logger)
	timeline := projections.NewTimeline(eventlog.Reason)
	rs := &ReadSide{DB: db, feed: feed, Index: index, Reader: cycles.NewReader(db), Auditor: cycles.NewAuditor(index),
		Log: eventlog.New(store), logger: cfg.Logger, timeline: timeline, store: store,
		readModels: []projections.Projection{cycles.NewProjection(index), timeline}}
	all := rs.readModels
	if cfg.Bus.Kind != "" {
		cfg.Bus.Logger = cfg.Logger
		if rs.bus, err = relay.NewBus(cfg.Bus, db); err != nil {
			return nil, err
		}
		notifier := relay.NewNotifier(db, notify.New(store).Notifications)
		if rs.router, err = relay.NewRouter(rs.bus, relay.Topic, notifier, cfg.Logger); err != nil {
			_ = rs.bus.Close()
			return nil, err
		}
		all = append(append([]projections.Projection(nil), all...), relay.New(rs.bus.Publisher, relay.Topic))
	}
	// The runner's batches write only what the log can rebuild, so on
	// SQLite they commit on the handle that skips the fsync (see
	// DB.ForReadModels); the outbox above stays on db.
	runDB, err := db.ForReadModels(ctx, store)
	if err != nil {
		return nil, err
	}
	rs.Runner = projections.NewRunner(runDB, store, cfg.Runner, all...)
	return rs, nil
}

// ReadModels are the projections with read models (the relay excluded):
// what rebuild rebuilds and checks.
func (rs *ReadSide) ReadModels() []projections.Projection { return rs.readModels }

// Timeline reads a subject's timeline (projections.SubjectEmployee or
// SubjectCycle): the timeline's documents, and the events of the streams it
// registered for the subject from the event log.
func (rs *ReadSide) Timeline(ctx context.Context, kind string, id uuid.UUID) ([]projections.TimelineEntry, error) {
	return rs.timeline.Read(ctx, rs.DB, rs.store, kind, id)
}

// ReadModel finds a read model by name.
func (rs *ReadSide) ReadModel(name string) (projections.Projection, error) {
	for _, p := range rs.readModels {
		if p.Name() == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("projection %q: %w", name, projections.ErrUnknownProjection)
}

// routerStart bounds how long Run waits for the notification handler to
// subscribe before the relay starts publishing.
const routerStart = 30 * time.Second

// Run follows the store until ctx ends: the feed the index and the
// projections read new events from, the index, the notification
// handler (started first, so the in-process bus never publishes to nobody),
// then the runner with every projection and the relay.
func (rs *ReadSide) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Go(func() { rs.feed.Run(ctx) })
	wg.Go(func() { errs <- rs.Index.Run(ctx) })
	if rs.router != nil {
		wg.Go(func() { errs <- rs.router.Run(ctx) })
		select {
		case <-rs.router.Running():
		case <-time.After(routerStart):
			cancel()
			wg.Wait()
			return errors.New("notification handler did not start")
		case <-ctx.Done():
			wg.Wait()
			return nil
		}
	}
	wg.Go(func() { errs <- rs.Runner.Run(ctx) })
	<-ctx.Done()
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// RunIndex follows the store with the index alone (and the feed it reads
// from) until ctx ends, for commands that rebuild without running the
// projections live.
func (rs *ReadSide) RunIndex(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() { rs.feed.Run(ctx) })
	return rs.Index.Run(ctx)
}

// Close releases the bus.
func (rs *ReadSide) Close() error {
	if rs.bus != nil {
		return rs.bus.Close()
	}
	return nil
}

// CatchUp fills the index up to the store's head, for one-shot commands
// that do not Run.
func (rs *ReadSide) CatchUp(ctx context.Context) error { return rs.Index.CatchUp(ctx) }
