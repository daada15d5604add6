package chain

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// Head is a stream's recorded head: its version and the hash of its last event.
type Head struct {
	Version int64
	Hash    []byte
}

type streamState struct {
	Head
	lastPosition int64
}

// Verifier walks the log in global order and remembers the first problem.
// After a problem every further call is ignored: the first bad position is
// what an auditor needs, later ones follow from it.
type Verifier struct {
	streams      map[string]*streamState
	ledgerPrev   []byte
	lastPosition int64
	report       eventstore.VerifyReport
	failed       bool
}

// New returns a verifier at the start of the log.
func New() *Verifier {
	return &Verifier{streams: make(map[string]*streamState), ledgerPrev: eventstore.GenesisHash}
}

// Failed tells whether a problem was found.
func (v *Verifier) Failed() bool { return v.failed }

// Fail records a problem found by the caller (a backend-specific check) unless
// an earlier one was recorded.
func (v *Verifier) Fail(position int64, stream, problem string) {
	if v.failed {
		return
	}
	v.failed = true
	v.report.BadPosition = position
	v.report.BadStream = stream
	v.report.Problem = problem
}

// Sealed checks the event stored at a ledger position: the position follows
// the previous one, the event's own hash and stream chain hold, and the stored
// ledger hash chains the previous ledger hash, the position and the event hash.
func (v *Verifier) Sealed(position int64, e *eventstore.Event, ledgerHash []byte) {
	if v.failed {
		return
	}
	if position != v.lastPosition+1 {
		v.Fail(v.lastPosition+1, "", fmt.Sprintf("position %d is missing (the log jumps from %d to %d): an event was removed", v.lastPosition+1, v.lastPosition, position))
		return
	}
	v.checkEvent(position, e)
	if v.failed {
		return
	}
	want := eventstore.LedgerHash(v.ledgerPrev, position, e.Hash)
	if !bytes.Equal(want, ledgerHash) {
		v.Fail(position, e.StreamID, fmt.Sprintf("ledger hash at position %d does not match: an event was moved, removed or inserted here", position))
		return
	}
	v.ledgerPrev = ledgerHash
	v.lastPosition = position
}

func (v *Verifier) checkEvent(position int64, e *eventstore.Event) {
	v.report.Events++
	if !bytes.Equal(eventstore.HashEvent(e.PrevHash, e), e.Hash) {
		v.Fail(position, e.StreamID, fmt.Sprintf("event %s/%d does not match its hash: it was altered", e.StreamID, e.Version))
		return
	}
	s := v.streams[e.StreamID]
	if s == nil {
		s = &streamState{Head: Head{Hash: eventstore.GenesisHash}}
		v.streams[e.StreamID] = s
	}
	if e.Version != s.Version+1 {
		v.Fail(position, e.StreamID, fmt.Sprintf("stream %s goes from version %d to %d: an event was removed, inserted or reordered", e.StreamID, s.Version, e.Version))
		return
	}
	if !bytes.Equal(e.PrevHash, s.Hash) {
		v.Fail(position, e.StreamID, fmt.Sprintf("event %s/%d does not chain to the stream's previous event: it was replaced or reordered", e.StreamID, e.Version))
		return
	}
	s.Version, s.Hash, s.lastPosition = e.Version, e.Hash, position
}

// Heads compares the streams table with the events walked: a stream whose
// recorded head is not its last event lost events at its end (or gained a
// forged head), a stream without a head row was inserted behind the store.
func (v *Verifier) Heads(heads map[string]Head) {
	if v.failed {
		return
	}
	names := make([]string, 0, len(heads)+len(v.streams))
	for name := range heads {
		names = append(names, name)
	}
	for name := range v.streams {
		if _, ok := heads[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		h, recorded := heads[name]
		s := v.streams[name]
		// Heads are checked after the whole log, so events missing here were
		// removed from the end of the log: the first bad position is the one
		// after the last intact event.
		switch {
		case s == nil:
			v.Fail(v.lastPosition+1, name, fmt.Sprintf("stream %s is recorded at version %d but has no events: they were removed", name, h.Version))
		case !recorded:
			v.Fail(s.lastPosition, name, fmt.Sprintf("stream %s has events but no recorded head: it was inserted behind the store", name))
		case h.Version != s.Version || !bytes.Equal(h.Hash, s.Hash):
			v.Fail(v.lastPosition+1, name, fmt.Sprintf("stream %s is recorded at version %d but its events end at version %d: events were removed or altered at the end of the log", name, h.Version, s.Version))
		}
		if v.failed {
			return
		}
	}
}

// LogHead compares the recorded head of the log (its last position and
// ledger hash) with the events walked: a head beyond them means events were
// removed from the end; a head short of them, events added behind the store.
func (v *Verifier) LogHead(position int64, ledgerHash []byte) {
	if v.failed {
		return
	}
	switch {
	case position > v.lastPosition:
		v.Fail(v.lastPosition+1, "", fmt.Sprintf("the log's head is recorded at position %d but its events end at %d: events were removed from its end", position, v.lastPosition))
	case position < v.lastPosition:
		v.Fail(position+1, "", fmt.Sprintf("the log's head is recorded at position %d but its events go on to %d: events were added behind the store", position, v.lastPosition))
	case !bytes.Equal(ledgerHash, v.ledgerPrev):
		v.Fail(position, "", fmt.Sprintf("the log's head records another ledger hash at position %d: the last event was replaced", position))
	}
}

// Report returns the outcome.
func (v *Verifier) Report() eventstore.VerifyReport {
	r := v.report
	r.OK = !v.failed
	r.LastPosition = v.lastPosition
	r.LedgerHead = v.ledgerPrev
	return r
}
