package web

import (
	"context"
	"time"

	"warta.dev/warta/internal/platform/i18n"
)

// defaultZone is used for visitors outside any workspace; most users are in WIB.
var defaultZone, _ = time.LoadLocation("Asia/Jakarta")

func contextWithLocale(ctx context.Context, l *i18n.Locale) context.Context {
	return context.WithValue(ctx, localeKey, l)
}
