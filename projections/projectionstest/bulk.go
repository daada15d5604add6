package projectionstest

import (
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
)

// Bulk generation writes the events the service's commands would write,
// straight to the store in large appends and from several writers, so that
// a 10,000-employee cycle is built in seconds for benchmarks. Cycle-level
// steps (open, state changes, sign-offs, publication with its decision)
// still go through the service.

// bulkWriters is how many goroutines append review streams at once.
const bulkWriters = 8

// bulkHireBatch is how many hires one append to the organisation carries.
const bulkHireBatch = 1000

// hireBulk hires every unit's specialists.
func (s *Scenario) hireBulk() {
	var batch []domain.Event
	flush := func() {
		if len(batch) > 0 {
			s.appendDirect(domain.OrganisationStream, batch)
			batch = nil
		}
	}
	for u, unit := range s.Units {
		for i, id := range unit.Members {
			batch = append(batch, domain.EmployeeHired{EmployeeID: id, Name: fmt.Sprintf("Specialist %d.%d", u+1, i+1),
				UnitID: unit.ID, ManagerID: unit.Manager, LevelID: s.Levels["specialist"]})
			if len(batch) == bulkHireBatch {
				flush()
			}
		}
	}
	flush()
}

// appendDirect appends domain events to a stream as the service would, by
// HR, at the scenario's clock.
func (s *Scenario) appendDirect(stream string, events []domain.Event) int64 {
	pos, err := s.Log.Append(s.Ctx, stream, eventstore.AnyVersion, events,
		domain.Meta{Actor: s.HR, CorrelationID: uuid.New(), CausationID: uuid.New(), At: s.Now})
	if err != nil {
		s.T.Fatalf("bulk append to %s: %v", stream, err)
	}
	return pos
}

// everyEmployee runs fn for every employee in scope on bulkWriters
// goroutines; fn returns the events of the employee's review stream.
func (s *Scenario) everyEmployee(fn func(u, i int, emp uuid.UUID) []domain.Event) {
	type job struct {
		u, i int
		emp  uuid.UUID
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range bulkWriters {
		wg.Go(func() {
			for j := range jobs {
				s.appendDirect(domain.ReviewStream(s.Cycle, j.emp), fn(j.u, j.i, j.emp))
			}
		})
	}
	for u, unit := range s.Units {
		jobs <- job{u, -1, unit.Manager}
		for i, m := range unit.Members {
			jobs <- job{u, i, m}
		}
	}
	close(jobs)
	wg.Wait()
}

// reviewBulk is Review written directly: KPI targets in goal setting, self
// evaluations in self-review, then manager, peer and customer evaluations
// with KPI actuals in review (no peer assignments or customer requests:
// the engine does not read them).
func (s *Scenario) reviewBulk() {
	s.everyEmployee(func(_, _ int, emp uuid.UUID) []domain.Event {
		var out []domain.Event
		s.measured(func(key string) {
			out = append(out, domain.KPITargetSet{CycleID: s.Cycle, EmployeeID: emp, Criterion: key, Target: decimal.NewFromInt(100)})
		})
		return out
	})
	s.Do(s.Svc.StartSelfReview(s.Ctx, s.AsHR(), s.Cycle))
	s.everyEmployee(func(u, i int, emp uuid.UUID) []domain.Event {
		return []domain.Event{s.submitted(emp, emp, scoring.RaterSelf, s.score(u, i))}
	})
	s.Do(s.Svc.StartReview(s.Ctx, s.AsHR(), s.Cycle))
	s.everyEmployee(func(u, i int, emp uuid.UUID) []domain.Event {
		unit, sc := s.Units[u], s.score(u, i)
		manager := unit.Manager
		if i < 0 {
			manager = s.Head
		}
		out := []domain.Event{s.submitted(emp, manager, scoring.RaterManager, sc)}
		if i >= 0 {
			for p := 1; p <= s.cfg.Peers; p++ {
				out = append(out, s.submitted(emp, unit.Members[(i+p)%len(unit.Members)], scoring.RaterPeer, sc))
			}
			for c := range s.cfg.Customers {
				out = append(out, s.submitted(emp, customerID(emp, c), scoring.RaterCustomer, sc))
			}
		}
		s.measured(func(key string) {
			out = append(out, domain.KPIActualRecorded{CycleID: s.Cycle, EmployeeID: emp, Criterion: key, Actual: decimal.NewFromInt(int64(sc))})
		})
		return out
	})
}

// AppendReview appends one event to an employee's review stream directly.
func (s *Scenario) AppendReview(emp uuid.UUID, e domain.Event) int64 {
	return s.appendDirect(domain.ReviewStream(s.Cycle, emp), []domain.Event{e})
}

func (s *Scenario) submitted(emp, rater uuid.UUID, kind scoring.RaterKind, score int) domain.EvaluationSubmitted {
	return domain.EvaluationSubmitted{CycleID: s.Cycle, EmployeeID: emp, EvaluationID: uuid.New(), Kind: kind,
		RaterID: rater, Scores: s.scores(kind, score), Summary: "summary"}
}
