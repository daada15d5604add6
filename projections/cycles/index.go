package cycles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
)

// Index keeps the domain's events decoded in memory, in global order, as
// the store delivers them: the events every cycle's fold reads (organisation,
// templates, policies, cycles) in one list, and each cycle's review events in
// a list of their own, so one cycle's fold never walks another's reviews.
// Every process runs one; it is the log, not a read model, so as-of queries
// and replays read history through it.
type Index struct {
	store  eventstore.Store
	logger *slog.Logger

	mu      sync.RWMutex
	shared  []domain.Recorded
	reviews map[uuid.UUID][]domain.Recorded // by cycle
	// byEmployee indexes each cycle's reviews per employee (indices into
	// reviews[cycle], ascending), so that a fold of one unit reads only its
	// members' events without the index holding every review twice.
	byEmployee map[uuid.UUID]map[uuid.UUID][]int32
	// intern shares the repeated strings and decimals of the events held.
	intern   *interner
	cycles   []uuid.UUID         // in order of first appearance
	closedAt map[uuid.UUID]int64 // position of each cycle's CycleClosed
	position int64               // last position delivered
	times    []stamp             // recorded time of each delivered position, for as-of by time
	advanced chan struct{}
}

// stamp is where the log stood at a recorded time.
type stamp struct {
	position int64
	at       time.Time
}

// ErrIndexBehind is returned when the index did not reach a position in time.
var ErrIndexBehind = errors.New("event index did not reach the position in time")

// NewIndex returns an empty index over store; Run fills it.
func NewIndex(store eventstore.Store, logger *slog.Logger) *Index {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Index{store: store, logger: logger, reviews: map[uuid.UUID][]domain.Recorded{},
		byEmployee: map[uuid.UUID]map[uuid.UUID][]int32{}, intern: newInterner(), closedAt: map[uuid.UUID]int64{},
		advanced: make(chan struct{})}
}

// Run follows the store from where the index stands until ctx ends.
func (ix *Index) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := ix.store.Subscribe(ctx, ix.Position(), ix.add)
		if err != nil && ctx.Err() == nil {
			ix.logger.Warn("event index subscription ended; resubscribing", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

// CatchUp reads the store up to its current head without following it, for
// one-shot commands (replay, rebuild).
func (ix *Index) CatchUp(ctx context.Context) error {
	for {
		events, err := ix.store.ReadAll(ctx, ix.Position(), 5000)
		if err != nil {
			return fmt.Errorf("event index: %w", err)
		}
		if len(events) == 0 {
			return nil
		}
		for _, e := range events {
			if err := ix.add(ctx, e); err != nil {
				return err
			}
		}
	}
}

// reviewPrefix names the streams of one employee in one cycle.
const reviewPrefix = "review-"

func (ix *Index) add(_ context.Context, e eventstore.Event) error {
	r, err := decodeForIndex(e)
	known := err == nil
	if err != nil && !errors.Is(err, domain.ErrUnknownEvent) {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if e.Position <= ix.position {
		return nil
	}
	ix.position = e.Position
	ix.times = append(ix.times, stamp{e.Position, e.RecordedAt})
	if known {
		r = ix.intern.recorded(r)
		if cycle, ok := reviewCycle(r.Stream); ok {
			if _, seen := ix.reviews[cycle]; !seen {
				ix.cycles = append(ix.cycles, cycle)
			}
			if ix.byEmployee[cycle] == nil {
				ix.byEmployee[cycle] = map[uuid.UUID][]int32{}
			}
			emp := reviewEmployee(r)
			ix.byEmployee[cycle][emp] = append(ix.byEmployee[cycle][emp], int32(len(ix.reviews[cycle])))
			ix.reviews[cycle] = append(ix.reviews[cycle], r)
		} else {
			if cycle, ok := cycleOf(r.Stream); ok {
				if _, seen := ix.reviews[cycle]; !seen {
					ix.reviews[cycle] = nil
					ix.cycles = append(ix.cycles, cycle)
				}
				if _, closed := r.Event.(domain.CycleClosed); closed {
					ix.closedAt[cycle] = r.Position
				}
			}
			ix.shared = append(ix.shared, r)
		}
	}
	close(ix.advanced)
	ix.advanced = make(chan struct{})
	return nil
}

// decodeForIndex is eventlog.Decode, except that a saved draft keeps its
// place in the index (its position counts in a fold's last position) but
// not its content: nothing computed from the index reads a draft's scores
// (the fold, progress, recommendations and summaries pass drafts over, and
// the draft endpoint reads the review stream), and decoding and keeping
// every draft's scores was a twentieth of the server's CPU under a load of
// saved drafts.
func decodeForIndex(e eventstore.Event) (domain.Recorded, error) {
	if e.Type != draftSaved || e.SchemaVersion != draftSchema {
		return eventlog.Decode(e)
	}
	return eventlog.DecodeAs(e, domain.EvaluationDraftSaved{}), nil
}

// draftSchema is the schema version of drafts decodeForIndex knows to pass
// over; another is decoded in full, so that an unknown version still fails
// as eventlog.Decode fails it.
var draftSchema, _ = domain.SchemaVersion(draftSaved)

// reviewCycle is the cycle of a review stream "review-<cycle>-<employee>".
func reviewCycle(stream string) (uuid.UUID, bool) {
	rest, ok := strings.CutPrefix(stream, reviewPrefix)
	if !ok || len(rest) < 36 {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(rest[:36])
	return id, err == nil
}

// cycleOf is the cycle of a cycle stream.
func cycleOf(stream string) (uuid.UUID, bool) {
	rest, ok := strings.CutPrefix(stream, "cycle-")
	if !ok {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(rest)
	return id, err == nil
}

// Position is the last global position the index holds.
func (ix *Index) Position() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.position
}

// WaitFor blocks until the index holds position pos or timeout passes.
func (ix *Index) WaitFor(ctx context.Context, pos int64, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		ix.mu.RLock()
		at, advanced := ix.position, ix.advanced
		ix.mu.RUnlock()
		if at >= pos {
			return nil
		}
		select {
		case <-advanced:
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("index at %d, waiting for %d: %w", at, pos, ErrIndexBehind)
		}
	}
}

// OpenCycles lists the cycles seen that were not closed before position
// pos, in order of first appearance. A closed cycle is final (closing is the
// last transition), so nothing after it changes its results.
func (ix *Index) OpenCycles(pos int64) []uuid.UUID {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]uuid.UUID, 0, len(ix.cycles))
	for _, c := range ix.cycles {
		if at, closed := ix.closedAt[c]; !closed || at >= pos {
			out = append(out, c)
		}
	}
	return out
}

// Events returns, in global order, the events a fold of cycle reads up to
// position upTo: the shared events and all the cycle's reviews.
func (ix *Index) Events(cycle uuid.UUID, upTo int64) []domain.Recorded {
	ix.mu.RLock()
	shared, reviews := ix.shared, ix.reviews[cycle]
	ix.mu.RUnlock()
	return merge(domain.UpToPosition(shared, upTo), domain.UpToPosition(reviews, upTo))
}

// EventsOf is Events with the reviews of the given employees only.
func (ix *Index) EventsOf(cycle uuid.UUID, upTo int64, employees []uuid.UUID) []domain.Recorded {
	return merge(ix.SharedUpTo(upTo), ix.AppendReviewsOf(nil, cycle, upTo, employees))
}

// SharedUpTo is the shared events (organisation, templates, policies,
// cycles) at or below upTo, in global order: what a domain.Base folds. The
// slice is the index's own and must not be changed.
func (ix *Index) SharedUpTo(upTo int64) []domain.Recorded {
	ix.mu.RLock()
	shared := ix.shared
	ix.mu.RUnlock()
	return domain.UpToPosition(shared, upTo)
}

// AppendReviewsOf appends to dst the cycle's review events of the given
// employees at or below upTo, in global order: what a fold of their unit on
// a domain.Base reads. A caller that folds the list and drops it can hand
// the same buffer to its next query instead of allocating again. Each
// employee's reviews are indexed in log order already, so they are merged
// in one pass over a heap of the lists' heads: every event is copied once
// and nothing is sorted.
func (ix *Index) AppendReviewsOf(dst []domain.Recorded, cycle uuid.UUID, upTo int64, employees []uuid.UUID) []domain.Recorded {
	ix.mu.RLock()
	reviews := domain.UpToPosition(ix.reviews[cycle], upTo)
	runs := make(runHeap, 0, len(employees))
	n := 0
	for _, e := range employees {
		idx := ix.byEmployee[cycle][e]
		// The indices ascend with position: those below len(reviews) are
		// the events at or below upTo.
		k, _ := slices.BinarySearch(idx, int32(len(reviews)))
		if k > 0 {
			runs = append(runs, idx[:k])
			n += k
		}
	}
	ix.mu.RUnlock()
	dst = slices.Grow(dst, n)
	runs.init()
	for len(runs) > 0 {
		dst = append(dst, reviews[runs[0][0]])
		if runs[0] = runs[0][1:]; len(runs[0]) == 0 {
			last := len(runs) - 1
			runs[0] = runs[last]
			runs = runs[:last]
		}
		if len(runs) > 0 {
			runs.down(0)
		}
	}
	return dst
}

// runHeap is a min-heap of non-empty ascending lists of indices into one
// cycle's reviews (so in log order), keyed by each list's first index.
// Only the top ever changes (it advances or runs out), so sifting it down
// is all the heap needs.
type runHeap [][]int32

// init orders the heap.
func (h runHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// down moves the list at i below any list whose first event comes earlier.
func (h runHeap) down(i int) {
	for {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l][0] < h[least][0] {
			least = l
		}
		if r < len(h) && h[r][0] < h[least][0] {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}

// LastReview is the position of the cycle's last review event at or below
// upTo that is not a draft (0 when none): what a summary's last event
// position counts.
func (ix *Index) LastReview(cycle uuid.UUID, upTo int64) int64 {
	ix.mu.RLock()
	reviews := ix.reviews[cycle]
	ix.mu.RUnlock()
	reviews = domain.UpToPosition(reviews, upTo)
	for i := len(reviews) - 1; i >= 0; i-- {
		if _, draft := reviews[i].Event.(domain.EvaluationDraftSaved); !draft {
			return reviews[i].Position
		}
	}
	return 0
}

// merge interleaves two position-ordered lists.
func merge(a, b []domain.Recorded) []domain.Recorded {
	out := make([]domain.Recorded, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && a[i].Position < b[j].Position) {
			out = append(out, a[i])
			i++
			continue
		}
		out = append(out, b[j])
		j++
	}
	return out
}

// reviewEmployee is the employee of a review stream's event.
func reviewEmployee(r domain.Recorded) uuid.UUID {
	rest := strings.TrimPrefix(r.Stream, reviewPrefix)
	if len(rest) < 73 {
		return uuid.Nil
	}
	id, _ := uuid.Parse(rest[37:])
	return id
}

// Shared returns the events outside review streams, where recorded
// decisions live.
func (ix *Index) Shared() []domain.Recorded {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.shared
}

// PositionAt is the last position recorded at or before t (0 when none):
// the cut of an as-of-time query.
func (ix *Index) PositionAt(t time.Time) int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var pos int64
	for _, s := range ix.times {
		if !s.at.After(t) {
			pos = s.position
		}
	}
	return pos
}
