// Package catalog holds the messages shared by every screen: dates, navigation, buttons, errors.
package catalog

import (
	"embed"

	"warta.dev/warta/internal/platform/i18n"
)

//go:embed en.json id.json
var files embed.FS

// Common is the catalog of words every screen uses.
var Common = i18n.Catalog{Name: "common", FS: files}
