package domain

import (
	"encoding/hex"

	"github.com/google/uuid"
)

// streamOf is prefix followed by id as uuid.UUID.String spells it, and the
// same string as prefix + id.String(), in one allocation instead of two.
// Commands name several streams each (the cache keys and the conditions of
// an append), so this is on every command's path.
func streamOf(prefix string, id uuid.UUID) string {
	var room [64]byte
	return string(appendUUID(append(room[:0], prefix...), id))
}

// appendUUID appends id in uuid.UUID.String's form (lower-case hex,
// 8-4-4-4-12).
func appendUUID(b []byte, id uuid.UUID) []byte {
	var s [36]byte
	hex.Encode(s[0:8], id[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], id[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], id[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], id[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], id[10:16])
	return append(b, s[:]...)
}
