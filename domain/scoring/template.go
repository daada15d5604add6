package scoring

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// CriterionKind says where a criterion's score comes from (SPEC §3).
type CriterionKind string

// Criterion kinds.
const (
	// Rated criteria are scored by raters of the kinds in Criterion.RatedBy.
	Rated CriterionKind = "rated"
	// Measured criteria (KPIs) are scored from a recorded target and actual.
	Measured CriterionKind = "measured"
)

// Scale is the range raters score a rated criterion on.
type Scale string

// Rating scales. Five-point scores are mapped linearly to 0-100
// (1→0, 2→25, 3→50, 4→75, 5→100) after the mean per rater kind is taken;
// the map is linear, so mapping the mean equals the mean of the mapped scores.
const (
	ScalePercent   Scale = "0-100"
	ScaleFivePoint Scale = "1-5"
)

// Bounds are the lowest and highest score a rater may give on the scale.
func (s Scale) Bounds() (lo, hi decimal.Decimal, ok bool) {
	switch s {
	case ScalePercent:
		return decimal.Zero, hundred, true
	case ScaleFivePoint:
		return one, five, true
	}
	return decimal.Zero, decimal.Zero, false
}

// Template is a versioned appraisal form: weighted dimensions holding weighted
// criteria. Weights are percentages and sum to 100 within each level.
// A cycle keeps the template version it started with (SPEC §12).
type Template struct {
	ID         uuid.UUID   `json:"id"`
	Version    int         `json:"version"`
	Name       string      `json:"name"`
	Dimensions []Dimension `json:"dimensions"`
}

// Dimension is a weighted group of criteria, e.g. results (业绩).
type Dimension struct {
	Key      string          `json:"key"`
	Name     string          `json:"name"`
	Weight   decimal.Decimal `json:"weight"`
	Criteria []Criterion     `json:"criteria"`
}

// Criterion is one scored item (考核指标). Keys are unique across the whole
// template because evaluations and KPI records name criteria by key alone.
type Criterion struct {
	Key    string          `json:"key"`
	Name   string          `json:"name"`
	Weight decimal.Decimal `json:"weight"`
	Kind   CriterionKind   `json:"kind"`

	// RatedBy lists the rater kinds that rate a rated criterion; customers,
	// for example, rate only customer-facing criteria. Empty for measured.
	RatedBy []RaterKind `json:"rated_by,omitempty"`
	// Scale of a rated criterion. Empty for measured.
	Scale Scale `json:"scale,omitempty"`

	// LowerIsBetter marks a measured KPI such as a complaint count, scored
	// target / actual instead of actual / target.
	LowerIsBetter bool `json:"lower_is_better,omitempty"`
	// Cap is the highest KPI score of a measured criterion. Zero means the
	// policy's KPICap (100 by default); a cap above 100 lets over-achievement
	// on one KPI make up for another.
	Cap decimal.Decimal `json:"cap"`
}

// Rates reports whether raters of kind k score this criterion.
func (c Criterion) Rates(k RaterKind) bool {
	for _, r := range c.RatedBy {
		if r == k {
			return true
		}
	}
	return false
}

// Validate reports every problem with the template at once.
func (t Template) Validate() error {
	p := problems{kind: ErrInvalidTemplate}
	if t.ID == uuid.Nil {
		p.add("id", "is required")
	}
	if t.Version < 1 {
		p.add("version", "must be at least 1")
	}
	if len(t.Dimensions) == 0 {
		p.add("dimensions", "at least one dimension is required")
	}
	dimKeys := map[string]bool{}
	critKeys := map[string]bool{}
	dimWeights := decimal.Zero
	for i, d := range t.Dimensions {
		f := fmt.Sprintf("dimensions[%d]", i)
		checkKey(&p, f, d.Key, dimKeys)
		checkWeight(&p, f, d.Weight)
		dimWeights = dimWeights.Add(d.Weight)
		if len(d.Criteria) == 0 {
			p.add(f+".criteria", "at least one criterion is required")
			continue
		}
		critWeights := decimal.Zero
		for j, c := range d.Criteria {
			cf := fmt.Sprintf("%s.criteria[%d]", f, j)
			checkKey(&p, cf, c.Key, critKeys)
			checkWeight(&p, cf, c.Weight)
			critWeights = critWeights.Add(c.Weight)
			c.validateKind(&p, cf)
		}
		if !critWeights.Equal(hundred) {
			p.add(f+".criteria", fmt.Sprintf("weights sum to %s, want 100", critWeights))
		}
	}
	if len(t.Dimensions) > 0 && !dimWeights.Equal(hundred) {
		p.add("dimensions", fmt.Sprintf("weights sum to %s, want 100", dimWeights))
	}
	return p.err()
}

// validateKind checks the fields that depend on rated versus measured.
func (c Criterion) validateKind(p *problems, f string) {
	switch c.Kind {
	case Rated:
		if len(c.RatedBy) == 0 {
			p.add(f+".rated_by", "a rated criterion needs at least one rater kind")
		}
		seen := map[RaterKind]bool{}
		for _, k := range c.RatedBy {
			if !k.Valid() {
				p.add(f+".rated_by", fmt.Sprintf("unknown rater kind %q", k))
			} else if seen[k] {
				p.add(f+".rated_by", fmt.Sprintf("rater kind %q listed twice", k))
			}
			seen[k] = true
		}
		if _, _, ok := c.Scale.Bounds(); !ok {
			p.add(f+".scale", fmt.Sprintf("unknown scale %q (want %q or %q)", c.Scale, ScalePercent, ScaleFivePoint))
		}
		if c.LowerIsBetter {
			p.add(f+".lower_is_better", "applies to measured criteria only")
		}
		if !c.Cap.IsZero() {
			p.add(f+".cap", "applies to measured criteria only")
		}
	case Measured:
		if len(c.RatedBy) > 0 {
			p.add(f+".rated_by", "a measured criterion is not rated")
		}
		if c.Scale != "" {
			p.add(f+".scale", "a measured criterion has no rating scale")
		}
		if c.Cap.IsNegative() {
			p.add(f+".cap", "must not be negative (zero means the policy's KPI cap)")
		}
	default:
		p.add(f+".kind", fmt.Sprintf("unknown kind %q (want %q or %q)", c.Kind, Rated, Measured))
	}
}

func checkKey(p *problems, f, key string, seen map[string]bool) {
	switch {
	case key == "":
		p.add(f+".key", "is required")
	case seen[key]:
		p.add(f+".key", fmt.Sprintf("%q is used twice", key))
	}
	seen[key] = true
}

func checkWeight(p *problems, f string, w decimal.Decimal) {
	if !w.IsPositive() {
		p.add(f+".weight", "must be positive")
	}
}

// defaultTemplateID identifies DefaultTemplate; fixed so that every
// installation seeds the same template identity.
var defaultTemplateID = uuid.MustParse("5b7d0c1e-3f4a-4c52-9e61-0a8f2d3b4c01")

// DefaultTemplate is the business-department form of SPEC §3: results 60,
// attitude 20, ability 20 (interpretation).
//
// Choices within it (interpretation):
//   - sales revenue, sales profit and new customers won are measured KPIs: a
//     target and an actual exist for them, and a rater's opinion would only
//     blur a number the ledger already knows;
//   - customer satisfaction is rated, on the five-point scale customer
//     surveys use, by customers and by the manager (who sees complaints and
//     praise the customers never write down); self and peers do not rate it;
//   - attitude and ability criteria are rated 0-100 by self, peers and the
//     manager; communication is customer-facing, so customers rate it too.
//
// Three criteria cannot split 100 evenly; the first gets the odd point.
func DefaultTemplate() Template {
	internal := []RaterKind{RaterSelf, RaterPeer, RaterManager}
	facing := []RaterKind{RaterSelf, RaterPeer, RaterManager, RaterCustomer}
	rated := func(key, name string, weight int64, by []RaterKind) Criterion {
		return Criterion{Key: key, Name: name, Weight: decimal.NewFromInt(weight), Kind: Rated, RatedBy: by, Scale: ScalePercent}
	}
	measured := func(key, name string, weight int64) Criterion {
		return Criterion{Key: key, Name: name, Weight: decimal.NewFromInt(weight), Kind: Measured}
	}
	satisfaction := Criterion{
		Key: "customer_satisfaction", Name: "Customer satisfaction", Weight: decimal.NewFromInt(20),
		Kind: Rated, RatedBy: []RaterKind{RaterManager, RaterCustomer}, Scale: ScaleFivePoint,
	}
	return Template{
		ID:      defaultTemplateID,
		Version: 1,
		Name:    "Business department (SPEC §3 defaults)",
		Dimensions: []Dimension{
			{Key: "results", Name: "Results (业绩)", Weight: decimal.NewFromInt(60), Criteria: []Criterion{
				measured("sales_revenue", "Sales revenue", 30),
				measured("sales_profit", "Sales profit", 30),
				measured("new_customers", "New customers won", 20),
				satisfaction,
			}},
			{Key: "attitude", Name: "Attitude (工作态度)", Weight: decimal.NewFromInt(20), Criteria: []Criterion{
				rated("responsibility", "Sense of responsibility", 34, internal),
				rated("teamwork", "Teamwork", 33, internal),
				rated("initiative", "Initiative", 33, internal),
			}},
			{Key: "ability", Name: "Ability (能力)", Weight: decimal.NewFromInt(20), Criteria: []Criterion{
				rated("professional_skill", "Professional knowledge and skill", 34, internal),
				rated("communication", "Communication", 33, facing),
				rated("problem_solving", "Problem solving", 33, internal),
			}},
		},
	}
}
