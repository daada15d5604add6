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
	decodeValue(raw, reflect.ValueOf(dst).Elem(), "", &fields)
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

// decodeValue decodes raw into v, recursing into plain structs and slices so
// that every bad field is found, not just the first.
func decodeValue(raw json.RawMessage, v reflect.Value, path string, fields *[]FieldProblem) {
	t := v.Type()
	switch {
	case isPlainStruct(t):
		decodeStruct(raw, v, path, fields)
	case t.Kind() == reflect.Slice && isPlainStruct(t.Elem()):
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			*fields = append(*fields, FieldProblem{fieldName(path), "must be an array"})
			return
		}
		if items == nil {
			return
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			decodeValue(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), fields)
		}
		v.Set(s)
	default:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			*fields = append(*fields, FieldProblem{fieldName(path), typeReason(t, err)})
		}
	}
}

func decodeStruct(raw json.RawMessage, v reflect.Value, path string, fields *[]FieldProblem) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		*fields = append(*fields, FieldProblem{fieldName(path), "must be an object"})
		return
	}
	known := jsonFields(v.Type())
	for key, val := range obj {
		idx, ok := known[key]
		if !ok {
			*fields = append(*fields, FieldProblem{join(path, key), "unknown field"})
			continue
		}
		decodeValue(val, v.Field(idx), join(path, key), fields)
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
