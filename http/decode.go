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
)

// decodeJSON reads the request body into dst strictly: the body must be one
// JSON object, every key must be a field of dst, and every value must fit its
// field's type. All bad fields are reported together, each with its path, so
// that a client can fix a form in one round trip.
func decodeJSON(r *nethttp.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return newProblem(kindUnsupportedMedia, "got %q", ct)
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	return decodeBytes(body, dst)
}

// decodeBytes is decodeJSON on bytes already read; the fuzz test drives it.
func decodeBytes(body []byte, dst any) error {
	raw := json.RawMessage(body)
	if !json.Valid(body) {
		// Not exactly one JSON value: the decoder says what is wrong.
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&raw); err != nil {
			return newProblem(kindMalformed, "%s", syntaxDetail(err))
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return newProblem(kindMalformed, "the body holds more than one JSON value")
		}
	}
	var fields []FieldProblem
	decodeValue(raw, reflect.ValueOf(dst).Elem(), nil, &fields)
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
// each key once (its last value, as decoding into a map keeps).
func objectMembers(raw json.RawMessage) ([]member, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, errNotKind
	}
	var out []member
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] != '}' {
		end := stringEnd(raw, i)
		key, err := unquoteKey(raw[i:end])
		if err != nil {
			return nil, err
		}
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // past ':'
		end = valueEnd(raw, i)
		value := raw[i:end:end]
		if j := indexOfKey(out, key); j >= 0 {
			out[j].value = value
		} else {
			out = append(out, member{key, value})
		}
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
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

// arrayItems splits a valid JSON array into its items; null is no items (a
// nil slice, as decoding null into a slice gives).
func arrayItems(raw json.RawMessage) ([]json.RawMessage, error) {
	i := skipSpace(raw, 0)
	if bytes.HasPrefix(raw[i:], []byte("null")) {
		return nil, nil
	}
	if i >= len(raw) || raw[i] != '[' {
		return nil, errNotKind
	}
	items := []json.RawMessage{}
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] != ']' {
		end := valueEnd(raw, i)
		items = append(items, raw[i:end:end])
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
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

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index just past the string that opens at b[i].
func stringEnd(b []byte, i int) int {
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

// valueEnd is the index just past the (valid) JSON value that begins at
// b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
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
	return i
}

// fieldPath is where a value sits in the body: a key of its parent object,
// or an index of its parent array. It is spelled out ("scores[1].score")
// only for a field with a problem, not for every value decoded.
type fieldPath struct {
	parent *fieldPath
	item   bool   // an array item: index, else key
	key    []byte // unescaped
	index  int
}

// String is the path as problems name it ("" for the body itself).
func (p *fieldPath) String() string {
	if p == nil {
		return ""
	}
	if p.item {
		return fmt.Sprintf("%s[%d]", p.parent.String(), p.index)
	}
	return join(p.parent.String(), string(p.key))
}

// problem is the FieldProblem of the value at p.
func (p *fieldPath) problem(reason string) FieldProblem {
	return FieldProblem{fieldName(p.String()), reason}
}

// decodeValue decodes raw into v, recursing into plain structs and slices so
// that every bad field is found, not just the first.
func decodeValue(raw json.RawMessage, v reflect.Value, path *fieldPath, fields *[]FieldProblem) {
	t := v.Type()
	switch {
	case isPlainStruct(t):
		decodeStruct(raw, v, path, fields)
	case t.Kind() == reflect.Slice && isPlainStruct(t.Elem()):
		items, err := arrayItems(raw)
		if err != nil {
			*fields = append(*fields, path.problem("must be an array"))
			return
		}
		if items == nil {
			return
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			decodeValue(item, s.Index(i), &fieldPath{parent: path, item: true, index: i}, fields)
		}
		v.Set(s)
	default:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			*fields = append(*fields, path.problem(typeReason(t, err)))
		}
	}
}

func decodeStruct(raw json.RawMessage, v reflect.Value, path *fieldPath, fields *[]FieldProblem) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return
	}
	obj, err := objectMembers(raw)
	if err != nil {
		*fields = append(*fields, path.problem("must be an object"))
		return
	}
	known := jsonFields(v.Type())
	for _, m := range obj {
		at := &fieldPath{parent: path, key: m.key}
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
