package projections

import (
	"crypto/sha256"
	"sync"
)

// A live batch that keeps a few documents of a large group up to date
// (Tx.SyncIDs) would read every one of them back to learn which changed:
// for a unit of 250 people, over a megabyte of results, progress and
// recommendation ids per batch, most of it unchanged or absent. The runner
// instead remembers, per projection, a digest of each document this process
// synced in the active generation, or that the document is absent, and
// reads back only what it does not know.
//
// What is remembered is true of the generation as committed at one
// checkpoint: a batch trusts it only when the generation and the checkpoint
// it starts from are those this process last committed, so a batch applied
// by another process (a leader change), a rebuild's swap, a rolled-back
// batch or a commit whose outcome is unknown all make the next batch start
// afresh. Checkpoints only move forward and a generation number is never
// reissued once it has been active (new generations are numbered above
// every existing one, the active included), so a stale memory can never
// match. Rebuilds do not use it: they run Finish once and list whole groups.

// docKey identifies a document (collection and id) by a hash; with 128
// bits two documents never share one in practice, and a map of these holds
// no pointers for the collector to scan.
type docKey [16]byte

// docState is what a batch knows of a document: its body's digest, or that
// it is absent.
type docState struct {
	sum     [16]byte
	present bool
}

// maxKnown bounds how many documents one projection's memory holds; past
// it, it starts afresh (it is only a cache).
const maxKnown = 1 << 20

func keyOf(collection, id string) docKey {
	h := sha256.New()
	h.Write([]byte(collection))
	h.Write([]byte{0})
	h.Write([]byte(id))
	var k docKey
	copy(k[:], h.Sum(nil))
	return k
}

func stateOf(body []byte) docState {
	sum := sha256.Sum256(body)
	var s docState
	copy(s.sum[:], sum[:])
	s.present = true
	return s
}

// knownDocs is one projection's memory of its active generation.
type knownDocs struct {
	generation int64
	checkpoint int64
	docs       map[docKey]docState
}

// knownSets holds the memories of a DB's projections.
type knownSets struct {
	mu   sync.Mutex
	sets map[string]*knownDocs
}

// begin returns the memory a live batch of projection at (gen, cp) may
// trust, emptied first unless this process last committed exactly there.
func (k *knownSets) begin(projection string, gen, cp int64) *knownDocs {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sets == nil {
		k.sets = map[string]*knownDocs{}
	}
	set := k.sets[projection]
	if set == nil || set.generation != gen || set.checkpoint != cp || len(set.docs) > maxKnown {
		set = &knownDocs{generation: gen, checkpoint: cp, docs: map[docKey]docState{}}
		k.sets[projection] = set
	}
	return set
}

// lookup is what set says of key, if it still describes (gen, cp).
func (k *knownSets) lookup(set *knownDocs, gen, cp int64, key docKey) (docState, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if set.generation != gen || set.checkpoint != cp {
		return docState{}, false
	}
	s, ok := set.docs[key]
	return s, ok
}

// commit records what a batch that started at (gen, from) and committed at
// last learnt and wrote (a nil state: forget the document). When the
// memory no longer stands at from, it is left as it is: it then describes
// no checkpoint the next batch will start from.
func (k *knownSets) commit(set *knownDocs, gen, from, last int64, staged map[docKey]*docState) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if set.generation != gen || set.checkpoint != from {
		return
	}
	for key, s := range staged {
		if s == nil {
			delete(set.docs, key)
		} else {
			set.docs[key] = *s
		}
	}
	set.checkpoint = last
}
