package domain

import (
	"bytes"
	"slices"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// OrganisationStream is the one stream of the organisation: units, position
// levels and employees with their reporting lines. One stream keeps every
// organisational rule (no reporting loops, a manager must be employed, a head
// must work here) checkable against one consistent state, and makes "the
// organisation as it was at position P" a plain replay. Organisation changes
// are rare, so one stream is no contention point.
const OrganisationStream = "organisation"

// Organisation is the aggregate of SPEC §1. Its state is rebuilt from events;
// commands validate against it and return new events.
type Organisation struct {
	units     map[uuid.UUID]*Unit
	levels    map[uuid.UUID]*PositionLevel
	employees map[uuid.UUID]*Employee
}

// Unit is a department or site as the organisation knows it now.
type Unit struct {
	ID       uuid.UUID
	Name     string
	ParentID uuid.UUID
	HeadID   uuid.UUID // uuid.Nil until a head is appointed
}

// PositionLevel is a level with its current monthly pay standard.
type PositionLevel struct {
	ID              uuid.UUID
	Name            string
	MonthlyStandard decimal.Decimal
}

// Employee is a person as the organisation knows them now.
type Employee struct {
	ID        uuid.UUID
	Name      string
	UnitID    uuid.UUID
	ManagerID uuid.UUID // uuid.Nil at the top of the hierarchy
	LevelID   uuid.UUID
	Active    bool // false once the employee has left
}

// NewOrganisation returns an empty organisation, before any event.
func NewOrganisation() *Organisation {
	return &Organisation{
		units:     map[uuid.UUID]*Unit{},
		levels:    map[uuid.UUID]*PositionLevel{},
		employees: map[uuid.UUID]*Employee{},
	}
}

// apply changes state by one event; it never validates (history is fact).
// Events of other aggregates are ignored, so the fold can feed it the log.
func (o *Organisation) apply(e Event) {
	switch e := e.(type) {
	case UnitCreated:
		o.units[e.UnitID] = &Unit{ID: e.UnitID, Name: e.Name, ParentID: e.ParentID}
	case UnitHeadAppointed:
		if u := o.units[e.UnitID]; u != nil {
			u.HeadID = e.HeadID
		}
	case PositionLevelDefined:
		o.levels[e.LevelID] = &PositionLevel{ID: e.LevelID, Name: e.Name, MonthlyStandard: e.MonthlyStandard}
	case PayStandardChanged:
		if l := o.levels[e.LevelID]; l != nil {
			l.MonthlyStandard = e.MonthlyStandard
		}
	case EmployeeHired:
		o.employees[e.EmployeeID] = &Employee{ID: e.EmployeeID, Name: e.Name, UnitID: e.UnitID,
			ManagerID: e.ManagerID, LevelID: e.LevelID, Active: true}
	case EmployeeTransferred:
		o.updateEmployee(e.EmployeeID, func(m *Employee) { m.UnitID, m.ManagerID = e.UnitID, e.ManagerID })
	case ManagerChanged:
		o.updateEmployee(e.EmployeeID, func(m *Employee) { m.ManagerID = e.ManagerID })
	case LevelChanged:
		o.updateEmployee(e.EmployeeID, func(m *Employee) { m.LevelID = e.LevelID })
	case EmployeeLeft:
		o.updateEmployee(e.EmployeeID, func(m *Employee) { m.Active = false })
	}
}

func (o *Organisation) updateEmployee(id uuid.UUID, f func(*Employee)) {
	if m := o.employees[id]; m != nil {
		f(m)
	}
}

// Unit returns a copy of the unit with id.
func (o *Organisation) Unit(id uuid.UUID) (Unit, bool) {
	u := o.units[id]
	if u == nil {
		return Unit{}, false
	}
	return *u, true
}

// Level returns a copy of the position level with id.
func (o *Organisation) Level(id uuid.UUID) (PositionLevel, bool) {
	l := o.levels[id]
	if l == nil {
		return PositionLevel{}, false
	}
	return *l, true
}

// Employee returns a copy of the employee with id (active or not).
func (o *Organisation) Employee(id uuid.UUID) (Employee, bool) {
	m := o.employees[id]
	if m == nil {
		return Employee{}, false
	}
	return *m, true
}

// Employees returns every employee, active or not, ordered by id so that
// everything built from the list is deterministic.
func (o *Organisation) Employees() []Employee {
	out := make([]Employee, 0, len(o.employees))
	for _, m := range o.employees {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Employee) int { return compareIDs(a.ID, b.ID) })
	return out
}

// Units returns every unit ordered by id.
func (o *Organisation) Units() []Unit {
	out := make([]Unit, 0, len(o.units))
	for _, u := range o.units {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Unit) int { return compareIDs(a.ID, b.ID) })
	return out
}

// Target returns the relationships of employee id that authorisation needs:
// their manager of record, unit and unit head. An unknown id gives a Target
// naming only the id, which authorises nobody but HR and auditors.
func (o *Organisation) Target(id uuid.UUID) Target {
	t := Target{Employee: id}
	m := o.employees[id]
	if m == nil {
		return t
	}
	t.Manager = m.ManagerID
	t.Unit = m.UnitID
	if u := o.units[m.UnitID]; u != nil {
		t.UnitHead = u.HeadID
	}
	return t
}

// UnitTarget returns the relationships of a unit: its head.
func (o *Organisation) UnitTarget(id uuid.UUID) Target {
	t := Target{Unit: id}
	if u := o.units[id]; u != nil {
		t.UnitHead = u.HeadID
	}
	return t
}

// activeEmployee reports whether id is someone employed now.
func (o *Organisation) activeEmployee(id uuid.UUID) bool {
	m := o.employees[id]
	return m != nil && m.Active
}

// reportsTo reports whether walking up from start reaches id: making id the
// manager of start's chain would close a loop.
func (o *Organisation) reportsTo(start, id uuid.UUID) bool {
	seen := map[uuid.UUID]bool{}
	for cur := start; cur != uuid.Nil && !seen[cur]; {
		if cur == id {
			return true
		}
		seen[cur] = true
		m := o.employees[cur]
		if m == nil {
			return false
		}
		cur = m.ManagerID
	}
	return false
}

// compareIDs orders uuids bytewise, the order of every deterministic list.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
