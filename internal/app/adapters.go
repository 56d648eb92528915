package app

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"strings"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	medialib "warta.dev/warta/internal/content/media"
)

// The domains declare what they need from each other in their own words; these adapters say it
// in the words of the domain that has it.

// contentMedia gives the content studio the media library, and a safe client to download media
// named by URL in imports.
type contentMedia struct {
	*medialib.Library
	client *http.Client
}

func (m contentMedia) Fetch(ctx context.Context, a audit.Actor, wsID int64, rawURL string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, err
	}
	res, err := m.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("download %s: %s", rawURL, res.Status)
	}
	name := path.Base(req.URL.Path)
	if name == "/" || name == "." {
		name = "download"
	}
	asset, err := m.Upload(ctx, a, wsID, name, res.Body)
	return asset.ID, err
}

func (m contentMedia) Describe(ctx context.Context, wsID int64, ids []int64) ([]channel.Media, error) {
	assets, err := m.GetMany(ctx, wsID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]channel.Media, 0, len(assets))
	for _, a := range assets {
		kind := string(a.Kind)
		if a.ContentType == "image/gif" {
			kind = channel.KindGIF
		}
		out = append(out, channel.Media{Kind: kind, Bytes: a.Size, Alt: a.Alt})
	}
	return out, nil
}

func (m contentMedia) Choices(ctx context.Context, wsID int64, limit int, include []int64) ([]content.MediaChoice, error) {
	used, err := m.GetMany(ctx, wsID, include)
	if err != nil {
		return nil, err
	}
	recent, err := m.Search(ctx, wsID, medialib.Filter{Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]content.MediaChoice, 0, len(used)+len(recent))
	seen := map[int64]bool{}
	for _, a := range append(used, recent...) {
		if seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		c := content.MediaChoice{ID: a.ID, Name: a.Filename, Kind: string(a.Kind), HasAlt: !a.MissingAlt()}
		if a.HasThumb() {
			c.Thumb = fmt.Sprintf("/media/%d/thumb", a.ID)
		}
		out = append(out, c)
	}
	return out, nil
}

func (m contentMedia) IDByName(ctx context.Context, wsID int64, name string) (int64, bool, error) {
	assets, err := m.Search(ctx, wsID, medialib.Filter{Query: name, Limit: 50})
	if err != nil {
		return 0, false, err
	}
	for _, a := range assets {
		if strings.EqualFold(a.Filename, name) {
			return a.ID, true, nil
		}
	}
	return 0, false, nil
}

// contentCampaigns gives the content studio the campaigns.
type contentCampaigns struct{ *campaign.Service }

func (c contentCampaigns) Choices(ctx context.Context, wsID int64, include int64) ([]content.CampaignChoice, error) {
	list, err := c.List(ctx, wsID, campaign.Filter{Limit: 200})
	if err != nil {
		return nil, err
	}
	out := make([]content.CampaignChoice, 0, len(list)+1)
	found := include == 0
	for _, x := range list {
		out = append(out, content.CampaignChoice{ID: x.ID, Name: x.Name, Colour: x.Colour})
		found = found || x.ID == include
	}
	if !found {
		if x, err := c.Get(ctx, wsID, include); err == nil {
			out = append(out, content.CampaignChoice{ID: x.ID, Name: x.Name, Colour: x.Colour})
		}
	}
	return out, nil
}

// contentMembers gives the content studio the workspace's members, for @mentions.
type contentMembers struct{ *auth.Service }

func (m contentMembers) Members(ctx context.Context, wsID int64) ([]content.Person, error) {
	members, _, err := m.Service.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]content.Person, 0, len(members))
	for _, x := range members {
		out = append(out, content.Person{UserID: x.UserID, Name: x.Name, Email: x.Email})
	}
	return out, nil
}

// approvalMembers gives approvals the workspace's active members and their roles.
type approvalMembers struct{ *auth.Service }

func (m approvalMembers) Members(ctx context.Context, wsID int64) ([]approval.Member, error) {
	members, _, err := m.Service.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]approval.Member, 0, len(members))
	for _, x := range members {
		if !x.Disabled {
			out = append(out, approval.Member{UserID: x.UserID, Name: x.Name, Email: x.Email, Role: x.Role})
		}
	}
	return out, nil
}
