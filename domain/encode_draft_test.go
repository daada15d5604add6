package domain

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// Encode writes a draft's payload byte for byte as json.Marshal does,
// whatever its strings and scores hold.
func TestDraftJSONIsMarshal(t *testing.T) {
	texts := []string{"", "draft", "a \"quoted\" word", `back\slash`, "<b>&amp;</b>", "tab\there", "line\nbreak",
		"café", "\u2028", "\xff", "del\x7f", "~ ^ ` { } |"}
	scores := [][]ScoreEntry{nil, {}}
	for _, s := range texts {
		scores = append(scores, []ScoreEntry{
			{Criterion: "service", Score: decimal.NewFromInt(90)},
			{Criterion: s, Score: decimal.RequireFromString("-87.25"), Comment: s},
			{Criterion: "teamwork", Score: decimal.New(15, -3), Comment: "fine"},
			{Criterion: "x", Score: decimal.New(3, 4)},
		})
	}
	// Whole scores are written without MarshalJSON: zero, signs, the
	// largest 18-digit coefficients, and 19 digits and more (MarshalJSON
	// again), and the same values with exponents that are not 0.
	var whole []ScoreEntry
	for _, v := range []string{"0", "1", "-1", "90", "100", "-100", "999999999999999999", "-999999999999999999",
		"1000000000000000000", "-1000000000000000000", "9223372036854775807", "-9223372036854775808", "123456789012345678901234567890"} {
		d := decimal.RequireFromString(v)
		whole = append(whole, ScoreEntry{Criterion: "w", Score: d}, ScoreEntry{Criterion: "f", Score: d.Shift(-2)},
			ScoreEntry{Criterion: "e", Score: decimal.NewFromBigInt(d.Coefficient(), 2)})
	}
	scores = append(scores, whole)
	check := func(e EvaluationDraftSaved) {
		t.Helper()
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		_, _, got, err := Encode(e)
		if err != nil || string(got) != string(want) {
			t.Errorf("Encode %s (%v), json.Marshal %s", got, err, want)
		}
	}
	for _, withoutQuotes := range []bool{false, true} {
		decimal.MarshalJSONWithoutQuotes = withoutQuotes
		for _, sc := range scores {
			for _, text := range texts {
				for _, kind := range []scoring.RaterKind{scoring.RaterSelf, scoring.RaterKind(text)} {
					check(EvaluationDraftSaved{CycleID: uuid.New(), EmployeeID: uuid.New(), Kind: kind, RaterID: uuid.New(), Scores: sc, Summary: text})
				}
			}
		}
		check(EvaluationDraftSaved{})
	}
	decimal.MarshalJSONWithoutQuotes = false
}
