package domain_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/appraisal-hr/appraisal/domain"
)

// commandCase is one given / when / then row: the fixture driven to a cycle
// state (given), optional extra history (prep), one command (when), and
// either the types of the events it appends or the error it is refused with
// (then). A refused command must append nothing.
type commandCase struct {
	name string
	// at is the cycle state to start from; "" means the organisation,
	// template and policy exist but no cycle does.
	at   domain.CycleState
	prep func(f *fixture)
	when func(f *fixture) (domain.Outcome, error)

	want    []string // event types appended, in order
	wantErr error    // sentinel the refusal must wrap
	// fields, when set, are the exact fields a *ValidationError must list.
	fields []string
	// check, when set, inspects the appended events further.
	check func(t *testing.T, f *fixture, appended []domain.Recorded)
}

func runCases(t *testing.T, cases []commandCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.at != "" {
				f.at(c.at)
			}
			if c.prep != nil {
				c.prep(f)
			}
			before := f.log.len()
			out, err := c.when(f)
			appended := f.log.since(before)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("got error %v, want %v", err, c.wantErr)
				}
				if len(appended) != 0 {
					t.Fatalf("a refused command appended %d events", len(appended))
				}
				checkFields(t, err, c.fields)
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got := types(appended); !slices.Equal(got, c.want) {
				t.Fatalf("appended %v, want %v", got, c.want)
			}
			if out.Version != appended[len(appended)-1].Version || out.Position != appended[len(appended)-1].Position {
				t.Errorf("outcome %+v does not point at the last appended event", out)
			}
			if c.check != nil {
				c.check(t, f, appended)
			}
		})
	}
}

func checkFields(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		return
	}
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Field)
	}
	if !slices.Equal(got, want) {
		t.Errorf("invalid fields %v, want %v (%v)", got, want, err)
	}
}

func types(rs []domain.Recorded) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Type
	}
	return out
}
