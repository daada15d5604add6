package projections

import "testing"

// Statements are cached by text, so a batch of any size must be written
// with statements of a few sizes only, and every row exactly once.
func TestChunkSizesAreFewAndCoverEveryRow(t *testing.T) {
	sizes := map[int]bool{}
	for n := 1; n <= 3*writeRows+7; n++ {
		covered := 0
		for left := n; left > 0; {
			c := chunkSize(left)
			if c < 1 || c > left {
				t.Fatalf("%d rows left: chunk of %d", left, c)
			}
			sizes[c] = true
			left -= c
			covered += c
		}
		if covered != n {
			t.Fatalf("%d rows written as %d", n, covered)
		}
	}
	if len(sizes) != 9 {
		t.Errorf("%d distinct statement sizes, want 9: %v", len(sizes), sizes)
	}
}
