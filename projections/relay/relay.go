package relay

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections"
)

// Relay publishes every committed event, in global order, to a Watermill
// publisher. It is a projections.Projection without documents: the runner
// gives it its checkpoint, leader election and lag. Publishing happens in
// Send, before the checkpoint's transaction: at least once, never lost.
type Relay struct {
	pub   message.Publisher
	topic string
}

var (
	_ projections.Projection = (*Relay)(nil)
	_ projections.Sender     = (*Relay)(nil)
)

// New returns a relay publishing to topic.
func New(pub message.Publisher, topic string) *Relay {
	return &Relay{pub: pub, topic: topic}
}

// Name is RelayName.
func (r *Relay) Name() string { return RelayName }

// Version is fixed: the relay has no read model to rebuild, and rebuilding
// it would publish the whole history again.
func (r *Relay) Version() int { return 1 }

// Send publishes a batch in order, one message per event.
func (r *Relay) Send(_ context.Context, events []eventstore.Event) error {
	for _, e := range events {
		msg, err := ToMessage(e)
		if err != nil {
			return err
		}
		if err := r.pub.Publish(r.topic, msg); err != nil {
			return fmt.Errorf("publish event %d to %s: %w", e.Position, r.topic, err)
		}
	}
	return nil
}

// Apply has nothing to write: the relay's only state is its checkpoint,
// which the runner commits after Send.
func (r *Relay) Apply(context.Context, *projections.Tx, eventstore.Event) error { return nil }
