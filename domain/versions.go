package domain

import (
	"errors"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// TemplateStream is the stream of one template's versions.
func TemplateStream(id uuid.UUID) string { return streamOf("template-", id) }

// PolicyStream is the stream of one policy's versions.
func PolicyStream(id uuid.UUID) string { return streamOf("policy-", id) }

// Versions is the history of a versioned document: version n is at index
// n-1. Templates and policies are data, never edited in place (SPEC §12): a
// change is a new version, and cycles keep the version they started with.
type Versions[T any] struct {
	list []T
}

// Latest returns the newest version, or the zero value when there is none.
func (v *Versions[T]) Latest() (T, bool) {
	var zero T
	if len(v.list) == 0 {
		return zero, false
	}
	return v.list[len(v.list)-1], true
}

// At returns version n (1-based).
func (v *Versions[T]) At(n int) (T, bool) {
	var zero T
	if n < 1 || n > len(v.list) {
		return zero, false
	}
	return v.list[n-1], true
}

// Count is the number of versions, which is also the latest version number.
func (v *Versions[T]) Count() int { return len(v.list) }

// TemplateVersions is the aggregate of one template (SPEC §3).
type TemplateVersions struct {
	Versions[scoring.Template]
}

// PolicyVersions is the aggregate of one policy (SPEC §4, §6-§10).
type PolicyVersions struct {
	Versions[scoring.Policy]
}

func (v *TemplateVersions) apply(e Event) {
	if e, ok := e.(TemplateVersionPublished); ok {
		v.list = append(v.list, e.Template)
	}
}

func (v *PolicyVersions) apply(e Event) {
	if e, ok := e.(PolicyVersionPublished); ok {
		v.list = append(v.list, e.Policy)
	}
}

// Publish validates t as the next version of this template and records it.
// The version number is assigned here (latest + 1), so a caller cannot skip
// or reuse one.
func (v *TemplateVersions) Publish(actor Actor, t scoring.Template) ([]Event, error) {
	if err := Authorize(actor, ActManageTemplates, Target{}); err != nil {
		return nil, err
	}
	latest, _ := v.Latest()
	t.Version = v.Count() + 1
	if err := checkNextVersion(latest.ID, t.ID, t.Validate()); err != nil {
		return nil, err
	}
	return []Event{TemplateVersionPublished{Template: t}}, nil
}

// Publish validates p as the next version of this policy and records it.
func (v *PolicyVersions) Publish(actor Actor, p scoring.Policy) ([]Event, error) {
	if err := Authorize(actor, ActManagePolicies, Target{}); err != nil {
		return nil, err
	}
	latest, _ := v.Latest()
	p.Version = v.Count() + 1
	if err := checkNextVersion(latest.ID, p.ID, p.Validate()); err != nil {
		return nil, err
	}
	return []Event{PolicyVersionPublished{Policy: p}}, nil
}

// checkNextVersion merges the engine's own validation with the rule that a
// new version keeps the document's id.
func checkNextVersion(existing, id uuid.UUID, invalid error) error {
	var p problems
	if existing != uuid.Nil && id != existing {
		p.add("id", "must stay %s for every version", existing)
	}
	var ve *scoring.ValidationError
	if errors.As(invalid, &ve) {
		for _, sp := range ve.Problems {
			p.add(sp.Field, "%s", sp.Message)
		}
	} else if invalid != nil {
		p.add("", "%s", invalid.Error())
	}
	return p.err()
}
