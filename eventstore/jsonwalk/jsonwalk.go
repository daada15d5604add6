// Package jsonwalk walks JSON text already known to be valid: an event's
// payload (the store validated and compacted it when it was appended) or a
// request body that passed json.Valid. It finds where values begin and end
// without decoding them, so that a reader after a few keys of an object
// does not pay for decoding all of it. On text that is not valid JSON it
// never panics, but what it reports is unspecified.
package jsonwalk

// SkipSpace is the index of the first byte at or after i that is not JSON
// white space.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// StringEnd is the index just past the string that opens at b[i].
func StringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// ValueEnd is the index just past the value that begins at b[i].
func ValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return StringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = StringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	// A number, true, false or null: up to the next delimiter.
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return len(b)
}

// Members calls f with the raw key (its quotes and any escapes included) and
// the raw value of each member of the object b holds, in order, until f
// returns false. It reports false when b does not hold an object.
func Members(b []byte, f func(key, value []byte) bool) bool {
	i := SkipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	for i = SkipSpace(b, i+1); i < len(b) && b[i] == '"'; {
		end := StringEnd(b, i)
		key := b[i:end]
		i = min(SkipSpace(b, SkipSpace(b, end)+1), len(b)) // past ':'
		end = ValueEnd(b, i)
		if !f(key, b[i:end:end]) {
			return true
		}
		if i = SkipSpace(b, end); i < len(b) && b[i] == ',' {
			i = SkipSpace(b, i+1)
		}
	}
	return true
}
