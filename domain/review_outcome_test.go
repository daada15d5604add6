package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

func acknowledge(actor, emp who) func(f *fixture) (domain.Outcome, error) {
	return func(f *fixture) (domain.Outcome, error) {
		return f.svc.Acknowledge(f.ctx, f.call(as(domain.RoleEmployee, actor(f))), f.key(emp(f)))
	}
}

func fileAppeal(id *uuid.UUID, reason string) func(f *fixture) (domain.Outcome, error) {
	return func(f *fixture) (domain.Outcome, error) {
		if *id == uuid.Nil {
			*id = uuid.New()
		}
		return f.svc.FileAppeal(f.ctx, f.call(as(domain.RoleEmployee, f.e1)), f.key(f.e1), domain.FileAppeal{AppealID: *id, Reason: reason})
	}
}

func TestAcknowledgementAndAppeals(t *testing.T) {
	var appeal uuid.UUID
	fresh := func(f *fixture) { appeal = uuid.Nil }
	filed := func(f *fixture) {
		appeal = uuid.New()
		f.do(fileAppeal(&appeal, "my KPI actual is wrong")(f))
	}
	resolve := func(role domain.Role, upheld bool, score, reason string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			a := f.hr
			if role != domain.RoleHR {
				a = as(role, f.h)
			}
			return f.svc.ResolveAppeal(f.ctx, f.call(a), f.key(f.e1), domain.ResolveAppeal{AppealID: appeal, Upheld: upheld, NewScore: d(score), Reason: reason})
		}
	}
	runCases(t, []commandCase{
		{name: "the employee acknowledges", at: domain.StatePublished, want: []string{"appraisal.results_acknowledged"}, when: acknowledge(e1, e1)},
		{name: "acknowledge once", at: domain.StatePublished, prep: func(f *fixture) { f.do(acknowledge(e1, e1)(f)) }, wantErr: domain.ErrConflict, when: acknowledge(e1, e1)},
		{name: "nobody acknowledges for another", at: domain.StatePublished, wantErr: domain.ErrForbidden, when: acknowledge(e2, e1)},
		{name: "nothing to acknowledge before publication", at: domain.StateApproval, wantErr: domain.ErrWrongState, when: acknowledge(e1, e1)},
		{name: "not while an appeal is open", at: domain.StatePublished, prep: filed, wantErr: domain.ErrWrongState, when: acknowledge(e1, e1)},
		{name: "appeal within the window", at: domain.StatePublished, prep: fresh, want: []string{evAppealFiled}, when: fileAppeal(&appeal, "KPI actual is wrong")},
		{name: "appeal on the window's last moment", at: domain.StatePublished,
			prep: func(f *fixture) { fresh(f); f.now = f.now.AddDate(0, 0, 7) }, want: []string{evAppealFiled}, when: fileAppeal(&appeal, "late but in time")},
		{name: "appeal outside the window", at: domain.StatePublished,
			prep: func(f *fixture) { fresh(f); f.now = f.now.AddDate(0, 0, 8) }, wantErr: domain.ErrWrongState, when: fileAppeal(&appeal, "too late")},
		{name: "no appeal after acknowledging", at: domain.StatePublished,
			prep: func(f *fixture) { fresh(f); f.do(acknowledge(e1, e1)(f)) }, wantErr: domain.ErrConflict, when: fileAppeal(&appeal, "changed my mind")},
		{name: "one open appeal at a time", at: domain.StatePublished,
			prep: func(f *fixture) { filed(f); appeal = uuid.Nil }, wantErr: domain.ErrConflict, when: fileAppeal(&appeal, "again")},
		{name: "resolved results are appealed once", at: domain.StatePublished,
			prep: func(f *fixture) {
				filed(f)
				f.do(resolve(domain.RoleHR, false, "0", "the actual is right")(f))
				appeal = uuid.Nil
			}, wantErr: domain.ErrConflict, when: fileAppeal(&appeal, "still wrong")},
		{name: "republished results may be appealed again after an acknowledgement", at: domain.StatePublished,
			prep: func(f *fixture) {
				f.do(acknowledge(e1, e1)(f))
				f.do(f.svc.Reopen(f.ctx, f.call(f.hr), f.cycle, "unit budget recomputed"))
				f.do(f.svc.StartApproval(f.ctx, f.call(f.hr), f.cycle))
				f.signAll()
				f.now = f.now.Add(time.Hour)
				f.do(f.svc.Publish(f.ctx, f.call(f.hr), f.cycle))
				appeal = uuid.Nil
			}, want: []string{evAppealFiled}, when: fileAppeal(&appeal, "the new result is wrong")},
		{name: "an appeal needs a reason", at: domain.StatePublished, prep: fresh, wantErr: domain.ErrValidation, fields: []string{"reason"}, when: fileAppeal(&appeal, "")},
		{name: "no appeal before publication", at: domain.StateApproval, prep: fresh, wantErr: domain.ErrWrongState, when: fileAppeal(&appeal, "early")},
		{name: "HR rejects", at: domain.StatePublished, prep: filed, want: []string{"appraisal.appeal_rejected"}, when: resolve(domain.RoleHR, false, "0", "the actual is right")},
		{name: "HR upholds with a new score, recorded as an adjustment", at: domain.StatePublished, prep: filed,
			want: []string{"appraisal.appeal_upheld", evAdjusted}, when: resolve(domain.RoleHR, true, "91", "actual corrected"),
			check: func(t *testing.T, f *fixture, rs []domain.Recorded) {
				adj := rs[1].Event.(domain.ScoreAdjusted)
				if adj.Origin != scoring.FromAppeal || adj.Kind != scoring.AdjustOverride || !adj.Value.Equal(d("91")) || adj.AppealID != appeal {
					t.Errorf("adjustment %+v", adj)
				}
				ev, err := f.svc.Evaluate(f.ctx, f.cycle, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range ev.Result.Employees {
					if e.EmployeeID == f.e1 && (e.Grade != "A-" || !e.Final.Value.Equal(d("91"))) {
						t.Errorf("E1 after the appeal: %s at %s, want A- at 91", e.Grade, e.Final.Value)
					}
				}
			}},
		{name: "only HR resolves", at: domain.StatePublished, prep: filed, wantErr: domain.ErrForbidden, when: resolve(domain.RoleUnitHead, false, "0", "no")},
		{name: "an unknown appeal", at: domain.StatePublished, prep: func(f *fixture) { appeal = uuid.New() }, wantErr: domain.ErrNotFound, when: resolve(domain.RoleHR, false, "0", "no")},
		{name: "an appeal is resolved once", at: domain.StatePublished,
			prep: func(f *fixture) { filed(f); f.do(resolve(domain.RoleHR, false, "0", "no")(f)) }, wantErr: domain.ErrConflict, when: resolve(domain.RoleHR, true, "90", "yes")},
		{name: "an upheld score stays within 0-100 and needs a reason", at: domain.StatePublished, prep: filed,
			wantErr: domain.ErrValidation, fields: []string{"new_score", "reason"}, when: resolve(domain.RoleHR, true, "120", "")},
	})
}

func TestAwardsAndPenalties(t *testing.T) {
	award := func(role domain.Role, typ, amount string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			a := f.hr
			if role != domain.RoleHR {
				a = as(role, f.m)
			}
			return f.svc.GrantAward(f.ctx, f.call(a), f.key(f.e1), domain.PayItem{ItemID: uuid.New(), Type: typ, Amount: d(amount), Reason: "opened the new wing on time"})
		}
	}
	penalty := func(typ, amount string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			return f.svc.ImposePenalty(f.ctx, f.call(f.hr), f.key(f.e1), domain.PayItem{ItemID: uuid.New(), Type: typ, Amount: d(amount), Reason: "repeated lateness"})
		}
	}
	runCases(t, []commandCase{
		{name: "HR grants an award", at: domain.StateCalibration, want: []string{"appraisal.award_granted"}, when: award(domain.RoleHR, domain.AwardInnovation, "800")},
		{name: "awards reach the result beside the pay", at: domain.StatePublished, want: []string{"appraisal.award_granted"},
			when: award(domain.RoleHR, domain.AwardExcellentEmployee, "1000"),
			check: func(t *testing.T, f *fixture, _ []domain.Recorded) {
				ev, err := f.svc.Evaluate(f.ctx, f.cycle, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range ev.Result.Employees {
					if e.EmployeeID == f.e1 && (len(e.PayItems) != 1 || !e.PayItems[0].Amount.Equal(d("1000")) || !e.Pay.Value.Equal(d("300"))) {
						t.Errorf("E1 pay %s with items %+v", e.Pay.Value, e.PayItems)
					}
				}
			}},
		{name: "a manager cannot grant awards", at: domain.StateCalibration, wantErr: domain.ErrForbidden, when: award(domain.RoleManager, domain.AwardInnovation, "800")},
		{name: "an unknown award with no amount", at: domain.StateCalibration, wantErr: domain.ErrValidation, fields: []string{"amount", "type"}, when: award(domain.RoleHR, "bravery", "0")},
		{name: "fractions of a cent", at: domain.StateCalibration, wantErr: domain.ErrValidation, fields: []string{"amount"}, when: award(domain.RoleHR, domain.AwardTeamwork, "10.005")},
		{name: "not once closed", at: domain.StateClosed, wantErr: domain.ErrWrongState, when: award(domain.RoleHR, domain.AwardTeamwork, "10")},
		{name: "a fine with an amount", at: domain.StateReview, want: []string{"appraisal.penalty_imposed"}, when: penalty(domain.PenaltyFine, "50")},
		{name: "a warning without one", at: domain.StateReview, want: []string{"appraisal.penalty_imposed"}, when: penalty(domain.PenaltyWarning, "0")},
		{name: "a warning carries no amount", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"amount"}, when: penalty(domain.PenaltyWarning, "50")},
		{name: "a fine needs an amount", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"amount"}, when: penalty(domain.PenaltyFine, "0")},
	})
}

// E1 is calibrated to 75 (a C), so the published decision recommends
// training for E1 (SPEC §9) and HR decides on it.
func TestRecommendationDecisions(t *testing.T) {
	cGrade := func(f *fixture) {
		f.at(domain.StateCalibration)
		f.do(adjust(domain.RoleHR, nil, scoring.AdjustOverride, "75", "weak quarter")(f))
		f.do(f.svc.StartApproval(f.ctx, f.call(f.hr), f.cycle))
		f.signAll()
		f.do(f.svc.Publish(f.ctx, f.call(f.hr), f.cycle))
	}
	decide := func(emp who, kind scoring.RecommendationKind, outcome domain.RecommendationOutcome, reason string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			return f.svc.DecideRecommendation(f.ctx, f.call(f.hr), f.key(emp(f)), domain.DecideRecommendation{Kind: kind, Outcome: outcome, Reason: reason})
		}
	}
	runCases(t, []commandCase{
		{name: "HR accepts a training recommendation", prep: cGrade, want: []string{"appraisal.recommendation_decided"},
			when: decide(e1, scoring.RecommendTraining, domain.RecommendationAccepted, "booked the January course")},
		{name: "HR dismisses it", prep: cGrade, want: []string{"appraisal.recommendation_decided"},
			when: decide(e1, scoring.RecommendTraining, domain.RecommendationDismissed, "already trained")},
		{name: "a recommendation the decision did not raise", prep: cGrade, wantErr: domain.ErrNotFound,
			when: decide(e2, scoring.RecommendTraining, domain.RecommendationAccepted, "x")},
		{name: "decided once", prep: func(f *fixture) {
			cGrade(f)
			f.do(decide(e1, scoring.RecommendTraining, domain.RecommendationAccepted, "ok")(f))
		}, wantErr: domain.ErrConflict, when: decide(e1, scoring.RecommendTraining, domain.RecommendationDismissed, "no")},
		{name: "an outcome and a reason are required", prep: cGrade, wantErr: domain.ErrValidation, fields: []string{"outcome", "reason"},
			when: decide(e1, scoring.RecommendTraining, "maybe", "")},
		{name: "only HR decides", prep: cGrade, wantErr: domain.ErrForbidden, when: func(f *fixture) (domain.Outcome, error) {
			return f.svc.DecideRecommendation(f.ctx, f.call(as(domain.RoleManager, f.m)), f.key(f.e1),
				domain.DecideRecommendation{Kind: scoring.RecommendTraining, Outcome: domain.RecommendationAccepted, Reason: "x"})
		}},
	})
}
