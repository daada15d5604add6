package scoring

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"
)

// On random cycles, ComputeTraced keeps exactly Compute's result for the
// employees it traces (traces included), Compute's result with every trace
// nil for the others, and Compute's units, flags, recommendations and
// blockers: with nobody, some or everybody traced.
func TestComputeTracedDropsOnlyTheUntracedTraces(t *testing.T) {
	for seed := range uint64(100) {
		in := randomInput(seed)
		full, err := Compute(in)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		rng := rand.New(rand.NewPCG(seed, 7))
		for _, share := range []int{0, 1 + rng.IntN(4), 4} { // of 4
			traced := map[uuid.UUID]bool{}
			for _, m := range in.Employees {
				traced[m.ID] = rng.IntN(4) < share
			}
			got, err := ComputeTraced(in, func(id uuid.UUID) bool { return traced[id] })
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			want := full
			want.Employees = make([]EmployeeResult, len(full.Employees))
			for i, r := range full.Employees {
				if !traced[r.EmployeeID] {
					r = withoutTraces(r)
					if r.Overall.Trace != nil || full.Employees[i].Overall.Trace == nil {
						t.Fatal("withoutTraces changed the wrong result")
					}
				}
				want.Employees[i] = r
			}
			if g, w := encode(t, got), encode(t, want); g != w {
				t.Fatalf("seed %d, %d of 4 traced:\n got %s\nwant %s", seed, share, g, w)
			}
		}
	}
}

// withoutTraces is r with every trace nil, leaving r itself alone.
func withoutTraces(r EmployeeResult) EmployeeResult {
	r.Criteria = slices.Clone(r.Criteria)
	for i := range r.Criteria {
		r.Criteria[i].Raters = slices.Clone(r.Criteria[i].Raters)
	}
	r.Dimensions = slices.Clone(r.Dimensions)
	r.dropTraces()
	return r
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A released slab piece is handed out again zeroed; pieces taken before the
// mark, and pieces of a chunk older than the current one, are left alone.
func TestSlabReleaseReusesOnlyWhatFollowsTheMark(t *testing.T) {
	var s slab[int]
	kept := s.take(3)
	kept[0], kept[1], kept[2] = 1, 2, 3
	m := s.mark()
	p := s.take(5)
	for i := range p {
		p[i] = 9
	}
	s.release(m)
	q := s.take(5)
	if &q[0] != &p[0] {
		t.Error("the released piece was not reused")
	}
	if slices.ContainsFunc(q, func(v int) bool { return v != 0 }) || !slices.Equal(kept, []int{1, 2, 3}) {
		t.Errorf("after release: new piece %v, kept piece %v", q, kept)
	}
	// A chunk taken after the mark is released whole; the older chunk keeps
	// what was taken from it before.
	m = s.mark()
	big := s.take(slabChunk)
	big[0] = 7
	s.release(m)
	again := s.take(1)
	if &again[0] != &big[0] || again[0] != 0 || !slices.Equal(kept, []int{1, 2, 3}) {
		t.Errorf("after releasing a newer chunk: reused %v, value %d, kept %v", &again[0] == &big[0], again[0], kept)
	}
}

// On random cycles, ComputeFor keeps exactly Compute's result for the one
// employee asked about, Compute's numbers without traces, criteria or
// dimensions for everybody else, and Compute's units, flags,
// recommendations and blockers.
func TestComputeForKeepsOnePersonsDetail(t *testing.T) {
	for seed := range uint64(100) {
		in := randomInput(seed)
		full, err := Compute(in)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		rng := rand.New(rand.NewPCG(seed, 11))
		asked := in.Employees[rng.IntN(len(in.Employees))].ID
		got, err := ComputeFor(in, asked)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		want := full
		want.Employees = make([]EmployeeResult, len(full.Employees))
		for i, r := range full.Employees {
			if r.EmployeeID != asked {
				r = withoutTraces(r)
				r.Criteria, r.Dimensions = nil, nil
			}
			want.Employees[i] = r
		}
		if g, w := encode(t, got), encode(t, want); g != w {
			t.Fatalf("seed %d, asked %s:\n got %s\nwant %s", seed, asked, g, w)
		}
	}
}
