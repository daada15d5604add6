package eventlog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
	"github.com/appraisal-hr/appraisal/projections/projectionstest"
)

func TestLog(t *testing.T) {
	projectionstest.ForEachStore(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		log := eventlog.New(store)
		hr := domain.Actor{ID: uuid.New(), Role: domain.RoleHR}
		meta := domain.Meta{Actor: hr, CorrelationID: uuid.New(), At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
		level := uuid.New()
		defined := domain.PositionLevelDefined{LevelID: level, Name: "specialist", MonthlyStandard: decimal.NewFromInt(300)}
		changed := domain.PayStandardChanged{LevelID: level, MonthlyStandard: decimal.NewFromInt(320), Reason: "pay round"}

		pos, err := log.Append(ctx, domain.OrganisationStream, 0, []domain.Event{defined, changed}, meta)
		if err != nil || pos <= 0 {
			t.Fatalf("append = %d, %v", pos, err)
		}
		// Another area's event in the same log is not the domain's business.
		projectionstest.AppendN(t, store, "other-area", 1)

		t.Run("a stale expected version is a domain conflict and writes nothing", func(t *testing.T) {
			_, err := log.Append(ctx, domain.OrganisationStream, 0, []domain.Event{changed}, meta)
			if !errors.Is(err, domain.ErrConflict) || !errors.Is(err, eventstore.ErrVersionConflict) {
				t.Fatalf("stale append = %v, want a conflict", err)
			}
		})

		t.Run("load decodes the stream with actor, time and reason", func(t *testing.T) {
			events, version, err := log.Load(ctx, domain.OrganisationStream, 0)
			if err != nil || version != 2 || len(events) != 2 {
				t.Fatalf("load = %d events at version %d, %v", len(events), version, err)
			}
			r := events[1]
			if r.Actor != hr || !r.At.Equal(meta.At) || r.Reason != "pay round" || r.Position != pos {
				t.Fatalf("recorded = %+v", r)
			}
			if _, ok := r.Event.(domain.PayStandardChanged); !ok {
				t.Fatalf("event = %T", r.Event)
			}
			rest, version, err := log.Load(ctx, domain.OrganisationStream, 2)
			if err != nil || version != 2 || len(rest) != 0 {
				t.Fatalf("load after the end = %d events at version %d, %v", len(rest), version, err)
			}
		})

		t.Run("read all skips other areas' events and stops at a position", func(t *testing.T) {
			all, err := log.ReadAll(ctx, 0)
			if err != nil || len(all) != 2 {
				t.Fatalf("read all = %d events, %v", len(all), err)
			}
			upTo, err := log.ReadAll(ctx, pos-1)
			if err != nil || len(upTo) != 1 {
				t.Fatalf("read up to %d = %d events, %v", pos-1, len(upTo), err)
			}
		})
	})
}

// Reason decodes only the events whose type carries a reason, and finds
// the same reason Decode does.
func TestReason(t *testing.T) {
	level := uuid.New()
	stored := func(e domain.Event) eventstore.Event {
		typ, schema, payload, err := domain.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		return eventstore.Event{Type: typ, SchemaVersion: schema, Payload: payload, Position: 7}
	}
	for _, c := range []struct {
		event eventstore.Event
		want  string
	}{
		{stored(domain.PayStandardChanged{LevelID: level, MonthlyStandard: decimal.NewFromInt(320), Reason: "pay round"}), "pay round"},
		{stored(domain.PairingOverrideGranted{Justification: "two seniors"}), "two seniors"},
		{stored(domain.PositionLevelDefined{LevelID: level, Name: "specialist", MonthlyStandard: decimal.NewFromInt(300)}), ""},
		{eventstore.Event{Type: "other.area", SchemaVersion: 1, Payload: []byte(`{"reason":"not ours"}`)}, ""},
	} {
		got, err := eventlog.Reason(c.event)
		if err != nil || got != c.want {
			t.Errorf("Reason(%s) = %q, %v; want %q", c.event.Type, got, err, c.want)
		}
		if r, err := eventlog.Decode(c.event); err == nil && r.Reason != got {
			t.Errorf("%s: Decode's reason %q, Reason's %q", c.event.Type, r.Reason, got)
		}
	}
	bad := stored(domain.PayStandardChanged{Reason: "x"})
	bad.Payload = []byte(`{"reason": 5}`)
	if _, err := eventlog.Reason(bad); err == nil {
		t.Error("a reasoned event whose payload does not decode gave no error")
	}
}
