// Package dovecottest runs Debian's Dovecot on loopback as the IMAP peer of tests: one user, a maildir in a
// temporary directory, no TLS. It runs as root (mail as "nobody") and as a normal user (everything as that user).
package dovecottest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Server is a running Dovecot with one mailbox user.
type Server struct {
	Addr           string // "127.0.0.1:port"
	Host           string
	Port           int
	User, Password string
}

const skipHint = "install dovecot-imapd (apt-get install -y dovecot-imapd) and set WARTA_TEST_IMAP=1"

// Start runs Dovecot for the test and stops it when the test ends. Without Dovecot the test is skipped, or
// fails when WARTA_TEST_IMAP=1 says the IMAP tests must run.
func Start(t testing.TB) *Server {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("WARTA_TEST_IMAP") == "1" {
			t.Fatalf("WARTA_TEST_IMAP=1 but %s: apt-get install -y dovecot-imapd", why)
		}
		t.Skip(why + ": " + skipHint)
	}
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		bin = "/usr/sbin/dovecot"
	}
	version, err := exec.Command(bin, "--version").Output()
	if err != nil {
		missing(fmt.Sprintf("%s does not run (%v)", bin, err))
	}
	if _, err := os.Stat("/usr/lib/dovecot/imap"); err != nil { // Debian's path, from dovecot-imapd
		missing("Dovecot's IMAP server is not installed")
	}

	for try := 1; ; try++ {
		s, err := start(t, bin, strings.TrimSpace(string(version)))
		if err == nil {
			return s
		}
		// The free port found may be taken by someone else before Dovecot binds it.
		if try == 3 || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("dovecottest: %v", err)
		}
	}
}

func start(t testing.TB, bin, version string) (*Server, error) {
	dir, err := os.MkdirTemp("", "dovecottest-")
	if err != nil {
		return nil, err
	}
	// Dovecot's unprivileged processes must reach the files inside when it runs as root.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		// Children of a master that failed at start may still be leaving files behind for a moment.
		for range 20 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", Port: port, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		User: "warta", Password: "rahasia-uji-123"}

	me, err := user.Current()
	if err != nil {
		return nil, err
	}
	mailUser, asRoot := me, os.Geteuid() == 0
	if asRoot {
		// Dovecot refuses to access mail as root.
		if mailUser, err = user.Lookup("nobody"); err != nil {
			return nil, err
		}
	}
	mail := filepath.Join(dir, "mail")
	if err := os.Mkdir(mail, 0o700); err != nil {
		return nil, err
	}
	if asRoot {
		uid, _ := strconv.Atoi(mailUser.Uid)
		gid, _ := strconv.Atoi(mailUser.Gid)
		if err := os.Chown(mail, uid, gid); err != nil {
			return nil, err
		}
	}
	passwd := filepath.Join(dir, "passwd")
	line := fmt.Sprintf("%s:{PLAIN}%s:%s:%s::%s\n", s.User, s.Password, mailUser.Uid, mailUser.Gid, mail)
	if err := os.WriteFile(passwd, []byte(line), 0o644); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "dovecot.conf")
	group, err := user.LookupGroupId(me.Gid)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(conf, []byte(config(version, dir, port, asRoot, me.Username, group.Name)), 0o644); err != nil {
		return nil, err
	}

	var out bytes.Buffer
	cmd := exec.Command(bin, "-F", "-c", conf)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	logs := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
		return out.String() + string(b)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			// Dovecot's master waits for its children; signalling the whole group at once keeps that short.
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
			}
		})
	}
	started := false
	t.Cleanup(func() {
		stop()
		if started && t.Failed() {
			t.Logf("dovecot log:\n%s", logs())
		}
	})

	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-exited:
			return nil, fmt.Errorf("dovecot %s exited at start:\n%s", version, logs())
		default:
		}
		err := s.session(func(*imapclient.Client) error { return nil })
		if err == nil {
			started = true
			return s, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("dovecot %s did not answer on %s: %v\n%s", version, s.Addr, err, logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// config writes a minimal dovecot.conf: IMAP on one loopback port, cleartext login, a passwd-file user and a
// maildir, everything else (sockets, state, log) inside dir. Dovecot 2.4 renamed most of these settings.
func config(version, dir string, port int, asRoot bool, me, group string) string {
	var b strings.Builder
	v24 := !strings.HasPrefix(version, "2.3") && !strings.HasPrefix(version, "2.2")
	if v24 {
		b.WriteString("dovecot_config_version = 2.4.0\ndovecot_storage_version = 2.4.0\n")
	}
	fmt.Fprintf(&b, `instance_name = dovecottest-%d
base_dir = %[2]s/run
state_dir = %[2]s/state
log_path = %[2]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
service imap-login {
  chroot =
  inet_listener imap {
    port = %[3]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
  # No penalty socket, no auth penalty: a test of a wrong password must not slow the logins after it.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`, port, dir, port)
	if v24 {
		fmt.Fprintf(&b, `auth_allow_cleartext = yes
mail_driver = maildir
mail_path = %[1]s/mail/Maildir
passdb passwd-file {
  passwd_file_path = %[1]s/passwd
}
userdb passwd-file {
  passwd_file_path = %[1]s/passwd
}
`, dir)
	} else {
		fmt.Fprintf(&b, `disable_plaintext_auth = no
mail_location = maildir:%[1]s/mail/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%%u %[1]s/passwd
}
`, dir)
	}
	if !asRoot {
		// Without root every process runs as the one user there is.
		fmt.Fprintf(&b, `default_internal_user = %[1]s
default_internal_group = %[2]s
default_login_user = %[1]s
service auth-worker {
  user = %[1]s
}
`, me, group)
	}
	return b.String()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// session logs in and runs fn, all within ten seconds.
func (s *Server) session(fn func(*imapclient.Client) error) error {
	conn, err := net.DialTimeout("tcp", s.Addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := imapclient.New(conn, nil)
	defer c.Close()
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		return err
	}
	if err := fn(c); err != nil {
		return err
	}
	return c.Logout().Wait()
}

// Deliver puts a raw message (CRLF or LF line ends) in INBOX.
func (s *Server) Deliver(t testing.TB, raw []byte) {
	t.Helper()
	s.DeliverTo(t, "INBOX", raw)
}

// DeliverTo puts a raw message in a mailbox, creating the mailbox when it does not exist.
func (s *Server) DeliverTo(t testing.TB, mailbox string, raw []byte) {
	t.Helper()
	raw = crlf(raw)
	err := s.session(func(c *imapclient.Client) error {
		if mailbox != "INBOX" {
			if err := c.Create(mailbox, nil).Wait(); err != nil && !alreadyExists(err) {
				return err
			}
		}
		cmd := c.Append(mailbox, int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			return err
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		_, err := cmd.Wait()
		return err
	})
	if err != nil {
		t.Fatalf("dovecottest: deliver to %s: %v", mailbox, err)
	}
}

// Recreate deletes a mailbox (not INBOX) and creates it again, empty and with a new UIDVALIDITY, as happens when
// someone rebuilds a mailbox on the server.
func (s *Server) Recreate(t testing.TB, mailbox string) {
	t.Helper()
	err := s.session(func(c *imapclient.Client) error {
		if err := c.Delete(mailbox).Wait(); err != nil {
			return err
		}
		return c.Create(mailbox, nil).Wait()
	})
	if err != nil {
		t.Fatalf("dovecottest: recreate %s: %v", mailbox, err)
	}
}

func alreadyExists(err error) bool {
	var e *imap.Error
	return errors.As(err, &e) && e.Code == imap.ResponseCodeAlreadyExists
}

func crlf(raw []byte) []byte {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
}
