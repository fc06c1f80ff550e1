package store

import "github.com/karyakram/karyakram/schedule"

// The words for stored keys (a channel, a feed kind, an answer) as
// messages, so the audit log and pages say them in the reader's language.

// ChannelText names a message channel.
func ChannelText(ch schedule.MessageChannel) schedule.Msg {
	switch ch {
	case schedule.ChannelSMS:
		return schedule.Msgf("SMS")
	case schedule.ChannelEmail:
		return schedule.Msgf("email")
	case schedule.ChannelWhatsApp:
		return schedule.Msgf("WhatsApp")
	}
	return schedule.Msgf("channel %q", string(ch))
}

// FeedKindText names what a calendar feed carries.
func FeedKindText(kind FeedKind) schedule.Msg {
	switch kind {
	case FeedUnit:
		return schedule.Msgf("area calendar")
	case FeedCluster:
		return schedule.Msgf("cluster calendar")
	case FeedPerson:
		return schedule.Msgf("personal calendar")
	case FeedGuest:
		return schedule.Msgf("guest's calendar")
	}
	return schedule.Msgf("calendar %q", string(kind))
}

// RSVPText is an invitee's answer.
func RSVPText(answer string) schedule.Msg {
	switch answer {
	case "going":
		return schedule.Msgf("will attend")
	case "not_going":
		return schedule.Msgf("will not attend")
	case "maybe":
		return schedule.Msgf("may attend")
	}
	return schedule.Msgf("answer %q", answer)
}

// RosterSourceText says where a workshop roster came from.
func RosterSourceText(source string) schedule.Msg {
	switch source {
	case "plan":
		return schedule.Msgf("the planner's roster")
	case "hand":
		return schedule.Msgf("edited by hand")
	case "csv":
		return schedule.Msgf("uploaded CSV")
	case "fixture":
		return schedule.Msgf("the January 2022 roster")
	}
	return schedule.Msgf("source %q", source)
}

// EventStatusText is an event's status.
func EventStatusText(st schedule.EventStatus) schedule.Msg {
	switch st {
	case schedule.EventConfirmed:
		return schedule.Msgf("confirmed")
	case schedule.EventTentative:
		return schedule.Msgf("tentative")
	case schedule.EventCancelled:
		return schedule.Msgf("cancelled")
	}
	return schedule.Msgf("status %q", string(st))
}
