package main

import (
	"errors"
	"io"
)

func teamsManifest(args []string, cfg config, stdout io.Writer) error {
	return errors.New("manifest teams is not built yet in this version")
}
