package http

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

func samplePayroll() PayrollExport {
	d := decimal.RequireFromString
	return PayrollExport{CycleID: "c-1", Position: 42, Rows: []PayrollRow{{
		EmployeeID: "e-1", Name: "王芳", Unit: "商管部", PositionLevel: "specialist", Standard: d("300"),
		FinalScore: d("95.5"), Grade: "A", Coefficient: d("1.15"), PerformancePay: d("345"),
		ProrationFactor: d("1"), Awards: d("200"), Penalties: d("0"), Notes: "优秀员工奖",
	}}}
}

func TestPayrollCSV(t *testing.T) {
	var b bytes.Buffer
	if err := samplePayroll().WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := strings.Join(payrollHeader, ",") + "\n" +
		"e-1,王芳,商管部,specialist,300.00,95.50,A,1.15,345.00,1,200.00,0.00,优秀员工奖,c-1,42\n"
	if b.String() != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPayrollXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := samplePayroll().WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Payroll")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][8] != "345.00" || rows[1][1] != "王芳" || rows[1][7] != "1.15" {
		t.Fatalf("rows %q", rows)
	}
	if typ, _ := f.GetCellType("Payroll", "I2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Fatalf("pay must be a number cell, got type %v", typ)
	}
	pos, _ := f.GetCellValue("About", "B2")
	if pos != "42" {
		t.Fatalf("position %q", pos)
	}
}
