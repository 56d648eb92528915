// Package demo loads sample workspaces a newcomer can explore: the communications office of a
// fictional Indonesian city (in Bahasa Indonesia, WIB) and an NGO in Makassar (in English, WITA).
// Each domain adds its own sample data here as it is built.
package demo

import (
	"context"
	"errors"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/platform/db"
)

// Sign-in of the demo administrator.
const (
	AdminEmail = "rina@sukamaju.example"
	Password   = "warta-demo-2026"
)

const (
	cityName = "Humas Pemerintah Kota Sukamaju"
	ngoName  = "Yayasan Pesisir Lestari"
)

type person struct {
	email, name, lang string
	role              access.Role
}

var cityTeam = []person{
	{"budi@sukamaju.example", "Budi Santoso", "id", access.Editor},
	{"dewi@sukamaju.example", "Dewi Lestari", "id", access.Approver},
	{"andi@sukamaju.example", "Andi Pratama", "id", access.Contributor},
	{"sarah@sukamaju.example", "Sarah Thompson", "en", access.Viewer},
}

// Load creates the demo workspaces unless they exist; it reports whether it created them.
func Load(ctx context.Context, a *app.App) (bool, error) {
	if _, err := a.Auth.Workspace(ctx, auth.Slugify(cityName)); err == nil {
		return false, nil
	} else if !errors.Is(err, db.ErrNotFound) {
		return false, err
	}
	actor := auth.Actor{Label: "demo"}
	admin, err := a.Auth.UserByEmail(ctx, AdminEmail)
	var city *auth.Workspace
	switch {
	case errors.Is(err, db.ErrNotFound):
		admin, city, err = a.Auth.CreateUserWithWorkspace(ctx, actor, AdminEmail, "Rina Wulandari", Password, "id", cityName, "Asia/Jakarta")
	case err == nil:
		city, err = a.Auth.CreateWorkspace(ctx, actor, cityName, "id", "Asia/Jakarta", admin.ID)
	}
	if err != nil {
		return false, err
	}
	for _, p := range cityTeam {
		_, _, err := a.Auth.CreateUser(ctx, actor, auth.CreateUserInput{Email: p.email, Name: p.name, Password: Password,
			Role: p.role, Workspace: city.Slug, Lang: p.lang})
		if err != nil && !errors.Is(err, auth.ErrEmailTaken) {
			return false, err
		}
	}
	owner := auth.Actor{UserID: admin.ID, Label: admin.Email}
	if err := a.Auth.Invite(ctx, owner, access.Owner, city, "yusuf@sukamaju.example", access.Contributor, "id"); err != nil {
		return false, err
	}
	wib, _ := time.LoadLocation("Asia/Jakarta")
	if err := loadContent(ctx, a, audit.Actor{UserID: admin.ID, Label: admin.Email}, city.ID, "id", wib, campaign.Input{
		Name: "Hari Jadi Kota Sukamaju ke-75", Description: "Rangkaian konten menuju dan saat Hari Jadi Kota.", Colour: "#b4532a"}, 14, cityPosts); err != nil {
		return false, err
	}
	// The city office requires approval from now on; one press release waits for it.
	rina := audit.Actor{UserID: admin.ID, Label: admin.Email}
	if err := a.Approvals.SaveSettings(ctx, rina, city.ID, approval.Settings{Mode: approval.Required}); err != nil {
		return false, err
	}
	if drafts, _, err := a.Content.List(ctx, city.ID, content.Filter{Query: "Festival UMKM"}); err != nil {
		return false, err
	} else if len(drafts) == 1 {
		if err := a.Content.Submit(ctx, rina, city.ID, drafts[0].ID); err != nil {
			return false, err
		}
	}
	// The newsroom's past releases come before the press work in progress, so release numbers
	// follow their dates.
	dewi, err := a.Auth.UserByEmail(ctx, "dewi@sukamaju.example")
	if err != nil {
		return false, err
	}
	if err := loadNewsroom(ctx, a, rina, audit.Actor{UserID: dewi.ID, Label: dewi.Email}, city.ID, wib); err != nil {
		return false, err
	}
	if err := loadPress(ctx, a, rina, city.ID, wib); err != nil {
		return false, err
	}
	if err := loadMonitoring(ctx, a, rina, city.ID); err != nil {
		return false, err
	}
	if err := loadCrisis(ctx, a, rina, city.ID); err != nil {
		return false, err
	}
	ngo, err := a.Auth.CreateWorkspace(ctx, actor, ngoName, "en", "Asia/Makassar", admin.ID)
	if err != nil {
		return false, err
	}
	wita, _ := time.LoadLocation("Asia/Makassar")
	if err := loadContent(ctx, a, audit.Actor{UserID: admin.ID, Label: admin.Email}, ngo.ID, "en", wita, campaign.Input{
		Name: "Losari coastal clean-up", Description: "Posts before and on the clean-up day.", Colour: "#2a7a4b"}, 10, ngoPosts); err != nil {
		return false, err
	}
	if err := a.Auth.Invite(ctx, owner, access.Owner, ngo, "field.officer@pesisirlestari.example", access.Editor, "en"); err != nil {
		return false, err
	}
	return true, nil
}
