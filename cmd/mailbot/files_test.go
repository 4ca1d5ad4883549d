package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailbot/internal/pgtest"
	"mailbot/internal/smtptest"
	"mailbot/threads"
)

func TestFileSettings(t *testing.T) {
	t.Parallel()
	base := serveEnv("postgres://x@127.0.0.1:1/x", "127.0.0.1:25")
	for _, c := range []struct {
		env  []string
		want threads.FileLimits
	}{
		{nil, threads.FileLimits{MaxFileBytes: 20 << 20, MaxFiles: 10, MaxTotalBytes: 25 << 20}},
		{[]string{"MAILBOT_FILE_MAX_MB", "5", "MAILBOT_FILES_MAX", "3"}, threads.FileLimits{MaxFileBytes: 5 << 20, MaxFiles: 3, MaxTotalBytes: 25 << 20}},
		{[]string{"MAILBOT_FILE_MAX_MB", "50"}, threads.FileLimits{MaxFileBytes: 50 << 20, MaxFiles: 10, MaxTotalBytes: 50 << 20}},
	} {
		cfg, err := loadConfig(envOf(with(base, c.env...)))
		if err != nil || cfg.Files != c.want || cfg.BlobURL != "" {
			t.Errorf("%v: %+v %q, %v; want %+v and no bucket", c.env, cfg.Files, cfg.BlobURL, err, c.want)
		}
	}
	for _, bad := range [][]string{{"MAILBOT_FILE_MAX_MB", "0"}, {"MAILBOT_FILE_MAX_MB", "ten"}, {"MAILBOT_FILES_MAX", "-1"}, {"MAILBOT_FILES_MAX", "1000"}} {
		_, err := loadConfig(envOf(with(base, bad...)))
		if err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%s=%s: err %v, want one naming the variable", bad[0], bad[1], err)
		}
	}
}

// A bucket that cannot be opened or written stops serve before it touches
// the database, with one line naming the variable.
func TestServeChecksTheBucket(t *testing.T) {
	t.Parallel()
	readOnly := t.TempDir()
	// A file where the probe's directory would go: the write fails, as on
	// a bucket without write access.
	if err := os.WriteFile(filepath.Join(readOnly, "probe"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	base := with(serveEnv("postgres://x@127.0.0.1:1/x", "127.0.0.1:25"), "MAILBOT_DB_WAIT", "0")
	for _, url := range []string{"ftp://files.example.test/x", "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "missing")),
		"file://" + filepath.ToSlash(readOnly), "s3://bucket?no_such_option=1"} {
		err := runServe(t.Context(), nil, envOf(with(base, "MAILBOT_BLOB_URL", url)), &bytes.Buffer{})
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "MAILBOT_BLOB_URL") {
			t.Errorf("MAILBOT_BLOB_URL=%s: err %v, want one line naming the variable", url, err)
		}
	}
}

// serve with a bucket: it checks it, serves and stops, and its probe
// leaves nothing behind.
func TestServeWithBucket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	relay := smtptest.Start(t)
	httpAddr := smtptest.FreeAddr(t)
	env := with(serveEnv(pgtest.URL(t), relay.Addr), "MAILBOT_HTTP_ADDR", httpAddr,
		"MAILBOT_BLOB_URL", "file://"+filepath.ToSlash(dir))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, nil, envOf(env), &bytes.Buffer{}) }()
	waitHTTP(t, "http://"+httpAddr+"/readyz")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve stopped with %v", err)
	}
	var left []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, path)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("the start's probe left %v in the bucket", left)
	}
}
