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
	"syscall"
)

// Install installs pkg unless present reports it is there (checked again
// once the lock is held).
func Install(pkg string, present func() bool) error {
	if os.Geteuid() != 0 {
		return errors.New("not root")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return errors.New("no apt-get")
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
