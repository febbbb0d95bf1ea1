// Package redistest starts a private redis-server for a test: on a free
// loopback port, in a temporary directory, with persistence off, stopped
// when the test ends. Tests never touch a Redis they did not start.
//
// When the redis-server binary is missing the test is skipped with the
// reason, except under CI=true, where it fails: CI installs it (.ci/run).
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a running redis-server.
type Server struct {
	// URL is the redis:// URL of its database 0.
	URL string
	// Addr is its host:port.
	Addr string

	cmd *exec.Cmd
}

// Start starts a redis-server for t and stops it with t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is not installed, and CI=true needs it (.ci/run installs it): %v", err)
		}
		t.Skipf("redis-server is not installed (%v): install it (apt-get install redis-server) to run this test", err)
	}
	var last error
	for range 5 {
		s, err := start(t, bin)
		if err == nil {
			return s
		}
		last = err // most likely another process took the port first
	}
	t.Fatalf("redistest: starting redis-server: %v", last)
	return nil
}

func start(t testing.TB, bin string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := t.TempDir()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin,
		"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "yes",
		"--logfile", filepath.Join(dir, "redis.log"), "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{URL: "redis://" + addr + "/0", Addr: addr, cmd: cmd}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ping(addr) == nil {
			break
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			return nil, fmt.Errorf("redis-server exited (%v): %s", err, tail(string(log)))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return nil, fmt.Errorf("redis-server on %s did not answer within 10s", addr)
		}
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	return s, nil
}

// Kill stops the server at once, as a crash would.
func (s *Server) Kill() { s.cmd.Process.Kill() }

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ping sends PING in Redis's inline protocol and expects +PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

func tail(s string) string {
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return strings.TrimSpace(s)
}

// Hung is a TCP listener on loopback that accepts connections and never
// answers, as a Redis that hangs does. Its Addr is a redis:// URL target.
type Hung struct {
	// URL is a redis:// URL pointing at it.
	URL string

	ln    net.Listener
	conns chan net.Conn
}

// StartHung starts a hung "Redis" for t, closed with t.Cleanup.
func StartHung(t testing.TB) *Hung {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &Hung{URL: "redis://" + ln.Addr().String() + "/0", ln: ln, conns: make(chan net.Conn, 1024)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case h.conns <- c: // held open, never read or answered
			default:
				c.Close()
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-h.conns:
				c.Close()
			default:
				return
			}
		}
	})
	return h
}
