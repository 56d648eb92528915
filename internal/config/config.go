// Package config holds every setting of Warta in one table: its flag name, its WARTA_* environment
// variable, its default and its help text. Defaults give the embedded mode: SQLite in ./warta-data.
package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the resolved configuration of one process.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	BaseURL     string
	Demo        bool

	SecretKey      string
	EncryptionKeys string

	SMTPHost     string
	SMTPPort     int
	SMTPTLS      string
	SMTPUser     string
	SMTPPassword string
	MailFrom     string

	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCName         string

	MediaStore    string
	S3Endpoint    string
	S3Bucket      string
	S3Region      string
	S3AccessKey   string
	S3SecretKey   string
	S3UseTLS      bool
	TrustProxy    bool
	MetricsToken  string
	LogLevel      string
	LogFormat     string
	ShutdownGrace time.Duration

	// AllowPrivateURLs lets the safe HTTP client reach loopback and private addresses. Tests set it
	// to reach their local servers; it is no option, so no installation can turn it on.
	AllowPrivateURLs bool
	// ChannelEndpoints replace a network's fixed hosts with one base URL, by network name. Tests
	// point them at contract servers; there is no option for it.
	ChannelEndpoints map[string]string
	// PublishLease, PublishBackoff and PublishOverdue shorten the publishing engine's waits in tests (see
	// publish.Options); zero means the engine's defaults. There is no option for them.
	PublishLease   time.Duration
	PublishBackoff []time.Duration
	PublishOverdue time.Duration
	// DistributeLease and DistributeBackoff shorten the distribution engine's waits in tests.
	DistributeLease   time.Duration
	DistributeBackoff time.Duration
}

// Option describes one setting. Env is derived from Name: "smtp-host" is WARTA_SMTP_HOST.
type Option struct {
	Name    string
	Default string
	Help    string
	Secret  bool
	// EnvName overrides the derived variable name.
	EnvName string
	set     func(c *Config, v string) error
}

// Env is the environment variable that sets the option.
func (o Option) Env() string {
	if o.EnvName != "" {
		return o.EnvName
	}
	return "WARTA_" + strings.ToUpper(strings.ReplaceAll(o.Name, "-", "_"))
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func boolean(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("expected true or false, got %q", v)
		}
		*p(c) = b
		return nil
	}
}

// Options is the table of every setting. Keep it sorted by topic; `warta serve --help` prints it.
var Options = []Option{
	{Name: "addr", Default: "127.0.0.1:8080", Help: "address the web server listens on", set: str(func(c *Config) *string { return &c.Addr })},
	{Name: "data", Default: "./warta-data", Help: "data folder: SQLite database, media, generated keys", set: str(func(c *Config) *string { return &c.DataDir })},
	{Name: "database", EnvName: "WARTA_DATABASE_URL", Default: "", Help: "PostgreSQL URL (postgres://user@host/db); empty uses SQLite in the data folder", Secret: true, set: str(func(c *Config) *string { return &c.DatabaseURL })},
	{Name: "base-url", Default: "", Help: "public URL of this installation, used in links in emails (default http://ADDR)", set: str(func(c *Config) *string { return &c.BaseURL })},
	{Name: "demo", Default: "false", Help: "load the demo workspace on start", set: boolean(func(c *Config) *bool { return &c.Demo })},
	{Name: "secret-key", Default: "", Help: "key for signed links; generated into the data folder when empty", Secret: true, set: str(func(c *Config) *string { return &c.SecretKey })},
	{Name: "encryption-keys", Default: "", Help: "comma-separated base64 AES-256 keys for credentials at rest, newest first; generated into the data folder when empty", Secret: true, set: str(func(c *Config) *string { return &c.EncryptionKeys })},
	{Name: "smtp-host", Default: "", Help: "SMTP server; empty keeps mail in the built-in outbox", set: str(func(c *Config) *string { return &c.SMTPHost })},
	{Name: "smtp-port", Default: "587", Help: "SMTP port", set: func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("expected a port number, got %q", v)
		}
		c.SMTPPort = n
		return nil
	}},
	{Name: "smtp-tls", Default: "starttls", Help: "SMTP TLS mode: starttls, tls or none", set: func(c *Config, v string) error {
		switch v {
		case "starttls", "tls", "none":
			c.SMTPTLS = v
			return nil
		}
		return fmt.Errorf("expected starttls, tls or none, got %q", v)
	}},
	{Name: "smtp-user", Default: "", Help: "SMTP user name", set: str(func(c *Config) *string { return &c.SMTPUser })},
	{Name: "smtp-password", Default: "", Help: "SMTP password", Secret: true, set: str(func(c *Config) *string { return &c.SMTPPassword })},
	{Name: "mail-from", Default: "Warta <warta@localhost>", Help: "sender address of every email", set: str(func(c *Config) *string { return &c.MailFrom })},
	{Name: "oidc-issuer", Default: "", Help: "OpenID Connect issuer URL for single sign-on; empty turns SSO off", set: str(func(c *Config) *string { return &c.OIDCIssuer })},
	{Name: "oidc-client-id", Default: "", Help: "OpenID Connect client ID", set: str(func(c *Config) *string { return &c.OIDCClientID })},
	{Name: "oidc-client-secret", Default: "", Help: "OpenID Connect client secret", Secret: true, set: str(func(c *Config) *string { return &c.OIDCClientSecret })},
	{Name: "oidc-name", Default: "SSO", Help: "name of the SSO provider shown on the sign-in button", set: str(func(c *Config) *string { return &c.OIDCName })},
	{Name: "media-store", Default: "local", Help: "where uploaded media is kept: local (data folder) or s3", set: func(c *Config, v string) error {
		if v != "local" && v != "s3" {
			return fmt.Errorf("expected local or s3, got %q", v)
		}
		c.MediaStore = v
		return nil
	}},
	{Name: "s3-endpoint", Default: "", Help: "S3-compatible endpoint host:port", set: str(func(c *Config) *string { return &c.S3Endpoint })},
	{Name: "s3-bucket", Default: "warta", Help: "S3 bucket for media", set: str(func(c *Config) *string { return &c.S3Bucket })},
	{Name: "s3-region", Default: "us-east-1", Help: "S3 region", set: str(func(c *Config) *string { return &c.S3Region })},
	{Name: "s3-access-key", Default: "", Help: "S3 access key", Secret: true, set: str(func(c *Config) *string { return &c.S3AccessKey })},
	{Name: "s3-secret-key", Default: "", Help: "S3 secret key", Secret: true, set: str(func(c *Config) *string { return &c.S3SecretKey })},
	{Name: "s3-tls", Default: "true", Help: "use HTTPS to reach the S3 endpoint", set: boolean(func(c *Config) *bool { return &c.S3UseTLS })},
	{Name: "trust-proxy", Default: "false", Help: "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy", set: boolean(func(c *Config) *bool { return &c.TrustProxy })},
	{Name: "metrics-token", Default: "", Help: "bearer token that /metrics requires; when empty, /metrics answers only direct requests from this machine", Secret: true, set: str(func(c *Config) *string { return &c.MetricsToken })},
	{Name: "log-level", Default: "info", Help: "log level: debug, info, warn or error", set: str(func(c *Config) *string { return &c.LogLevel })},
	{Name: "log-format", Default: "text", Help: "log format: text or json", set: str(func(c *Config) *string { return &c.LogFormat })},
	{Name: "shutdown-grace", Default: "20s", Help: "how long a shutdown waits for requests and jobs in flight", set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("expected a duration such as 20s, got %q", v)
		}
		c.ShutdownGrace = d
		return nil
	}},
}

// Register adds the named options (all when names is empty) to fs, with the environment as default.
// Only the storage options make sense for most CLI commands; serve takes all.
func Register(fs *flag.FlagSet, names ...string) *Values {
	vals := &Values{set: map[string]*string{}}
	for _, o := range Options {
		if len(names) > 0 && !contains(names, o.Name) {
			continue
		}
		def := o.Default
		if env, ok := os.LookupEnv(o.Env()); ok {
			def = env
		}
		v := new(string)
		help := o.Help + " (" + o.Env() + ")"
		fs.StringVar(v, o.Name, def, help)
		if o.Secret {
			// --help prints defaults; a password from the environment must not appear there.
			fs.Lookup(o.Name).DefValue = ""
		}
		vals.set[o.Name] = v
	}
	return vals
}

// Values are the raw strings read by Register, resolved by Resolve.
type Values struct{ set map[string]*string }

// Resolve turns the raw strings into a Config. Options not registered take their env or default.
func (vals *Values) Resolve() (*Config, error) {
	c := &Config{}
	for _, o := range Options {
		v := o.Default
		if env, ok := os.LookupEnv(o.Env()); ok {
			v = env
		}
		if p, ok := vals.set[o.Name]; ok {
			v = *p
		}
		if err := o.set(c, v); err != nil {
			return nil, fmt.Errorf("--%s: %w", o.Name, err)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	return c, nil
}

// Default returns the configuration from the environment and defaults alone.
func Default() (*Config, error) { return (&Values{set: map[string]*string{}}).Resolve() }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
