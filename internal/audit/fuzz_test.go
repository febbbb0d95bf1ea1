package audit

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// FuzzRead feeds arbitrary lists to Read and checks what every run relies
// on: no panic; entries in line order, each cut to MaxText; a text list
// gives one entry per non-blank line; and every entry survives being
// written as JSONL or CSV and read back for a resume, so a run never
// refuses its own output.
//
//	go test ./internal/audit -run XXX -fuzz FuzzRead -fuzztime 60s -parallel 1
func FuzzRead(f *testing.F) {
	f.Add([]byte("alex@contoso.com\n\nbad@\n  \nALEX@contoso.com\n"), false, "")
	f.Add([]byte("\ufeff\"id\",\"userPrincipalName\",\"mail\"\r\n\"1\",\"a@b.com\",\"\"\r\n"), true, "")
	f.Add([]byte("First Name [Required],Email Address [Required]\nAna,ana@fabrikam.com\n"), true, "email address")
	f.Add([]byte("Name;E-Mail\nMüller, Jan;jan@contoso.de\n"), false, "")
	f.Add([]byte("email,note\n\"a@b.com\",\"two\nlines\"\n\"unterminated\n"), true, "1")
	f.Add([]byte{0xFF, 0xFE, 'a', 0, '@', 0, 'b', 0, '.', 0, 'c', 0, 'o', 0, 'm', 0}, false, "")
	f.Add([]byte("=cmd|' /C calc'!A0\n'quoted@x.com\n-x@y.com\na\rb@c.com\r\r\n"), false, "")
	f.Fuzz(func(t *testing.T, data []byte, csvName bool, column string) {
		if len(column) > 40 {
			column = column[:40]
		}
		name := "list.txt"
		if csvName {
			name = "list.csv"
		}
		in, src, err := Read(bytes.NewReader(data), ReadOptions{Name: name, Column: column})
		if err != nil {
			if !errors.Is(err, ErrNoColumn) || !src.CSV {
				t.Fatalf("Read failed with %v (source %+v)", err, src)
			}
			return
		}
		last := 0
		for _, x := range in {
			if x.Line <= last {
				t.Fatalf("line %d after line %d", x.Line, last)
			}
			last = x.Line
			if len(x.Text) > MaxText {
				t.Fatalf("entry of %d bytes", len(x.Text))
			}
			if !src.CSV && strings.ContainsRune(x.Text, '\n') {
				t.Fatalf("text entry with a newline: %q", x.Text)
			}
		}
		if !src.CSV && utf8.Valid(data) && !bytes.HasPrefix(data, []byte("\ufeff")) {
			want := 0
			for _, l := range strings.Split(string(data), "\n") {
				if strings.TrimSuffix(l, "\r") != "" {
					want++
				}
			}
			if src.Header {
				want--
			}
			if len(in) != want {
				t.Fatalf("%d entries from %d non-blank lines", len(in), want)
			}
		}

		// Written and read back, every row matches its entry.
		for _, f := range []Format{JSONL, CSV} {
			var b bytes.Buffer
			w := NewWriter(&b, f, true)
			for _, x := range in {
				v := msaccount.CheckOffline(x.Text)
				if x.Err != "" {
					v = errorVerdict(x.Text, x.Err)
				}
				if err := w.Write(Row{Line: x.Line, Verdict: v}); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			rows, n, err := ReadRows(bytes.NewReader(b.Bytes()), int64(b.Len()), f)
			if err != nil || n != int64(b.Len()) || len(rows) != len(in) {
				t.Fatalf("%s read back: %d of %d rows, n %d of %d, %v", f, len(rows), len(in), n, b.Len(), err)
			}
			for i, v := range rows {
				if !sameInput(v.Input, in[i].Text) {
					t.Fatalf("%s row %d: input %q read back as %q", f, i, in[i].Text, v.Input)
				}
			}
		}
	})
}

// FuzzCSVRecords checks that the bounded record reader finds the records
// encoding/csv finds (LazyQuotes), with the same fields and start lines.
//
//	go test ./internal/audit -run XXX -fuzz FuzzCSVRecords -fuzztime 30s -parallel 1
func FuzzCSVRecords(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "\"a\nb\",c\r\n\"x\"\"y\",z", "\"bare\"quote\",x\n\ny\n", "a,\"b\"\r\nc\r\n\r\n",
		"\"open\n,x\n", "x\"y,\"z\"\"\"\n\"\"\n", "\"q\"\r", "\"q\"\rx\n", ";a;\"b\";\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > MaxRecordBytes {
			return
		}
		type rec struct {
			line   int
			fields []string
		}
		var want []rec
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord, cr.LazyQuotes = -1, true
		for {
			fields, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return // not a case the comparison covers
			}
			line, _ := cr.FieldPos(0)
			want = append(want, rec{line, fields})
		}
		var got []rec
		rr := &recordReader{br: bufio.NewReader(bytes.NewReader(data)), delim: ','}
		for {
			raw, line, tooLong, err := rr.next()
			if err == io.EOF {
				break
			}
			if err != nil || tooLong {
				t.Fatalf("next: %v, too long %v", err, tooLong)
			}
			cr := csv.NewReader(bytes.NewReader(raw))
			cr.FieldsPerRecord, cr.LazyQuotes = -1, true
			fields, err := cr.Read()
			if err == io.EOF {
				continue
			}
			if err != nil {
				t.Fatalf("record %q: %v", raw, err)
			}
			if _, err := cr.Read(); err != io.EOF {
				t.Fatalf("record %q holds more than one record", raw)
			}
			got = append(got, rec{line, fields})
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("records\n got %+v\nwant %+v", got, want)
		}
	})
}
