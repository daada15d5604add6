package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// who picks a person of the fixture.
type who func(f *fixture) uuid.UUID

func e1(f *fixture) uuid.UUID   { return f.e1 }
func e2(f *fixture) uuid.UUID   { return f.e2 }
func mgrM(f *fixture) uuid.UUID { return f.m }

func goal(role domain.Role, actor, emp who, title string) func(f *fixture) (domain.Outcome, error) {
	return func(f *fixture) (domain.Outcome, error) {
		return f.svc.DraftGoal(f.ctx, f.call(as(role, actor(f))), f.key(emp(f)), domain.DraftGoal{GoalID: uuid.New(), Title: title})
	}
}

func TestGoals(t *testing.T) {
	goalID := uuid.New()
	drafted := func(f *fixture) {
		f.do(f.svc.DraftGoal(f.ctx, f.call(as(domain.RoleEmployee, f.e1)), f.key(f.e1), domain.DraftGoal{GoalID: goalID, Title: "Open 5 new accounts"}))
	}
	agree := func(role domain.Role, actor who, id *uuid.UUID) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			return f.svc.AgreeGoal(f.ctx, f.call(as(role, actor(f))), f.key(f.e1), *id)
		}
	}
	unknown := uuid.New()
	runCases(t, []commandCase{
		{name: "the employee drafts a goal", at: domain.StateGoalSetting, want: []string{"appraisal.goal_drafted"}, when: goal(domain.RoleEmployee, e1, e1, "Open 5 new accounts")},
		{name: "nobody drafts another's goals", at: domain.StateGoalSetting, wantErr: domain.ErrForbidden, when: goal(domain.RoleEmployee, e2, e1, "x")},
		{name: "the manager does not draft goals", at: domain.StateGoalSetting, wantErr: domain.ErrForbidden, when: goal(domain.RoleManager, mgrM, e1, "x")},
		{name: "a goal needs a title", at: domain.StateGoalSetting, wantErr: domain.ErrValidation, fields: []string{"title"}, when: goal(domain.RoleEmployee, e1, e1, "")},
		{name: "no goals after goal setting", at: domain.StateSelfReview, wantErr: domain.ErrWrongState, when: goal(domain.RoleEmployee, e1, e1, "late")},
		{name: "no goals in a draft cycle", at: domain.StateDraft, wantErr: domain.ErrWrongState, when: goal(domain.RoleEmployee, e1, e1, "early")},
		{name: "an excluded employee is not in the cycle", at: domain.StateGoalSetting, wantErr: domain.ErrNotFound,
			when: goal(domain.RoleEmployee, func(f *fixture) uuid.UUID { return f.s }, func(f *fixture) uuid.UUID { return f.s }, "x")},
		{name: "the manager agrees a goal", at: domain.StateGoalSetting, prep: drafted, want: []string{"appraisal.goal_agreed"}, when: agree(domain.RoleManager, mgrM, &goalID)},
		{name: "the employee cannot agree their own goal", at: domain.StateGoalSetting, prep: drafted, wantErr: domain.ErrForbidden, when: agree(domain.RoleManager, e1, &goalID)},
		{name: "another manager cannot agree", at: domain.StateGoalSetting, prep: drafted, wantErr: domain.ErrForbidden, when: agree(domain.RoleManager, func(f *fixture) uuid.UUID { return f.h }, &goalID)},
		{name: "an unknown goal", at: domain.StateGoalSetting, prep: drafted, wantErr: domain.ErrNotFound, when: agree(domain.RoleManager, mgrM, &unknown)},
		{name: "a goal is agreed once", at: domain.StateGoalSetting, prep: func(f *fixture) {
			drafted(f)
			agree(domain.RoleManager, mgrM, &goalID)(f)
		}, wantErr: domain.ErrConflict, when: agree(domain.RoleManager, mgrM, &goalID)},
	})
}

func assignPeer(role domain.Role, actor, peer who) func(f *fixture) (domain.Outcome, error) {
	return func(f *fixture) (domain.Outcome, error) {
		a := f.hr
		if role != domain.RoleHR {
			a = as(role, actor(f))
		}
		return f.svc.AssignPeer(f.ctx, f.call(a), f.key(f.e1), domain.AssignPeer{PeerID: peer(f)})
	}
}

func TestPeerAssignment(t *testing.T) {
	runCases(t, []commandCase{
		{name: "HR assigns a peer", at: domain.StateGoalSetting, want: []string{"appraisal.peer_assigned"}, when: assignPeer(domain.RoleHR, nil, e2)},
		{name: "the manager assigns a peer", at: domain.StateReview, want: []string{"appraisal.peer_assigned"}, when: assignPeer(domain.RoleManager, mgrM, e2)},
		{name: "the employee cannot choose peers", at: domain.StateGoalSetting, wantErr: domain.ErrForbidden, when: assignPeer(domain.RoleEmployee, e1, e2)},
		{name: "not the employee", at: domain.StateGoalSetting, wantErr: domain.ErrValidation, fields: []string{"peer_id"}, when: assignPeer(domain.RoleHR, nil, e1)},
		{name: "not the manager", at: domain.StateGoalSetting, wantErr: domain.ErrValidation, fields: []string{"peer_id"}, when: assignPeer(domain.RoleHR, nil, mgrM)},
		{name: "not the delegate manager", at: domain.StateGoalSetting, wantErr: domain.ErrValidation, fields: []string{"peer_id"},
			prep: func(f *fixture) {
				f.do(f.svc.DelegateManager(f.ctx, f.call(f.hr), f.key(f.e1), domain.DelegateManager{DelegateID: f.e3, Reason: "M on leave"}))
			}, when: assignPeer(domain.RoleHR, nil, func(f *fixture) uuid.UUID { return f.e3 })},
		{name: "not an unknown person", at: domain.StateGoalSetting, wantErr: domain.ErrValidation, fields: []string{"peer_id"},
			when: assignPeer(domain.RoleHR, nil, func(*fixture) uuid.UUID { return uuid.New() })},
		{name: "not twice", at: domain.StateGoalSetting, wantErr: domain.ErrValidation, fields: []string{"peer_id"},
			prep: func(f *fixture) { assignPeer(domain.RoleHR, nil, e2)(f) }, when: assignPeer(domain.RoleHR, nil, e2)},
		{name: "not in calibration", at: domain.StateCalibration, wantErr: domain.ErrWrongState, when: assignPeer(domain.RoleHR, nil, e2)},
	})
}

func TestManagerDelegation(t *testing.T) {
	delegate := func(to who, reason string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			return f.svc.DelegateManager(f.ctx, f.call(f.hr), f.key(f.e1), domain.DelegateManager{DelegateID: to(f), Reason: reason})
		}
	}
	runCases(t, []commandCase{
		{name: "HR delegates and the delegate evaluates", at: domain.StateReview,
			prep: func(f *fixture) { delegate(func(f *fixture) uuid.UUID { return f.h }, "M on leave")(f) },
			want: []string{"appraisal.evaluation_submitted"},
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, f.h)), f.key(f.e1), f.managerEval(f.e1, "90", "4"))
			}},
		{name: "not to the employee", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"delegate_id"}, when: delegate(e1, "x")},
		{name: "a reason is required", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"reason"}, when: delegate(e2, "")},
		{name: "not to someone who does not work here", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"delegate_id"},
			when: delegate(func(*fixture) uuid.UUID { return uuid.New() }, "x")},
		{name: "not to an assigned peer", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"delegate_id"},
			prep: func(f *fixture) { assignPeer(domain.RoleHR, nil, e2)(f) }, when: delegate(e2, "x")},
		{name: "not once the manager evaluation is in", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"delegate_id"},
			prep: func(f *fixture) { submit(domain.RoleManager, mgrM, managerEval)(f) }, when: delegate(e2, "x")},
		{name: "only HR delegates", at: domain.StateReview, wantErr: domain.ErrForbidden,
			when: func(f *fixture) (domain.Outcome, error) {
				return f.svc.DelegateManager(f.ctx, f.call(as(domain.RoleManager, f.m)), f.key(f.e1), domain.DelegateManager{DelegateID: f.e2, Reason: "x"})
			}},
	})
}

func TestCustomerFeedbackRequests(t *testing.T) {
	request := func(role domain.Role, email string, expires time.Duration) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			return f.svc.RequestCustomerFeedback(f.ctx, f.call(as(role, f.m)), f.key(f.e1), domain.RequestCustomerFeedback{
				RequestID: uuid.New(), Contact: domain.CustomerContact{Name: "王女士", Email: email, Company: "Tenant Ltd"},
				ExpiresAt: f.now.Add(expires)})
		}
	}
	runCases(t, []commandCase{
		{name: "the manager requests feedback", at: domain.StateReview, want: []string{"appraisal.customer_feedback_requested"}, when: request(domain.RoleManager, "wang@tenant.example", 72*time.Hour)},
		{name: "a bad address and a past expiry", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"contact.email", "expires_at"},
			when: request(domain.RoleManager, "wang at tenant", -time.Hour)},
		{name: "an expiry too far ahead", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"expires_at"},
			when: request(domain.RoleManager, "wang@tenant.example", 100*24*time.Hour)},
		{name: "the employee cannot ask their own customers", at: domain.StateReview, wantErr: domain.ErrForbidden, when: request(domain.RoleEmployee, "a@b.example", time.Hour)},
	})
}

func submit(role domain.Role, actor who, c func(f *fixture) domain.SubmitEvaluation) func(f *fixture) (domain.Outcome, error) {
	return func(f *fixture) (domain.Outcome, error) {
		return f.svc.SubmitEvaluation(f.ctx, f.call(as(role, actor(f))), f.key(f.e1), c(f))
	}
}

func selfEval(f *fixture) domain.SubmitEvaluation {
	return domain.SubmitEvaluation{EvaluationID: uuid.New(), Kind: scoring.RaterSelf, Scores: f.scoresFor(scoring.RaterSelf, "90", "4"),
		Summary: "Met the goals agreed in November"}
}

func peerEval(f *fixture) domain.SubmitEvaluation {
	return domain.SubmitEvaluation{EvaluationID: uuid.New(), Kind: scoring.RaterPeer, Scores: f.scoresFor(scoring.RaterPeer, "80", "4")}
}

func managerEval(f *fixture) domain.SubmitEvaluation { return f.managerEval(f.e1, "85", "4.4") }

// customerRequest issues a request for E1 and returns its id (the customer actor).
func customerRequest(f *fixture, expires time.Duration) uuid.UUID {
	id := uuid.New()
	f.do(f.svc.RequestCustomerFeedback(f.ctx, f.call(f.hr), f.key(f.e1), domain.RequestCustomerFeedback{
		RequestID: id, Contact: domain.CustomerContact{Name: "Li", Email: "li@customer.example"}, ExpiresAt: f.now.Add(expires)}))
	return id
}

func customerEval(f *fixture) domain.SubmitEvaluation {
	return domain.SubmitEvaluation{EvaluationID: uuid.New(), Kind: scoring.RaterCustomer, Scores: f.scoresFor(scoring.RaterCustomer, "95", "5")}
}

func TestEvaluationSubmission(t *testing.T) {
	var request uuid.UUID
	asCustomer := func(f *fixture) uuid.UUID { return request }
	withPeer := func(f *fixture) { assignPeer(domain.RoleHR, nil, e2)(f) }
	submitted := "appraisal.evaluation_submitted"
	runCases(t, []commandCase{
		{name: "self-evaluation in self-review", at: domain.StateSelfReview, want: []string{submitted}, when: submit(domain.RoleEmployee, e1, selfEval)},
		{name: "self-evaluation after self-review", at: domain.StateReview, wantErr: domain.ErrWrongState, when: submit(domain.RoleEmployee, e1, selfEval)},
		{name: "a self-evaluation is submitted once", at: domain.StateSelfReview, wantErr: domain.ErrConflict,
			prep: func(f *fixture) { submit(domain.RoleEmployee, e1, selfEval)(f) }, when: submit(domain.RoleEmployee, e1, selfEval)},
		{name: "a self-evaluation for someone else", at: domain.StateSelfReview, wantErr: domain.ErrForbidden, when: submit(domain.RoleEmployee, e2, selfEval)},
		{name: "a missing criterion and a missing summary", at: domain.StateSelfReview, wantErr: domain.ErrValidation, fields: []string{"scores", "summary"},
			when: submit(domain.RoleEmployee, e1, func(f *fixture) domain.SubmitEvaluation {
				ev := selfEval(f)
				ev.Scores, ev.Summary = ev.Scores[1:], ""
				return ev
			})},
		{name: "out of range, too precise, unknown, duplicate, not for this kind, overlong comment", at: domain.StateSelfReview, wantErr: domain.ErrValidation,
			// Each replaced criterion is also reported missing ("scores", three times).
			fields: []string{"scores", "scores", "scores", "scores[0].score", "scores[1].score", "scores[2].criterion", "scores[3].criterion", "scores[4].criterion", "scores[5].comment"},
			when: submit(domain.RoleEmployee, e1, func(f *fixture) domain.SubmitEvaluation {
				ev := selfEval(f)
				ev.Scores[0].Score = d("101")
				ev.Scores[1].Score = d("80.125")
				ev.Scores[2].Criterion = "charm"
				ev.Scores[3].Criterion = ev.Scores[0].Criterion
				ev.Scores[4].Criterion = "customer_satisfaction"
				ev.Scores[5].Comment = strings.Repeat("好", domain.MaxCommentLen+1)
				return ev
			})},
		{name: "the manager evaluates a direct report", at: domain.StateReview, want: []string{submitted}, when: submit(domain.RoleManager, mgrM, managerEval)},
		{name: "five-point scores stay within 1-5", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"scores[0].score"},
			when: submit(domain.RoleManager, mgrM, func(f *fixture) domain.SubmitEvaluation {
				ev := managerEval(f)
				for i, s := range ev.Scores {
					if s.Criterion == "customer_satisfaction" {
						ev.Scores[0], ev.Scores[i] = ev.Scores[i], ev.Scores[0]
						ev.Scores[0].Score = d("6")
					}
				}
				return ev
			})},
		{name: "a manager of someone else", at: domain.StateReview, wantErr: domain.ErrForbidden, when: submit(domain.RoleManager, func(f *fixture) uuid.UUID { return f.h }, managerEval)},
		{name: "a colleague claiming to be manager", at: domain.StateReview, wantErr: domain.ErrForbidden, when: submit(domain.RoleManager, e2, managerEval)},
		{name: "one manager evaluation per employee", at: domain.StateReview, wantErr: domain.ErrConflict,
			prep: func(f *fixture) {
				f.do(f.svc.DelegateManager(f.ctx, f.call(f.hr), f.key(f.e1), domain.DelegateManager{DelegateID: f.h, Reason: "M on leave"}))
				submit(domain.RoleManager, mgrM, managerEval)(f)
			}, when: submit(domain.RoleManager, func(f *fixture) uuid.UUID { return f.h }, managerEval)},
		{name: "manager evaluation not in self-review", at: domain.StateSelfReview, wantErr: domain.ErrWrongState, when: submit(domain.RoleManager, mgrM, managerEval)},
		{name: "an assigned peer evaluates", at: domain.StateReview, prep: withPeer, want: []string{submitted}, when: submit(domain.RolePeer, e2, peerEval)},
		{name: "an unassigned peer", at: domain.StateReview, wantErr: domain.ErrForbidden, when: submit(domain.RolePeer, e2, peerEval)},
		{name: "a peer rating themself", at: domain.StateReview, prep: withPeer, wantErr: domain.ErrForbidden, when: submit(domain.RolePeer, e1, peerEval)},
		{name: "a customer answers a request", at: domain.StateReview, prep: func(f *fixture) { request = customerRequest(f, time.Hour) },
			want: []string{submitted}, when: submit(domain.RoleCustomer, asCustomer, customerEval)},
		{name: "a customer answers once", at: domain.StateReview, prep: func(f *fixture) {
			request = customerRequest(f, time.Hour)
			submit(domain.RoleCustomer, asCustomer, customerEval)(f)
		}, wantErr: domain.ErrForbidden, when: submit(domain.RoleCustomer, asCustomer, customerEval)},
		{name: "an expired request", at: domain.StateReview, prep: func(f *fixture) {
			request = customerRequest(f, time.Hour)
			f.now = f.now.Add(2 * time.Hour)
		}, wantErr: domain.ErrWrongState, when: submit(domain.RoleCustomer, asCustomer, customerEval)},
		{name: "a customer without a request", at: domain.StateReview, wantErr: domain.ErrForbidden,
			when: submit(domain.RoleCustomer, func(*fixture) uuid.UUID { return uuid.New() }, customerEval)},
		{name: "an auditor never writes", at: domain.StateReview, wantErr: domain.ErrForbidden, when: submit(domain.RoleAuditor, e1, managerEval)},
	})
}

func TestEvaluationDraftsAndAmendments(t *testing.T) {
	evalID := uuid.New()
	submitted := func(f *fixture) {
		ev := managerEval(f)
		ev.EvaluationID = evalID
		f.do(f.svc.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, f.m)), f.key(f.e1), ev))
	}
	amend := func(actor who, reason string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			return f.svc.AmendEvaluation(f.ctx, f.call(as(domain.RoleManager, actor(f))), f.key(f.e1), domain.AmendEvaluation{
				EvaluationID: evalID, Scores: f.scoresFor(scoring.RaterManager, "88", "4.6"), Reason: reason})
		}
	}
	draft := func(f *fixture) (domain.Outcome, error) {
		ev := managerEval(f)
		ev.Scores = ev.Scores[:2]
		return f.svc.SaveEvaluationDraft(f.ctx, f.call(as(domain.RoleManager, f.m)), f.key(f.e1), ev)
	}
	runCases(t, []commandCase{
		{name: "an incomplete draft is saved", at: domain.StateReview, want: []string{"appraisal.evaluation_draft_saved"}, when: draft},
		{name: "a draft is saved again", at: domain.StateReview, prep: func(f *fixture) { f.do(draft(f)) }, want: []string{"appraisal.evaluation_draft_saved"}, when: draft},
		{name: "no draft after submission", at: domain.StateReview, prep: submitted, wantErr: domain.ErrConflict, when: draft},
		{name: "no draft in calibration", at: domain.StateCalibration, wantErr: domain.ErrWrongState, when: draft},
		{name: "amend in review with a reason", at: domain.StateReview, prep: submitted, want: []string{"appraisal.evaluation_amended"}, when: amend(mgrM, "typo in teamwork")},
		{name: "amend in calibration", at: domain.StateReview, prep: func(f *fixture) {
			submitted(f)
			f.completeOthers(f.e1)
			f.do(f.svc.StartCalibration(f.ctx, f.call(f.hr), f.cycle))
		}, want: []string{"appraisal.evaluation_amended"}, when: amend(mgrM, "after calibration talk")},
		{name: "an amendment needs a reason", at: domain.StateReview, prep: submitted, wantErr: domain.ErrValidation, fields: []string{"reason"}, when: amend(mgrM, "")},
		{name: "no amendment after calibration", at: domain.StateReview, prep: func(f *fixture) {
			submitted(f)
			f.completeOthers(f.e1)
			f.do(f.svc.StartCalibration(f.ctx, f.call(f.hr), f.cycle))
			f.do(f.svc.StartApproval(f.ctx, f.call(f.hr), f.cycle))
		}, wantErr: domain.ErrWrongState, when: amend(mgrM, "too late")},
		{name: "only the rater amends", at: domain.StateReview, prep: func(f *fixture) {
			f.do(f.svc.DelegateManager(f.ctx, f.call(f.hr), f.key(f.e1), domain.DelegateManager{DelegateID: f.h, Reason: "M on leave"}))
			submitted(f)
		}, wantErr: domain.ErrForbidden, when: amend(func(f *fixture) uuid.UUID { return f.h }, "mine now")},
		{name: "an unknown evaluation", at: domain.StateReview, wantErr: domain.ErrForbidden, when: amend(mgrM, "what")},
	})
}

// completeOthers finishes every participant except skip, whose manager
// evaluation the test gives itself; skip's KPIs are recorded too.
func (f *fixture) completeOthers(skip uuid.UUID) {
	for emp, mgr := range f.inScope() {
		if emp != skip {
			f.do(f.svc.SubmitEvaluation(f.ctx, f.call(as(domain.RoleManager, mgr)), f.key(emp), f.managerEval(emp, "85", "4.4")))
		}
		f.kpis(emp, "100", "85")
	}
}

func TestKPIs(t *testing.T) {
	target := func(role domain.Role, criterion, value string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			return f.svc.SetKPITarget(f.ctx, f.call(as(role, f.m)), f.key(f.e1), criterion, d(value))
		}
	}
	actual := func(criterion, value string) func(f *fixture) (domain.Outcome, error) {
		return func(f *fixture) (domain.Outcome, error) {
			return f.svc.RecordKPIActual(f.ctx, f.call(f.hr), f.key(f.e1), criterion, d(value))
		}
	}
	withTarget := func(f *fixture) { f.do(target(domain.RoleManager, "sales_revenue", "200000")(f)) }
	runCases(t, []commandCase{
		{name: "the manager sets a target", at: domain.StateGoalSetting, want: []string{"appraisal.kpi_target_set"}, when: target(domain.RoleManager, "sales_revenue", "200000")},
		{name: "the employee cannot set targets", at: domain.StateGoalSetting, wantErr: domain.ErrForbidden, when: target(domain.RoleEmployee, "sales_revenue", "1")},
		{name: "a rated criterion has no target", at: domain.StateGoalSetting, wantErr: domain.ErrValidation, fields: []string{"criterion"}, when: target(domain.RoleManager, "teamwork", "1")},
		{name: "a zero target", at: domain.StateGoalSetting, wantErr: domain.ErrValidation, fields: []string{"target"}, when: target(domain.RoleManager, "sales_revenue", "0")},
		{name: "HR records an actual in review", at: domain.StateReview, prep: withTarget, want: []string{"appraisal.kpi_actual_recorded"}, when: actual("sales_revenue", "230000.50")},
		{name: "an actual needs a target", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"criterion"}, when: actual("sales_profit", "1")},
		{name: "a negative actual", at: domain.StateReview, prep: withTarget, wantErr: domain.ErrValidation, fields: []string{"actual"}, when: actual("sales_revenue", "-1")},
		{name: "an unknown criterion", at: domain.StateReview, wantErr: domain.ErrValidation, fields: []string{"criterion"}, when: actual("ebitda", "1")},
		{name: "no actual before review", at: domain.StateSelfReview, prep: withTarget, wantErr: domain.ErrWrongState, when: actual("sales_revenue", "1")},
		{name: "no actual in calibration", at: domain.StateCalibration, wantErr: domain.ErrWrongState, when: actual("sales_revenue", "1")},
	})
}

func adjust(role domain.Role, actor who, kind scoring.AdjustmentKind, value, reason string) func(f *fixture) (domain.Outcome, error) {
	return func(f *fixture) (domain.Outcome, error) {
		a := f.hr
		if role != domain.RoleHR {
			a = as(role, actor(f))
		}
		return f.svc.AdjustScore(f.ctx, f.call(a), f.key(f.e1), domain.AdjustScore{AdjustmentID: uuid.New(), Kind: kind, Value: d(value), Reason: reason})
	}
}

func TestCalibrationAdjustments(t *testing.T) {
	runCases(t, []commandCase{
		{name: "the unit head adjusts with a reason", at: domain.StateCalibration, want: []string{evAdjusted},
			when: adjust(domain.RoleUnitHead, headH, scoring.AdjustDelta, "-2.5", "harsh on KPIs"),
			check: func(t *testing.T, f *fixture, rs []domain.Recorded) {
				if rs[0].Actor.ID != f.h || rs[0].Actor.Role != domain.RoleUnitHead || rs[0].Reason != "harsh on KPIs" {
					t.Errorf("adjustment recorded as %+v", rs[0])
				}
			}},
		{name: "HR overrides", at: domain.StateCalibration, want: []string{evAdjusted}, when: adjust(domain.RoleHR, nil, scoring.AdjustOverride, "90", "agreed in meeting")},
		{name: "another unit's head", at: domain.StateCalibration, wantErr: domain.ErrForbidden, when: adjust(domain.RoleUnitHead, mgrM, scoring.AdjustDelta, "1", "x")},
		{name: "the manager does not calibrate", at: domain.StateCalibration, wantErr: domain.ErrForbidden, when: adjust(domain.RoleManager, mgrM, scoring.AdjustDelta, "1", "x")},
		{name: "not in review", at: domain.StateReview, wantErr: domain.ErrWrongState, when: adjust(domain.RoleHR, nil, scoring.AdjustDelta, "1", "x")},
		{name: "not in approval", at: domain.StateApproval, wantErr: domain.ErrWrongState, when: adjust(domain.RoleHR, nil, scoring.AdjustDelta, "1", "x")},
		{name: "an override above 100 without reason", at: domain.StateCalibration, wantErr: domain.ErrValidation, fields: []string{"reason", "value"},
			when: adjust(domain.RoleHR, nil, scoring.AdjustOverride, "100.5", "")},
		{name: "a zero delta", at: domain.StateCalibration, wantErr: domain.ErrValidation, fields: []string{"value"}, when: adjust(domain.RoleHR, nil, scoring.AdjustDelta, "0", "x")},
		{name: "an unknown kind", at: domain.StateCalibration, wantErr: domain.ErrValidation, fields: []string{"kind"}, when: adjust(domain.RoleHR, nil, "multiply", "2", "x")},
	})
}
