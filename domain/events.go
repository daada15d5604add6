package domain

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// This file is the catalogue of every event: past-tense plain structs, each
// with a permanent type string. The registry at the bottom is the one place
// that says which types exist and at which schema version; a struct may be
// renamed freely, its type string never.

// --- organisation (stream "organisation") -----------------------------------

// UnitCreated: a department or site (单位/部门) now exists.
type UnitCreated struct {
	UnitID   uuid.UUID `json:"unit_id"`
	Name     string    `json:"name"`
	ParentID uuid.UUID `json:"parent_id"` // uuid.Nil for a top-level unit
}

// UnitHeadAppointed: the unit's head (GM / 部门经理) changed.
type UnitHeadAppointed struct {
	UnitID uuid.UUID `json:"unit_id"`
	HeadID uuid.UUID `json:"head_id"`
}

// PositionLevelDefined: a position level with its monthly performance-pay
// standard (绩效工资标准).
type PositionLevelDefined struct {
	LevelID         uuid.UUID       `json:"level_id"`
	Name            string          `json:"name"`
	MonthlyStandard decimal.Decimal `json:"monthly_standard"`
}

// PayStandardChanged: a level's monthly standard changed from now on.
type PayStandardChanged struct {
	LevelID         uuid.UUID       `json:"level_id"`
	MonthlyStandard decimal.Decimal `json:"monthly_standard"`
	Reason          string          `json:"reason"`
}

// EmployeeHired: a person joined a unit at a level, reporting to a manager.
type EmployeeHired struct {
	EmployeeID uuid.UUID `json:"employee_id"`
	Name       string    `json:"name"`
	UnitID     uuid.UUID `json:"unit_id"`
	ManagerID  uuid.UUID `json:"manager_id"` // uuid.Nil for the top of the hierarchy
	LevelID    uuid.UUID `json:"level_id"`
}

// EmployeeTransferred: the employee moved to another unit, usually with a new
// manager there.
type EmployeeTransferred struct {
	EmployeeID uuid.UUID `json:"employee_id"`
	UnitID     uuid.UUID `json:"unit_id"`
	ManagerID  uuid.UUID `json:"manager_id"`
	Reason     string    `json:"reason"`
}

// ManagerChanged: the employee reports to someone else (上级).
type ManagerChanged struct {
	EmployeeID uuid.UUID `json:"employee_id"`
	ManagerID  uuid.UUID `json:"manager_id"`
	Reason     string    `json:"reason"`
}

// LevelChanged: the employee's position level (and so pay standard) changed.
type LevelChanged struct {
	EmployeeID uuid.UUID `json:"employee_id"`
	LevelID    uuid.UUID `json:"level_id"`
	Reason     string    `json:"reason"`
}

// EmployeeLeft: the employment ended.
type EmployeeLeft struct {
	EmployeeID uuid.UUID `json:"employee_id"`
	Reason     string    `json:"reason"`
}

func (UnitCreated) EventType() string          { return "appraisal.unit_created" }
func (UnitHeadAppointed) EventType() string    { return "appraisal.unit_head_appointed" }
func (PositionLevelDefined) EventType() string { return "appraisal.position_level_defined" }
func (PayStandardChanged) EventType() string   { return "appraisal.pay_standard_changed" }
func (EmployeeHired) EventType() string        { return "appraisal.employee_hired" }
func (EmployeeTransferred) EventType() string  { return "appraisal.employee_transferred" }
func (ManagerChanged) EventType() string       { return "appraisal.manager_changed" }
func (LevelChanged) EventType() string         { return "appraisal.level_changed" }
func (EmployeeLeft) EventType() string         { return "appraisal.employee_left" }

func (e PayStandardChanged) eventReason() string  { return e.Reason }
func (e EmployeeTransferred) eventReason() string { return e.Reason }
func (e ManagerChanged) eventReason() string      { return e.Reason }
func (e LevelChanged) eventReason() string        { return e.Reason }
func (e EmployeeLeft) eventReason() string        { return e.Reason }

// --- cycles (stream "cycle-<id>") -------------------------------------------

// CycleSettings are what HR may change while a cycle is a draft.
type CycleSettings struct {
	Name        string          `json:"name"`
	Cadence     scoring.Cadence `json:"cadence"`
	PeriodStart time.Time       `json:"period_start"` // first day of the period, UTC midnight
	PeriodEnd   time.Time       `json:"period_end"`   // last day of the period, UTC midnight
	Scope       Scope           `json:"scope"`
	TemplateID  uuid.UUID       `json:"template_id"`
	PolicyID    uuid.UUID       `json:"policy_id"`
	Deadlines   Deadlines       `json:"deadlines"`
}

// Scope says who is appraised: everyone in Units plus Employees, minus the
// excluded position levels and people (SPEC §1: the source excludes
// self-operated sales staff).
type Scope struct {
	Units             []uuid.UUID `json:"units"`
	Employees         []uuid.UUID `json:"employees"`
	ExcludedLevels    []uuid.UUID `json:"excluded_levels"`
	ExcludedEmployees []uuid.UUID `json:"excluded_employees"`
}

// Deadlines of a cycle (SPEC §2). Dates are UTC midnights; a deadline is the
// whole of its day.
type Deadlines struct {
	GoalsDue      time.Time `json:"goals_due"`
	SelfReviewDue time.Time `json:"self_review_due"`
	ReviewsDue    time.Time `json:"reviews_due"`
	PayrollDue    time.Time `json:"payroll_due"`
	// AppealWindowDays overrides the policy's appeal window; 0 keeps it.
	AppealWindowDays int `json:"appeal_window_days"`
}

// CycleCreated: HR drafted a cycle.
type CycleCreated struct {
	CycleID  uuid.UUID     `json:"cycle_id"`
	Settings CycleSettings `json:"settings"`
}

// CycleRevised: HR changed a draft cycle's settings (the whole new set).
type CycleRevised struct {
	CycleID  uuid.UUID     `json:"cycle_id"`
	Settings CycleSettings `json:"settings"`
}

// CycleOpened: the cycle left draft for goal setting, pinning the template
// and policy versions it will be judged by for ever (SPEC §12) and the
// appeal window (the cycle's own, else the policy's).
type CycleOpened struct {
	CycleID          uuid.UUID `json:"cycle_id"`
	TemplateVersion  int       `json:"template_version"`
	PolicyVersion    int       `json:"policy_version"`
	AppealWindowDays int       `json:"appeal_window_days"`
}

// SelfReviewStarted: employees may now submit self-evaluations.
type SelfReviewStarted struct {
	CycleID uuid.UUID `json:"cycle_id"`
}

// ReviewStarted: peers, managers and customers may now evaluate.
type ReviewStarted struct {
	CycleID uuid.UUID `json:"cycle_id"`
}

// CalibrationStarted: unit heads and HR may now adjust scores.
type CalibrationStarted struct {
	CycleID uuid.UUID `json:"cycle_id"`
}

// ApprovalStarted: the sign-off chain begins; Units are the units whose
// heads must sign, as the engine saw them when approval was entered.
type ApprovalStarted struct {
	CycleID uuid.UUID   `json:"cycle_id"`
	Units   []uuid.UUID `json:"units"`
}

// PairingOverrideGranted: HR accepts a unit's A+ without a C (SPEC §8).
type PairingOverrideGranted struct {
	CycleID       uuid.UUID `json:"cycle_id"`
	UnitID        uuid.UUID `json:"unit_id"`
	Justification string    `json:"justification"`
}

// SignOffStep is one link of the approval chain (SPEC §2).
type SignOffStep string

// The chain, in order: every unit head signs (签字确认), then the operations
// head reviews (审核签字), then the supervising leader approves (批复).
const (
	StepUnitHead       SignOffStep = "unit_head"
	StepOperationsHead SignOffStep = "operations_head"
	StepLeader         SignOffStep = "leader"
)

// CycleSignedOff: one step of the chain was signed. UnitID is set for the
// unit-head step only.
type CycleSignedOff struct {
	CycleID uuid.UUID   `json:"cycle_id"`
	Step    SignOffStep `json:"step"`
	UnitID  uuid.UUID   `json:"unit_id"`
	Comment string      `json:"comment"`
}

// CyclePublished: employees see their results; the appeal window runs until
// AppealsUntil. Appended together with a DecisionRecorded.
type CyclePublished struct {
	CycleID      uuid.UUID `json:"cycle_id"`
	PublishedAt  time.Time `json:"published_at"`
	AppealsUntil time.Time `json:"appeals_until"`
}

// CycleReopened: published results go back to calibration (SPEC §2); every
// later step, sign-offs included, repeats.
type CycleReopened struct {
	CycleID uuid.UUID `json:"cycle_id"`
	Reason  string    `json:"reason"`
}

// CycleClosed: results are final; payroll export is allowed. Appended
// together with a DecisionRecorded.
type CycleClosed struct {
	CycleID  uuid.UUID `json:"cycle_id"`
	ClosedAt time.Time `json:"closed_at"`
}

func (CycleCreated) EventType() string           { return "appraisal.cycle_created" }
func (CycleRevised) EventType() string           { return "appraisal.cycle_revised" }
func (CycleOpened) EventType() string            { return "appraisal.cycle_opened" }
func (SelfReviewStarted) EventType() string      { return "appraisal.cycle_self_review_started" }
func (ReviewStarted) EventType() string          { return "appraisal.cycle_review_started" }
func (CalibrationStarted) EventType() string     { return "appraisal.cycle_calibration_started" }
func (ApprovalStarted) EventType() string        { return "appraisal.cycle_approval_started" }
func (PairingOverrideGranted) EventType() string { return "appraisal.pairing_override_granted" }
func (CycleSignedOff) EventType() string         { return "appraisal.cycle_signed_off" }
func (CyclePublished) EventType() string         { return "appraisal.cycle_published" }
func (CycleReopened) EventType() string          { return "appraisal.cycle_reopened" }
func (CycleClosed) EventType() string            { return "appraisal.cycle_closed" }

func (e PairingOverrideGranted) eventReason() string { return e.Justification }
func (e CycleReopened) eventReason() string          { return e.Reason }

// DecisionKind says which step recorded a decision.
type DecisionKind string

// Decision kinds (SPEC §12: results are recorded at publication and close).
const (
	DecisionPublication DecisionKind = "publication"
	DecisionClose       DecisionKind = "close"
)

// DecisionRecorded is the head of a recorded decision: what was computed,
// by which engine, under which template and policy versions, from the events
// up to LastInputPosition. The per-employee rows follow in Parts
// DecisionPartRecorded events of the same append, because a large cycle's
// rows exceed one event's payload limit. Traces are not recorded: an
// auditor's replay recomputes them from the same events.
type DecisionRecorded struct {
	DecisionID        uuid.UUID            `json:"decision_id"`
	CycleID           uuid.UUID            `json:"cycle_id"`
	Kind              DecisionKind         `json:"kind"`
	Status            scoring.ResultStatus `json:"status"`
	TemplateID        uuid.UUID            `json:"template_id"`
	TemplateVersion   int                  `json:"template_version"`
	PolicyID          uuid.UUID            `json:"policy_id"`
	PolicyVersion     int                  `json:"policy_version"`
	EngineVersion     string               `json:"engine_version"`
	LastInputPosition int64                `json:"last_input_position"`
	Employees         int                  `json:"employees"`
	Parts             int                  `json:"parts"`
	Units             []DecidedUnit        `json:"units"`
}

// DecisionPartRecorded carries up to DecisionPartSize employee rows of a
// decision; Part counts from 1.
type DecisionPartRecorded struct {
	DecisionID uuid.UUID         `json:"decision_id"`
	CycleID    uuid.UUID         `json:"cycle_id"`
	Part       int               `json:"part"`
	Employees  []DecidedEmployee `json:"employees"`
}

// DecidedEmployee is one employee's recorded result.
type DecidedEmployee struct {
	EmployeeID      uuid.UUID                    `json:"employee_id"`
	UnitID          uuid.UUID                    `json:"unit_id"`
	PositionLevel   string                       `json:"position_level"`
	Overall         decimal.Decimal              `json:"overall"`
	Final           decimal.Decimal              `json:"final"`
	Grade           string                       `json:"grade"`
	Coefficient     decimal.Decimal              `json:"coefficient"`
	Standard        decimal.Decimal              `json:"standard"`
	PayBeforeBudget decimal.Decimal              `json:"pay_before_budget"`
	Pay             decimal.Decimal              `json:"pay"`
	ProrationFactor decimal.Decimal              `json:"proration_factor"`
	Flags           []scoring.FlagKind           `json:"flags,omitempty"`
	Recommendations []scoring.RecommendationKind `json:"recommendations,omitempty"`
}

// DecidedUnit is one unit's recorded budget outcome.
type DecidedUnit struct {
	UnitID               uuid.UUID       `json:"unit_id"`
	Employees            int             `json:"employees"`
	Budget               decimal.Decimal `json:"budget"`
	PayTotalBeforeBudget decimal.Decimal `json:"pay_total_before_budget"`
	PayTotal             decimal.Decimal `json:"pay_total"`
	Overshoot            decimal.Decimal `json:"overshoot"`
	Factor               decimal.Decimal `json:"factor"`
	PairingWarning       bool            `json:"pairing_warning"`
	PairingOverridden    bool            `json:"pairing_overridden"`
}

func (DecisionRecorded) EventType() string     { return "appraisal.decision_recorded" }
func (DecisionPartRecorded) EventType() string { return "appraisal.decision_part_recorded" }

// --- templates and policies (streams "template-<id>", "policy-<id>") ---------

// TemplateVersionPublished: a new version of a template; Template carries
// its id and version number.
type TemplateVersionPublished struct {
	Template scoring.Template `json:"template"`
}

// PolicyVersionPublished: a new version of a policy; Policy carries its id
// and version number.
type PolicyVersionPublished struct {
	Policy scoring.Policy `json:"policy"`
}

func (TemplateVersionPublished) EventType() string { return "appraisal.template_version_published" }
func (PolicyVersionPublished) EventType() string   { return "appraisal.policy_version_published" }

// --- one employee in one cycle (stream "review-<cycle>-<employee>") ---------

// Every event below names its cycle and employee, so a reader never has to
// parse stream names.

// GoalDrafted: the employee wrote or rewrote a goal (个人工作计划和目标);
// a rewrite needs the manager's agreement again.
type GoalDrafted struct {
	CycleID     uuid.UUID `json:"cycle_id"`
	EmployeeID  uuid.UUID `json:"employee_id"`
	GoalID      uuid.UUID `json:"goal_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
}

// GoalAgreed: the manager agreed the goal as last drafted.
type GoalAgreed struct {
	CycleID    uuid.UUID `json:"cycle_id"`
	EmployeeID uuid.UUID `json:"employee_id"`
	GoalID     uuid.UUID `json:"goal_id"`
}

// ManagerDelegated: HR let someone other than the manager of record give the
// manager evaluation and agree goals (SPEC §4).
type ManagerDelegated struct {
	CycleID    uuid.UUID `json:"cycle_id"`
	EmployeeID uuid.UUID `json:"employee_id"`
	DelegateID uuid.UUID `json:"delegate_id"`
	Reason     string    `json:"reason"`
}

// PeerAssigned: a colleague is asked for a peer evaluation.
type PeerAssigned struct {
	CycleID    uuid.UUID `json:"cycle_id"`
	EmployeeID uuid.UUID `json:"employee_id"`
	PeerID     uuid.UUID `json:"peer_id"`
}

// CustomerContact is the external person asked for feedback.
type CustomerContact struct {
	Name    string `json:"name"`
	Email   string `json:"email"`
	Company string `json:"company"`
}

// CustomerFeedbackRequested: a customer contact is asked for an evaluation.
// The single-use link is the HTTP layer's; the domain knows the request id
// (which the customer acts as) and its expiry.
type CustomerFeedbackRequested struct {
	CycleID    uuid.UUID       `json:"cycle_id"`
	EmployeeID uuid.UUID       `json:"employee_id"`
	RequestID  uuid.UUID       `json:"request_id"`
	Contact    CustomerContact `json:"contact"`
	ExpiresAt  time.Time       `json:"expires_at"`
}

// ScoreEntry is a rater's score of one criterion, on the criterion's scale,
// with an optional comment.
type ScoreEntry struct {
	Criterion string          `json:"criterion"`
	Score     decimal.Decimal `json:"score"`
	Comment   string          `json:"comment,omitempty"`
}

// EvaluationDraftSaved: work in progress, kept so nothing typed is lost; it
// never counts toward a score.
type EvaluationDraftSaved struct {
	CycleID    uuid.UUID         `json:"cycle_id"`
	EmployeeID uuid.UUID         `json:"employee_id"`
	Kind       scoring.RaterKind `json:"kind"`
	RaterID    uuid.UUID         `json:"rater_id"`
	Scores     []ScoreEntry      `json:"scores"`
	Summary    string            `json:"summary"`
}

// EvaluationSubmitted: an evaluation is final; only an amendment with a
// reason changes it. RaterID is the customer request id for customers.
type EvaluationSubmitted struct {
	CycleID      uuid.UUID         `json:"cycle_id"`
	EmployeeID   uuid.UUID         `json:"employee_id"`
	EvaluationID uuid.UUID         `json:"evaluation_id"`
	Kind         scoring.RaterKind `json:"kind"`
	RaterID      uuid.UUID         `json:"rater_id"`
	Scores       []ScoreEntry      `json:"scores"`
	Summary      string            `json:"summary"`
}

// EvaluationAmended: a submitted evaluation's scores were replaced, with a
// reason, before calibration ended.
type EvaluationAmended struct {
	CycleID      uuid.UUID    `json:"cycle_id"`
	EmployeeID   uuid.UUID    `json:"employee_id"`
	EvaluationID uuid.UUID    `json:"evaluation_id"`
	Scores       []ScoreEntry `json:"scores"`
	Summary      string       `json:"summary"`
	Reason       string       `json:"reason"`
}

// KPITargetSet: the target of a measured criterion.
type KPITargetSet struct {
	CycleID    uuid.UUID       `json:"cycle_id"`
	EmployeeID uuid.UUID       `json:"employee_id"`
	Criterion  string          `json:"criterion"`
	Target     decimal.Decimal `json:"target"`
}

// KPIActualRecorded: the actual of a measured criterion.
type KPIActualRecorded struct {
	CycleID    uuid.UUID       `json:"cycle_id"`
	EmployeeID uuid.UUID       `json:"employee_id"`
	Criterion  string          `json:"criterion"`
	Actual     decimal.Decimal `json:"actual"`
}

// ScoreAdjusted: a calibration adjustment (调整) or the new score of an
// upheld appeal (then AppealID is set and Origin is appeal).
type ScoreAdjusted struct {
	CycleID      uuid.UUID                `json:"cycle_id"`
	EmployeeID   uuid.UUID                `json:"employee_id"`
	AdjustmentID uuid.UUID                `json:"adjustment_id"`
	Origin       scoring.AdjustmentOrigin `json:"origin"`
	Kind         scoring.AdjustmentKind   `json:"kind"`
	Value        decimal.Decimal          `json:"value"`
	Reason       string                   `json:"reason"`
	AppealID     uuid.UUID                `json:"appeal_id,omitzero"`
}

// ResultsAcknowledged: the employee signed their results (签字确认) as
// published at PublishedAt; a reopened and republished cycle asks again.
type ResultsAcknowledged struct {
	CycleID     uuid.UUID `json:"cycle_id"`
	EmployeeID  uuid.UUID `json:"employee_id"`
	PublishedAt time.Time `json:"published_at"`
}

// AppealFiled: the employee appealed (申诉) the results published at
// PublishedAt, within the window.
type AppealFiled struct {
	CycleID     uuid.UUID `json:"cycle_id"`
	EmployeeID  uuid.UUID `json:"employee_id"`
	AppealID    uuid.UUID `json:"appeal_id"`
	PublishedAt time.Time `json:"published_at"`
	Reason      string    `json:"reason"`
}

// AppealRejected: HR kept the result.
type AppealRejected struct {
	CycleID    uuid.UUID `json:"cycle_id"`
	EmployeeID uuid.UUID `json:"employee_id"`
	AppealID   uuid.UUID `json:"appeal_id"`
	Reason     string    `json:"reason"`
}

// AppealUpheld: HR gave a new score; the ScoreAdjusted appended with it
// carries the score into the engine.
type AppealUpheld struct {
	CycleID    uuid.UUID       `json:"cycle_id"`
	EmployeeID uuid.UUID       `json:"employee_id"`
	AppealID   uuid.UUID       `json:"appeal_id"`
	NewScore   decimal.Decimal `json:"new_score"`
	Reason     string          `json:"reason"`
}

// AwardGranted: an award (优秀员工奖, 创新奖, 团队协作奖, 特殊贡献奖) paid
// beside the performance pay, outside the unit budget.
type AwardGranted struct {
	CycleID    uuid.UUID       `json:"cycle_id"`
	EmployeeID uuid.UUID       `json:"employee_id"`
	AwardID    uuid.UUID       `json:"award_id"`
	Type       string          `json:"type"`
	Amount     decimal.Decimal `json:"amount"`
	Reason     string          `json:"reason"`
}

// PenaltyImposed: a penalty (警告 warning, 罚款 fine, 降职 demotion); Amount
// is zero for penalties without money.
type PenaltyImposed struct {
	CycleID    uuid.UUID       `json:"cycle_id"`
	EmployeeID uuid.UUID       `json:"employee_id"`
	PenaltyID  uuid.UUID       `json:"penalty_id"`
	Type       string          `json:"type"`
	Amount     decimal.Decimal `json:"amount"`
	Reason     string          `json:"reason"`
}

// RecommendationOutcome is HR's answer to a recommendation.
type RecommendationOutcome string

// Outcomes of SPEC §9.
const (
	RecommendationAccepted  RecommendationOutcome = "accepted"
	RecommendationDismissed RecommendationOutcome = "dismissed"
)

// RecommendationDecided: HR accepted or dismissed a recommendation that the
// cycle's recorded decision raised.
type RecommendationDecided struct {
	CycleID    uuid.UUID                  `json:"cycle_id"`
	EmployeeID uuid.UUID                  `json:"employee_id"`
	Kind       scoring.RecommendationKind `json:"kind"`
	Outcome    RecommendationOutcome      `json:"outcome"`
	Reason     string                     `json:"reason"`
}

func (GoalDrafted) EventType() string               { return "appraisal.goal_drafted" }
func (GoalAgreed) EventType() string                { return "appraisal.goal_agreed" }
func (ManagerDelegated) EventType() string          { return "appraisal.manager_delegated" }
func (PeerAssigned) EventType() string              { return "appraisal.peer_assigned" }
func (CustomerFeedbackRequested) EventType() string { return "appraisal.customer_feedback_requested" }
func (EvaluationDraftSaved) EventType() string      { return "appraisal.evaluation_draft_saved" }
func (EvaluationSubmitted) EventType() string       { return "appraisal.evaluation_submitted" }
func (EvaluationAmended) EventType() string         { return "appraisal.evaluation_amended" }
func (KPITargetSet) EventType() string              { return "appraisal.kpi_target_set" }
func (KPIActualRecorded) EventType() string         { return "appraisal.kpi_actual_recorded" }
func (ScoreAdjusted) EventType() string             { return "appraisal.score_adjusted" }
func (ResultsAcknowledged) EventType() string       { return "appraisal.results_acknowledged" }
func (AppealFiled) EventType() string               { return "appraisal.appeal_filed" }
func (AppealRejected) EventType() string            { return "appraisal.appeal_rejected" }
func (AppealUpheld) EventType() string              { return "appraisal.appeal_upheld" }
func (AwardGranted) EventType() string              { return "appraisal.award_granted" }
func (PenaltyImposed) EventType() string            { return "appraisal.penalty_imposed" }
func (RecommendationDecided) EventType() string     { return "appraisal.recommendation_decided" }

func (e ManagerDelegated) eventReason() string      { return e.Reason }
func (e EvaluationAmended) eventReason() string     { return e.Reason }
func (e ScoreAdjusted) eventReason() string         { return e.Reason }
func (e AppealFiled) eventReason() string           { return e.Reason }
func (e AppealRejected) eventReason() string        { return e.Reason }
func (e AppealUpheld) eventReason() string          { return e.Reason }
func (e AwardGranted) eventReason() string          { return e.Reason }
func (e PenaltyImposed) eventReason() string        { return e.Reason }
func (e RecommendationDecided) eventReason() string { return e.Reason }

// registry is every event type the domain stores, with its schema version.
// Adding a type is one line here; bumping a schema version needs an upcaster
// in the store for the old version.
var registry = newRegistry(
	register[UnitCreated](1),
	register[UnitHeadAppointed](1),
	register[PositionLevelDefined](1),
	register[PayStandardChanged](1),
	register[EmployeeHired](1),
	register[EmployeeTransferred](1),
	register[ManagerChanged](1),
	register[LevelChanged](1),
	register[EmployeeLeft](1),

	register[CycleCreated](1),
	register[CycleRevised](1),
	register[CycleOpened](1),
	register[SelfReviewStarted](1),
	register[ReviewStarted](1),
	register[CalibrationStarted](1),
	register[ApprovalStarted](1),
	register[PairingOverrideGranted](1),
	register[CycleSignedOff](1),
	register[CyclePublished](1),
	register[CycleReopened](1),
	register[CycleClosed](1),
	register[DecisionRecorded](1),
	register[DecisionPartRecorded](1),

	register[TemplateVersionPublished](1),
	register[PolicyVersionPublished](1),

	register[GoalDrafted](1),
	register[GoalAgreed](1),
	register[ManagerDelegated](1),
	register[PeerAssigned](1),
	register[CustomerFeedbackRequested](1),
	register[EvaluationDraftSaved](1),
	register[EvaluationSubmitted](1),
	register[EvaluationAmended](1),
	register[KPITargetSet](1),
	register[KPIActualRecorded](1),
	register[ScoreAdjusted](1),
	register[ResultsAcknowledged](1),
	register[AppealFiled](1),
	register[AppealRejected](1),
	register[AppealUpheld](1),
	register[AwardGranted](1),
	register[PenaltyImposed](1),
	register[RecommendationDecided](1),
)
