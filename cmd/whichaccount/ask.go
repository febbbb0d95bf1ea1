package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
)

func ask(ctx context.Context, args []string, cfg config, log *slog.Logger, stdout io.Writer) error {
	return errors.New("ask is not built yet in this version")
}

func chat(ctx context.Context, args []string, cfg config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	return errors.New("chat is not built yet in this version")
}
