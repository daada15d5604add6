package scoring

// slabChunk is how many elements one slab allocation holds.
const slabChunk = 4096

// slab hands out consecutive pieces of large allocations. A 10,000-person
// cycle builds millions of small trace slices; carving them from shared
// chunks turns millions of allocations into hundreds, which is most of what
// the garbage collector would otherwise spend. Every piece is capped at its
// length, so appending to one can never write into the next.
type slab[T any] struct {
	chunk []T // the chunk pieces are cut from
	used  int // how much of chunk is handed out
	size  int // elements per chunk; slabChunk when zero
}

// expect sizes the chunks for about need elements in all: one chunk of
// exactly need when that is less than slabChunk, so that a small cycle does
// not allocate room it never uses.
func (s *slab[T]) expect(need int) { s.size = max(1, min(need, slabChunk)) }

// take returns a zeroed piece of length n.
func (s *slab[T]) take(n int) []T {
	if n > len(s.chunk)-s.used {
		size := s.size
		if size == 0 {
			size = slabChunk
		}
		s.chunk, s.used = make([]T, max(n, size)), 0
	}
	p := s.chunk[s.used : s.used+n : s.used+n]
	s.used += n
	return p
}

// room returns an empty piece with capacity n, to append to.
func (s *slab[T]) room(n int) []T { return s.take(n)[:0] }

// slabMark is where a slab stood.
type slabMark[T any] struct {
	chunk []T
	used  int
}

// mark is where the slab stands now, for release.
func (s *slab[T]) mark() slabMark[T] { return slabMark[T]{s.chunk, s.used} }

// release takes back, zeroed for the next take, what the slab's current
// chunk handed out since m (all of it if the chunk is newer than m). The
// caller must hold none of those pieces any more.
func (s *slab[T]) release(m slabMark[T]) {
	from := 0
	if len(m.chunk) > 0 && len(s.chunk) > 0 && &m.chunk[0] == &s.chunk[0] {
		from = m.used
	}
	clear(s.chunk[from:s.used])
	s.used = from
}
