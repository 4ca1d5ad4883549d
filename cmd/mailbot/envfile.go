package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
)

// envFileFlag defines --env-file on a command that reads its settings from
// the environment. Postfix's pipe delivery passes no environment, and an
// operator's shell has none of the service's: both read the file systemd's
// EnvironmentFile reads.
func envFileFlag(fs *flag.FlagSet) *string {
	return fs.String("env-file", "", "read settings from this file of KEY=VALUE lines (systemd's EnvironmentFile format); variables set in the environment win")
}

// takeEnvFile removes "--env-file FILE" (or "--env-file=FILE", one dash or
// two) from the arguments of a command with subcommands, and returns env
// completed by that file.
func takeEnvFile(args []string, env func(string) string) ([]string, func(string) string, error) {
	var rest []string
	path := ""
	for i := 0; i < len(args); i++ {
		a := strings.TrimPrefix(strings.TrimPrefix(args[i], "-"), "-")
		switch {
		case a == "env-file" && i+1 < len(args):
			path, i = args[i+1], i+1
		case a == "env-file":
			return nil, nil, fmt.Errorf("--env-file needs a file name")
		case strings.HasPrefix(a, "env-file="):
			path = strings.TrimPrefix(a, "env-file=")
		default:
			rest = append(rest, args[i])
		}
	}
	env, err := withEnvFile(path, env)
	return rest, env, err
}

// withEnvFile returns env completed by the variables in the file at path;
// an empty path returns env itself.
func withEnvFile(path string, env func(string) string) (func(string) string, error) {
	if path == "" {
		return env, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--env-file: %w", err)
	}
	vars, err := parseEnvFile(data)
	if err != nil {
		return nil, fmt.Errorf("--env-file %s: %w", path, err)
	}
	return func(name string) string {
		if v := env(name); v != "" {
			return v
		}
		return vars[name]
	}, nil
}

// parseEnvFile reads KEY=VALUE lines; blank lines and lines starting with #
// are skipped, and a value wrapped in one pair of matching quotes loses
// them, as systemd reads it. Nothing is expanded.
func parseEnvFile(data []byte) (map[string]string, error) {
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		key, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || !validEnvName(key) {
			return nil, fmt.Errorf("line %d is not KEY=VALUE", n)
		}
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		vars[key] = value
	}
	return vars, sc.Err()
}

func validEnvName(s string) bool {
	for i, c := range s {
		letter := c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}
