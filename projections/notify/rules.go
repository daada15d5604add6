package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/relay"
)

// Notification kinds, permanent: a mail integration keys its templates on them.
const (
	KindEvaluationRequested       = "evaluation_requested"
	KindCustomerFeedbackRequested = "customer_feedback_requested"
	KindResultsPublished          = "results_published"
	KindAppealResolved            = "appeal_resolved"
)

// Rules turns domain events into notifications. It reads the store only to
// tell a publication decision's rows from a close decision's.
type Rules struct {
	store eventstore.Store
}

// New returns the rules over store.
func New(store eventstore.Store) *Rules { return &Rules{store: store} }

// Notifications implements relay.Rules.
func (r *Rules) Notifications(ctx context.Context, env relay.Envelope) ([]relay.Notification, error) {
	ev, err := domain.Decode(env.Type, env.SchemaVersion, env.Payload)
	if errors.Is(err, domain.ErrUnknownEvent) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	one := func(recipient, kind, subject string, details any) ([]relay.Notification, error) {
		n, err := notification(env, recipient, kind, subject, details)
		return []relay.Notification{n}, err
	}
	switch e := ev.(type) {
	case domain.PeerAssigned:
		return one(e.PeerID.String(), KindEvaluationRequested, "You are asked for a peer evaluation",
			map[string]any{"cycle_id": e.CycleID, "employee_id": e.EmployeeID, "kind": "peer"})
	case domain.ManagerDelegated:
		return one(e.DelegateID.String(), KindEvaluationRequested, "You are asked for a manager evaluation",
			map[string]any{"cycle_id": e.CycleID, "employee_id": e.EmployeeID, "kind": "manager", "reason": e.Reason})
	case domain.CustomerFeedbackRequested:
		return one("customer:"+e.RequestID.String(), KindCustomerFeedbackRequested, "Your feedback is requested",
			map[string]any{"cycle_id": e.CycleID, "employee_id": e.EmployeeID, "contact": e.Contact, "expires_at": e.ExpiresAt})
	case domain.AppealRejected:
		return one(e.EmployeeID.String(), KindAppealResolved, "Your appeal was rejected",
			map[string]any{"cycle_id": e.CycleID, "appeal_id": e.AppealID, "outcome": "rejected", "reason": e.Reason})
	case domain.AppealUpheld:
		return one(e.EmployeeID.String(), KindAppealResolved, "Your appeal was upheld",
			map[string]any{"cycle_id": e.CycleID, "appeal_id": e.AppealID, "outcome": "upheld", "new_score": e.NewScore, "reason": e.Reason})
	case domain.DecisionPartRecorded:
		return r.published(ctx, env, e)
	}
	return nil, nil
}

// published notifies every employee of a publication decision's part. The
// part follows its head in the same append, Part versions later.
func (r *Rules) published(ctx context.Context, env relay.Envelope, part domain.DecisionPartRecorded) ([]relay.Notification, error) {
	heads, err := r.store.ReadStream(ctx, env.Stream, env.Version-int64(part.Part)-1, 1)
	if err != nil {
		return nil, fmt.Errorf("read decision head of %s: %w", part.DecisionID, err)
	}
	if len(heads) != 1 {
		return nil, fmt.Errorf("decision %s: head not found before part %d", part.DecisionID, part.Part)
	}
	head, err := domain.Decode(heads[0].Type, heads[0].SchemaVersion, heads[0].Payload)
	if err != nil {
		return nil, err
	}
	h, ok := head.(domain.DecisionRecorded)
	if !ok || h.DecisionID != part.DecisionID {
		return nil, fmt.Errorf("decision %s: event before part %d is %s", part.DecisionID, part.Part, heads[0].Type)
	}
	if h.Kind != domain.DecisionPublication {
		return nil, nil
	}
	out := make([]relay.Notification, 0, len(part.Employees))
	for _, row := range part.Employees {
		n, err := notification(env, row.EmployeeID.String(), KindResultsPublished, "Your appraisal results are published",
			map[string]any{"cycle_id": part.CycleID, "decision_id": part.DecisionID, "grade": row.Grade, "final": row.Final, "pay": row.Pay})
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func notification(env relay.Envelope, recipient, kind, subject string, details any) (relay.Notification, error) {
	body, err := json.Marshal(details)
	if err != nil {
		return relay.Notification{}, fmt.Errorf("notification details: %w", err)
	}
	return relay.Notification{EventID: env.ID, RecipientID: recipient, Kind: kind, Position: env.Position,
		Subject: subject, Details: body, OccurredAt: env.RecordedAt}, nil
}

// compile-time check that Notifications fits relay.Rules.
var _ relay.Rules = (*Rules)(nil).Notifications
