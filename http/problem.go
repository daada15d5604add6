package http

import (
	"context"
	"errors"
	"fmt"
	nethttp "net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/cycles"
)

// Problem is an RFC 9457 problem document. Type is a stable URN per kind of
// error so that clients can branch on it without parsing prose.
type Problem struct {
	Type          string         `json:"type"`
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail,omitempty"`
	Instance      string         `json:"instance,omitempty"`
	CorrelationID string         `json:"correlation_id,omitempty"`
	Errors        []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem names one bad field of a request, as a JSON path
// ("scores[2].value") and what is wrong with it.
type FieldProblem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// problemKind is one stable kind of problem: its type URN, title and status.
type problemKind struct {
	slug   string
	title  string
	status int
}

// The kinds of problem the API returns. The slugs are part of the API: never
// rename one.
var (
	kindMalformed          = problemKind{"malformed-request", "The request body is not one well-formed JSON value", nethttp.StatusBadRequest}
	kindValidation         = problemKind{"validation", "The request has invalid fields", nethttp.StatusUnprocessableEntity}
	kindUnauthenticated    = problemKind{"unauthenticated", "A valid bearer token is required", nethttp.StatusUnauthorized}
	kindForbidden          = problemKind{"forbidden", "You may not do this", nethttp.StatusForbidden}
	kindNotFound           = problemKind{"not-found", "No such resource", nethttp.StatusNotFound}
	kindMethodNotAllowed   = problemKind{"method-not-allowed", "Method not allowed on this resource", nethttp.StatusMethodNotAllowed}
	kindConflict           = problemKind{"conflict", "The resource changed or already exists", nethttp.StatusConflict}
	kindWrongState         = problemKind{"wrong-state", "Not allowed in the current state", nethttp.StatusConflict}
	kindBlocked            = problemKind{"blocked", "A business rule blocks this step; act on the reasons first", nethttp.StatusConflict}
	kindPreconditionFailed = problemKind{"precondition-failed", "If-Match does not match the current version", nethttp.StatusPreconditionFailed}
	kindTooLarge           = problemKind{"payload-too-large", "The request body is too large", nethttp.StatusRequestEntityTooLarge}
	kindUnsupportedMedia   = problemKind{"unsupported-media-type", "The request body must be application/json", nethttp.StatusUnsupportedMediaType}
	kindIdempotencyReused  = problemKind{"idempotency-key-reused", "This Idempotency-Key was used for a different request", nethttp.StatusUnprocessableEntity}
	kindLinkInvalid        = problemKind{"link-invalid", "This link is invalid, expired or already used", nethttp.StatusGone}
	kindTimeout            = problemKind{"timeout", "The request took too long", nethttp.StatusServiceUnavailable}
	kindNotReady           = problemKind{"not-ready", "The service is not ready", nethttp.StatusServiceUnavailable}
	kindInternal           = problemKind{"internal", "Internal error", nethttp.StatusInternalServerError}
)

const problemTypePrefix = "urn:appraisal:problem:"

// problemError is an error that already knows its problem kind; handlers and
// middleware in this package return it for failures that originate here.
type problemError struct {
	kind   problemKind
	detail string
	fields []FieldProblem
}

func (e *problemError) Error() string {
	if e.detail != "" {
		return e.kind.slug + ": " + e.detail
	}
	return e.kind.slug
}

func newProblem(kind problemKind, format string, args ...any) *problemError {
	return &problemError{kind: kind, detail: fmt.Sprintf(format, args...)}
}

func fieldsProblem(kind problemKind, fields []FieldProblem) *problemError {
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	return &problemError{kind: kind, detail: fmt.Sprintf("%d invalid field(s)", len(fields)), fields: fields}
}

// problemFor maps any error to its problem. This is the one place where typed
// errors of the domain, the event store and this package become HTTP statuses.
func problemFor(err error) Problem {
	var pe *problemError
	if errors.As(err, &pe) {
		return build(pe.kind, pe.detail, pe.fields)
	}
	if p, ok := ownerProblem(err); ok {
		return p
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case nethttp.StatusNotFound:
			return build(kindNotFound, "", nil)
		case nethttp.StatusMethodNotAllowed:
			return build(kindMethodNotAllowed, "", nil)
		case nethttp.StatusRequestEntityTooLarge:
			return build(kindTooLarge, "", nil)
		case nethttp.StatusUnsupportedMediaType:
			return build(kindUnsupportedMedia, "", nil)
		case nethttp.StatusServiceUnavailable:
			return build(kindTimeout, "", nil)
		}
		if he.Code >= 400 && he.Code < 500 {
			return build(problemKind{"bad-request", nethttp.StatusText(he.Code), he.Code}, fmt.Sprint(he.Message), nil)
		}
	}
	var mbe *nethttp.MaxBytesError
	if errors.As(err, &mbe) {
		return build(kindTooLarge, fmt.Sprintf("at most %d bytes", mbe.Limit), nil)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return build(kindTimeout, "", nil)
	}
	return build(kindInternal, "", nil)
}

// ownerProblem maps the typed errors of the packages this API sits on.
func ownerProblem(err error) (Problem, bool) {
	var (
		ce *eventstore.ConflictError
		ve *domain.ValidationError
		be *domain.BlockedError
		vv *domain.VersionError
	)
	switch {
	case errors.As(err, &vv):
		return build(kindPreconditionFailed, vv.Error(), nil), true
	case errors.As(err, &ve):
		fields := make([]FieldProblem, len(ve.Fields))
		for i, f := range ve.Fields {
			fields[i] = FieldProblem{Field: f.Field, Reason: f.Problem}
		}
		return build(kindValidation, fmt.Sprintf("%d invalid field(s)", len(fields)), fields), true
	case errors.As(err, &be):
		return build(kindBlocked, be.Error(), nil), true
	case errors.Is(err, domain.ErrWrongState):
		return build(kindWrongState, rootMessage(err), nil), true
	case errors.Is(err, domain.ErrForbidden):
		// The domain's message names the action and role only, never the target.
		return build(kindForbidden, rootMessage(err), nil), true
	case errors.Is(err, cycles.ErrBeyondHead):
		return build(kindValidation, "1 invalid field(s)", []FieldProblem{{"as_of", "is beyond what the log holds yet"}}), true
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, projections.ErrNotFound):
		return build(kindNotFound, "", nil), true
	case errors.Is(err, domain.ErrConflict):
		return build(kindConflict, rootMessage(err), nil), true
	case errors.As(err, &ce):
		return build(kindConflict, fmt.Sprintf("the resource is at version %d, not %d; read it again", ce.Actual, ce.Expected), nil), true
	case errors.Is(err, eventstore.ErrDuplicateEvent):
		return build(kindConflict, "already recorded", nil), true
	}
	return Problem{}, false
}

func build(kind problemKind, detail string, fields []FieldProblem) Problem {
	return Problem{Type: problemTypePrefix + kind.slug, Title: kind.title, Status: kind.status, Detail: detail, Errors: fields}
}

// rootMessage is the innermost error's message: the owning package's own
// words, without the wrapping context (stream names, ids) a client must not
// see.
func rootMessage(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil || isSentinel(next) {
			return err.Error()
		}
		err = next
	}
}

func isSentinel(err error) bool {
	for _, s := range []error{domain.ErrWrongState, domain.ErrForbidden, domain.ErrNotFound, domain.ErrConflict, domain.ErrValidation} {
		if err == s {
			return true
		}
	}
	return false
}
