package projections

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"
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
// match. The rebuild of a projection that asks for it (Rememberer) keeps a
// memory of its own generation, which only it writes, from one batch to the
// next (catchUp).

// docKey identifies a document (collection and id) by a hash; with 128
// bits two documents never share one in practice, and a map of these holds
// no pointers for the collector to scan.
type docKey [16]byte

// docState is what a batch knows of a document: its body's digest, or that
// it is absent.
type docState struct {
	sum     [16]byte
	present bool
	// fp is the fingerprint of the value the body was encoded from, when
	// this process encoded it (hasFP).
	fp    [16]byte
	hasFP bool
}

// same reports whether a document known as s is the encoding of a value
// whose fingerprint is fp.
func (s docState) same(fp [16]byte) bool { return s.present && s.hasFP && s.fp == fp }

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
	// complete: docs holds every document of the generation, so one it
	// does not hold is absent. True of a rebuild's memory of the
	// generation it fills from empty, until it outgrows maxKnown.
	complete bool
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
	if set == nil || set.generation != gen || set.checkpoint != cp {
		set = &knownDocs{generation: gen, checkpoint: cp, docs: map[docKey]docState{}}
		k.sets[projection] = set
	}
	return set
}

// standing is the generation this process's memory of projection
// describes, if it stands at checkpoint from: where the process last
// committed a batch of it. Else it is activeGeneration, and false.
func (k *knownSets) standing(projection string, from int64) (int64, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if set := k.sets[projection]; set != nil && set.checkpoint == from {
		return set.generation, true
	}
	return activeGeneration, false
}

// forget drops what the process knows of projection.
func (k *knownSets) forget(projection string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.sets, projection)
}

// describe reports whether set remembers no document, and whether it
// remembers them all.
func (k *knownSets) describe(set *knownDocs) (empty, complete bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(set.docs) == 0, set.complete
}

// lookup is what set says of key, if it still describes (gen, cp).
func (k *knownSets) lookup(set *knownDocs, gen, cp int64, key docKey) (docState, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if set.generation != gen || set.checkpoint != cp {
		return docState{}, false
	}
	s, ok := set.docs[key]
	if !ok && set.complete {
		return docState{}, true
	}
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
	if len(set.docs) > maxKnown {
		set.docs, set.complete = map[docKey]docState{}, false
	}
}

// A batch that recomputes a unit of 250 people changes the results of the
// few whose events it holds; encoding all 250 to JSON only to find those
// cost more than writing them. So what is remembered of a document also
// holds a fingerprint of the value it was encoded from: a value whose
// fingerprint is the one remembered encodes to the bytes remembered, and is
// not encoded again.

// fingerprintDepth bounds how deep fingerprint follows a value (a document
// is a tree of a few levels); deeper values are simply encoded.
const fingerprintDepth = 32

// timeType is fingerprinted by its JSON text: its location holds lazily
// filled caches that other goroutines may be writing.
var timeType = reflect.TypeFor[time.Time]()

// fingerprint hashes everything of v that encoding/json could read when
// encoding it (every field, exported or not, since a type's MarshalJSON
// reads its unexported ones; map entries in key order), so that two values
// with one fingerprint encode alike. It reports false for what it cannot
// follow (functions, channels, values nested too deep), which is then
// encoded.
func fingerprint(buf []byte, v any) ([16]byte, []byte, bool) {
	buf = buf[:0]
	buf, ok := appendValue(buf, reflect.ValueOf(v), 0)
	if !ok {
		return [16]byte{}, buf, false
	}
	sum := sha256.Sum256(buf)
	var fp [16]byte
	copy(fp[:], sum[:])
	return fp, buf, true
}

func appendValue(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
	if depth > fingerprintDepth {
		return buf, false
	}
	if !v.IsValid() {
		return append(buf, 0), true
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return append(buf, 1), true
		}
		return append(buf, 0), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(buf, v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return binary.AppendUvarint(buf, v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return binary.LittleEndian.AppendUint64(buf, math.Float64bits(v.Float())), true
	case reflect.String:
		buf = binary.AppendUvarint(buf, uint64(v.Len()))
		return append(buf, v.String()...), true
	case reflect.Array:
		return appendElems(buf, v, depth)
	case reflect.Slice:
		if v.IsNil() {
			return append(buf, 0), true
		}
		return appendElems(append(buf, 1), v, depth)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(buf, 0), true
		}
		if v.Kind() == reflect.Interface {
			name := v.Elem().Type().String()
			buf = append(binary.AppendUvarint(append(buf, 1), uint64(len(name))), name...)
		}
		return appendValue(append(buf, 1), v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == timeType {
			if !v.CanInterface() {
				return buf, false
			}
			text, err := v.Interface().(time.Time).MarshalText()
			return append(binary.AppendUvarint(buf, uint64(len(text))), text...), err == nil
		}
		for i := range v.NumField() {
			var ok bool
			if buf, ok = appendValue(buf, v.Field(i), depth+1); !ok {
				return buf, false
			}
		}
		return buf, true
	case reflect.Map:
		return appendMap(buf, v, depth)
	}
	return buf, false
}

func appendElems(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
	buf = binary.AppendUvarint(buf, uint64(v.Len()))
	for i := range v.Len() {
		var ok bool
		if buf, ok = appendValue(buf, v.Index(i), depth+1); !ok {
			return buf, false
		}
	}
	return buf, true
}

// appendMap appends a map's entries ordered by their keys' bytes.
func appendMap(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
	if v.IsNil() {
		return append(buf, 0), true
	}
	type entry struct{ key, value []byte }
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k, ok := appendValue(nil, it.Key(), depth+1)
		if !ok {
			return buf, false
		}
		val, ok := appendValue(nil, it.Value(), depth+1)
		if !ok {
			return buf, false
		}
		entries = append(entries, entry{k, val})
	}
	slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.key, b.key) })
	buf = binary.AppendUvarint(append(buf, 1), uint64(len(entries)))
	for _, e := range entries {
		buf = binary.AppendUvarint(buf, uint64(len(e.key)))
		buf = append(buf, e.key...)
		buf = append(buf, e.value...)
	}
	return buf, true
}
