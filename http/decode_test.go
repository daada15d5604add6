package http

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

type decodeScore struct {
	CriterionID string
	Score       decimal.Decimal
}

type decodeSample struct {
	EmployeeID uuid.UUID
	Comment    string `json:"comment"`
	Count      int
	Scores     []decodeScore
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"UnitID": "unit_id", "KPIActual": "kpi_actual", "MonthlyStandard": "monthly_standard",
		"ID": "id", "Score": "score", "AppealWindowDays": "appeal_window_days", "Level2Name": "level2_name",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeAcceptsAWellFormedBody(t *testing.T) {
	var got decodeSample
	id := uuid.New()
	body := `{"employee_id":"` + id.String() + `","comment":"fine","count":3,"scores":[{"criterion_id":"c1","score":"87.5"}]}`
	if err := decodeBytes([]byte(body), &got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got.EmployeeID != id || got.Count != 3 || len(got.Scores) != 1 || !got.Scores[0].Score.Equal(decimal.RequireFromString("87.5")) {
		t.Fatalf("decoded %+v", got)
	}
}

func TestDecodeRefusals(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		kind   problemKind
		fields []string
	}{
		{"empty body", ``, kindMalformed, nil},
		{"broken JSON", `{"comment":`, kindMalformed, nil},
		{"two values", `{} {}`, kindMalformed, nil},
		{"not an object", `[1,2]`, kindValidation, []string{"(body)"}},
		{"unknown field", `{"comment":"x","extra":1}`, kindValidation, []string{"extra"}},
		{"every wrong type at once", `{"employee_id":"nope","count":"three","comment":5}`, kindValidation, []string{"comment", "count", "employee_id"}},
		{"nested problems keep their path", `{"scores":[{"criterion_id":"c","score":"x"},{"bogus":true}]}`, kindValidation, []string{"scores[0].score", "scores[1].bogus"}},
		{"array where object expected", `{"scores":{}}`, kindValidation, []string{"scores"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var dst decodeSample
			err := decodeBytes([]byte(tc.body), &dst)
			var pe *problemError
			if !errors.As(err, &pe) {
				t.Fatalf("want a problem, got %v", err)
			}
			if pe.kind != tc.kind {
				t.Fatalf("kind %s, want %s (%v)", pe.kind.slug, tc.kind.slug, err)
			}
			if len(pe.fields) != len(tc.fields) {
				t.Fatalf("fields %+v, want %v", pe.fields, tc.fields)
			}
			for i, f := range pe.fields {
				if f.Field != tc.fields[i] {
					t.Errorf("field %d = %q, want %q", i, f.Field, tc.fields[i])
				}
			}
		})
	}
}

// FuzzDecode: no input makes decoding panic or fail with anything but a
// problem the client can read.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"scores":[{"score":"1"}]}`, `{"count":1e99}`, `nul`, `{"employee_id":null}`, `[{}]`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst decodeSample
		err := decodeBytes(body, &dst)
		if err == nil {
			return
		}
		var pe *problemError
		if !errors.As(err, &pe) {
			t.Fatalf("non-problem error %v for %q", err, body)
		}
		if p := problemFor(err); p.Status < 400 || p.Status >= 500 {
			t.Fatalf("status %d for %q", p.Status, body)
		}
	})
}
