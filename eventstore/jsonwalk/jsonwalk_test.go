package jsonwalk

import (
	"encoding/json"
	"testing"
)

// Members hands over each top-level member's raw key and value, whatever
// the value holds (strings with escaped quotes and brackets, nested
// objects and arrays, literals, white space), and stops when asked.
func TestMembers(t *testing.T) {
	doc := ` { "a" : "x \"}] y" , "b\u0062":{"c":[1,{"d":"]"}]}, "n": -1.5e3 ,"t":true,"z":null } `
	var got [][2]string
	if !Members([]byte(doc), func(k, v []byte) bool { got = append(got, [2]string{string(k), string(v)}); return true }) {
		t.Fatal("an object was not taken for one")
	}
	want := [][2]string{{`"a"`, `"x \"}] y"`}, {`"b\u0062"`, `{"c":[1,{"d":"]"}]}`}, {`"n"`, `-1.5e3`}, {`"t"`, `true`}, {`"z"`, `null`}}
	if len(got) != len(want) {
		t.Fatalf("members %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("member %d = %q, want %q", i, got[i], want[i])
		}
	}
	n := 0
	Members([]byte(doc), func(k, v []byte) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("went on to %d members after being asked to stop at 2", n)
	}
	for _, notObject := range []string{`[1]`, `"s"`, ` 3`, ``} {
		if Members([]byte(notObject), func(k, v []byte) bool { return true }) {
			t.Errorf("%q taken for an object", notObject)
		}
	}
}

// Whatever the bytes, Members returns (without panicking), and on a valid
// object it hands over values that are themselves valid JSON.
func FuzzMembers(f *testing.F) {
	f.Add([]byte(`{"a":{"b":[1,"]}"]},"c":"\\\""}`))
	f.Add([]byte(`{"a`))
	f.Fuzz(func(t *testing.T, b []byte) {
		valid := json.Valid(b)
		Members(b, func(k, v []byte) bool {
			if valid && (!json.Valid(k) || !json.Valid(v)) {
				t.Fatalf("member %q: %q of %q is not valid JSON", k, v, b)
			}
			return true
		})
	})
}
