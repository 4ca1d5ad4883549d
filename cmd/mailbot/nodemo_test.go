package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The production build (-tags nodemo) builds, and links none of the demo's
// and the bench's test servers.
func TestNodemoBuildLinksNoTestServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "mailbot")
	if out, err := exec.Command("go", "build", "-tags", "nodemo", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -tags nodemo: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "list", "-deps", "-tags", "nodemo", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, test := range []string{"imapmemserver", "internal/pgcluster", "internal/demomail", "internal/demo", "internal/bench"} {
			if strings.HasSuffix(pkg, test) {
				t.Errorf("the nodemo build links %s", pkg)
			}
		}
	}
}
