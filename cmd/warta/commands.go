package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/demo"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/secrets"
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, vals := flags("migrate", stderr)
	a, err := open(ctx, fs, vals, args, stderr) // open applies the migrations
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(stdout, "The database is up to date.")
	return nil
}

func user(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "user create, user list, user set-password or user disable")
	if err != nil {
		return err
	}
	fs, vals := flags("user "+sub, stderr)
	email := fs.String("email", "", "the user's email address")
	password := fs.String("password", "", "the password (at least 10 characters)")
	role := fs.String("role", "editor", "role in the workspace: owner, admin, editor, approver, contributor or viewer")
	workspace := fs.String("workspace", "", "workspace name or slug (on an empty installation: the name of the first workspace)")
	name := fs.String("name", "", "the user's name (default: the part of the email before @)")
	lang := fs.String("lang", "id", "language of the user (and of a first workspace): id or en")
	tz := fs.String("timezone", "Asia/Jakarta", "time zone of a first workspace")
	enable := fs.Bool("enable", false, "with disable: enable the user again")
	instAdmin := fs.Bool("installation-admin", false, "with create: the user also administers the installation (jobs, all mail); the first user always does")
	a, err := open(ctx, fs, vals, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "create":
		if *email == "" || *password == "" {
			return errors.New("user create needs --email and --password")
		}
		u, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: *email, Name: *name, Password: *password,
			Role: access.Role(*role), Workspace: *workspace, Lang: *lang, Timezone: *tz, InstallationAdmin: *instAdmin})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created %s as %s of workspace %q (%s/w/%s).\n", u.Email, *role, ws.Name, a.Config.BaseURL, ws.Slug)
	case "list":
		users, err := a.Auth.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tWORKSPACES\tSTATUS")
		for _, u := range users {
			wss, roles, err := a.Auth.UserWorkspaces(ctx, u.ID)
			if err != nil {
				return err
			}
			var list string
			for i, w := range wss {
				if i > 0 {
					list += ", "
				}
				list += w.Slug + ":" + string(roles[i])
			}
			status := "active"
			if u.DisabledAt != nil {
				status = "disabled"
			}
			if u.IsAdmin {
				status += ", installation admin"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, list, status)
		}
		return tw.Flush()
	case "set-password":
		u, err := findUser(ctx, a, *email)
		if err != nil {
			return err
		}
		if _, err := a.Auth.SetPassword(ctx, auth.CLI, u.ID, *password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Password of %s changed; their sessions were signed out.\n", u.Email)
	case "disable":
		u, err := findUser(ctx, a, *email)
		if err != nil {
			return err
		}
		if err := a.Auth.SetDisabled(ctx, auth.CLI, u.ID, !*enable); err != nil {
			return err
		}
		if *enable {
			fmt.Fprintf(stdout, "%s is enabled again.\n", u.Email)
		} else {
			fmt.Fprintf(stdout, "%s is disabled: their sessions and API tokens stop working.\n", u.Email)
		}
	default:
		return fmt.Errorf("unknown command user %s", sub)
	}
	return nil
}

func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "token create or token revoke")
	if err != nil {
		return err
	}
	fs, vals := flags("token "+sub, stderr)
	email := fs.String("email", "", "the user the token acts as")
	workspace := fs.String("workspace", "", "workspace name or slug (default: the user's first)")
	role := fs.String("role", "", "role of the token, at most the user's own (default: the user's role)")
	name := fs.String("name", "CLI", "what the token is for")
	secret := fs.String("token", "", "with revoke: the token to revoke")
	id := fs.String("id", "", "with revoke: the id of the token to revoke")
	a, err := open(ctx, fs, vals, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "create":
		u, err := findUser(ctx, a, *email)
		if err != nil {
			return err
		}
		wss, _, err := a.Auth.UserWorkspaces(ctx, u.ID)
		if err != nil {
			return err
		}
		var wsID int64
		for _, w := range wss {
			if *workspace == "" || w.Slug == *workspace || w.Name == *workspace {
				wsID = w.ID
				break
			}
		}
		if wsID == 0 {
			return auth.ErrNoWorkspace
		}
		plain, tok, err := a.Auth.CreateToken(ctx, auth.CLI, wsID, u.ID, *name, access.Role(*role))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Token %d (%s, role %s) for %s. It is shown once:\n%s\n", tok.ID, tok.Name, tok.Role, u.Email, plain)
	case "revoke":
		ref := *secret
		if ref == "" {
			ref = *id
		}
		if ref == "" && fs.NArg() > 0 {
			ref = fs.Arg(0)
		}
		if ref == "" {
			return errors.New("token revoke needs --token or --id")
		}
		tok, err := a.Auth.RevokeTokenByRef(ctx, ref)
		if err != nil {
			return fmt.Errorf("no such token")
		}
		fmt.Fprintf(stdout, "Token %d (%s of %s) is revoked.\n", tok.ID, tok.Name, tok.UserEmail)
	default:
		return fmt.Errorf("unknown command token %s", sub)
	}
	return nil
}

func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, vals := flags("backup", stderr)
	to := fs.String("to", "", "folder to write the backup into (must not exist or be empty)")
	a, err := open(ctx, fs, vals, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if *to == "" {
		return errors.New("backup needs --to DIR")
	}
	res, err := app.Backup(ctx, a, *to)
	if err != nil {
		return err
	}
	if res.Database == "" {
		fmt.Fprintln(stdout, "The database is PostgreSQL: back it up with pg_dump (see docs/operations.md).")
	} else {
		fmt.Fprintf(stdout, "Database copied to %s\n", res.Database)
	}
	fmt.Fprintf(stdout, "Media: %d files. Keys copied: %d. Backup in %s\n", res.MediaFiles, res.Keys, *to)
	return nil
}

func loadDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, vals := flags("demo", stderr)
	a, err := open(ctx, fs, vals, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	created, err := demo.Load(ctx, a)
	if err != nil {
		return err
	}
	if !created {
		fmt.Fprintln(stdout, "The demo workspace is already there.")
	} else {
		fmt.Fprintln(stdout, "Demo workspace loaded.")
	}
	fmt.Fprintf(stdout, "Start Warta (warta serve) and sign in at %s/login as %s with password %s\nThe demo's passwords are published: do not load the demo on an installation people really use.\n", a.Config.BaseURL, demo.AdminEmail, demo.Password)
	return nil
}

func keys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("say: keys rotate")
	}
	fs, vals := flags("keys rotate", stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := vals.Resolve()
	if err != nil {
		return err
	}
	if cfg.EncryptionKeys != "" {
		return errors.New("the keys come from WARTA_ENCRYPTION_KEYS: put a new key first in that variable instead (openssl rand -base64 32)")
	}
	if _, err := secrets.Rotate(cfg.DataDir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "A new encryption key is in use; older keys in %s still decrypt what they encrypted. Restart Warta, and copy the file to every node.\n", filepath.Join(cfg.DataDir, secrets.KeysFile))
	return nil
}

func workspace(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "workspace create or workspace list")
	if err != nil {
		return err
	}
	fs, vals := flags("workspace "+sub, stderr)
	name := fs.String("name", "", "with create: the organisation's name")
	owner := fs.String("owner", "", "with create: email of an existing user who will own it")
	lang := fs.String("lang", "id", "with create: default language, id or en")
	tz := fs.String("timezone", "Asia/Jakarta", "with create: time zone, e.g. Asia/Makassar")
	a, err := open(ctx, fs, vals, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "create":
		if *name == "" || *owner == "" {
			return errors.New("workspace create needs --name and --owner")
		}
		if i18n.Supported(*lang) == "" {
			return fmt.Errorf("--lang must be id or en")
		}
		if _, err := i18n.LoadZone(*tz); err != nil {
			return fmt.Errorf("unknown time zone %q", *tz)
		}
		u, err := findUser(ctx, a, *owner)
		if err != nil {
			return err
		}
		ws, err := a.Auth.CreateWorkspace(ctx, auth.CLI, *name, *lang, *tz, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created workspace %q owned by %s: %s/w/%s\n", ws.Name, u.Email, a.Config.BaseURL, ws.Slug)
	case "list":
		list, err := a.Auth.Workspaces(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tNAME\tLANGUAGE\tTIME ZONE\tMEMBERS")
		for _, w := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", w.Slug, w.Name, w.Lang, w.Timezone, w.Members)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("unknown command workspace %s", sub)
	}
	return nil
}

// subcommand splits "create --email …" into the subcommand and its flags.
func subcommand(args []string, choices string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, errors.New("say which: " + choices)
	}
	return args[0], args[1:], nil
}

// findUser finds a user by email, with a sentence for the console when there is none.
func findUser(ctx context.Context, a *app.App, email string) (*auth.User, error) {
	u, err := a.Auth.UserByEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("no user with email %q", email)
	}
	return u, nil
}
