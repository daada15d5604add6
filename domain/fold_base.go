package domain

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// Base is the part of one cycle's fold that the shared events decide: the
// organisation in force for the cycle, the templates, the policies, every
// cycle's stream (state, settings, pairing overrides, recorded decisions)
// and so the cycle's participants. Review events change none of it, so a
// Base built once from the shared events up to a position serves every fold
// of the cycle's reviews up to that position: Fold and FoldUnits then apply
// the review events alone instead of re-applying, say, 10,000 hires.
//
// A Base never changes once built and may be used by several goroutines.
type Base struct {
	fd        *folder
	decisions []RecordedDecision
	// states is the cycle's state after each of its own events, in log
	// order: a review event counts only if the state in force when it was
	// recorded allowed it.
	states []stateAt
}

// stateAt is the cycle's state from position on.
type stateAt struct {
	position int64
	state    CycleState
}

// participantList is the cycle's participants (ordered by id) as a Base
// lists them once, and the same lists per unit: a fold of one unit of a
// 10,000-person cycle takes its unit's list instead of looking every
// participant's unit up.
type participantList struct {
	all    []Employee
	byUnit map[uuid.UUID][]Employee
}

func newParticipantList(all []Employee) *participantList {
	l := &participantList{all: all, byUnit: map[uuid.UUID][]Employee{}}
	for _, m := range all {
		l.byUnit[m.UnitID] = append(l.byUnit[m.UnitID], m)
	}
	for u, list := range l.byUnit {
		l.byUnit[u] = slices.Clip(list) // an append by a reader copies
	}
	return l
}

// NewBase folds shared, the events outside review streams in global order
// (organisation, template, policy and every cycle stream, as FoldCycle needs
// them), for cycleID. Review events among them are ignored (other cycles'
// as in FoldCycle; cycleID's belong in Fold). It does not
// check that the cycle exists: a fold on the Base reports that, as
// FoldCycle does.
func NewBase(shared []Recorded, cycleID uuid.UUID) *Base {
	fd := newFolder(cycleID, orgCutoff(shared, cycleID))
	b := &Base{fd: fd, decisions: Decisions(shared)}
	for _, r := range shared {
		if strings.HasPrefix(r.Stream, fd.reviewPrefix) {
			continue
		}
		fd.add(r)
		if r.Stream == fd.cycleStream {
			b.states = append(b.states, stateAt{r.Position, fd.cycles[cycleID].State()})
		}
	}
	var all []Employee
	if c := fd.cycles[cycleID]; c != nil {
		all = c.Participants(fd.org)
	}
	fd.inScope = newParticipantList(all)
	return b
}

// LastPosition is the position of the last shared event the Base folded.
func (b *Base) LastPosition() int64 { return b.fd.last }

// Fold is FoldCycle of the Base's shared events and reviews merged in
// global order. reviews are events of cycleID's review streams, in global
// order; anything else is refused.
func (b *Base) Fold(reviews []Recorded) (Folded, error) {
	return b.fold(nil, reviews, nil)
}

// FoldUnits is FoldUnits of the Base's shared events and reviews merged in
// global order: reviews may be those of the units' members only.
func (b *Base) FoldUnits(reviews []Recorded, units []uuid.UUID) (Folded, error) {
	return b.FoldUnitsInto(nil, reviews, units)
}

// FoldUnitsInto is FoldUnits reusing bufs (nil: none), which the returned
// Input then holds until bufs' next fold (see FoldBuffers).
func (b *Base) FoldUnitsInto(bufs *FoldBuffers, reviews []Recorded, units []uuid.UUID) (Folded, error) {
	only := make(map[uuid.UUID]bool, len(units))
	for _, u := range units {
		only[u] = true
	}
	return b.fold(bufs, reviews, only)
}

// fold starts a folder (with bufs' memory, if any) that shares the Base's state (read only: finish
// reads the organisation, templates, policies and cycles and changes none of
// them) and adds the reviews with fresh facts.
func (b *Base) fold(bufs *FoldBuffers, reviews []Recorded, only map[uuid.UUID]bool) (Folded, error) {
	base := b.fd
	fd := newFolder(base.cycleID, base.cutoff)
	fd.org, fd.templates, fd.policies, fd.cycles = base.org, base.templates, base.policies, base.cycles
	fd.overrides, fd.inScope, fd.only, fd.last = base.overrides, base.inScope, only, base.last
	fd.bufs = bufs
	fd.expect(reviews)
	defer fd.keep()
	prev := int64(-1)
	for _, r := range reviews {
		if !strings.HasPrefix(r.Stream, fd.reviewPrefix) {
			return Folded{}, fmt.Errorf("fold of cycle %s on a base: %s at %d is not one of its review events", fd.cycleID, r.Stream, r.Position)
		}
		if r.Position <= prev {
			return Folded{}, fmt.Errorf("fold of cycle %s on a base: review events out of order at %d", fd.cycleID, r.Position)
		}
		prev = r.Position
		fd.last = max(fd.last, r.Position)
		if state, ok := b.stateBefore(r.Position); ok {
			fd.addReviewIn(r, state)
		}
	}
	return fd.finish(b.decisions)
}

// stateBefore is the cycle's state when the event at position was recorded
// (false before the cycle's first event).
func (b *Base) stateBefore(position int64) (CycleState, bool) {
	i := sort.Search(len(b.states), func(i int) bool { return b.states[i].position >= position })
	if i == 0 {
		return "", false
	}
	return b.states[i-1].state, true
}
