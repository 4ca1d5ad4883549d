package main

import (
	"bytes"
	"strings"
	"testing"
)

// On/off settings take the usual spellings; anything else stops the start
// with a line naming the variable and what it takes, instead of meaning off.
func TestOnOffSettings(t *testing.T) {
	t.Parallel()
	base := with(serveEnv("postgres://x@127.0.0.1:1/x", "127.0.0.1:25"), "MAILBOT_SMTP_LISTEN", "127.0.0.1:2525",
		"MAILBOT_DB_WAIT", "0")
	for v, want := range map[string]bool{"yes": true, "On": true, "1": true, "TRUE": true, "true": true,
		"no": false, "OFF": false, "0": false, "False": false, "": false} {
		cfg, err := loadConfig(envOf(with(base, "MAILBOT_SMTP_LISTEN_LMTP", v)))
		if err != nil || cfg.In.LMTP != want {
			t.Errorf("MAILBOT_SMTP_LISTEN_LMTP=%q: LMTP %v, err %v; want %v", v, cfg.In.LMTP, err, want)
		}
	}
	err := runServe(t.Context(), nil, envOf(with(base, "MAILBOT_SMTP_LISTEN_LMTP", "maybe")), &bytes.Buffer{})
	if err == nil || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), "MAILBOT_SMTP_LISTEN_LMTP") || !strings.Contains(err.Error(), "yes/no") {
		t.Errorf("MAILBOT_SMTP_LISTEN_LMTP=maybe: err %v, want one line naming the variable and the spellings", err)
	}
}

// The attachment limit is read in MiB and reaches the composer's options;
// 0 turns attaching off, and a value that is not a size stops the start.
func TestAttachLimitSetting(t *testing.T) {
	t.Parallel()
	base := serveEnv("postgres://x@127.0.0.1:1/x", "127.0.0.1:25")
	for v, want := range map[string]int64{"": 10 << 20, "0": 0, "3": 3 << 20} {
		cfg, err := loadConfig(envOf(with(base, "MAILBOT_ATTACH_MAX_MB", v)))
		if err != nil || cfg.Mail.AttachMaxBytes != want {
			t.Errorf("MAILBOT_ATTACH_MAX_MB=%q: %d bytes, err %v; want %d", v, cfg.Mail.AttachMaxBytes, err, want)
		}
	}
	for _, v := range []string{"-1", "ten", "1.5", "101"} {
		if _, err := loadConfig(envOf(with(base, "MAILBOT_ATTACH_MAX_MB", v))); err == nil || !strings.Contains(err.Error(), "MAILBOT_ATTACH_MAX_MB") {
			t.Errorf("MAILBOT_ATTACH_MAX_MB=%q: err %v, want one naming the variable", v, err)
		}
	}
}
