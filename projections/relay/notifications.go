package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/projections"
)

// Notification is one message a person should receive because of an event,
// waiting in the outbox for a mail integration.
type Notification struct {
	EventID     uuid.UUID       `json:"event_id"`
	RecipientID string          `json:"recipient_id"`
	Kind        string          `json:"kind"`
	Position    int64           `json:"position"`
	Subject     string          `json:"subject"`
	Details     json.RawMessage `json:"details"`
	OccurredAt  time.Time       `json:"occurred_at"`
}

// Rules decide which notifications an event causes (none for most events).
type Rules func(ctx context.Context, env Envelope) ([]Notification, error)

// Notifier is the Watermill handler that writes notifications. Inserting
// with the event id in the key makes it idempotent: a redelivered message
// changes nothing.
type Notifier struct {
	db    *projections.DB
	rules Rules
}

// NewNotifier returns the notification handler.
func NewNotifier(db *projections.DB, rules Rules) *Notifier {
	return &Notifier{db: db, rules: rules}
}

// Handle is the Watermill handler function.
func (n *Notifier) Handle(msg *message.Message) error {
	env, err := FromMessage(msg)
	if err != nil {
		return err
	}
	ctx := msg.Context()
	list, err := n.rules(ctx, env)
	if err != nil {
		return fmt.Errorf("notifications for event %d: %w", env.Position, err)
	}
	if len(list) == 0 {
		return nil
	}
	tx, err := n.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("notifications for event %d: %w", env.Position, err)
	}
	defer tx.Rollback()
	q := n.db.Rebind(`INSERT INTO notifications
		(event_id, recipient_id, kind, position, subject, details, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (event_id, recipient_id, kind) DO NOTHING`)
	for _, nt := range list {
		if _, err := tx.ExecContext(ctx, q, nt.EventID.String(), nt.RecipientID, nt.Kind, nt.Position,
			nt.Subject, string(nt.Details), nt.OccurredAt.UTC().Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("store notification %s for %s: %w", nt.Kind, nt.RecipientID, err)
		}
	}
	return tx.Commit()
}

// Pending lists notifications not yet marked sent, oldest first: what a
// mail integration reads.
func Pending(ctx context.Context, db *projections.DB, limit int) ([]Notification, error) {
	rows, err := db.SQL().QueryContext(ctx, db.Rebind(`SELECT event_id, recipient_id, kind, position, subject, details, occurred_at
		FROM notifications WHERE sent_at IS NULL ORDER BY position, recipient_id, kind LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("pending notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var nt Notification
		var id, details string
		var at any
		if err := rows.Scan(&id, &nt.RecipientID, &nt.Kind, &nt.Position, &nt.Subject, &details, &at); err != nil {
			return nil, fmt.Errorf("pending notifications: %w", err)
		}
		if nt.EventID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("pending notifications: event id %q: %w", id, err)
		}
		if nt.OccurredAt, err = scanTime(at); err != nil {
			return nil, fmt.Errorf("pending notifications: %w", err)
		}
		nt.Details = json.RawMessage(details)
		out = append(out, nt)
	}
	return out, rows.Err()
}

// MarkSent records that a notification went out.
func MarkSent(ctx context.Context, db *projections.DB, eventID uuid.UUID, recipientID, kind string, at time.Time) error {
	_, err := db.SQL().ExecContext(ctx, db.Rebind(`UPDATE notifications SET sent_at = ?
		WHERE event_id = ? AND recipient_id = ? AND kind = ?`), at.UTC().Format(time.RFC3339Nano), eventID.String(), recipientID, kind)
	if err != nil {
		return fmt.Errorf("mark notification sent: %w", err)
	}
	return nil
}

// scanTime reads a timestamp column: TIMESTAMPTZ on PostgreSQL, RFC 3339
// text on SQLite.
func scanTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return time.Parse(time.RFC3339Nano, t)
	case []byte:
		return time.Parse(time.RFC3339Nano, string(t))
	default:
		return time.Time{}, fmt.Errorf("timestamp of type %T", v)
	}
}
