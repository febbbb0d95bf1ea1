package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// auditFake is Microsoft knowing contoso.com (managed) and outlook.com.
func auditFake(t *testing.T) *msaccounttest.Server {
	t.Helper()
	f := msaccounttest.New(t)
	f.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: "72f988bf-0000-0000-0000-2d7cd011db47", Brand: "Contoso Ltd", Region: "EU"})
	f.AddDomain(msaccounttest.Domain{Name: "outlook.com", Type: msaccounttest.TypeConsumer})
	f.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	f.AddAccount("megan@contoso.com", msaccounttest.Account{Work: true})
	f.AddAccount("pat@contoso.com", msaccounttest.Account{Personal: true})
	f.AddAccount("sam@outlook.com", msaccounttest.Account{Personal: true})
	return f
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const auditList = "Alex@Contoso.com\nmegan@contoso.com\n\nnot an address\npat@contoso.com\nalex@contoso.com\nnobody@contoso.com\nsam@outlook.com\n"

func TestAuditUsageErrors(t *testing.T) {
	list := writeFile(t, "list.txt", auditList)
	users := writeFile(t, "users.csv", "name,email\nAlex,alex@contoso.com\n")
	existing := writeFile(t, "out.jsonl", "{}\n")
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no input", []string{"audit"}, 2, "needs --in FILE"},
		{"stray argument", []string{"audit", "--in", list, "more.txt"}, 2, "no arguments besides its flags"},
		{"unknown format", []string{"audit", "--in", list, "--format", "xml"}, 2, `unknown format "xml"`},
		{"zero rate", []string{"audit", "--in", list, "--rate", "0"}, 2, "--rate must be"},
		{"rate not a number", []string{"audit", "--in", list, "--rate", "fast"}, 2, "invalid value"},
		{"no concurrency", []string{"audit", "--in", list, "--concurrency", "0"}, 2, "--concurrency must be"},
		{"resume to stdout", []string{"audit", "--in", list, "--resume"}, 2, "--resume needs --out"},
		{"resume a table", []string{"audit", "--in", list, "--out", filepath.Join(t.TempDir(), "out.txt"), "--resume"}, 2, "table cannot be read back"},
		{"unknown column", []string{"audit", "--in", users, "--column", "upn"}, 2, `there is no column "upn"; the columns are "name", "email"`},
		{"output exists", []string{"audit", "--in", list, "--out", existing}, 2, "already exists: add --resume"},
		{"out is in", []string{"audit", "--in", list, "--out", list}, 2, "must not be the --in file"},
		{"missing input", []string{"audit", "--in", filepath.Join(t.TempDir(), "missing.txt")}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, map[string]string{"WHICHACCOUNT_LOOKUP": "offline"}, "", tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.err) {
				t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.err)
			}
			if out != "" {
				t.Errorf("stdout = %q", out)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "{}\n" {
		t.Errorf("an existing output was changed: %q", b)
	}
}

func TestAuditOfflineFromStdin(t *testing.T) {
	code, out, errs := runCmd(t, nil, auditList, "audit", "--offline", "--in", "-", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows := decodeLines(t, out)
	inputs := []string{"Alex@Contoso.com", "megan@contoso.com", "not an address", "pat@contoso.com", "alex@contoso.com", "nobody@contoso.com", "sam@outlook.com"}
	if len(rows) != len(inputs) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(inputs), out)
	}
	for i, in := range inputs {
		if rows[i]["input"] != in {
			t.Errorf("row %d input %v, want %q", i, rows[i]["input"], in)
		}
	}
	if rows[4]["error"] != "duplicate of line 1" || !strings.Contains(rows[2]["error"].(string), "not an email address") {
		t.Errorf("errors: %v / %v", rows[4]["error"], rows[2]["error"])
	}
	if rows[6]["work"] != "no" || rows[6]["kind"] != "unknown" {
		t.Errorf("offline outlook.com row = %v", rows[6])
	}
	// The verdict JSON of the design, key for key.
	var first map[string]json.RawMessage
	json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first)
	for _, k := range []string{"input", "address", "domain", "personal", "work", "kind", "certainty", "evidence", "error"} {
		if _, ok := first[k]; !ok {
			t.Errorf("row lacks %q", k)
		}
	}
	for _, want := range []string{"offline: built-in rules only", "audit done: 7 of 7 rows", "bad lines: 2 (1 duplicate)", "line 4 ", "line 6 ", "duplicate of line 1", "no calls this run"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestAuditCSVExportThroughFake(t *testing.T) {
	f := auditFake(t)
	dir := t.TempDir()
	users := filepath.Join(dir, "users.csv")
	os.WriteFile(users, []byte("\ufeff\"userPrincipalName\",\"displayName\",\"mail\",\"alternateEmailAddress\"\r\n"+
		"\"alex@contoso.com\",\"Alex Wilber\",\"alex@contoso.com\",\"alex.w@outlook.com\"\r\n"+
		"\"megan@contoso.com\",\"Bowen, Megan\",\"megan@contoso.com\",\"\"\r\n"+
		"\"pat@contoso.com\",\"Pat\",\"\",\"\"\r\n"+
		"\"nobody@contoso.com\",\"Nobody\",\"nobody@contoso.com\",\"\"\r\n"), 0o600)
	out := filepath.Join(dir, "report.csv")
	env := map[string]string{"WHICHACCOUNT_LOGIN_URL": f.URL}
	code, stdout, errs := runCmd(t, env, "", "audit", "--in", users, "--out", out, "--rate", "1000", "--concurrency", "8")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[0][0] != "input" || recs[0][10] != "kind" {
		t.Fatalf("report:\n%s", b)
	}
	wantKinds := []string{"both", "work", "personal", "none"}
	for i, k := range wantKinds {
		if recs[i+1][10] != k || recs[i+1][3] != "managed" || recs[i+1][4] != "72f988bf-0000-0000-0000-2d7cd011db47" {
			t.Errorf("row %d = %q, want kind %s", i+1, recs[i+1], k)
		}
	}
	for _, want := range []string{`column "userPrincipalName" (1 of 4)`, "both 1 · personal 1 · work 1 · none 1",
		"overlapping accounts", "contoso.com", "Microsoft:    9 calls this run"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if n := f.Requests(msaccounttest.EndpointRealm); n != 4 {
		t.Errorf("realm requests = %d, want 4", n)
	}
}

func TestAuditResumeThroughRun(t *testing.T) {
	f := auditFake(t)
	env := map[string]string{"WHICHACCOUNT_LOGIN_URL": f.URL}
	list := writeFile(t, "list.txt", auditList)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	if code, _, errs := runCmd(t, env, "", "audit", "--in", list, "--out", out, "--rate", "1000"); code != 0 {
		t.Fatalf("first run: %d\n%s", code, errs)
	}
	full, _ := os.ReadFile(out)

	// Keep two rows and half of the third, as a killed run would.
	lines := strings.SplitAfter(string(full), "\n")
	os.WriteFile(out, []byte(lines[0]+lines[1]+lines[2][:20]), 0o600)
	f.Reset()
	code, _, errs := runCmd(t, env, "", "audit", "--in", list, "--out", out, "--rate", "1000", "--resume")
	if code != 0 {
		t.Fatalf("resumed run: %d\n%s", code, errs)
	}
	got, _ := os.ReadFile(out)
	if string(got) != string(full) {
		t.Errorf("resumed output:\n%s\nwant\n%s", got, full)
	}
	// Rows 3..7 needed lookups for pat, nobody and sam only.
	if n := f.Requests(msaccounttest.EndpointRealm); n != 3 {
		t.Errorf("realm requests on resume = %d, want 3", n)
	}
	if !strings.Contains(errs, "2 resumed from the earlier run") || !strings.Contains(errs, "7 of 7 rows") {
		t.Errorf("stderr:\n%s", errs)
	}

	// Nothing left: a resumed run writes nothing and asks nothing.
	f.Reset()
	if code, _, errs := runCmd(t, env, "", "audit", "--in", list, "--out", out, "--resume"); code != 0 || f.Requests(msaccounttest.EndpointRealm) != 0 {
		t.Errorf("resume of a finished run: %d, %d requests\n%s", code, f.Requests(msaccounttest.EndpointRealm), errs)
	}
	if again, _ := os.ReadFile(out); string(again) != string(full) {
		t.Errorf("finished output changed:\n%s", again)
	}

	// Another list is refused rather than appended to.
	other := writeFile(t, "other.txt", "someone@else.com\n")
	if code, _, errs := runCmd(t, env, "", "audit", "--in", other, "--out", out, "--resume"); code != 1 || !strings.Contains(errs, "does not belong to this input") {
		t.Errorf("resume with another list: %d\n%s", code, errs)
	}
}

func TestAuditInterrupted(t *testing.T) {
	f := auditFake(t)
	list := writeFile(t, "list.txt", auditList)
	out := filepath.Join(t.TempDir(), "out.csv")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"audit", "--in", list, "--out", out}, func(k string) string {
		return map[string]string{"WHICHACCOUNT_LOGIN_URL": f.URL}[k]
	}, strings.NewReader(""), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "run the same command with --resume") {
		t.Errorf("interrupted run: %d\n%s", code, stderr.String())
	}
	if f.Requests(msaccounttest.EndpointRealm) != 0 {
		t.Errorf("a cancelled run sent requests")
	}
}

func TestAuditTableByDefault(t *testing.T) {
	list := writeFile(t, "list.txt", auditList)
	code, out, errs := runCmd(t, nil, "", "audit", "--offline", "--in", list)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 8 || !strings.HasPrefix(rows[0], "LINE") || !strings.Contains(rows[5], "duplicate of line 1") {
		t.Errorf("table:\n%s", out)
	}
	// --out's extension picks the format.
	jsonl := filepath.Join(t.TempDir(), "out.jsonl")
	if code, _, errs := runCmd(t, nil, "", "audit", "--offline", "--in", list, "--out", jsonl); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, _ := os.ReadFile(jsonl)
	if rows := decodeLines(t, string(b)); len(rows) != 7 {
		t.Errorf("%d JSON rows", len(rows))
	}
}
