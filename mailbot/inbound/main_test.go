package inbound

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	InstallCharsetReader()
	os.Exit(m.Run())
}
