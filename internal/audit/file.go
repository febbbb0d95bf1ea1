package audit

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// ErrExists means the output file has rows already and the run was not
// asked to resume it.
var ErrExists = errors.New("the output file exists")

// OutputFile is the file a run writes its rows to, positioned for them.
type OutputFile struct {
	f      *os.File
	closed bool
	// Done are the rows an earlier run wrote, for Job.Done; empty unless
	// resuming.
	Done []msaccount.Verdict
	// Header says whether the rows start the file, so a CSV or a table
	// begins with its header (false when appending to a resumed file).
	Header bool
}

// OpenOutput opens the output file at path for rows in format f. Without
// resume, the file must be new or empty (ErrExists otherwise; it is left
// untouched). With resume, the rows an earlier run wrote are read back
// (ReadRows, which fails for a table or a file of another kind), a last
// row cut short by a killed run is cut off, and the file is positioned
// after the last complete row.
func OpenOutput(path string, f Format, resume bool) (*OutputFile, error) {
	if resume && f == Table {
		return nil, fmt.Errorf("audit: a %s output cannot be resumed; use csv or jsonl", f)
	}
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	o := &OutputFile{f: file}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("audit: %w", err)
	}
	if !resume && st.Size() > 0 {
		file.Close()
		return nil, fmt.Errorf("audit: %s: %w", path, ErrExists)
	}
	var n int64
	if resume {
		if o.Done, n, err = ReadRows(file, st.Size(), f); err != nil {
			file.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := file.Truncate(n); err != nil {
		file.Close()
		return nil, fmt.Errorf("audit: %w", err)
	}
	if _, err := file.Seek(n, io.SeekStart); err != nil {
		file.Close()
		return nil, fmt.Errorf("audit: %w", err)
	}
	o.Header = n == 0
	return o, nil
}

// Write writes to the file.
func (o *OutputFile) Write(b []byte) (int, error) { return o.f.Write(b) }

// Close syncs the file to disk and closes it; closing again does nothing.
func (o *OutputFile) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	err := o.f.Sync()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}
