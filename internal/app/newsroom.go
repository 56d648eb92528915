package app

import (
	"context"

	"warta.dev/warta/internal/newsroom"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/platform/web"
)

// buildNewsroom wires the public newsroom: its pages in the app, the media kit, subscribers, and
// the public site (on /newsroom/{slug}/ and on a newsroom's own domain).
func (a *App) buildNewsroom() error {
	var err error
	a.Newsroom, err = newsroom.New(newsroom.Deps{DB: a.DB, Releases: a.Releases, Media: a.Library, Subscribers: a.Subscribers,
		Mailer: a.Distribute, Bundle: a.Bundle, Log: a.Log, BaseURL: a.Config.BaseURL})
	if err != nil {
		return err
	}
	a.topicNames.s = a.Newsroom
	a.Kit = kit.NewService(a.DB, a.Library, a.Newsroom.Touch)
	a.Newsroom.SetKit(a.Kit)
	a.Newsroom.RegisterJobs(a.Queue)

	pages, err := newsroom.NewHandlers(a.Newsroom, a.Server)
	if err != nil {
		return err
	}
	kitPages, err := kit.NewHandlers(a.Kit, a.Server)
	if err != nil {
		return err
	}
	subscriberPages, err := subscribe.NewHandlers(a.Subscribers, a.Server)
	if err != nil {
		return err
	}
	for _, routes := range [][]web.Route{pages.Routes(), pages.APIRoutes(), kitPages.Routes(), subscriberPages.Routes(),
		subscriberPages.APIRoutes(), a.Newsroom.PublicRoutes()} {
		a.Server.Handle(routes...)
	}
	return nil
}

// topicNames gives subscribers the newsroom's topic names; the newsroom is built after them.
type topicNames struct{ s *newsroom.Service }

func (t *topicNames) TopicNames(ctx context.Context, wsID int64, lang string) (map[int64]string, error) {
	return t.s.TopicNames(ctx, wsID, lang)
}
