package domain

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// CreateUnit asks for a new unit; ParentID may be uuid.Nil.
type CreateUnit struct {
	UnitID   uuid.UUID
	Name     string
	ParentID uuid.UUID
}

// AppointUnitHead names the head of a unit; the head must be employed.
type AppointUnitHead struct {
	UnitID uuid.UUID
	HeadID uuid.UUID
}

// DefinePositionLevel adds a level with its monthly pay standard.
type DefinePositionLevel struct {
	LevelID         uuid.UUID
	Name            string
	MonthlyStandard decimal.Decimal
}

// ChangePayStandard sets a level's monthly standard from now on.
type ChangePayStandard struct {
	LevelID         uuid.UUID
	MonthlyStandard decimal.Decimal
	Reason          string
}

// HireEmployee adds a person.
type HireEmployee struct {
	EmployeeID uuid.UUID
	Name       string
	UnitID     uuid.UUID
	ManagerID  uuid.UUID
	LevelID    uuid.UUID
}

// TransferEmployee moves a person to another unit and manager.
type TransferEmployee struct {
	EmployeeID uuid.UUID
	UnitID     uuid.UUID
	ManagerID  uuid.UUID
	Reason     string
}

// ChangeManager gives a person a new manager of record.
type ChangeManager struct {
	EmployeeID uuid.UUID
	ManagerID  uuid.UUID
	Reason     string
}

// ChangeLevel moves a person to another position level.
type ChangeLevel struct {
	EmployeeID uuid.UUID
	LevelID    uuid.UUID
	Reason     string
}

// RecordLeave ends a person's employment.
type RecordLeave struct {
	EmployeeID uuid.UUID
	Reason     string
}

// Every organisation command is HR's (SPEC §13); each first authorises, so a
// refused caller learns nothing about the organisation from validation
// messages.

// CreateUnit validates and records a new unit.
func (o *Organisation) CreateUnit(actor Actor, c CreateUnit) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	checkID(&p, "unit_id", c.UnitID)
	checkText(&p, "name", c.Name, MaxNameLen)
	if _, dup := o.units[c.UnitID]; dup && c.UnitID != uuid.Nil {
		p.add("unit_id", "is already used by another unit")
	}
	if c.ParentID != uuid.Nil && o.units[c.ParentID] == nil {
		p.add("parent_id", "is not a known unit")
	}
	return single(UnitCreated{UnitID: c.UnitID, Name: c.Name, ParentID: c.ParentID}, p.err())
}

// AppointUnitHead validates and records a unit's new head.
func (o *Organisation) AppointUnitHead(actor Actor, c AppointUnitHead) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	p.check(o.units[c.UnitID] != nil, "unit_id", "is not a known unit")
	p.check(o.activeEmployee(c.HeadID), "head_id", "is not a current employee")
	return single(UnitHeadAppointed(c), p.err())
}

// DefinePositionLevel validates and records a new level.
func (o *Organisation) DefinePositionLevel(actor Actor, c DefinePositionLevel) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	checkID(&p, "level_id", c.LevelID)
	if _, dup := o.levels[c.LevelID]; dup && c.LevelID != uuid.Nil {
		p.add("level_id", "is already used by another level")
	}
	checkText(&p, "name", c.Name, MaxNameLen)
	checkMoney(&p, "monthly_standard", c.MonthlyStandard)
	return single(PositionLevelDefined(c), p.err())
}

// ChangePayStandard validates and records a level's new standard.
func (o *Organisation) ChangePayStandard(actor Actor, c ChangePayStandard) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	p.check(o.levels[c.LevelID] != nil, "level_id", "is not a known level")
	checkMoney(&p, "monthly_standard", c.MonthlyStandard)
	checkReason(&p, "reason", c.Reason)
	return single(PayStandardChanged(c), p.err())
}

// HireEmployee validates and records a hire.
func (o *Organisation) HireEmployee(actor Actor, c HireEmployee) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	checkID(&p, "employee_id", c.EmployeeID)
	if _, dup := o.employees[c.EmployeeID]; dup && c.EmployeeID != uuid.Nil {
		p.add("employee_id", "is already used by another employee")
	}
	checkText(&p, "name", c.Name, MaxNameLen)
	p.check(o.units[c.UnitID] != nil, "unit_id", "is not a known unit")
	p.check(o.levels[c.LevelID] != nil, "level_id", "is not a known level")
	o.checkManager(&p, c.EmployeeID, c.ManagerID)
	return single(EmployeeHired(c), p.err())
}

// TransferEmployee validates and records a transfer.
func (o *Organisation) TransferEmployee(actor Actor, c TransferEmployee) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	o.checkCurrent(&p, c.EmployeeID)
	p.check(o.units[c.UnitID] != nil, "unit_id", "is not a known unit")
	o.checkManager(&p, c.EmployeeID, c.ManagerID)
	checkReason(&p, "reason", c.Reason)
	if m := o.employees[c.EmployeeID]; m != nil && m.UnitID == c.UnitID {
		p.add("unit_id", "is the employee's current unit")
	}
	return single(EmployeeTransferred(c), p.err())
}

// ChangeManager validates and records a new reporting line.
func (o *Organisation) ChangeManager(actor Actor, c ChangeManager) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	o.checkCurrent(&p, c.EmployeeID)
	o.checkManager(&p, c.EmployeeID, c.ManagerID)
	checkReason(&p, "reason", c.Reason)
	if m := o.employees[c.EmployeeID]; m != nil && m.ManagerID == c.ManagerID {
		p.add("manager_id", "is already the employee's manager")
	}
	return single(ManagerChanged(c), p.err())
}

// ChangeLevel validates and records a level change.
func (o *Organisation) ChangeLevel(actor Actor, c ChangeLevel) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	o.checkCurrent(&p, c.EmployeeID)
	p.check(o.levels[c.LevelID] != nil, "level_id", "is not a known level")
	checkReason(&p, "reason", c.Reason)
	if m := o.employees[c.EmployeeID]; m != nil && m.LevelID == c.LevelID {
		p.add("level_id", "is already the employee's level")
	}
	return single(LevelChanged(c), p.err())
}

// RecordLeave validates and records a departure. Someone who still manages
// current employees or heads a unit cannot leave until HR reassigns those
// lines: otherwise reports would have a manager of record nobody can act as.
func (o *Organisation) RecordLeave(actor Actor, c RecordLeave) ([]Event, error) {
	if err := Authorize(actor, ActManageOrganisation, Target{}); err != nil {
		return nil, err
	}
	var p problems
	o.checkCurrent(&p, c.EmployeeID)
	checkReason(&p, "reason", c.Reason)
	for _, m := range o.employees {
		if m.Active && m.ManagerID == c.EmployeeID && c.EmployeeID != uuid.Nil {
			p.add("employee_id", "still manages current employees; change their manager first")
			break
		}
	}
	for _, u := range o.Units() {
		if u.HeadID == c.EmployeeID && c.EmployeeID != uuid.Nil {
			p.add("employee_id", "still heads unit %q; appoint another head first", u.Name)
		}
	}
	return single(EmployeeLeft(c), p.err())
}

// checkCurrent records an employee id that is not someone employed now.
func (o *Organisation) checkCurrent(p *problems, id uuid.UUID) {
	p.check(o.activeEmployee(id), "employee_id", "is not a current employee")
}

// checkManager records a manager who is not employed, is the employee
// themself, or reports (directly or not) to the employee.
func (o *Organisation) checkManager(p *problems, employee, manager uuid.UUID) {
	switch {
	case manager == uuid.Nil:
		// The top of the hierarchy reports to nobody.
	case manager == employee:
		p.add("manager_id", "an employee cannot manage themself")
	case !o.activeEmployee(manager):
		p.add("manager_id", "is not a current employee")
	case o.reportsTo(manager, employee):
		p.add("manager_id", "reports to the employee; the reporting line would loop")
	}
}
