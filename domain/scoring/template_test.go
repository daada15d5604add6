package scoring

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

func TestDefaultTemplateIsValid(t *testing.T) {
	if err := DefaultTemplate().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestTemplateValidateListsEveryProblem(t *testing.T) {
	tpl := DefaultTemplate()
	tpl.ID = uuid.Nil
	tpl.Dimensions[0].Weight = decimal.NewFromInt(50)             // dimensions now sum to 90
	tpl.Dimensions[1].Criteria[1].Key = "responsibility"          // duplicate key
	tpl.Dimensions[1].Criteria[2].RatedBy = nil                   // rated without raters
	tpl.Dimensions[2].Criteria[0].Kind = "guessed"                // unknown kind
	tpl.Dimensions[0].Criteria[0].Scale = ScalePercent            // scale on a measured criterion
	tpl.Dimensions[2].Criteria[1].RatedBy = []RaterKind{"boss"}   // unknown rater kind
	tpl.Dimensions[2].Criteria[2].Weight = decimal.NewFromInt(-1) // negative, and the level no longer sums to 100

	fields := problemFields(t, tpl.Validate(), ErrInvalidTemplate)
	want := []string{
		"id",
		"dimensions[0].criteria[0].scale",
		"dimensions[1].criteria[1].key",
		"dimensions[1].criteria[2].rated_by",
		"dimensions[2].criteria[0].kind",
		"dimensions[2].criteria[1].rated_by",
		"dimensions[2].criteria[2].weight",
		"dimensions[2].criteria",
		"dimensions",
	}
	if !slices.Equal(fields, want) {
		t.Errorf("problem fields\n got %q\nwant %q", fields, want)
	}
}
