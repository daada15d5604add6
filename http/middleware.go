package http

import (
	"context"
	"log/slog"
	nethttp "net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

const headerCorrelation = "X-Correlation-ID"

// unmatchedRoute is the route label of requests no route matched.
const unmatchedRoute = "unmatched"

// correlationKeyCanonical is headerCorrelation as net/http keys it (and
// writes it): the header map is read and set under it directly, since
// canonicalising "X-Correlation-ID" on every Get and Set allocated a string.
const correlationKeyCanonical = "X-Correlation-Id"

type ctxKey int

const correlationKey ctxKey = iota

// correlationNamespace turns a client's non-UUID correlation id into a stable
// UUID, since events carry correlation ids as UUIDs.
var correlationNamespace = uuid.MustParse("5b0c7f7e-4a55-4f43-9f0d-6a1d8b0b7a31")

// scope gives every request, before anything else runs, its correlation
// id and its limits:
//
//   - the correlation id is the client's X-Correlation-ID when it sends
//     one, else a new one. It is echoed back, put on every log line and on
//     every event the request appends;
//   - the limits are a context deadline and a maximum body size.
//
// The two were middlewares of their own (the limits inside observe and
// recovery), each copying the request to give it a new context; one copy
// does for both.
func (s *Server) scope(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		id := correlationFrom(headerValue(r.Header, correlationKeyCanonical))
		c.Response().Header()[correlationKeyCanonical] = []string{id.String()}
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), correlationKey, id), s.cfg.RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		if r.Body != nil {
			r.Body = nethttp.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBodyBytes)
		}
		c.SetRequest(r)
		return next(c)
	}
}

// headerValue is h.Get(key) for a key already canonical.
func headerValue(h nethttp.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func correlationFrom(given string) uuid.UUID {
	if given == "" || len(given) > 200 {
		return uuid.New()
	}
	if id, err := uuid.Parse(given); err == nil {
		return id
	}
	return uuid.NewSHA1(correlationNamespace, []byte(given))
}

// correlationID is the request's correlation id (nil UUID outside a request).
func correlationID(ctx context.Context) uuid.UUID {
	id, _ := ctx.Value(correlationKey).(uuid.UUID)
	return id
}

// observe logs every request with its correlation id and records its latency.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = unmatchedRoute
		}
		elapsed := time.Since(start)
		s.metrics.request(c.Request().Method, route, status).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		if !s.log.Enabled(c.Request().Context(), level) {
			return nil
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("duration", elapsed),
			slog.String("correlation_id", correlationID(c.Request().Context()).String()),
		}
		if p, ok := principalOf(c); ok {
			attrs = append(attrs, slog.String("actor", p.ID.String()), slog.String("role", string(p.Role)))
		}
		if err != nil && status >= 500 {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
		return nil
	}
}

// handleError writes any error as application/problem+json.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := problemFor(err)
	p.Instance = c.Request().URL.Path
	p.CorrelationID = correlationID(c.Request().Context()).String()
	if p.Status == nethttp.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="appraisal"`)
	}
	writeProblem(c, p)
}

func writeProblem(c echo.Context, p Problem) {
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	_ = jsonEncode(c.Response(), p)
}
