package schedule

// AddressEventType is the event type of a mass address; its invitations
// have their own built-in templates (see DefaultMessageTemplates).
const AddressEventType = "address"

// DefaultMessageTemplates returns the built-in templates for every kind,
// channel and language, under the default event type "", plus the mass
// address's invite, reminder and change templates under
// AddressEventType (its cancellations use the defaults). The state office
// edits copies of these; a fresh map is returned on every call.
//
// SMS texts are kept short: a Hindi SMS is UCS-2 (67 characters a
// segment), so the invite and reminder leave out what the link's page
// shows anyway.
func DefaultMessageTemplates() map[TemplateKey]MessageTemplate {
	m := make(map[TemplateKey]MessageTemplate)
	add := func(kind MessageKind, ch MessageChannel, lang string, subject, body string) {
		m[TemplateKey{Kind: kind, Channel: ch, Lang: lang}] = MessageTemplate{Subject: subject, Body: body}
	}
	addAddressTemplates(func(kind MessageKind, ch MessageChannel, lang string, subject, body string) {
		m[TemplateKey{EventType: AddressEventType, Kind: kind, Channel: ch, Lang: lang}] = MessageTemplate{Subject: subject, Body: body}
	})

	// Invite.
	add(MessageInvite, ChannelSMS, LangHindi, "",
		`{{.Name}} जी, {{.Title}}: {{.ShortDate}}, {{.Time}}{{if .Repeats}} ({{.Repeats}}){{end}}, {{.Venue}}। कृपया उत्तर दें: {{.Link}}`)
	add(MessageInvite, ChannelSMS, LangEnglish, "",
		`{{.Name}}, you are invited to {{.Title}}, {{.ShortDate}} {{.Time}}{{if .Repeats}} ({{.Repeats}}){{end}}, {{.Venue}}. Please reply: {{.Link}}`)
	add(MessageInvite, ChannelEmail, LangHindi, `आमंत्रण: {{.Title}}, {{.ShortDate}}`,
		`आदरणीय {{.Name}} जी,

आपको {{.Title}} में आमंत्रित किया जाता है।

दिनांक: {{.Date}}
समय: {{.Time}}{{if .EndTime}} से {{.EndTime}} तक{{end}}
{{if .Repeats}}दोहराव: {{.Repeats}}
{{end}}स्थान: {{.Venue}}
{{if .BridgeNumber}}ऑडियो ब्रिज: {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}
कृपया अपनी उपस्थिति की सूचना दें: {{.Link}}`)
	add(MessageInvite, ChannelEmail, LangEnglish, `Invitation: {{.Title}}, {{.ShortDate}}`,
		`Dear {{.Name}},

You are invited to {{.Title}}.

Date: {{.Date}}
Time: {{.Time}}{{if .EndTime}} to {{.EndTime}}{{end}} {{.Zone}}
{{if .Repeats}}Repeats: {{.Repeats}}
{{end}}Venue: {{.Venue}}
{{if .BridgeNumber}}Audio bridge: {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}
Please let us know whether you will attend: {{.Link}}`)
	add(MessageInvite, ChannelWhatsApp, LangHindi, "",
		`*{{.Title}}*
{{if .Name}}{{.Name}} जी, आप आमंत्रित हैं।
{{end}}📅 {{.Date}}, {{.Time}}
{{if .Repeats}}🔁 {{.Repeats}}
{{end}}📍 {{.Venue}}
{{if .BridgeNumber}}📞 ऑडियो ब्रिज: {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}उत्तर दें: {{.Link}}`)
	add(MessageInvite, ChannelWhatsApp, LangEnglish, "",
		`*{{.Title}}*
{{if .Name}}{{.Name}}, you are invited.
{{end}}📅 {{.Date}}, {{.Time}} {{.Zone}}
{{if .Repeats}}🔁 {{.Repeats}}
{{end}}📍 {{.Venue}}
{{if .BridgeNumber}}📞 Audio bridge: {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}Reply: {{.Link}}`)

	// Reminder.
	add(MessageReminder, ChannelSMS, LangHindi, "",
		`स्मरण: {{.Title}} {{.ShortDate}}, {{.Time}}, {{.Venue}}।{{if .BridgeNumber}} ऑडियो {{.BridgeNumber}} पिन {{.BridgePIN}}।{{end}} {{.Link}}`)
	add(MessageReminder, ChannelSMS, LangEnglish, "",
		`Reminder: {{.Title}}, {{.ShortDate}} {{.Time}}, {{.Venue}}.{{if .BridgeNumber}} Audio {{.BridgeNumber}} PIN {{.BridgePIN}}.{{end}} {{.Link}}`)
	add(MessageReminder, ChannelEmail, LangHindi, `स्मरण: {{.Title}}, {{.ShortDate}} {{.Time}}`,
		`आदरणीय {{.Name}} जी,

स्मरण: {{.Title}}
दिनांक: {{.Date}}
समय: {{.Time}}
स्थान: {{.Venue}}
{{if .BridgeNumber}}ऑडियो ब्रिज: {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}
विवरण और उत्तर: {{.Link}}`)
	add(MessageReminder, ChannelEmail, LangEnglish, `Reminder: {{.Title}}, {{.ShortDate}} {{.Time}}`,
		`Dear {{.Name}},

This is a reminder of {{.Title}}.
Date: {{.Date}}
Time: {{.Time}} {{.Zone}}
Venue: {{.Venue}}
{{if .BridgeNumber}}Audio bridge: {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}
Details and reply: {{.Link}}`)
	add(MessageReminder, ChannelWhatsApp, LangHindi, "",
		`⏰ *स्मरण: {{.Title}}*
📅 {{.Date}}, {{.Time}}
📍 {{.Venue}}
{{if .BridgeNumber}}📞 ऑडियो ब्रिज: {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}{{.Link}}`)
	add(MessageReminder, ChannelWhatsApp, LangEnglish, "",
		`⏰ *Reminder: {{.Title}}*
📅 {{.Date}}, {{.Time}} {{.Zone}}
📍 {{.Venue}}
{{if .BridgeNumber}}📞 Audio bridge: {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}{{.Link}}`)

	// Change.
	add(MessageChange, ChannelSMS, LangHindi, "",
		`{{.Name}} जी, {{.Title}} में बदलाव: अब {{.ShortDate}}, {{.Time}}{{if .EndTime}} से {{.EndTime}} तक{{end}}, {{.Venue}}। {{.Link}}`)
	add(MessageChange, ChannelSMS, LangEnglish, "",
		`{{.Name}}, {{.Title}} has changed: now {{.ShortDate}} {{.Time}}{{if .EndTime}} to {{.EndTime}}{{end}}, {{.Venue}}. {{.Link}}`)
	add(MessageChange, ChannelEmail, LangHindi, `बदलाव: {{.Title}}, अब {{.ShortDate}} {{.Time}}`,
		`आदरणीय {{.Name}} जी,

{{.Title}} के कार्यक्रम में बदलाव हुआ है।

नया दिनांक: {{.Date}}
नया समय: {{.Time}}{{if .EndTime}} से {{.EndTime}} तक{{end}}
{{if .Repeats}}दोहराव: {{.Repeats}}
{{end}}{{if .SeriesChanged}}कुछ तिथियाँ बदली हैं (कोई बैठक रद्द हुई या खिसकी है); सभी तिथियाँ संलग्न कैलेंडर में हैं।
{{end}}स्थान: {{.Venue}}
{{if .OldSpan}}पहले: {{.OldSpan}}
{{end}}{{if .OldVenue}}पहले का स्थान: {{.OldVenue}}
{{end}}{{if .Reason}}कारण: {{.Reason}}
{{end}}
विवरण और उत्तर: {{.Link}}`)
	add(MessageChange, ChannelEmail, LangEnglish, `Changed: {{.Title}}, now {{.ShortDate}} {{.Time}}`,
		`Dear {{.Name}},

{{.Title}} has changed.

New date: {{.Date}}
New time: {{.Time}}{{if .EndTime}} to {{.EndTime}}{{end}} {{.Zone}}
{{if .Repeats}}Repeats: {{.Repeats}}
{{end}}{{if .SeriesChanged}}Some dates changed (a meeting skipped or moved); every date is in the attached calendar.
{{end}}Venue: {{.Venue}}
{{if .OldSpan}}Previously: {{.OldSpan}}
{{end}}{{if .OldVenue}}Previous venue: {{.OldVenue}}
{{end}}{{if .Reason}}Reason: {{.Reason}}
{{end}}
Details and reply: {{.Link}}`)
	add(MessageChange, ChannelWhatsApp, LangHindi, "",
		`🔄 *बदलाव: {{.Title}}*
📅 अब {{.Date}}, {{.Time}}{{if .EndTime}} से {{.EndTime}} तक{{end}}
📍 {{.Venue}}
{{if .OldSpan}}(पहले {{.OldSpan}})
{{end}}{{.Link}}`)
	add(MessageChange, ChannelWhatsApp, LangEnglish, "",
		`🔄 *Changed: {{.Title}}*
📅 Now {{.Date}}, {{.Time}}{{if .EndTime}} to {{.EndTime}}{{end}} {{.Zone}}
📍 {{.Venue}}
{{if .OldSpan}}(previously {{.OldSpan}})
{{end}}{{.Link}}`)

	// Cancellation.
	add(MessageCancel, ChannelSMS, LangHindi, "",
		`{{.Name}} जी, सूचना: {{.Title}} ({{.ShortDate}}, {{.Time}}) निरस्त।{{if .Reason}} कारण: {{.Reason}}।{{end}}`)
	add(MessageCancel, ChannelSMS, LangEnglish, "",
		`{{.Name}}, {{.Title}} on {{.ShortDate}} {{.Time}} is cancelled.{{if .Reason}} Reason: {{.Reason}}.{{end}}`)
	add(MessageCancel, ChannelEmail, LangHindi, `निरस्त: {{.Title}}, {{.ShortDate}}`,
		`आदरणीय {{.Name}} जी,

{{.Date}}, {{.Time}} को {{.Venue}} में होने वाला कार्यक्रम "{{.Title}}" निरस्त कर दिया गया है।
{{if .Reason}}कारण: {{.Reason}}
{{end}}`)
	add(MessageCancel, ChannelEmail, LangEnglish, `Cancelled: {{.Title}}, {{.ShortDate}}`,
		`Dear {{.Name}},

{{.Title}}, planned for {{.Date}} at {{.Time}} {{.Zone}} at {{.Venue}}, has been cancelled.
{{if .Reason}}Reason: {{.Reason}}
{{end}}`)
	add(MessageCancel, ChannelWhatsApp, LangHindi, "",
		`❌ *निरस्त: {{.Title}}*
{{.Date}}, {{.Time}}, {{.Venue}}
{{if .Reason}}कारण: {{.Reason}}{{end}}`)
	add(MessageCancel, ChannelWhatsApp, LangEnglish, "",
		`❌ *Cancelled: {{.Title}}*
{{.Date}}, {{.Time}} {{.Zone}}, {{.Venue}}
{{if .Reason}}Reason: {{.Reason}}{{end}}`)
	return m
}

// addAddressTemplates adds the mass address's templates. Their link is the
// invitee's own join link (/j/<token>), and BridgeNumber and BridgePIN are
// the audio bridge of the invitee's own district (or mandal), else the
// event-wide one; the bridge line is left out when there is none. A mass
// address is heard online, so there is no venue. The SMS texts stay
// within three segments with the long sample data (Hindi: 201 UTF-16
// units), which saving a template checks.
func addAddressTemplates(add func(kind MessageKind, ch MessageChannel, lang string, subject, body string)) {
	// Invite.
	add(MessageInvite, ChannelSMS, LangHindi, "",
		`{{.Name}} जी, {{.Title}}: {{.ShortDate}}, {{.Time}}। सुनें: {{.Link}}{{if .BridgeNumber}} या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}{{end}}`)
	add(MessageInvite, ChannelSMS, LangEnglish, "",
		`{{.Name}}, join {{.Title}}, {{.ShortDate}} {{.Time}}: {{.Link}}{{if .BridgeNumber}} or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}{{end}}`)
	add(MessageInvite, ChannelEmail, LangHindi, `आमंत्रण: {{.Title}}, {{.ShortDate}}`,
		`आदरणीय {{.Name}} जी,

आपको {{.Title}} सुनने के लिए आमंत्रित किया जाता है।

दिनांक: {{.Date}}
समय: {{.Time}}{{if .EndTime}} से {{.EndTime}} तक{{end}}
{{if .Repeats}}दोहराव: {{.Repeats}}
{{end}}
फ़ोन पर जुड़ें: {{.Link}}
{{if .BridgeNumber}}या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}`)
	add(MessageInvite, ChannelEmail, LangEnglish, `Invitation: {{.Title}}, {{.ShortDate}}`,
		`Dear {{.Name}},

You are invited to listen to {{.Title}}.

Date: {{.Date}}
Time: {{.Time}}{{if .EndTime}} to {{.EndTime}}{{end}} {{.Zone}}
{{if .Repeats}}Repeats: {{.Repeats}}
{{end}}
Join on your phone: {{.Link}}
{{if .BridgeNumber}}Or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}`)
	add(MessageInvite, ChannelWhatsApp, LangHindi, "",
		`*{{.Title}}*
{{if .Name}}{{.Name}} जी, आप आमंत्रित हैं।
{{end}}📅 {{.Date}}, {{.Time}}
🎧 जुड़ें: {{.Link}}
{{if .BridgeNumber}}📞 या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}`)
	add(MessageInvite, ChannelWhatsApp, LangEnglish, "",
		`*{{.Title}}*
{{if .Name}}{{.Name}}, you are invited.
{{end}}📅 {{.Date}}, {{.Time}} {{.Zone}}
🎧 Join: {{.Link}}
{{if .BridgeNumber}}📞 Or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}`)

	// Reminder.
	add(MessageReminder, ChannelSMS, LangHindi, "",
		`स्मरण: {{.Title}} {{.ShortDate}}, {{.Time}}। सुनें: {{.Link}}{{if .BridgeNumber}} या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}{{end}}`)
	add(MessageReminder, ChannelSMS, LangEnglish, "",
		`Reminder: {{.Title}}, {{.ShortDate}} {{.Time}}. Join: {{.Link}}{{if .BridgeNumber}} or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}{{end}}`)
	add(MessageReminder, ChannelEmail, LangHindi, `स्मरण: {{.Title}}, {{.ShortDate}} {{.Time}}`,
		`आदरणीय {{.Name}} जी,

स्मरण: {{.Title}}
दिनांक: {{.Date}}
समय: {{.Time}}

फ़ोन पर जुड़ें: {{.Link}}
{{if .BridgeNumber}}या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}`)
	add(MessageReminder, ChannelEmail, LangEnglish, `Reminder: {{.Title}}, {{.ShortDate}} {{.Time}}`,
		`Dear {{.Name}},

This is a reminder of {{.Title}}.
Date: {{.Date}}
Time: {{.Time}} {{.Zone}}

Join on your phone: {{.Link}}
{{if .BridgeNumber}}Or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}`)
	add(MessageReminder, ChannelWhatsApp, LangHindi, "",
		`⏰ *स्मरण: {{.Title}}*
📅 {{.Date}}, {{.Time}}
🎧 जुड़ें: {{.Link}}
{{if .BridgeNumber}}📞 या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}`)
	add(MessageReminder, ChannelWhatsApp, LangEnglish, "",
		`⏰ *Reminder: {{.Title}}*
📅 {{.Date}}, {{.Time}} {{.Zone}}
🎧 Join: {{.Link}}
{{if .BridgeNumber}}📞 Or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}`)

	// Change.
	add(MessageChange, ChannelSMS, LangHindi, "",
		`{{.Name}} जी, {{.Title}} अब {{.ShortDate}}, {{.Time}}। सुनें: {{.Link}}{{if .BridgeNumber}} या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}{{end}}`)
	add(MessageChange, ChannelSMS, LangEnglish, "",
		`{{.Name}}, {{.Title}} has changed: now {{.ShortDate}} {{.Time}}. Join: {{.Link}}{{if .BridgeNumber}} or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}{{end}}`)
	add(MessageChange, ChannelEmail, LangHindi, `बदलाव: {{.Title}}, अब {{.ShortDate}} {{.Time}}`,
		`आदरणीय {{.Name}} जी,

{{.Title}} के कार्यक्रम में बदलाव हुआ है।

नया दिनांक: {{.Date}}
नया समय: {{.Time}}
{{if .OldWhen}}पहले: {{.OldWhen}}
{{end}}{{if .Reason}}कारण: {{.Reason}}
{{end}}
फ़ोन पर जुड़ें: {{.Link}}
{{if .BridgeNumber}}या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}`)
	add(MessageChange, ChannelEmail, LangEnglish, `Changed: {{.Title}}, now {{.ShortDate}} {{.Time}}`,
		`Dear {{.Name}},

{{.Title}} has changed.

New date: {{.Date}}
New time: {{.Time}} {{.Zone}}
{{if .OldWhen}}Previously: {{.OldWhen}}
{{end}}{{if .Reason}}Reason: {{.Reason}}
{{end}}
Join on your phone: {{.Link}}
{{if .BridgeNumber}}Or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}`)
	add(MessageChange, ChannelWhatsApp, LangHindi, "",
		`🔄 *बदलाव: {{.Title}}*
📅 अब {{.Date}}, {{.Time}}
{{if .OldWhen}}(पहले {{.OldWhen}})
{{end}}🎧 जुड़ें: {{.Link}}
{{if .BridgeNumber}}📞 या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}
{{end}}`)
	add(MessageChange, ChannelWhatsApp, LangEnglish, "",
		`🔄 *Changed: {{.Title}}*
📅 Now {{.Date}}, {{.Time}} {{.Zone}}
{{if .OldWhen}}(previously {{.OldWhen}})
{{end}}🎧 Join: {{.Link}}
{{if .BridgeNumber}}📞 Or dial {{.BridgeNumber}}, PIN {{.BridgePIN}}
{{end}}`)
}
