package cycles

import (
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// Summary is one cycle as HR's dashboard shows it: where it stands, what
// blocks approval, who still has to sign and which appeals are open.
type Summary struct {
	CycleID         uuid.UUID         `json:"cycle_id"`
	Name            string            `json:"name"`
	State           domain.CycleState `json:"state"`
	Cadence         scoring.Cadence   `json:"cadence"`
	PeriodStart     time.Time         `json:"period_start"`
	PeriodEnd       time.Time         `json:"period_end"`
	Deadlines       domain.Deadlines  `json:"deadlines"`
	TemplateID      uuid.UUID         `json:"template_id"`
	TemplateVersion int               `json:"template_version,omitempty"`
	PolicyID        uuid.UUID         `json:"policy_id"`
	PolicyVersion   int               `json:"policy_version,omitempty"`
	EngineVersion   string            `json:"engine_version,omitempty"`
	Employees       int               `json:"employees"`
	// LastEventPosition is the last event of the cycle's own streams (its
	// lifecycle and its reviews) that the summary reflects: organisation and
	// policy events are not counted, so the value does not depend on when
	// the cycle was computed, and neither are saved drafts, which change
	// nothing a summary, a result or a progress report shows.
	LastEventPosition int64                `json:"last_event_position"`
	Approvable        bool                 `json:"approvable"`
	Blockers          []scoring.Blocker    `json:"blockers"`
	Flags             []scoring.Flag       `json:"flags"`
	Approval          Approval             `json:"approval"`
	OpenAppeals       []uuid.UUID          `json:"open_appeals"`
	Decisions         []DecisionRef        `json:"decisions"`
	Problem           string               `json:"problem,omitempty"` // why no results are computed yet (a draft)
	Distribution      []scoring.GradeCount `json:"distribution"`
}

// Approval is the sign-off chain (SPEC §2): every unit head, then the
// operations head, then the leader.
type Approval struct {
	Started          bool        `json:"started"`
	UnitsSigned      []uuid.UUID `json:"units_signed"`
	UnitsPending     []uuid.UUID `json:"units_pending"`
	OperationsSigned bool        `json:"operations_signed"`
	LeaderSigned     bool        `json:"leader_signed"`
	// Next is the step waiting for a signature ("" when none is).
	Next domain.SignOffStep `json:"next,omitempty"`
}

// DecisionRef points at a recorded decision of the cycle.
type DecisionRef struct {
	DecisionID        uuid.UUID           `json:"decision_id"`
	Kind              domain.DecisionKind `json:"kind"`
	Position          int64               `json:"position"`
	LastInputPosition int64               `json:"last_input_position"`
}

// Progress is who has submitted what for one employee of a cycle.
type Progress struct {
	EmployeeID         uuid.UUID   `json:"employee_id"`
	UnitID             uuid.UUID   `json:"unit_id"`
	InScope            bool        `json:"in_scope"`
	GoalsDrafted       int         `json:"goals_drafted"`
	GoalsAgreed        int         `json:"goals_agreed"`
	SelfSubmitted      bool        `json:"self_submitted"`
	ManagerSubmitted   bool        `json:"manager_submitted"`
	PeersAssigned      []uuid.UUID `json:"peers_assigned"`
	PeersSubmitted     []uuid.UUID `json:"peers_submitted"`
	CustomersRequested int         `json:"customers_requested"`
	CustomersSubmitted int         `json:"customers_submitted"`
	Acknowledged       bool        `json:"acknowledged"`
	AppealOpen         bool        `json:"appeal_open"`
	AppealsResolved    int         `json:"appeals_resolved"`
}

// Overdue lists what is late against the cycle's deadlines at now. It is
// computed when read, never stored, because it changes with the clock and a
// read model must depend on events only.
type Overdue struct {
	Goals      bool        `json:"goals"`
	SelfReview bool        `json:"self_review"`
	Manager    bool        `json:"manager"`
	Peers      []uuid.UUID `json:"peers,omitempty"`
	Customers  int         `json:"customers,omitempty"`
}

// ProgressRow is a progress document with its overdue items.
type ProgressRow struct {
	Progress
	Overdue Overdue `json:"overdue"`
}

// Recommendation is a derived recommendation with HR's decision, if any.
type Recommendation struct {
	scoring.Recommendation
	CycleID  uuid.UUID   `json:"cycle_id"`
	Decision *HRDecision `json:"decision,omitempty"`
}

// HRDecision is HR accepting or dismissing a recommendation (SPEC §9).
type HRDecision struct {
	Outcome  domain.RecommendationOutcome `json:"outcome"`
	Reason   string                       `json:"reason"`
	ActorID  uuid.UUID                    `json:"actor_id"`
	At       time.Time                    `json:"at"`
	EventID  uuid.UUID                    `json:"event_id"`
	Position int64                        `json:"position"`
}
