package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"time"
)

// HashSize is the length of every hash in the store (SHA-256).
const HashSize = sha256.Size

// GenesisHash is the previous hash of a stream's first event and of the
// ledger's first entry.
var GenesisHash = make([]byte, HashSize)

// Domain tags keep an event hash from ever being mistaken for a ledger hash.
const (
	eventHashTag  = "appraisal/event/v1"
	ledgerHashTag = "appraisal/ledger/v1"
)

// HashEvent returns SHA-256 over prev and the canonical encoding of e: every
// field the store keeps, each length-prefixed so that no two different events
// encode alike. Position, PrevHash and Hash are not part of it: the position is
// bound by the ledger chain (LedgerHash), the hashes are the chain itself.
// The payload is hashed exactly as stored (before any upcasting).
func HashEvent(prev []byte, e *Event) []byte {
	h := sha256.New()
	w := canonicalWriter{h: h}
	w.bytes([]byte(eventHashTag))
	w.bytes(prev)
	w.bytes([]byte(e.StreamID))
	w.int(e.Version)
	w.bytes(e.ID[:])
	w.bytes([]byte(e.Type))
	w.int(int64(e.SchemaVersion))
	w.bytes(e.Payload)
	w.bytes([]byte(e.Actor.ID))
	w.bytes([]byte(e.Actor.Role))
	w.bytes(e.CorrelationID[:])
	w.bytes(e.CausationID[:])
	w.int(e.RecordedAt.UnixMicro())
	return h.Sum(nil)
}

// LedgerHash chains one event into the global ledger: SHA-256 over the
// previous ledger hash, the event's global position and its event hash. A
// changed, missing, extra or moved event anywhere breaks every ledger hash from
// that position on.
func LedgerHash(prev []byte, position int64, eventHash []byte) []byte {
	h := sha256.New()
	w := canonicalWriter{h: h}
	w.bytes([]byte(ledgerHashTag))
	w.bytes(prev)
	w.int(position)
	w.bytes(eventHash)
	return h.Sum(nil)
}

// StoredTime is the store's precision for RecordedAt: UTC, whole microseconds,
// which both PostgreSQL timestamptz and the SQLite text form keep exactly.
func StoredTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

type canonicalWriter struct{ h hash.Hash }

func (w canonicalWriter) bytes(b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	w.h.Write(n[:])
	w.h.Write(b)
}

func (w canonicalWriter) int(v int64) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(v))
	w.h.Write(n[:])
}
