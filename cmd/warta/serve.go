package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/demo"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("warta serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := config.Register(fs) // serve takes every option
	start := time.Now()
	a, err := open(ctx, fs, vals, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Config.Demo {
		if _, err := demo.Load(ctx, a); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", a.Config.Addr, err)
	}
	fmt.Fprintf(stdout, "Warta %s is running at %s (database: %s, ready in %s)\n", app.Version, a.Config.BaseURL, a.DB.Dialect(), time.Since(start).Round(time.Millisecond))
	link, err := a.Auth.SetupLink(ctx)
	if err != nil {
		return err
	}
	if link != "" {
		fmt.Fprintf(stdout, "First start: open this link to create the administrator and the workspace (valid 24 hours):\n  %s\n", link)
	}
	if a.Config.Demo {
		fmt.Fprintf(stdout, "Demo workspace: sign in as %s with password %s\nThe demo's passwords are published: do not load the demo on an installation people really use.\n", demo.AdminEmail, demo.Password)
	}
	return a.Serve(ctx, ln)
}
