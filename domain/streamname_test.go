package domain

import (
	"testing"

	"github.com/google/uuid"
)

// Stream names built in one allocation are the names prefix + String()
// made, which the log already holds.
func TestStreamNamesAsBefore(t *testing.T) {
	ids := []uuid.UUID{uuid.Nil, uuid.Max, uuid.MustParse("00112233-4455-6677-8899-aabbccddeeff")}
	for range 100 {
		ids = append(ids, uuid.New())
	}
	for i, a := range ids {
		b := ids[(i+1)%len(ids)]
		for got, want := range map[string]string{
			CycleStream(a):        "cycle-" + a.String(),
			TemplateStream(a):     "template-" + a.String(),
			PolicyStream(a):       "policy-" + a.String(),
			reviewStreamPrefix(a): "review-" + a.String() + "-",
			ReviewStream(a, b):    "review-" + a.String() + "-" + b.String(),
		} {
			if got != want {
				t.Errorf("%q, want %q", got, want)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = ReviewStream(ids[3], ids[4]) }); n != 1 {
		t.Errorf("ReviewStream allocates %v times, want 1", n)
	}
}
