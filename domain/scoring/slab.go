package scoring

// slabChunk is how many elements one slab allocation holds.
const slabChunk = 4096

// slab hands out consecutive pieces of large allocations. A 10,000-person
// cycle builds millions of small trace slices; carving them from shared
// chunks turns millions of allocations into hundreds, which is most of what
// the garbage collector would otherwise spend. Every piece is capped at its
// length, so appending to one can never write into the next.
type slab[T any] struct{ free []T }

// take returns a zeroed piece of length n.
func (s *slab[T]) take(n int) []T {
	if n > len(s.free) {
		s.free = make([]T, max(n, slabChunk))
	}
	p := s.free[:n:n]
	s.free = s.free[n:]
	return p
}

// room returns an empty piece with capacity n, to append to.
func (s *slab[T]) room(n int) []T { return s.take(n)[:0] }
