package relay

// Stable names: they key checkpoints, leader locks, durable consumers and
// consumer groups, so renaming one starts that consumer over from scratch.
const (
	// Topic is the one topic every committed event is published to. NATS
	// JetStream stream names may not contain dots, hence the underscore.
	Topic = "appraisal_events"
	// RelayName is the relay's projection name (checkpoint and leader lock).
	RelayName = "watermill_relay"
	// NotificationsHandler is the Watermill handler writing notifications.
	NotificationsHandler = "notifications_v1"
	// NotificationsGroup is the consumer group (watermill-sql) and durable
	// consumer (JetStream) of the notifications handler.
	NotificationsGroup = "appraisal_notifications"
)
