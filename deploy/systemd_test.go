package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mailbot/internal/envbool"
)

// The unit is checked by systemd's own verifier, with the paths it names
// pointing at files that exist here.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if ci, _ := envbool.Parse(os.Getenv("CI")); ci {
			t.Fatal("systemd-analyze is not installed (Debian: apt-get install systemd)")
		}
		t.Skip("systemd-analyze is not installed, so the unit cannot be checked here (Debian: apt-get install systemd)")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit, err := os.ReadFile("systemd/mailbot.service")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "mailbot.env")
	os.WriteFile(envFile, []byte("DATABASE_URL=postgres://x/y?sslmode=disable\n"), 0o600)
	text := strings.NewReplacer("/usr/local/bin/mailbot", self, "/etc/mailbot/mailbot.env", envFile).Replace(string(unit))
	for _, want := range []string{"EnvironmentFile=" + envFile, "ExecStart=" + self + " serve"} {
		if !strings.Contains(text, want) {
			t.Errorf("unit has no line %q", want)
		}
	}
	path := filepath.Join(dir, "mailbot.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
