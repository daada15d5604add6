package relay_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/projectionstest"
	"github.com/appraisal-hr/appraisal/projections/relay"
)

// deliveries counts how often each event reached the consumer and turns
// every test event into one notification.
type deliveries struct {
	mu    sync.Mutex
	count map[uuid.UUID]int
}

func (d *deliveries) rules(_ context.Context, env relay.Envelope) ([]relay.Notification, error) {
	d.mu.Lock()
	d.count[env.ID]++
	d.mu.Unlock()
	return []relay.Notification{{EventID: env.ID, RecipientID: env.Stream, Kind: "test_counted", Position: env.Position,
		Subject: "counted", Details: env.Payload, OccurredAt: env.RecordedAt}}, nil
}

func (d *deliveries) snapshot() map[uuid.UUID]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[uuid.UUID]int, len(d.count))
	for k, v := range d.count {
		out[k] = v
	}
	return out
}

// relayRig wires a store, a bus, the notification router and a relay runner.
type relayRig struct {
	store eventstore.Store
	db    *projections.DB
	bus   *relay.Bus
	topic string
	seen  *deliveries
}

func newRig(t *testing.T, store eventstore.Store, cfg relay.BusConfig, topic string) *relayRig {
	t.Helper()
	ctx := context.Background()
	db, err := projections.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	bus, err := relay.NewBus(cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	rig := &relayRig{store: store, db: db, bus: bus, topic: topic, seen: &deliveries{count: map[uuid.UUID]int{}}}
	router, err := relay.NewRouter(bus, topic, relay.NewNotifier(db, rig.seen.rules), nil)
	if err != nil {
		t.Fatal(err)
	}
	routerCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = router.Run(routerCtx) }()
	t.Cleanup(func() { cancel(); <-done; _ = bus.Close() })
	select {
	case <-router.Running():
	case <-time.After(10 * time.Second):
		t.Fatal("router did not start")
	}
	return rig
}

// runRelay runs the relay until the returned stop is called.
func (rig *relayRig) runRelay(t *testing.T) (*projections.Runner, func()) {
	t.Helper()
	r := projections.NewRunner(rig.db, rig.store, projections.RunnerConfig{Poll: 50 * time.Millisecond},
		relay.New(rig.bus.Publisher, rig.topic))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return r, stop
}

func (rig *relayRig) notifications(t *testing.T) []relay.Notification {
	t.Helper()
	list, err := relay.Pending(context.Background(), rig.db, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// exercise relays n events, then simulates a crash after publishing the
// last half but before their checkpoint committed, and checks that every
// event reached the consumer and produced exactly one notification.
func (rig *relayRig) exercise(t *testing.T, n int) map[uuid.UUID]int {
	ctx := context.Background()
	stream := "relay-" + uuid.NewString()
	first := projectionstest.AppendN(t, rig.store, stream, n/2)
	r, stop := rig.runRelay(t)
	last := projectionstest.AppendN(t, rig.store, stream, n-n/2)
	if err := r.WaitFor(ctx, relay.RelayName, last, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	stop()
	// The crash: the checkpoint of the second half never committed.
	if _, err := rig.db.SQL().ExecContext(ctx, rig.db.Rebind(`UPDATE projection_checkpoints SET position = ? WHERE projection = ?`),
		first, relay.RelayName); err != nil {
		t.Fatal(err)
	}
	r, _ = rig.runRelay(t)
	if err := r.WaitFor(ctx, relay.RelayName, last, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(rig.notifications(t)) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := rig.notifications(t)
	if len(got) != n {
		t.Fatalf("%d notifications, want exactly %d (one per event)", len(got), n)
	}
	for i, nt := range got {
		if nt.Position != first-int64(n/2)+1+int64(i) || nt.RecipientID != stream {
			t.Fatalf("notification %d = %+v, want position %d", i, nt, first-int64(n/2)+1+int64(i))
		}
	}
	seen := rig.seen.snapshot()
	if len(seen) != n {
		t.Fatalf("consumer saw %d distinct events, want %d", len(seen), n)
	}
	return seen
}

func TestRelayGoChannel(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		rig := newRig(t, store, relay.BusConfig{Kind: relay.BusGoChannel}, relay.Topic)
		seen := rig.exercise(t, 20)
		redelivered := 0
		for _, c := range seen {
			if c > 1 {
				redelivered++
			}
		}
		// In process nothing dedupes before the consumer: the crash shows
		// as redeliveries, absorbed by the idempotent handler.
		if redelivered != 10 {
			t.Fatalf("%d events redelivered after the crash, want the 10 whose checkpoint was lost", redelivered)
		}
	})
}

func TestRelayWatermillSQL(t *testing.T) {
	store := eventstoretest.NewPostgres(t)
	rig := newRig(t, store, relay.BusConfig{Kind: relay.BusSQL}, relay.Topic)
	rig.exercise(t, 20)
}

func TestRelayNATSJetStream(t *testing.T) {
	url := projectionstest.NATSURL(t)
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		suffix := uuid.NewString()[:8]
		topic := "appraisal_test_" + suffix
		rig := newRig(t, store, relay.BusConfig{Kind: relay.BusNATS, NATSURL: url, Group: "notifications_test_" + suffix}, topic)
		t.Cleanup(func() { deleteStream(t, url, topic) })
		seen := rig.exercise(t, 20)
		// JetStream drops the republished messages by their id (the event
		// id), so each event reaches the consumer exactly once.
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("event %s delivered %d times, want exactly once", id, c)
			}
		}
	})
}

func deleteStream(t *testing.T, url, name string) {
	nc, err := nats.Connect(url)
	if err != nil {
		t.Logf("clean up stream %s: %v", name, err)
		return
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err == nil {
		err = js.DeleteStream(name)
	}
	if err != nil {
		t.Logf("clean up stream %s: %v", name, fmt.Errorf("delete: %w", err))
	}
}
