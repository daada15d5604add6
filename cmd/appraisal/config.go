package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"
)

// Config is the whole configuration of the binary. It is read from flags and
// APPRAISAL_* environment variables here in cmd only, and validated at once.
type Config struct {
	Addr            string        // APPRAISAL_ADDR: where serve listens
	DatabaseURL     string        // APPRAISAL_DATABASE_URL: postgres://... or a SQLite file path
	BootstrapToken  string        // APPRAISAL_BOOTSTRAP_TOKEN: the first HR token of a new installation
	LinkSecret      string        // APPRAISAL_LINK_SECRET: signs customer feedback links
	Bus             string        // APPRAISAL_BUS: gochannel, sql or nats
	NATSURL         string        // APPRAISAL_NATS_URL: with bus nats
	LogLevel        string        // APPRAISAL_LOG_LEVEL: debug, info, warn, error
	LogFormat       string        // APPRAISAL_LOG_FORMAT: text or json
	RequestTimeout  time.Duration // APPRAISAL_REQUEST_TIMEOUT
	ShutdownTimeout time.Duration // APPRAISAL_SHUTDOWN_TIMEOUT
}

// defaultConfig is the embedded default: SQLite in the working directory.
func defaultConfig() Config {
	return Config{
		Addr:            ":8080",
		DatabaseURL:     "./appraisal.db",
		Bus:             "gochannel",
		NATSURL:         "nats://127.0.0.1:4222",
		LogLevel:        "info",
		LogFormat:       "text",
		RequestTimeout:  30 * time.Second,
		ShutdownTimeout: 15 * time.Second,
	}
}

// IsPostgres tells which backend DatabaseURL selects.
func (c Config) IsPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("APPRAISAL_ADDR %q is not host:port", c.Addr))
	}
	if strings.TrimSpace(c.DatabaseURL) == "" {
		errs = append(errs, errors.New("APPRAISAL_DATABASE_URL is empty (use postgres://... or a SQLite file path)"))
	} else if strings.Contains(c.DatabaseURL, "://") && !c.IsPostgres() {
		errs = append(errs, fmt.Errorf("APPRAISAL_DATABASE_URL scheme in %q is not supported (use postgres:// or a SQLite file path)", c.DatabaseURL))
	}
	switch c.Bus {
	case "gochannel", "sql", "nats":
	default:
		errs = append(errs, fmt.Errorf("APPRAISAL_BUS %q is not one of gochannel, sql, nats", c.Bus))
	}
	if c.Bus == "sql" && !c.IsPostgres() {
		errs = append(errs, errors.New("APPRAISAL_BUS=sql needs a PostgreSQL APPRAISAL_DATABASE_URL"))
	}
	if c.Bus == "nats" && !strings.HasPrefix(c.NATSURL, "nats://") {
		errs = append(errs, fmt.Errorf("APPRAISAL_NATS_URL %q must start with nats://", c.NATSURL))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("APPRAISAL_LOG_FORMAT %q is not text or json", c.LogFormat))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("APPRAISAL_REQUEST_TIMEOUT must be positive"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("APPRAISAL_SHUTDOWN_TIMEOUT must be positive"))
	}
	if c.BootstrapToken != "" && len(c.BootstrapToken) < 16 {
		errs = append(errs, errors.New("APPRAISAL_BOOTSTRAP_TOKEN must be at least 16 characters"))
	}
	if c.LinkSecret != "" && len(c.LinkSecret) < 16 {
		errs = append(errs, errors.New("APPRAISAL_LINK_SECRET must be at least 16 characters"))
	}
	return errors.Join(errs...)
}

// flagSet makes a command's flag set with the shared configuration flags
// bound to cfg; each flag's default comes from its APPRAISAL_* variable.
// Problems reading the environment are collected and returned by parse.
type flagSet struct {
	*flag.FlagSet
	envErrs   []error
	allowArgs bool // the command takes positional arguments (bench store, replay ID, ...)
}

func newFlagSet(name, summary string, cfg *Config, stdout io.Writer) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: appraisal %s [flags]\n\n%s\n\nflags:\n", name, summary)
		fs.PrintDefaults()
	}
	fs.stringVar(&cfg.DatabaseURL, "database-url", "APPRAISAL_DATABASE_URL", "postgres://... or a SQLite file path")
	fs.stringVar(&cfg.LogLevel, "log-level", "APPRAISAL_LOG_LEVEL", "debug, info, warn or error")
	fs.stringVar(&cfg.LogFormat, "log-format", "APPRAISAL_LOG_FORMAT", "text or json")
	return fs
}

// serverFlags adds the flags only serve needs.
func (fs *flagSet) serverFlags(cfg *Config) {
	fs.stringVar(&cfg.Addr, "addr", "APPRAISAL_ADDR", "listen address")
	fs.stringVar(&cfg.BootstrapToken, "bootstrap-token", "APPRAISAL_BOOTSTRAP_TOKEN", "first HR token of a new installation (generated and printed once when empty)")
	fs.stringVar(&cfg.LinkSecret, "link-secret", "APPRAISAL_LINK_SECRET", "secret signing customer feedback links (generated and stored when empty)")
	fs.stringVar(&cfg.Bus, "bus", "APPRAISAL_BUS", "event bus: gochannel (in-process), sql (PostgreSQL) or nats (JetStream)")
	fs.stringVar(&cfg.NATSURL, "nats-url", "APPRAISAL_NATS_URL", "NATS server for --bus nats")
	fs.durationVar(&cfg.RequestTimeout, "request-timeout", "APPRAISAL_REQUEST_TIMEOUT", "per-request timeout")
	fs.durationVar(&cfg.ShutdownTimeout, "shutdown-timeout", "APPRAISAL_SHUTDOWN_TIMEOUT", "how long SIGTERM waits for requests to drain")
}

func (fs *flagSet) stringVar(p *string, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		*p = v
	}
	fs.StringVar(p, name, *p, usage+" ("+env+")")
}

func (fs *flagSet) durationVar(p *time.Duration, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			fs.envErrs = append(fs.envErrs, fmt.Errorf("%s %q is not a duration like 30s", env, v))
		} else {
			*p = d
		}
	}
	fs.DurationVar(p, name, *p, usage+" ("+env+")")
}

// parse parses args, then validates cfg, returning every problem at once.
func (fs *flagSet) parse(args []string, cfg *Config) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 && !fs.allowArgs {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return errors.Join(append(fs.envErrs, cfg.Validate())...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("APPRAISAL_LOG_LEVEL %q is not debug, info, warn or error", s)
	}
	return l, nil
}

// newLogger builds the process logger from the configuration.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	level, _ := parseLevel(cfg.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
