package http

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// PayrollExport is the payroll of one closed cycle (SPEC §11), computed at a
// recorded position of the log so that the file can be traced to its events.
type PayrollExport struct {
	CycleID  string       `json:"cycle_id"`
	Position int64        `json:"position"`
	Rows     []PayrollRow `json:"rows"`
}

// PayrollRow is one employee's line. Money and scores are decimals, written
// as canonical decimal text in both formats so no spreadsheet rounding or
// binary float ever touches them.
type PayrollRow struct {
	EmployeeID      string          `json:"employee_id"`
	Name            string          `json:"name"`
	Unit            string          `json:"unit"`
	PositionLevel   string          `json:"position_level"`
	Standard        decimal.Decimal `json:"standard"`
	FinalScore      decimal.Decimal `json:"final_score"`
	Grade           string          `json:"grade"`
	Coefficient     decimal.Decimal `json:"coefficient"`
	PerformancePay  decimal.Decimal `json:"performance_pay"`
	ProrationFactor decimal.Decimal `json:"proration_factor"`
	Awards          decimal.Decimal `json:"awards"`
	Penalties       decimal.Decimal `json:"penalties"`
	Notes           string          `json:"notes"`
}

var payrollHeader = []string{
	"employee_id", "name", "unit", "position_level", "standard", "final_score", "grade",
	"coefficient", "performance_pay", "proration_factor", "awards", "penalties", "notes",
	"cycle_id", "computed_at_position",
}

// cells is one row; every row repeats the cycle and the position the export
// was computed at, so a row copied out of the file still says where it came
// from.
func (p PayrollExport) cells(r PayrollRow) []string {
	return []string{
		r.EmployeeID, r.Name, r.Unit, r.PositionLevel, r.Standard.StringFixed(2), r.FinalScore.StringFixed(2), r.Grade,
		r.Coefficient.String(), r.PerformancePay.StringFixed(2), r.ProrationFactor.String(), r.Awards.StringFixed(2),
		r.Penalties.StringFixed(2), r.Notes, p.CycleID, strconv.FormatInt(p.Position, 10),
	}
}

// WriteCSV writes the export as CSV: the header, then one row per employee.
func (p PayrollExport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	rows := [][]string{payrollHeader}
	for _, r := range p.Rows {
		rows = append(rows, p.cells(r))
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write payroll csv: %w", err)
	}
	return nil
}

// WriteXLSX writes the export as a workbook: sheet "Payroll" with the rows
// and sheet "About" with the cycle and position. Money and scores are number
// cells holding the exact decimal text (SetCellDefault), never a float.
func (p PayrollExport) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Payroll"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("payroll xlsx: %w", err)
	}
	if err := f.SetSheetRow(sheet, "A1", &payrollHeader); err != nil {
		return fmt.Errorf("payroll xlsx: %w", err)
	}
	twoPlaces, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return fmt.Errorf("payroll xlsx: %w", err)
	}
	numeric := map[int]bool{4: true, 5: true, 7: true, 8: true, 9: true, 10: true, 11: true, 14: true}
	money := map[int]bool{4: true, 5: true, 8: true, 10: true, 11: true}
	for i, r := range p.Rows {
		for j, v := range p.cells(r) {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			set := f.SetCellStr
			if numeric[j] {
				set = f.SetCellDefault
			}
			if err := set(sheet, cell, v); err != nil {
				return fmt.Errorf("payroll xlsx row %d: %w", i+1, err)
			}
			if money[j] {
				if err := f.SetCellStyle(sheet, cell, cell, twoPlaces); err != nil {
					return fmt.Errorf("payroll xlsx row %d: %w", i+1, err)
				}
			}
		}
	}
	if _, err := f.NewSheet("About"); err != nil {
		return fmt.Errorf("payroll xlsx: %w", err)
	}
	for i, row := range [][]any{{"cycle", p.CycleID}, {"computed at position", p.Position}} {
		if err := f.SetSheetRow("About", fmt.Sprintf("A%d", i+1), &row); err != nil {
			return fmt.Errorf("payroll xlsx: %w", err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("payroll xlsx: %w", err)
	}
	return nil
}
