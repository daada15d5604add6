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

// scoped is a cycle folded from the shared events up to a position: the
// domain.Base that unit folds start from (the organisation in force, the
// cycle's stream and the other cycles' decisions), and the fold of the Base
// without any review, which says who is in scope, in which unit.
type scoped struct {
	base  *domain.Base
	scope domain.Folded
	// members lists each unit's employees in scope (in the scope's order),
	// unitOf each employee's unit: every batch and query of one unit needs
	// them, and they change only with the shared events.
	members map[uuid.UUID][]uuid.UUID
	unitOf  map[uuid.UUID]uuid.UUID
}

// scopes keeps the last few cycles folded without reviews. A scope depends on
// the shared events only, and the log below a position never changes, so it
// is keyed by the last shared event: as-of queries and projection batches
// between two shared events share one, and a query as of an older position
// gets the organisation as it stood then, never a later one.
type scopes struct {
	index *Index

	mu     sync.Mutex
	folded map[scopeKey]scoped
}

func newScopes(index *Index) *scopes {
	return &scopes{index: index, folded: map[scopeKey]scoped{}}
}

// at is the cycle's scope as of pos.
func (s *scopes) at(cycle uuid.UUID, pos int64) (scoped, error) {
	shared := s.index.SharedUpTo(pos)
	var last int64
	if len(shared) > 0 {
		last = shared[len(shared)-1].Position
	}
	key := scopeKey{cycle, last}
	s.mu.Lock()
	f, ok := s.folded[key]
	s.mu.Unlock()
	if ok {
		return f, nil
	}
	base := domain.NewBase(shared, cycle)
	scope, err := base.Fold(nil)
	if err != nil {
		return scoped{}, err
	}
	f = scoped{base: base, scope: scope, members: map[uuid.UUID][]uuid.UUID{},
		unitOf: make(map[uuid.UUID]uuid.UUID, len(scope.Input.Employees))}
	for _, m := range scope.Input.Employees {
		f.members[m.UnitID] = append(f.members[m.UnitID], m.ID)
		f.unitOf[m.ID] = m.UnitID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.folded) >= scopeCache {
		clear(s.folded)
	}
	s.folded[key] = f
	return f, nil
}
