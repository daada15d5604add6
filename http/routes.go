package http

import (
	nethttp "net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// access says how a route authenticates its caller.
type access int

const (
	bearer access = iota // a bearer token (the default)
	public               // no credentials (operations, the OpenAPI document)
	link                 // a customer's signed link in the path
)

// route is one API operation. The table of routes is the single source both
// for echo's router and for the OpenAPI document, so the two cannot drift.
type route struct {
	method  string
	path    string // echo syntax: /api/v1/cycles/:cycle
	summary string
	tag     string
	access  access
	body    any // request body type (a zero value), nil for none
	resp    any // response body type (a zero value), nil for none
	status  int // success status; 0 means 200
	query   []param
	handler echo.HandlerFunc
}

// param is a documented query parameter.
type param struct {
	name, description string
}

func (r route) mutating() bool {
	return r.method != nethttp.MethodGet && r.method != nethttp.MethodHead
}

// table is every route of the service.
func (s *Server) table() []route {
	var rs []route
	rs = append(rs, s.opsRoutes()...)
	rs = append(rs, s.meRoutes()...)
	rs = append(rs, s.readRoutes()...)
	rs = append(rs, s.readModelRoutes()...)
	rs = append(rs, s.orgRoutes()...)
	rs = append(rs, s.cycleRoutes()...)
	rs = append(rs, s.reviewRoutes()...)
	rs = append(rs, s.draftRoutes()...)
	rs = append(rs, s.taskRoutes()...)
	rs = append(rs, s.feedbackRoutes()...)
	return rs
}

func (s *Server) opsRoutes() []route {
	return []route{
		{method: "GET", path: "/healthz", summary: "Liveness: the process answers", tag: "operations", access: public, handler: s.healthz, resp: map[string]string{}},
		{method: "GET", path: "/readyz", summary: "Readiness: database reachable and projections caught up", tag: "operations", access: public, handler: s.readyz, resp: map[string]any{}},
		{method: "GET", path: "/metrics", summary: "Prometheus metrics", tag: "operations", access: public, handler: echo.WrapHandler(promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{}))},
		{method: "GET", path: "/api/v1/openapi.json", summary: "This API's OpenAPI 3 document", tag: "operations", access: public, handler: s.openapi},
	}
}

// routes builds the echo router from the table.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// Recovery sits inside observe so that a panic is still logged and counted.
	e.Use(s.scope, s.observe, middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	for _, r := range s.table() {
		var mw []echo.MiddlewareFunc
		switch r.access {
		case bearer:
			mw = append(mw, s.auth.bearer)
		case link:
			mw = append(mw, s.linkAuth)
		}
		if r.mutating() {
			mw = append(mw, s.idem.middleware)
		}
		// The route's middlewares are applied here, once, in the order echo
		// applies them (the first outermost): echo's own route middlewares
		// are applied anew on every request, a closure per middleware per
		// request.
		h := r.handler
		for i := len(mw) - 1; i >= 0; i-- {
			h = mw[i](h)
		}
		e.Add(r.method, r.path, h)
	}
	return e
}
