//go:build !unix

package journal

// lockDir is a no-op where flock is unavailable: one process per data
// directory there.
func lockDir(string) (func(), error) { return func() {}, nil }
