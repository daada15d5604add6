package http

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	nethttp "net/http"
	"reflect"
	"strings"
	"sync"
	"unicode"

	"github.com/appraisal-hr/appraisal/eventstore/jsonwalk"
)

// decodeJSON reads the request body into dst strictly: the body must be one
// JSON object, every key must be a field of dst, and every value must fit its
// field's type. All bad fields are reported together, each with its path, so
// that a client can fix a form in one round trip.
func decodeJSON(r *nethttp.Request, dst any) error {
	// "application/json" as such is what clients send; ParseMediaType (a
	// map and a lowered copy) is for everything else.
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return newProblem(kindUnsupportedMedia, "got %q", ct)
		}
	}
	body, err := readBody(r)
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	return decodeBytes(body, dst)
}

// bodySizeHint bounds the buffer readBody sizes from a declared
// Content-Length: the length is the client's word, so a large claim gets
// io.ReadAll's growth rather than memory up front.
const bodySizeHint = 64 << 10

// readBody is io.ReadAll of the body into a buffer the size of its declared
// Content-Length (one byte more, to see the end without growing), instead
// of io.ReadAll's 512 bytes and doublings.
func readBody(r *nethttp.Request) ([]byte, error) {
	n := r.ContentLength
	if n <= 0 || n > bodySizeHint {
		return io.ReadAll(r.Body)
	}
	b := make([]byte, 0, n+1)
	for {
		m, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // more than declared: let append grow it
		}
	}
}

// decodeBytes is decodeJSON on bytes already read; the fuzz test drives it.
func decodeBytes(body []byte, dst any) error {
	if !json.Valid(body) {
		// Not exactly one JSON value: the decoder says what is wrong.
		dec := json.NewDecoder(bytes.NewReader(body))
		var skipped json.RawMessage // its own variable, so that body's slice stays off the heap on the valid path
		if err := dec.Decode(&skipped); err != nil {
			return newProblem(kindMalformed, "%s", syntaxDetail(err))
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return newProblem(kindMalformed, "the body holds more than one JSON value")
		}
	}
	var fields []FieldProblem
	var at [8]pathStep // room for the path of most bodies' deepest value
	decodeValue(body, reflect.ValueOf(dst).Elem(), at[:0], &fields)
	if len(fields) > 0 {
		return fieldsProblem(kindValidation, fields)
	}
	return nil
}

func syntaxDetail(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	if errors.Is(err, io.EOF) {
		return "the body is empty"
	}
	return err.Error()
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// The body has been checked to be one valid JSON value before it is taken
// apart, so its objects and arrays are split into their members by finding
// where each value ends, without validating the same bytes again: decoding
// each object into a map of raw values and each array into a slice of them
// (copies of the bytes, each validated anew at every level) was most of a
// saved draft's decoding. The outcome is the same: an object's members as
// a map would hold them (keys unescaped as encoding/json does, a repeated
// key's last value), an array's items, and the same refusal of a value of
// another kind.

// member is one key (unescaped) and raw value of a JSON object.
type member struct {
	key   []byte
	value json.RawMessage
}

// errNotKind: a value is not the object or array asked for.
var errNotKind = errors.New("not the kind of JSON value wanted")

// objectMembers splits a valid JSON object into its members, in order,
// each key once (its last value, as decoding into a map keeps). They are
// appended to out, which callers pass with room on their stack.
func objectMembers(raw json.RawMessage, out []member) ([]member, error) {
	var err error
	object := jsonwalk.Members(raw, func(quoted, value []byte) bool {
		var key []byte
		if key, err = unquoteKey(quoted); err != nil {
			return false
		}
		if j := indexOfKey(out, key); j >= 0 {
			out[j].value = value
		} else {
			out = append(out, member{key, value})
		}
		return true
	})
	switch {
	case !object:
		return nil, errNotKind
	case err != nil:
		return nil, err
	}
	return out, nil
}

// indexOfKey finds a key among an object's members so far (objects in a
// request have a few keys: a scan is cheaper than a map).
func indexOfKey(ms []member, key []byte) int {
	for j := range ms {
		if bytes.Equal(ms[j].key, key) {
			return j
		}
	}
	return -1
}

// arrayItems splits a valid JSON array into its items, appended to items
// (which callers pass with room on their stack); null is no items (a nil
// slice, as decoding null into a slice gives), and [] a non-nil empty one.
func arrayItems(raw json.RawMessage, items []json.RawMessage) ([]json.RawMessage, error) {
	i := jsonwalk.SkipSpace(raw, 0)
	if bytes.HasPrefix(raw[i:], []byte("null")) {
		return nil, nil
	}
	if i >= len(raw) || raw[i] != '[' {
		return nil, errNotKind
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	i = jsonwalk.SkipSpace(raw, i+1)
	for i < len(raw) && raw[i] != ']' {
		end := jsonwalk.ValueEnd(raw, i)
		items = append(items, raw[i:end:end])
		i = jsonwalk.SkipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = jsonwalk.SkipSpace(raw, i+1)
		}
	}
	return items, nil
}

// unquoteKey is a key's text: its bytes when they need no unescaping (no
// backslash, ASCII), else what encoding/json makes of it.
func unquoteKey(quoted []byte) ([]byte, error) {
	plain := len(quoted) >= 2
	for _, c := range quoted {
		if c == '\\' || c >= utf8RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return quoted[1 : len(quoted)-1], nil
	}
	var key string
	err := json.Unmarshal(quoted, &key)
	return []byte(key), err
}

// utf8RuneSelf: bytes from here on may begin a multi-byte (or invalid)
// UTF-8 sequence, which encoding/json checks when it unquotes.
const utf8RuneSelf = 0x80

// fieldPath is where a value sits in the body: the keys and indexes from
// the body down to it. It is spelled out ("scores[1].score") only for a
// field with a problem, not for every value decoded. A value's path is its
// parent's with one step appended, so siblings reuse the same room (the
// path is not kept once a value is decoded) and a body of ordinary depth
// builds its paths in decodeBytes's stack array, without allocating.
type fieldPath []pathStep

// pathStep is a key of an object, or an index of an array (item).
type pathStep struct {
	item  bool   // an array item: index, else key
	key   []byte // unescaped
	index int
}

// String is the path as problems name it ("" for the body itself).
func (p fieldPath) String() string {
	s := ""
	for _, st := range p {
		if st.item {
			s = fmt.Sprintf("%s[%d]", s, st.index)
		} else {
			s = join(s, string(st.key))
		}
	}
	return s
}

// problem is the FieldProblem of the value at p.
func (p fieldPath) problem(reason string) FieldProblem {
	return FieldProblem{fieldName(p.String()), reason}
}

// decodeValue decodes raw into v, recursing into plain structs and slices so
// that every bad field is found, not just the first.
func decodeValue(raw json.RawMessage, v reflect.Value, path fieldPath, fields *[]FieldProblem) {
	t := v.Type()
	switch decodingOf(t) {
	case asPlainStruct:
		decodeStruct(raw, v, path, fields)
	case asSliceOfPlain:
		var room [8]json.RawMessage
		items, err := arrayItems(raw, room[:0])
		if err != nil {
			*fields = append(*fields, path.problem("must be an array"))
			return
		}
		if items == nil {
			return
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			decodeValue(item, s.Index(i), append(path, pathStep{item: true, index: i}), fields)
		}
		v.Set(s)
	default:
		if err := decodeLeaf(raw, v); err != nil {
			*fields = append(*fields, path.problem(typeReason(t, err)))
		}
	}
}

// decodeLeaf is json.Unmarshal(raw, v.Addr().Interface()) for a valid raw
// value, done directly in the two cases a request is mostly made of: a
// type that unmarshals itself (decimals, times) gets raw as encoding/json
// would give it, and a plain string field gets a string that needs no
// unescaping, as encoding/json would set it. Everything else (and every
// error) is encoding/json's.
func decodeLeaf(raw json.RawMessage, v reflect.Value) error {
	switch decodingOf(v.Type()) {
	case asUnmarshaler:
		// encoding/json hands a json.Unmarshaler the value's bytes as they
		// are (null included) and returns its error unchanged.
		return v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw)
	case asString:
		if s, ok := plainString(raw); ok {
			v.SetString(s)
			return nil
		}
	}
	return json.Unmarshal(raw, v.Addr().Interface())
}

// plainString is the text of a JSON string of printable ASCII without
// escapes, which encoding/json takes as it is; ok is false for anything
// else (escapes, other bytes, or not a string), left to encoding/json.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	for _, c := range in {
		if c < ' ' || c == '"' || c == '\\' || c >= utf8RuneSelf {
			return "", false
		}
	}
	return string(in), true
}

func decodeStruct(raw json.RawMessage, v reflect.Value, path fieldPath, fields *[]FieldProblem) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return
	}
	var room [16]member
	obj, err := objectMembers(raw, room[:0])
	if err != nil {
		*fields = append(*fields, path.problem("must be an object"))
		return
	}
	known := jsonFields(v.Type())
	for _, m := range obj {
		at := append(path, pathStep{key: m.key})
		idx, ok := known[string(m.key)] // looked up without a copy of the key
		if !ok {
			// Named as the key is, even "" (not "(body)").
			*fields = append(*fields, FieldProblem{at.String(), "unknown field"})
			continue
		}
		decodeValue(m.value, v.Field(idx), at, fields)
	}
}

// isPlainStruct is a struct that decodes field by field (time.Time, decimals
// and ids decode themselves).
func isPlainStruct(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	if plain, ok := plainStructs.Load(t); ok {
		return plain.(bool)
	}
	p := reflect.PointerTo(t)
	plain := !p.Implements(unmarshalerType) && !p.Implements(textUnmarshalerType)
	plainStructs.Store(t, plain)
	return plain
}

// decoding is how decodeValue takes a value of a type apart.
type decoding uint8

const (
	asOther        decoding = iota // encoding/json's business
	asPlainStruct                  // isPlainStruct: field by field
	asSliceOfPlain                 // a slice of plain structs: item by item
	asUnmarshaler                  // neither pointer nor interface, its pointer a json.Unmarshaler
	asString                       // a string kind without unmarshaling methods (nor json.Number)
)

var numberType = reflect.TypeFor[json.Number]()

// decodingOf is how values of t are decoded, worked out once per type.
func decodingOf(t reflect.Type) decoding {
	if d, ok := decodings.Load(t); ok {
		return d.(decoding)
	}
	d := asOther
	p := reflect.PointerTo(t)
	switch {
	case isPlainStruct(t):
		d = asPlainStruct
	case t.Kind() == reflect.Slice && isPlainStruct(t.Elem()):
		d = asSliceOfPlain
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface:
	case p.Implements(unmarshalerType):
		d = asUnmarshaler
	case t.Kind() == reflect.String && t != numberType && !p.Implements(textUnmarshalerType):
		d = asString
	}
	decodings.Store(t, d)
	return d
}

var decodings sync.Map // reflect.Type -> decoding

// plainStructs and structFields remember, per type, what isPlainStruct and
// jsonFields found: the request types are few and fixed, and working it out
// by reflection on every request was a tenth of a draft's decoding.
var plainStructs, structFields sync.Map // reflect.Type -> bool, map[string]int

// jsonFields maps a struct's JSON keys to field indexes. A field without a
// json tag is known by its snake_case name, so that the domain's commands,
// which carry no encoding tags, are decoded directly and their validation
// errors ("unit_id: is required") name the keys the client sent.
func jsonFields(t reflect.Type) map[string]int {
	if m, ok := structFields.Load(t); ok {
		return m.(map[string]int)
	}
	m := fieldsOf(t)
	structFields.Store(t, m)
	return m
}

// fieldsOf is jsonFields worked out; callers must not change the map.
func fieldsOf(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := snakeCase(f.Name)
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		m[name] = i
	}
	return m
}

func typeReason(t reflect.Type, err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Sprintf("must be %s, not %s", jsonKind(t), ute.Value)
	}
	return fmt.Sprintf("must be %s: %s", jsonKind(t), strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind describes the JSON a Go type expects, in a client's terms.
func jsonKind(t reflect.Type) string {
	switch t.String() {
	case "decimal.Decimal":
		return "a decimal number as a string"
	case "time.Time":
		return "an RFC 3339 time"
	case "uuid.UUID":
		return "a UUID"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a " + t.Kind().String()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldName(path string) string {
	if path == "" {
		return "(body)"
	}
	return path
}

// snakeCase turns a Go name into its JSON key: UnitID → unit_id,
// KPIActual → kpi_actual, MonthlyStandard → monthly_standard.
func snakeCase(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
