package relay

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// NewRouter builds the Watermill router with the notification handler
// consuming topic. A failing handler nacks the message and the bus
// redelivers it.
func NewRouter(bus *Bus, topic string, notifier *Notifier, logger *slog.Logger) (*message.Router, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, watermill.NewSlogLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("watermill router: %w", err)
	}
	r.AddConsumerHandler(NotificationsHandler, topic, bus.Subscriber, notifier.Handle)
	return r, nil
}
