// Package aptinstall installs a Debian package that tests need, where the
// tests may: as root on a system with apt-get. Test binaries of several
// packages start at once, so one installs while the others wait.
package aptinstall

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrCannot says packages cannot be installed here at all (not root, or
// not Debian), as opposed to an install that failed.
var ErrCannot = errors.New("cannot install packages here")

// Options change how a package is installed; nil means none.
type Options struct {
	// Debconf holds debconf-set-selections lines answered before the
	// install, such as "postfix postfix/main_mailer_type select No configuration".
	Debconf []string
	// NoStart keeps the package's services from being started by its
	// install scripts (a policy-rc.d that refuses, where none is present):
	// a test runs its own private instance, never the system's.
	NoStart bool
}

// Install installs pkg unless present reports it is there (checked again
// once the lock is held).
func Install(pkg string, present func() bool) error {
	return InstallWith(pkg, present, nil)
}

// InstallWith is Install with options.
func InstallWith(pkg string, present func() bool, opts *Options) error {
	if opts == nil {
		opts = &Options{}
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: not root", ErrCannot)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("%w: no apt-get", ErrCannot)
	}
	// One lock for every package: apt and dpkg take one installation at a
	// time, and the test binaries of several packages may each want one.
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "mailbot-apt.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	if present() {
		return nil
	}
	fmt.Fprintf(os.Stderr, "%s is missing; installing Debian's %s package\n", pkg, pkg)
	if err := preseed(opts.Debconf); err != nil {
		return err
	}
	if opts.NoStart {
		restore, err := refuseServiceStarts()
		if err != nil {
			return err
		}
		defer restore()
	}
	// Wait for a dpkg lock some other program holds rather than fail.
	wait := []string{"-o", "DPkg::Lock::Timeout=300"}
	for _, args := range [][]string{append(wait, "update"), append(wait, "install", "-y", "--no-install-recommends", pkg)} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("apt-get %v: %w", args, err)
		}
	}
	return nil
}

func preseed(lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	cmd := exec.Command("debconf-set-selections")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("debconf-set-selections: %w: %s", err, out)
	}
	return nil
}

// policyRC is where Debian's invoke-rc.d and deb-systemd-invoke ask whether
// a package may start its services; exit status 101 says no.
const policyRC = "/usr/sbin/policy-rc.d"

// refuseServiceStarts puts a refusing policy-rc.d in place unless one is
// there already; the returned function removes what it wrote.
func refuseServiceStarts() (func(), error) {
	if _, err := os.Stat(policyRC); err == nil {
		return func() {}, nil
	}
	if err := os.WriteFile(policyRC, []byte("#!/bin/sh\n# written by mailbot's tests while they install a package\nexit 101\n"), 0o755); err != nil {
		return nil, fmt.Errorf("keep services from starting: %w", err)
	}
	return func() { os.Remove(policyRC) }, nil
}
