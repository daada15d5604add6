package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
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

// decodeBytesByMaps is decodeBytes as it was before objects and arrays were
// split in one pass (objectMembers, arrayItems): each object decoded into a
// map of raw values, each array into a slice of them. FuzzDecodeAsByMaps
// holds the two to the same outcome.
func decodeBytesByMaps(body []byte, dst any) error {
	raw := json.RawMessage(body)
	if !json.Valid(body) {
		return decodeBytes(body, dst) // the malformed path is unchanged
	}
	var fields []FieldProblem
	decodeValueByMaps(raw, reflect.ValueOf(dst).Elem(), "", &fields)
	if len(fields) > 0 {
		return fieldsProblem(kindValidation, fields)
	}
	return nil
}

func decodeValueByMaps(raw json.RawMessage, v reflect.Value, path string, fields *[]FieldProblem) {
	t := v.Type()
	switch {
	case isPlainStruct(t):
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			*fields = append(*fields, FieldProblem{fieldName(path), "must be an object"})
			return
		}
		known := jsonFields(v.Type())
		for key, val := range obj {
			idx, ok := known[key]
			if !ok {
				*fields = append(*fields, FieldProblem{join(path, key), "unknown field"})
				continue
			}
			decodeValueByMaps(val, v.Field(idx), join(path, key), fields)
		}
	case t.Kind() == reflect.Slice && isPlainStruct(t.Elem()):
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			*fields = append(*fields, FieldProblem{fieldName(path), "must be an array"})
			return
		}
		if items == nil {
			return
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			decodeValueByMaps(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), fields)
		}
		v.Set(s)
	default:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			*fields = append(*fields, FieldProblem{fieldName(path), typeReason(t, err)})
		}
	}
}

// FuzzDecodeAsByMaps: splitting objects and arrays in one pass decodes
// every body as decoding them into maps and slices did: the same value, or
// the same problems (fields sorted, so map order does not show).
func FuzzDecodeAsByMaps(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"comment":"x","comment":"y"}`, `{"scores":[{"score":"1"},{"score":"2","criterion_id":"a"}]}`,
		`{"scores":null}`, `{"scores":[]}`, `{"scores":{}}`, `{"scores":[1,"x",null,{"bogus":1}]}`,
		` { "comment" : "a\"b" , "count" : 3 } `, `{"\u0063omment":"escaped key"}`, `{"Comment":"case"}`,
		`{"employee_id":null,"count":-1.5e3}`, `{"scores":[{"score":"1","score":"x"}]}`, "{\"k\xff\":1}",
		`[{}]`, `"\ud800"`, `null`, `{"comment":{"nested":[1,{"a":"]"}]}}`, `{"":1}`,
		// Leaves decoded without encoding/json: plain strings, decimals.
		`{"comment":"plain text"}`, `{"comment":"caf\u00e9"}`, "{\"comment\":\"caf\xc3\xa9\"}", `{"comment":null}`,
		`{"comment":""}`, `{"scores":[{"score":null},{"score":90},{"score":"9e1"},{"score":true}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got, want decodeSample
		gotErr, wantErr := decodeBytes(body, &got), decodeBytesByMaps(body, &want)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, by maps %v", body, gotErr, wantErr)
		}
		if gotErr != nil {
			if g, w := problemFor(gotErr), problemFor(wantErr); !reflect.DeepEqual(g, w) {
				t.Fatalf("%q: problem %+v, by maps %+v", body, g, w)
			}
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoded %+v, by maps %+v", body, got, want)
		}
	})
}

// BenchmarkDecodeDraft decodes the load benchmark's evaluation draft, split
// in one pass and by maps.
func BenchmarkDecodeDraft(b *testing.B) {
	body := []byte(`{"scores":[{"criterion":"service","score":"90"},{"criterion":"teamwork","score":"90"}],"summary":"draft"}`)
	for name, decode := range map[string]func([]byte, any) error{"one-pass": decodeBytes, "by-maps": decodeBytesByMaps} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var dst domain.SubmitEvaluation
				if err := decode(body, &dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
