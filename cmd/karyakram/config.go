package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Config is what the server needs; flags override KARYAKRAM_* variables,
// which override the defaults.
type Config struct {
	DSN           string // "" = SQLite file karyakram.db
	Addr          string
	Secret        string
	MaxUploadMB   int64
	SecureCookies bool
	LogJSON       bool
	LogLevel      string
}

func defaultConfig(getenv func(string) string) Config {
	c := Config{Addr: "127.0.0.1:8080", MaxUploadMB: 512}
	if v := getenv("KARYAKRAM_DSN"); v != "" {
		c.DSN = v
	}
	if v := getenv("KARYAKRAM_ADDR"); v != "" {
		c.Addr = v
	}
	c.Secret = getenv("KARYAKRAM_SECRET")
	if v, err := strconv.ParseInt(getenv("KARYAKRAM_MAX_UPLOAD_MB"), 10, 64); err == nil && v > 0 {
		c.MaxUploadMB = v
	}
	return c
}

// register adds the flags shared by the server commands.
func (c *Config) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DSN, "dsn", c.DSN, "database: postgres://… URL, or SQLite file path (default karyakram.db)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address")
	fs.StringVar(&c.Secret, "secret", c.Secret, "secret keying login codes (random per start when empty)")
	fs.Int64Var(&c.MaxUploadMB, "max-upload-mb", c.MaxUploadMB, "largest CSV upload in MB")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "always mark cookies Secure (behind a TLS proxy that does not set X-Forwarded-Proto)")
	fs.BoolVar(&c.LogJSON, "log-json", c.LogJSON, "log as JSON lines")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
}

// validate checks the config once and fills the secret.
func (c *Config) validate(log *slog.Logger) error {
	if c.MaxUploadMB <= 0 {
		return fmt.Errorf("-max-upload-mb must be positive")
	}
	if c.Secret == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		c.Secret = hex.EncodeToString(b)
		log.Warn("no KARYAKRAM_SECRET set: using a random one; login codes sent before a restart will not work after it")
	}
	return nil
}

// String prints the config with the secret masked.
func (c Config) String() string {
	dsn := c.DSN
	if dsn == "" {
		dsn = "karyakram.db (SQLite)"
	}
	return fmt.Sprintf("dsn=%s addr=%s secret=*** max-upload-mb=%d", maskDSN(dsn), c.Addr, c.MaxUploadMB)
}

func (c Config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
