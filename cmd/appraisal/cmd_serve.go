package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/appraisal-hr/appraisal/domain"
	apphttp "github.com/appraisal-hr/appraisal/http"
	"github.com/appraisal-hr/appraisal/projections/deadlines"
	"github.com/appraisal-hr/appraisal/projections/eventlog"
	"github.com/appraisal-hr/appraisal/projections/readside"
	"github.com/appraisal-hr/appraisal/projections/relay"
)

// runServe is the start-up sequence of DESIGN.md: open → ping with retry →
// migrate (openStore) → bootstrap credentials → start projections and the
// relay and the deadline scheduler → serve; SIGTERM (ctx) drains requests, then stops the background
// work.
func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := defaultConfig()
	fs := newFlagSet("serve", "Run the Appraisal HTTP service.", &cfg, stdout)
	fs.serverFlags(&cfg)
	demo := fs.Bool("demo", false, "seed a demo company on an empty database and print tokens to try it with")
	if err := fs.parse(args, &cfg); err != nil {
		return err
	}
	logger := newLogger(cfg, os.Stderr)
	a, err := newApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.close()

	token, created, err := apphttp.EnsureBootstrapToken(ctx, a.db, cfg.BootstrapToken, time.Now())
	if err != nil {
		return err
	}
	if created && cfg.BootstrapToken == "" {
		// Shown once: the database remembers that it was issued.
		fmt.Fprintf(stdout, "bootstrap HR token (shown only this once):\n  %s\n", token)
	}
	if *demo {
		if err := seedDemo(ctx, a, stdout); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	// The read side outlives the listener by the drain, so requests still
	// in flight can wait for their own writes to be projected.
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	readErr := make(chan error, 1)
	go func() { readErr <- a.runReadSide(bg) }()
	schedErr := make(chan error, 1)
	go func() {
		schedErr <- deadlines.New(a.read.Reader, a.service, logger).Run(bg, deadlines.DefaultInterval)
	}()
	err = listenAndServe(ctx, cfg, a.server, logger)
	stop()
	return errors.Join(err, <-readErr, <-schedErr)
}

// app is everything serve composes: the store, the API's tables, the
// application service, the read side (projections, index, relay) and the
// HTTP server.
type app struct {
	store   *openedStore
	db      *sql.DB
	service *domain.Service
	read    *readside.ReadSide
	server  *apphttp.Server
	logger  *slog.Logger
}

// newApp opens and migrates the store and wires the rest around it.
func newApp(ctx context.Context, cfg Config, logger *slog.Logger) (*app, error) {
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	a := &app{store: store, logger: logger}
	if err := a.wire(ctx, cfg); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) wire(ctx context.Context, cfg Config) error {
	var err error
	if a.db, err = apphttp.OpenDB(ctx, a.store.Store); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	counted, err := apphttp.InstrumentStore(a.store.Store, reg)
	if err != nil {
		return err
	}
	a.service = domain.NewService(eventlog.New(counted))
	a.read, err = readside.New(ctx, a.store.Store, readside.Config{Bus: relay.BusConfig{Kind: cfg.Bus, NATSURL: cfg.NATSURL}, Logger: a.logger})
	if err != nil {
		return err
	}
	reg.MustRegister(a.read.Runner.Collector())
	if a.store.Postgres != nil {
		// Appends queued for the writer and the age of the append holding
		// the schema's append lock: what a slow append holding others back
		// looks like.
		reg.MustRegister(a.store.Postgres.Collector())
	}
	hcfg := apphttp.DefaultConfig()
	hcfg.RequestTimeout = cfg.RequestTimeout
	hcfg.ReadWaitTimeout = min(hcfg.ReadWaitTimeout, cfg.RequestTimeout)
	hcfg.LinkSecret = cfg.LinkSecret
	a.server, err = apphttp.New(ctx, hcfg, apphttp.Deps{Store: a.store, DB: a.db, App: a.service, Views: a.read, Logger: a.logger, Registry: reg})
	return err
}

// runReadSide follows the store until ctx ends.
func (a *app) runReadSide(ctx context.Context) error {
	if err := a.read.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("read side: %w", err)
	}
	return nil
}

func (a *app) close() {
	if a.read != nil {
		_ = a.read.Close()
	}
	_ = a.store.Close()
}

func listenAndServe(ctx context.Context, cfg Config, srv *apphttp.Server, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	logger.Info("serving", "addr", ln.Addr().String(), "database", redact(cfg))
	return srv.Serve(ctx, ln, cfg.ShutdownTimeout)
}

// redact hides a PostgreSQL password in logs.
func redact(cfg Config) string {
	if !cfg.IsPostgres() {
		return cfg.DatabaseURL
	}
	if u, err := url.Parse(cfg.DatabaseURL); err == nil {
		return u.Redacted()
	}
	return "postgres://…"
}
