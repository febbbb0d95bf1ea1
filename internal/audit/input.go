package audit

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// Input is one entry of a list: one row of the output.
type Input struct {
	// Line is the line of the input the entry starts on, counting from 1.
	Line int
	// Text is the entry as given: the line of a text list, or the cell of
	// the address column of a CSV. Entries longer than MaxText bytes are
	// cut there (no address is that long, so they are reported as invalid).
	Text string
	// Err, when set, says why the entry could not be read at all; the row
	// reports it in its error field.
	Err string
}

// MaxText bounds the text kept of one entry.
const MaxText = 4096

// ReadOptions says how to read a list.
type ReadOptions struct {
	// Name is the file's name; its extension (.csv, .tsv) marks a CSV.
	Name string
	// Column names the CSV column that holds the addresses: a header
	// (case-insensitive, with or without a bracketed note such as
	// "[Required]") or a number counting from 1. Empty detects the column.
	// Setting it reads the list as a CSV.
	Column string
}

// Source says how a list was read.
type Source struct {
	// CSV is true for a CSV, false for a text list of one entry a line.
	CSV bool
	// Delimiter separates the fields of a CSV.
	Delimiter rune
	// Header is true when the first record (or, in a text list, the first
	// line) was a header rather than an entry.
	Header bool
	// Column is the index of the address column, counting from 0.
	Column int
	// ColumnName is its header, or "" when the CSV has none.
	ColumnName string
	// Columns is the number of columns of the first record.
	Columns int
}

// String describes the source for a person.
func (s Source) String() string {
	if !s.CSV {
		return "a text list (one entry a line)"
	}
	d := map[rune]string{',': "comma", ';': "semicolon", '\t': "tab"}[s.Delimiter]
	if d == "" {
		d = strconv.QuoteRune(s.Delimiter)
	}
	col := fmt.Sprintf("column %d of %d", s.Column+1, s.Columns)
	if s.ColumnName != "" {
		col = fmt.Sprintf("column %q (%d of %d)", s.ColumnName, s.Column+1, s.Columns)
	}
	return col + " of a " + d + "-separated file"
}

// ErrNoColumn means the address column of a CSV could not be found: the
// named column does not exist, or no column holds addresses.
var ErrNoColumn = errors.New("no address column")

// sampleRecords is how many records column detection looks at.
const sampleRecords = 500

// Read reads every entry of a list. A text list has one entry a line;
// empty lines are skipped (they are not entries), and a first line that is
// only a header such as "Email" is taken as one. A CSV — when opts.Column
// is set, the name ends in .csv or .tsv, or the first line has commas,
// semicolons or tabs and no @ — gives one entry per record from its address
// column:
// the one named, or else the column holding the most distinct addresses
// among the first records, preferring sign-in names and primary addresses
// (userPrincipalName, Email Address) over others (manager, recovery).
// A UTF-8 byte order mark is dropped and UTF-16 is decoded.
//
// Bad entries never fail Read: they are returned for the run to report.
// Read fails on a read error, and with ErrNoColumn.
func Read(r io.Reader, opts ReadOptions) ([]Input, Source, error) {
	br, err := decodeBOM(r)
	if err != nil {
		return nil, Source{}, fmt.Errorf("audit: read: %w", err)
	}
	first, _ := firstLine(br)
	ext := strings.ToLower(filepath.Ext(opts.Name))
	delim, n := sniffDelimiter(first)
	if ext == ".tsv" {
		delim = '\t'
	}
	csvMode := opts.Column != "" || ext == ".csv" || ext == ".tsv" ||
		(n > 0 && !bytes.ContainsRune(first, '@'))
	if !csvMode {
		in, header, err := readText(br)
		return in, Source{Header: header}, err
	}
	return readCSV(br, delim, opts.Column)
}

// decodeBOM drops a UTF-8 byte order mark and decodes UTF-16 (which Excel
// writes as "Unicode text") to UTF-8.
func decodeBOM(r io.Reader) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	bom, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}), bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		data, err := io.ReadAll(br)
		if err != nil {
			return nil, err
		}
		little := data[0] == 0xFF
		data = data[2:]
		u := make([]uint16, len(data)/2)
		for i := range u {
			if little {
				u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
			} else {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			}
		}
		br = bufio.NewReaderSize(strings.NewReader(string(utf16.Decode(u))), 64*1024)
	}
	return br, nil
}

// firstLine peeks at the first line that is not blank.
func firstLine(br *bufio.Reader) ([]byte, error) {
	buf, err := br.Peek(64 * 1024)
	if len(buf) == 0 {
		return nil, err
	}
	for len(buf) > 0 {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return line, nil
		}
	}
	return nil, nil
}

// sniffDelimiter returns the CSV delimiter that occurs most often outside
// quotes in line, and how often.
func sniffDelimiter(line []byte) (rune, int) {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(line) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best, n := ',', 0
	for _, d := range []rune{',', ';', '\t'} {
		if counts[d] > n {
			best, n = d, counts[d]
		}
	}
	return best, n
}

// readText reads a list of one entry a line.
func readText(br *bufio.Reader) ([]Input, bool, error) {
	var out []Input
	header := false
	for line := 1; ; line++ {
		text, err := readLine(br)
		if err != nil && err != io.EOF {
			return nil, false, fmt.Errorf("audit: read line %d: %w", line, err)
		}
		switch {
		case text == "":
			// A blank line is not an entry.
		case len(out) == 0 && !header && !strings.ContainsRune(text, '@') && rankColumn(text) <= 1:
			header = true
		default:
			out = append(out, Input{Line: line, Text: text})
		}
		if err == io.EOF {
			return out, header, nil
		}
	}
}

// readLine returns the next line without its line ending, cut to MaxText
// bytes; io.EOF comes with the last piece of text, if any.
func readLine(br *bufio.Reader) (string, error) {
	var kept []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if room := MaxText + 1 - len(kept); room > 0 {
			kept = append(kept, chunk[:min(len(chunk), room)]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		kept = bytes.TrimSuffix(kept, []byte("\n"))
		kept = bytes.TrimSuffix(kept, []byte("\r"))
		return clip(string(kept)), err
	}
}

// clip cuts s to MaxText bytes at a character boundary.
func clip(s string) string {
	if len(s) <= MaxText {
		return s
	}
	i := MaxText
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// Bounds of one CSV record. A record past either is a bad row of its own
// and the run goes on; memory never holds more than MaxRecordBytes of it,
// however long the line (a 50 MB line of commas is one bad row).
const (
	MaxRecordBytes = 64 << 10
	MaxFields      = 1024
)

// readCSV reads the address column of a CSV.
func readCSV(br *bufio.Reader, delim rune, column string) ([]Input, Source, error) {
	rr := &recordReader{br: br, delim: byte(delim)}
	src := Source{CSV: true, Delimiter: delim}

	type record struct {
		line   int
		fields []string
		err    string
	}
	next := func() (record, error) {
		for {
			raw, line, tooLong, err := rr.next()
			if err != nil {
				return record{}, err
			}
			if tooLong {
				return record{line: line, err: fmt.Sprintf("is longer than %d bytes, so it was not read (an unclosed quote can make a record run on)", MaxRecordBytes)}, nil
			}
			cr := csv.NewReader(bytes.NewReader(raw))
			cr.Comma = delim
			cr.FieldsPerRecord = -1
			cr.LazyQuotes = true
			fields, err := cr.Read()
			var pe *csv.ParseError
			switch {
			case err == io.EOF:
				continue // an empty line: not a record
			case errors.As(err, &pe):
				return record{line: line + pe.StartLine - 1, err: fmt.Sprintf("cannot be read as CSV (%v)", pe.Err)}, nil
			case err != nil:
				return record{}, err
			}
			if len(fields) > MaxFields {
				return record{line: line, err: fmt.Sprintf("has %d fields, more than %d, so it was not read", len(fields), MaxFields)}, nil
			}
			return record{line: line, fields: fields}, nil
		}
	}

	// The first records decide the header and the column.
	var sample []record
	for len(sample) < sampleRecords+1 {
		rec, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, src, fmt.Errorf("audit: read CSV: %w", err)
		}
		sample = append(sample, rec)
	}
	var header []string
	if len(sample) > 0 && sample[0].err == "" && !hasAt(sample[0].fields) {
		header, sample = sample[0].fields, sample[1:]
		src.Header = true
	}
	src.Columns = len(header)
	if len(header) == 0 && len(sample) > 0 {
		src.Columns = len(sample[0].fields)
	}
	cells := make([][]string, len(sample))
	for i, r := range sample {
		cells[i] = r.fields
	}
	col, err := chooseColumn(header, cells, column)
	if err != nil {
		return nil, src, err
	}
	src.Column = col
	if col < len(header) {
		src.ColumnName = strings.TrimSpace(header[col])
	}

	var out []Input
	add := func(r record) {
		in := Input{Line: r.line, Err: r.err}
		if r.err == "" && col < len(r.fields) {
			// A copy: the field shares its record's memory.
			in.Text = strings.Clone(clip(r.fields[col]))
		}
		out = append(out, in)
	}
	for _, r := range sample {
		add(r)
	}
	for {
		r, err := next()
		if err == io.EOF {
			return out, src, nil
		}
		if err != nil {
			return nil, src, fmt.Errorf("audit: read CSV: %w", err)
		}
		add(r)
	}
}

// recordReader splits a CSV into its records' raw bytes, finding their ends
// as encoding/csv does with LazyQuotes (a quote opens a quoted field only
// at the start of a field; in one, "" is a quote and a quote followed by
// anything but the delimiter or a line end is kept), so that no record is
// ever held past MaxRecordBytes.
type recordReader struct {
	br    *bufio.Reader
	delim byte
	line  int // lines consumed
	buf   []byte
}

// next returns the next record with its line ending, the line it starts
// on, and whether it was too long to keep (then raw is nil); io.EOF after
// the last.
func (rr *recordReader) next() (raw []byte, line int, tooLong bool, err error) {
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteInQuoted
	)
	rr.buf = rr.buf[:0]
	line = rr.line + 1
	state := fieldStart
	n := 0
	for {
		c, err := rr.br.ReadByte()
		if err != nil {
			if err == io.EOF && n > 0 {
				break
			}
			return nil, 0, false, err
		}
		n++
		if n <= MaxRecordBytes {
			rr.buf = append(rr.buf, c)
		} else {
			tooLong = true
		}
		if c == '\n' {
			rr.line++
		}
		end := false
		switch state {
		case fieldStart, unquoted:
			switch {
			case c == '"' && state == fieldStart:
				state = quoted
			case c == rr.delim:
				state = fieldStart
			case c == '\n':
				end = true
			default:
				state = unquoted
			}
		case quoted:
			if c == '"' {
				state = quoteInQuoted
			}
		case quoteInQuoted:
			switch c {
			case '"':
				state = quoted
			case rr.delim:
				state = fieldStart
			case '\n':
				end = true
			case '\r':
				if b, _ := rr.br.Peek(1); len(b) == 1 && b[0] == '\n' {
					state = unquoted // the \n that follows ends the record
				} else {
					state = quoted
				}
			default:
				state = quoted
			}
		}
		if end {
			break
		}
	}
	if tooLong {
		return nil, line, true, nil
	}
	return rr.buf, line, false, nil
}

func hasAt(fields []string) bool {
	for _, f := range fields {
		if strings.ContainsRune(f, '@') {
			return true
		}
	}
	return false
}

// chooseColumn returns the address column: the one named, or the best.
func chooseColumn(header []string, rows [][]string, name string) (int, error) {
	ncols := len(header)
	for _, r := range rows {
		ncols = max(ncols, len(r))
	}
	if name != "" {
		want := strings.TrimSpace(name)
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), want) {
				return i, nil
			}
		}
		for i, h := range header {
			if norm(h) != "" && norm(h) == norm(want) {
				return i, nil
			}
		}
		if n, err := strconv.Atoi(want); err == nil && n >= 1 && n <= max(ncols, 1) {
			return n - 1, nil
		}
		if len(header) == 0 {
			return 0, fmt.Errorf("audit: %w: the file has no header row, so name the column by its number (1 to %d), not %q", ErrNoColumn, ncols, name)
		}
		return 0, fmt.Errorf("audit: %w: there is no column %q; the columns are %s", ErrNoColumn, name, quoteList(header))
	}
	if ncols <= 1 {
		return 0, nil
	}

	// Score each column by the distinct addresses in it.
	score := make([]int, ncols)
	for c := range ncols {
		seen := map[string]bool{}
		for _, r := range rows {
			if c >= len(r) || !strings.ContainsRune(r[c], '@') {
				continue
			}
			t, err := msaccount.Parse(r[c])
			if err != nil || t.IsDomain() || seen[t.Address] {
				continue
			}
			seen[t.Address] = true
			score[c]++
		}
	}
	rank := func(c int) int {
		if c < len(header) {
			return rankColumn(header[c])
		}
		return 5
	}
	best := -1
	for c := range ncols {
		if best < 0 || score[c] > score[best] {
			best = c
		}
	}
	if score[best] == 0 {
		// Nothing looks like an address yet: trust a header that says so.
		choice := -1
		for c := range ncols {
			if rank(c) <= 1 && (choice < 0 || rank(c) < rank(choice)) {
				choice = c
			}
		}
		if choice < 0 {
			return 0, fmt.Errorf("audit: %w: no column holds email addresses in the first %d records; name one with --column (the columns are %s)", ErrNoColumn, len(rows), quoteList(header))
		}
		return choice, nil
	}
	floor := max(1, (score[best]+1)/2)
	choice := -1
	for c := range ncols {
		if score[c] < floor {
			continue
		}
		if choice < 0 || rank(c) < rank(choice) || rank(c) == rank(choice) && score[c] > score[choice] {
			choice = c
		}
	}
	return choice, nil
}

// rankColumn says how likely a header names the address column: 0 for a
// sign-in name, 1 for a primary address, 2 for another mail column, 5 for
// anything else, 8 for an address of someone or something else.
func rankColumn(h string) int {
	n := norm(h)
	switch n {
	case "userprincipalname", "upn", "signinname", "signinaddress":
		return 0
	case "email", "emailaddress", "emailaddresses", "mail", "mailaddress", "primaryemail", "primaryemailaddress",
		"primarysmtpaddress", "workemail", "businessemail", "emailid", "username", "login", "address", "user":
		return 1
	}
	for _, w := range []string{"manager", "recovery", "secondary", "alternat", "other", "backup", "personal",
		"forward", "home", "proxy", "contact", "assistant", "owner", "sponsor", "invited", "supervisor", "external"} {
		if strings.Contains(n, w) {
			return 8
		}
	}
	if strings.Contains(n, "mail") || strings.Contains(n, "upn") || strings.Contains(n, "principal") {
		return 2
	}
	return 5
}

// norm lowercases a header and keeps its letters and digits outside
// brackets: "Email Address [Required]" → "emailaddress".
func norm(h string) string {
	var b strings.Builder
	depth := 0
	for _, r := range strings.ToLower(h) {
		switch {
		case r == '[' || r == '(':
			depth++
		case r == ']' || r == ')':
			depth = max(0, depth-1)
		case depth == 0 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	q := make([]string, 0, len(names))
	for _, n := range names {
		q = append(q, strconv.Quote(strings.TrimSpace(n)))
	}
	if len(q) > 12 {
		q = append(q[:12], "…")
	}
	return strings.Join(q, ", ")
}
