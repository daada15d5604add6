package cycles

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// ErrUnknownDecision is a decision id no recorded decision carries.
var ErrUnknownDecision = errors.New("no such recorded decision")

// ReplayReport is one recorded decision recomputed from the events up to
// its last input position.
type ReplayReport struct {
	DecisionID        uuid.UUID           `json:"decision_id"`
	CycleID           uuid.UUID           `json:"cycle_id"`
	Kind              domain.DecisionKind `json:"kind"`
	Position          int64               `json:"position"`
	LastInputPosition int64               `json:"last_input_position"`
	TemplateVersion   int                 `json:"template_version"`
	PolicyVersion     int                 `json:"policy_version"`
	EngineVersion     string              `json:"engine_version"`
	Match             bool                `json:"match"`
	Mismatches        []domain.Mismatch   `json:"mismatches"`
	// Derivation is the recomputed result with every trace.
	Derivation scoring.Result `json:"derivation"`
}

// Decisions lists every recorded decision in log order.
func (a *Auditor) Decisions() []domain.RecordedDecision {
	return domain.Decisions(a.index.Shared())
}

// Replay recomputes one recorded decision. The fold uses the template and
// policy versions the cycle pinned and stops at the decision's last input
// position, so later policy versions and events never change the answer; an
// engine whose version differs from the recorded one is reported as a
// mismatch rather than silently compared.
func (a *Auditor) Replay(ctx context.Context, decisionID uuid.UUID) (ReplayReport, error) {
	if err := ctx.Err(); err != nil {
		return ReplayReport{}, err
	}
	for _, d := range a.Decisions() {
		if d.DecisionID == decisionID {
			return a.replay(d)
		}
	}
	return ReplayReport{}, fmt.Errorf("decision %s: %w", decisionID, ErrUnknownDecision)
}

// ReplayAll replays every recorded decision in log order.
func (a *Auditor) ReplayAll(ctx context.Context) ([]ReplayReport, error) {
	var out []ReplayReport
	for _, d := range a.Decisions() {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, err := a.replay(d)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (a *Auditor) replay(d domain.RecordedDecision) (ReplayReport, error) {
	ev, mismatches, err := domain.ReplayDecision(a.index.Events(d.CycleID, d.LastInputPosition), d)
	if err != nil {
		return ReplayReport{}, fmt.Errorf("replay decision %s: %w", d.DecisionID, err)
	}
	return ReplayReport{DecisionID: d.DecisionID, CycleID: d.CycleID, Kind: d.Kind, Position: d.Position,
		LastInputPosition: d.LastInputPosition, TemplateVersion: d.TemplateVersion, PolicyVersion: d.PolicyVersion,
		EngineVersion: d.EngineVersion, Match: len(mismatches) == 0, Mismatches: mismatches, Derivation: ev.Result}, nil
}
