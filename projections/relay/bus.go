package relay

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/nats-io/nats.go"

	"github.com/appraisal-hr/appraisal/projections"
)

// Bus kinds, as APPRAISAL_BUS spells them.
const (
	BusGoChannel = "gochannel"
	BusSQL       = "sql"
	BusNATS      = "nats"
)

// BusConfig chooses and configures the Watermill pub/sub.
type BusConfig struct {
	Kind    string // gochannel, sql or nats
	NATSURL string // for nats
	// Group is the consumer group (sql) or durable consumer (nats) of the
	// subscriber; NotificationsGroup unless a test needs its own.
	Group  string
	Logger *slog.Logger
}

// Bus is a publisher for the relay and a subscriber for the handlers.
type Bus struct {
	Publisher  message.Publisher
	Subscriber message.Subscriber
}

// Close closes both sides.
func (b *Bus) Close() error {
	perr := b.Publisher.Close()
	serr := b.Subscriber.Close()
	if perr != nil {
		return perr
	}
	return serr
}

// NewBus opens the configured pub/sub:
//   - gochannel: in-process; Publish blocks until the handler acked, so the
//     relay's checkpoint never passes an event a handler has not finished;
//   - sql: watermill-sql on the store's PostgreSQL, which reads in commit
//     order and keeps consumer-group offsets in the same database;
//   - nats: NATS JetStream with a durable consumer; the publisher sets the
//     message id so JetStream also drops duplicates inside its window.
func NewBus(cfg BusConfig, db *projections.DB) (*Bus, error) {
	if cfg.Group == "" {
		cfg.Group = NotificationsGroup
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	logger := watermill.NewSlogLogger(cfg.Logger)
	switch cfg.Kind {
	case BusGoChannel, "":
		ch := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)
		return &Bus{Publisher: ch, Subscriber: ch}, nil
	case BusSQL:
		return newSQLBus(cfg, db, logger)
	case BusNATS:
		return newNATSBus(cfg, logger)
	default:
		return nil, fmt.Errorf("bus %q: %w", cfg.Kind, ErrUnknownBus)
	}
}

func newSQLBus(cfg BusConfig, db *projections.DB, logger watermill.LoggerAdapter) (*Bus, error) {
	if db.Dialect() != projections.Postgres {
		return nil, fmt.Errorf("bus sql needs PostgreSQL: %w", ErrUnknownBus)
	}
	schema := wmsql.DefaultPostgreSQLSchema{}
	pub, err := wmsql.NewPublisher(db.SQL(), wmsql.PublisherConfig{SchemaAdapter: schema, AutoInitializeSchema: true}, logger)
	if err != nil {
		return nil, fmt.Errorf("sql publisher: %w", err)
	}
	sub, err := wmsql.NewSubscriber(db.SQL(), wmsql.SubscriberConfig{
		ConsumerGroup:    cfg.Group,
		SchemaAdapter:    schema,
		OffsetsAdapter:   wmsql.DefaultPostgreSQLOffsetsAdapter{},
		InitializeSchema: true,
		PollInterval:     100 * time.Millisecond,
	}, logger)
	if err != nil {
		_ = pub.Close()
		return nil, fmt.Errorf("sql subscriber: %w", err)
	}
	return &Bus{Publisher: pub, Subscriber: sub}, nil
}

func newNATSBus(cfg BusConfig, logger watermill.LoggerAdapter) (*Bus, error) {
	pub, err := wmnats.NewPublisher(wmnats.PublisherConfig{
		URL:       cfg.NATSURL,
		JetStream: wmnats.JetStreamConfig{AutoProvision: true, TrackMsgId: true},
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("nats publisher: %w", err)
	}
	sub, err := wmnats.NewSubscriber(wmnats.SubscriberConfig{
		URL:              cfg.NATSURL,
		QueueGroupPrefix: cfg.Group,
		SubscribersCount: 1,
		AckWaitTimeout:   30 * time.Second,
		CloseTimeout:     5 * time.Second,
		JetStream: wmnats.JetStreamConfig{
			AutoProvision:    true,
			DurablePrefix:    cfg.Group,
			SubscribeOptions: []nats.SubOpt{nats.DeliverAll(), nats.AckExplicit()},
		},
	}, logger)
	if err != nil {
		_ = pub.Close()
		return nil, fmt.Errorf("nats subscriber: %w", err)
	}
	return &Bus{Publisher: pub, Subscriber: sub}, nil
}
