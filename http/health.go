package http

import (
	nethttp "net/http"

	"github.com/labstack/echo/v4"
)

// healthz says the process is up; it touches nothing.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(nethttp.StatusOK, map[string]string{"status": "ok"})
}

// readyz says the service can take traffic: the database answers and every
// projection is within ReadyMaxLag events of the head.
func (s *Server) readyz(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.deps.DB.PingContext(ctx); err != nil {
		return newProblem(kindNotReady, "database unreachable")
	}
	head, err := s.deps.Store.Head(ctx)
	if err != nil {
		return newProblem(kindNotReady, "event store unreachable")
	}
	lags := map[string]int64{}
	if s.deps.Views != nil {
		if lags, err = s.deps.Views.Runner.Lag(ctx); err != nil {
			return newProblem(kindNotReady, "projection state unreadable")
		}
	}
	for name, lag := range lags {
		if lag > s.cfg.ReadyMaxLag {
			return newProblem(kindNotReady, "projection %s is %d events behind (bound %d)", name, lag, s.cfg.ReadyMaxLag)
		}
	}
	return c.JSON(nethttp.StatusOK, map[string]any{"status": "ready", "head": head, "projection_lag": lags})
}
