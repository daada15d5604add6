package http

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	nethttp "net/http"
	"reflect"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
)

// openapiJSON is the committed OpenAPI document. It is generated from the
// route table (code first); TestOpenAPIDocument fails when the committed file
// differs from what the table generates, and rewrites it with -update.
//
//go:embed openapi.json
var openapiJSON []byte

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(nethttp.StatusOK, echo.MIMEApplicationJSON, openapiJSON)
}

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// openapiPath turns /cycles/:cycle into /cycles/{cycle}.
func openapiPath(p string) string { return echoParam.ReplaceAllString(p, "{$1}") }

// generateOpenAPI renders the OpenAPI 3.1 document of a route table.
func generateOpenAPI(routes []route) ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, r := range routes {
		p := openapiPath(r.path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.method)] = g.operation(r)
	}
	g.defs["Problem"] = g.schema(reflect.TypeFor[Problem]())
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Appraisal API",
			"version":     "1",
			"description": "Event-sourced performance appraisal. Errors are application/problem+json (RFC 9457) with a stable type URN. Decimals are JSON strings. Mutating requests accept Idempotency-Key; ETag carries the stream version and If-Match is honoured.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode OpenAPI document: %w", err)
	}
	return buf.Bytes(), nil
}

type schemaGen struct{ defs map[string]any }

func (g *schemaGen) operation(r route) map[string]any {
	op := map[string]any{"summary": r.summary, "tags": []string{r.tag}, "operationId": operationID(r)}
	var params []any
	for _, m := range echoParam.FindAllStringSubmatch(r.path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range r.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.description, "schema": map[string]any{"type": "string"}})
	}
	if r.mutating() {
		params = append(params,
			map[string]any{"name": headerIdempotencyKey, "in": "header", "description": "retries with the same key return the first response and append nothing", "schema": map[string]any{"type": "string", "maxLength": 200}},
			map[string]any{"name": "If-Match", "in": "header", "description": "the ETag (stream version) the change is based on; 412 when stale", "schema": map[string]any{"type": "string"}})
	}
	if params != nil {
		op["parameters"] = params
	}
	switch r.access {
	case bearer:
		op["security"] = []any{map[string]any{"bearer": []string{}}}
	case public, link:
		op["security"] = []any{}
	}
	if r.body != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.body))}}}
	}
	status := r.status
	if status == 0 {
		status = nethttp.StatusOK
	}
	ok := map[string]any{"description": nethttp.StatusText(status)}
	if r.resp != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.resp))}}
	}
	problem := map[string]any{"description": "a problem (RFC 9457)", "content": map[string]any{
		"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	op["responses"] = map[string]any{fmt.Sprint(status): ok, "default": problem}
	return op
}

func operationID(r route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.method))
	for _, part := range strings.FieldsFunc(r.path, func(c rune) bool { return c == '/' || c == '_' || c == '.' || c == '-' }) {
		if part == "api" || part == "v1" {
			continue
		}
		part = strings.TrimPrefix(part, ":")
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// schema describes a Go type as JSON Schema, naming structs in components.
func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch t.String() {
	case "decimal.Decimal":
		return map[string]any{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": "decimal number as a string"}
	case "time.Time":
		return map[string]any{"type": "string", "format": "date-time"}
	case "uuid.UUID":
		return map[string]any{"type": "string", "format": "uuid"}
	case "json.RawMessage":
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		return g.structRef(t)
	}
	return map[string]any{}
}

func (g *schemaGen) structRef(t reflect.Type) map[string]any {
	name := schemaName(t)
	ref := map[string]any{"$ref": "#/components/schemas/" + name}
	if _, done := g.defs[name]; done {
		return ref
	}
	g.defs[name] = map[string]any{} // placeholder against recursion
	props := map[string]any{}
	g.properties(t, props)
	g.defs[name] = map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	return ref
}

// properties collects a struct's JSON properties; the fields of an embedded
// struct are promoted, as encoding/json does.
func (g *schemaGen) properties(t reflect.Type, props map[string]any) {
	for key, i := range jsonFields(t) {
		f := t.Field(i)
		if _, tagged := f.Tag.Lookup("json"); f.Anonymous && !tagged && f.Type.Kind() == reflect.Struct {
			g.properties(f.Type, props)
			continue
		}
		props[key] = g.schema(f.Type)
	}
}

// schemaName names a struct by package and type ("domain.Goal"), stable across
// builds.
func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	if name == "" {
		name = "Anonymous"
	}
	if pkg == "http" {
		return name
	}
	return pkg + "." + name
}
