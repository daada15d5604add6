package http

import (
	"context"
	nethttp "net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
)

// Written is what every command answers: where its events landed. Version is
// also the ETag; pass Position as ?min_position= to read your own write.
type Written struct {
	ID       uuid.UUID `json:"id,omitzero"` // what the command created, when it created something
	Stream   string    `json:"stream"`
	Version  int64     `json:"version"`
	Position int64     `json:"position"`
}

// actorFor is the domain actor a caller acts as on a route. HR and auditor
// tokens always act in their office; a person's token acts in the capacity
// the route is for (employee, manager, unit head, peer), and the domain then
// checks that the person really holds that relationship to the target.
// A person never acts in an office (HR, auditor) or as a customer, whatever
// the route asks.
func actorFor(p principal, capacity domain.Role) domain.Actor {
	if p.Role == domain.RoleEmployee && personCapacity(capacity) {
		return domain.Actor{ID: p.ID, Role: capacity}
	}
	return domain.Actor{ID: p.ID, Role: p.Role}
}

// personCapacity: the relationships a person's token may act in.
func personCapacity(r domain.Role) bool {
	switch r {
	case domain.RoleEmployee, domain.RoleManager, domain.RoleUnitHead, domain.RolePeer:
		return true
	}
	return false
}

// call describes the request to the application service: actor,
// correlation id and the If-Match version.
func (s *Server) call(c echo.Context, capacity domain.Role) (domain.Call, error) {
	p, ok := principalOf(c)
	if !ok {
		return domain.Call{}, newProblem(kindUnauthenticated, "")
	}
	v, err := ifMatch(c)
	if err != nil {
		return domain.Call{}, err
	}
	return domain.Call{Actor: actorFor(p, capacity), CorrelationID: correlationID(c.Request().Context()), IfVersion: v}, nil
}

// runner runs one service command with the decoded body.
type runner[B any] func(ctx context.Context, call domain.Call, c echo.Context, body *B) (Written, error)

// wrote turns a service outcome into the answer.
func wrote(out domain.Outcome, err error) (Written, error) {
	if err != nil {
		return Written{}, err
	}
	return Written{Stream: out.Stream, Version: out.Version, Position: out.Position}, nil
}

// wroteID is wrote for a command that created id.
func wroteID(id uuid.UUID) func(domain.Outcome, error) (Written, error) {
	return func(out domain.Outcome, err error) (Written, error) {
		w, err := wrote(out, err)
		w.ID = id
		return w, err
	}
}

// orNew returns id, or a fresh one when the client left it out: clients may
// name what they create (safe retries without Idempotency-Key) or let the
// server do it.
func orNew(id *uuid.UUID) uuid.UUID {
	if *id == uuid.Nil {
		*id = uuid.New()
	}
	return *id
}

// command makes the handler of a command with a JSON body: decode strictly,
// build the call, run, answer with ETag and X-Position.
func command[B any](s *Server, capacity domain.Role, status int, run runner[B]) echo.HandlerFunc {
	return func(c echo.Context) error {
		var body B
		if err := decodeJSON(c.Request(), &body); err != nil {
			return err
		}
		return execute(s, c, capacity, status, &body, run)
	}
}

// action makes the handler of a command without a body (a transition).
func action(s *Server, capacity domain.Role, run runner[struct{}]) echo.HandlerFunc {
	return func(c echo.Context) error {
		return execute(s, c, capacity, nethttp.StatusOK, &struct{}{}, run)
	}
}

func execute[B any](s *Server, c echo.Context, capacity domain.Role, status int, body *B, run runner[B]) error {
	call, err := s.call(c, capacity)
	if err != nil {
		return err
	}
	w, err := run(c.Request().Context(), call, c, body)
	if err != nil {
		return err
	}
	setVersion(c, w.Version, w.Position)
	return answerWritten(c, status, w)
}

// answerWritten is c.JSON(status, w), byte for byte, without reflection or
// a parse of the query: every command answers with a Written, so it is
// written out by hand. A request that might ask for indented JSON (echo's
// debug mode, or any query, which could hold ?pretty), a stream name that
// encoding/json would escape, and an echo whose JSON serializer is not its
// default take c.JSON itself.
func answerWritten(c echo.Context, status int, w Written) error {
	e := c.Echo()
	if _, std := e.JSONSerializer.(*echo.DefaultJSONSerializer); !std || e.Debug || c.Request().URL.RawQuery != "" || !plainJSONText(w.Stream) {
		return c.JSON(status, w)
	}
	var room [160]byte
	b := append(room[:0], '{')
	if w.ID != uuid.Nil {
		b = append(b, `"id":"`...)
		b = append(b, w.ID.String()...)
		b = append(b, `",`...)
	}
	b = append(b, `"stream":"`...)
	b = append(b, w.Stream...)
	b = append(b, `","version":`...)
	b = strconv.AppendInt(b, w.Version, 10)
	b = append(b, `,"position":`...)
	b = strconv.AppendInt(b, w.Position, 10)
	b = append(b, "}\n"...) // json.Encoder ends each value with a newline
	r := c.Response()
	if r.Header().Get(echo.HeaderContentType) == "" {
		r.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	r.Status = status
	_, err := r.Write(b)
	return err
}

// plainJSONText: s is encoded by encoding/json (escaping HTML, as echo's
// encoder does) as it is, between quotes.
func plainJSONText(s string) bool {
	for i := range len(s) {
		switch c := s[i]; {
		case c < ' ', c >= utf8RuneSelf, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
