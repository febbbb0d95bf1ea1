package audit

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

func texts(in []Input) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = x.Text
	}
	return out
}

func lines(in []Input) []int {
	out := make([]int, len(in))
	for i, x := range in {
		out[i] = x.Line
	}
	return out
}

func TestReadExports(t *testing.T) {
	tests := []struct {
		file      string
		column    string // --column, or "" to detect
		csv       bool
		header    bool
		colName   string
		colIndex  int
		delimiter rune
		texts     []string
		lines     []int
	}{
		{
			file: "entra_users.csv", csv: true, header: true, colName: "userPrincipalName", colIndex: 1, delimiter: ',',
			texts: []string{"alex.wilber@contoso.com", "megan.bowen@contoso.com", "admin@contoso.onmicrosoft.com",
				"jane_gmail.com#EXT#@contoso.onmicrosoft.com", "lee.gu@contoso.com", "Patti.Fernandez@Contoso.com", "diego.siciliani@contoso.com"},
			lines: []int{2, 3, 4, 5, 6, 7, 8},
		},
		{
			file: "entra_users.csv", column: "mail", csv: true, header: true, colName: "mail", colIndex: 4, delimiter: ',',
			texts: []string{"alex.wilber@contoso.com", "megan.bowen@contoso.com", "", "jane@gmail.com", "", "Patti.Fernandez@contoso.com", "diego.siciliani@contoso.com"},
			lines: []int{2, 3, 4, 5, 6, 7, 8},
		},
		{
			file: "google_workspace_users.csv", csv: true, header: true, colName: "Email Address [Required]", colIndex: 2, delimiter: ',',
			texts: []string{"ana@fabrikam.com", "rui@fabrikam.com", "bea@fabrikam.com", "caio@fabrikam.com", "duda@fabrikam.com", "eva@fabrikam.com"},
			lines: []int{2, 3, 4, 5, 6, 7},
		},
		{
			// The bracketed note may be left out, and case does not matter.
			file: "google_workspace_users.csv", column: "recovery email", csv: true, header: true, colName: "Recovery Email", colIndex: 7, delimiter: ',',
			texts: []string{"ana.lima@gmail.com", "", "bea.s@yahoo.com", "", "duda@outlook.com", ""},
			lines: []int{2, 3, 4, 5, 6, 7},
		},
		{
			file: "google_workspace_users.csv", column: "email address", csv: true, header: true, colName: "Email Address [Required]", colIndex: 2, delimiter: ',',
			texts: []string{"ana@fabrikam.com", "rui@fabrikam.com", "bea@fabrikam.com", "caio@fabrikam.com", "duda@fabrikam.com", "eva@fabrikam.com"},
			lines: []int{2, 3, 4, 5, 6, 7},
		},
		{
			file:  "plain_list.txt",
			texts: []string{"alex@contoso.com", "megan.bowen@contoso.com", `"Lee Gu" <lee.gu@contoso.com>`, "sam@outlook.com", "not an address", "  ", "kim@gmail.com"},
			lines: []int{1, 2, 4, 5, 6, 7, 8},
		},
		{
			file: "plain_list_header.csv", csv: true, header: true, colName: "Email", colIndex: 0, delimiter: ',',
			texts: []string{"alex@contoso.com", "sam@outlook.com", "kim@gmail.com"},
			lines: []int{2, 3, 5},
		},
		{
			file: "excel_semicolon.csv", csv: true, header: true, colName: "E-Mail", colIndex: 1, delimiter: ';',
			texts: []string{"jan.mueller@contoso.de", "eva.schmidt@contoso.de", "tom.klein@contoso.de"},
			lines: []int{2, 3, 4},
		},
		{
			file: "excel_semicolon.csv", column: "4", csv: true, header: true, colName: "Vorgesetzter E-Mail", colIndex: 3, delimiter: ';',
			texts: []string{"chef@contoso.de", "chef@contoso.de", "chef@contoso.de"},
			lines: []int{2, 3, 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.column, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			in, src, err := Read(f, ReadOptions{Name: tt.file, Column: tt.column})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if src.CSV != tt.csv || src.Header != tt.header || src.CSV && (src.ColumnName != tt.colName || src.Column != tt.colIndex || src.Delimiter != tt.delimiter) {
				t.Errorf("source = %+v, want csv %v header %v column %q (%d) delimiter %q", src, tt.csv, tt.header, tt.colName, tt.colIndex, tt.delimiter)
			}
			if got := texts(in); !slices.Equal(got, tt.texts) {
				t.Errorf("texts = %q\nwant    %q", got, tt.texts)
			}
			if got := lines(in); !slices.Equal(got, tt.lines) {
				t.Errorf("lines = %v, want %v", got, tt.lines)
			}
			t.Logf("read as %s", src)
		})
	}
}

func TestReadText(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		texts []string
		lines []int
	}{
		{"empty", "", nil, nil},
		{"only blank lines", "\n\n\r\n", nil, nil},
		{"no final newline", "a@b.com\nc@d.com", []string{"a@b.com", "c@d.com"}, []int{1, 2}},
		{"CRLF", "a@b.com\r\n\r\nc@d.com\r\n", []string{"a@b.com", "c@d.com"}, []int{1, 3}},
		{"whitespace-only lines are entries", "a@b.com\n \t\n", []string{"a@b.com", " \t"}, []int{1, 2}},
		{"BOM", "\ufeffa@b.com\n", []string{"a@b.com"}, []int{1}},
		{"header word skipped", "E-mail\na@b.com\n", []string{"a@b.com"}, []int{2}},
		{"header only when first", "a@b.com\nemail\n", []string{"a@b.com", "email"}, []int{1, 2}},
		{"display names stay whole", "Smith Alex <a@b.com>\n", []string{"Smith Alex <a@b.com>"}, []int{1}},
		{"commas with an @ on the first line stay text", "a@b.com, c@d.com\n", []string{"a@b.com, c@d.com"}, []int{1}},
		{"long line cut", strings.Repeat("x", MaxText+100) + "\nok@b.com\n", []string{strings.Repeat("x", MaxText), "ok@b.com"}, []int{1, 2}},
		{"long line cut at a character", strings.Repeat("é", MaxText) + "\n", []string{strings.Repeat("é", MaxText/2)}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, src, err := Read(strings.NewReader(tt.data), ReadOptions{Name: "list.txt"})
			if err != nil {
				t.Fatal(err)
			}
			if src.CSV {
				t.Errorf("read as CSV: %+v", src)
			}
			if got := texts(in); !slices.Equal(got, tt.texts) {
				t.Errorf("texts = %q, want %q", got, tt.texts)
			}
			if got := lines(in); !slices.Equal(got, tt.lines) {
				t.Errorf("lines = %v, want %v", got, tt.lines)
			}
		})
	}
}

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name, file, data, column string
		texts                    []string
		errs                     []bool
	}{
		{name: "sniffed from a header without an extension", file: "-", data: "name,email\nA,a@b.com\nB,b@b.com\n",
			texts: []string{"a@b.com", "b@b.com"}},
		{name: "tab-separated", file: "x.tsv", data: "name\tmail\nA\ta@b.com\n",
			texts: []string{"a@b.com"}},
		{name: "no header: the column with addresses", file: "x.csv", data: "A,a@b.com,1\nB,b@b.com,2\n",
			texts: []string{"a@b.com", "b@b.com"}},
		{name: "no header, numbered column", file: "x.csv", column: "1", data: "A,a@b.com\n",
			texts: []string{"A"}},
		{name: "short records give empty entries", file: "x.csv", data: "name,email\nA\nB,b@b.com\n",
			texts: []string{"", "b@b.com"}},
		{name: "a quoted newline stays in one entry", file: "x.csv", data: "email,note\n\"a@b.com\",\"two\nlines\"\nc@d.com,x\n",
			texts: []string{"a@b.com", "c@d.com"}},
		{name: "an empty email column named so is still chosen", file: "x.csv", data: "name,Email\nA,\nB,\n",
			texts: []string{"", ""}},
		{name: "most distinct addresses win over repeated ones", file: "x.csv", data: "owner,member\no@b.com,a@b.com\no@b.com,c@b.com\no@b.com,d@b.com\n",
			texts: []string{"a@b.com", "c@b.com", "d@b.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, src, err := Read(strings.NewReader(tt.data), ReadOptions{Name: tt.file, Column: tt.column})
			if err != nil {
				t.Fatal(err)
			}
			if !src.CSV {
				t.Errorf("not read as CSV")
			}
			if got := texts(in); !slices.Equal(got, tt.texts) {
				t.Errorf("texts = %q, want %q (source %s)", got, tt.texts, src)
			}
		})
	}
}

func TestReadNoColumn(t *testing.T) {
	tests := []struct{ name, data, column, want string }{
		{"unknown name", "name,email\nA,a@b.com\n", "mail", `there is no column "mail"; the columns are "name", "email"`},
		{"no addresses anywhere", "name,phone\nA,1\n", "", "no column holds email addresses"},
		{"name without a header", "A,a@b.com\n", "email", "no header row"},
		{"number out of range", "name,email\nA,a@b.com\n", "3", `there is no column "3"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Read(strings.NewReader(tt.data), ReadOptions{Name: "x.csv", Column: tt.column})
			if !errors.Is(err, ErrNoColumn) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read = %v, want ErrNoColumn saying %q", err, tt.want)
			}
		})
	}
}

func TestReadUTF16(t *testing.T) {
	text := "Name\tE-mail\r\nJosé\tjose@contoso.com\r\n"
	for _, little := range []bool{true, false} {
		var b []byte
		if little {
			b = []byte{0xFF, 0xFE}
		} else {
			b = []byte{0xFE, 0xFF}
		}
		for _, u := range utf16.Encode([]rune(text)) {
			if little {
				b = append(b, byte(u), byte(u>>8))
			} else {
				b = append(b, byte(u>>8), byte(u))
			}
		}
		in, src, err := Read(strings.NewReader(string(b)), ReadOptions{Name: "export.txt"})
		if err != nil || !src.CSV || src.ColumnName != "E-mail" || !slices.Equal(texts(in), []string{"jose@contoso.com"}) {
			t.Errorf("little endian %v: %q %+v %v", little, texts(in), src, err)
		}
	}
}

// repeatReader yields n copies of b without holding them.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

// TestHostileCSVLine: one 50 MB line of commas is one bad row; the rows
// around it are read, and memory stays far below the line's size (the
// earlier reader held the line and 50 million empty fields: 5.2 GB).
func TestHostileCSVLine(t *testing.T) {
	in := io.MultiReader(strings.NewReader("email,name\na@contoso.com,A\n"), &repeatReader{',', 50 << 20},
		strings.NewReader("\nb@contoso.com,B\n"))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, src, err := Read(in, ReadOptions{Name: "users.csv"})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if !src.CSV || src.Column != 0 {
		t.Errorf("source = %+v", src)
	}
	if len(got) != 3 || got[0].Text != "a@contoso.com" || got[2].Text != "b@contoso.com" || got[2].Line != 4 {
		t.Fatalf("entries = %+v", got)
	}
	if got[1].Line != 3 || !strings.Contains(got[1].Err, "longer than") || got[1].Text != "" {
		t.Errorf("the long line = %+v", got[1])
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("reading allocated %d MB", alloc>>20)
	}
}

// TestTooManyFields: a record of more than MaxFields fields is a bad row.
func TestTooManyFields(t *testing.T) {
	wide := "c@contoso.com" + strings.Repeat(",x", MaxFields)
	got, _, err := Read(strings.NewReader("email,name\na@contoso.com,A\n"+wide+"\nb@contoso.com,B\n"), ReadOptions{Name: "u.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !strings.Contains(got[1].Err, "fields") || got[2].Text != "b@contoso.com" {
		t.Errorf("entries = %+v", got)
	}
}
