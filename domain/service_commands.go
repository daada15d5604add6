package domain

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// One method per command. Each loads what the command reads, runs it and
// commits to the one stream it writes.

// orgCommand runs a command on the organisation stream.
func (s *Service) orgCommand(ctx context.Context, call Call, run func(*Organisation) ([]Event, error)) (Outcome, error) {
	org, v, err := s.Organisation(ctx)
	if err != nil {
		return Outcome{}, err
	}
	events, err := run(org)
	return s.commit(ctx, call, OrganisationStream, v, events, err)
}

// CreateUnit: HR adds a unit.
func (s *Service) CreateUnit(ctx context.Context, call Call, c CreateUnit) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.CreateUnit(call.Actor, c) })
}

// AppointUnitHead: HR names a unit's head.
func (s *Service) AppointUnitHead(ctx context.Context, call Call, c AppointUnitHead) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.AppointUnitHead(call.Actor, c) })
}

// DefinePositionLevel: HR adds a level with its monthly standard.
func (s *Service) DefinePositionLevel(ctx context.Context, call Call, c DefinePositionLevel) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.DefinePositionLevel(call.Actor, c) })
}

// ChangePayStandard: HR changes a level's monthly standard.
func (s *Service) ChangePayStandard(ctx context.Context, call Call, c ChangePayStandard) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.ChangePayStandard(call.Actor, c) })
}

// HireEmployee: HR adds a person.
func (s *Service) HireEmployee(ctx context.Context, call Call, c HireEmployee) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.HireEmployee(call.Actor, c) })
}

// TransferEmployee: HR moves a person to another unit.
func (s *Service) TransferEmployee(ctx context.Context, call Call, c TransferEmployee) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.TransferEmployee(call.Actor, c) })
}

// ChangeManager: HR changes a reporting line.
func (s *Service) ChangeManager(ctx context.Context, call Call, c ChangeManager) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.ChangeManager(call.Actor, c) })
}

// ChangeLevel: HR moves a person to another level.
func (s *Service) ChangeLevel(ctx context.Context, call Call, c ChangeLevel) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.ChangeLevel(call.Actor, c) })
}

// RecordLeave: HR records that a person left.
func (s *Service) RecordLeave(ctx context.Context, call Call, c RecordLeave) (Outcome, error) {
	return s.orgCommand(ctx, call, func(o *Organisation) ([]Event, error) { return o.RecordLeave(call.Actor, c) })
}

// PublishTemplate: HR publishes the next version of template t.ID.
func (s *Service) PublishTemplate(ctx context.Context, call Call, t scoring.Template) (Outcome, error) {
	tv, v, err := s.Template(ctx, t.ID)
	if err != nil {
		return Outcome{}, err
	}
	events, err := tv.Publish(call.Actor, t)
	return s.commit(ctx, call, TemplateStream(t.ID), v, events, err)
}

// PublishPolicy: HR publishes the next version of policy p.ID.
func (s *Service) PublishPolicy(ctx context.Context, call Call, p scoring.Policy) (Outcome, error) {
	pv, v, err := s.Policy(ctx, p.ID)
	if err != nil {
		return Outcome{}, err
	}
	events, err := pv.Publish(call.Actor, p)
	return s.commit(ctx, call, PolicyStream(p.ID), v, events, err)
}

// cycleRefs loads what a cycle's settings point at.
func (s *Service) cycleRefs(ctx context.Context, settings CycleSettings) (CycleRefs, error) {
	org, _, err := s.Organisation(ctx)
	if err != nil {
		return CycleRefs{}, err
	}
	tv, _, err := s.Template(ctx, settings.TemplateID)
	if err != nil {
		return CycleRefs{}, err
	}
	pv, _, err := s.Policy(ctx, settings.PolicyID)
	if err != nil {
		return CycleRefs{}, err
	}
	t, _ := tv.Latest()
	p, _ := pv.Latest()
	return CycleRefs{Org: org, Template: t, Policy: p}, nil
}

// CreateCycle: HR drafts a cycle.
func (s *Service) CreateCycle(ctx context.Context, call Call, c CreateCycle) (Outcome, error) {
	if err := Authorize(call.Actor, ActManageCycles, Target{}); err != nil {
		return Outcome{}, err
	}
	cy, v, err := loadShared(ctx, s, CycleStream(c.CycleID), NewCycle)
	if err != nil {
		return Outcome{}, err
	}
	refs, err := s.cycleRefs(ctx, c.Settings)
	if err != nil {
		return Outcome{}, err
	}
	events, err := cy.Create(call.Actor, c, refs)
	return s.commit(ctx, call, CycleStream(c.CycleID), v, events, err)
}

// cycleCommand runs a command on an existing cycle's stream. The actor is
// authorised for action before the cycle is looked up, so a caller who may
// not manage cycles cannot probe which cycle ids exist.
func (s *Service) cycleCommand(ctx context.Context, call Call, id uuid.UUID, action Action, run func(*Cycle) ([]Event, error)) (Outcome, error) {
	if action != "" {
		if err := Authorize(call.Actor, action, Target{}); err != nil {
			return Outcome{}, err
		}
	}
	c, v, err := s.Cycle(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	events, err := run(c)
	return s.commit(ctx, call, CycleStream(id), v, events, err)
}

// ReviseCycle: HR changes a draft cycle's settings.
func (s *Service) ReviseCycle(ctx context.Context, call Call, id uuid.UUID, settings CycleSettings) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActManageCycles, func(c *Cycle) ([]Event, error) {
		refs, err := s.cycleRefs(ctx, settings)
		if err != nil {
			return nil, err
		}
		return c.Revise(call.Actor, settings, refs)
	})
}

// OpenCycle: HR opens goal setting, pinning template and policy versions.
func (s *Service) OpenCycle(ctx context.Context, call Call, id uuid.UUID) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActManageCycles, func(c *Cycle) ([]Event, error) {
		refs, err := s.cycleRefs(ctx, c.Settings())
		if err != nil {
			return nil, err
		}
		return c.Open(call.Actor, refs)
	})
}

// StartSelfReview: HR moves the cycle to self-review, or a scheduler does
// as SystemActor once goals are overdue.
func (s *Service) StartSelfReview(ctx context.Context, call Call, id uuid.UUID) (Outcome, error) {
	action := ActManageCycles
	if call.Actor == SystemActor {
		action = "" // the cycle checks the deadline instead
	}
	return s.cycleCommand(ctx, call, id, action, func(c *Cycle) ([]Event, error) { return c.StartSelfReview(call.Actor, s.now()) })
}

// StartReview: HR moves the cycle to review.
func (s *Service) StartReview(ctx context.Context, call Call, id uuid.UUID) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActManageCycles, func(c *Cycle) ([]Event, error) { return c.StartReview(call.Actor) })
}

// StartCalibration: HR moves the cycle to calibration.
func (s *Service) StartCalibration(ctx context.Context, call Call, id uuid.UUID) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActManageCycles, func(c *Cycle) ([]Event, error) { return c.StartCalibration(call.Actor) })
}

// StartApproval: HR moves the cycle to approval if the engine finds nothing
// blocking it.
func (s *Service) StartApproval(ctx context.Context, call Call, id uuid.UUID) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActManageCycles, func(c *Cycle) ([]Event, error) {
		ev, err := s.evaluateIn(ctx, c, id, "start approval", StateCalibration, "")
		if err != nil {
			return nil, err
		}
		return c.StartApproval(call.Actor, ev.Result)
	})
}

// OverridePairing: HR accepts a unit's forced-pairing warning.
func (s *Service) OverridePairing(ctx context.Context, call Call, id uuid.UUID, o OverridePairing) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActOverridePairing, func(c *Cycle) ([]Event, error) {
		org, _, err := s.Organisation(ctx)
		if err != nil {
			return nil, err
		}
		return c.OverridePairing(call.Actor, o, org)
	})
}

// SignOff: a unit head (or HR) signs their unit; HR signs the operations
// and leader steps.
func (s *Service) SignOff(ctx context.Context, call Call, id uuid.UUID, so SignOff) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, "", func(c *Cycle) ([]Event, error) {
		org, _, err := s.Organisation(ctx)
		if err != nil {
			return nil, err
		}
		return c.SignOff(call.Actor, so, org)
	})
}

// Publish: HR publishes after the last approval, recording the decision.
func (s *Service) Publish(ctx context.Context, call Call, id uuid.UUID) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActPublish, func(c *Cycle) ([]Event, error) {
		ev, err := s.evaluateIn(ctx, c, id, "publish", StateApproval, scoring.Published)
		if err != nil {
			return nil, err
		}
		return c.Publish(call.Actor, s.now(), ev.Result, ev.LastPosition, s.newID())
	})
}

// Reopen: HR sends published results back to calibration.
func (s *Service) Reopen(ctx context.Context, call Call, id uuid.UUID, reason string) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActManageCycles, func(c *Cycle) ([]Event, error) { return c.Reopen(call.Actor, reason) })
}

// Close: HR closes the cycle when no appeal is open, recording the final
// decision.
func (s *Service) Close(ctx context.Context, call Call, id uuid.UUID) (Outcome, error) {
	return s.cycleCommand(ctx, call, id, ActPublish, func(c *Cycle) ([]Event, error) {
		ev, err := s.evaluateIn(ctx, c, id, "close", StatePublished, scoring.Closed)
		if err != nil {
			return nil, err
		}
		return c.Close(call.Actor, s.now(), ev.Result, ev.Appeals, ev.LastPosition, s.newID())
	})
}

// evaluateIn computes cycle id from the whole log as it is now, with the
// result status forced to status, once c is in state: the state check comes
// first so that a command in the wrong state is refused without reading the
// whole log.
func (s *Service) evaluateIn(ctx context.Context, c *Cycle, id uuid.UUID, action string, state CycleState, status scoring.ResultStatus) (Evaluation, error) {
	if err := c.requireState(action, state); err != nil {
		return Evaluation{}, err
	}
	events, err := s.log.ReadAll(ctx, 0)
	if err != nil {
		return Evaluation{}, fmt.Errorf("read log: %w", err)
	}
	return evaluateAs(events, id, status)
}

// ReviewContext loads what review commands check against.
func (s *Service) ReviewContext(ctx context.Context, cycleID uuid.UUID) (ReviewContext, error) {
	c, cv, err := s.Cycle(ctx, cycleID)
	if err != nil {
		return ReviewContext{}, err
	}
	org, ov, err := s.Organisation(ctx)
	if err != nil {
		return ReviewContext{}, err
	}
	pinned, _ := c.PinnedVersions()
	t, err := s.templateVersion(ctx, c.Settings().TemplateID, pinned)
	if err != nil {
		return ReviewContext{}, err
	}
	return ReviewContext{Cycle: c, CycleVersion: cv, Org: org, OrgVersion: ov, Template: t, Now: s.now()}, nil
}

// Target returns who may act on employeeID in cycleID, for the HTTP layer to
// authorise reads with the same rules as commands.
func (s *Service) Target(ctx context.Context, cycleID, employeeID uuid.UUID) (Target, error) {
	org, _, err := s.Organisation(ctx)
	if err != nil {
		return Target{}, err
	}
	rv, _, err := s.review(ctx, cycleID, employeeID)
	if err != nil {
		return Target{}, err
	}
	return rv.Target(org), nil
}

// reviewCommand runs a command on one employee's review stream.
//
// The review is the one aggregate a command both reads and appends to, so
// the append's expected version is what guards it: when the review is
// cached, the command first runs on the cached state without reading the
// stream (a round trip saved on every rater's save). If that append finds
// the stream moved on (another process or request wrote to it), or the
// cached state refuses the command (the refusal could be stale), the
// command runs again as it always did: on the review read up to now, and a
// conflict then is the caller's. The organisation and the cycle, which the
// command only reads, are always caught up from their streams first, and
// the append requires both to be still at the versions the command decided
// on: had a transition (say, into calibration) landed in between, the
// command's events would come after it and count for nothing; had the
// reporting line changed, a former manager could write. Then the command
// is decided once more on the cycle and the organisation as they are now.
//
// Before all that, when the review, the cycle, the organisation and the
// pinned template are all cached, the command is decided on the caches
// alone, without a read, and appended on condition that the review, the
// cycle and the organisation are all still at the versions it was decided
// on (reviewCommandCached). What it appends is therefore exactly what it
// would have appended after reading them; a refusal, or any stream having
// moved, sends it down the path above, which reads.
func (s *Service) reviewCommand(ctx context.Context, call Call, cycleID, employeeID uuid.UUID, run func(*Review, ReviewContext) ([]Event, error)) (Outcome, error) {
	if o, err, done := s.reviewCommandCached(ctx, call, cycleID, employeeID, run); done {
		return o, err
	}
	o, err := s.reviewCommandOnce(ctx, call, cycleID, employeeID, run)
	if errors.Is(err, ErrMovedOn) {
		o, err = s.reviewCommandOnce(ctx, call, cycleID, employeeID, run)
	}
	return o, err
}

// reviewCommandCached runs a review command on cached aggregates only, and
// reports done when its outcome is final: the append succeeded, or failed
// for a reason other than a conflict. Not done (something not cached, a
// refusal that fresher state might not repeat, a stream that moved): the
// caller runs the command on what it reads.
func (s *Service) reviewCommandCached(ctx context.Context, call Call, cycleID, employeeID uuid.UUID, run func(*Review, ReviewContext) ([]Event, error)) (Outcome, error, bool) {
	stream := ReviewStream(cycleID, employeeID)
	re, ok := s.reviews.get(stream)
	if !ok || (call.IfVersion != 0 && call.IfVersion != re.version) {
		return Outcome{}, nil, false
	}
	ce, ok := s.cache.get(CycleStream(cycleID))
	if !ok {
		return Outcome{}, nil, false
	}
	c := ce.agg.(*Cycle)
	oe, ok := s.cache.get(OrganisationStream)
	if !ok || !c.Exists() {
		return Outcome{}, nil, false
	}
	pinned, _ := c.PinnedVersions()
	te, ok := s.cache.get(TemplateStream(c.Settings().TemplateID))
	if !ok {
		return Outcome{}, nil, false
	}
	t, ok := te.agg.(*TemplateVersions).At(pinned)
	if !ok {
		return Outcome{}, nil, false
	}
	rc := ReviewContext{Cycle: c, CycleVersion: ce.version, Org: oe.agg.(*Organisation), OrgVersion: oe.version, Template: t, Now: s.now()}
	rv := re.agg.(*Review)
	events, err := run(rv, rc)
	if err != nil {
		return Outcome{}, nil, false
	}
	o, err := s.commitReview(ctx, call, stream, rv, re.version, events, rc)
	if errors.Is(err, ErrConflict) {
		return Outcome{}, nil, false
	}
	return o, err, true
}

func (s *Service) reviewCommandOnce(ctx context.Context, call Call, cycleID, employeeID uuid.UUID, run func(*Review, ReviewContext) ([]Event, error)) (Outcome, error) {
	rc, err := s.ReviewContext(ctx, cycleID)
	if err != nil {
		return Outcome{}, err
	}
	stream := ReviewStream(cycleID, employeeID)
	if entry, ok := s.reviews.get(stream); ok && (call.IfVersion == 0 || call.IfVersion == entry.version) {
		rv := entry.agg.(*Review)
		if events, err := run(rv, rc); err == nil {
			o, err := s.commitReview(ctx, call, stream, rv, entry.version, events, rc)
			if !errors.Is(err, ErrConflict) || errors.Is(err, ErrMovedOn) {
				return o, err
			}
		}
	}
	rv, v, err := s.review(ctx, cycleID, employeeID)
	if err != nil {
		return Outcome{}, err
	}
	events, err := run(rv, rc)
	if err != nil {
		return Outcome{}, err
	}
	return s.commitReview(ctx, call, stream, rv, v, events, rc)
}

// commitReview appends a review command's events to the review at version
// v, on condition that the cycle and the organisation it was decided on
// are still at rc's versions (a transition or a new reporting line landed
// in between would make the decision stale), and, once they are in, caches
// the review with them applied, so the next command on it needs no read.
func (s *Service) commitReview(ctx context.Context, call Call, stream string, rv *Review, v int64, events []Event, rc ReviewContext) (Outcome, error) {
	o, err := s.commitRequiring(ctx, call, stream, v, events, nil, []Requirement{
		{Stream: CycleStream(rc.Cycle.id), Version: rc.CycleVersion}, {Stream: OrganisationStream, Version: rc.OrgVersion}})
	if err != nil {
		return o, err
	}
	s.reviews.put(stream, cached{agg: rv.after(events), version: o.Version})
	return o, nil
}

// ReviewKey names one employee in one cycle.
type ReviewKey struct {
	CycleID    uuid.UUID
	EmployeeID uuid.UUID
}

// DraftGoal: the employee drafts a goal.
func (s *Service) DraftGoal(ctx context.Context, call Call, k ReviewKey, c DraftGoal) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.DraftGoal(call.Actor, rc, c)
	})
}

// AgreeGoal: the manager agrees a goal.
func (s *Service) AgreeGoal(ctx context.Context, call Call, k ReviewKey, goalID uuid.UUID) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.AgreeGoal(call.Actor, rc, goalID)
	})
}

// DelegateManager: HR names a delegate manager.
func (s *Service) DelegateManager(ctx context.Context, call Call, k ReviewKey, c DelegateManager) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.DelegateManager(call.Actor, rc, c)
	})
}

// AssignPeer: HR or the manager assigns a peer.
func (s *Service) AssignPeer(ctx context.Context, call Call, k ReviewKey, c AssignPeer) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.AssignPeer(call.Actor, rc, c)
	})
}

// RequestCustomerFeedback: HR or the manager asks a customer contact.
func (s *Service) RequestCustomerFeedback(ctx context.Context, call Call, k ReviewKey, c RequestCustomerFeedback) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.RequestCustomerFeedback(call.Actor, rc, c)
	})
}

// SaveEvaluationDraft: a rater saves a draft.
func (s *Service) SaveEvaluationDraft(ctx context.Context, call Call, k ReviewKey, c SubmitEvaluation) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.SaveEvaluationDraft(call.Actor, rc, c)
	})
}

// SubmitEvaluation: a rater submits.
func (s *Service) SubmitEvaluation(ctx context.Context, call Call, k ReviewKey, c SubmitEvaluation) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.SubmitEvaluation(call.Actor, rc, c)
	})
}

// AmendEvaluation: a rater amends their submission with a reason.
func (s *Service) AmendEvaluation(ctx context.Context, call Call, k ReviewKey, c AmendEvaluation) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.AmendEvaluation(call.Actor, rc, c)
	})
}

// SetKPITarget: HR or the manager sets a KPI target.
func (s *Service) SetKPITarget(ctx context.Context, call Call, k ReviewKey, criterion string, target decimal.Decimal) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.SetKPITarget(call.Actor, rc, criterion, target)
	})
}

// RecordKPIActual: HR or the manager records a KPI actual.
func (s *Service) RecordKPIActual(ctx context.Context, call Call, k ReviewKey, criterion string, actual decimal.Decimal) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.RecordKPIActual(call.Actor, rc, criterion, actual)
	})
}

// AdjustScore: the unit head or HR calibrates a score.
func (s *Service) AdjustScore(ctx context.Context, call Call, k ReviewKey, c AdjustScore) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.AdjustScore(call.Actor, rc, c)
	})
}

// Acknowledge: the employee signs their results.
func (s *Service) Acknowledge(ctx context.Context, call Call, k ReviewKey) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.Acknowledge(call.Actor, rc)
	})
}

// FileAppeal: the employee appeals within the window.
func (s *Service) FileAppeal(ctx context.Context, call Call, k ReviewKey, c FileAppeal) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.FileAppeal(call.Actor, rc, c)
	})
}

// ResolveAppeal: HR rejects or upholds an appeal; the service assigns the
// adjustment id of an upheld appeal when the caller gave none.
func (s *Service) ResolveAppeal(ctx context.Context, call Call, k ReviewKey, c ResolveAppeal) (Outcome, error) {
	if c.Upheld && c.AdjustmentID == uuid.Nil {
		c.AdjustmentID = s.newID()
	}
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.ResolveAppeal(call.Actor, rc, c)
	})
}

// GrantAward: HR grants an award.
func (s *Service) GrantAward(ctx context.Context, call Call, k ReviewKey, c PayItem) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.GrantAward(call.Actor, rc, c)
	})
}

// ImposePenalty: HR imposes a penalty.
func (s *Service) ImposePenalty(ctx context.Context, call Call, k ReviewKey, c PayItem) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.ImposePenalty(call.Actor, rc, c)
	})
}

// DecideRecommendation: HR accepts or dismisses a recommendation.
func (s *Service) DecideRecommendation(ctx context.Context, call Call, k ReviewKey, c DecideRecommendation) (Outcome, error) {
	return s.reviewCommand(ctx, call, k.CycleID, k.EmployeeID, func(r *Review, rc ReviewContext) ([]Event, error) {
		return r.DecideRecommendation(call.Actor, rc, c)
	})
}
