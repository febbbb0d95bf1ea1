package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// sampleVerdicts are rows of every shape: settled, open, invalid,
// duplicate, and fields a spreadsheet would run as formulas.
func sampleVerdicts() []msaccount.Verdict {
	both := msaccount.Verdict{
		Input: "Alex@Contoso.com", Address: "alex@contoso.com",
		Domain:   msaccount.Domain{Name: "contoso.com", Type: msaccount.Managed, TenantID: "72f988bf-0000-0000-0000-2d7cd011db47", Brand: "Contoso Ltd", Cloud: "microsoftonline.com", Region: "EU"},
		Personal: msaccount.Yes, Work: msaccount.Yes, Kind: msaccount.KindBoth, Certainty: msaccount.Confirmed,
		Evidence: []msaccount.Evidence{{Source: "realm", Detail: "contoso.com is verified (managed)"}, {Source: "credential_type", Detail: "knows alex@contoso.com as both"}},
	}
	evil := both
	evil.Input, evil.Address = "=HYPERLINK(\"http://x\")@contoso.com", ""
	evil.Domain.Brand = "+cmd|' /C calc'!A0"
	evil.Evidence = []msaccount.Evidence{{Source: "realm", Detail: "-1; a detail, with \"quotes\""}}
	invalid := msaccount.CheckOffline("bad@")
	dup := duplicate(msaccount.Target{Input: "ALEX@contoso.com", Address: "alex@contoso.com", Domain: "contoso.com"}, 1)
	open := msaccount.CheckOffline("sam@outlook.com")
	apostrophe := msaccount.CheckOffline("'quoted'@contoso.com")
	return []msaccount.Verdict{both, evil, invalid, dup, open, apostrophe}
}

func TestWriterJSONLIsTheVerdictContract(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, JSONL, true)
	for i, v := range sampleVerdicts() {
		if err := w.Write(Row{Line: i + 1, Verdict: v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i, v := range sampleVerdicts() {
		want, _ := json.Marshal(v)
		if got[i] != string(want) {
			t.Errorf("row %d = %s\nwant %s", i, got[i], want)
		}
	}
	var m map[string]any
	json.Unmarshal([]byte(got[0]), &m)
	keys := []string{"input", "address", "domain", "personal", "work", "kind", "certainty", "evidence", "error"}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("row lacks %q: %s", k, got[0])
		}
	}
	if len(m) != len(keys) {
		t.Errorf("row has %d keys, want %d: %s", len(m), len(keys), got[0])
	}
}

func TestWriterCSV(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, CSV, true)
	for i, v := range sampleVerdicts() {
		w.Write(Row{Line: i + 1, Verdict: v})
	}
	w.Flush()
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "input,address,domain,domain_type,tenant_id,brand,cloud,region,personal,work,kind,certainty,evidence,error" {
		t.Errorf("header = %q", recs[0])
	}
	want := []string{"Alex@Contoso.com", "alex@contoso.com", "contoso.com", "managed", "72f988bf-0000-0000-0000-2d7cd011db47", "Contoso Ltd",
		"microsoftonline.com", "EU", "yes", "yes", "both", "confirmed",
		"realm: contoso.com is verified (managed) | credential_type: knows alex@contoso.com as both", ""}
	if !reflect.DeepEqual(recs[1], want) {
		t.Errorf("row 1 = %q\nwant  %q", recs[1], want)
	}
	// No cell a spreadsheet would run as a formula.
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
	if recs[2][0] != `'=HYPERLINK("http://x")@contoso.com` || recs[2][5] != `'+cmd|' /C calc'!A0` {
		t.Errorf("formula cells = %q, %q", recs[2][0], recs[2][5])
	}
	if recs[4][13] != "duplicate of line 1" {
		t.Errorf("duplicate error = %q", recs[4][13])
	}
}

func TestWriterTable(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, Table, true)
	for i, v := range sampleVerdicts() {
		w.Write(Row{Line: i + 1, Verdict: v})
	}
	w.Flush()
	rows := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(rows) != 7 || !strings.HasPrefix(rows[0], "LINE") {
		t.Fatalf("table:\n%s", b.String())
	}
	for _, want := range []string{"alex@contoso.com", "both", "Contoso Ltd"} {
		if !strings.Contains(rows[1], want) {
			t.Errorf("row 1 lacks %q: %s", want, rows[1])
		}
	}
	if !strings.Contains(rows[4], "duplicate of line 1") || !strings.Contains(rows[4], "error") {
		t.Errorf("duplicate row: %s", rows[4])
	}
	// Columns line up: KIND starts at the same place on every row.
	at := strings.Index(rows[0], "KIND")
	for _, r := range rows[1:] {
		if r[at-2:at] != "  " {
			t.Errorf("misaligned row: %q", r)
		}
	}
}

func TestReadRowsRoundTrip(t *testing.T) {
	for _, f := range []Format{JSONL, CSV} {
		t.Run(string(f), func(t *testing.T) {
			var b bytes.Buffer
			w := NewWriter(&b, f, true)
			want := sampleVerdicts()
			for i, v := range want {
				w.Write(Row{Line: i + 1, Verdict: v})
			}
			w.Flush()
			full := b.Len()
			got, n, err := ReadRows(bytes.NewReader(b.Bytes()), int64(full), f)
			if err != nil || n != int64(full) {
				t.Fatalf("ReadRows = %d rows, n %d of %d, %v", len(got), n, full, err)
			}
			if f == CSV {
				// A CSV row carries each evidence line's source and
				// detail, not its code, and an input's error, not its
				// code.
				for i := range want {
					for j := range want[i].Evidence {
						want[i].Evidence[j].Code, want[i].Evidence[j].Args = "", nil
					}
					want[i].ErrorCode, want[i].ErrorChar = "", ""
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back:\n%+v\nwant\n%+v", got, want)
			}

			// A run killed while writing leaves half a row: it is dropped.
			b.WriteString(`{"input":"cut@contoso.com","addr`)
			if f == CSV {
				b.Truncate(full)
				b.WriteString(`"cut@contoso.com,"half a quoted`)
			}
			got, n, err = ReadRows(bytes.NewReader(b.Bytes()), int64(b.Len()), f)
			if err != nil || n != int64(full) || len(got) != len(want) {
				t.Errorf("with a partial row: %d rows, n %d (want %d), %v", len(got), n, full, err)
			}

			// Empty and header-only files resume from the start.
			got, n, err = ReadRows(bytes.NewReader(nil), 0, f)
			if err != nil || n != 0 || len(got) != 0 {
				t.Errorf("empty: %d rows, n %d, %v", len(got), n, err)
			}
		})
	}
}

func TestReadRowsRejectsOtherFiles(t *testing.T) {
	tests := []struct {
		name string
		f    Format
		data string
	}{
		{"a list, not verdicts", JSONL, "alex@contoso.com\n"},
		{"other JSON", JSONL, `{"user":"alex"}` + "\n"},
		{"CSV with another header", CSV, "email,name\nalex@contoso.com,Alex\n"},
		{"a table", Table, "LINE INPUT\n"},
		{"JSONL read as CSV", CSV, `{"input":"a@b.com","kind":"none"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := ReadRows(strings.NewReader(tt.data), int64(len(tt.data)), tt.f); err == nil {
				t.Errorf("ReadRows accepted %q as %s", tt.data, tt.f)
			}
		})
	}
}

func TestSameInputAcrossJSON(t *testing.T) {
	in := "bad\xffline@x.com"
	b, _ := json.Marshal(in)
	var written string
	json.Unmarshal(b, &written)
	if !sameInput(written, in) || sameInput(written, "other") || !sameInput("a", "a") {
		t.Errorf("sameInput(%q, %q) = false", written, in)
	}
}

func TestFormats(t *testing.T) {
	for path, want := range map[string]Format{"out.jsonl": JSONL, "OUT.CSV": CSV, "out.ndjson": JSONL, "out.txt": Table, "out": Table} {
		if got := FormatFor(path); got != want {
			t.Errorf("FormatFor(%q) = %s, want %s", path, got, want)
		}
	}
	for in, want := range map[string]Format{"csv": CSV, "JSONL": JSONL, "json": JSONL, " table ": Table} {
		if got, err := ParseFormat(in); got != want || err != nil {
			t.Errorf("ParseFormat(%q) = %s, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("ParseFormat(xml) succeeded")
	}
}

// TestEscapeCell: every cell a spreadsheet could run as a formula, or that
// starts a new line, is neutralised, and unescapeCell gives it back.
func TestEscapeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alex@contoso.com", "alex@contoso.com"},
		{"=1+2", "'=1+2"},
		{"+cmd", "'+cmd"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"|calc", "'|calc"},
		{"  =1+2", "'  =1+2"},
		{"\u00a0=1", "'\u00a0=1"},
		{"＝1+2", "'＝1+2"},
		{" ＋1", "' ＋1"},
		{"\n=1", "'\n=1"},
		{"\r\nx", "'\r\nx"},
		{"\tx", "'\tx"},
		{"'quoted", "''quoted"},
		{"a=b", "a=b"},
		{"Contoso | Fabrikam", "Contoso | Fabrikam"},
		{"", ""},
		{"   ", "   "},
	}
	for _, tt := range tests {
		if got := escapeCell(tt.in); got != tt.want {
			t.Errorf("escapeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := unescapeCell(escapeCell(tt.in)); back != tt.in {
			t.Errorf("unescapeCell(escapeCell(%q)) = %q", tt.in, back)
		}
	}
}
