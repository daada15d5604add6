package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

const (
	evCreated     = "appraisal.cycle_created"
	evPublished   = "appraisal.cycle_published"
	evDecision    = "appraisal.decision_recorded"
	evPart        = "appraisal.decision_part_recorded"
	evSignedOff   = "appraisal.cycle_signed_off"
	evAdjusted    = "appraisal.score_adjusted"
	evClosed      = "appraisal.cycle_closed"
	evAppealFiled = "appraisal.appeal_filed"
)

// transition returns a command that runs one cycle-stream service method as actor.
func transition(role domain.Role, run func(f *fixture, call domain.Call) (domain.Outcome, error)) func(f *fixture) (domain.Outcome, error) {
	return func(f *fixture) (domain.Outcome, error) {
		actor := f.hr
		if role != domain.RoleHR {
			actor = as(role, f.e1)
		}
		return run(f, f.call(actor))
	}
}

func open(f *fixture, c domain.Call) (domain.Outcome, error) {
	return f.svc.OpenCycle(f.ctx, c, f.cycle)
}
func selfReview(f *fixture, c domain.Call) (domain.Outcome, error) {
	return f.svc.StartSelfReview(f.ctx, c, f.cycle)
}
func review(f *fixture, c domain.Call) (domain.Outcome, error) {
	return f.svc.StartReview(f.ctx, c, f.cycle)
}
func calibration(f *fixture, c domain.Call) (domain.Outcome, error) {
	return f.svc.StartCalibration(f.ctx, c, f.cycle)
}
func approval(f *fixture, c domain.Call) (domain.Outcome, error) {
	return f.svc.StartApproval(f.ctx, c, f.cycle)
}
func publish(f *fixture, c domain.Call) (domain.Outcome, error) {
	return f.svc.Publish(f.ctx, c, f.cycle)
}
func closeCycle(f *fixture, c domain.Call) (domain.Outcome, error) {
	return f.svc.Close(f.ctx, c, f.cycle)
}
func reopen(reason string) func(f *fixture, c domain.Call) (domain.Outcome, error) {
	return func(f *fixture, c domain.Call) (domain.Outcome, error) {
		return f.svc.Reopen(f.ctx, c, f.cycle, reason)
	}
}

func signOff(role domain.Role, who func(f *fixture) uuid.UUID, step domain.SignOffStep, unit func(f *fixture) uuid.UUID) func(f *fixture) (domain.Outcome, error) {
	return func(f *fixture) (domain.Outcome, error) {
		actor := f.hr
		if role != domain.RoleHR {
			actor = as(role, who(f))
		}
		var u uuid.UUID
		if unit != nil {
			u = unit(f)
		}
		return f.svc.SignOff(f.ctx, f.call(actor), f.cycle, domain.SignOff{Step: step, UnitID: u})
	}
}

func salesUnit(f *fixture) uuid.UUID { return f.sales }
func headH(f *fixture) uuid.UUID     { return f.h }

// adjustE1 overrides E1's score in calibration (as HR).
func adjustE1(value string) func(f *fixture) {
	return func(f *fixture) {
		f.do(f.svc.AdjustScore(f.ctx, f.call(f.hr), f.key(f.e1), domain.AdjustScore{AdjustmentID: uuid.New(),
			Kind: scoring.AdjustOverride, Value: d(value), Reason: "calibration meeting"}))
	}
}

func TestCycleTransitions(t *testing.T) {
	publishedEvents := []string{evPublished, evDecision, evPart}
	runCases(t, []commandCase{
		{name: "HR creates a draft cycle", when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: f.settings()})
		}, want: []string{evCreated}},
		{name: "an employee cannot create a cycle", wantErr: domain.ErrForbidden, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.CreateCycle(f.ctx, f.call(as(domain.RoleEmployee, f.e1)), domain.CreateCycle{CycleID: f.cycle, Settings: f.settings()})
		}},
		{name: "an auditor cannot create a cycle", wantErr: domain.ErrForbidden, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.CreateCycle(f.ctx, f.call(f.auditor), domain.CreateCycle{CycleID: f.cycle, Settings: f.settings()})
		}},
		{name: "a cycle id is used once", at: domain.StateDraft, wantErr: domain.ErrConflict, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: f.settings()})
		}},
		{name: "invalid settings list every bad field", wantErr: domain.ErrValidation,
			fields: []string{"cadence", "deadlines.payroll_due", "deadlines.payroll_due", "deadlines.reviews_due", "name", "period_start", "policy_id", "scope.units[0]", "template_id"},
			when: func(f *fixture) (domain.Outcome, error) {
				s := f.settings()
				s.Name, s.Cadence, s.PeriodStart = " ", "weekly", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
				s.TemplateID, s.PolicyID = uuid.New(), uuid.New()
				s.Scope.Units = []uuid.UUID{uuid.New()}
				s.Deadlines.ReviewsDue = date(2026, 11, 1)
				s.Deadlines.PayrollDue = date(2026, 11, 1)
				return f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: s})
			}},
		{name: "unknown scope ids are named by list and index", wantErr: domain.ErrValidation,
			fields: []string{"scope.employees[0]", "scope.excluded_employees[1]", "scope.excluded_levels[0]", "scope.units[1]"},
			when: func(f *fixture) (domain.Outcome, error) {
				s := f.settings()
				s.Scope.Units = []uuid.UUID{f.sales, uuid.New()}
				s.Scope.Employees = []uuid.UUID{uuid.New()}
				s.Scope.ExcludedLevels = []uuid.UUID{uuid.New()}
				s.Scope.ExcludedEmployees = []uuid.UUID{f.e1, uuid.New()}
				return f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: s})
			}},
		{name: "a monthly period is one calendar month", wantErr: domain.ErrValidation, fields: []string{"deadlines.payroll_due", "period_end"},
			when: func(f *fixture) (domain.Outcome, error) {
				s := f.settings()
				s.PeriodEnd = date(2026, 12, 31)
				return f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: s})
			}},
		{name: "a period starts on the first of a month", wantErr: domain.ErrValidation, fields: []string{"period_start"},
			when: func(f *fixture) (domain.Outcome, error) {
				s := f.settings()
				s.PeriodStart = date(2026, 11, 2)
				return f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: s})
			}},
		{name: "a quarterly cycle covers three months", want: []string{evCreated},
			when: func(f *fixture) (domain.Outcome, error) {
				s := f.settings()
				s.Cadence, s.PeriodStart, s.PeriodEnd = scoring.Quarterly, date(2026, 10, 1), date(2026, 12, 31)
				s.Deadlines.PayrollDue = date(2027, 1, 4)
				return f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: s})
			}},
		{name: "a scope that excludes everyone is refused", wantErr: domain.ErrValidation, fields: []string{"scope"},
			when: func(f *fixture) (domain.Outcome, error) {
				s := f.settings()
				s.Scope.ExcludedLevels = []uuid.UUID{f.lvManager, f.lvSpecialist, f.lvClk}
				return f.svc.CreateCycle(f.ctx, f.call(f.hr), domain.CreateCycle{CycleID: f.cycle, Settings: s})
			}},
		{name: "a draft can be revised", at: domain.StateDraft, want: []string{"appraisal.cycle_revised"},
			when: func(f *fixture) (domain.Outcome, error) {
				s := f.settings()
				s.Scope.ExcludedEmployees = []uuid.UUID{f.e3}
				return f.svc.ReviseCycle(f.ctx, f.call(f.hr), f.cycle, s)
			}},
		{name: "an opened cycle cannot be revised", at: domain.StateGoalSetting, wantErr: domain.ErrWrongState,
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.ReviseCycle(f.ctx, f.call(f.hr), f.cycle, f.settings())
			}},
		{name: "opening pins template and policy versions", at: domain.StateDraft, want: []string{"appraisal.cycle_opened"},
			when: transition(domain.RoleHR, open),
			check: func(t *testing.T, f *fixture, rs []domain.Recorded) {
				o := rs[0].Event.(domain.CycleOpened)
				if o.TemplateVersion != 1 || o.PolicyVersion != 1 || o.AppealWindowDays != 7 {
					t.Errorf("opened with %+v, want v1, v1 and the policy's 7-day window", o)
				}
			}},
		{name: "a later policy version does not change a pinned cycle", at: domain.StateGoalSetting,
			want: []string{"appraisal.policy_version_published"},
			when: func(f *fixture) (domain.Outcome, error) {
				p := f.policy
				p.AppealWindowDays = 30
				return f.svc.PublishPolicy(f.ctx, f.call(f.hr), p)
			},
			check: func(t *testing.T, f *fixture, _ []domain.Recorded) {
				c, _, _ := f.svc.Cycle(f.ctx, f.cycle)
				if _, pv := c.PinnedVersions(); pv != 1 {
					t.Errorf("cycle now pins policy v%d", pv)
				}
			}},
		{name: "open twice", at: domain.StateGoalSetting, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, open)},
		{name: "a manager cannot open a cycle", at: domain.StateDraft, wantErr: domain.ErrForbidden, when: transition(domain.RoleManager, open)},
		{name: "opening an unknown cycle", wantErr: domain.ErrNotFound, when: transition(domain.RoleHR, open)},
		{name: "goal setting to self-review", at: domain.StateGoalSetting, want: []string{"appraisal.cycle_self_review_started"}, when: transition(domain.RoleHR, selfReview)},
		{name: "the service starts self-review once goals are overdue", at: domain.StateGoalSetting,
			prep: func(f *fixture) { f.now = date(2026, 11, 11) }, want: []string{"appraisal.cycle_self_review_started"},
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.StartSelfReview(f.ctx, f.call(domain.SystemActor), f.cycle)
			},
			check: func(t *testing.T, f *fixture, rs []domain.Recorded) {
				if rs[0].Actor != domain.SystemActor {
					t.Errorf("recorded as %+v", rs[0].Actor)
				}
			}},
		{name: "but not on the day goals are due", at: domain.StateGoalSetting,
			prep: func(f *fixture) { f.now = date(2026, 11, 10).Add(23 * time.Hour) }, wantErr: domain.ErrWrongState,
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.StartSelfReview(f.ctx, f.call(domain.SystemActor), f.cycle)
			}},
		{name: "the system role is refused everything else", at: domain.StateSelfReview, wantErr: domain.ErrForbidden,
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.StartReview(f.ctx, f.call(domain.SystemActor), f.cycle)
			}},
		{name: "a person claiming the system role", at: domain.StateGoalSetting, wantErr: domain.ErrForbidden,
			prep: func(f *fixture) { f.now = date(2026, 11, 11) },
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.StartSelfReview(f.ctx, f.call(as(domain.RoleSystem, f.e1)), f.cycle)
			}},
		{name: "self-review cannot be skipped", at: domain.StateGoalSetting, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, review)},
		{name: "draft cannot jump to self-review", at: domain.StateDraft, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, selfReview)},
		{name: "self-review to review", at: domain.StateSelfReview, want: []string{"appraisal.cycle_review_started"}, when: transition(domain.RoleHR, review)},
		{name: "review to calibration", at: domain.StateReview, want: []string{"appraisal.cycle_calibration_started"}, when: transition(domain.RoleHR, calibration)},
		{name: "an employee cannot start calibration", at: domain.StateReview, wantErr: domain.ErrForbidden, when: transition(domain.RoleEmployee, calibration)},
		{name: "calibration cannot go back to review", at: domain.StateCalibration, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, review)},
		{name: "calibration to approval names the units to sign", at: domain.StateCalibration,
			want: []string{"appraisal.cycle_approval_started"}, when: transition(domain.RoleHR, approval),
			check: func(t *testing.T, f *fixture, rs []domain.Recorded) {
				if u := rs[0].Event.(domain.ApprovalStarted).Units; len(u) != 1 || u[0] != f.sales {
					t.Errorf("units to sign %v, want the sales unit", u)
				}
			}},
		{name: "approval is blocked while a block-mode unit overshoots and pairing lacks an override", at: domain.StateCalibration,
			prep: adjustE1("99"), wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, approval)},
		{name: "approval is blocked while an employee has no score", at: domain.StateReview,
			prep: func(f *fixture) {
				f.do(f.svc.StartCalibration(f.ctx, f.call(f.hr), f.cycle))
			}, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, approval)},
		{name: "publication waits for the leader", at: domain.StateApproval, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, publish)},
		{name: "publish from calibration", at: domain.StateCalibration, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, publish)},
		{name: "publication after the chain records the decision", at: domain.StateApproval,
			prep: func(f *fixture) { f.signAll() }, want: publishedEvents, when: transition(domain.RoleHR, publish),
			check: func(t *testing.T, f *fixture, rs []domain.Recorded) {
				p := rs[0].Event.(domain.CyclePublished)
				if !p.AppealsUntil.Equal(f.now.AddDate(0, 0, 7)) {
					t.Errorf("appeals until %v", p.AppealsUntil)
				}
				dec := rs[1].Event.(domain.DecisionRecorded)
				if dec.Kind != domain.DecisionPublication || dec.Status != scoring.Published || dec.Parts != 1 ||
					dec.Employees != 4 || dec.EngineVersion != scoring.EngineVersion || dec.LastInputPosition != rs[0].Position-1 {
					t.Errorf("decision head %+v", dec)
				}
			}},
		{name: "only HR publishes", at: domain.StateApproval, prep: func(f *fixture) { f.signAll() },
			wantErr: domain.ErrForbidden, when: transition(domain.RoleUnitHead, publish)},
		{name: "reopen with a reason", at: domain.StatePublished, want: []string{"appraisal.cycle_reopened"}, when: transition(domain.RoleHR, reopen("budget error in unit"))},
		{name: "reopen needs a reason", at: domain.StatePublished, wantErr: domain.ErrValidation, fields: []string{"reason"}, when: transition(domain.RoleHR, reopen(""))},
		{name: "reopen only from published", at: domain.StateApproval, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, reopen("why"))},
		{name: "after reopening every step repeats", at: domain.StatePublished,
			prep: func(f *fixture) {
				f.do(f.svc.Reopen(f.ctx, f.call(f.hr), f.cycle, "recalibrate"))
				f.do(f.svc.StartApproval(f.ctx, f.call(f.hr), f.cycle))
			}, wantErr: domain.ErrWrongState, when: signOff(domain.RoleHR, nil, domain.StepOperationsHead, nil)},
		{name: "a reopened cycle publishes again", at: domain.StatePublished,
			prep: func(f *fixture) {
				f.do(f.svc.Reopen(f.ctx, f.call(f.hr), f.cycle, "recalibrate"))
				f.do(f.svc.StartApproval(f.ctx, f.call(f.hr), f.cycle))
				f.signAll()
			}, want: publishedEvents, when: transition(domain.RoleHR, publish)},
		{name: "close after the appeal window", at: domain.StatePublished,
			prep: func(f *fixture) { f.now = f.now.AddDate(0, 0, 8) }, want: []string{evClosed, evDecision, evPart},
			when: transition(domain.RoleHR, closeCycle),
			check: func(t *testing.T, f *fixture, rs []domain.Recorded) {
				if dec := rs[1].Event.(domain.DecisionRecorded); dec.Kind != domain.DecisionClose || dec.Status != scoring.Closed {
					t.Errorf("close decision %+v", dec)
				}
			}},
		{name: "close inside the window while employees may still appeal", at: domain.StatePublished,
			wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, closeCycle)},
		{name: "close inside the window once everyone acknowledged", at: domain.StatePublished,
			prep: func(f *fixture) {
				for emp := range f.inScope() {
					f.do(f.svc.Acknowledge(f.ctx, f.call(as(domain.RoleEmployee, emp)), f.key(emp)))
				}
			}, want: []string{evClosed, evDecision, evPart}, when: transition(domain.RoleHR, closeCycle)},
		{name: "close with an open appeal", at: domain.StatePublished,
			prep: func(f *fixture) {
				f.do(f.svc.FileAppeal(f.ctx, f.call(as(domain.RoleEmployee, f.e1)), f.key(f.e1), domain.FileAppeal{AppealID: uuid.New(), Reason: "KPI actual is wrong"}))
				f.now = f.now.AddDate(0, 0, 8)
			}, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, closeCycle)},
		{name: "close twice", at: domain.StateClosed, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, closeCycle)},
		{name: "a closed cycle cannot reopen", at: domain.StateClosed, wantErr: domain.ErrWrongState, when: transition(domain.RoleHR, reopen("late"))},
	})
}

func TestSignOffChain(t *testing.T) {
	runCases(t, []commandCase{
		{name: "the unit head signs their unit", at: domain.StateApproval, want: []string{evSignedOff},
			when: signOff(domain.RoleUnitHead, headH, domain.StepUnitHead, salesUnit)},
		{name: "HR may sign for a unit", at: domain.StateApproval, want: []string{evSignedOff},
			when: signOff(domain.RoleHR, nil, domain.StepUnitHead, salesUnit)},
		{name: "someone else as unit head is refused", at: domain.StateApproval, wantErr: domain.ErrForbidden,
			when: signOff(domain.RoleUnitHead, func(f *fixture) uuid.UUID { return f.m }, domain.StepUnitHead, salesUnit)},
		{name: "a unit head cannot sign the operations step", at: domain.StateApproval, wantErr: domain.ErrForbidden,
			when: signOff(domain.RoleUnitHead, headH, domain.StepOperationsHead, nil)},
		{name: "operations before the units", at: domain.StateApproval, wantErr: domain.ErrWrongState,
			when: signOff(domain.RoleHR, nil, domain.StepOperationsHead, nil)},
		{name: "leader before operations", at: domain.StateApproval, wantErr: domain.ErrWrongState,
			prep: func(f *fixture) { signOff(domain.RoleUnitHead, headH, domain.StepUnitHead, salesUnit)(f) },
			when: signOff(domain.RoleHR, nil, domain.StepLeader, nil)},
		{name: "operations after the units", at: domain.StateApproval, want: []string{evSignedOff},
			prep: func(f *fixture) { signOff(domain.RoleUnitHead, headH, domain.StepUnitHead, salesUnit)(f) },
			when: signOff(domain.RoleHR, nil, domain.StepOperationsHead, nil)},
		{name: "a unit signs once", at: domain.StateApproval, wantErr: domain.ErrConflict,
			prep: func(f *fixture) { signOff(domain.RoleUnitHead, headH, domain.StepUnitHead, salesUnit)(f) },
			when: signOff(domain.RoleUnitHead, headH, domain.StepUnitHead, salesUnit)},
		{name: "a unit not awaiting sign-off", at: domain.StateApproval, wantErr: domain.ErrValidation, fields: []string{"unit_id"},
			when: signOff(domain.RoleHR, nil, domain.StepUnitHead, func(f *fixture) uuid.UUID { return f.mgmt })},
		{name: "an unknown step", at: domain.StateApproval, wantErr: domain.ErrValidation, fields: []string{"step"},
			when: signOff(domain.RoleHR, nil, "ceo", nil)},
		{name: "no sign-off in calibration", at: domain.StateCalibration, wantErr: domain.ErrWrongState,
			when: signOff(domain.RoleUnitHead, headH, domain.StepUnitHead, salesUnit)},
	})
}

func TestForcedPairingOverride(t *testing.T) {
	override := func(role domain.Role, unit func(f *fixture) uuid.UUID, why string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			actor := f.hr
			if role != domain.RoleHR {
				actor = as(role, f.h)
			}
			return f.svc.OverridePairing(f.ctx, f.call(actor), f.cycle, domain.OverridePairing{UnitID: unit(f), Justification: why})
		}
	}
	runCases(t, []commandCase{
		{name: "HR overrides with a justification", at: domain.StateCalibration, want: []string{"appraisal.pairing_override_granted"},
			when: override(domain.RoleHR, salesUnit, "the unit's only C left in October")},
		{name: "the unit head cannot override", at: domain.StateCalibration, wantErr: domain.ErrForbidden,
			when: override(domain.RoleUnitHead, salesUnit, "mine")},
		{name: "a justification is required and the unit must exist", at: domain.StateCalibration, wantErr: domain.ErrValidation,
			fields: []string{"justification", "unit_id"}, when: override(domain.RoleHR, func(*fixture) uuid.UUID { return uuid.New() }, "")},
		{name: "one override per unit", at: domain.StateCalibration, wantErr: domain.ErrValidation, fields: []string{"unit_id"},
			prep: func(f *fixture) { override(domain.RoleHR, salesUnit, "first")(f) }, when: override(domain.RoleHR, salesUnit, "second")},
		{name: "no override outside calibration", at: domain.StateReview, wantErr: domain.ErrWrongState,
			when: override(domain.RoleHR, salesUnit, "early")},
	})
}

// The A+ at 99 for E1 (and no C) raises the pairing warning and pushes the
// unit over budget: E1 paid 300 × 120% = 360 against 300. Calibration fixes
// the budget by bringing E2 down to a C (300 × 80% = 240, total back to
// budget), which also satisfies pairing, and approval passes.
func TestCalibrationClearsApprovalBlockers(t *testing.T) {
	f := newFixture(t).at(domain.StateCalibration)
	adjustE1("99")(f)
	if _, err := f.svc.StartApproval(f.ctx, f.call(f.hr), f.cycle); err == nil {
		t.Fatal("approval passed over budget")
	}
	f.do(f.svc.AdjustScore(f.ctx, f.call(as(domain.RoleUnitHead, f.h)), f.key(f.e2), domain.AdjustScore{
		AdjustmentID: uuid.New(), Kind: scoring.AdjustDelta, Value: d("-10"), Reason: "missed targets in week 3"}))
	ev, err := f.svc.Evaluate(f.ctx, f.cycle, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Result.Approvable() {
		t.Fatalf("still blocked: %+v", ev.Result.Blockers)
	}
	f.do(f.svc.StartApproval(f.ctx, f.call(f.hr), f.cycle))
}
