package scoring

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// BudgetMode is what happens when a unit's pay total exceeds its budget
// (SPEC §7).
type BudgetMode string

// Budget modes.
const (
	// BudgetBlock: the cycle cannot pass approval; the overshoot and the
	// people driving it are reported so that calibration can fix it.
	BudgetBlock BudgetMode = "block"
	// BudgetProrate: every pay in the unit is scaled down so that the unit
	// total equals the budget to the cent.
	BudgetProrate BudgetMode = "prorate"
)

// Policy is a versioned set of rules (SPEC §4, §6-§10). Every interpretation
// the SPEC marks as such is a field here, so that a new policy version can
// change it without touching code; a cycle keeps the version it started with.
type Policy struct {
	ID      uuid.UUID `json:"id"`
	Version int       `json:"version"`
	Name    string    `json:"name"`

	// RaterWeights weigh the rater kinds' means in a rated criterion (§4, §5).
	RaterWeights RaterWeights `json:"rater_weights"`
	// Grades are the bands of §6, best first; a score belongs to the first
	// band whose inclusive lower bound it reaches.
	Grades []GradeBand `json:"grades"`
	// BudgetMode decides what a unit overshooting its budget means (§7).
	BudgetMode BudgetMode `json:"budget_mode"`
	// ForcedPairing is the A+-needs-a-C rule of §8.
	ForcedPairing ForcedPairingRule `json:"forced_pairing"`
	// ConsecutiveFlag is the three-consecutive-monthly-C flag of §8.
	ConsecutiveFlag ConsecutiveRule `json:"consecutive_flag"`
	// AnonymityThreshold is the least number of peer or customer evaluations
	// before their aggregate is shown to the employee (§4).
	AnonymityThreshold int `json:"anonymity_threshold"`
	// Recommendations are the rules of §9.
	Recommendations RecommendationRules `json:"recommendations"`
	// AppealWindowDays is how long after publication an employee may appeal
	// (§10). The engine does not use it; the cycle aggregate does.
	AppealWindowDays int `json:"appeal_window_days"`
	// KPICap is the highest KPI score of a measured criterion whose own Cap
	// is zero (§3).
	KPICap decimal.Decimal `json:"kpi_cap"`
}

// RaterWeights are percentages per rater kind; they are re-normalised over
// the kinds that actually rated a criterion.
type RaterWeights struct {
	Self     decimal.Decimal `json:"self"`
	Peer     decimal.Decimal `json:"peer"`
	Manager  decimal.Decimal `json:"manager"`
	Customer decimal.Decimal `json:"customer"`
}

// Of returns the weight of kind k (zero for an unknown kind).
func (w RaterWeights) Of(k RaterKind) decimal.Decimal {
	switch k {
	case RaterSelf:
		return w.Self
	case RaterPeer:
		return w.Peer
	case RaterManager:
		return w.Manager
	case RaterCustomer:
		return w.Customer
	}
	return decimal.Zero
}

// GradeBand is one grade: scores at or above LowerBound (and below the next
// better band's bound) get Grade and pay Coefficient × standard.
type GradeBand struct {
	Grade       string          `json:"grade"`
	LowerBound  decimal.Decimal `json:"lower_bound"`
	Coefficient decimal.Decimal `json:"coefficient"`
}

// ForcedPairingRule: a unit with at least one HighGrade and no LowGrade gets
// a calibration warning that only an HR override with a justification clears.
type ForcedPairingRule struct {
	Enabled   bool   `json:"enabled"`
	HighGrade string `json:"high_grade"`
	LowGrade  string `json:"low_grade"`
}

// ConsecutiveRule matches Count consecutive published results of Grade.
// Consecutive means adjacent in the employee's own sequence of results of
// Cadence ordered by period end (a cycle the employee was not in scope of
// does not break a run: interpretation). An empty Cadence means the cadence
// of the cycle being computed.
type ConsecutiveRule struct {
	Enabled bool    `json:"enabled"`
	Cadence Cadence `json:"cadence,omitempty"`
	Grade   string  `json:"grade"`
	Count   int     `json:"count"`
}

// GradeRule matches one result of Grade whose status has reached MinStatus.
type GradeRule struct {
	Enabled   bool         `json:"enabled"`
	Grade     string       `json:"grade"`
	MinStatus ResultStatus `json:"min_status"`
}

// PromotionRule: the last Cycles closed results of a window's cadence are all
// MinGrade or better, and no closed result of any cadence within the span of
// those cycles is below FloorGrade (so a monthly C inside two good years still
// blocks a promotion: interpretation of "none below B").
type PromotionRule struct {
	Enabled    bool              `json:"enabled"`
	Windows    []PromotionWindow `json:"windows"`
	MinGrade   string            `json:"min_grade"`
	FloorGrade string            `json:"floor_grade"`
}

// PromotionWindow is how many closed cycles of one cadence are looked at.
type PromotionWindow struct {
	Cadence Cadence `json:"cadence"`
	Cycles  int     `json:"cycles"`
}

// PositionReviewRule: a result of Grade, or the consecutive flag when
// OnConsecutiveFlag is set.
type PositionReviewRule struct {
	Enabled           bool   `json:"enabled"`
	Grade             string `json:"grade"`
	OnConsecutiveFlag bool   `json:"on_consecutive_flag"`
}

// RecommendationRules are the §9 rules; each can be switched off.
type RecommendationRules struct {
	Promotion       PromotionRule      `json:"promotion"`
	Training        GradeRule          `json:"training"`
	PositionReview  PositionReviewRule `json:"position_review"`
	DemotionReview  ConsecutiveRule    `json:"demotion_review"`
	ExcellenceAward GradeRule          `json:"excellence_award"`
}

// rank is the index of grade in the bands (0 = best), or -1.
func (p Policy) rank(grade string) int {
	for i, b := range p.Grades {
		if b.Grade == grade {
			return i
		}
	}
	return -1
}

// band is the index of the band a (rounded) score falls in. Validate
// guarantees the last band starts at 0, so every score in [0,100] has one.
func (p Policy) band(score decimal.Decimal) int {
	for i, b := range p.Grades {
		if compare(score, b.LowerBound) >= 0 {
			return i
		}
	}
	return len(p.Grades) - 1
}

// Validate reports every problem with the policy at once.
func (p Policy) Validate() error {
	ps := problems{kind: ErrInvalidPolicy}
	if p.ID == uuid.Nil {
		ps.add("id", "is required")
	}
	if p.Version < 1 {
		ps.add("version", "must be at least 1")
	}
	sum := decimal.Zero
	for _, k := range RaterKinds() {
		w := p.RaterWeights.Of(k)
		if !w.IsPositive() {
			ps.add("rater_weights."+string(k), "must be positive")
		}
		sum = sum.Add(w)
	}
	if !sum.Equal(hundred) {
		ps.add("rater_weights", fmt.Sprintf("sum to %s, want 100", sum))
	}
	p.validateGrades(&ps)
	if p.BudgetMode != BudgetBlock && p.BudgetMode != BudgetProrate {
		ps.add("budget_mode", fmt.Sprintf("unknown mode %q (want %q or %q)", p.BudgetMode, BudgetBlock, BudgetProrate))
	}
	if p.ForcedPairing.Enabled {
		p.checkGrade(&ps, "forced_pairing.high_grade", p.ForcedPairing.HighGrade)
		p.checkGrade(&ps, "forced_pairing.low_grade", p.ForcedPairing.LowGrade)
	}
	p.checkConsecutive(&ps, "consecutive_flag", p.ConsecutiveFlag)
	if p.AnonymityThreshold < 1 {
		ps.add("anonymity_threshold", "must be at least 1")
	}
	p.validateRecommendations(&ps)
	if p.AppealWindowDays < 1 {
		ps.add("appeal_window_days", "must be at least 1")
	}
	if !p.KPICap.IsPositive() {
		ps.add("kpi_cap", "must be positive")
	}
	return ps.err()
}

func (p Policy) validateGrades(ps *problems) {
	if len(p.Grades) == 0 {
		ps.add("grades", "at least one band is required")
		return
	}
	seen := map[string]bool{}
	for i, b := range p.Grades {
		f := fmt.Sprintf("grades[%d]", i)
		checkKey(ps, f+".grade", b.Grade, seen)
		if b.LowerBound.IsNegative() || b.LowerBound.GreaterThan(hundred) {
			ps.add(f+".lower_bound", "must be within [0, 100]")
		}
		if !b.Coefficient.IsPositive() {
			ps.add(f+".coefficient", "must be positive")
		}
		if i == 0 {
			continue
		}
		prev := p.Grades[i-1]
		if !b.LowerBound.LessThan(prev.LowerBound) {
			ps.add(f+".lower_bound", "bands must be listed best first with strictly falling lower bounds")
		}
		if b.Coefficient.GreaterThan(prev.Coefficient) {
			ps.add(f+".coefficient", "a worse grade must not pay more than a better one")
		}
	}
	if last := p.Grades[len(p.Grades)-1]; !last.LowerBound.IsZero() {
		ps.add(fmt.Sprintf("grades[%d].lower_bound", len(p.Grades)-1), "the last band must start at 0 so that every score has a grade")
	}
}

func (p Policy) validateRecommendations(ps *problems) {
	r := p.Recommendations
	if r.Promotion.Enabled {
		p.checkGrade(ps, "recommendations.promotion.min_grade", r.Promotion.MinGrade)
		p.checkGrade(ps, "recommendations.promotion.floor_grade", r.Promotion.FloorGrade)
		if p.rank(r.Promotion.FloorGrade) >= 0 && p.rank(r.Promotion.FloorGrade) < p.rank(r.Promotion.MinGrade) {
			ps.add("recommendations.promotion.floor_grade", "must not be better than min_grade")
		}
		if len(r.Promotion.Windows) == 0 {
			ps.add("recommendations.promotion.windows", "at least one window is required")
		}
		seen := map[Cadence]bool{}
		for i, w := range r.Promotion.Windows {
			f := fmt.Sprintf("recommendations.promotion.windows[%d]", i)
			if !w.Cadence.Valid() || seen[w.Cadence] {
				ps.add(f+".cadence", fmt.Sprintf("%q is unknown or listed twice", w.Cadence))
			}
			seen[w.Cadence] = true
			if w.Cycles < 1 {
				ps.add(f+".cycles", "must be at least 1")
			}
		}
	}
	p.checkGradeRule(ps, "recommendations.training", r.Training)
	if r.PositionReview.Enabled {
		p.checkGrade(ps, "recommendations.position_review.grade", r.PositionReview.Grade)
	}
	p.checkConsecutive(ps, "recommendations.demotion_review", r.DemotionReview)
	p.checkGradeRule(ps, "recommendations.excellence_award", r.ExcellenceAward)
}

func (p Policy) checkGradeRule(ps *problems, f string, r GradeRule) {
	if !r.Enabled {
		return
	}
	p.checkGrade(ps, f+".grade", r.Grade)
	if !r.MinStatus.atLeastPublished() {
		ps.add(f+".min_status", fmt.Sprintf("must be %q or %q", Published, Closed))
	}
}

func (p Policy) checkConsecutive(ps *problems, f string, r ConsecutiveRule) {
	if !r.Enabled {
		return
	}
	p.checkGrade(ps, f+".grade", r.Grade)
	if r.Cadence != "" && !r.Cadence.Valid() {
		ps.add(f+".cadence", fmt.Sprintf("unknown cadence %q", r.Cadence))
	}
	if r.Count < 2 {
		ps.add(f+".count", "must be at least 2")
	}
}

func (p Policy) checkGrade(ps *problems, f, grade string) {
	if p.rank(grade) < 0 {
		ps.add(f, fmt.Sprintf("grade %q is not one of the policy's bands", grade))
	}
}

// defaultPolicyID identifies DefaultPolicy; fixed so that every installation
// seeds the same policy identity.
var defaultPolicyID = uuid.MustParse("5b7d0c1e-3f4a-4c52-9e61-0a8f2d3b4c02")

// DefaultPolicy holds every SPEC interpretation as data: rater weights
// 10/20/50/20 (§4); the §6 bands with 70-71 in D and the default
// coefficients; budget mode block (§7); forced pairing A+/C and the three
// consecutive monthly C flag (§8); anonymity threshold 3 (§4); the §9
// recommendation rules; a 7-day appeal window (§10, not given by the source:
// interpretation); KPI cap 100 (§3).
func DefaultPolicy() Policy {
	d := decimal.NewFromInt
	pct := func(v int64) decimal.Decimal { return decimal.New(v, -2) }
	return Policy{
		ID:      defaultPolicyID,
		Version: 1,
		Name:    "SPEC defaults",
		RaterWeights: RaterWeights{
			Self: d(10), Peer: d(20), Manager: d(50), Customer: d(20),
		},
		Grades: []GradeBand{
			{Grade: "A+", LowerBound: d(97), Coefficient: pct(120)},
			{Grade: "A", LowerBound: d(94), Coefficient: pct(115)},
			{Grade: "A-", LowerBound: d(91), Coefficient: pct(110)},
			{Grade: "B+", LowerBound: d(88), Coefficient: pct(105)},
			{Grade: "B", LowerBound: d(84), Coefficient: pct(100)},
			{Grade: "B-", LowerBound: d(81), Coefficient: pct(95)},
			{Grade: "C", LowerBound: d(71), Coefficient: pct(80)},
			{Grade: "D", LowerBound: d(0), Coefficient: pct(50)},
		},
		BudgetMode:         BudgetBlock,
		ForcedPairing:      ForcedPairingRule{Enabled: true, HighGrade: "A+", LowGrade: "C"},
		ConsecutiveFlag:    ConsecutiveRule{Enabled: true, Cadence: Monthly, Grade: "C", Count: 3},
		AnonymityThreshold: 3,
		Recommendations: RecommendationRules{
			Promotion: PromotionRule{
				Enabled: true,
				Windows: []PromotionWindow{
					{Cadence: Annual, Cycles: 2},
					{Cadence: Quarterly, Cycles: 4},
					{Cadence: Monthly, Cycles: 6},
				},
				MinGrade:   "A-",
				FloorGrade: "B",
			},
			Training:        GradeRule{Enabled: true, Grade: "C", MinStatus: Published},
			PositionReview:  PositionReviewRule{Enabled: true, Grade: "D", OnConsecutiveFlag: true},
			DemotionReview:  ConsecutiveRule{Enabled: true, Grade: "D", Count: 2},
			ExcellenceAward: GradeRule{Enabled: true, Grade: "A+", MinStatus: Closed},
		},
		AppealWindowDays: 7,
		KPICap:           d(100),
	}
}
