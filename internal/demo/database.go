package demo

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"mailbot/internal/pgcluster"
)

// Database is url when set, else a private cluster in the state directory,
// which the returned function stops.
func Database(ctx context.Context, url, stateDir string) (string, func(), error) {
	if url != "" {
		return url, func() {}, nil
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(stateDir, "postgres")})
	if err != nil {
		if errors.Is(err, pgcluster.ErrNoBinaries) {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("start the demo database: %w", err)
	}
	stop := func() { c.Stop(context.Background(), false) }
	return c.URL("postgres"), stop, nil
}
