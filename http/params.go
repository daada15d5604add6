package http

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/projections/cycles"
)

// etag renders a stream version as a strong ETag.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// setVersion sets the ETag (the stream version) and X-Position (the global
// position to pass as ?min_position= to read one's own write). Every command
// answers with both, so they are built together: one string holds the two
// values and one slice backs the two headers, set under the keys net/http
// writes ("ETag" is canonically "Etag"), instead of a string, a slice and a
// canonicalised key each. Each header gets a slice of capacity one, so an
// Add to either cannot write into the other.
func setVersion(c echo.Context, version, position int64) {
	h := c.Response().Header()
	var room [48]byte
	b := strconv.AppendInt(append(room[:0], '"'), version, 10)
	b = append(b, '"')
	n := len(b)
	if position > 0 {
		b = strconv.AppendInt(b, position, 10)
	}
	both := string(b)
	values := make([]string, 2)
	values[0], values[1] = both[:n], both[n:]
	h[headerETag] = values[0:1:1]
	if position > 0 {
		h[headerPosition] = values[1:2:2]
	}
}

// The canonical forms of the headers setVersion sets.
const (
	headerETag     = "Etag"
	headerPosition = "X-Position"
)

// ifMatch reads If-Match: the stream version a change is based on. Absent or
// "*" means "any version" (0, which the service does not check).
func ifMatch(c echo.Context) (int64, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v < 0 {
		return 0, fieldsProblem(kindValidation, []FieldProblem{{"If-Match", `must be an ETag this API returned, like "3"`}})
	}
	return v, nil
}

// asOf reads ?as_of=: a positive integer position or an RFC 3339 time.
func asOf(c echo.Context) (cycles.AsOf, error) {
	v := c.QueryParam("as_of")
	if v == "" {
		return cycles.AsOf{}, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return cycles.AsOf{Position: n}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return cycles.AsOf{Time: t}, nil
	}
	return cycles.AsOf{}, fieldsProblem(kindValidation, []FieldProblem{{"as_of", "must be a positive event position or an RFC 3339 time"}})
}

// minPosition reads ?min_position=, the position a read must reflect.
func minPosition(c echo.Context) (int64, error) {
	v := c.QueryParam("min_position")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fieldsProblem(kindValidation, []FieldProblem{{"min_position", "must be a non-negative event position"}})
	}
	return n, nil
}

// pathID reads a UUID path parameter; a malformed id is simply not found,
// like any id the caller may not see.
func pathID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, newProblem(kindNotFound, "")
	}
	return id, nil
}

var (
	queryAsOf        = param{"as_of", "read as of an event position or an RFC 3339 time"}
	queryMinPosition = param{"min_position", "wait until the read model reflects this position (read your own write)"}
)
