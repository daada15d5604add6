// Package deadlines acts on the calendar where SPEC §2 lets time move a
// cycle: once a cycle's goals deadline day has passed, self-review starts
// "automatically at the date", written by the service itself (SystemActor).
//
// The scheduler finds candidates in the cycles read model and leaves the
// decision to the domain, which checks the state and the deadline again
// against the cycle's own stream: a stale read model, a clock skew or two
// processes ticking at once can at worst cause a refused command, never an
// early or duplicate transition.
package deadlines

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/projections/cycles"
)

// Cycles lists every cycle as the read model has it (cycles.Reader).
type Cycles interface {
	Cycles(ctx context.Context) ([]cycles.Summary, error)
}

// Starter starts a cycle's self-review (domain.Service).
type Starter interface {
	StartSelfReview(ctx context.Context, call domain.Call, id uuid.UUID) (domain.Outcome, error)
}

// DefaultInterval is how often Run looks at the calendar. Deadlines are whole
// days, so a minute is prompt enough and costs one read-model query.
const DefaultInterval = time.Minute

// Scheduler moves cycles on when their deadlines pass.
type Scheduler struct {
	cycles  Cycles
	starter Starter
	logger  *slog.Logger
}

// New returns a scheduler over the read model and the domain service.
func New(c Cycles, s Starter, logger *slog.Logger) *Scheduler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{cycles: c, starter: s, logger: logger}
}

// Tick starts self-review in every goal-setting cycle whose goals are overdue
// at now and returns the cycles it moved. A cycle the domain refuses (it has
// moved on, or its deadline changed since the read model saw it: a
// BlockedError, which is a wrong-state error) is skipped.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) ([]uuid.UUID, error) {
	all, err := s.cycles.Cycles(ctx)
	if err != nil {
		return nil, err
	}
	var started []uuid.UUID
	for _, c := range all {
		if c.State != domain.StateGoalSetting || !domain.GoalsOverdue(c.Deadlines, now) {
			continue
		}
		call := domain.Call{Actor: domain.SystemActor, CorrelationID: uuid.New(), CausationID: uuid.New()}
		switch _, err := s.starter.StartSelfReview(ctx, call, c.CycleID); {
		case err == nil:
			s.logger.Info("self-review started: goals overdue", "cycle", c.CycleID, "goals_due", c.Deadlines.GoalsDue)
			started = append(started, c.CycleID)
		case errors.Is(err, domain.ErrWrongState), errors.Is(err, domain.ErrConflict):
			s.logger.Debug("self-review not started", "cycle", c.CycleID, "err", err)
		default:
			return started, err
		}
	}
	return started, nil
}

// Run ticks every interval until ctx ends. A failed tick is logged and
// retried at the next one: the calendar does not stop for a database blip.
func (s *Scheduler) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx, time.Now()); err != nil && ctx.Err() == nil {
			s.logger.Warn("deadline tick failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
