package domain_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

func TestOrganisation(t *testing.T) {
	hire := func(actor func(f *fixture) domain.Actor, c func(f *fixture) domain.HireEmployee) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) { return f.svc.HireEmployee(f.ctx, f.call(actor(f)), c(f)) }
	}
	hr := func(f *fixture) domain.Actor { return f.hr }
	newcomer := func(f *fixture) domain.HireEmployee {
		return domain.HireEmployee{EmployeeID: uuid.New(), Name: "保安 Zhang", UnitID: f.sales, ManagerID: f.m, LevelID: f.lvSpecialist}
	}
	runCases(t, []commandCase{
		{name: "HR creates a unit", want: []string{"appraisal.unit_created"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.CreateUnit(f.ctx, f.call(f.hr), domain.CreateUnit{UnitID: uuid.New(), Name: "Security", ParentID: f.mgmt})
		}},
		{name: "a unit needs a name and a known parent", wantErr: domain.ErrValidation, fields: []string{"name", "parent_id"},
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.CreateUnit(f.ctx, f.call(f.hr), domain.CreateUnit{UnitID: uuid.New(), ParentID: uuid.New()})
			}},
		{name: "a unit id is used once", wantErr: domain.ErrValidation, fields: []string{"unit_id"},
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.CreateUnit(f.ctx, f.call(f.hr), domain.CreateUnit{UnitID: f.sales, Name: "again"})
			}},
		{name: "a level with a negative standard", wantErr: domain.ErrValidation, fields: []string{"monthly_standard"},
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.DefinePositionLevel(f.ctx, f.call(f.hr), domain.DefinePositionLevel{LevelID: uuid.New(), Name: "x", MonthlyStandard: d("-1")})
			}},
		{name: "a standard changes with a reason", want: []string{"appraisal.pay_standard_changed"},
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.ChangePayStandard(f.ctx, f.call(f.hr), domain.ChangePayStandard{LevelID: f.lvSpecialist, MonthlyStandard: d("320"), Reason: "2027 pay scale"})
			}},
		{name: "HR hires", want: []string{"appraisal.employee_hired"}, when: hire(hr, newcomer)},
		{name: "a manager cannot hire", wantErr: domain.ErrForbidden, when: hire(func(f *fixture) domain.Actor { return as(domain.RoleManager, f.m) }, newcomer)},
		{name: "an auditor cannot hire", wantErr: domain.ErrForbidden, when: hire(func(f *fixture) domain.Actor { return f.auditor }, newcomer)},
		{name: "a hire lists every bad field", wantErr: domain.ErrValidation, fields: []string{"employee_id", "level_id", "manager_id", "name", "unit_id"},
			when: hire(hr, func(f *fixture) domain.HireEmployee {
				return domain.HireEmployee{EmployeeID: f.e1, UnitID: uuid.New(), ManagerID: uuid.New(), LevelID: uuid.New()}
			})},
		{name: "a transfer", want: []string{"appraisal.employee_transferred"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.TransferEmployee(f.ctx, f.call(f.hr), domain.TransferEmployee{EmployeeID: f.e3, UnitID: f.mgmt, ManagerID: f.h, Reason: "promoted to HQ"})
		}},
		{name: "a transfer to the same unit", wantErr: domain.ErrValidation, fields: []string{"unit_id"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.TransferEmployee(f.ctx, f.call(f.hr), domain.TransferEmployee{EmployeeID: f.e3, UnitID: f.sales, ManagerID: f.m, Reason: "x"})
		}},
		{name: "a new manager", want: []string{"appraisal.manager_changed"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.ChangeManager(f.ctx, f.call(f.hr), domain.ChangeManager{EmployeeID: f.e3, ManagerID: f.h, Reason: "reorganisation"})
		}},
		{name: "a reporting loop", wantErr: domain.ErrValidation, fields: []string{"manager_id"}, when: func(f *fixture) (domain.Outcome, error) {
			// E1 reports to M, M to H: H reporting to E1 would close a loop.
			return f.svc.ChangeManager(f.ctx, f.call(f.hr), domain.ChangeManager{EmployeeID: f.h, ManagerID: f.e1, Reason: "x"})
		}},
		{name: "managing oneself", wantErr: domain.ErrValidation, fields: []string{"manager_id"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.ChangeManager(f.ctx, f.call(f.hr), domain.ChangeManager{EmployeeID: f.e1, ManagerID: f.e1, Reason: "x"})
		}},
		{name: "a level change", want: []string{"appraisal.level_changed"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.ChangeLevel(f.ctx, f.call(f.hr), domain.ChangeLevel{EmployeeID: f.e1, LevelID: f.lvManager, Reason: "promotion"})
		}},
		{name: "a level change to the same level, with text that is not UTF-8", wantErr: domain.ErrValidation, fields: []string{"level_id", "reason"},
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.ChangeLevel(f.ctx, f.call(f.hr), domain.ChangeLevel{EmployeeID: f.e1, LevelID: f.lvSpecialist, Reason: "\xff\xfe"})
			}},
		{name: "a leaver", want: []string{"appraisal.employee_left"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.RecordLeave(f.ctx, f.call(f.hr), domain.RecordLeave{EmployeeID: f.e3, Reason: "contract ended"})
		}},
		{name: "a manager with reports cannot leave", wantErr: domain.ErrValidation, fields: []string{"employee_id"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.RecordLeave(f.ctx, f.call(f.hr), domain.RecordLeave{EmployeeID: f.m, Reason: "resigned"})
		}},
		{name: "a leaver cannot head a unit", prep: func(f *fixture) {
			f.do(f.svc.RecordLeave(f.ctx, f.call(f.hr), domain.RecordLeave{EmployeeID: f.e3, Reason: "left"}))
		}, wantErr: domain.ErrValidation, fields: []string{"head_id"}, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.AppointUnitHead(f.ctx, f.call(f.hr), domain.AppointUnitHead{UnitID: f.sales, HeadID: f.e3})
		}},
		{name: "a stale If-Match", wantErr: domain.ErrConflict, when: func(f *fixture) (domain.Outcome, error) {
			c := f.call(f.hr)
			c.IfVersion = 1
			return f.svc.CreateUnit(f.ctx, c, domain.CreateUnit{UnitID: uuid.New(), Name: "Security"})
		}},
	})
}

// A cycle is judged against the organisation as it was: a transfer after
// publication does not move anyone's published result to another unit, and
// a level change does not change the standard paid.
func TestPublishedCycleKeepsItsOrganisation(t *testing.T) {
	f := newFixture(t).at(domain.StatePublished)
	f.do(f.svc.TransferEmployee(f.ctx, f.call(f.hr), domain.TransferEmployee{EmployeeID: f.e3, UnitID: f.mgmt, ManagerID: f.h, Reason: "moved"}))
	f.do(f.svc.ChangeLevel(f.ctx, f.call(f.hr), domain.ChangeLevel{EmployeeID: f.e1, LevelID: f.lvManager, Reason: "promoted"}))
	ev, err := f.svc.Evaluate(f.ctx, f.cycle, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev.Result.Employees {
		if e.UnitID != f.sales {
			t.Errorf("%s moved to unit %s after publication", e.EmployeeID, e.UnitID)
		}
		if e.EmployeeID == f.e1 && !e.Standard.Value.Equal(d("300")) {
			t.Errorf("E1's standard became %s after publication", e.Standard.Value)
		}
	}
}

func TestTemplateAndPolicyVersions(t *testing.T) {
	runCases(t, []commandCase{
		{name: "a new template version is numbered by the domain", want: []string{"appraisal.template_version_published"},
			when: func(f *fixture) (domain.Outcome, error) {
				tpl := f.tpl
				tpl.Version = 7
				tpl.Name = "v2"
				return f.svc.PublishTemplate(f.ctx, f.call(f.hr), tpl)
			},
			check: func(t *testing.T, _ *fixture, rs []domain.Recorded) {
				if v := rs[0].Event.(domain.TemplateVersionPublished).Template.Version; v != 2 {
					t.Errorf("version %d, want 2", v)
				}
			}},
		{name: "a template whose weights do not sum to 100", wantErr: domain.ErrValidation, fields: []string{"dimensions"},
			when: func(f *fixture) (domain.Outcome, error) {
				tpl := scoring.DefaultTemplate()
				tpl.ID = uuid.New()
				tpl.Dimensions[0].Weight = decimal.NewFromInt(50)
				return f.svc.PublishTemplate(f.ctx, f.call(f.hr), tpl)
			}},
		{name: "a manager cannot publish templates", wantErr: domain.ErrForbidden,
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.PublishTemplate(f.ctx, f.call(as(domain.RoleManager, f.m)), f.tpl)
			}},
		{name: "an invalid policy lists its problems", wantErr: domain.ErrValidation,
			when: func(f *fixture) (domain.Outcome, error) {
				p := scoring.DefaultPolicy()
				p.ID = uuid.New()
				p.BudgetMode = "ignore"
				return f.svc.PublishPolicy(f.ctx, f.call(f.hr), p)
			}},
	})
}
