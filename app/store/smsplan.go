package store

import (
	"context"
	"fmt"

	"github.com/karyakram/karyakram/schedule"
)

// LanguageShare is the part of an audience that will get a message in
// one language: how many people, and the longest name among them (the
// name makes the longest, so the most expensive, SMS).
type LanguageShare struct {
	Lang        string
	Count       int
	LongestName string
}

// AudienceLanguages splits the people a send to audience a would message
// now (reachable on the channel, not invited before) by message language
// (a worker without one gets Hindi), for the cost shown before sending.
func (s *Store) AudienceLanguages(ctx context.Context, actor schedule.Actor, eventID int64, a Audience) ([]LanguageShare, error) {
	if _, err := s.FindInviteEvent(ctx, actor, eventID); err != nil {
		return nil, err
	}
	r, err := s.resolveAudience(ctx, s.db, actor, a)
	if err != nil {
		return nil, err
	}
	cond := r.cond + " AND NOT " + r.noContact + " AND NOT EXISTS (SELECT 1 FROM invites i WHERE i.event_id = ? AND i.worker_id = w.id)"
	args := append(append([]any{}, r.args...), eventID)
	var out []LanguageShare
	for _, lang := range []string{schedule.LangHindi, schedule.LangEnglish} {
		langCond := " AND w.language = 'en'"
		if lang == schedule.LangHindi {
			langCond = " AND w.language <> 'en'"
		}
		sh := LanguageShare{Lang: lang}
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM workers w WHERE "+cond+langCond, args...).Scan(&sh.Count); err != nil {
			return nil, fmt.Errorf("audience by language: %w", err)
		}
		if sh.Count == 0 {
			continue
		}
		if err := s.db.QueryRowContext(ctx, "SELECT w.name FROM workers w WHERE "+cond+langCond+" ORDER BY LENGTH(w.name) DESC, w.id LIMIT 1", args...).
			Scan(&sh.LongestName); err != nil {
			return nil, fmt.Errorf("longest name in the audience: %w", err)
		}
		out = append(out, sh)
	}
	return out, nil
}
