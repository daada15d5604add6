package http

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	nethttp "net/http"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections/readside"
)

// Config holds the server's tunables; cmd fills it from flags and APPRAISAL_*.
type Config struct {
	RequestTimeout  time.Duration // each request's context deadline
	MaxBodyBytes    int64         // larger bodies get 413
	ReadyMaxLag     int64         // /readyz fails while a projection is further behind than this
	ReadWaitTimeout time.Duration // how long a read waits for ?min_position= before 503
	LinkTTL         time.Duration // lifetime of a customer feedback link
	LinkSecret      string        // signs customer links; empty: generated once and stored
	BootstrapToken  string        // the first HR token; empty: generated and printed once
}

// DefaultConfig is a sensible production configuration.
func DefaultConfig() Config {
	return Config{
		RequestTimeout:  30 * time.Second,
		MaxBodyBytes:    256 << 10,
		ReadyMaxLag:     1000,
		ReadWaitTimeout: 5 * time.Second,
		LinkTTL:         14 * 24 * time.Hour,
	}
}

// Validate lists every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("request timeout must be positive"))
	}
	if c.MaxBodyBytes <= 0 {
		errs = append(errs, errors.New("max body bytes must be positive"))
	}
	if c.ReadWaitTimeout <= 0 || c.ReadWaitTimeout > c.RequestTimeout {
		errs = append(errs, errors.New("read wait timeout must be positive and at most the request timeout"))
	}
	if c.LinkTTL <= 0 {
		errs = append(errs, errors.New("link lifetime must be positive"))
	}
	return errors.Join(errs...)
}

// Deps are what the server is built on; cmd wires them.
type Deps struct {
	Store    eventstore.Store   // the event log: readiness, verification, counts
	DB       *sql.DB            // the API's own tables: tokens, idempotency keys, links
	App      *domain.Service    // the application service: every command, results, replay
	Views    *readside.ReadSide // read models, timelines, WaitFor, projection lag
	Logger   *slog.Logger
	Registry *prometheus.Registry // nil: a private registry
	Now      func() time.Time     // nil: time.Now
}

// Server is the HTTP API. Build it with New, run it with Serve.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	echo    *echo.Echo
	metrics *metrics
	auth    *authenticator
	links   *linkSigner
	idem    *idempotency
	// inFlight counts requests being handled, so that a drain that times
	// out can tell requests cut off from connections that never sent one.
	inFlight atomic.Int64
}

// New builds the server; it loads the customer-link secret, generating and
// storing one on first start when Config.LinkSecret is empty. The bootstrap
// HR token is EnsureBootstrapToken's business, called by cmd.
func New(ctx context.Context, cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("http config: %w", err)
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger}
	var err error
	if s.metrics, err = newMetrics(deps.Registry); err != nil {
		return nil, err
	}
	if s.links, err = newLinkSigner(ctx, deps.DB, cfg.LinkSecret, deps.Now); err != nil {
		return nil, err
	}
	s.auth = &authenticator{db: deps.DB, now: deps.Now, left: func(ctx context.Context, id uuid.UUID) (bool, error) {
		org, _, err := deps.App.Organisation(ctx)
		if err != nil {
			return false, err
		}
		e, ok := org.Employee(id)
		return ok && !e.Active, nil
	}}
	s.idem = &idempotency{db: deps.DB, now: deps.Now, stale: cfg.RequestTimeout}
	s.echo = s.routes()
	return s, nil
}

// Handler is the server as a plain net/http handler (tests, embedding).
func (s *Server) Handler() nethttp.Handler { return s.echo }

// Serve answers on ln until ctx ends, then drains in-flight requests for at
// most drain before returning.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	srv := &nethttp.Server{
		Handler: nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
			s.inFlight.Add(1)
			defer s.inFlight.Add(-1)
			s.echo.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.RequestTimeout,
		WriteTimeout:      s.cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("draining requests", "timeout", drain)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Shutdown counts a connection that has sent nothing yet as busy
		// for its first 5 s (a request may be on its way), so a drain that
		// short can time out with no request running: a client's spare
		// keep-alive connection. Those are closed; requests cut off are an
		// error.
		n := s.inFlight.Load()
		srv.Close()
		if n > 0 {
			return fmt.Errorf("shutdown: %d requests still running after %s: %w", n, drain, err)
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
