package domain_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

func TestEveryRegisteredEventRoundTrips(t *testing.T) {
	types := domain.EventTypes()
	if len(types) < 40 {
		t.Fatalf("only %d event types registered", len(types))
	}
	for _, typ := range types {
		schema, ok := domain.SchemaVersion(typ)
		if !ok || schema < 1 {
			t.Fatalf("%s: schema version %d, %v", typ, schema, ok)
		}
		e, err := domain.Decode(typ, schema, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if e.EventType() != typ {
			t.Errorf("decoding %s gave %s", typ, e.EventType())
		}
		gotType, gotSchema, payload, err := domain.Encode(e)
		if err != nil || gotType != typ || gotSchema != schema {
			t.Fatalf("encode %s: %s v%d %v", typ, gotType, gotSchema, err)
		}
		again, err := domain.Decode(typ, schema, payload)
		if err != nil {
			t.Fatal(err)
		}
		_, _, payload2, _ := domain.Encode(again)
		if !bytes.Equal(payload, payload2) {
			t.Errorf("%s does not round-trip: %s then %s", typ, payload, payload2)
		}
	}
}

func TestEncodeKeepsDecimalsAsStrings(t *testing.T) {
	e := domain.PositionLevelDefined{LevelID: uuid.New(), Name: "主管 supervisor", MonthlyStandard: decimal.RequireFromString("400.00")}
	typ, schema, payload, err := domain.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	if typ != "appraisal.position_level_defined" || schema != 1 {
		t.Fatalf("stored as %s v%d", typ, schema)
	}
	if !bytes.Contains(payload, []byte(`"monthly_standard":"400"`)) {
		t.Errorf("standard not a JSON string: %s", payload)
	}
	back, err := domain.Decode(typ, schema, payload)
	if err != nil {
		t.Fatal(err)
	}
	got := back.(domain.PositionLevelDefined)
	if got.Name != e.Name || !got.MonthlyStandard.Equal(e.MonthlyStandard) || got.LevelID != e.LevelID {
		t.Errorf("round trip changed the event: %+v", got)
	}
}

// A decision part of the longest rows stays within half of the store's
// 256 KiB payload limit, so a large cycle's decision always fits.
func TestDecisionPartFitsThePayloadLimit(t *testing.T) {
	rows := make([]domain.DecidedEmployee, domain.DecisionPartSize)
	for i := range rows {
		rows[i] = domain.DecidedEmployee{EmployeeID: uuid.New(), UnitID: uuid.New(), PositionLevel: "security team lead 保安队长",
			Overall: d("84.12345678901234567890"), Final: d("84.12"), Grade: "B+", Coefficient: d("1.05"), Standard: d("3600"),
			PayBeforeBudget: d("3780.00"), Pay: d("3612.12"), ProrationFactor: d("0.95555555555555555555"),
			Flags:           []scoring.FlagKind{scoring.FlagConsecutiveGrade},
			Recommendations: []scoring.RecommendationKind{scoring.RecommendPositionReview, scoring.RecommendTraining, scoring.RecommendDemotionReview}}
	}
	_, _, payload, err := domain.Encode(domain.DecisionPartRecorded{DecisionID: uuid.New(), CycleID: uuid.New(), Part: 1, Employees: rows})
	if err != nil || len(payload) > 128<<10 {
		t.Errorf("a part takes %d bytes (%v)", len(payload), err)
	}
}

func TestDecodeRefusesUnknownTypesAndSchemas(t *testing.T) {
	for _, c := range []struct {
		typ    string
		schema int
	}{{"appraisal.no_such_event", 1}, {"appraisal.unit_created", 2}, {"UnitCreated", 1}} {
		if _, err := domain.Decode(c.typ, c.schema, []byte(`{}`)); !errors.Is(err, domain.ErrUnknownEvent) {
			t.Errorf("Decode(%s, %d) = %v, want ErrUnknownEvent", c.typ, c.schema, err)
		}
	}
}

func TestReasonOfExposesWrittenReasons(t *testing.T) {
	if got := domain.ReasonOf(domain.CycleReopened{Reason: "budget error"}); got != "budget error" {
		t.Errorf("ReasonOf(CycleReopened) = %q", got)
	}
	if got := domain.ReasonOf(domain.UnitCreated{Name: "x"}); got != "" {
		t.Errorf("ReasonOf(UnitCreated) = %q", got)
	}
}

// CarriesReason names exactly the types whose events can have a reason, so
// that a timeline skipping the others loses none: every registered type is
// decoded with its written-reason fields filled in, and ReasonOf finds the
// reason exactly when CarriesReason says so.
func TestCarriesReasonNamesEveryReasonedType(t *testing.T) {
	reasoned := 0
	for _, typ := range domain.EventTypes() {
		schema, _ := domain.SchemaVersion(typ)
		e, err := domain.Decode(typ, schema, []byte(`{"reason":"why","justification":"why"}`))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		carries := domain.CarriesReason(typ, schema)
		if got := domain.ReasonOf(e); (got == "why") != carries {
			t.Errorf("%s: CarriesReason %v, but ReasonOf of an event with a reason gives %q", typ, carries, got)
		}
		if carries {
			reasoned++
		}
		if domain.CarriesReason(typ, schema+1) {
			t.Errorf("%s: a reason at schema version %d, which is not registered", typ, schema+1)
		}
	}
	if reasoned < 10 {
		t.Errorf("only %d types carry a reason", reasoned)
	}
	if domain.CarriesReason("appraisal.no_such_event", 1) {
		t.Error("an unknown type carries a reason")
	}
}

// Decoding whatever bytes a tampered or foreign row holds never panics, and
// whatever decodes encodes again.
func FuzzDecode(f *testing.F) {
	f.Add("appraisal.evaluation_submitted", []byte(`{"scores":[{"criterion":"teamwork","score":"85.5"}]}`))
	f.Add("appraisal.decision_part_recorded", []byte(`{"part":1,"employees":[{"final":"97","pay":"360.00"}]}`))
	f.Add("appraisal.cycle_created", []byte(`{"settings":{"period_start":"2026-11-01T00:00:00Z"}}`))
	f.Add("appraisal.unit_created", []byte(`null`))
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		e, err := domain.Decode(typ, 1, payload)
		if err != nil {
			return
		}
		if _, _, _, err := domain.Encode(e); err != nil {
			t.Fatalf("decoded %s but cannot encode it: %v", typ, err)
		}
	})
}
