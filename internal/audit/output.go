package audit

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// Format is how rows are written.
type Format string

// The output formats.
const (
	// JSONL is one verdict JSON object (the design's contract) a line.
	JSONL Format = "jsonl"
	// CSV is a header and one flattened verdict a record (CSVHeader).
	CSV Format = "csv"
	// Table is aligned columns for a person to read; it cannot be resumed.
	Table Format = "table"
)

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case JSONL, CSV, Table:
		return f, nil
	case "json", "ndjson":
		return JSONL, nil
	}
	return "", fmt.Errorf("audit: unknown format %q: use csv, jsonl or table", s)
}

// FormatFor returns the format an output file's name suggests: JSONL for
// .jsonl (or .ndjson), CSV for .csv, else Table.
func FormatFor(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return JSONL
	case ".csv":
		return CSV
	}
	return Table
}

// CSVHeader is the header of the CSV format: the verdict JSON flattened.
// evidence holds "source: detail" items joined by " | ".
var CSVHeader = []string{"input", "address", "domain", "domain_type", "tenant_id", "brand", "cloud", "region",
	"personal", "work", "kind", "certainty", "evidence", "error"}

// DirectoryCSVHeader is the header of a directory audit's CSV: CSVHeader,
// then the verdict's directory object flattened, and the fix to send the
// member when the address is an overlap.
var DirectoryCSVHeader = append(append([]string(nil), CSVHeader...),
	"directory_found", "user_type", "enabled", "home", "invitation", "user", "since", "fix")

// Row is one row of the output: the verdict for the entry on Line.
type Row struct {
	Line    int
	Verdict msaccount.Verdict
}

// Writer writes rows in one format. It buffers; Flush writes out what is
// buffered.
type Writer struct {
	format Format
	bw     *bufio.Writer
	cw     *csv.Writer
	header bool

	directory bool   // a directory audit's rows
	fix       string // the message to overlapping members; {address} is theirs
}

// NewWriter returns a Writer of rows to w. header says whether a CSV or
// table starts with its header (false when appending to a resumed file).
func NewWriter(w io.Writer, f Format, header bool) *Writer {
	bw := bufio.NewWriterSize(w, 64*1024)
	o := &Writer{format: f, bw: bw, header: header}
	if f == CSV {
		o.cw = csv.NewWriter(bw)
	}
	return o
}

// NewDirectoryWriter returns a Writer of a directory audit's rows: JSONL
// as NewWriter's (the directory object is part of the verdict), CSV with
// DirectoryCSVHeader's columns (fix, with {address} filled, on the rows
// of overlapping addresses), and a table that names the member.
func NewDirectoryWriter(w io.Writer, f Format, header bool, fix string) *Writer {
	o := NewWriter(w, f, header)
	o.directory, o.fix = true, fix
	return o
}

// Write writes one row.
func (o *Writer) Write(r Row) error {
	if o.header {
		o.header = false
		if err := o.writeHeader(); err != nil {
			return err
		}
	}
	v := r.Verdict
	switch o.format {
	case JSONL:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("audit: encode verdict: %w", err)
		}
		o.bw.Write(b)
		return o.bw.WriteByte('\n')
	case CSV:
		ev := make([]string, len(v.Evidence))
		for i, e := range v.Evidence {
			ev[i] = e.Source + ": " + e.Detail
		}
		rec := []string{v.Input, v.Address, v.Domain.Name, string(v.Domain.Type), v.Domain.TenantID, v.Domain.Brand,
			v.Domain.Cloud, v.Domain.Region, string(v.Personal), string(v.Work), string(v.Kind), string(v.Certainty),
			strings.Join(ev, " | "), v.Error}
		if o.directory {
			rec = append(rec, directoryCells(v, o.fix)...)
		}
		for i := range rec {
			rec[i] = escapeCell(rec[i])
		}
		return o.cw.Write(rec)
	default:
		return o.writeTableRow(r)
	}
}

// directoryCells flattens the directory object (DirectoryCSVHeader).
func directoryCells(v msaccount.Verdict, fix string) []string {
	d := v.Directory
	if d == nil {
		return make([]string, 8)
	}
	if !d.Found {
		return []string{"false", "", "", "", "", "", "", ""}
	}
	f := ""
	if v.Kind == msaccount.KindBoth {
		f = strings.ReplaceAll(fix, "{address}", v.Address)
	}
	return []string{"true", d.UserType, strconv.FormatBool(d.Enabled), d.Home, d.Invitation, d.User, d.Since, f}
}

func (o *Writer) writeHeader() error {
	switch o.format {
	case CSV:
		if o.directory {
			return o.cw.Write(DirectoryCSVHeader)
		}
		return o.cw.Write(CSVHeader)
	case Table:
		_, err := fmt.Fprintf(o.bw, "%-6s  %s  %-8s  %-8s  %-8s  %-9s  %-11s  %s\n",
			"LINE", pad("INPUT", tableInput), "KIND", "PERSONAL", "WORK", "DOMAIN", "CERTAINTY", "NOTE")
		return err
	}
	return nil
}

const tableInput = 36

func (o *Writer) writeTableRow(r Row) error {
	v := r.Verdict
	if v.Error != "" {
		_, err := fmt.Fprintf(o.bw, "%-6d  %s  %-8s  %-8s  %-8s  %-9s  %-11s  %s\n",
			r.Line, pad(oneLine(v.Input), tableInput), "error", "", "", "", "", oneLine(v.Error))
		return err
	}
	name := v.Address
	if name == "" {
		name = v.Domain.Name
	}
	note := v.Domain.Brand
	if d := v.Directory; d != nil && d.User != "" {
		note = "member " + d.User
		if d.Since != "" {
			note += " since " + d.Since
		}
	}
	if reason, _ := failure(v); reason != "" && open(v) {
		note = reason
	} else if v.Kind == msaccount.KindUnknown && len(v.Evidence) > 0 {
		note = v.Evidence[len(v.Evidence)-1].Detail
	}
	_, err := fmt.Fprintf(o.bw, "%-6d  %s  %-8s  %-8s  %-8s  %-9s  %-11s  %s\n",
		r.Line, pad(name, tableInput), v.Kind, v.Personal, v.Work, v.Domain.Type, v.Certainty, oneLine(note))
	return err
}

// Flush writes out the buffered rows.
func (o *Writer) Flush() error {
	if o.cw != nil {
		o.cw.Flush()
		if err := o.cw.Error(); err != nil {
			return err
		}
	}
	return o.bw.Flush()
}

// escapeCell keeps a spreadsheet from running a cell as a formula, as
// OWASP advises (brands come from tenants, inputs from anyone): a cell
// whose first non-blank character is = + - @ or |, or their fullwidth
// forms (＝ ＋ － ＠ ｜, which some spreadsheets read as the ASCII ones), or
// that starts with a tab or a line break, gets a leading apostrophe. A cell
// starting with an apostrophe gets one more, so unescapeCell can undo it
// exactly.
func escapeCell(s string) string {
	if s == "" {
		return s
	}
	if strings.ContainsRune("\t\r\n'", rune(s[0])) {
		return "'" + s
	}
	if t := strings.TrimLeftFunc(s, unicode.IsSpace); t != "" {
		if r, _ := utf8.DecodeRuneInString(t); strings.ContainsRune("=+-@|＝＋－＠｜", r) {
			return "'" + s
		}
	}
	return s
}

func unescapeCell(s string) string { return strings.TrimPrefix(s, "'") }

// oneLine makes text safe to print on one line of a table.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// pad cuts or pads s to n characters.
func pad(s string, n int) string {
	s = oneLine(s)
	if c := utf8.RuneCountInString(s); c > n {
		r := []rune(s)
		return string(r[:n-1]) + "…"
	} else if c < n {
		return s + strings.Repeat(" ", n-c)
	}
	return s
}

// ReadRows reads back the rows an earlier run wrote in format f (JSONL or
// CSV) to the file r of size bytes, for a resumed run. It returns the
// verdicts and the length of the complete rows: a last row cut short (the
// run was killed while writing) is not returned, and the file should be
// truncated to n before more rows are appended. A file that is not such an
// output fails.
func ReadRows(r io.ReaderAt, size int64, f Format) (rows []msaccount.Verdict, n int64, err error) {
	cut, err := lastNewline(r, size)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: read output: %w", err)
	}
	sr := io.NewSectionReader(r, 0, cut)
	switch f {
	case JSONL:
		return readJSONL(sr)
	case CSV:
		return readCSVRows(sr)
	}
	return nil, 0, fmt.Errorf("audit: a %s output cannot be resumed; use csv or jsonl", f)
}

// lastNewline returns the length of r up to and including its last '\n'.
func lastNewline(r io.ReaderAt, size int64) (int64, error) {
	buf := make([]byte, 4096)
	for end := size; end > 0; {
		start := max(0, end-int64(len(buf)))
		b := buf[:end-start]
		if _, err := r.ReadAt(b, start); err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

func readJSONL(r io.Reader) ([]msaccount.Verdict, int64, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	var rows []msaccount.Verdict
	var n int64
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if err == io.EOF {
			return rows, n, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("audit: read output: %w", err)
		}
		var v msaccount.Verdict
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil || v.Kind == "" {
			return nil, 0, fmt.Errorf("audit: line %d of the output is not a verdict of this tool (%.60q)", line, b)
		}
		rows = append(rows, v)
		n += int64(len(b))
	}
}

func readCSVRows(r io.Reader) ([]msaccount.Verdict, int64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	width := 0
	var rows []msaccount.Verdict
	var n int64
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, n, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote) {
			// A record cut inside a quoted field: keep what came before.
			return rows, n, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("audit: the output is not a CSV of this tool: %w", err)
		}
		if i == 0 {
			switch h := strings.Join(rec, ","); h {
			case strings.Join(CSVHeader, ","), strings.Join(DirectoryCSVHeader, ","):
				width = len(rec)
			default:
				return nil, 0, fmt.Errorf("audit: the output is not a CSV of this tool: its header is %.80q", h)
			}
			n = cr.InputOffset()
			continue
		}
		if len(rec) != width {
			return nil, 0, fmt.Errorf("audit: the output is not a CSV of this tool: record %d has %d fields, want %d", i+1, len(rec), width)
		}
		for j := range rec {
			rec[j] = unescapeCell(rec[j])
		}
		v := msaccount.Verdict{
			Input: rec[0], Address: rec[1],
			Domain:   msaccount.Domain{Name: rec[2], Type: msaccount.DomainType(rec[3]), TenantID: rec[4], Brand: rec[5], Cloud: rec[6], Region: rec[7]},
			Personal: msaccount.Answer(rec[8]), Work: msaccount.Answer(rec[9]), Kind: msaccount.Kind(rec[10]),
			Certainty: msaccount.Certainty(rec[11]), Evidence: []msaccount.Evidence{}, Error: rec[13],
		}
		if rec[12] != "" {
			for _, item := range strings.Split(rec[12], " | ") {
				src, detail, _ := strings.Cut(item, ": ")
				v.Evidence = append(v.Evidence, msaccount.Evidence{Source: src, Detail: detail})
			}
		}
		if width == len(DirectoryCSVHeader) && rec[14] != "" {
			d := rec[14:]
			v.Directory = &msaccount.DirectoryFacts{Found: d[0] == "true", UserType: d[1], Enabled: d[2] == "true", Home: d[3], Invitation: d[4], User: d[5], Since: d[6]}
		}
		rows = append(rows, v)
		n = cr.InputOffset()
	}
}

// sameInput reports whether written, the input field of a row read back,
// is text: JSON turns invalid UTF-8 into U+FFFD byte by byte.
func sameInput(written, text string) bool {
	if written == text {
		return true
	}
	if utf8.ValidString(text) {
		return false
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(text[i : i+size])
		}
		i += size
	}
	return written == b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
