// Command warta serves Warta and administers an installation from the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

const usage = `Warta: the communications office in one program.

Usage: warta [command] [flags]

Commands:
  serve                 serve the web application (the default)
  migrate               apply database migrations and exit
  user create           create a user: --email E --password P --role R [--workspace NAME] [--name N]
  user list             list users
  user set-password     set a password: --email E --password P
  user disable          disable a user (--enable to undo): --email E
  workspace create      create a workspace: --name N --owner EMAIL [--lang id|en] [--timezone Asia/Jakarta]
  workspace list        list workspaces
  token create          create an API token: --email E [--workspace NAME] [--role R] [--name N]
  token revoke          revoke an API token: --token T (or --id N)
  backup                copy the database, media and keys to a folder: --to DIR
  keys rotate           add a new encryption key; older keys still decrypt what they encrypted
  demo                  load the demo workspace
  version               print the version

Every command takes --data DIR and --database URL. Run 'warta serve --help' for every setting.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "warta:", explain(err))
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, stdout, stderr)
	case "user":
		return user(ctx, args, stdout, stderr)
	case "token":
		return token(ctx, args, stdout, stderr)
	case "backup":
		return backup(ctx, args, stdout, stderr)
	case "workspace":
		return workspace(ctx, args, stdout, stderr)
	case "keys":
		return keys(ctx, args, stdout, stderr)
	case "demo":
		return loadDemo(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "warta", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// flags makes a flag set with the storage options every command takes, plus more when named.
func flags(name string, stderr io.Writer, extra ...string) (*flag.FlagSet, *config.Values) {
	fs := flag.NewFlagSet("warta "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := append([]string{"data", "database", "base-url", "log-level"}, extra...)
	return fs, config.Register(fs, names...)
}

func logger(cfg *config.Config, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// open builds the app for a command: parse flags, open and migrate the database.
func open(ctx context.Context, fs *flag.FlagSet, vals *config.Values, args []string, stderr io.Writer) (*app.App, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg, err := vals.Resolve()
	if err != nil {
		return nil, err
	}
	if cfg.LogLevel == "info" && fs.Name() != "warta serve" {
		cfg.LogLevel = "warn" // commands stay quiet unless asked
	}
	log := logger(cfg, stderr)
	slog.SetDefault(log)
	return app.Open(ctx, cfg, log)
}

// explain turns an error into one sentence for the console, in the language of $LANG.
func explain(err error) string {
	var we *web.Error
	if errors.As(err, &we) {
		b, berr := i18n.NewBundle(app.Catalogs()...)
		if berr == nil {
			lang := "en"
			if strings.HasPrefix(os.Getenv("LANG"), "id") {
				lang = "id"
			}
			return b.Locale(lang, nil).T(we.Key)
		}
	}
	return oneLine(err.Error())
}

// oneLine joins a message that spans lines (PostgreSQL's driver lists each connection attempt on
// its own line) into one, without repeating the same line.
func oneLine(msg string) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	return b.String()
}
