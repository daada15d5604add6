package cycles

import (
	"sync"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
)

// scopeKey is a cycle as of its last shared event.
type scopeKey struct {
	cycle      uuid.UUID
	lastShared int64
}

// scopeCache is how many scopes a scopes cache keeps.
const scopeCache = 16

// scopes keeps the last few cycles folded without reviews (who is in scope,
// in which unit). A scope depends on the shared events only, and the log
// below a position never changes, so it is keyed by the last shared event:
// as-of queries and projection batches between two shared events share one.
type scopes struct {
	index *Index

	mu     sync.Mutex
	folded map[scopeKey]domain.Folded
}

func newScopes(index *Index) *scopes {
	return &scopes{index: index, folded: map[scopeKey]domain.Folded{}}
}

// at is the cycle's scope as of pos.
func (s *scopes) at(cycle uuid.UUID, pos int64) (domain.Folded, error) {
	key := scopeKey{cycle, s.index.LastShared(pos)}
	s.mu.Lock()
	f, ok := s.folded[key]
	s.mu.Unlock()
	if ok {
		return f, nil
	}
	f, err := domain.FoldCycle(s.index.EventsOf(cycle, pos, nil), cycle)
	if err != nil {
		return f, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.folded) >= scopeCache {
		clear(s.folded)
	}
	s.folded[key] = f
	return f, nil
}
